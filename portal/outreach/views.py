"""Views of the outreach feature (routes are added by the feature's issue)."""
from portal.outreach import bp  # noqa: F401

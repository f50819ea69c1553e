"""Views of the research feature (routes are added by the feature's issue)."""
from portal.research import bp  # noqa: F401

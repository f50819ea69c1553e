"""Views of the guidance feature (routes are added by the feature's issue)."""
from portal.guidance import bp  # noqa: F401

"""Views of the discovery feature (routes are added by the feature's issue)."""
from portal.discovery import bp  # noqa: F401

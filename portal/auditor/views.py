"""Views of the audit feature (routes are added by the feature's issue)."""
from portal.auditor import bp  # noqa: F401

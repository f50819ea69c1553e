"""The audit trail in its readers' words: record types and actions as people say them, not code names."""
from __future__ import annotations

from portal.auditor import bp
from portal.models import label

RECORD_TYPES = {
    "Area": "Area",
    "Assessment": "Assessment",
    "AuditEvent": "Audit event",
    "AuditLog": "Audit log",
    "Candidate": "Discovered site",
    "Community": "Community",
    "ContactRevision": "Contact edit",
    "CrawlRun": "Crawl run",
    "Feed": "Feed",
    "GuidanceRule": "Guidance rule",
    "Job": "Background job",
    "Meeting": "Meeting",
    "MessageReview": "Message review",
    "OutreachContact": "Contact",
    "StageChange": "Stage change",
    "SupportFlag": "Backup request",
    "SupportNote": "Support note",
    "Task": "Task",
    "User": "User",
    "research_export": "Research export",
    "research_table": "Research table",
    "research_release": "Kept research release",
}

ACTIONS = {
    "accept": "Accepted", "archive": "Archived", "cancel": "Cancelled", "change": "Changed",
    "create": "Created", "dismiss": "Dismissed", "dispose": "Disposed of", "export": "Exported",
    "flag": "Asked for backup", "handover": "Handed over", "hold": "Held for sign-off",
    "inspect": "Inspected", "interrupted": "Interrupted", "lockout": "Locked out", "login": "Signed in",
    "login_failed": "Failed sign-in", "logout": "Signed out", "merge": "Merged", "resolve": "Closed",
    "restore": "Restored", "retention_keep": "Kept past retention", "sent": "Marked sent",
    "signoff": "Signed off", "support_note": "Added a note", "takeover": "Took over", "throttle": "Sign-in slowed",
    "verify": "Checked the chain", "view": "Viewed",
}


@bp.app_template_filter("record_type")
def record_type(object_type: str | None) -> str:
    """Name a record type as its readers do ("Contact", not "OutreachContact")."""
    if not object_type:
        return ""
    return RECORD_TYPES.get(object_type) or label(object_type)


@bp.app_template_filter("audit_action")
def audit_action(action: str | None) -> str:
    """Name an audit action in words ("Failed sign-in", not "login_failed")."""
    return ACTIONS.get(action or "") or label(action)

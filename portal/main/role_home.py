"""What the admin, researcher and auditor come to Home for: their own work first, not a stage table."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Area, AuditEvent, User, utcnow


def admin_home(user: User) -> dict[str, Any]:
    """Held messages the admin must decide, and the state of accounts and areas."""
    from portal.guidance.queries import held_reviews

    reviews, who = held_reviews(user)
    count = _count_users
    return {
        "to_decide": sum(1 for r in reviews if user in who[r.id]),
        "held": len(reviews),
        "active_users": count(User.active.is_(True), User.invite_token_hash.is_(None)),
        "invited": count(User.invite_token_hash.is_not(None)),
        # Sign-in is slowed (not locked) after the free tries; the admin sees who is being slowed.
        "slowed": count(User.failed_logins >= current_app.config["THROTTLE_FREE_TRIES"]),
        "inactive": count(User.active.is_(False)),
        "areas": db.session.scalar(select(func.count()).select_from(Area)) or 0,
    }


def _count_users(*where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(*where)) or 0


def researcher_home(user: User) -> dict[str, Any]:  # noqa: ARG001
    """The research pages, each with what it shows."""
    from portal.research.pages import PAGES

    return {"pages": list(PAGES.values())}


def auditor_home(user: User) -> dict[str, Any]:  # noqa: ARG001
    """Recent activity on the trail and the records due for a retention decision."""
    from portal.auditor.retention import due_for_review

    since = utcnow() - timedelta(days=1)
    events = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.at >= since)) or 0
    exports = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.at >= utcnow() - timedelta(days=30), AuditEvent.action == "export")) or 0
    due = sum(total for _, _, total in due_for_review(limit=1))
    return {"events_today": events, "exports_30_days": exports, "retention_due": due}


ROLE_HOMES = {"admin": admin_home, "researcher": researcher_home, "auditor": auditor_home}


def role_home(user: User) -> dict[str, Any] | None:
    """The Home panel for roles without an outreach day of their own (None for officers and supervisors)."""
    build = ROLE_HOMES.get(user.role)
    return build(user) if build else None

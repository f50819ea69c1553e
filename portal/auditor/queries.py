"""Queries over the audit log: search with filters, and one record's history."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, or_, select

from portal.extensions import db
from portal.models import AuditEvent, User


@dataclass(frozen=True)
class AuditFilter:
    """What the auditor searched for; every field optional."""

    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def as_args(self) -> dict[str, str]:
        """Return the non-empty filters as query-string arguments (for pagination links)."""
        values = {
            "actor": self.actor, "action": self.action, "object_type": self.object_type,
            "object_id": self.object_id,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {key: value for key, value in values.items() if value}


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(filters: AuditFilter) -> Select:
    """Audit events matching the filters, newest first."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    actor = filters.actor.strip()[:254]
    if actor:
        like = f"%{_escape_like(actor.lower())}%"
        matching = select(User.id).where(or_(User.email.ilike(like, escape="\\"),
                                             User.display_name.ilike(like, escape="\\")))
        query = query.where(AuditEvent.actor_id.in_(matching))
    if filters.action:
        query = query.where(AuditEvent.action == filters.action[:30])
    if filters.object_type:
        query = query.where(AuditEvent.object_type == filters.object_type[:40])
    if filters.object_id:
        query = query.where(AuditEvent.object_id == filters.object_id[:64])
    if filters.date_from:
        query = query.where(AuditEvent.at >= datetime.combine(filters.date_from, time.min))
    if filters.date_to:
        query = query.where(AuditEvent.at < datetime.combine(filters.date_to + timedelta(days=1), time.min))
    return query


def record_history(object_type: str, object_id: str) -> Select:
    """Every event about one record (who saw or changed it), newest first."""
    return search(AuditFilter(object_type=object_type, object_id=object_id))


def distinct_values(column) -> list[str]:
    """Values present in a column of the audit log (for filter choices)."""
    return [value for value in db.session.scalars(select(column).distinct().order_by(column)) if value]


def actors_by_id(events) -> dict[int, User]:
    """Load the users who acted in a page of events in one query."""
    ids = {event.actor_id for event in events if event.actor_id}
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}

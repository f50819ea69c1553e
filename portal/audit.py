"""Write audit events: who created, changed, viewed, exported or signed off what.

An event is kept aside until its transaction commits, then written as the next link of the
audit chain (portal/audit_chain.py); a transaction rolled back writes none.
"""
from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from portal.audit_chain import PENDING, append, audit_key, normalised
from portal.extensions import db
from portal.models import AuditEvent


def _fields(action: str, summary: str, obj: Any, object_type: str | None, object_id: Any,
            details: dict[str, Any] | None, justification: str | None, actor_id: int | None) -> dict[str, Any]:
    """Return an audit row's own columns (the chain's columns are filled when it is written)."""
    if obj is not None:
        object_type = object_type or type(obj).__name__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    if actor_id is None and has_request_context() and current_user.is_authenticated:
        actor_id = current_user.id
    return {"actor_id": actor_id, "action": action, "object_type": object_type,
            "object_id": None if object_id is None else str(object_id), "summary": summary[:500],
            "details": normalised(details), "justification": justification,
            "ip": request.remote_addr if has_request_context() else None}


def record(
    action: str,
    summary: str,
    obj: Any = None,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    details: dict[str, Any] | None = None,
    justification: str | None = None,
    actor_id: int | None = None,
) -> AuditEvent:
    """Record an audit event, written when the session commits (with the change it describes)."""
    event = AuditEvent(**_fields(action, summary, obj, object_type, object_id, details, justification, actor_id))
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback, which ends it, takes the event with it
    session.info.setdefault(PENDING, []).append(event)
    return event


def write_now(action: str, summary: str, *, object_type: str | None = None, object_id: Any = None,
              details: dict[str, Any] | None = None) -> None:
    """Write an audit event at once as the chain's next link, in the session's transaction (the caller commits).

    For the read audit: one row per response, written in two statements without the ORM's unit
    of work (``audit_chain.append``); a rollback before the commit takes it away like any write.
    """
    fields = _fields(action, summary, None, object_type, object_id, details, None, None)
    append(db.session(), fields, audit_key())

"""Write audit events: who created, changed, viewed, exported or signed off what.

An event is kept aside until its transaction commits, then written as the next link of the
audit chain (portal/audit_chain.py); a transaction rolled back writes none.
"""
from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from portal.audit_chain import PENDING, normalised
from portal.extensions import db
from portal.models import AuditEvent


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
    if obj is not None:
        object_type = object_type or type(obj).__name__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    if actor_id is None and has_request_context() and current_user.is_authenticated:
        actor_id = current_user.id
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        summary=summary[:500],
        details=normalised(details),
        justification=justification,
        ip=request.remote_addr if has_request_context() else None,
    )
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback, which ends it, takes the event with it
    session.info.setdefault(PENDING, []).append(event)
    return event

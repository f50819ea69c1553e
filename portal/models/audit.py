"""The append-only audit trail, retention decisions and background job records."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Model, Timestamped, utcnow


class AuditEvent(Model):
    """Who created, changed, viewed, exported or signed off what, and when. Never updated.

    ``at`` is the database's clock, and each row since migration 0022 is a link of a hash chain
    with a keyed digest (``chain_*``; portal/audit_chain.py writes them, ``flask audit verify``
    checks them).
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_object", "object_type", "object_id", "at"),
        Index("ix_audit_actor_time", "actor_id", "at"),
        Index("ix_audit_action_time", "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(30))  # create, change, delete, view, export, signoff, login…
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(String(500))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    justification: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(64))
    # The chain: position, the previous row's hash, this row's hash, and its HMAC with AUDIT_KEY.
    chain_seq: Mapped[int | None] = mapped_column(Integer, index=True, unique=True)
    chain_prev: Mapped[str | None] = mapped_column(String(64))
    chain_hash: Mapped[str | None] = mapped_column(String(64))
    chain_mac: Mapped[str | None] = mapped_column(String(64))


class AuditChain(Model):
    """The audit chain's one head row: where the chain starts and ends, sealed with AUDIT_KEY.

    Writers lock it (SELECT … FOR UPDATE) to append, so concurrent transactions never fork the
    chain. ``legacy_*`` count the rows from before the chain began (migration 0022).
    """

    __tablename__ = "audit_chain"
    __table_args__ = (CheckConstraint("id = 1", name="one_head"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    first_seq: Mapped[int] = mapped_column(Integer)
    first_prev: Mapped[str] = mapped_column(String(64))
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
    legacy_max_id: Mapped[int] = mapped_column(Integer)
    legacy_count: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    mac: Mapped[str | None] = mapped_column(String(64))


@event.listens_for(AuditEvent, "before_update")
def _refuse_audit_update(mapper, connection, target) -> None:  # noqa: ARG001
    raise PermissionError("audit events are append-only")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_audit_delete(mapper, connection, target) -> None:  # noqa: ARG001
    raise PermissionError("audit events are append-only")


class RetentionDecision(Model):
    """A recorded 'keep because…' decision for a record due for disposal."""

    __tablename__ = "retention_decisions"
    __table_args__ = (Index("ix_retention_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    keep_until: Mapped[datetime | None] = mapped_column()
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class Job(Timestamped, Model):
    """A background task's record: status and progress, whichever backend ran it."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_heartbeat", "status", "heartbeat_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    # queued, running, retrying, done, failed; "waiting" for a fan-out parent (see portal.jobs)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    # What to run ({"func", "args", "kwargs", "timeout"}), so any worker (or a recovery) can run it.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    heartbeat_at: Mapped[datetime | None] = mapped_column()
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)

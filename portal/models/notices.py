"""Notices: e-mails that tell someone something needs them, and what each user chose to get."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Model, Timestamped

# What a notice can be about, in the words of the settings page (key: what the user reads).
NOTICE_KINDS = {
    "digest": "A daily list of your follow-ups that are due or overdue",
    "held_message": "A message is held and waits for your decision",
    "decision": "A supervisor decided on a message of yours",
    "backup_request": "An officer asks for backup",
    "export_ready": "A research package you asked for is ready",
    "invite": "Your invitation to Local Reach",
}
# An invitation is how an account starts: nobody can opt out of it.
REQUIRED_KINDS = frozenset({"invite"})
NOTICE_STATUSES = ("pending", "sending", "sent", "failed", "cancelled")


class Notification(Timestamped, Model):
    """One notice to one user: what, to whom, its state, tries and last error, and when it went.

    It names no resident and carries no message text: the body is built when it is sent, from
    its kind and link (portal/notices/bodies.py). The row is the truth about delivery: a job
    claims it (pending/failed -> sending) before sending, so a job delivered twice sends once,
    and a notice the mail server refused stays here, failed, until a retry sends it.
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_status_time", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    # The page the notice links to (absolute URL), and the record it is about (type, id).
    link: Mapped[str | None] = mapped_column(String(500))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    # Counts only, for the digest ({"overdue": 2, "due_today": 1}): never names or text.
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # One notice per key (e.g. one digest per user per day), however often a job or cron runs.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    tries: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column()
    job_id: Mapped[str | None] = mapped_column(String(32))

    user = relationship("User")


class NoticeOptOut(Model):
    """A kind of notice this user chose not to get (every kind is on until they opt out)."""

    __tablename__ = "notice_opt_outs"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)

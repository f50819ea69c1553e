"""Guidance rules, message reviews, support flags and the guidance library."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Model, Timestamped, utcnow

#: A review decided and not yet seen by its author (guidance.services.notifications).
UNSEEN = text("decided_at IS NOT NULL AND author_notified_at IS NULL")


class GuidanceRule(Timestamped, Model):
    """A rule for what may be said; matched against message text as data, not code."""

    __tablename__ = "guidance_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    category: Mapped[str] = mapped_column(String(30), index=True)
    severity: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20), default="keywords")  # keywords, regex, builtin
    pattern: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    revisions: Mapped[list[GuidanceRuleRevision]] = relationship(
        back_populates="rule", cascade="all, delete-orphan", order_by="GuidanceRuleRevision.version"
    )


class GuidanceRuleSet(Model):
    """One row whose stamp changes with every write to guidance_rules (a trigger, migration 0038):
    a web worker reuses the rules it read while the stamp is unchanged (portal/guidance/rules.py)."""

    __tablename__ = "guidance_rule_set"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    stamp: Mapped[int] = mapped_column(BigInteger)


class GuidanceRuleRevision(Model):
    """A snapshot of a rule as it was at one version (rule edits keep their history)."""

    __tablename__ = "guidance_rule_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("guidance_rules.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    rule: Mapped[GuidanceRule] = relationship(back_populates="revisions")


class MessageReview(Timestamped, Model):
    """A supervisor's review of a message that the check says needs one."""

    __tablename__ = "message_reviews"
    __table_args__ = (
        Index("ix_message_reviews_status_time", "status", "created_at"),
        # Decisions the author has not yet seen (Home's banner counts them on every officer's visit):
        # a partial index, as small as the decisions waiting to be read, instead of a scan of every review.
        Index("ix_message_reviews_author_unseen", "author_id", postgresql_where=UNSEEN, sqlite_where=UNSEEN),
        # The author can never sign off their own message, whatever the application does.
        CheckConstraint("decided_by_id IS NULL OR decided_by_id <> author_id", name="not_own_message"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("outreach_contacts.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="held")  # held, approved, changes_requested, rejected
    # The exact words the supervisor is asked to sign off (the contact's text may change later).
    message_text: Mapped[str | None] = mapped_column(Text)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    highest_severity: Mapped[str | None] = mapped_column(String(20))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    comment: Mapped[str | None] = mapped_column(Text)
    author_notified_at: Mapped[datetime | None] = mapped_column()

    contact = relationship("OutreachContact")
    author = relationship("User", foreign_keys=[author_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])


class GuidanceFlagMark(Model):
    """A supervisor's mark that one finding on a held message was wrong here: feedback on its rule."""

    __tablename__ = "guidance_flag_marks"
    __table_args__ = (UniqueConstraint("review_id", "rule_code", "start_offset"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("message_reviews.id", ondelete="CASCADE"), index=True)
    rule_code: Mapped[str] = mapped_column(String(80), index=True)
    category: Mapped[str] = mapped_column(String(30))
    # Where the finding sat in the review's message_text (0, 0 for a finding about the community).
    start_offset: Mapped[int] = mapped_column(Integer, default=0)
    end_offset: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(String(500))
    marked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    review: Mapped[MessageReview] = relationship()
    marked_by = relationship("User")


class SupportFlag(Timestamped, Model):
    """An officer's call for backup on a thread or community (hostile thread, media interest)."""

    __tablename__ = "support_flags"
    __table_args__ = (Index("ix_support_flags_status_time", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("outreach_contacts.id", ondelete="SET NULL"))
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(30))  # hostile_thread, media_interest, other
    thread_link: Mapped[str | None] = mapped_column(String(1000))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open, resolved
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column()

    community = relationship("Community")
    raised_by = relationship("User", foreign_keys=[raised_by_id])
    notes: Mapped[list[SupportNote]] = relationship(
        back_populates="flag", cascade="all, delete-orphan", order_by="SupportNote.created_at"
    )


class SupportNote(Model):
    """A supervisor's support note, or a debrief after an incident."""

    __tablename__ = "support_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("support_flags.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20), default="support")  # support, debrief, takeover
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    flag: Mapped[SupportFlag] = relationship(back_populates="notes")
    author = relationship("User")


class GuidancePage(Timestamped, Model):
    """A short, searchable guidance page."""

    __tablename__ = "guidance_pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)  # plain text with blank-line paragraphs; never raw HTML
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class MessageTemplate(Timestamped, Model):
    """An approved message an officer can start from, per purpose."""

    __tablename__ = "message_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

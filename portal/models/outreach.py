"""Outreach contacts, relationship stages, assessments, meetings and tasks."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON, CheckConstraint, Column, Date, ForeignKey, Index, Integer, String, Table, Text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import Model, Timestamped, utcnow


#: Review states of a message that has not gone out (held for, sent back or refused by a
#: supervisor): until it is cleared it is a draft, not a contact with the community.
NOT_CLEARED = frozenset({"held", "changes_requested", "rejected"})


class OutreachContact(Timestamped, Model):
    """One attempt or interaction with a community."""

    __tablename__ = "outreach_contacts"
    __table_args__ = (
        Index("ix_contacts_community_time", "community_id", "occurred_at"),
        Index("ix_contacts_officer_followup", "officer_id", "follow_up_on"),
        Index("ix_contacts_time", "occurred_at"),
        CheckConstraint("purpose <> 'intelligence'", name="purpose_not_intelligence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    channel: Mapped[str] = mapped_column(String(30))
    direction: Mapped[str] = mapped_column(String(10), default="outbound")
    purpose: Mapped[str] = mapped_column(String(20))
    message_text: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(1000))
    outcome: Mapped[str] = mapped_column(String(20), default="pending")
    reach_views: Mapped[int | None] = mapped_column(Integer)
    reach_replies: Mapped[int | None] = mapped_column(Integer)
    reach_reactions: Mapped[int | None] = mapped_column(Integer)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    # Set when a later contact with the same community resets the follow-up clock.
    follow_up_closed_at: Mapped[datetime | None] = mapped_column()
    # none | held | approved | changes_requested | rejected | sent (see guidance)
    review_status: Mapped[str] = mapped_column(String(20), default="none", index=True)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("message_templates.id", ondelete="SET NULL"))

    community = relationship("Community")
    officer = relationship("User")
    revisions: Mapped[list[ContactRevision]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="ContactRevision.changed_at"
    )

    @hybrid_property
    def went_out(self) -> bool:
        """The contact happened: its message is not held, sent back or refused (also a SQL condition)."""
        return self.review_status not in NOT_CLEARED

    @went_out.inplace.expression
    @classmethod
    def _went_out_expression(cls):
        return cls.review_status.not_in(sorted(NOT_CLEARED))

    @property
    def follow_up_days_late(self) -> int:
        """Days an open follow-up is past its date (0 when not due yet, due today or closed)."""
        if self.follow_up_on is None or self.follow_up_closed_at is not None:
            return 0
        return max((date.today() - self.follow_up_on).days, 0)


class ContactRevision(Model):
    """What changed on a contact after it was logged (e.g. the outcome arrived)."""

    __tablename__ = "contact_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("outreach_contacts.id", ondelete="CASCADE"), index=True)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # field -> [old, new]

    contact: Mapped[OutreachContact] = relationship(back_populates="revisions")


class StageChange(Model):
    """An event in a relationship's life; the community's stage is the latest one."""

    __tablename__ = "stage_changes"
    __table_args__ = (Index("ix_stage_changes_community_time", "community_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Indexed: a community page asks whether its newest contact already evidences a move.
    evidence_contact_id: Mapped[int | None] = mapped_column(ForeignKey("outreach_contacts.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)

    changed_by = relationship("User")
    evidence_contact = relationship("OutreachContact")


class Assessment(Model):
    """A periodic rating of a relationship on 1–5 scales."""

    __tablename__ = "assessments"
    __table_args__ = (
        Index("ix_assessments_community_time", "community_id", "assessed_at"),
        CheckConstraint("trust BETWEEN 1 AND 5", name="trust_range"),
        CheckConstraint("reciprocity BETWEEN 1 AND 5", name="reciprocity_range"),
        CheckConstraint("reach BETWEEN 1 AND 5", name="reach_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assessed_at: Mapped[datetime] = mapped_column(default=utcnow)
    trust: Mapped[int] = mapped_column(Integer)
    reciprocity: Mapped[int] = mapped_column(Integer)
    reach: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)

    assessed_by = relationship("User")


meeting_promotions = Table(
    "meeting_promotions",
    db.metadata,
    Column("meeting_id", ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True),
    Column("community_id", ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Meeting(Timestamped, Model):
    """An offline engagement event (e.g. a neighbourhood meeting) and its attendance."""

    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_area_time", "area_id", "held_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    title: Mapped[str] = mapped_column(String(200))
    held_at: Mapped[datetime] = mapped_column()
    place: Mapped[str | None] = mapped_column(String(200))
    attendance: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    area = relationship("Area")
    communities = relationship("Community", secondary=meeting_promotions)


class Task(Timestamped, Model):
    """Something an officer should do for a relationship, e.g. introduce themselves after a handover."""

    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_assignee_due", "assignee_id", "done_at", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20), default="introduce")
    title: Mapped[str] = mapped_column(String(200))
    #: Free text for the assignee, e.g. the outgoing officer's handover note (kept whole).
    note: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    community = relationship("Community")
    assignee = relationship("User", foreign_keys=[assignee_id])

"""Research projects (who may have the row-level package) and the history of community attributes."""
from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, String, Table, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import Model, Timestamped, utcnow

#: standard: dates as ISO weeks, views/replies/reactions banded; detailed: days and exact counts.
PROJECT_LEVELS = ("standard", "detailed")

research_project_members = Table(
    "research_project_members",
    db.metadata,
    Column("project_id", ForeignKey("research_projects.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ResearchProject(Timestamped, Model):
    """A named study an admin approved: only its members get the row-level package, until it expires."""

    __tablename__ = "research_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    purpose: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(20), default="standard")
    expires_on: Mapped[date] = mapped_column(Date)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
    #: Mixed with the server's pseudonym key, so each project's pseudonyms differ (files cannot be linked).
    key_salt: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))

    approved_by = relationship("User", foreign_keys=[approved_by_id])
    members = relationship("User", secondary=research_project_members, order_by="User.display_name")

    def is_open(self, today: date | None = None) -> bool:
        """Approved, not revoked and not past its expiry date."""
        return self.revoked_at is None and (today or utcnow().date()) <= self.expires_on

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "open" if self.is_open() else "expired"

    @classmethod
    def open_for(cls, user: Any) -> list[ResearchProject]:
        """Projects the user belongs to that may export today."""
        today = utcnow().date()
        query = (select(cls).join(research_project_members)
                 .where(research_project_members.c.user_id == user.id, cls.revoked_at.is_(None),
                        cls.expires_on >= today).order_by(cls.name))
        return list(db.session.scalars(query))

    @classmethod
    def ordered(cls) -> list[ResearchProject]:
        return list(db.session.scalars(select(cls).order_by(cls.expires_on.desc(), cls.name)))


#: Attributes of a community whose past values the as-of export needs.
TRACKED_ATTRIBUTES = ("area_id", "platform", "access", "police_welcome", "audience_size", "status")


class CommunityRevision(Model):
    """What changed on a community and when: old and new values of its tracked attributes."""

    __tablename__ = "community_revisions"
    __table_args__ = (Index("ix_community_revisions_community_time", "community_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: attribute -> [old, new]; {} with kind "baseline" marks when history began for a community
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    kind: Mapped[str] = mapped_column(String(20), default="change")

    @classmethod
    def note(cls, community: Any, changes: dict[str, list[Any]], user_id: int | None = None) -> None:
        """Add a revision for the tracked attributes among `changes` (nothing when none changed)."""
        tracked = {k: v for k, v in changes.items() if k in TRACKED_ATTRIBUTES}
        if tracked and community.id is not None:
            db.session.add(cls(community_id=community.id, changes=tracked, changed_by_id=user_id,
                               changed_at=utcnow()))


class ResearchRelease(Model):
    """A researcher-facing family's counts (or their protection) as first published after its month-end.

    Keyed by page (``funnel``, ``funnel:protected``…) and the family's cache key (the selection without
    its area, its dates naming the year and the month-end), written once and read from then on
    (portal/research/releases.py); `payload` is tagged JSON, never pickled."""

    __tablename__ = "research_releases"
    __table_args__ = (UniqueConstraint("page", "family_key", name="uq_research_releases_page_family"),
                      Index("ix_research_releases_month_end", "month_end"))

    id: Mapped[int] = mapped_column(primary_key=True)
    page: Mapped[str] = mapped_column(String(60))
    family_key: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column()
    month_end: Mapped[date] = mapped_column(Date)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

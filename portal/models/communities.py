"""Communities (where people gather online), their tags, feeds and activity samples."""
from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, Row, Select, String, Text, bindparam, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portal.extensions import db
from portal.models.base import Model, Timestamped


class Community(Timestamped, Model):
    """A place where people of an area gather: blog, forum, group, page, mailing list…

    Records are about communities, never about people: a gatekeeper is a role
    ("group admin"), not a profile.
    """

    __tablename__ = "communities"
    __table_args__ = (
        Index("ix_communities_area_status_stage", "area_id", "status", "stage"),
        Index("ix_communities_area_last_contact", "area_id", "last_contact_at"),
        Index("ix_communities_area_name", "area_id", "name"),
        Index("ix_communities_first_contact", "first_contact_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    name: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(1000))
    #: Name and address lower-cased (search_text_of): the list's "contains…" search is a plain
    #: LIKE on it, 4x cheaper per row than ILIKE on both columns; set whenever either changes.
    search_text: Mapped[str | None] = mapped_column(Text)
    # Normalised host+path used for duplicate detection and "share a link" look-ups.
    url_key: Mapped[str | None] = mapped_column(String(1000), index=True)
    platform: Mapped[str] = mapped_column(String(40), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    access: Mapped[str] = mapped_column(String(20), default="public")
    gatekeeper_role: Mapped[str | None] = mapped_column(String(120))
    house_rules: Mapped[str | None] = mapped_column(Text)
    police_welcome: Mapped[str] = mapped_column(String(10), default="unknown")
    audience_size: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active, archived, merged
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    provenance: Mapped[str] = mapped_column(String(20), default="officer")  # officer, crawl
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Denormalised from StageChange / OutreachContact so lists filter without joins.
    stage: Mapped[str] = mapped_column(String(20), default="identified")
    stage_changed_at: Mapped[datetime | None] = mapped_column()
    last_contact_at: Mapped[datetime | None] = mapped_column()
    #: The first outbound contact that went out (not held, sent back or refused). Kept by
    #: database triggers on outreach_contacts (migration 0018), never written by the app.
    first_contact_at: Mapped[datetime | None] = mapped_column()
    stay_in_touch_days: Mapped[int | None] = mapped_column(Integer)
    items_per_week: Mapped[float | None] = mapped_column(Float)
    last_item_at: Mapped[datetime | None] = mapped_column()
    locality_score: Mapped[float | None] = mapped_column(Float)
    archived_at: Mapped[datetime | None] = mapped_column()
    #: A sub-community (a forum's board, a blog's category) is catalogued under its site's community.
    #: No database foreign key (migration 0024 says why); communities are merged, never deleted, and
    #: a parent that cannot be found is treated as none.
    parent_id: Mapped[int | None] = mapped_column(Integer, index=True)

    area = relationship("Area")
    owner = relationship("User", foreign_keys=[owner_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    tags: Mapped[list[CommunityTag]] = relationship(
        back_populates="community", cascade="all, delete-orphan", order_by="CommunityTag.tag"
    )
    feeds: Mapped[list[Feed]] = relationship(back_populates="community", cascade="all, delete-orphan")

    @validates("name", "url")
    def _keep_search_text(self, key: str, value: str | None) -> str | None:
        name, url = (value, self.url) if key == "name" else (self.name, value)
        self.search_text = search_text_of(name, url)
        return value

    @property
    def tag_names(self) -> list[str]:
        return [t.tag for t in self.tags]

    @classmethod
    def by_url_key(cls, url_key: str) -> Community | None:
        return db.session.scalar(select(cls).where(cls.url_key == url_key, cls.status != "merged"))

    def parent_community(self) -> Community | None:
        """The site this sub-community is part of (None for a site, or a parent since merged away)."""
        if self.parent_id is None:
            return None
        parent = db.session.get(Community, self.parent_id)
        return parent if parent is not None and parent.status != "merged" else None

    def parts(self) -> list[Row]:
        """The sub-communities catalogued under this site (boards, categories, sections), by name.

        Rows of what the community page lists (id, name, posts a week, locality), not objects: the
        page asks on every view, and most communities have no parts.
        """
        return list(db.session.execute(_parts_statement(), {"parent_id": self.id}))

    def __repr__(self) -> str:
        return f"<Community {self.id} {self.name!r}>"


@functools.cache
def _parts_statement() -> Select:
    """Community.parts()'s statement, built once (bound parameter)."""
    return (select(Community.id, Community.name, Community.items_per_week, Community.locality_score)
            .where(Community.parent_id == bindparam("parent_id"), Community.status != "merged")
            .order_by(Community.name, Community.id))


def search_text_of(name: str | None, url: str | None) -> str:
    """What the catalogue search matches: name and address, lower-cased, on two lines (a search
    term, which has no line break, cannot match across them)."""
    return f"{name or ''}\n{url or ''}".lower()


class CommunityTag(Model):
    """A free tag on a community (e.g. "parish", "families", "traders")."""

    __tablename__ = "community_tags"
    __table_args__ = (Index("ix_community_tags_tag", "tag", "community_id"),)

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(60), primary_key=True)

    community: Mapped[Community] = relationship(back_populates="tags")


class AreaTag(Model):
    """How many active communities of an area carry a tag: the list's tag choices without reading every tag.

    Kept by database triggers (migration 0016), so every write counts, ORM or bulk: a tag added,
    removed or renamed, and a community moved to another area, archived, merged, restored or
    deleted. Rows at zero are left in place (a tag often comes back).
    """

    __tablename__ = "area_tags"

    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(60), primary_key=True)
    communities: Mapped[int] = mapped_column(Integer, default=0)


class Feed(Timestamped, Model):
    """An RSS / Atom / JSON Feed of a community, polled with conditional GET."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(1000))
    kind: Mapped[str] = mapped_column(String(10))  # rss, atom, json
    title: Mapped[str | None] = mapped_column(String(500))
    is_primary: Mapped[bool] = mapped_column(default=False)
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_polled_at: Mapped[datetime | None] = mapped_column()
    next_poll_at: Mapped[datetime | None] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
    items: Mapped[int | None] = mapped_column(Integer)
    last_item_at: Mapped[datetime | None] = mapped_column()
    items_per_week: Mapped[float | None] = mapped_column(Float)

    community: Mapped[Community] = relationship(back_populates="feeds")


class ActivitySample(Model):
    """A point-in-time reading of a community's own activity, from its feed."""

    __tablename__ = "activity_samples"
    # items_per_week too, so that Home's "gone quiet" averages read the index alone (migration 0033).
    __table_args__ = (Index("ix_activity_samples_community_time", "community_id", "sampled_at", "items_per_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id", ondelete="SET NULL"))
    sampled_at: Mapped[datetime] = mapped_column()
    items_per_week: Mapped[float | None] = mapped_column(Float)
    items_total: Mapped[int | None] = mapped_column(Integer)
    last_item_at: Mapped[datetime | None] = mapped_column()

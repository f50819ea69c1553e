"""Crawl runs and the candidate sites they find."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Model, Timestamped

RUN_STATUSES = ("queued", "running", "done", "failed", "cancelled", "interrupted")
CANDIDATE_STATUSES = ("new", "accepted", "dismissed")


class CrawlRun(Timestamped, Model):
    """One discovery crawl: seeds, settings, live progress counters and errors."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    seeds: Mapped[list[str]] = mapped_column(JSON, default=list)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)
    pages_planned: Mapped[int] = mapped_column(Integer, default=0)
    sites_found: Mapped[int] = mapped_column(Integer, default=0)
    feeds_found: Mapped[int] = mapped_column(Integer, default=0)
    errors_count: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: What the run page shows beside the counters (portal.discovery.adapter.run_report):
    #: sites queued and visited, sites each limit left out, seeds refused and why.
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    job_id: Mapped[str | None] = mapped_column(String(64))
    heartbeat_at: Mapped[datetime | None] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()

    area = relationship("Area")
    created_by = relationship("User")


class Candidate(Timestamped, Model):
    """A site a crawl found; reviewed into the catalogue or dismissed with a reason.

    One row per site per area, so re-running a crawl updates rather than duplicates.
    Only site-level facts are kept: never authors, handles, e-mails or phone numbers.
    """

    __tablename__ = "candidates"
    __table_args__ = (
        UniqueConstraint("area_id", "site_key", name="uq_candidates_area_site"),
        Index("ix_candidates_queue", "area_id", "status", "locality_score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True)
    site: Mapped[str] = mapped_column(String(500))
    site_key: Mapped[str] = mapped_column(String(500))
    title: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    platform: Mapped[str | None] = mapped_column(String(40))
    feeds: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    items_per_week: Mapped[float | None] = mapped_column(Float)
    last_item_at: Mapped[datetime | None] = mapped_column()
    locality_score: Mapped[float] = mapped_column(Float, default=0.0)
    locality_evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    found_via: Mapped[str | None] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(20), default="new")
    dismiss_reason: Mapped[str | None] = mapped_column(String(40))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column()
    #: A sub-community (forum board, blog category, council village page) points at its site's candidate.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    #: "board", "category", "section" or "place" for a sub-community; None for a site.
    section_kind: Mapped[str | None] = mapped_column(String(20))
    #: Feeds recognised and kept out of the queue, by role ({"comments": 12, "topic": 40}): counts only.
    feeds_left_out: Mapped[dict[str, int] | None] = mapped_column(JSON)

    crawl_run = relationship("CrawlRun")
    area = relationship("Area")

"""Plain records the engine emits and the portal stores (JSON as in DESIGN.md)."""

from __future__ import annotations

from typing import Any

import json
import logging
from dataclasses import dataclass, field

from crawlers.locality import LocalityScore

logger = logging.getLogger(__name__)

__all__ = ["CrawlProgress", "FeedPoll", "FeedRecord", "SectionRecord", "SiteRecord"]


@dataclass
class FeedRecord:
    """A validated feed of a site: ``role`` is "main", "comments" or "other", "section" in a section."""

    url: str
    kind: str
    title: str
    items: int
    last_item_at: str | None
    items_per_week: float
    role: str = "other"

    def to_json(self) -> dict[str, Any]:
        """Return the DESIGN.md feed object (plus the additive ``role``)."""
        return {"url": self.url, "kind": self.kind, "title": self.title, "items": self.items,
                "last_item_at": self.last_item_at, "items_per_week": self.items_per_week, "role": self.role}


@dataclass
class SectionRecord:
    """A part of a site with its own feed: a sub-community catalogued under its site.

    ``kind`` is "board", "category", "section" or "place" (a council portal's village page).
    """

    url: str
    title: str = ""
    kind: str = "section"
    feeds: list[FeedRecord] = field(default_factory=list)
    locality: LocalityScore = field(default_factory=LocalityScore)

    def to_json(self) -> dict[str, Any]:
        """Return the JSONL object of one sub-community (inside its site's ``sections``)."""
        return {"url": self.url, "title": self.title, "kind": self.kind,
                "feeds": [feed.to_json() for feed in self.feeds], "locality": self.locality.to_json()}


@dataclass
class SiteRecord:
    """One site (or closed-platform community) found by a crawl."""

    site: str
    title: str = ""
    description: str = ""
    platform: str | None = None
    feeds: list[FeedRecord] = field(default_factory=list)
    locality: LocalityScore = field(default_factory=LocalityScore)
    found_via: str | None = None
    pages_fetched: int = 0
    #: Parts of the site with their own feeds (sub-communities).
    sections: list[SectionRecord] = field(default_factory=list)
    #: Feeds recognised and kept out of the queue, by role ("comments", "topic"): counts only.
    feeds_left_out: dict[str, int] = field(default_factory=dict)

    @property
    def main_feed(self) -> FeedRecord | None:
        """The site's main feed, if it has one (never a comments feed)."""
        return next((feed for feed in self.feeds if feed.role == "main"), None)

    def to_json(self) -> dict[str, Any]:
        """Return the JSONL object of DESIGN.md's ``discover --jsonl``."""
        return {
            "site": self.site, "title": self.title, "description": self.description,
            "platform": self.platform, "feeds": [feed.to_json() for feed in self.feeds],
            "locality": self.locality.to_json(), "found_via": self.found_via,
            "pages_fetched": self.pages_fetched,
            "sections": [section.to_json() for section in self.sections],
            "feeds_left_out": dict(self.feeds_left_out),
        }

    def to_jsonl(self) -> str:
        """Return one JSON line (no trailing newline)."""
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class CrawlProgress:
    """Live counters for a crawl run; ``rate`` is pages per second."""

    pages_fetched: int
    pages_planned: int
    #: Sites with a page or a feed read (each becomes a record), plus closed-platform links.
    sites_found: int
    feeds_found: int
    errors: int
    rate: float
    #: Sites met but not fetched because the caller listed them in ``skip_sites``.
    sites_skipped: int = 0
    #: Sites queued so far, and those with at least one page fetched.
    sites_queued: int = 0
    sites_visited: int = 0
    #: Sites a limit left out: too many sites from a seed (never fetched), or some of their
    #: pages too deep, over the per-site cap, or still queued when the run's page cap was hit.
    left_out_hops: int = 0
    left_out_depth: int = 0
    left_out_site_cap: int = 0
    left_out_page_cap: int = 0
    #: Seeds that could not be crawled, each once: (seed as given, reason code, message).
    refused_seeds: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class FeedPoll:
    """Result of re-polling one feed with a conditional GET."""

    status: int
    not_modified: bool
    etag: str | None
    last_modified: str | None
    items: int | None = None
    last_item_at: str | None = None
    items_per_week: float | None = None
    error: str | None = None

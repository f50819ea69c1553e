"""What the engine gathers about one site while crawling it, and the record it becomes.

The engine notes each feed candidate with where it was found and what its URL layout says
(:mod:`crawlers.sections`); once the site is finished, :meth:`SiteState.record` picks the
main feed, groups the feeds of the site's parts into sections with their own activity and
locality evidence, and counts the feeds it left out.
"""

from __future__ import annotations

import logging
from collections import Counter, deque
from dataclasses import dataclass, field

from crawlers.feeds import FeedInfo, choose_main_feed
from crawlers.locality import AreaProfile, LocalityScore, score_locality
from crawlers.records import FeedRecord, SectionRecord, SiteRecord
from crawlers.sections import LEAVE, SECTION, UNKNOWN, FeedClass, classify_feed

logger = logging.getLogger(__name__)

__all__ = ["MAX_LEFT_OUT_URLS", "MAX_SECTIONS", "SECTION_TEXT", "SiteState"]

#: Sub-community feeds checked per site (a forum's boards, a council portal's villages).
MAX_SECTIONS = 40
#: Left-out feed URLs remembered per site for counting (a forum can list thousands of topics).
MAX_LEFT_OUT_URLS = 5000
#: Text kept from the page a section's feed was found on, for its locality evidence.
SECTION_TEXT = 5000


@dataclass
class SiteState:
    """Facts about one site, gathered as its pages and feeds come in."""

    site: str
    found_via: str | None
    title: str = ""
    description: str = ""
    platforms: Counter[str] = field(default_factory=Counter)
    pages_fetched: int = 0
    texts: list[tuple[str, str]] = field(default_factory=list)
    geo: list[tuple[float, float, str]] = field(default_factory=list)
    #: Feed candidate URL → how it was found; its order is discovery order.
    how: dict[str, str] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)
    #: Feed candidate URL → its layout class, and the page it was first found on.
    classes: dict[str, FeedClass] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)
    #: Page URL → (title, text) of pages that declared a section's feed.
    section_pages: dict[str, tuple[str, str]] = field(default_factory=dict)
    sections_queued: int = 0
    left_out: dict[str, set[str]] = field(default_factory=dict)
    pending_feeds: deque[str] = field(default_factory=deque)
    feeds: list[FeedInfo] = field(default_factory=list)
    inflight: int = 0
    #: Set once a fetch of this site returned, so its robots.txt has been read.
    robots_read: bool = False
    #: Its requests are spaced by a Crawl-delay (known once robots.txt is read).
    paced: bool = False
    checking: int = 0
    guessed: bool = False
    emitted: bool = False

    def leave_out(self, role: str, url: str) -> None:
        """Count a feed kept out of the record (bounded)."""
        urls = self.left_out.setdefault(role, set())
        if len(urls) < MAX_LEFT_OUT_URLS:
            urls.add(url)

    def note_candidate(self, url: str, how: str, page: str, max_candidates: int, max_guesses: int) -> str | None:
        """Note a feed candidate found on ``page``; return its action, or None when it is not noted.

        Per-post comments, per-topic and per-person feeds (and sections beyond the budget)
        are only counted ("leave"); at most ``max_candidates`` other candidates are kept,
        ``max_guesses`` more for well-known paths.
        """
        if url in self.how or url in self.classes:
            return None
        feed_class = classify_feed(url)
        if feed_class.action == LEAVE or (feed_class.action == SECTION and self.sections_queued >= MAX_SECTIONS):
            self.leave_out(feed_class.role, url)
            return LEAVE
        if feed_class.action == SECTION:
            self.sections_queued += 1
        elif len(self.how) - self.sections_queued >= max_candidates + (max_guesses if how == "guess" else 0):
            return None
        self.how[url], self.classes[url], self.where[url] = how, feed_class, page
        return feed_class.action

    def take_feed(self, url: str, info: FeedInfo) -> int:
        """Keep a validated feed unless an earlier candidate serves the same one; return the change in feeds."""
        order = list(self.how).index(url)
        twin = next((f for f in self.feeds if f.fingerprint == info.fingerprint), None)
        if twin is not None:
            # Two URLs serve one feed (WordPress /feed/ and /?feed=rss2): keep the earlier candidate.
            if order >= self.order.get(twin.url, 0):
                return 0
            self.feeds.remove(twin)
        self.how.setdefault(info.url, self.how[url])
        self.classes.setdefault(info.url, self.classes[url])
        self.where.setdefault(info.url, self.where[url])
        self.order[info.url] = order
        self.feeds.append(info)
        return 0 if twin is not None else 1

    def is_section(self, feed: FeedInfo) -> bool:
        """Tell whether a validated feed belongs to a part of the site rather than the whole."""
        return self.classes.get(feed.url, UNKNOWN).action == SECTION

    def main_feed(self) -> FeedInfo | None:
        """Return the site's main feed: never a section's or a comments feed."""
        return choose_main_feed([f for f in self.feeds if not self.is_section(f)], self.how, self.site)

    def record(self, profile: AreaProfile | None) -> SiteRecord:
        """Build the site's record: main and other feeds, sections, feeds left out, locality."""
        main = self.main_feed()
        whole = [f for f in self.feeds if not self.is_section(f)]
        ordered = sorted(whole, key=lambda f: (f is not main, f.comments))
        feeds = [_feed_record(f, "main" if f is main else "comments" if f.comments else "other") for f in ordered]
        texts = [("title", self.title), ("description", self.description), *self.texts]
        texts += [(f"feed {f.url}", f.text) for f in whole]
        geo = self.geo + [(lat, lon, f"GeoRSS in {f.url}") for f in whole for lat, lon in f.geo]
        platform = self.platforms.most_common(1)[0][0] if self.platforms else None
        sections, comments = self._sections(profile)
        left_out = {role: len(urls) for role, urls in self.left_out.items() if urls}
        if comments:
            left_out["comments"] = left_out.get("comments", 0) + comments
        return SiteRecord(site=self.site, title=self.title, description=self.description, platform=platform,
                          feeds=feeds, locality=score_locality(profile, texts, geo), found_via=self.found_via,
                          pages_fetched=self.pages_fetched, sections=sections, feeds_left_out=left_out)

    def _sections(self, profile: AreaProfile | None) -> tuple[list[SectionRecord], int]:
        """Group the sections' feeds by part; return them and how many turned out to be comment feeds."""
        parts: dict[str, SectionRecord] = {}
        comments = 0
        for feed in self.feeds:
            if not self.is_section(feed):
                continue
            if feed.comments:
                comments += 1
                continue
            where = self.where.get(feed.url, "")
            url = self.classes[feed.url].section_url or where
            part = parts.get(url)
            if part is None:
                page_title, _text = self.section_pages.get(where, ("", ""))
                part = parts[url] = SectionRecord(url=url, title=feed.title or page_title,
                                                  kind=self.classes[feed.url].kind or "section")
            part.feeds.append(_feed_record(feed, "section"))
        for url, part in parts.items():
            part.locality = self._section_locality(profile, url, part)
        return list(parts.values()), comments

    def _section_locality(self, profile: AreaProfile | None, url: str, part: SectionRecord) -> LocalityScore:
        texts = [("title", part.title)]
        geo = []
        for feed in self.feeds:
            if any(f.url == feed.url for f in part.feeds):
                texts.append((f"feed {feed.url}", feed.text))
                geo += [(lat, lon, f"GeoRSS in {feed.url}") for lat, lon in feed.geo]
                page = self.where.get(feed.url, "")
                if page in self.section_pages and page != self.site + "/":
                    texts.append((page, self.section_pages[page][1]))
        return score_locality(profile, texts, geo)


def _feed_record(feed: FeedInfo, role: str) -> FeedRecord:
    return FeedRecord(feed.url, feed.kind, feed.title, feed.items,
                      feed.last_item_at.isoformat() if feed.last_item_at else None, feed.items_per_week, role)

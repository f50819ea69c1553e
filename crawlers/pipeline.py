"""Public API of the discovery engine (stable; change only additively).

The portal and the command line call these; nothing here touches Flask::

    from crawlers.pipeline import (CrawlSettings, SiteRecord, FeedRecord, CrawlProgress, FeedPoll,
                                   discover, run_discovery, inspect_site, poll_feed, load_area_profile)

    async for record in discover(seeds, settings, area_profile, progress=cb, should_cancel=stop):
        ...                                      # SiteRecord, as each site is finished

    records = run_discovery(seeds, settings, area_profile)   # sync, for worker threads; ranked
    record = await inspect_site(url, settings, area_profile) # one site, in seconds
    poll = await poll_feed(url, settings, etag=..., last_modified=...)   # conditional GET

``area_profile`` is an :class:`~crawlers.locality.AreaProfile`, a dict or a path to a
JSON profile (see DESIGN.md). ``progress`` receives a :class:`CrawlProgress` about
twice a second and once at the end; ``should_cancel()`` is polled as often, and a
cancelled run still yields the sites it had visited. ``SiteRecord.to_json()`` gives
the DESIGN.md JSONL object; each feed carries an additive ``role`` ("main",
"comments", "other"), and ``SiteRecord.main_feed`` is the main one. Parts of a site with
feeds of their own (a forum's boards, a blog's categories, a council portal's village
pages) are ``SiteRecord.sections``, each with its feeds (role "section") and its own
locality evidence; per-post comment, per-topic and per-person feeds are counted by role in
``SiteRecord.feeds_left_out`` and never fetched (see crawlers/sections.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from crawlers.engine import Engine
from crawlers.feeds import parse_feed
from crawlers.fetch import Fetcher, Resolver
from crawlers.frontier import canonicalise, site_of
from crawlers.locality import AreaProfile, load_area_profile
from crawlers.records import CrawlProgress, FeedPoll, FeedRecord, SiteRecord
from crawlers.settings import CrawlSettings

logger = logging.getLogger(__name__)

__all__ = [
    "CrawlProgress", "CrawlSettings", "FeedPoll", "FeedRecord", "SiteRecord", "discover", "inspect_site",
    "load_area_profile", "poll_feed", "rank_records", "run_discovery",
]

ProfileSource = AreaProfile | dict[str, Any] | str | Path | None
#: Pages fetched by :func:`inspect_site` (home page, a few of its links).
INSPECT_MAX_PAGES = 6


def _profile(source: ProfileSource) -> AreaProfile | None:
    if source is None or isinstance(source, AreaProfile):
        return source
    return load_area_profile(source)


def rank_records(records: list[SiteRecord]) -> list[SiteRecord]:
    """Order records most local first, then by activity.

    Args:
        records: site records from one run.

    Returns:
        A new, sorted list.
    """
    def activity(record: SiteRecord) -> float:
        return record.main_feed.items_per_week if record.main_feed else 0.0

    return sorted(records, key=lambda r: (-r.locality.score, -activity(r), r.site))


async def discover(seeds: list[str], settings: CrawlSettings, area_profile: ProfileSource = None,
                   progress: Callable[[CrawlProgress], None] | None = None,
                   should_cancel: Callable[[], bool] | None = None, *,
                   resolver: Resolver | None = None) -> AsyncIterator[SiteRecord]:
    """Crawl from seed pages and yield one record per site found.

    Args:
        seeds: absolute http(s) URLs (a council directory, a news site, a parish links page).
        settings: limits and politeness.
        area_profile: profile to score locality against (None: every score is 0).
        progress: called with live counters about twice a second and at the end.
        should_cancel: polled as often; returning True stops the run early.
        resolver: test hook replacing DNS resolution (``async (host, port) -> [ip]``).

    Yields:
        :class:`SiteRecord` objects, as each site is finished (closed-platform links last).
    """
    profile = _profile(area_profile)
    queue: asyncio.Queue[SiteRecord | None] = asyncio.Queue()
    done = None  # the end-of-crawl marker: records themselves are never None

    async def crawl() -> None:
        try:
            async with Fetcher(settings, resolver=resolver) as fetcher:
                engine = Engine(settings, fetcher, profile, queue.put, progress, should_cancel)
                await engine.run(list(seeds))
        finally:
            queue.put_nowait(done)

    task = asyncio.create_task(crawl())
    try:
        while (item := await queue.get()) is not None:
            yield item
        await task
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def run_discovery(seeds: list[str], settings: CrawlSettings, area_profile: ProfileSource = None,
                  progress: Callable[[CrawlProgress], None] | None = None,
                  should_cancel: Callable[[], bool] | None = None, **hooks: Any) -> list[SiteRecord]:
    """Run :func:`discover` to the end in a fresh event loop (for worker threads).

    Args:
        seeds, settings, area_profile, progress, should_cancel: as for :func:`discover`.
        **hooks: the ``resolver`` test hook.

    Returns:
        The records, most local first (see :func:`rank_records`).
    """
    async def collect() -> list[SiteRecord]:
        return [r async for r in discover(seeds, settings, area_profile, progress, should_cancel, **hooks)]

    return rank_records(asyncio.run(collect()))


async def inspect_site(url: str, settings: CrawlSettings, area_profile: ProfileSource = None,
                       **hooks: Any) -> SiteRecord:
    """Look at one site quickly: its feeds, platform, activity and locality.

    Args:
        url: any page of the site.
        settings: limits (page count and depth are reduced for speed).
        area_profile: profile to score against.
        **hooks: the ``resolver`` test hook.

    Returns:
        The site's record; ``pages_fetched`` is 0 when it could not be reached.
    """
    canonical = canonicalise(url)
    if canonical is None:
        raise ValueError(f"not an http(s) URL: {url!r}")
    quick = _replace(settings, max_pages=min(settings.max_pages, INSPECT_MAX_PAGES), max_depth=1)
    records: list[SiteRecord] = []
    async with Fetcher(quick, **hooks) as fetcher:
        engine = Engine(quick, fetcher, _profile(area_profile), _append(records), same_site_only=True)
        await engine.run([canonical])
    site = site_of(canonical)
    return next((r for r in records if r.site == site), SiteRecord(site=site))


async def poll_feed(url: str, settings: CrawlSettings, etag: str | None = None,
                    last_modified: str | None = None, **hooks: Any) -> FeedPoll:
    """Re-poll a feed with a conditional GET and measure its activity.

    Args:
        url: the feed URL.
        settings: limits (robots.txt and the address guard apply).
        etag: ETag from the previous poll.
        last_modified: Last-Modified from the previous poll.
        **hooks: the ``resolver`` test hook.

    Returns:
        A :class:`FeedPoll`; ``not_modified`` is True on 304, counts are None unless parsed.
    """
    async with Fetcher(settings, **hooks) as fetcher:
        result = await fetcher.fetch(url, etag=etag, last_modified=last_modified)
    if result.not_modified or not result.ok:
        return FeedPoll(result.status, result.not_modified, result.etag or etag,
                        result.last_modified or last_modified, error=result.error or result.skipped)
    info = parse_feed(result.body, url)
    if info is None:
        return FeedPoll(result.status, False, result.etag, result.last_modified, error="not a feed")
    return FeedPoll(result.status, False, result.etag, result.last_modified, info.items,
                    info.last_item_at.isoformat() if info.last_item_at else None, info.items_per_week)


def _append(records: list[SiteRecord]) -> Callable[[SiteRecord], Awaitable[None]]:
    async def emit(record: SiteRecord) -> None:
        records.append(record)
    return emit


def _replace(settings: CrawlSettings, **changes: Any) -> CrawlSettings:
    from dataclasses import replace
    return replace(settings, **changes)

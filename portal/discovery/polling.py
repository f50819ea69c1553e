"""Re-poll the feeds of catalogued communities with conditional GET, recording activity over time."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select

from crawlers.pipeline import FeedPoll, poll_feed
from portal.discovery.adapter import parse_time, quick_settings
from portal.extensions import db
from portal.models import ActivitySample, Area, Community, Feed, utcnow

logger = logging.getLogger(__name__)

#: Feeds are polled no more often than this unless CRAWL_MIN_REPOLL_SECONDS says otherwise
#: (hourly is the polite habit for RSS readers).
DEFAULT_MIN_REPOLL_SECONDS = 3600
#: Feeds polled at once (each also respects the engine's per-host limit).
POLL_CONCURRENCY = 8


@dataclass
class PollSummary:
    polled: int = 0
    changed: int = 0
    not_modified: int = 0
    failed: int = 0


def due_feeds(area: Area | None = None, force: bool = False, now=None) -> list[Feed]:
    """Feeds of active communities whose next poll is due (all of them with ``force``)."""
    now = now or utcnow()
    query = select(Feed).join(Community).where(Community.status == "active")
    if area is not None:
        query = query.where(Community.area_id == area.id)
    if not force:
        query = query.where(or_(Feed.next_poll_at.is_(None), Feed.next_poll_at <= now))
    return list(db.session.scalars(query.order_by(Feed.next_poll_at.nulls_first(), Feed.id)))


async def _poll_all(feeds: list[tuple[int, str, str | None, str | None]], settings) -> dict[int, FeedPoll]:
    limit = asyncio.Semaphore(POLL_CONCURRENCY)

    async def one(feed_id, url, etag, last_modified):
        async with limit:
            try:
                return feed_id, await poll_feed(url, settings, etag=etag, last_modified=last_modified)
            except Exception as exc:  # noqa: BLE001 - one bad feed must not stop the others
                logger.warning("polling feed %s failed: %s", feed_id, exc)
                return feed_id, FeedPoll(0, False, etag, last_modified, error=str(exc)[:300])

    return dict(await asyncio.gather(*(one(*feed) for feed in feeds)))


def _apply(feed: Feed, poll: FeedPoll, now, interval: timedelta, summary: PollSummary) -> None:
    feed.last_polled_at, feed.next_poll_at = now, now + interval
    feed.etag, feed.last_modified = poll.etag, poll.last_modified
    summary.polled += 1
    if poll.not_modified:
        feed.last_error = None
        summary.not_modified += 1
        return
    if poll.error or poll.items is None:
        feed.last_error = (poll.error or f"HTTP {poll.status}")[:500]
        summary.failed += 1
        return
    feed.last_error = None
    feed.items, feed.items_per_week = poll.items, poll.items_per_week
    feed.last_item_at = parse_time(poll.last_item_at)
    db.session.add(ActivitySample(community_id=feed.community_id, feed_id=feed.id, sampled_at=now,
                                  items_per_week=poll.items_per_week, items_total=poll.items,
                                  last_item_at=feed.last_item_at))
    community = feed.community
    if feed.is_primary or len(community.feeds) == 1:
        community.items_per_week, community.last_item_at = poll.items_per_week, feed.last_item_at
    summary.changed += 1


def poll_due_feeds(area: Area | None = None, force: bool = False) -> PollSummary:
    """Poll every due feed once; store what changed; schedule the next poll."""
    config = current_app.config
    interval = timedelta(seconds=config.get("CRAWL_MIN_REPOLL_SECONDS", DEFAULT_MIN_REPOLL_SECONDS))
    now = utcnow()
    feeds = due_feeds(area, force, now)
    summary = PollSummary()
    if not feeds:
        return summary
    polls = asyncio.run(_poll_all([(f.id, f.url, f.etag, f.last_modified) for f in feeds],
                                  quick_settings(config)))
    for feed in feeds:
        _apply(feed, polls[feed.id], now, interval, summary)
    db.session.commit()
    return summary

"""Feed validation and activity: is this really a feed, how active is it, which is main.

A candidate is a feed only if it parses as RSS, Atom, RDF or JSON Feed *and* has a
feed title or at least one item. Plain RSS 2.0 and Atom 1.0 are read with lxml
(feedxml.py); anything else goes to feedparser. HTML pages, sitemaps, error pages and soft-404
pages therefore never count, whatever their URL says. Entries are counted and
dated; authors and other personal fields are never read.
"""

from __future__ import annotations

from typing import Any, cast

import calendar
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import feedparser

from crawlers.feedxml import read_simple_feed

logger = logging.getLogger(__name__)

__all__ = [
    "ACTIVITY_WINDOW_DAYS", "FeedInfo", "choose_main_feed", "is_comments_feed", "parse_feed",
]

#: Window for "items per week": the last 12 weeks reflect current activity.
ACTIVITY_WINDOW_DAYS = 84
#: Items examined per feed (a hostile feed could hold hundreds of thousands).
MAX_ITEMS = 1000
COMMENTS_URL = re.compile(r"comment", re.I)
COMMENTS_TITLE = re.compile(r"^\s*comments?\b|\bcomments (?:on|for)\b", re.I)
HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
VERSION_KINDS = {"atom": "atom", "rss": "rss", "rdf": "rdf", "cdf": "rss", "json": "json"}


@dataclass
class FeedInfo:
    """A validated feed with its activity."""

    url: str
    kind: str
    title: str
    items: int
    last_item_at: datetime | None
    items_per_week: float
    comments: bool
    fingerprint: str
    text: str = ""
    geo: tuple[tuple[float, float], ...] = ()


def _iso(value: str | None) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _activity(dates: list[datetime], now: datetime) -> tuple[datetime | None, float]:
    if not dates:
        return None, 0.0
    since = now - timedelta(days=ACTIVITY_WINDOW_DAYS)
    recent = sum(1 for date in dates if since <= date <= now + timedelta(days=1))
    return max(dates), round(recent / (ACTIVITY_WINDOW_DAYS / 7), 2)


def _parse_json_feed(body: bytes) -> tuple[str, list[datetime], list[str]] | None:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith("https://jsonfeed.org/version/"):
        return None
    items = data.get("items")
    if not isinstance(items, list):
        return None
    items = [item for item in items[:MAX_ITEMS] if isinstance(item, dict)]
    dates = [d for item in items if (d := _iso(item.get("date_published") or item.get("date_modified")))]
    ids = [str(item.get("id") or item.get("url") or "") for item in items]
    return str(data.get("title") or "")[:300], dates, ids


#: Item text kept for locality scoring (titles and summaries only, never authors).
MAX_FEED_TEXT = 20_000


def _entry_text_and_geo(entries: list[dict[str, Any]]) -> tuple[str, tuple[tuple[float, float], ...]]:
    parts, points = [], []
    for entry in entries[:50]:
        parts.append(str(entry.get("title") or ""))
        parts.append(str(entry.get("summary") or "")[:500])
        where = entry.get("where") or {}
        coords = where.get("coordinates") if isinstance(where, dict) else None
        if where.get("type") == "Point" and isinstance(coords, tuple | list) and len(coords) == 2:
            try:
                points.append((float(coords[1]), float(coords[0])))
            except (TypeError, ValueError):
                pass
    text = re.sub(r"<[^>]*>", " ", " ".join(parts))[:MAX_FEED_TEXT]
    return text, tuple(points[:10])


def _parse_xml_feed(body: bytes) -> tuple[str, str, list[datetime], list[str], list[dict[str, Any]]] | None:
    if HTML_START.match(body[:2048]):
        return None
    simple = read_simple_feed(body, MAX_ITEMS)
    if simple is not None:
        return simple if simple[1] or simple[4] else None
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    version = parsed.get("version") or ""
    title = str(parsed.feed.get("title") or "")[:300]
    entries = parsed.entries[:MAX_ITEMS]
    if not version or not (title or entries):
        return None
    dates = []
    for entry in entries:
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        if stamp:
            dates.append(datetime.fromtimestamp(calendar.timegm(stamp), UTC))
    ids = [str(entry.get("id") or entry.get("link") or entry.get("title") or "") for entry in entries]
    kind = next((k for prefix, k in VERSION_KINDS.items() if version.startswith(prefix)), "rss")
    return kind, title, dates, ids, entries


def parse_feed(body: bytes, url: str, now: datetime | None = None) -> FeedInfo | None:
    """Validate a fetched body as a feed and measure its activity.

    Args:
        body: the response body (size-capped by the fetcher).
        url: the URL it was fetched from (final URL after redirects).
        now: reference time for the activity window (default: now, UTC).

    Returns:
        :class:`FeedInfo`, or None when the body is not a feed.
    """
    now = now or datetime.now(UTC)
    stripped = body.lstrip()[:1]
    if stripped == b"{":
        parsed_json = _parse_json_feed(body)
        if parsed_json is None:
            return None
        kind, (title, dates, ids) = "json", parsed_json
        text, geo = "", cast(tuple[tuple[float, float], ...], ())
    else:
        parsed_xml = _parse_xml_feed(body)
        if parsed_xml is None:
            return None
        kind, title, dates, ids, entries = parsed_xml
        text, geo = _entry_text_and_geo(entries)
    last, per_week = _activity(dates, now)
    digest = hashlib.sha256("\n".join([title, *ids]).encode("utf-8", "replace")).hexdigest()
    return FeedInfo(url=url, kind=kind, title=" ".join(title.split()), items=len(ids), last_item_at=last,
                    items_per_week=per_week, comments=is_comments_feed(url, title), fingerprint=digest,
                    text=text, geo=geo)


def is_comments_feed(url: str, title: str) -> bool:
    """Tell whether a feed carries comments rather than posts.

    Args:
        url: feed URL.
        title: feed title.

    Returns:
        True for comment feeds (never a site's main feed).
    """
    return bool(COMMENTS_URL.search(url.split("://", 1)[-1].split("/", 1)[-1]) or COMMENTS_TITLE.search(title))


#: How a feed was found → preference when choosing the main feed (lower is better).
HOW_RANK = {"link-alternate": 0, "body-link": 1, "guess": 2}


def choose_main_feed(feeds: list[FeedInfo], how: dict[str, str], site: str) -> FeedInfo | None:
    """Pick a site's main feed: declared before linked before guessed, on-site, most items.

    Args:
        feeds: validated feeds of one site, in discovery order.
        how: feed URL → how it was found ("link-alternate", "body-link", "guess").
        site: the site origin (feeds on other hosts rank lower).

    Returns:
        The main feed, or None when only comment feeds (or none) exist.
    """
    posts = [feed for feed in feeds if not feed.comments]
    if not posts:
        return None

    def rank(indexed: tuple[int, FeedInfo]) -> tuple[bool, int, bool, int]:
        index, feed = indexed
        return (not feed.url.startswith(site), HOW_RANK.get(how.get(feed.url, "guess"), 3),
                feed.items == 0, index)

    return min(enumerate(posts), key=rank)[1]

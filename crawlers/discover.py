"""HTML page → site facts: feed links, outgoing links, platform, closed-platform links.

Only site-level facts leave this module. Page text is handed to the locality scorer
and dropped; titles and descriptions are scrubbed of e-mail addresses and phone
numbers; authors and handles are never read.
"""

from __future__ import annotations

from typing import Any  # lxml ships no type information: its documents and elements are Any

import logging
import re
from dataclasses import dataclass, field

import lxml.etree
import lxml.html

from crawlers.frontier import canonicalise
from crawlers.platforms import (
    CLOSED_PLATFORMS, FEED_PATH_GUESSES, PLATFORM_FEED_PATHS, PLATFORM_FINGERPRINTS, closed_platform,
    feed_guesses, fingerprint_platform,
)

logger = logging.getLogger(__name__)

# The platform tables moved to platforms.py; they stay importable from here.
__all__ = [
    "CLOSED_PLATFORMS", "FEED_PATH_GUESSES", "PLATFORM_FEED_PATHS", "PLATFORM_FINGERPRINTS",
    "ClosedLink", "FeedLink", "GeoPoint", "PageFacts", "closed_platform", "extract_page", "feed_guesses",
    "fingerprint_platform", "scrub_personal",
]

FEED_TYPES = {
    "application/rss+xml": "rss", "application/atom+xml": "atom", "application/feed+json": "json",
    "application/json": "json", "application/rdf+xml": "rdf", "application/x-rss+xml": "rss",
}
FEEDISH_HREF = re.compile(
    r"(?:/(?:feed|rss|atom)(?:/|\.xml|\.rss|\.json)?$|\.(?:rss|atom)$|[?&]feed=(?:rss2?|atom)|"
    r"/feeds/posts/default|[?&]type=rss|syndication\.php|external\.php\?type=rss|[?&]format=rss)",
    re.I,
)
FEEDISH_TEXT = re.compile(r"\b(?:rss|atom|feed|subscribe)\b", re.I)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?:\+44\s?|\b0)(?:\d[\s-]?){9,10}\b")
#: Cap on body-link feed candidates per page (a hostile page could list thousands).
MAX_BODY_FEED_LINKS = 10
MAX_LINKS = 500
MAX_TEXT = 100_000


@dataclass(frozen=True)
class FeedLink:
    """A candidate feed URL and how it was found."""

    url: str
    how: str
    kind: str = ""


@dataclass(frozen=True)
class ClosedLink:
    """A link to a closed platform community (catalogued by hand)."""

    platform: str
    url: str
    label: str = ""


@dataclass(frozen=True)
class GeoPoint:
    """A latitude/longitude found in a page, with the tag it came from."""

    lat: float
    lon: float
    source: str


@dataclass
class PageFacts:
    """Site-level facts read from one HTML page."""

    url: str
    title: str = ""
    description: str = ""
    platform: str | None = None
    feed_links: list[FeedLink] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    closed: list[ClosedLink] = field(default_factory=list)
    geo: list[GeoPoint] = field(default_factory=list)
    text: str = ""


def scrub_personal(text: str) -> str:
    """Remove e-mail addresses and phone numbers from a string kept about a site.

    Args:
        text: title, description or similar.

    Returns:
        The text with such details replaced by "[removed]", whitespace collapsed.
    """
    text = PHONE.sub("[removed]", EMAIL.sub("[removed]", text))
    return " ".join(text.split())[:500]


_LD_GEO = re.compile(r'"latitude"\s*:\s*"?(-?\d+(?:\.\d+)?)"?\s*,\s*"longitude"\s*:\s*"?(-?\d+(?:\.\d+)?)')


def _point(lat: str, lon: str, source: str) -> GeoPoint | None:
    try:
        point = GeoPoint(float(lat), float(lon), source)
    except ValueError:
        return None
    return point if -90 <= point.lat <= 90 and -180 <= point.lon <= 180 else None


def _meta_geo(name: str, content: str) -> GeoPoint | None:
    parts = re.split(r"[;,\s]+", content.strip())
    if name in ("geo.position", "icbm") and len(parts) >= 2:
        return _point(parts[0], parts[1], f"meta {name}")
    return None


def _read_head(doc: Any, facts: PageFacts) -> str:
    """Fill title, description, feed links and geo from <head>; return the generator."""
    generator = ""
    itemprops: dict[str, str] = {}
    for element in doc.iter("title", "meta", "link"):
        tag = element.tag
        if tag == "title" and not facts.title:
            facts.title = scrub_personal(element.text_content())
        elif tag == "meta":
            name = (element.get("name") or element.get("property") or "").lower()
            content = element.get("content") or ""
            if name == "generator":
                generator = content
            elif name in ("description", "og:description") and not facts.description:
                facts.description = scrub_personal(content)
            elif name == "og:title" and not facts.title:
                facts.title = scrub_personal(content)
            elif (point := _meta_geo(name, content)) is not None:
                facts.geo.append(point)
            if element.get("itemprop") in ("latitude", "longitude"):
                itemprops[element.get("itemprop")] = content
        elif tag == "link":
            _read_link(element, facts)
    if len(itemprops) == 2:
        point = _point(itemprops["latitude"], itemprops["longitude"], "schema.org geo")
        facts.geo.extend([point] if point else [])
    return generator


def _read_link(element: Any, facts: PageFacts) -> None:
    rels = (element.get("rel") or "").lower().split()
    kind = FEED_TYPES.get((element.get("type") or "").lower().split(";")[0].strip())
    href = element.get("href")
    if "alternate" in rels and kind and href:
        url = canonicalise(href, facts.url)
        if url:
            facts.feed_links.append(FeedLink(url, "link-alternate", kind))


def _read_body(doc: Any, facts: PageFacts) -> None:
    links: dict[str, None] = {}
    body_feeds = 0
    for anchor in doc.iter("a"):
        href = anchor.get("href")
        url = canonicalise(href, facts.url) if href else None
        if not url:
            continue
        platform = closed_platform(url)
        if platform:
            facts.closed.append(ClosedLink(platform, url, scrub_personal(anchor.text_content()[:200])))
            continue
        if body_feeds < MAX_BODY_FEED_LINKS and (
            FEEDISH_HREF.search(url) or FEEDISH_TEXT.search(anchor.text_content()[:100])
        ):
            facts.feed_links.append(FeedLink(url, "body-link"))
            body_feeds += 1
        if len(links) < MAX_LINKS:
            links[url] = None
    facts.links = list(links)
    for element in doc.iter("script"):
        if (element.get("type") or "").lower() == "application/ld+json":
            for lat, lon in _LD_GEO.findall(element.text or "")[:5]:
                point = _point(lat, lon, "schema.org geo (JSON-LD)")
                facts.geo.extend([point] if point else [])


def extract_page(body: bytes, url: str, *, fingerprint: bool = True, keep_text: bool = True) -> PageFacts:
    """Read one HTML page into :class:`PageFacts`.

    Args:
        body: the page bytes (already size-capped).
        url: the page's final URL, used to resolve relative links.
        fingerprint: name the platform (the engine stops once a site's first pages agree).
        keep_text: collect the visible text (the engine keeps a few pages per site).

    Returns:
        The facts; an unparseable page yields empty facts.
    """
    facts = PageFacts(url=url)
    try:
        doc = lxml.html.document_fromstring(body)
    except (lxml.etree.ParserError, ValueError):
        return facts
    base = doc.find(".//base[@href]")
    if base is not None and (resolved := canonicalise(base.get("href"), url)):
        facts.url = resolved
    generator = _read_head(doc, facts)
    _read_body(doc, facts)
    facts.url = url
    if fingerprint:
        facts.platform = fingerprint_platform(body[:200_000].decode("utf-8", "replace"), generator)
    if not keep_text:
        return facts
    lxml.etree.strip_elements(doc, "script", "style", "noscript", with_tail=False)
    body_el = doc.find("body")
    text = " ".join((body_el if body_el is not None else doc).itertext())
    facts.text = " ".join(text[:MAX_TEXT].split())
    return facts

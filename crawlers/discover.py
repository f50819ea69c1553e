"""HTML page → site facts: feed links, outgoing links, platform, closed-platform links.

Only site-level facts leave this module. Page text is handed to the locality scorer
and dropped; titles and descriptions are scrubbed of e-mail addresses and phone
numbers; authors and handles are never read.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import lxml.etree
import lxml.html

from crawlers.frontier import canonicalise

logger = logging.getLogger(__name__)

__all__ = [
    "CLOSED_PLATFORMS", "FEED_PATH_GUESSES", "PLATFORM_FEED_PATHS", "PLATFORM_FINGERPRINTS",
    "ClosedLink", "FeedLink", "GeoPoint", "PageFacts", "extract_page", "feed_guesses",
    "fingerprint_platform", "scrub_personal",
]

#: Platform fingerprints: (platform, where to look, pattern, points). "generator" is the
#: <meta name=generator> content; "html" is the raw markup. Highest total wins.
PLATFORM_FINGERPRINTS: tuple[tuple[str, str, str, int], ...] = (
    ("WordPress", "generator", r"^wordpress", 3),
    ("WordPress", "html", r"/wp-content/|/wp-includes/|wp-json", 1),
    ("Blogger", "generator", r"^blogger", 3),
    ("Blogger", "html", r"blogger\.com/static|blogblog\.com|\.blogspot\.com", 1),
    ("Discourse", "generator", r"^discourse", 3),
    ("Discourse", "html", r"data-discourse-setup|discourse-cdn|name=\"discourse_", 2),
    ("phpBB", "generator", r"^phpbb", 3),
    ("phpBB", "html", r"powered by <a[^>]*phpbb|viewforum\.php\?f=|phpbb_", 2),
    ("XenForo", "generator", r"^xenforo", 3),
    ("XenForo", "html", r"data-xf-init|xenforo|/js/xf/", 2),
    ("vBulletin", "generator", r"^vbulletin", 3),
    ("vBulletin", "html", r"vbulletin_|vb_login_username|showthread\.php\?t=", 2),
    ("Simple Machines", "generator", r"^smf|^simple machines", 3),
    ("Simple Machines", "html", r"smf_scripturl|simplemachines\.org|index\.php\?topic=", 2),
    ("MyBB", "generator", r"^mybb", 3),
    ("MyBB", "html", r"mybb\.com|my_post_key|showthread\.php\?tid=", 2),
    ("Drupal", "generator", r"^drupal", 3),
    ("Drupal", "html", r"drupal-settings-json|/sites/default/files/|drupal\.js", 1),
    ("Ghost", "generator", r"^ghost", 3),
    ("Ghost", "html", r"ghost-portal|/ghost/api/|ghost-sdk", 2),
    ("Squarespace", "generator", r"squarespace", 3),
    ("Squarespace", "html", r"static1\.squarespace\.com|squarespace-cdn", 2),
    ("Wix", "generator", r"^wix\.com", 3),
    ("Wix", "html", r"static\.wixstatic\.com|wix-warmup-data", 2),
    ("Joomla", "generator", r"^joomla", 3),
    ("Substack", "html", r"substackcdn\.com", 2),
    ("Tumblr", "html", r"assets\.tumblr\.com", 2),
    ("Hugo", "generator", r"^hugo", 3),
    ("Jekyll", "generator", r"^jekyll", 3),
)
_FINGERPRINTS = tuple((name, where, re.compile(pattern, re.I), points)
                      for name, where, pattern, points in PLATFORM_FINGERPRINTS)

#: Feed paths tried on any site that declares no feed (most common first).
FEED_PATH_GUESSES: tuple[str, ...] = (
    "/feed", "/rss", "/rss.xml", "/atom.xml", "/index.xml", "/feed.xml", "/feed/", "/?feed=rss2",
    "/feeds/posts/default", "/index.rss", "/feed.json",
)
#: Platform-specific feed paths, tried first when the platform is known.
PLATFORM_FEED_PATHS: dict[str, tuple[str, ...]] = {
    "WordPress": ("/feed/", "/?feed=rss2"),
    "Blogger": ("/feeds/posts/default", "/feeds/posts/default?alt=rss"),
    "Discourse": ("/latest.rss", "/posts.rss"),
    "phpBB": ("/app.php/feed", "/feed.php"),
    "XenForo": ("/forums/-/index.rss", "/index.php?forums/-/index.rss"),
    "vBulletin": ("/external.php?type=RSS2",),
    "Simple Machines": ("/index.php?action=.xml;type=rss",),
    "MyBB": ("/syndication.php",),
    "Drupal": ("/rss.xml",),
    "Ghost": ("/rss/",),
    "Squarespace": ("/blog?format=rss",),
    "Wix": ("/blog-feed.xml",),
    "Joomla": ("/?format=feed&type=rss",),
    "Substack": ("/feed",),
    "Tumblr": ("/rss",),
}

#: Closed platforms: (platform, host pattern, path pattern); their links are catalogued by hand.
CLOSED_PLATFORMS: tuple[tuple[str, str, str], ...] = (
    ("Facebook", r"(?:^|\.)(?:facebook|fb)\.com$", r"^/(?:groups/[^/]+|[A-Za-z0-9.\-]{3,}/?$)"),
    ("Nextdoor", r"(?:^|\.)nextdoor\.(?:com|co\.uk)$", r"^/(?:neighborhood|neighbourhood|g|pages)/"),
    ("Reddit", r"(?:^|\.)reddit\.com$", r"^/r/[^/]+"),
    ("Meetup", r"(?:^|\.)meetup\.com$", r"^/[^/]+/?$"),
    ("WhatsApp", r"^chat\.whatsapp\.com$", r"^/[A-Za-z0-9]+"),
    ("X", r"(?:^|\.)(?:x|twitter)\.com$", r"^/[A-Za-z0-9_]{2,15}/?$"),
)
_CLOSED = tuple((name, re.compile(host, re.I), re.compile(path)) for name, host, path in CLOSED_PLATFORMS)
#: Non-community paths on closed platforms (login, share and help pages).
_CLOSED_NOISE = re.compile(r"^/(?:sharer|share|login|help|intent|home|policies|privacy|terms)", re.I)

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


def fingerprint_platform(html: str, generator: str = "") -> str | None:
    """Name the platform a page is built on, from the fingerprint table.

    Args:
        html: raw markup (the first 200 kB are enough).
        generator: content of ``<meta name="generator">``.

    Returns:
        The platform name, or None.
    """
    scores: dict[str, int] = {}
    for name, where, pattern, points in _FINGERPRINTS:
        haystack = generator if where == "generator" else html
        if haystack and pattern.search(haystack):
            scores[name] = scores.get(name, 0) + points
    return max(scores, key=scores.__getitem__) if scores else None


def closed_platform(url: str) -> str | None:
    """Return the closed platform a URL is a community on, or None."""
    match = re.match(r"https?://([^/:]+)(?::\d+)?(/[^?#]*)?", url)
    if not match:
        return None
    host, path = match.group(1), match.group(2) or "/"
    for name, host_re, path_re in _CLOSED:
        if host_re.search(host) and path_re.search(path) and not _CLOSED_NOISE.search(path):
            return name
    return None


def feed_guesses(site: str, platform: str | None, limit: int) -> list[str]:
    """Well-known feed URLs to try on a site, platform-specific ones first.

    Args:
        site: origin, e.g. ``https://example.org``.
        platform: fingerprinted platform or None.
        limit: most URLs to return.

    Returns:
        Absolute URLs, without duplicates.
    """
    paths = PLATFORM_FEED_PATHS.get(platform or "", ()) + FEED_PATH_GUESSES
    urls = dict.fromkeys(canonicalise(site + path) for path in paths)
    return [url for url in urls if url][:limit]


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


def _read_head(doc, facts: PageFacts) -> str:
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


def _read_link(element, facts: PageFacts) -> None:
    rels = (element.get("rel") or "").lower().split()
    kind = FEED_TYPES.get((element.get("type") or "").lower().split(";")[0].strip())
    href = element.get("href")
    if "alternate" in rels and kind and href:
        url = canonicalise(href, facts.url)
        if url:
            facts.feed_links.append(FeedLink(url, "link-alternate", kind))


def _read_body(doc, facts: PageFacts) -> None:
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


def extract_page(body: bytes, url: str) -> PageFacts:
    """Read one HTML page into :class:`PageFacts`.

    Args:
        body: the page bytes (already size-capped).
        url: the page's final URL, used to resolve relative links.

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
    head = body[:200_000].decode("utf-8", "replace")
    facts.platform = fingerprint_platform(head, generator)
    lxml.etree.strip_elements(doc, "script", "style", "noscript", with_tail=False)
    body_el = doc.find("body")
    text = " ".join((body_el if body_el is not None else doc).itertext())
    facts.text = " ".join(text[:MAX_TEXT].split())
    return facts

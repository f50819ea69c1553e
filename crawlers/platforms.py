"""Platform data tables: fingerprints, feed-path guesses and closed platforms.

Data, not ``if`` chains: adding a platform means adding rows. The functions here only
read the tables (discover.py calls them for each page, the engine for feed guesses).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from crawlers.frontier import canonicalise

logger = logging.getLogger(__name__)

__all__ = [
    "CLOSED_PLATFORMS", "FEED_PATH_GUESSES", "PLATFORM_FEED_PATHS", "PLATFORM_FINGERPRINTS",
    "closed_platform", "feed_guesses", "fingerprint_platform",
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
# Matched against lower-cased text: a case-sensitive search is about 5x cheaper than re.I
# on a page's markup, so every pattern must be written in lower case (a test checks).
_FINGERPRINTS = tuple((name, where, re.compile(pattern), points)
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

def fingerprint_platform(html: str, generator: str = "") -> str | None:
    """Name the platform a page is built on, from the fingerprint table.

    Args:
        html: raw markup (the first 200 kB are enough).
        generator: content of ``<meta name="generator">``.

    Returns:
        The platform name, or None.
    """
    scores: dict[str, int] = {}
    html, generator = html.lower(), generator.lower()
    for name, where, pattern, points in _FINGERPRINTS:
        haystack = generator if where == "generator" else html
        if haystack and pattern.search(haystack):
            scores[name] = scores.get(name, 0) + points
    return max(scores, key=scores.__getitem__) if scores else None


_HOST_AND_PATH = re.compile(r"https?://([^/:]+)(?::\d+)?(/[^?#]*)?")


@lru_cache(maxsize=16384)
def closed_platform(url: str) -> str | None:
    """Return the closed platform a URL is a community on, or None (cached: menus repeat links)."""
    match = _HOST_AND_PATH.match(url)
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



"""Feed roles from platforms' URL layouts: a site's main feed, its parts' feeds, and the rest.

A forum's boards, a blog's categories and a council portal's village pages are parts of a
site with feeds of their own (sub-communities, :class:`~crawlers.records.SectionRecord`).
Per-post comment feeds, per-topic feeds and per-person feeds are not communities: they are
recognised from their URL, counted in ``SiteRecord.feeds_left_out`` and never fetched.

Data, not ``if`` chains: each row of :data:`FEED_LAYOUTS` is one platform's real URL layout.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

__all__ = ["FEED_LAYOUTS", "FeedClass", "classify_feed"]

#: What the engine does with a feed of each role: fetch and list it with the site's feeds,
#: fetch it as a sub-community's feed, or count it without a request.
LIST, SECTION, LEAVE = "list", "section", "leave"

#: (platform, role, section kind, pattern on the canonical path and query, section page).
#: Patterns match after any folder the platform is installed under. The first matching row wins. ``role`` is a FeedRecord role; "main" rows may be the main
#: feed and are never sections. The section page is a ``re`` replacement giving the path of
#: the part's own page (empty: the page the feed was found on).
FEED_LAYOUTS: tuple[tuple[str, str, str, str, str], ...] = (
    # WordPress (and bbPress forums on WordPress)
    ("WordPress", "comments", "", r"^/comments/feed/?$", ""),
    ("WordPress", "section", "board", r"^/forums/forum/(?P<p>[^?]+?)/feed/?$", r"/forums/forum/\g<p>/"),
    ("WordPress", "topic", "", r"^/forums/topic/[^?]+/feed/?$", ""),
    ("WordPress", "section", "category", r"^/category/(?P<p>[^?]+?)/feed/?$", r"/category/\g<p>/"),
    ("WordPress", "section", "category", r"^/\?cat=(?P<p>\d+)&feed=(?:rss2?|atom)$", r"/?cat=\g<p>"),
    ("WordPress", "topic", "", r"^/tag/[^/?]+/feed/?$", ""),
    ("WordPress", "comments", "", r"^/\d{4}/\d{2}/(?:\d{2}/)?[^/?]+/feed/?$", ""),
    ("WordPress", "comments", "", r"^/\?feed=(?:rss2?|atom)&p=\d+$", ""),
    ("WordPress", "other", "", r"^/author/[^/?]+/feed/?$", ""),
    # Discourse
    ("Discourse", "main", "", r"^/(?:latest|posts)\.rss$", ""),
    ("Discourse", "section", "category", r"^/c/(?P<p>[^?]+)\.rss$", r"/c/\g<p>"),
    ("Discourse", "topic", "", r"^/t/[^?]+\.rss$", ""),
    ("Discourse", "other", "", r"^/u/[^?]+\.rss$", ""),
    # phpBB (3.0 feed.php and 3.1+ app.php/feed)
    ("phpBB", "section", "board", r"^/(?:feed\.php\?f=|app\.php/feed/forum/)(?P<p>\d+)$", r"/viewforum.php?f=\g<p>"),
    ("phpBB", "topic", "", r"^/(?:feed\.php\?t=|app\.php/feed/topic/)\d+$", ""),
    # XenForo
    ("XenForo", "main", "", r"^/(?:index\.php\?)?forums/-/index\.rss$", ""),
    ("XenForo", "section", "board", r"^/forums/(?P<p>[^/?]+)/index\.rss$", r"/forums/\g<p>/"),
    ("XenForo", "topic", "", r"^/threads/[^/?]+/index\.rss$", ""),
    # Blogger
    ("Blogger", "section", "category", r"^/feeds/posts/(?:default|summary)/-/(?P<p>[^?]+)$", r"/search/label/\g<p>"),
    ("Blogger", "comments", "", r"^/feeds/comments/(?:default|summary)$", ""),
    ("Blogger", "comments", "", r"^/feeds/\d+/comments/(?:default|summary)", ""),
    # Drupal
    ("Drupal", "section", "category", r"^/taxonomy/term/(?P<p>\d+)/(?:all/)?feed$", r"/taxonomy/term/\g<p>"),
    ("Drupal", "comments", "", r"^/crss/node/\d+$", ""),
    # vBulletin, Simple Machines, MyBB (queries are sorted by the canonical form)
    ("vBulletin", "section", "board", r"^/external\.php\?forumids=(?P<p>\d+)&type=rss2?$", r"/forumdisplay.php?f=\g<p>"),
    ("Simple Machines", "section", "board", r"^/index\.php\?action=\.xml;board=(?P<p>\d+)(?:\.0)?;type=rss2?$",
     r"/index.php?board=\g<p>.0"),
    ("MyBB", "section", "board", r"^/syndication\.php\?fid=(?P<p>\d+)$", r"/forumdisplay.php?fid=\g<p>"),
    # Ghost
    ("Ghost", "section", "category", r"^/tag/(?P<p>[^/?]+)/rss/?$", r"/tag/\g<p>/"),
    # Council and parish portals, and any site laid out by place, board or section
    ("", "section", "place",
     r"^/(?P<p>(?:villages?|parish(?:es)?|places|communities|neighbourhoods?|wards?|towns?)/[^/?]+)"
     r"/(?:feed|rss|news/feed|news\.rss|feed\.xml|rss\.xml|feed\.json)/?$", r"/\g<p>/"),
    ("", "section", "board", r"^/(?P<p>(?:forums?|boards?)/[^/?]+)/(?:feed|rss)(?:\.xml|\.rss|\.json)?/?$", r"/\g<p>/"),
    ("", "section", "category",
     r"^/(?P<p>(?:categor(?:y|ies)|sections?|topics)/[^/?]+)/(?:feed|rss)(?:\.xml|\.rss|\.json)?/?$", r"/\g<p>/"),
    ("", "topic", "", r"^/(?:threads?|topic|discussions?)/[^?]+/(?:feed|rss)(?:\.xml|\.rss|\.json)?/?$", ""),
)
#: Any folder a platform may be installed under (/forum/, /blog/, /community/): kept in the part's page.
_FOLDER = r"^(?P<folder>(?:/[^/?]+)*?)"
_LAYOUTS = tuple((platform, role, kind, re.compile(_FOLDER + pattern.removeprefix("^"), re.I),
                  r"\g<folder>" + page if page else "")
                 for platform, role, kind, pattern, page in FEED_LAYOUTS)
#: Roles counted without a request; "comments" rows that are a whole site's comments are listed instead.
LEFT_OUT_ROLES = frozenset({"topic", "other"})
SITE_COMMENTS = re.compile(_FOLDER + r"/(?:comments/feed/?|feeds/comments/(?:default|summary))$", re.I)


@dataclass(frozen=True)
class FeedClass:
    """What a feed URL's layout says about it."""

    role: str
    action: str
    kind: str = ""
    platform: str = ""
    #: The part's own page (absolute), for a section; "" when unknown.
    section_url: str = ""


UNKNOWN = FeedClass("main", LIST)


def classify_feed(url: str) -> FeedClass:
    """Tell a feed's role from its canonical URL alone (no request).

    Args:
        url: a canonical feed URL (see :func:`crawlers.frontier.canonicalise`).

    Returns:
        The feed's class; an unknown layout may be the main feed (role "main", listed).
    """
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    for platform, role, kind, pattern, page in _LAYOUTS:
        match = pattern.match(target)
        if match is None:
            continue
        if role == "section":
            return FeedClass(role, SECTION, kind, platform, f"{parts.scheme}://{parts.netloc}{match.expand(page)}")
        if role == "comments" and not SITE_COMMENTS.match(target):
            return FeedClass(role, LEAVE, platform=platform)
        return FeedClass(role, LEAVE if role in LEFT_OUT_ROLES else LIST, platform=platform)
    return UNKNOWN

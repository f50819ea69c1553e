"""Sub-communities: feeds of a site's parts become sections; per-post and per-topic feeds are counted only."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crawlers.pipeline import CrawlSettings, run_discovery
from crawlers.sections import FEED_LAYOUTS, LEAVE, LIST, SECTION, classify_feed

from .conftest import serving

S = "https://forum.example"


@pytest.mark.parametrize("url, role, action, kind, section", [
    # WordPress and bbPress
    (f"{S}/feed/", "main", LIST, "", ""),
    (f"{S}/comments/feed/", "comments", LIST, "", ""),
    (f"{S}/category/news/feed/", "section", SECTION, "category", f"{S}/category/news/"),
    (f"{S}/category/villages/ringmer/feed/", "section", SECTION, "category", f"{S}/category/villages/ringmer/"),
    (f"{S}/?cat=7&feed=rss2", "section", SECTION, "category", f"{S}/?cat=7"),
    (f"{S}/tag/bins/feed/", "topic", LEAVE, "", ""),
    (f"{S}/2025/05/fete-this-saturday/feed/", "comments", LEAVE, "", ""),
    (f"{S}/?feed=rss2&p=42", "comments", LEAVE, "", ""),
    (f"{S}/author/someone/feed/", "other", LEAVE, "", ""),
    (f"{S}/forums/forum/allotments/feed/", "section", SECTION, "board", f"{S}/forums/forum/allotments/"),
    (f"{S}/forums/topic/lost-cat/feed/", "topic", LEAVE, "", ""),
    # Discourse
    (f"{S}/latest.rss", "main", LIST, "", ""),
    (f"{S}/c/village-life/12.rss", "section", SECTION, "category", f"{S}/c/village-life/12"),
    (f"{S}/c/parent/child/14.rss", "section", SECTION, "category", f"{S}/c/parent/child/14"),
    (f"{S}/t/road-closure/345.rss", "topic", LEAVE, "", ""),
    (f"{S}/u/someone/activity.rss", "other", LEAVE, "", ""),
    # phpBB
    (f"{S}/app.php/feed", "main", LIST, "", ""),
    (f"{S}/feed.php?f=3", "section", SECTION, "board", f"{S}/viewforum.php?f=3"),
    (f"{S}/app.php/feed/forum/3", "section", SECTION, "board", f"{S}/viewforum.php?f=3"),
    (f"{S}/feed.php?t=99", "topic", LEAVE, "", ""),
    (f"{S}/app.php/feed/topic/99", "topic", LEAVE, "", ""),
    # XenForo
    (f"{S}/forums/-/index.rss", "main", LIST, "", ""),
    (f"{S}/forums/village-news.4/index.rss", "section", SECTION, "board", f"{S}/forums/village-news.4/"),
    (f"{S}/threads/parking.88/index.rss", "topic", LEAVE, "", ""),
    # Blogger
    (f"{S}/feeds/posts/default", "main", LIST, "", ""),
    (f"{S}/feeds/posts/default/-/Events", "section", SECTION, "category", f"{S}/search/label/Events"),
    (f"{S}/feeds/comments/default", "comments", LIST, "", ""),
    (f"{S}/feeds/1234567/comments/default", "comments", LEAVE, "", ""),
    # Drupal, vBulletin, SMF, MyBB, Ghost
    (f"{S}/rss.xml", "main", LIST, "", ""),
    (f"{S}/taxonomy/term/5/feed", "section", SECTION, "category", f"{S}/taxonomy/term/5"),
    (f"{S}/crss/node/77", "comments", LEAVE, "", ""),
    (f"{S}/external.php?forumids=6&type=RSS2", "section", SECTION, "board", f"{S}/forumdisplay.php?f=6"),
    (f"{S}/index.php?action=.xml;board=2.0;type=rss", "section", SECTION, "board", f"{S}/index.php?board=2.0"),
    (f"{S}/syndication.php?fid=9", "section", SECTION, "board", f"{S}/forumdisplay.php?fid=9"),
    (f"{S}/tag/ringmer/rss/", "section", SECTION, "category", f"{S}/tag/ringmer/"),
    # council portals and generic layouts
    (f"{S}/villages/ringmer/feed", "section", SECTION, "place", f"{S}/villages/ringmer/"),
    (f"{S}/parishes/barcombe/news.rss", "section", SECTION, "place", f"{S}/parishes/barcombe/"),
    (f"{S}/communities/newick/rss.xml", "section", SECTION, "place", f"{S}/communities/newick/"),
    (f"{S}/boards/allotments/rss", "section", SECTION, "board", f"{S}/boards/allotments/"),
    (f"{S}/sections/sport/feed.json", "section", SECTION, "category", f"{S}/sections/sport/"),
    (f"{S}/threads/lost-dog/feed", "topic", LEAVE, "", ""),
    # installed under a folder
    (f"{S}/blog/category/news/feed/", "section", SECTION, "category", f"{S}/blog/category/news/"),
    (f"{S}/blog/comments/feed/", "comments", LIST, "", ""),
    (f"{S}/news/2025/05/fete/feed/", "comments", LEAVE, "", ""),
    (f"{S}/forum/c/village-life/12.rss", "section", SECTION, "category", f"{S}/forum/c/village-life/12"),
    (f"{S}/forum/latest.rss", "main", LIST, "", ""),
    (f"{S}/phpBB3/feed.php?f=3", "section", SECTION, "board", f"{S}/phpBB3/viewforum.php?f=3"),
    (f"{S}/community/forums/news.2/index.rss", "section", SECTION, "board", f"{S}/community/forums/news.2/"),
    (f"{S}/community/threads/x.9/index.rss", "topic", LEAVE, "", ""),
    (f"{S}/parish-council/villages/firle/feed", "section", SECTION, "place", f"{S}/parish-council/villages/firle/"),
    # not a layout we know: may be the main feed
    (f"{S}/news/rss.xml", "main", LIST, "", ""),
    (f"{S}/index.xml", "main", LIST, "", ""),
])
def test_feed_layouts(url, role, action, kind, section):
    feed = classify_feed(url)
    assert (feed.role, feed.action, feed.kind, feed.section_url) == (role, action, kind, section)


def test_every_layout_row_is_exercised_above():
    """A row nobody tests is a row nobody knows works: each platform's layout has a case."""
    platforms = {platform for platform, *_rest in FEED_LAYOUTS if platform}
    assert platforms >= {"WordPress", "Discourse", "phpBB", "XenForo", "Blogger", "Drupal"}


def _rss(title: str, items: int, days_apart: float = 2.0, words: str = "") -> bytes:
    now = datetime.now(UTC)
    entries = "".join(
        f"<item><title>{title} post {n} {words}</title><link>http://x/{n}</link>"
        f"<pubDate>{(now - timedelta(days=n * days_apart)).strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate></item>"
        for n in range(items))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{entries}'
            f"</channel></rss>").encode()


def _page(title: str, feeds: list[str], links: list[str], text: str = "") -> bytes:
    head = "".join(f'<link rel="alternate" type="application/rss+xml" href="{f}">' for f in feeds)
    body = "".join(f'<a href="{link}">{link}</a> ' for link in links)
    return f"<html><head><title>{title}</title>{head}</head><body><p>{text}</p>{body}</body></html>".encode()


FORUM = {
    "/": _page("Village Hub", ["/feed/", "/comments/feed/"],
               ["/category/news/", "/forums/forum/allotments/", "/2025/05/fete/", "/forums/topic/lost-cat/"]),
    "/feed/": _rss("Village Hub", 10),
    "/comments/feed/": _rss("Comments for Village Hub", 5),
    "/category/news/": _page("News - Village Hub", ["/feed/", "/category/news/feed/"], ["/"]),
    "/category/news/feed/": _rss("Village Hub - News", 6, 7.0),
    "/forums/forum/allotments/": _page("Allotments board", ["/forums/forum/allotments/feed/"], ["/"],
                                       "Ringmer allotment holders meet every Saturday."),
    "/forums/forum/allotments/feed/": _rss("Allotments board", 8, 1.0, "Ringmer plots"),
    "/2025/05/fete/": _page("Fete", ["/feed/", "/2025/05/fete/feed/"], ["/"]),
    "/forums/topic/lost-cat/": _page("Lost cat", ["/forums/topic/lost-cat/feed/"], ["/"]),
}


class _Forum(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.log.append(self.path)
        if self.path == "/robots.txt":
            body, kind, status = b"User-agent: *\nAllow: /\n", "text/plain", 200
        elif self.path in FORUM:
            body, status = FORUM[self.path], 200
            kind = "application/rss+xml" if body.startswith(b"<?xml") else "text/html"
        else:
            body, kind, status = b"not here", "text/plain", 404
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def forum():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Forum)
    server.daemon_threads = True
    server.log = []
    server.lock = threading.Lock()
    with serving(server):
        yield server


def test_a_site_with_boards_and_categories_gets_sections_with_their_own_evidence(forum):
    port = forum.server_address[1]
    base = f"http://127.0.0.1:{port}"
    profile = {"name": "Ringmer area", "places": ["Ringmer"]}
    settings = CrawlSettings(allow_private=(f"127.0.0.1:{port}",), retries=0)
    [record] = run_discovery([base + "/"], settings, profile)
    assert record.main_feed.url == base + "/feed/"
    assert {f.role for f in record.feeds} == {"main", "comments"}
    sections = {s.url: s for s in record.sections}
    assert set(sections) == {base + "/category/news/", base + "/forums/forum/allotments/"}
    board = sections[base + "/forums/forum/allotments/"]
    assert board.kind == "board"
    assert board.title == "Allotments board"
    assert [(f.url, f.role, f.items) for f in board.feeds] == [(base + "/forums/forum/allotments/feed/", "section", 8)]
    assert board.feeds[0].items_per_week > sections[base + "/category/news/"].feeds[0].items_per_week
    assert board.locality.score > 0
    assert any("Ringmer" in e.matched for e in board.locality.evidence)
    assert sections[base + "/category/news/"].kind == "category"
    assert sections[base + "/category/news/"].locality.score == 0
    assert record.feeds_left_out == {"comments": 1, "topic": 1}
    assert "/2025/05/fete/feed/" not in forum.log
    assert "/forums/topic/lost-cat/feed/" not in forum.log
    line = record.to_json()
    assert line["sections"][0]["feeds"][0]["role"] == "section"
    assert line["feeds_left_out"]["topic"] == 1

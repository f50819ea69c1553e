"""Feeds: validation by parsing, activity, main-feed choice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from crawlers.feeds import choose_main_feed, is_comments_feed, parse_feed

from .conftest import FIXTURES

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def rss(title="Lewes news", days=(1, 8, 15, 200), extra="") -> bytes:
    items = "".join(f"<item><title>Post {d}</title><link>http://s/{d}</link>"
                    f"<pubDate>{format_datetime(NOW - timedelta(days=d))}</pubDate>"
                    f"<author>jo@example.org (Jo)</author>{extra}</item>" for d in days)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{items}</channel></rss>'.encode()


def test_rss_activity():
    info = parse_feed(rss(), "http://s/feed", NOW)
    assert info.kind == "rss"
    assert info.items == 4
    assert info.title == "Lewes news"
    assert info.last_item_at == NOW - timedelta(days=1)
    assert info.items_per_week == pytest.approx(3 / 12)
    assert "jo@example.org" not in info.text


def test_atom_fixture():
    info = parse_feed((FIXTURES / "small_atom.xml").read_bytes(), "http://s/atom")
    assert info.kind == "atom"
    assert info.items > 0


def test_json_feed():
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "J",
                       "items": [{"id": "1", "date_published": (NOW - timedelta(days=2)).isoformat()}]}).encode()
    info = parse_feed(body, "http://s/feed.json", NOW)
    assert info.kind == "json"
    assert info.items == 1
    assert info.items_per_week > 0


def test_georss_points_are_read():
    info = parse_feed(rss(extra='<georss:point xmlns:georss="http://www.georss.org/georss">50.8 0.01</georss:point>'),
                      "http://s/f", NOW)
    assert info.geo
    assert info.geo[0] == (50.8, 0.01)


@pytest.mark.parametrize("body", [
    b"<!DOCTYPE html><html><head><title>RSS</title></head><body>What is RSS?</body></html>",
    b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://s/</loc></url></urlset>',
    b"Not found", b"", b"{}", b'{"version": "https://jsonfeed.org/version/1", "items": "x"}', b"[1, 2]",
    (FIXTURES / "feed-sample1.xml").read_bytes(),
])
def test_non_feeds_are_rejected(body):
    assert parse_feed(body, "http://s/rss", NOW) is None


@pytest.mark.parametrize("url, title, expected", [
    ("http://s/comments/feed/", "Site", True), ("http://s/feed/", "Comments for Site", True),
    ("http://s/posts.rss", "Site", False), ("http://comments.example/feed", "Site", False),
])
def test_comments_feeds(url, title, expected):
    assert is_comments_feed(url, title) is expected


def test_main_feed_prefers_declared_on_site_post_feeds():
    comments = parse_feed(rss("Comments for S"), "http://s/comments/feed/", NOW)
    guessed = parse_feed(rss("S", days=(3,)), "http://s/index.xml", NOW)
    declared = parse_feed(rss("S2"), "http://s/feed/", NOW)
    how = {comments.url: "link-alternate", guessed.url: "guess", declared.url: "link-alternate"}
    assert choose_main_feed([comments, guessed, declared], how, "http://s") is declared
    assert choose_main_feed([comments], how, "http://s") is None

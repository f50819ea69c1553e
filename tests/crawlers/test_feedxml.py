"""The lxml feed reader agrees with feedparser, and leaves what it is unsure about to feedparser."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

import pytest

import crawlers.feeds
from crawlers.feeds import parse_feed
from crawlers.feedxml import read_simple_feed
from sampleweb.render import render
from sampleweb.server import site_urls
from sampleweb.sites import SITES

from .conftest import FIXTURES

NOW = datetime(2026, 6, 1, tzinfo=UTC)
URLS = site_urls("127.0.0.1", 20000)
SAMPLE_FEEDS = [(site, path) for site in SITES for path in site.feeds]

EDGE_CASES = {
    "content only": b'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
                    b"<title>T</title><item><title>A</title><content:encoded><![CDATA[<p>Lewes</p>]]>"
                    b"</content:encoded><link>http://x/1</link></item></channel></rss>",
    "dc:date, no guid": b'<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title> T &amp; '
                        b"x </title><item><title>B</title><dc:date>2026-05-30T10:00:00Z</dc:date></item>"
                        b"</channel></rss>",
    "named zone": b'<rss version="2.0"><channel><title>T</title><item><title>C</title><guid>g</guid>'
                  b"<pubDate>Mon, 25 May 2026 10:00:00 EST</pubDate><description>d</description></item></channel></rss>",
    "no title, one item": b'<rss version="2.0"><channel><item><link>http://x/2</link></item></channel></rss>',
    "atom content, date only": b'<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><entry><title>E</title>'
                               b'<id>i1</id><content type="html">&lt;p&gt;c&lt;/p&gt;</content>'
                               b"<updated>2026-05-02T10:00:00.123456+01:00</updated><published>2026-05-01"
                               b"</published></entry></feed>",
    "atom link, no id": b'<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><entry><title>E</title>'
                        b'<link rel="alternate" href="http://x/e"/><updated>2026-05-20T10:00:00Z</updated>'
                        b"</entry></feed>",
    "georss point": b'<rss version="2.0" xmlns:georss="http://www.georss.org/georss"><channel><title>T</title>'
                    b"<item><title>G</title><georss:point>50.87 0.01</georss:point></item></channel></rss>",
}
LEFT_TO_FEEDPARSER = {
    "bad date": b'<rss version="2.0"><channel><title>T</title><item><pubDate>someday</pubDate></item></channel></rss>',
    "rss 0.91": b'<rss version="0.91"><channel><title>T</title><item><title>x</title></item></channel></rss>',
    "rdf": b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">'
           b"<channel><title>T</title></channel><item><title>x</title></item></rdf:RDF>",
    "xhtml title": b'<feed xmlns="http://www.w3.org/2005/Atom"><title type="xhtml"><div xmlns="http://www.w3.org/1999/'
                   b'xhtml">F</div></title></feed>',
    "georss line": b'<rss version="2.0" xmlns:georss="http://www.georss.org/georss"><channel><title>T</title>'
                   b"<item><georss:line>50 0 51 1</georss:line></item></channel></rss>",
    "malformed": b'<rss version="2.0"><channel><title>T & T</title></channel></rss>',
    "entity bomb": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
                   b'<rss version="2.0"><channel><title>&b;</title></channel></rss>',
}


def _both(body: bytes, url: str, monkeypatch) -> tuple[dict | None, dict | None]:
    fast = parse_feed(body, url, NOW)
    with monkeypatch.context() as patch:
        patch.setattr(crawlers.feeds, "read_simple_feed", lambda body, max_items: None)
        slow = parse_feed(body, url, NOW)
    return (asdict(fast) if fast else None), (asdict(slow) if slow else None)


@pytest.mark.parametrize("site, path", SAMPLE_FEEDS, ids=[f"{s.name}{p}" for s, p in SAMPLE_FEEDS])
def test_sample_feeds_read_as_feedparser_reads_them(site, path, monkeypatch):
    _status, _type, body = render(site, path, URLS, NOW)
    fast, slow = _both(body, URLS[site.name] + path, monkeypatch)
    assert fast == slow
    if not body.lstrip().startswith(b"{"):
        assert read_simple_feed(body, 1000) is not None, "a plain sample feed fell back to feedparser"


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_edge_cases_read_as_feedparser_reads_them(name, monkeypatch):
    assert read_simple_feed(EDGE_CASES[name], 1000) is not None
    fast, slow = _both(EDGE_CASES[name], "http://s/feed", monkeypatch)
    assert fast == slow


@pytest.mark.parametrize("name", ["small_atom.xml", "feed-sample1.xml"])
def test_fixture_feeds_read_as_feedparser_reads_them(name, monkeypatch):
    fast, slow = _both((FIXTURES / name).read_bytes(), "http://s/feed", monkeypatch)
    assert fast == slow


@pytest.mark.parametrize("name", sorted(LEFT_TO_FEEDPARSER))
def test_unsure_feeds_are_left_to_feedparser(name):
    assert read_simple_feed(LEFT_TO_FEEDPARSER[name], 1000) is None

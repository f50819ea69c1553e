"""Discovery from HTML: feed links, outgoing links, platforms, closed platforms, no personal data."""

from __future__ import annotations

import pytest

from crawlers.discover import PLATFORM_FEED_PATHS, closed_platform, extract_page, feed_guesses, fingerprint_platform
from sampleweb.render import MARKERS

BASE = "http://site.example/"


def page(head: str = "", body: str = "") -> bytes:
    return f"<!DOCTYPE html><html><head><title>T</title>{head}</head><body>{body}</body></html>".encode()


@pytest.mark.parametrize("type_, kind", [
    ("application/rss+xml", "rss"), ("application/atom+xml", "atom"), ("application/feed+json", "json"),
])
def test_link_rel_alternate(type_, kind):
    facts = extract_page(page(f'<link rel="alternate" type="{type_}" href="/f">'), BASE)
    assert [(f.url, f.how, f.kind) for f in facts.feed_links] == [("http://site.example/f", "link-alternate", kind)]


def test_link_alternate_of_other_types_is_ignored():
    facts = extract_page(page('<link rel="alternate" hreflang="fr" href="/fr/"><link rel="stylesheet" href="/feed">'), BASE)
    assert facts.feed_links == []


@pytest.mark.parametrize("anchor", [
    '<a href="/feed/">x</a>', '<a href="/news.rss">x</a>', '<a href="/?feed=rss2">x</a>',
    '<a href="/updates">Subscribe via RSS</a>', '<a href="/syndication.php">x</a>', '<a href="/atom.xml">Atom</a>',
])
def test_feed_links_in_the_body(anchor):
    facts = extract_page(page(body=anchor), BASE)
    assert [f.how for f in facts.feed_links] == ["body-link"]


def test_body_feed_links_are_capped():
    anchors = "".join(f'<a href="/f{n}.rss">x</a>' for n in range(100))
    assert len(extract_page(page(body=anchors), BASE).feed_links) == 10


@pytest.mark.parametrize("platform", sorted(MARKERS))
def test_every_platform_fingerprint(platform):
    generator, extra = MARKERS[platform]
    head = (f'<meta name="generator" content="{generator}">' if generator else "") + extra
    assert extract_page(page(head), BASE).platform == platform


@pytest.mark.parametrize("html, expected", [
    ('<script src="https://substackcdn.com/x.js"></script>', "Substack"),
    ('<link href="https://assets.tumblr.com/x.css">', "Tumblr"),
    ('<SCRIPT SRC="https://ASSETS.Tumblr.com/x.js"></SCRIPT>', "Tumblr"),
    ("<p>plain page</p>", None),
])
def test_markup_only_fingerprints(html, expected):
    assert fingerprint_platform(html) == expected


def test_fingerprints_ignore_case_because_every_pattern_is_lower_case():
    """Pages and generators are lower-cased before matching (cheaper than re.I), so patterns must be too."""
    from crawlers.platforms import PLATFORM_FINGERPRINTS

    assert [p for _name, _where, p, _points in PLATFORM_FINGERPRINTS if p != p.lower()] == []
    assert fingerprint_platform("<p>x</p>", "WordPress 6.5") == "WordPress"


@pytest.mark.parametrize("url, platform", [
    ("https://www.facebook.com/groups/lewesresidents", "Facebook"),
    ("https://www.facebook.com/SeafordCommunityPage", "Facebook"),
    ("https://www.facebook.com/sharer/sharer.php?u=x", None),
    ("https://nextdoor.co.uk/neighbourhood/seaford/", "Nextdoor"),
    ("https://www.reddit.com/r/lewes/", "Reddit"),
    ("https://www.meetup.com/lewes-walkers/", "Meetup"),
    ("https://chat.whatsapp.com/AbCdEf0123", "WhatsApp"),
    ("https://x.com/LewesNews", "X"),
    ("https://twitter.com/intent/tweet?text=x", None),
    ("https://lewes.example.org/", None),
])
def test_closed_platforms(url, platform):
    assert closed_platform(url) == platform


def test_closed_links_are_not_crawled_links():
    facts = extract_page(page(body='<a href="https://www.reddit.com/r/lewes/">r/lewes</a><a href="/x">x</a>'), BASE)
    assert [c.platform for c in facts.closed] == ["Reddit"]
    assert facts.closed[0].label == "r/lewes"
    assert facts.links == ["http://site.example/x"]


def test_outgoing_links_are_canonical_and_deduped():
    body = '<a href="http://Other.example/?utm_source=a">a</a><a href="http://other.example/">b</a><a href="mailto:x@y">m</a>'
    assert extract_page(page(body=body), BASE).links == ["http://other.example/"]


def test_title_description_and_no_personal_data():
    head = ('<meta name="description" content="Write to jo.bloggs@example.org or ring 01273 123456">'
            '<meta property="og:title" content="ignored">')
    facts = extract_page(page(head), BASE)
    assert facts.title == "T"
    assert "@" not in facts.description
    assert "123456" not in facts.description


@pytest.mark.parametrize("head, source", [
    ('<meta name="geo.position" content="50.87;0.01">', "meta geo.position"),
    ('<meta name="ICBM" content="50.87, 0.01">', "meta icbm"),
    ('<meta itemprop="latitude" content="50.87"><meta itemprop="longitude" content="0.01">', "schema.org geo"),
    ('<script type="application/ld+json">{"geo": {"latitude": 50.87, "longitude": 0.01}}</script>',
     "schema.org geo (JSON-LD)"),
])
def test_geo_tags(head, source):
    if "ld+json" in head:
        facts = extract_page(page(body=head), BASE)
    else:
        facts = extract_page(page(head), BASE)
    assert [(g.lat, g.lon, g.source) for g in facts.geo] == [(50.87, 0.01, source)]


def test_hostile_html_does_not_break_extraction():
    for body in (b"", b"\x00\xff" * 100, b"<" * 10000, b"<html><a href='http://[::1'>x</a>"):
        extract_page(body, BASE)


def test_feed_guesses_put_platform_paths_first():
    guesses = feed_guesses("http://site.example", "Discourse", 5)
    assert guesses[0] == "http://site.example/latest.rss"
    assert len(guesses) == 5
    assert len(set(guesses)) == 5


@pytest.mark.parametrize("platform", sorted(PLATFORM_FEED_PATHS))
def test_every_platform_has_guesses(platform):
    assert feed_guesses("http://s.example", platform, 20)[0].startswith("http://s.example/")

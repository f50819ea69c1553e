"""Frontier: canonical URLs, dedupe, depth, per-site queues."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawlers.frontier import Frontier, canonicalise, site_of


@pytest.mark.parametrize("url, expected", [
    ("HTTP://Example.ORG:80/a/b/../c?b=2&a=1#frag", "http://example.org/a/c?a=1&b=2"),
    ("https://example.org:443", "https://example.org/"),
    ("https://example.org:8443/x", "https://example.org:8443/x"),
    ("http://example.org/?utm_source=x&utm_medium=y&id=3&fbclid=z&gclid=q", "http://example.org/?id=3"),
    ("http://user:pw@example.org/p", "http://example.org/p"),
    ("http://example.org/index.php?action=.xml;type=rss", "http://example.org/index.php?action=.xml;type=rss"),
    ("mailto:someone@example.org", None),
    ("javascript:alert(1)", None),
    ("ftp://example.org/", None),
    ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ("http://example.org:99999/", None),
])
def test_canonicalise(url, expected):
    assert canonicalise(url) == expected


def test_relative_links_resolve_against_the_page():
    assert canonicalise("../feed/", "http://a.example/blog/post/") == "http://a.example/blog/feed/"


def test_dedupe_and_home_page_first():
    frontier = Frontier(max_pages=10, max_depth=2, max_pages_per_site=5)
    assert frontier.add("http://a.example/post/1", 1, "http://seed.example/")
    assert not frontier.add("http://A.example/post/1#comments", 1)
    page = frontier.next_page(lambda site: False)
    assert page.url == "http://a.example/"
    assert page.found_via == "http://seed.example/"


def test_depth_and_page_limits():
    frontier = Frontier(max_pages=3, max_depth=1, max_pages_per_site=2)
    assert frontier.add("http://a.example/", 0)
    assert not frontier.add("http://a.example/deep", 2)
    for n in range(5):
        frontier.add(f"http://a.example/{n}", 1)
    assert frontier.sites["http://a.example"].queued == 2
    for n in range(5):
        frontier.add(f"http://b{n}.example/", 0, hops=1)
    handed = [frontier.next_page(lambda site: False) for _ in range(5)]
    assert sum(page is not None for page in handed) == 3
    assert frontier.left_out_counts() == {"hops": 0, "depth": 1, "site_cap": 1, "page_cap": 4}


def test_the_first_page_of_a_site_is_its_entry_whatever_the_link_depth():
    """In-site depth counts from where the crawl entered a site, not from the seed."""
    frontier = Frontier(max_pages=10, max_depth=1, max_pages_per_site=10)
    assert frontier.add("http://b.example/forum/board-1", 5, "http://a.example/", hops=1)
    pages = [frontier.next_page(lambda site: False) for _ in range(2)]
    assert [(p.url, p.depth, p.hops) for p in pages] == [
        ("http://b.example/", 0, 1), ("http://b.example/forum/board-1", 0, 1)]


def test_site_hops_limit_whole_sites_and_are_counted():
    frontier = Frontier(max_pages=10, max_depth=3, max_pages_per_site=10, max_site_hops=2)
    assert frontier.add("http://two.example/", 0, "http://one.example/", hops=2)
    assert not frontier.add("http://three.example/", 0, "http://two.example/", hops=3)
    assert not frontier.add("http://three.example/other", 0, "http://two.example/", hops=3)
    assert "http://three.example" not in frontier.sites
    assert frontier.left_out_counts()["hops"] == 1
    # A site first met within reach keeps its hops: its own pages never count as a further hop.
    assert frontier.add("http://two.example/page", 1, "http://two.example/", hops=2)


def test_breadth_first_and_busy_sites_are_skipped():
    frontier = Frontier(max_pages=10, max_depth=3, max_pages_per_site=10)
    frontier.add("http://a.example/", 0)
    frontier.add("http://a.example/deeper", 2)
    frontier.add("http://b.example/", 1)
    first = frontier.next_page(lambda site: False)
    assert first.url == "http://a.example/"
    second = frontier.next_page(lambda site: site == "http://b.example")
    assert second.url == "http://a.example/deeper"
    assert frontier.next_page(lambda site: False).url == "http://b.example/"


def test_site_of():
    assert site_of("http://127.0.0.1:8001/x?y") == "http://127.0.0.1:8001"


URLISH = st.builds(
    lambda scheme, host, port, path, query, frag: f"{scheme}://{host}{port}{path}{query}{frag}",
    st.sampled_from(["http", "HTTPS", "https", "ftp"]),
    st.from_regex(r"[A-Za-z0-9.\-]{1,20}", fullmatch=True),
    st.sampled_from(["", ":80", ":443", ":8080", ":0"]),
    st.text(alphabet="/abc.%-_~ é", max_size=20),
    st.text(alphabet="?&=;abutm_+%", max_size=20),
    st.sampled_from(["", "#x", "#"]),
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(URLISH, st.text(max_size=60)))
def test_canonicalise_is_idempotent_and_total(url):
    once = canonicalise(url)
    if once is not None:
        assert canonicalise(once) == once


def test_the_site_with_most_work_left_goes_first_after_home_pages():
    """Each site is capped at per_host connections, so the biggest site must start early."""
    frontier = Frontier(max_pages=50, max_depth=3, max_pages_per_site=20)
    frontier.add("http://small.example/", 0)
    frontier.add("http://big.example/", 0)
    assert {frontier.next_page(lambda site: False).url for _ in range(2)} == {
        "http://small.example/", "http://big.example/"}
    for n in range(2):
        frontier.add(f"http://small.example/{n}", 2)
    for n in range(5):
        frontier.add(f"http://big.example/{n}", 2)
    frontier.add("http://new.example/", 0, hops=1)
    order = [frontier.next_page(lambda site: False).url for _ in range(2)]
    assert order == ["http://new.example/", "http://big.example/0"]
    assert frontier.next_page(lambda site: False, more_work=lambda site: 10 * (site == "http://small.example")
                              ).url.startswith("http://small.example/")


def test_a_site_with_a_crawl_delay_goes_first():
    """Its pages leave one per delay, so each turn it misses lengthens the whole crawl."""
    frontier = Frontier(max_pages=50, max_depth=5, max_pages_per_site=20)
    frontier.add("http://paced.example/deep", 3)
    for n in range(5):
        frontier.add(f"http://big.example/{n}", 1)
    def paced(site):
        return site == "http://paced.example"
    assert frontier.next_page(lambda site: False).url == "http://big.example/"
    assert frontier.next_page(lambda site: False, paced=paced).url == "http://paced.example/"
    assert frontier.next_page(lambda site: site == "http://paced.example", paced=paced).url == "http://big.example/0"
    assert frontier.next_page(lambda site: False, paced=paced).url == "http://paced.example/deep"


def test_a_site_nearer_the_seeds_goes_before_a_bigger_site_further_out():
    """A directory's later listing pages are where sites further out are found: they must not
    wait behind the big sites they led to (issue 20: a directory's fourth page waited until 8 s)."""
    frontier = Frontier(max_pages=50, max_depth=3, max_pages_per_site=20)
    frontier.add("http://directory.example/", 0)
    frontier.add("http://big.example/", 0, hops=1)
    frontier.add("http://further.example/", 0, hops=2)
    assert [frontier.next_page(lambda site: False).url for _ in range(3)] == [
        "http://directory.example/", "http://big.example/", "http://further.example/"]
    frontier.add("http://further.example/a", 1, hops=2)
    for n in range(5):
        frontier.add(f"http://big.example/{n}", 1, hops=1)
    frontier.add("http://directory.example/list/2", 1)
    order = [frontier.next_page(lambda site: False).url for _ in range(3)]
    assert order == ["http://directory.example/list/2", "http://big.example/0", "http://big.example/1"]
    # a busy site gives its turn to the next one out, not to nothing
    assert frontier.next_page(lambda site: site == "http://big.example").url == "http://further.example/a"


def test_a_page_entering_a_site_goes_before_sites_nearer_the_seeds():
    """A new site's home page reveals its own pages: it still goes first, however far out."""
    frontier = Frontier(max_pages=50, max_depth=3, max_pages_per_site=20)
    frontier.add("http://directory.example/", 0)
    frontier.next_page(lambda site: False)
    frontier.add("http://directory.example/list/2", 1)
    frontier.add("http://far.example/", 0, hops=3)
    assert frontier.next_page(lambda site: False).url == "http://far.example/"


def test_has_pages_counts_only_pages_that_may_still_be_handed_out():
    frontier = Frontier(max_pages=2, max_depth=3, max_pages_per_site=20)
    assert not frontier.has_pages("http://a.example")
    frontier.add("http://a.example/", 0)
    frontier.add("http://a.example/x", 1)
    frontier.add("http://a.example/y", 1)
    assert frontier.has_pages("http://a.example")
    frontier.next_page(lambda site: False)
    frontier.next_page(lambda site: False)
    assert frontier.has_pages("http://a.example") is False  # /y is queued but the run's page cap is reached

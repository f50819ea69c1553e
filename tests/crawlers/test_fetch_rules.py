"""The fetcher's small rules, one by one: Retry-After, per-site delays, the refusal's reason,
and a robots.txt over the size cap (each pins a line mutation testing showed unguarded)."""
from __future__ import annotations

import asyncio
import logging
import time

import httpx
import pytest

from crawlers.addresses import AddressRefused
from crawlers.fetch import ACCEPT, Fetcher, _retry_after
from crawlers.robots import ROBOTS_MAX_BYTES, SitePolicy
from crawlers.settings import CrawlSettings
from tests.crawlers.conftest import HostileServer, serving


@pytest.mark.parametrize(("value", "expected"), [
    (None, 0.0),                               # no header: the caller's backoff
    ("", 0.0),
    ("5", 5.0),
    (" 7 ", 7.0),
    ("0", 0.0),
    ("100", 30.0),                             # capped at max_wait
    ("Wed, 21 Oct 2015 07:28:00 GMT", 30.0),   # an HTTP date: wait the longest allowed
    ("soon", 30.0),
])
def test_retry_after_is_read_in_seconds_and_capped(value, expected):
    assert _retry_after(value, 30.0) == expected


def test_an_address_refusal_says_why():
    refused = AddressRefused("no such host", "unresolvable")
    assert str(refused) == "no such host"
    assert refused.reason == "unresolvable"
    assert AddressRefused("bad").reason == "malformed"
    assert refused.args == ("no such host",)


def test_crawl_delay_is_the_sites_own_or_the_setting():
    async def go():
        async with Fetcher(CrawlSettings(per_host_delay=0.5)) as fetcher:
            before = fetcher.crawl_delay("http://a.example")
            policy = fetcher._site(httpx.URL("http://a.example/page"))
            assert isinstance(policy, SitePolicy)
            assert fetcher._site(httpx.URL("http://a.example/other")) is policy  # one per site
            after = fetcher.crawl_delay("http://a.example")
            policy.delay = 2.0  # as robots.txt's Crawl-delay sets it
            return before, after, fetcher.crawl_delay("http://a.example"), fetcher.crawl_delay("http://[")

    before, after, crawl_delayed, malformed = asyncio.run(go())
    assert before == 0.0       # a site not seen yet
    assert after == 0.5        # the per-host setting
    assert crawl_delayed == 2.0
    assert malformed == 0.0


def test_a_robots_txt_over_the_cap_skips_the_site():
    with serving(HostileServer()) as hostile:
        hostile.robots = "User-agent: *\nDisallow: /secret/\n" + "# padding\n" * (ROBOTS_MAX_BYTES // 10 + 10)
        settings = CrawlSettings(max_body_bytes=4 * ROBOTS_MAX_BYTES, retries=0, allow_private=(hostile.allow,))

        async def go():
            async with Fetcher(settings) as fetcher:
                return await fetcher.allowed(hostile.base + "/public"), await fetcher.allowed(hostile.base + "/secret/x")

        assert asyncio.run(go()) == (False, False)
        assert hostile.paths() == ["/robots.txt"]  # read once, nothing else fetched


def test_a_robots_txt_under_the_cap_is_obeyed():
    with serving(HostileServer()) as hostile:
        hostile.robots = "User-agent: *\nDisallow: /secret/\n" + "# padding\n" * (ROBOTS_MAX_BYTES // 20)
        settings = CrawlSettings(retries=0, allow_private=(hostile.allow,))

        async def go():
            async with Fetcher(settings) as fetcher:
                return await fetcher.allowed(hostile.base + "/public"), await fetcher.allowed(hostile.base + "/secret/x")

        assert asyncio.run(go()) == (True, False)


def test_wait_time_reads_the_clock_it_is_given():
    policy = SitePolicy(asyncio.Semaphore(1), delay=1.0, next_start=100.0)
    assert policy.wait_time(now=99.25) == 0.75
    assert policy.wait_time(now=100.0) == 0.0
    assert policy.wait_time(now=250.0) == 0.0   # never negative
    assert SitePolicy(asyncio.Semaphore(1), delay=0.0, next_start=100.0).wait_time(now=0.0) == 0.0  # no delay, no wait


def _run(settings: CrawlSettings, *urls: str, **kwargs: object) -> tuple[Fetcher, list]:
    async def go():
        async with Fetcher(settings) as fetcher:
            return fetcher, [await fetcher.fetch(url, **kwargs) for url in urls]
    return asyncio.run(go())


def test_each_request_says_who_it_is_what_it_takes_and_what_it_has(hostile):
    settings = CrawlSettings(retries=0, allow_private=(hostile.allow,))
    _fetcher, [result] = _run(settings, hostile.base + "/page", etag='"e1"',
                              last_modified="Wed, 01 Jan 2025 00:00:00 GMT")
    assert result.ok
    sent = dict(hostile.log)["/page"]
    assert sent["user-agent"] == settings.user_agent
    assert sent["accept"] == ACCEPT
    assert sent["accept-encoding"] == "gzip, deflate, br, zstd"
    assert sent["if-none-match"] == '"e1"'
    assert sent["if-modified-since"] == "Wed, 01 Jan 2025 00:00:00 GMT"
    assert result.final_url == hostile.base + "/page"
    assert result.content_type == "text/html"


def test_the_fetcher_counts_requests_errors_and_slot_time(hostile):
    settings = CrawlSettings(retries=0, timeout=2, allow_private=(hostile.allow,))
    started = time.monotonic()
    fetcher, results = _run(settings, hostile.base + "/page", hostile.base + "/feed", hostile.base + "/reset")
    elapsed = time.monotonic() - started
    assert [r.ok for r in results] == [True, True, False]
    assert results[2].error.startswith("connection error: ")
    assert fetcher.requests == 4  # robots.txt and the three pages
    assert fetcher.errors == 1
    assert 0 < fetcher.slot_seconds <= elapsed  # summed over the requests, each within this run
    assert fetcher.pacing == 0


def test_retries_wait_the_backoff_doubling_and_stop_at_the_setting(hostile, waits):
    settings = CrawlSettings(retries=1, backoff=0.125, allow_private=(hostile.allow,))
    _fetcher, [result] = _run(settings, hostile.base + "/busy")
    assert result.error == "HTTP 503"   # two 503s and retries=1: it gave up
    assert hostile.busy_count == 2
    assert [w for w in waits if w] == [0.125]
    hostile.busy_count = 0
    waits.clear()
    settings = CrawlSettings(retries=2, backoff=0.125, allow_private=(hostile.allow,))
    _fetcher, [result] = _run(settings, hostile.base + "/busy")
    assert result.ok  # the third attempt got through
    assert [w for w in waits if w] == [0.125, 0.25]


def test_a_body_exactly_at_the_limit_is_read(hostile):
    hostile.page = "<html><body>" + "a" * 1000 + "</body></html>"
    exact = len(hostile.page.encode())
    _fetcher, [result] = _run(CrawlSettings(retries=0, max_body_bytes=exact, allow_private=(hostile.allow,)),
                              hostile.base + "/page")
    assert result.ok
    assert len(result.body) == exact
    _fetcher, [result] = _run(CrawlSettings(retries=0, max_body_bytes=exact - 1, allow_private=(hostile.allow,)),
                              hostile.base + "/page")
    assert result.error == f"declared length {exact} exceeds {exact - 1} bytes"
    assert result.too_large


@pytest.mark.parametrize(("status", "error", "allowed"), [
    (404, "HTTP 404", True),   # 4xx: unavailable, whatever the error text says
    (200, None, True),
    (0, "connection error: ConnectError", False),
])
def test_robots_outcomes_without_a_body(status, error, allowed):
    site = SitePolicy(asyncio.Semaphore(1))
    site.read_robots(status, None, error, "LocalReachBot", 30.0, "a.example")
    assert site.can_fetch("http://a.example/x", "LocalReachBot") is allowed


def test_robots_txt_that_is_not_utf8_is_still_read():
    site = SitePolicy(asyncio.Semaphore(1))
    site.read_robots(200, b"User-agent: *\nDisallow: /caf\xe9/\nDisallow: /private/\n", None, "LocalReachBot", 30.0)
    assert not site.can_fetch("http://a.example/private/x", "LocalReachBot")
    assert site.can_fetch("http://a.example/open", "LocalReachBot")


def test_an_unreachable_robots_txt_is_logged_with_its_host_and_error(caplog):
    site = SitePolicy(asyncio.Semaphore(1))
    with caplog.at_level(logging.INFO, logger="crawlers.robots"):
        site.read_robots(503, None, "HTTP 503", "LocalReachBot", 30.0, "a.example")
    assert [r.getMessage() for r in caplog.records] == ["robots.txt for a.example unreachable (HTTP 503): site skipped"]

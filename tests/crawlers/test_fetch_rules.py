"""The fetcher's small rules, one by one: Retry-After, per-site delays, the refusal's reason,
and a robots.txt over the size cap (each pins a line mutation testing showed unguarded)."""
from __future__ import annotations

import asyncio

import httpx
import pytest

from crawlers.addresses import AddressRefused
from crawlers.fetch import Fetcher, _retry_after
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

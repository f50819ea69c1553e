"""Per-site politeness: robots.txt outcomes, Crawl-delay pacing, and slots a delayed site must not hold."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from crawlers.engine import Engine
from crawlers.fetch import Fetcher
from crawlers.robots import SitePolicy, robots_url
from crawlers.settings import CrawlSettings

UA = "LocalReachBot/0.1"


def policy() -> SitePolicy:
    return SitePolicy(asyncio.Semaphore(2))


def test_robots_url():
    assert robots_url("http", "example.org:8080") == "http://example.org:8080/robots.txt"


def test_rules_and_crawl_delay_are_read():
    site = policy()
    site.read_robots(200, b"User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n", None, UA, max_wait=30)
    assert site.can_fetch("http://a.example/ok", UA)
    assert not site.can_fetch("http://a.example/private/x", UA)
    assert site.delay == 2


def test_crawl_delay_is_capped_at_max_wait():
    site = policy()
    site.read_robots(200, b"User-agent: *\nCrawl-delay: 3600\n", None, UA, max_wait=30)
    assert site.delay == 30


@pytest.mark.parametrize("status, error, allowed", [
    (404, None, True),            # RFC 9309 2.3.1.3: unavailable, so everything is allowed
    (403, None, True),
    (500, None, False),           # 2.3.1.4: unreachable, so assume complete disallow
    (503, "HTTP 503", False),
    (0, "connection error: ConnectError", False),
])
def test_robots_fetch_outcomes(status, error, allowed):
    site = policy()
    site.read_robots(status, None, error, UA, max_wait=30)
    assert site.robots_loaded
    assert site.can_fetch("http://a.example/page", UA) is allowed


def test_pace_spaces_request_starts():
    site = policy()
    site.delay = 0.2

    async def go():
        loop = asyncio.get_running_loop()
        start = loop.time()
        waited = [await site.pace() for _ in range(3)]
        return waited, loop.time() - start
    waited, elapsed = asyncio.run(go())
    assert waited == [False, True, True]
    assert elapsed >= 0.38


def _mock_web(log: list[tuple[str, float]]):
    """Two public-looking sites on a mock transport: slow.example asks for a 0.3 s Crawl-delay."""
    loop_time = asyncio.get_running_loop().time

    def handler(request: httpx.Request) -> httpx.Response:
        log.append((f"{request.url.host}{request.url.path}", loop_time()))
        if request.url.path == "/robots.txt":
            delay = "Crawl-delay: 0.3\n" if request.url.host == "slow.example" else ""
            return httpx.Response(200, text="User-agent: *\n" + delay, headers={"Content-Type": "text/plain"})
        links = "".join(f'<a href="/p{n}">p{n}</a>' for n in range(6)) + '<a href="http://fast.example/">f</a>'
        return httpx.Response(200, text=f"<html><body>{links}</body></html>", headers={"Content-Type": "text/html"})

    return httpx.MockTransport(handler)


async def _public(host, port):
    return ["93.184.216.34"]


def test_crawl_delay_wait_holds_no_global_slot():
    """With one global slot, a site waiting out its Crawl-delay must let another site proceed."""
    settings = CrawlSettings(concurrency=1, per_host=2, retries=0)

    async def go():
        log: list[tuple[str, float]] = []
        async with Fetcher(settings, resolver=_public, transport=_mock_web(log)) as fetcher:
            await fetcher.allowed("http://slow.example/")
            await fetcher.allowed("http://fast.example/")
            start = asyncio.get_running_loop().time()
            slow = [asyncio.create_task(fetcher.fetch(f"http://slow.example/p{n}")) for n in range(3)]
            await asyncio.sleep(0)
            fast = [asyncio.create_task(fetcher.fetch(f"http://fast.example/p{n}")) for n in range(6)]
            await asyncio.gather(*slow, *fast)
        return [(path, t - start) for path, t in log if t >= start]

    served = asyncio.run(go())
    fast_done = max(t for path, t in served if path.startswith("fast"))
    slow_starts = sorted(t for path, t in served if path.startswith("slow"))
    assert fast_done < 0.2, "fast.example waited behind slow.example's Crawl-delay"
    assert slow_starts[1] - slow_starts[0] >= 0.28 and slow_starts[2] - slow_starts[1] >= 0.28


def test_engine_keeps_other_sites_busy_while_a_site_waits():
    """Jobs waiting out a Crawl-delay do not count against concurrency: a site found later still runs."""
    settings = CrawlSettings(concurrency=2, per_host=2, retries=0, max_guesses=0)

    async def go():
        log: list[tuple[str, float]] = []
        records = []

        async def emit(record):
            records.append((record.site, asyncio.get_running_loop().time()))

        async with Fetcher(settings, resolver=_public, transport=_mock_web(log)) as fetcher:
            engine = Engine(settings, fetcher, None, emit)
            start = asyncio.get_running_loop().time()
            await engine.run(["http://slow.example/"])
        return {site: t - start for site, t in records}, [(path, t - start) for path, t in log]

    finished, log = asyncio.run(go())
    slow = [t for path, t in log if path.startswith("slow") and not path.endswith("robots.txt")]
    # fast.example is found on slow.example's home page, when both slow slots start waiting 0.3 s.
    assert finished["http://fast.example"] < slow[0] + 0.2 < finished["http://slow.example"]
    assert all(b - a >= 0.28 for a, b in zip(slow, slow[1:], strict=False))

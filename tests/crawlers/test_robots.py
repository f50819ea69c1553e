"""Per-site politeness: robots.txt outcomes, Crawl-delay pacing, and slots a delayed site must not hold."""

from __future__ import annotations

import asyncio
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crawlers.engine import Engine
from crawlers.fetch import Fetcher
from crawlers.robots import SitePolicy, robots_url
from crawlers.settings import CrawlSettings
from tests.crawlers.conftest import serving

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
        waited = []
        for _ in range(3):
            waited.append(await site.wait_turn())
            site.started()
        return waited, loop.time() - start
    waited, elapsed = asyncio.run(go())
    assert waited == [False, True, True]
    assert elapsed >= 0.38


class _TwoSites(BaseHTTPRequestHandler):
    """slow.example and fast.example on one loopback port; slow.example asks for a 0.3 s Crawl-delay."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        host = self.headers["Host"].split(":")[0]
        self.server.log.append((f"{host}{self.path}", time.monotonic()))
        if self.path == "/robots.txt":
            body = ("User-agent: *\n" + ("Crawl-delay: 0.3\n" if host == "slow.example" else "")).encode()
            kind = "text/plain"
        else:
            links = "".join(f'<a href="/p{n}">p{n}</a>' for n in range(6))
            links += f'<a href="http://fast.example:{self.server.server_address[1]}/">f</a>'
            body, kind = f"<html><body>{links}</body></html>".encode(), "text/html"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def two_sites():
    """Two sites on loopback (resolved by a test resolver); yields (settings overrides, base URLs, log)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TwoSites)
    server.daemon_threads = True
    server.log = []
    with serving(server):
        yield server.server_address[1], server.log


async def _loopback(host, port):
    return ["127.0.0.1"]


def _settings(port: int, **kwargs) -> CrawlSettings:
    return CrawlSettings(allow_private=(f"127.0.0.1:{port}",), retries=0, **kwargs)


def test_crawl_delay_wait_holds_no_global_slot(two_sites):
    """With one global slot, a site waiting out its Crawl-delay must let another site proceed."""
    port, log = two_sites
    settings = _settings(port, concurrency=1, per_host=2)

    async def go():
        async with Fetcher(settings, resolver=_loopback) as fetcher:
            await fetcher.allowed(f"http://slow.example:{port}/")
            await fetcher.allowed(f"http://fast.example:{port}/")
            start = time.monotonic()
            slow = [asyncio.create_task(fetcher.fetch(f"http://slow.example:{port}/p{n}")) for n in range(3)]
            await asyncio.sleep(0)
            fast = [asyncio.create_task(fetcher.fetch(f"http://fast.example:{port}/p{n}")) for n in range(6)]
            results = await asyncio.gather(*slow, *fast)
        assert all(r.ok for r in results), [r.error for r in results]
        return [(path, t - start) for path, t in log if t >= start]

    served = asyncio.run(go())
    fast_done = max(t for path, t in served if path.startswith("fast"))
    slow_starts = sorted(t for path, t in served if path.startswith("slow"))
    assert fast_done < 0.2, "fast.example waited behind slow.example's Crawl-delay"
    assert slow_starts[1] - slow_starts[0] >= 0.28 and slow_starts[2] - slow_starts[1] >= 0.28


def test_engine_keeps_other_sites_busy_while_a_site_waits(two_sites):
    """Jobs waiting out a Crawl-delay do not count against concurrency: a site found later still runs."""
    port, served = two_sites
    settings = _settings(port, concurrency=2, per_host=2, max_guesses=0)

    async def go():
        records = []

        async def emit(record):
            records.append((record.site, time.monotonic()))

        async with Fetcher(settings, resolver=_loopback) as fetcher:
            engine = Engine(settings, fetcher, None, emit)
            start = time.monotonic()
            await engine.run([f"http://slow.example:{port}/"])
        return {site: t - start for site, t in records}, [(path, t - start) for path, t in served]

    finished, log = asyncio.run(go())
    slow = [t for path, t in log if path.startswith("slow") and not path.endswith("robots.txt")]
    # fast.example is found on slow.example's home page, when both slow slots start waiting 0.3 s.
    assert finished[f"http://fast.example:{port}"] < slow[0] + 0.2 < finished[f"http://slow.example:{port}"]
    assert all(b - a >= 0.28 for a, b in zip(slow, slow[1:], strict=False))


def test_crawl_delay_counts_from_the_robots_request(two_sites):
    """robots.txt is the site's first request, so the first page waits the delay after it."""
    port, log = two_sites

    async def go():
        async with Fetcher(_settings(port), resolver=_loopback) as fetcher:
            return await fetcher.fetch(f"http://slow.example:{port}/p0")

    assert asyncio.run(go()).ok
    (robots, robots_at), (page, page_at) = log
    assert (robots, page) == ("slow.example/robots.txt", "slow.example/p0")
    assert page_at - robots_at >= 0.28

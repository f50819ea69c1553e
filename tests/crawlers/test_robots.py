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


# These tests make the ordering they check certain instead of timing it: a waiting site is held
# at its turn (an asyncio.Event) until the other site has finished, so a wait that wrongly held a
# global slot deadlocks, and the guard below turns that into a failure. Pacing is read from the
# crawler's own start stamps (time.monotonic), which a loaded machine can only make later.
DEADLOCK_GUARD = 60  # seconds; only reached when the behaviour under test is broken


def _record_starts(policy: SitePolicy) -> list[float]:
    """Stamp each request start of one site (the instance's ``started`` is wrapped)."""
    stamps: list[float] = []
    original = policy.started

    def started() -> None:
        original()
        stamps.append(policy.next_start - policy.delay)

    policy.started = started  # type: ignore[method-assign]
    return stamps


def _spaced(stamps: list[float], delay: float) -> bool:
    return all(b - a >= delay - 1e-6 for a, b in zip(stamps, stamps[1:], strict=False))


def test_crawl_delay_wait_holds_no_global_slot(two_sites):
    """With one global slot, a site waiting out its Crawl-delay must let another site proceed."""
    port, _log = two_sites
    settings = _settings(port, concurrency=1, per_host=2)

    async def go():
        async with Fetcher(settings, resolver=_loopback) as fetcher:
            await fetcher.allowed(f"http://slow.example:{port}/")
            await fetcher.allowed(f"http://fast.example:{port}/")
            slow_policy = next(policy for policy in fetcher._sites.values() if policy.delay)
            slow_waiting, fast_done = asyncio.Event(), asyncio.Event()
            real_wait = slow_policy.wait_turn

            async def wait_turn() -> bool:
                slow_waiting.set()
                await fast_done.wait()  # the slow site waits at its turn until fast.example is done
                return await real_wait()

            slow_policy.wait_turn = wait_turn  # type: ignore[method-assign]
            slow_starts = _record_starts(slow_policy)
            async with asyncio.timeout(DEADLOCK_GUARD):
                slow = [asyncio.create_task(fetcher.fetch(f"http://slow.example:{port}/p{n}")) for n in range(3)]
                await slow_waiting.wait()
                fast = await asyncio.gather(*(fetcher.fetch(f"http://fast.example:{port}/p{n}") for n in range(6)))
                fast_done.set()
                slow_results = await asyncio.gather(*slow)
        return fast, slow_results, slow_starts

    # reaching here at all means fast.example ran all six while slow.example waited its turn
    fast, slow, slow_starts = asyncio.run(go())
    assert all(r.ok for r in fast + slow), [r.error for r in fast + slow]
    assert len(slow_starts) == 3
    assert _spaced(slow_starts, 0.3)


def test_engine_keeps_other_sites_busy_while_a_site_waits(two_sites, monkeypatch):
    """Jobs waiting out a Crawl-delay do not count against concurrency: a site found later still runs."""
    port, _served = two_sites
    settings = _settings(port, concurrency=2, per_host=2, max_guesses=0)
    fast_site = f"http://fast.example:{port}"
    real_wait = SitePolicy.wait_turn
    turns: list[bool] = []

    async def go():
        records = []
        fast_emitted = asyncio.Event()

        async def wait_turn(policy: SitePolicy) -> bool:
            turns.append(fast_emitted.is_set())
            if len(turns) > 1:  # slow.example's pages after its home page wait until fast.example is done
                await fast_emitted.wait()
            return await real_wait(policy)

        monkeypatch.setattr(SitePolicy, "wait_turn", wait_turn)

        async def emit(record):
            records.append(record.site)
            if record.site == fast_site:
                fast_emitted.set()

        async with Fetcher(settings, resolver=_loopback) as fetcher:
            engine = Engine(settings, fetcher, None, emit)
            async with asyncio.timeout(DEADLOCK_GUARD):
                await engine.run([f"http://slow.example:{port}/"])
        return records

    records = asyncio.run(go())
    # fast.example is found on slow.example's home page, while slow.example's page jobs wait their turn
    assert records == [fast_site, f"http://slow.example:{port}"]
    assert len(turns) == 7  # the home page and p0..p5 each waited their turn


def test_crawl_delay_counts_from_the_robots_request(two_sites, monkeypatch):
    """robots.txt is the site's first request, so the first page waits the delay after it."""
    port, log = two_sites
    stamps: list[float] = []
    real_started = SitePolicy.started

    def started(policy: SitePolicy) -> None:
        real_started(policy)
        stamps.append(policy.next_start - policy.delay)

    monkeypatch.setattr(SitePolicy, "started", started)

    async def go():
        async with Fetcher(_settings(port), resolver=_loopback) as fetcher:
            return await fetcher.fetch(f"http://slow.example:{port}/p0")

    assert asyncio.run(go()).ok
    assert [path for path, _at in log] == ["slow.example/robots.txt", "slow.example/p0"]
    assert len(stamps) == 2
    # the page started at least the delay after robots.txt's answer, so after its start too
    assert stamps[1] - stamps[0] >= 0.3 - 1e-6

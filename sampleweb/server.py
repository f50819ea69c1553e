"""Threaded loopback servers for the sample web, one port per site."""

from __future__ import annotations

import gzip
import hashlib
import logging
import random
import re
import socket
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.robotparser import RobotFileParser

import brotli

from sampleweb.render import render
from sampleweb.sites import SITES, Site

logger = logging.getLogger(__name__)

__all__ = ["GroundTruth", "SampleWeb", "ground_truth", "serve", "site_urls"]

SEEDS = ("council", "sussex-express", "ringmer-parish")
#: Rendered responses kept by a running sample web (each is a few kilobytes).
MAX_CACHED = 4096
#: How late an arrival may be stamped: the handler thread takes its time stamp once it holds
#: the GIL, which the crawler in the same process may keep for a switch interval (5 ms) or a
#: few under load, so a gap between two arrivals can look that much shorter than the gap
#: between the two sends. (Unpaced requests arrive a millisecond or two apart.)
ARRIVAL_JITTER = 0.02


@dataclass(frozen=True)
class GroundTruth:
    """What a correct crawler should conclude about one sample site."""

    name: str
    local: bool
    platform: str
    main_feed: str | None
    feeds: frozenset[str]
    comments_feeds: frozenset[str]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def site_urls(host: str, first_port: int) -> dict[str, str]:
    """Return site name → base URL for a sample web whose first site listens on ``first_port``."""
    return {site.name: f"http://{host}:{first_port + i}" for i, site in enumerate(SITES)}


def ground_truth(urls: dict[str, str]) -> dict[str, GroundTruth]:
    """Site URL (no trailing slash) → what a crawler should find there.

    Args:
        urls: site name → base URL, as from :func:`site_urls`.

    Returns:
        The ground truth per site.
    """
    truth = {}
    for site in SITES:
        base = urls[site.name]
        posts = [p for p, k in site.feeds.items() if not k.endswith("comments")]
        comments = [base + p for p, k in site.feeds.items() if k.endswith("comments")]
        feeds = {base + p for p in site.feeds} | {base + a for a in site.aliases}
        truth[base] = GroundTruth(site.name, site.local, site.platform,
                                  base + posts[0] if posts else None, frozenset(feeds), frozenset(comments))
    return truth


def _handler(web: SampleWeb, site: Site):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "SampleWeb/1.0"
        # Headers and body go out in one write, as real servers send a small response: two
        # writes with Nagle's algorithm on make the body wait for the client's delayed ACK.
        disable_nagle_algorithm = True

        def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
            logger.debug("%s %s", site.name, format % args)

        def do_GET(self):  # noqa: N802 - name fixed by the base class
            received = time.monotonic()
            with web.lock:
                web.requests.append((site.name, self.path))
                web.log.append((site.name, self.path, received))
                web.inflight[site.name] = web.inflight.get(site.name, 0) + 1
                web.peak_inflight[site.name] = max(web.peak_inflight.get(site.name, 0), web.inflight[site.name])
            try:
                reply = self._answer(received)
            finally:
                # Counted out before the reply is written: the client holds its slot until it has
                # read the reply, so this count never runs ahead of the client's own, however
                # late this thread is scheduled (a count taken after the write could).
                with web.lock:
                    web.inflight[site.name] -= 1
            self.wfile.write(reply)

        def _answer(self, received: float) -> bytes:
            accept = self.headers.get("Accept-Encoding", "")
            encoding = site.encoding if site.encoding and site.encoding in accept else ""
            status, headers, body = web.response(site, self.path, encoding)
            if "ETag" in headers and self.headers.get("If-None-Match") == headers["ETag"]:
                status, headers, body = 304, {"ETag": headers["ETag"]}, b""
            head = [f"HTTP/1.1 {status} {self.responses[status][0]}", f"Server: {self.version_string()}",
                    f"Date: {self.date_time_string()}", *(f"{name}: {value}" for name, value in headers.items()),
                    f"Content-Length: {len(body)}", "", ""]
            if web.latency:
                # The response leaves ``latency`` after the request arrived: the injected latency
                # includes this server's own time, so concurrency / latency is a reachable bound.
                time.sleep(max(0.0, web.latency - (time.monotonic() - received)))
            return "\r\n".join(head).encode("latin-1") + body

    return Handler


def _bind_block(host: str, first_port: int, count: int) -> list[_Server]:
    """Bind ``count`` consecutive ports, from ``first_port`` or a free block found by the OS."""
    for attempt in range(50):
        # The OS's free port first; then blocks below the ephemeral range, which a busy machine
        # (thousands of client sockets in TIME_WAIT) may have fragmented.
        start = first_port or (_free_port(host) if attempt < 10 else random.randrange(20000, 32000))
        servers: list[_Server] = []
        try:
            for offset in range(count):
                servers.append(_Server((host, start + offset), BaseHTTPRequestHandler))
            return servers
        except OSError:
            for server in servers:
                server.server_close()
            if first_port:
                raise
    raise OSError("no block of free consecutive ports found")


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port = probe.getsockname()[1]
    return port if port + len(SITES) < 65535 else 20000


class SampleWeb:
    """The running sample web. Use :func:`serve` to start one."""

    def __init__(self, host: str = "127.0.0.1", first_port: int = 0, latency: float = 0.0) -> None:
        self.host, self.latency = host, latency
        self.now = datetime.now(UTC)
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str]] = []
        #: (site, path, arrival time) of every request since the last reset(), for politeness().
        self.log: list[tuple[str, str, float]] = []
        self.inflight: dict[str, int] = {}
        self.peak_inflight: dict[str, int] = {}
        self._responses: dict[tuple[str, str, str], tuple[int, dict[str, str], bytes]] = {}
        self._servers = _bind_block(host, first_port, len(SITES))
        self.first_port = self._servers[0].server_address[1]
        self.last_port = self._servers[-1].server_address[1]
        self.urls = site_urls(host, self.first_port)
        self._threads = []
        for site, server in zip(SITES, self._servers, strict=True):
            server.RequestHandlerClass = _handler(self, site)
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                                      name=f"sampleweb-{site.name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def response(self, site: Site, path: str, encoding: str) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for one path, rendered and compressed once (pages never change).

        Real servers answer in well under a millisecond of their own CPU; re-rendering and
        re-compressing every response here would make the sample web, not the crawler under
        test, the bottleneck of a benchmark. Bounded, so soft-404 sites cannot grow it forever.
        """
        key = (site.name, path, encoding)
        cached = self._responses.get(key)
        if cached is None:
            status, content_type, body = render(site, path, self.urls, self.now)
            if status in (301, 302):
                cached = (status, {"Location": content_type}, b"")
            else:
                headers = {"Content-Type": content_type,
                           "ETag": '"' + hashlib.sha256(body).hexdigest()[:16] + '"'}
                if encoding:
                    body = gzip.compress(body) if encoding == "gzip" else brotli.compress(body)
                    headers["Content-Encoding"] = encoding
                cached = (status, headers, body)
            if len(self._responses) >= MAX_CACHED:
                self._responses.clear()
            self._responses[key] = cached
        return cached

    def reset(self) -> None:
        """Forget the requests seen so far (before a crawl whose politeness is checked)."""
        with self.lock:
            self.requests.clear()
            self.log.clear()
            self.peak_inflight.clear()

    def politeness(self) -> dict:
        """How the requests since :meth:`reset` treated each site's robots.txt and capacity.

        Returns:
            ``sites`` requested; ``robots_first``: sites whose first request was robots.txt;
            ``disallowed``: requests robots.txt forbids; ``peak_per_site``: most requests one
            site had in flight; ``delay_kept``: delayed sites whose request arrivals were all at
            least the Crawl-delay apart, less ARRIVAL_JITTER (robots.txt included); ``delayed``:
            such sites.
        """
        with self.lock:
            log, peaks = list(self.log), dict(self.peak_inflight)
        by_site: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for name, path, at in log:
            by_site[name].append((path, at))
        sites = {site.name: site for site in SITES}
        report = {"sites": len(by_site), "robots_first": 0, "disallowed": 0,
                  "peak_per_site": max(peaks.values(), default=0), "delayed": 0, "delay_kept": 0}
        for name, hits in by_site.items():
            rules = RobotFileParser()
            rules.parse((sites[name].robots or "User-agent: *\nAllow: /\n").splitlines())
            report["robots_first"] += hits[0][0] == "/robots.txt"
            report["disallowed"] += sum(not rules.can_fetch("LocalReach", path) for path, _at in hits)
            # RobotFileParser reads whole seconds only; the sample web asks for fractions.
            delay = next((float(v) for v in re.findall(r"(?im)^crawl-delay:\s*([0-9.]+)", sites[name].robots)), 0.0)
            if delay:
                arrivals = sorted(at for _path, at in hits)
                report["delayed"] += 1
                report["delay_kept"] += all(b - a >= delay - ARRIVAL_JITTER
                                            for a, b in zip(arrivals, arrivals[1:], strict=False))
        return report

    def url_for(self, site_name: str) -> str:
        """Return a site's home page URL."""
        return self.urls[site_name] + "/"

    @property
    def seeds(self) -> list[str]:
        """The council directory, the local paper and a parish links page."""
        return [self.url_for(name) for name in SEEDS]

    @property
    def allow_private(self) -> str:
        """The ``--allow-private`` value covering every sample site."""
        return f"{self.host}:{self.first_port}-{self.last_port}"

    @property
    def ground_truth(self) -> dict[str, GroundTruth]:
        """Site URL (no trailing slash) → what a crawler should find there."""
        return ground_truth(self.urls)

    def stop(self) -> None:
        """Shut every server down and wait for their threads."""
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> SampleWeb:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def serve(host: str = "127.0.0.1", first_port: int = 0, latency: float = 0.0) -> SampleWeb:
    """Start the sample web in background threads.

    Args:
        host: loopback address to listen on.
        first_port: first of the consecutive ports (0: find a free block).
        latency: seconds each response is delayed (for benchmarks).

    Returns:
        The running :class:`SampleWeb` (a context manager; call ``stop()`` otherwise).
    """
    return SampleWeb(host, first_port, latency)

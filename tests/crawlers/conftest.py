"""Fixtures for the crawler tests: the sample web and a hostile loopback server.

The autouse network guard in tests/conftest.py refuses any non-loopback connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import socketserver
import struct
import threading
import time
from pathlib import Path

import pytest

import sampleweb
from crawlers.settings import CrawlSettings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "crawlers"
FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile test feed</title>'
    b"<item><title>One</title><link>http://x/1</link><pubDate>Mon, 02 Jun 2025 10:00:00 GMT</pubDate></item>"
    b"</channel></rss>"
)


def _response(status: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class HostileHandler(socketserver.BaseRequestHandler):
    """Misbehaves according to the request path."""

    def handle(self) -> None:
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            data += chunk
        request_line, *header_lines = data.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
        path = request_line.split(" ")[1]
        headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
        self.server.log.append((path, headers))
        route = getattr(self, "route_" + path.strip("/").split("?")[0].replace("-", "_").replace(".", "_"), None)
        if self.server.moved_to and path != "/robots.txt":
            route = self.route_moved
        try:
            (route or self.route_page)(path, headers)
        except OSError:
            pass

    def send(self, status, headers, body=b""):
        self.request.sendall(_response(status, {"Connection": "close", **headers}, body))

    def route_robots_txt(self, path, headers):
        if self.server.robots is None:
            self.send("503 Service Unavailable", {"Content-Length": "0"})
            return
        body = self.server.robots.encode()
        self.send("200 OK", {"Content-Type": "text/plain", "Content-Length": str(len(body))}, body)

    def route_moved(self, path, headers):
        self.send("301 Moved Permanently", {"Location": self.server.moved_to + path, "Content-Length": "0"})

    def route_page(self, path, headers):
        body = (self.server.page or "<html><head><title>ok</title></head><body><a href='/secret/x'>s</a></body></html>"
                ).encode()
        self.send("200 OK", {"Content-Type": "text/html", "Content-Length": str(len(body))}, body)

    def route_feed(self, path, headers):
        if headers.get("if-none-match") == '"v1"':
            self.send("304 Not Modified", {"ETag": '"v1"', "Content-Length": "0"})
            return
        self.send("200 OK", {"Content-Type": "application/rss+xml", "ETag": '"v1"',
                             "Last-Modified": "Mon, 02 Jun 2025 10:00:00 GMT", "Content-Length": str(len(FEED))}, FEED)

    def route_slow(self, path, headers):
        self.request.sendall(_response("200 OK", {"Content-Type": "text/html", "Content-Length": "1000"}))
        for _ in range(100):
            self.request.sendall(b"x")
            time.sleep(0.1)

    def route_endless(self, path, headers):
        self.request.sendall(_response("200 OK", {"Content-Type": "text/html"}))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            self.request.sendall(b"<p>" + b"a" * 65536)

    def route_bomb(self, path, headers):
        coding = path.rsplit("=", 1)[1]
        body = (FIXTURES / "compressed" / f"bomb-{coding}.bin").read_bytes()
        self.send("200 OK", {"Content-Type": "text/html", "Content-Encoding": coding,
                             "Content-Length": str(len(body))}, body)

    def route_gzipped(self, path, headers):
        body = gzip.compress(FEED)
        self.send("200 OK", {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip",
                             "Content-Length": str(len(body))}, body)

    def route_loop(self, path, headers):
        self.send("302 Found", {"Location": "/loop2", "Content-Length": "0"})

    def route_loop2(self, path, headers):
        self.send("302 Found", {"Location": "/loop", "Content-Length": "0"})

    def route_redirect(self, path, headers):
        self.send("302 Found", {"Location": path.split("to=", 1)[1], "Content-Length": "0"})

    def route_reset(self, path, headers):
        self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.request.close()

    def route_huge_headers(self, path, headers):
        self.send("200 OK", {"Content-Type": "text/html", "X-Padding": "a" * 200_000, "Content-Length": "2"}, b"ok")

    def route_busy(self, path, headers):
        self.server.busy_count += 1
        if self.server.busy_count <= 2:
            self.send("503 Service Unavailable", {"Retry-After": "0", "Content-Length": "0"})
        else:
            self.route_feed(path, headers)

    def route_untyped(self, path, headers):
        self.send("200 OK", {"Content-Length": "7"}, b"untyped")

    def route_charset(self, path, headers):
        self.send("200 OK", {"Content-Type": "Text/HTML ; charset=utf-8", "Content-Length": "2"}, b"ok")

    def route_located(self, path, headers):
        """A 200 that also carries a Location header: it is the page, not a redirect."""
        self.send("200 OK", {"Content-Type": "text/html", "Location": "/page", "Content-Length": "4"}, b"here")

    def route_chunked(self, path, headers):
        """A body in chunks of 1,000 bytes, no Content-Length: ``?n=COUNT`` chunks of a, b, c…."""
        count = int(path.split("n=", 1)[1])
        self.request.sendall(_response("200 OK", {"Content-Type": "text/html", "Transfer-Encoding": "chunked",
                                                  "Connection": "close"}))
        for n in range(count):
            self.request.sendall(b"3e8\r\n" + bytes([97 + n % 26]) * 1000 + b"\r\n")
            time.sleep(0.01)  # each chunk its own read
        self.request.sendall(b"0\r\n\r\n")

    def route_limited(self, path, headers):
        self.send("429 Too Many Requests", {"Retry-After": "3", "Content-Length": "0"})

    def route_stall(self, path, headers):
        """Headers, then nothing for longer than a read timeout."""
        self.request.sendall(_response("200 OK", {"Content-Type": "text/html", "Content-Length": "10"}))
        time.sleep(1.5)

    def route_image(self, path, headers):
        self.request.sendall(_response("200 OK", {"Content-Type": "image/png", "Content-Length": "50000000"}))
        self.request.sendall(b"\x89PNG" + b"\0" * 65536)


class HostileServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), HostileHandler)
        self.log: list[tuple[str, dict]] = []
        #: robots.txt as served (None: it answers 503, which means "crawl nothing").
        self.robots: str | None = "User-agent: *\nDisallow: /secret/\n"
        self.busy_count = 0
        #: HTML served for any path without a route of its own (None: a page linking /secret/x).
        self.page: str | None = None
        #: When set, every path but robots.txt redirects there (a site that moved, as http:// to https://).
        self.moved_to: str | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def allow(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"

    def paths(self) -> list[str]:
        return [path for path, _headers in self.log]


@contextlib.contextmanager
def serving(server: socketserver.BaseServer):
    """Run a test server in a background thread; shut it down and close it afterwards."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def hostile():
    """A loopback server that misbehaves on purpose (see HostileHandler)."""
    with serving(HostileServer()) as server:
        yield server


@pytest.fixture
def tight(hostile) -> CrawlSettings:
    """Settings with short limits, allowing only the hostile server."""
    return CrawlSettings(timeout=0.5, total_deadline=1.5, max_body_bytes=200_000, max_redirects=3,
                         retries=1, backoff=0.01, allow_private=(hostile.allow,))


@pytest.fixture(scope="session")
def web():
    """The sample web, started once per test session."""
    with sampleweb.serve() as running:
        yield running


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """Record the fetcher's backoff sleeps instead of sleeping them."""
    import crawlers.fetch

    recorded: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(seconds: float, *args: object) -> None:
        recorded.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(crawlers.fetch.asyncio, "sleep", sleep)
    return recorded

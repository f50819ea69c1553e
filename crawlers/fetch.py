"""The crawler's only network I/O: polite, bounded, address-guarded HTTP fetching.

One :class:`Fetcher` per crawl run. It keeps one keep-alive HTTP client, a global
concurrency limit and per-site limits (a site is scheme + host + port), reads each
site's robots.txt once and honours it (disallowed URLs are never requested, and
``Crawl-delay`` spaces requests), retries 429/503/connection errors with backoff,
follows redirects by hand (each hop re-checked) and never lets a response exceed its
time or size budget. The address guard runs inside the connection backend, so the
socket connects to the address that was vetted, whatever DNS says a moment later.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from dataclasses import dataclass, field

import httpcore
import httpx
from protego import Protego

from crawlers.addresses import AddressRefused, parse_allow_list, vet_host
from crawlers.bodies import BodyTooLarge, DecodeError, decode_body
from crawlers.settings import CrawlSettings

logger = logging.getLogger(__name__)

__all__ = ["FetchResult", "Fetcher", "check_url", "system_resolve"]

#: Content types worth downloading; anything else is dropped after the headers.
WANTED_TYPES = frozenset({
    "text/html", "application/xhtml+xml", "application/rss+xml", "application/atom+xml",
    "application/rdf+xml", "application/xml", "text/xml", "application/feed+json",
    "application/json", "text/plain", "application/x-rss+xml", "application/x-atom+xml", "",
})
RETRY_STATUSES = frozenset({429, 503})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: robots.txt larger than this is truncated (Google reads the first 500 KiB).
ROBOTS_MAX_BYTES = 500 * 1024
ACCEPT = "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.5"


async def system_resolve(host: str, port: int) -> list[str]:
    """Resolve a host name with the system resolver.

    Args:
        host: a DNS name.
        port: the TCP port (some resolvers filter by service).

    Returns:
        IP address strings, in resolver order.
    """
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


def check_url(url: str) -> httpx.URL:
    """Parse a URL and refuse anything but a plain http(s) URL with a host.

    Args:
        url: the absolute URL text.

    Returns:
        The parsed URL.

    Raises:
        AddressRefused: for other schemes, credentials, whitespace or odd syntax.
    """
    if not url or any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in url):
        raise AddressRefused(f"URL {url[:80]!r} contains whitespace, controls or backslashes")
    try:
        parsed = httpx.URL(url)
        port = parsed.port
    except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
        raise AddressRefused(f"URL {url[:80]!r} cannot be parsed: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise AddressRefused(f"URL {url[:80]!r} is not an http(s) URL with a host")
    if parsed.userinfo:
        raise AddressRefused(f"URL {url[:80]!r} carries credentials")
    if port is not None and not 0 < port < 65536:
        raise AddressRefused(f"URL {url[:80]!r} has a bad port")
    return parsed


@dataclass
class FetchResult:
    """What one fetch produced; ``error`` is set instead of raising."""

    url: str
    final_url: str = ""
    status: int = 0
    content_type: str = ""
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    error: str | None = None
    skipped: str | None = None
    redirects: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True for a 2xx response with a body that was kept."""
        return self.error is None and self.skipped is None and 200 <= self.status < 300


@dataclass
class _Site:
    slots: asyncio.Semaphore
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    delay_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    robots: Protego | None = None
    robots_loaded: bool = False
    deny_all: bool = False
    delay: float = 0.0
    next_start: float = 0.0


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Network backend that vets every connection's address and connects to that IP."""

    def __init__(self, fetcher: Fetcher) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._fetcher = fetcher

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        address = await self._fetcher.vet(host, port)
        return await self._inner.connect_tcp(
            address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are never used by the crawler")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class _GuardedTransport(httpx.AsyncHTTPTransport):
    def __init__(self, fetcher: Fetcher, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedBackend(fetcher),
        )


class Fetcher:
    """Polite, bounded HTTP fetching for one crawl run (use as ``async with``)."""

    def __init__(self, settings: CrawlSettings, resolver=None, transport=None) -> None:
        self.settings = settings
        self.rules = parse_allow_list(settings.allow_private)
        self._resolve = resolver or system_resolve
        self._dns: dict[tuple[str, int], str] = {}
        self._sites: dict[tuple[str, str, int], _Site] = {}
        self._global = asyncio.Semaphore(settings.concurrency)
        self._transport = transport
        # One small client per site: httpcore's pool scans every connection on each request,
        # so a single pool over all sites costs O(sites) CPU per request.
        self._clients: dict[tuple[str, str, int], httpx.AsyncClient] = {}
        self.client = self._new_client(settings.concurrency)
        self.requests = 0
        self.errors = 0

    def _new_client(self, connections: int) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        return httpx.AsyncClient(
            transport=self._transport or _GuardedTransport(self, limits),
            timeout=httpx.Timeout(self.settings.timeout), follow_redirects=False, trust_env=False,
            headers={"User-Agent": self.settings.user_agent, "Accept": ACCEPT,
                     "Accept-Encoding": "gzip, deflate, br, zstd"},
        )

    def _client_for(self, url: httpx.URL) -> httpx.AsyncClient:
        key = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        if key not in self._clients:
            self._clients[key] = self._new_client(self.settings.per_host)
        return self._clients[key]

    async def close_site(self, site: str) -> None:
        """Close the keep-alive connections of a finished site (``scheme://host[:port]``)."""
        url = httpx.URL(site)
        client = self._clients.pop((url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80)), None)
        if client is not None:
            await client.aclose()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info) -> None:
        for client in [self.client, *self._clients.values()]:
            await client.aclose()
        self._clients.clear()

    async def vet(self, host: str, port: int) -> str:
        """Resolve ``host`` once per run and return its vetted IP (see addresses.py)."""
        key = (host, port)
        if key not in self._dns:
            self._dns[key] = await vet_host(host, port, self.rules, self._resolve)
        return self._dns[key]

    def _site(self, url: httpx.URL) -> _Site:
        key = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        if key not in self._sites:
            self._sites[key] = _Site(asyncio.Semaphore(self.settings.per_host),
                                     delay=self.settings.per_host_delay)
        return self._sites[key]

    async def allowed(self, url: str) -> bool:
        """Tell whether robots.txt lets this crawler fetch ``url`` (reads it once per site).

        Args:
            url: an absolute http(s) URL.

        Returns:
            False when robots.txt disallows it or the URL is refused outright.
        """
        try:
            parsed = check_url(url)
        except AddressRefused:
            return False
        site = self._site(parsed)
        async with site.robots_lock:
            if not site.robots_loaded:
                await self._load_robots(parsed, site)
        if site.deny_all:
            return False
        return site.robots is None or site.robots.can_fetch(url, self.settings.user_agent)

    async def _load_robots(self, url: httpx.URL, site: _Site) -> None:
        robots_url = str(url.copy_with(path="/robots.txt", query=None, fragment=None))
        result = await self._fetch_hops(robots_url, limit=ROBOTS_MAX_BYTES, robots=False)
        site.robots_loaded = True
        if result.ok:
            text = result.body.decode("utf-8", "replace")
            site.robots = Protego.parse(text)
            delay = site.robots.crawl_delay(self.settings.user_agent)
            if delay:
                site.delay = max(site.delay, min(float(delay), self.settings.max_wait))
        elif result.status >= 500 or (result.error and not result.status):
            # RFC 9309 §2.3.1.4: an unreachable robots.txt means "assume complete disallow".
            site.deny_all = True
            logger.info("robots.txt for %s unreachable (%s): site skipped", url.host, result.error)

    async def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None,
                    wanted_types: frozenset[str] = WANTED_TYPES) -> FetchResult:
        """Fetch one URL politely; never raises for network or content problems.

        Args:
            url: absolute http(s) URL.
            etag: previous ETag, sent as If-None-Match.
            last_modified: previous Last-Modified, sent as If-Modified-Since.
            wanted_types: content types whose bodies are downloaded.

        Returns:
            A :class:`FetchResult`; ``error`` or ``skipped`` explain any failure.
        """
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        result = await self._fetch_hops(url, headers=headers, wanted_types=wanted_types)
        if result.error:
            self.errors += 1
        return result

    async def _fetch_hops(self, url: str, headers=None, limit=None, robots=True,
                          wanted_types=WANTED_TYPES) -> FetchResult:
        result = FetchResult(url=url)
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            try:
                parsed = check_url(current)
                await self.vet(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80))
                if robots and not await self.allowed(current):
                    result.skipped = "disallowed by robots.txt"
                    return result
            except AddressRefused as exc:
                result.error = f"refused: {exc}"
                return result
            await self._attempt(parsed, result, headers or {}, limit, wanted_types)
            location = result.__dict__.pop("_location", None)
            if location is None:
                return result
            result.redirects.append(current)
            current = str(parsed.join(location))
        result.error = f"too many redirects (more than {self.settings.max_redirects})"
        return result

    async def _attempt(self, url: httpx.URL, result: FetchResult, headers, limit, wanted_types) -> None:
        site = self._site(url)
        for attempt in range(self.settings.retries + 1):
            result.error = None
            wait = await self._request(url, site, result, headers, limit, wanted_types)
            if wait is None or attempt == self.settings.retries:
                return
            await asyncio.sleep(wait or self.settings.backoff * 2 ** attempt)

    async def _pace(self, site: _Site) -> None:
        async with site.delay_lock:
            now = time.monotonic()
            if site.next_start > now:
                await asyncio.sleep(site.next_start - now)
            site.next_start = max(now, site.next_start) + site.delay

    async def _request(self, url, site, result, headers, limit, wanted_types) -> float | None:
        """Send one request; return a wait in seconds when it should be retried."""
        async with site.slots, self._global:
            await self._pace(site)
            self.requests += 1
            try:
                async with asyncio.timeout(self.settings.total_deadline):
                    return await self._exchange(url, result, headers, limit, wanted_types)
            except TimeoutError:
                result.error = f"deadline of {self.settings.total_deadline}s exceeded"
            except httpx.TimeoutException as exc:
                result.error = f"timeout: {type(exc).__name__}"
            except AddressRefused as exc:
                result.error = f"refused: {exc}"
            except (BodyTooLarge, DecodeError) as exc:
                result.error = str(exc)
            except (httpx.TransportError, httpx.InvalidURL) as exc:
                result.error = f"connection error: {type(exc).__name__}: {exc}"[:300]
                return 0.0
        return None

    async def _exchange(self, url, result, headers, limit, wanted_types) -> float | None:
        limit = limit or self.settings.max_body_bytes
        async with self._client_for(url).stream("GET", url, headers=headers) as response:
            result.status = response.status_code
            result.final_url = str(url)
            result.content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            result.etag = response.headers.get("etag")
            result.last_modified = response.headers.get("last-modified")
            if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
                result.__dict__["_location"] = response.headers["location"]
                return None
            if response.status_code in RETRY_STATUSES:
                result.error = f"HTTP {response.status_code}"
                return _retry_after(response.headers.get("retry-after"), self.settings.max_wait)
            if response.status_code == 304:
                result.not_modified = True
                return None
            if result.content_type not in wanted_types:
                result.skipped = f"content type {result.content_type!r} not wanted"
                return None
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise BodyTooLarge(f"declared length {declared} exceeds {limit} bytes")
            chunks, total = [], 0
            async for chunk in response.aiter_raw():
                total += len(chunk)
                if total > limit:
                    raise BodyTooLarge(f"body exceeds {limit} bytes")
                chunks.append(chunk)
        result.body = decode_body(b"".join(chunks), response.headers.get("content-encoding", ""), limit)
        return None


def _retry_after(value: str | None, max_wait: float) -> float:
    """Seconds to wait from Retry-After (0 = use backoff; HTTP dates mean ``max_wait``)."""
    if value and value.strip().isdigit():
        return min(float(value.strip()), max_wait)
    return max_wait if value else 0.0

"""The crawler's only network I/O: polite, bounded, address-guarded HTTP fetching.

One :class:`Fetcher` per crawl run. It keeps a global concurrency limit and per-site
limits (a site is scheme + host + port), reads each site's robots.txt once and honours
it (disallowed URLs are never requested, and ``Crawl-delay`` spaces requests; see
robots.py), retries 429/503/connection errors with backoff, follows redirects by hand
(each hop re-checked) and never lets a response exceed its time or size budget. The
address guard also runs inside the connection layer (connections.py), so a socket
connects only to an address that was vetted, whatever DNS says a moment later.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from crawlers.addresses import URL_ERRORS, AddressRefused, check_url, parse_allow_list, vet_host
from crawlers.bodies import BodyTooLarge, DecodeError, decode_body
from crawlers.connections import DEFAULT_PORTS, TRANSPORT_ERRORS, SiteClients, site_key, system_resolve
from crawlers.robots import ROBOTS_MAX_BYTES, SitePolicy, robots_url
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
#: Looks a host up: (host, port) -> IP address strings (tests pass one that answers loopback).
Resolver = Callable[[str, int], Awaitable[list[str]]]
Headers = dict[str, str]

ACCEPT = "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.5"


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
    #: Why the address guard refused the URL ("private", "unresolvable", "malformed"), if it did.
    refused: str | None = None
    #: The body was larger than the limit (so it was not read).
    too_large: bool = False

    @property
    def ok(self) -> bool:
        """True for a 2xx response with a body that was kept."""
        return self.error is None and self.skipped is None and 200 <= self.status < 300


class Fetcher:
    """Polite, bounded HTTP fetching for one crawl run (use as ``async with``).

    ``pacing`` counts requests waiting for their site's Crawl-delay turn: they hold one
    of that site's slots but no global slot, so a scheduler may start other work.
    """

    def __init__(self, settings: CrawlSettings, resolver: Resolver | None = None) -> None:
        self.settings = settings
        self.rules = parse_allow_list(settings.allow_private)
        self._resolve = resolver or system_resolve
        self._dns: dict[tuple[str, int], str] = {}
        self._sites: dict[tuple[str, str, int], SitePolicy] = {}
        self._global = asyncio.Semaphore(settings.concurrency)
        headers = {"User-Agent": settings.user_agent, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate, br, zstd"}
        #: The per-site connection pools (requests sent on them directly skip robots.txt and pacing).
        self.connections = SiteClients(self.vet, settings.timeout, headers, settings.per_host)
        self.requests = 0
        #: Seconds of request slots held, summed over requests (for benchmarks: mean time per request).
        self.slot_seconds = 0.0
        #: Requests holding a global slot now.
        self.in_flight = 0
        #: When a benchmark sets this to a list, every change of ``in_flight`` is appended to it
        #: as (loop time, in flight); off by default, since a long crawl would grow it without bound.
        self.occupancy: list[tuple[float, int]] | None = None
        self.errors = 0
        self.pacing = 0
        #: Called when a request starts waiting for its site's turn (the engine's wake-up).
        self.on_pace: Callable[[], None] | None = None

    async def close_site(self, site: str) -> None:
        """Close the keep-alive connections of a finished site (``scheme://host[:port]``)."""
        await self.connections.close_site(site)

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.connections.aclose()

    async def vet(self, host: str, port: int) -> str:
        """Resolve ``host`` once per run and return its vetted IP (see addresses.py)."""
        key = (host, port)
        if key not in self._dns:
            address = await vet_host(host, port, self.rules, self._resolve)
            self.connections.approve(address, port)
            self._dns[key] = address
        return self._dns[key]

    def _site(self, url: httpx.URL) -> SitePolicy:
        key = site_key(url)
        if key not in self._sites:
            self._sites[key] = SitePolicy(asyncio.Semaphore(self.settings.per_host),
                                          delay=self.settings.per_host_delay)
        return self._sites[key]

    def crawl_delay(self, site: str) -> float:
        """Seconds between request starts on ``site`` (``scheme://host[:port]``): Crawl-delay or the setting."""
        try:
            policy = self._sites.get(site_key(httpx.URL(site)))
        except URL_ERRORS:
            return 0.0
        return policy.delay if policy is not None else 0.0

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
        return await self._allowed(parsed, url)

    async def _allowed(self, parsed: httpx.URL, url: str) -> bool:
        site = self._site(parsed)
        if not site.robots_loaded:
            async with site.robots_lock:
                if not site.robots_loaded:
                    netloc = parsed.netloc.decode("ascii")
                    result = await self._fetch_hops(robots_url(parsed.scheme, netloc),
                                                    limit=ROBOTS_MAX_BYTES, robots=False)
                    if result.too_large:
                        # Rules past the cap would be lost and the rest cannot be trusted to be
                        # complete: skip the site rather than crawl what it may forbid.
                        site.robots_loaded = site.deny_all = True
                        logger.info("robots.txt for %s is over %d bytes: site skipped", parsed.host,
                                    ROBOTS_MAX_BYTES)
                    else:
                        site.read_robots(result.status, result.body if result.ok else None, result.error,
                                         self.settings.user_agent, self.settings.max_wait, parsed.host)
        return site.can_fetch(url, self.settings.user_agent)

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
            # Debug: a failed page is routine in a crawl and counted in its figures (the
            # engine logs a summary); this line is for following one site's failures.
            self.errors += 1
            logger.debug("fetch %.200s failed: %s", url, result.error)
        return result

    async def _fetch_hops(self, url: str, headers: Headers | None = None, limit: int | None = None,
                          robots: bool = True, wanted_types: frozenset[str] = WANTED_TYPES) -> FetchResult:
        result = FetchResult(url=url)
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            try:
                parsed = check_url(current)
                await self.vet(parsed.host, parsed.port or DEFAULT_PORTS[parsed.scheme])
                if robots and not await self._allowed(parsed, current):
                    result.skipped = "disallowed by robots.txt"
                    return result
            except AddressRefused as exc:
                result.error, result.refused = f"refused: {exc}", exc.reason
                return result
            await self._attempt(parsed, result, headers or {}, limit, wanted_types)
            location = result.__dict__.pop("_location", None)
            if location is None:
                return result
            result.redirects.append(current)
            try:
                current = str(parsed.join(location))
            except URL_ERRORS as exc:  # a hostile Location header
                result.error, result.refused = f"refused: unusable redirect location ({exc})"[:300], "malformed"
                return result
        result.error = f"too many redirects (more than {self.settings.max_redirects})"
        return result

    async def _attempt(self, url: httpx.URL, result: FetchResult, headers: Headers | None, limit: int | None,
                       wanted_types: frozenset[str]) -> None:
        site = self._site(url)
        for attempt in range(self.settings.retries + 1):
            result.error = None
            wait = await self._request(url, site, result, headers, limit, wanted_types)
            if wait is None or attempt == self.settings.retries:
                return
            await asyncio.sleep(wait or self.settings.backoff * 2 ** attempt)

    async def _request(self, url: httpx.URL, site: SitePolicy, result: FetchResult, headers: Headers | None,
                       limit: int | None, wanted_types: frozenset[str]) -> float | None:
        """Send one request; return a wait in seconds when it should be retried."""
        async with site.slots:
            await self._take_turn(site)
            try:
                self.requests += 1
                started = asyncio.get_running_loop().time()
                self._occupy(started, 1)
                try:
                    return await self._send(url, result, headers, limit, wanted_types)
                finally:
                    ended = asyncio.get_running_loop().time()
                    self.slot_seconds += ended - started
                    self._occupy(ended, -1)
            finally:
                self._global.release()

    def _occupy(self, now: float, change: int) -> None:
        self.in_flight += change
        if self.occupancy is not None:
            self.occupancy.append((now, self.in_flight))

    async def _take_turn(self, site: SitePolicy) -> None:
        """Take a global slot; on a site with a Crawl-delay, first wait for the site's turn.

        The wait holds this site's slot only (counted in ``pacing``: other sites keep every
        global slot), and the turn is held until the global slot is taken, so the delay
        runs from when each request really starts, not from when its turn came.
        """
        if not site.delay:
            await self._global.acquire()
            site.started()
            return
        self.pacing += 1
        if self.on_pace is not None:
            self.on_pace()
        try:
            await site.delay_lock.acquire()
            try:
                await site.wait_turn()
            except BaseException:
                site.delay_lock.release()
                raise
        finally:
            self.pacing -= 1
        try:
            await self._global.acquire()
            site.started()
        finally:
            site.delay_lock.release()

    async def _send(self, url: httpx.URL, result: FetchResult, headers: Headers | None, limit: int | None,
                    wanted_types: frozenset[str]) -> float | None:
        """One exchange within the deadline; errors are written into ``result``."""
        deadline = asyncio.timeout(self.settings.total_deadline)
        try:
            async with deadline:
                return await self._exchange(url, result, headers, limit, wanted_types)
        except TimeoutError as exc:  # the whole-response deadline, or aiohttp's connect / read timeout
            result.error = (f"deadline of {self.settings.total_deadline}s exceeded" if deadline.expired()
                            else f"timeout: {type(exc).__name__}")
        except AddressRefused as exc:
            result.error, result.refused = f"refused: {exc}", exc.reason
        except (BodyTooLarge, DecodeError) as exc:
            result.error, result.too_large = str(exc), isinstance(exc, BodyTooLarge)
        except TRANSPORT_ERRORS as exc:
            result.error = f"connection error: {type(exc).__name__}: {exc}"[:300]
            return 0.0
        return None

    async def _exchange(self, url: httpx.URL, result: FetchResult, headers: Headers | None, limit: int | None,
                        wanted_types: frozenset[str]) -> float | None:
        limit = limit or self.settings.max_body_bytes
        response = await self.connections.send(url, headers or {})
        try:
            result.status = response.status
            result.final_url = str(url)
            result.content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            result.etag = response.headers.get("etag")
            result.last_modified = response.headers.get("last-modified")
            if response.status in REDIRECT_STATUSES and "location" in response.headers:
                result.__dict__["_location"] = response.headers["location"]
                return None
            if response.status in RETRY_STATUSES:
                result.error = f"HTTP {response.status}"
                return _retry_after(response.headers.get("retry-after"), self.settings.max_wait)
            if response.status == 304:
                result.not_modified = True
                return None
            if result.content_type not in wanted_types:
                result.skipped = f"content type {result.content_type!r} not wanted"
                return None
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise BodyTooLarge(f"declared length {declared} exceeds {limit} bytes")
            chunks, total = [], 0
            async for chunk in response.content.iter_any():
                total += len(chunk)
                if total > limit:
                    raise BodyTooLarge(f"body exceeds {limit} bytes")
                chunks.append(chunk)
        finally:
            # Keeps the connection only when the body was read to its end (aiohttp closes it otherwise).
            response.release()
        result.body = decode_body(b"".join(chunks), response.headers.get("content-encoding", ""), limit)
        return None


def _retry_after(value: str | None, max_wait: float) -> float:
    """Seconds to wait from Retry-After (0 = use backoff; HTTP dates mean ``max_wait``)."""
    if value and value.strip().isdigit():
        return min(float(value.strip()), max_wait)
    return max_wait if value else 0.0

"""Connection plumbing for fetch.py: per-site keep-alive pools with the address guard built in.

Only :mod:`crawlers.fetch` sends requests; this module builds what it sends them on.
Requests go through aiohttp (it costs about a third of httpx's CPU per request, which is
what bounds a crawler on two cores). The address guard holds at connect time twice over:

- host names are resolved by :class:`VettedResolver`, which returns only the address the
  guard vetted (see addresses.py), so a socket never follows a second, different DNS answer;
- every socket is made by :meth:`SiteClients.socket_for`, which refuses any address and port
  that the guard has not approved in this run, IP literals included (aiohttp does not pass
  those through a resolver).

Each site gets its own small pool so that a finished site's connections can be closed.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import certifi
import httpx
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from crawlers.addresses import URL_ERRORS, AddressRefused, canonical_ip

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_PORTS", "TRANSPORT_ERRORS", "SiteClients", "VettedResolver", "site_key", "system_resolve"]

DEFAULT_PORTS = {"http": 80, "https": 443}
Vet = Callable[[str, int], Awaitable[str]]
#: What aiohttp hands a socket factory: family, type, proto, canonical name, socket address.
AddrInfo = tuple[int, int, int, str, tuple[Any, ...]]
#: What a failed exchange raises besides timeouts: refused connections, resets, malformed responses.
TRANSPORT_ERRORS = (aiohttp.ClientError, OSError)
#: Longest status or header line accepted, and the longest header field (aiohttp's defaults).
MAX_LINE = 8190


async def system_resolve(host: str, port: int) -> list[str]:
    """Resolve a host name with the system resolver.

    Args:
        host: a DNS name.
        port: the TCP port (some resolvers filter by service).

    Returns:
        IP address strings, in resolver order.
    """
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def site_key(url: httpx.URL) -> tuple[str, str, int]:
    """Return (scheme, host, port) of a URL: the unit of politeness and pooling."""
    return url.scheme, url.host, url.port or DEFAULT_PORTS.get(url.scheme, 80)


class VettedResolver(AbstractResolver):
    """aiohttp resolver that answers with the one address the guard vetted for ``host:port``."""

    def __init__(self, vet: Vet) -> None:
        self._vet = vet

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        address = await self._vet(host, port)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [{"hostname": host, "host": address, "port": port, "family": family,
                 "proto": 0, "flags": socket.AI_NUMERICHOST}]

    async def close(self) -> None:
        """Nothing to release: the resolver holds no sockets."""


class SiteClients:
    """One small keep-alive pool (an aiohttp session) per site.

    The crawler follows redirects itself, keeps no cookies and decodes bodies itself
    (bounded, see bodies.py), so every session is built with those features off.

    Args:
        vet: ``async (host, port) -> ip`` that refuses forbidden addresses.
        timeout: connect / read timeout in seconds.
        headers: headers sent with every request.
        per_site: connections per site.
    """

    def __init__(self, vet: Vet, timeout: float, headers: dict[str, str], per_site: int) -> None:
        self._per_site = per_site
        self._headers = headers
        self._timeout = aiohttp.ClientTimeout(total=None, connect=timeout, sock_connect=timeout,
                                              sock_read=timeout)
        self._resolver = VettedResolver(vet)
        self._ssl: ssl.SSLContext | None = None
        self._approved: set[tuple[str, int]] = set()
        self._sites: dict[tuple[str, str, int], aiohttp.ClientSession] = {}

    def approve(self, address: str, port: int) -> None:
        """Let sockets connect to ``address:port`` (called with each address the guard vetted)."""
        self._approved.add((str(canonical_ip(address)), port))

    def socket_for(self, addr_info: AddrInfo) -> socket.socket:
        """Make the socket for one connection attempt, refusing any address not vetted in this run."""
        family, kind, proto, _, sockaddr = addr_info
        address, port = str(canonical_ip(sockaddr[0])), sockaddr[1]
        if (address, port) not in self._approved:
            raise AddressRefused(f"connection to unvetted address {address}:{port}", "private")
        return socket.socket(family=family, type=kind, proto=proto)

    def _ssl_context(self) -> ssl.SSLContext:
        # Loading the CA bundle costs ~20 ms of CPU: once per run, and only if a site uses https.
        if self._ssl is None:
            self._ssl = ssl.create_default_context(cafile=certifi.where())
        return self._ssl

    def _new_session(self, scheme: str) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._per_site, limit_per_host=self._per_site, resolver=self._resolver,
            use_dns_cache=False, ssl=self._ssl_context() if scheme == "https" else False,
            socket_factory=self.socket_for,
        )
        return aiohttp.ClientSession(
            connector=connector, headers=self._headers, timeout=self._timeout, auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(), trust_env=False, raise_for_status=False,
            max_line_size=MAX_LINE, max_field_size=MAX_LINE,
        )

    async def send(self, url: httpx.URL, headers: dict[str, str]) -> aiohttp.ClientResponse:
        """Send a GET on the URL's site pool; the caller must release or close the response."""
        key = site_key(url)
        session = self._sites.get(key)
        if session is None:
            session = self._sites[key] = self._new_session(key[0])
        # httpx has already parsed and percent-encoded the URL: yarl need not do it again.
        return await session.get(URL(str(url), encoded=True), headers=headers, allow_redirects=False)

    async def close_site(self, site: str) -> None:
        """Close the keep-alive connections of one site (``scheme://host[:port]``)."""
        try:
            key = site_key(httpx.URL(site))
        except URL_ERRORS:  # never opened: the fetcher parses every URL before sending it
            return
        session = self._sites.pop(key, None)
        if session is not None:
            await session.close()

    async def aclose(self) -> None:
        """Close every connection."""
        sessions, self._sites = list(self._sites.values()), {}
        for session in sessions:
            await session.close()

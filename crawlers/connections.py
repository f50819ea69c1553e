"""Connection plumbing for fetch.py: per-site keep-alive clients with the address guard built in.

Only :mod:`crawlers.fetch` sends requests; this module builds what it sends them on.
Every TCP connection is vetted inside the network backend (see addresses.py), so the
socket connects to the address that was vetted, whatever DNS says a moment later.
Each site gets its own small client because httpcore scans every pooled connection on
each request: one pool over all sites would cost O(sites) CPU per request.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable

import httpcore
import httpx

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_PORTS", "SiteClients", "site_key", "system_resolve"]

DEFAULT_PORTS = {"http": 80, "https": 443}
Vet = Callable[[str, int], Awaitable[str]]


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


def site_key(url: httpx.URL) -> tuple[str, str, int]:
    """Return (scheme, host, port) of a URL: the unit of politeness and pooling."""
    return url.scheme, url.host, url.port or DEFAULT_PORTS.get(url.scheme, 80)


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Network backend that vets every connection's address and connects to that IP."""

    def __init__(self, vet: Vet) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._vet = vet

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        address = await self._vet(host, port)
        return await self._inner.connect_tcp(
            address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are never used by the crawler")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class _GuardedTransport(httpx.AsyncHTTPTransport):
    def __init__(self, vet: Vet, limits: httpx.Limits, ssl_context) -> None:
        super().__init__(verify=ssl_context, limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedBackend(vet),
        )


class SiteClients:
    """One small keep-alive client per site, plus a shared one for ad-hoc use.

    Args:
        vet: ``async (host, port) -> ip`` that refuses forbidden addresses.
        timeout: connect / read timeout in seconds.
        headers: headers sent with every request.
        per_site: connections per site.
        shared_connections: connections of the shared ``client``.
        transport: test hook replacing the HTTP transport of every client.
    """

    def __init__(self, vet: Vet, timeout: float, headers: dict[str, str], per_site: int,
                 shared_connections: int, transport=None) -> None:
        self._vet, self._per_site, self._transport = vet, per_site, transport
        self._timeout, self._headers = httpx.Timeout(timeout), headers
        # Loading the CA bundle costs ~20 ms of CPU: once per run, not once per site.
        self._ssl_context = httpx.create_ssl_context(trust_env=False) if transport is None else None
        self._clients: dict[tuple[str, str, int], httpx.AsyncClient] = {}
        self.client = self._new_client(shared_connections)

    def _new_client(self, connections: int) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        return httpx.AsyncClient(
            transport=self._transport or _GuardedTransport(self._vet, limits, self._ssl_context),
            timeout=self._timeout, follow_redirects=False, trust_env=False, headers=self._headers,
        )

    def for_url(self, url: httpx.URL) -> httpx.AsyncClient:
        """Return the client of the URL's site, creating it on first use."""
        key = site_key(url)
        if key not in self._clients:
            self._clients[key] = self._new_client(self._per_site)
        return self._clients[key]

    async def close_site(self, site: str) -> None:
        """Close the keep-alive connections of one site (``scheme://host[:port]``)."""
        client = self._clients.pop(site_key(httpx.URL(site)), None)
        if client is not None:
            await client.aclose()

    async def aclose(self) -> None:
        """Close every client."""
        for client in [self.client, *self._clients.values()]:
            await client.aclose()
        self._clients.clear()

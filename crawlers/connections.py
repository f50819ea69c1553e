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
    """One small keep-alive connection pool per site, plus a shared client for ad-hoc use.

    :meth:`send` hands a request straight to the site's transport: the crawler follows
    redirects itself and keeps no cookies, so httpx's client layers would be pure cost.

    Args:
        vet: ``async (host, port) -> ip`` that refuses forbidden addresses.
        timeout: connect / read timeout in seconds.
        headers: headers sent with every request.
        per_site: connections per site.
        shared_connections: connections of the shared ``client``.
        transport: test hook replacing the HTTP transport of every site.
    """

    def __init__(self, vet: Vet, timeout: float, headers: dict[str, str], per_site: int,
                 shared_connections: int, transport=None) -> None:
        self._vet, self._per_site, self._transport = vet, per_site, transport
        self._extensions = {"timeout": httpx.Timeout(timeout).as_dict()}
        self._headers = headers
        # Loading the CA bundle costs ~20 ms of CPU: once per run, not once per site.
        self._ssl_context = httpx.create_ssl_context(trust_env=False) if transport is None else None
        self._sites: dict[tuple[str, str, int], httpx.AsyncBaseTransport] = {}
        self.client = httpx.AsyncClient(
            transport=transport or self._new_transport(shared_connections), timeout=httpx.Timeout(timeout),
            follow_redirects=False, trust_env=False, headers=headers,
        )

    def _new_transport(self, connections: int) -> httpx.AsyncBaseTransport:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        return _GuardedTransport(self._vet, limits, self._ssl_context)

    async def send(self, url: httpx.URL, headers: dict[str, str]) -> httpx.Response:
        """Send a GET on the URL's site pool; the caller must ``aclose()`` the streamed response."""
        key = site_key(url)
        transport = self._sites.get(key)
        if transport is None:
            transport = self._sites[key] = self._transport or self._new_transport(self._per_site)
        request = httpx.Request("GET", url, headers={**self._headers, **headers}, extensions=self._extensions)
        response = await transport.handle_async_request(request)
        response.request = request
        return response

    async def close_site(self, site: str) -> None:
        """Close the keep-alive connections of one site (``scheme://host[:port]``)."""
        transport = self._sites.pop(site_key(httpx.URL(site)), None)
        if transport is not None and transport is not self._transport:
            await transport.aclose()

    async def aclose(self) -> None:
        """Close every connection."""
        for transport in self._sites.values():
            if transport is not self._transport:
                await transport.aclose()
        self._sites.clear()
        await self.client.aclose()

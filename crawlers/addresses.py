"""Address guard policy: which hosts and IP addresses the crawler may contact.

Pure functions, no I/O (:func:`check_url` only parses): ``fetch.py`` resolves names and calls :func:`vet_host` both
before a request and again inside the connection backend, so the address finally
connected to is the one that was vetted (no second DNS lookup, no rebinding).
"""

from __future__ import annotations

import ipaddress
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from urllib.parse import unquote

import httpx

logger = logging.getLogger(__name__)

__all__ = [
    "AddressRefused",
    "AllowRule",
    "URL_ERRORS",
    "check_url",
    "IPAddress",
    "canonical_ip",
    "is_public_address",
    "normalise_host",
    "parse_allow_list",
    "parse_ip_literal",
    "vet_addresses",
    "vet_host",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: Whitespace, control characters and backslashes: never part of a URL this crawler requests.
ODD_URL_CHARS = re.compile(r"[\s\x00-\x1f\\]")
Resolver = Callable[[str, int], Awaitable[list[str]]]

#: Networks refused on top of what :mod:`ipaddress` flags (IANA special-purpose registries).
EXTRA_BLOCKED = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
        "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/3",
        "::/127", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32",
        "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    )
)
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")
SIXTOFOUR_PREFIX = ipaddress.ip_network("2002::/16")
#: Host names that always mean this machine (RFC 6761 §6.3) or common /etc/hosts aliases.
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
#: Dots that IDNA / WHATWG treat as label separators.
DOT_VARIANTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


class AddressRefused(Exception):
    """A URL's host is not a public address and is not explicitly allowed.

    ``reason`` says which: "private" (a non-public address), "unresolvable" (no address at
    all) or "malformed" (the URL or host cannot be a web address).
    """

    def __init__(self, message: str, reason: str = "malformed") -> None:
        super().__init__(message)
        self.reason = reason


#: Everything parsing a URL can raise (the standard library, httpx, IDNA codecs, this module).
URL_ERRORS = (ValueError, UnicodeError, httpx.InvalidURL, AddressRefused)


@dataclass(frozen=True)
class AllowRule:
    """One ``--allow-private`` entry: a host (name or IP) and an inclusive port range."""

    host: str
    first_port: int
    last_port: int

    def matches(self, host: str, address: IPAddress, port: int) -> bool:
        """Tell whether this rule lets ``host`` / ``address`` on ``port`` through."""
        if not self.first_port <= port <= self.last_port:
            return False
        rule_ip = parse_ip_literal(self.host)
        if rule_ip is not None:
            return _unmap(rule_ip) == _unmap(address)
        return self.host == host


def parse_allow_list(entries: Iterable[str]) -> tuple[AllowRule, ...]:
    """Parse ``HOST:PORT`` / ``HOST:FIRST-LAST`` strings.

    Args:
        entries: strings as given to ``--allow-private``; IPv6 hosts in brackets.

    Returns:
        The parsed rules.

    Raises:
        ValueError: with a message naming the bad entry.
    """
    rules = []
    for entry in entries:
        host, sep, ports = entry.strip().rpartition(":")
        if not sep or not host:
            raise ValueError(f"allow-private entry {entry!r} must be HOST:PORT or HOST:FIRST-LAST")
        first, _, last = ports.partition("-")
        try:
            lo, hi = int(first), int(last or first)
        except ValueError:
            raise ValueError(f"allow-private entry {entry!r} has a bad port {ports!r}") from None
        if not 0 < lo <= hi < 65536:
            raise ValueError(f"allow-private entry {entry!r} has a port outside 1-65535")
        rules.append(AllowRule(normalise_host(host.strip("[]")), lo, hi))
    return tuple(rules)


def normalise_host(host: str) -> str:
    """Fold a URL host the way browsers do: percent-decoding, NFKC, dots, case.

    Args:
        host: the host part of a URL (brackets around IPv6 allowed).

    Returns:
        A lower-case host without a trailing dot; IPv6 keeps its brackets off.
    """
    host = unquote(host).strip()
    host = unicodedata.normalize("NFKC", host).translate(DOT_VARIANTS).lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host.rstrip(".") if host not in (".", "") else host


def _ipv4_number(part: str) -> int | None:
    """Parse one IPv4 part as WHATWG does: 0x hex, leading-zero octal, decimal."""
    if part[:2] in ("0x", "0X"):
        digits, base = part[2:] or "0", 16
    elif len(part) > 1 and part[0] == "0":
        digits, base = part[1:], 8
    else:
        digits, base = part, 10
    try:
        return int(digits, base) if digits.isalnum() else None
    except ValueError:
        return None


def _parse_ipv4(host: str) -> ipaddress.IPv4Address | None:
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if not 0 < len(parts) <= 4:
        return None
    numbers = [n for n in (_ipv4_number(part) for part in parts) if n is not None]
    if len(numbers) < len(parts):
        return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        raise AddressRefused(f"host {host!r} is an out-of-range IPv4 number")
    value = last
    for index, n in enumerate(head):
        value += n << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def parse_ip_literal(host: str) -> IPAddress | None:
    """Return the IP address a host spells, in any spelling, or None for a name.

    Args:
        host: a host as found in a URL (folded with :func:`normalise_host` first).

    Returns:
        The address, or None when the host is a DNS name.

    Raises:
        AddressRefused: when the host looks numeric but is not a valid address.
    """
    host = normalise_host(host)
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            raise AddressRefused(f"host {host!r} is not a valid IPv6 address") from None
    if not host or not (host[-1].isdigit() or "0x" in host.rsplit(".", 1)[-1]):
        return None
    return _parse_ipv4(host)


def _unmap(address: IPAddress) -> IPAddress:
    """Return the IPv4 address embedded in an IPv6 one, if any (mapped, compatible…)."""
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    packed = address.packed
    if address in NAT64_PREFIX or (packed[:12] == bytes(12) and int(address) > 1):
        return ipaddress.IPv4Address(packed[12:])
    return address


def is_public_address(address: IPAddress) -> bool:
    """Tell whether an address is globally routable unicast (embedded IPv4 checked too).

    Args:
        address: the address to judge.

    Returns:
        False for loopback, private, link-local, shared, multicast, reserved,
        unspecified, documentation and similar ranges.
    """
    for candidate in {address, _unmap(address)}:
        if (
            candidate.is_loopback or candidate.is_private or candidate.is_link_local
            or candidate.is_multicast or candidate.is_reserved or candidate.is_unspecified
            or not candidate.is_global
            or any(candidate in net for net in EXTRA_BLOCKED if net.version == candidate.version)
        ):
            return False
    return True


def canonical_ip(text: str) -> IPAddress:
    """Parse a resolver's address string (an IPv6 zone suffix such as ``%eth0`` is dropped)."""
    return ipaddress.ip_address(text.split("%", 1)[0])


def vet_addresses(host: str, port: int, addresses: Iterable[str], rules: Iterable[AllowRule]) -> str:
    """Pick the first acceptable address for ``host:port`` among resolved ones.

    Args:
        host: the folded host name (or literal) from the URL.
        port: the TCP port.
        addresses: IP address strings from the resolver.
        rules: allow-private rules.

    Returns:
        The address string to connect to.

    Raises:
        AddressRefused: when no address is public or allowed.
    """
    rules = tuple(rules)
    seen = []
    for text in addresses:
        address = canonical_ip(text)
        seen.append(str(address))
        if is_public_address(address) or any(r.matches(host, address, port) for r in rules):
            return str(address)
    if not seen:
        raise AddressRefused(f"{host}:{port} resolves to nothing", "unresolvable")
    raise AddressRefused(f"{host}:{port} resolves to non-public {', '.join(seen)}", "private")


async def vet_host(host: str, port: int, rules: Iterable[AllowRule], resolve: Resolver) -> str:
    """Resolve and vet a host; return the one address that may be connected to.

    Args:
        host: host as written in the URL (any spelling).
        port: TCP port.
        rules: allow-private rules.
        resolve: coroutine mapping ``(name, port)`` to IP address strings.

    Returns:
        The vetted IP address string.

    Raises:
        AddressRefused: for non-public, unresolvable or malformed hosts.
    """
    folded = normalise_host(host)
    if not folded or any(ch in folded for ch in " \t\r\n\\/@?#%") and ":" not in folded:
        raise AddressRefused(f"host {host!r} is malformed")
    literal = parse_ip_literal(folded)
    if literal is not None:
        return vet_addresses(folded, port, [str(literal)], rules)
    if folded in LOCAL_NAMES or folded.endswith(".localhost"):
        return vet_addresses(folded, port, ["127.0.0.1"], rules)
    try:
        addresses = await resolve(folded, port)
    except (OSError, UnicodeError) as exc:
        # getaddrinfo raises UnicodeError, not OSError, for a name it cannot even encode
        # (a label over 63 characters, an empty label as in "a..b"): no such host either.
        raise AddressRefused(f"host {folded!r} does not resolve: {exc}", "unresolvable") from None
    return vet_addresses(folded, port, addresses, rules)


def check_url(url: str) -> httpx.URL:
    """Parse a URL and refuse anything but a plain http(s) URL with a host.

    Args:
        url: the absolute URL text.

    Returns:
        The parsed URL.

    Raises:
        AddressRefused: for other schemes, credentials, whitespace or odd syntax.
    """
    if not url or ODD_URL_CHARS.search(url):
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

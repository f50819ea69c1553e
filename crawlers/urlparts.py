"""The steps every URL identity in the project shares: parse, fold the host as a browser does, drop the fragment.

Two identities are built on these parts, and differ on purpose:

- :func:`crawlers.frontier.canonicalise` is the page the crawler fetches: scheme, path case and
  query (minus tracking parameters) all change what a server returns, so they are kept.
- :func:`portal.urlkeys.url_key` is a community's identity in the portal: ``http`` and
  ``https``, ``www.`` and ``m.``, path case and the query are the same community, so they go.

Both read the host from here, so a host a browser would reach (percent-escapes, full-width
characters, IPv4 in octal or hex) is one host for both; ``tests/portal/test_url_identity.py``
pins the two outputs side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from crawlers.addresses import URL_ERRORS, normalise_host, parse_ip_literal

__all__ = ["UrlParts", "fold_host", "split_url"]

#: Characters a folded host cannot hold (WHATWG's forbidden domain code points, less the ":" of
#: IPv6): a browser refuses such a host, and one could pass a path or credentials off as a host.
FORBIDDEN_HOST_CHARS = frozenset(" #%/<>?@[\\]^|\x7f").union(map(chr, range(0x20)))


@dataclass(frozen=True)
class UrlParts:
    """An absolute URL taken apart; the fragment is gone (it never reaches a server)."""

    scheme: str  # lower case
    host: str  # folded; an IP address in its plain form, IPv6 without brackets
    port: int | None  # as written: which port is a default is each identity's choice
    path: str  # as written
    query: str  # as written


def fold_host(host: str) -> str:
    """Fold a host as a browser does; an IP address in any spelling becomes its plain form.

    Args:
        host: the host part of a URL.

    Returns:
        The folded host.

    Raises:
        AddressRefused: when the host looks numeric but is not a valid address.
    """
    folded = normalise_host(host)
    literal = parse_ip_literal(folded)
    return folded if literal is None else str(literal)


def split_url(url: str) -> UrlParts | None:
    """Take an absolute URL apart, its host folded.

    Args:
        url: absolute URL text (any scheme).

    Returns:
        The parts, or None when it does not parse or has no usable host.
    """
    try:
        parts = urlsplit(url)
        host = fold_host(parts.hostname or "")
        port = parts.port
    except URL_ERRORS:
        return None
    if not host.strip(".") or not FORBIDDEN_HOST_CHARS.isdisjoint(host):
        return None
    return UrlParts(parts.scheme.lower(), host, port, parts.path, parts.query)

"""Normalised keys for community addresses, for duplicate detection and link look-ups.

A key is a site's identity in the portal: candidates, catalogue duplicates and "share a
link" look-ups all compare keys. An app may register host aliases (``HOST_ALIASES``) for
addresses that stand for a stable name: the demo's sample web serves each site on a
loopback port that can change when ``make run`` restarts, and registers
``127.0.0.1:PORT -> <site name>.sample-web.invalid`` so a site keeps its identity.

The host is read as the crawler reads it (``crawlers/urlparts.py``); the rest differs from the
crawler's canonical URL on purpose: a key names a community, not a page to fetch. The path is
read as a browser reads it, so one page typed two ways has one key: percent-escapes are
normalised (RFC 3986 §6.2.2.1: an escaped letter, digit or ``-._~`` is that character; any other
escape keeps its meaning, with upper-case hex, and other characters are escaped as UTF-8), dot
segments are removed (§5.2.4), and empty segments go as the crawler drops them. An escaped
slash (``%2F``) is part of a segment, never a separator. Keys stored before this rule are
recomputed by migration 0036, which keeps its own copy of :func:`normal_path`.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote

from flask import current_app, has_app_context

from crawlers.urlparts import split_url

_STRIP_PREFIXES = ("www.", "m.", "mobile.")
#: ``app.extensions`` key of the ``{"host:port": "stable-host"}`` aliases of the running app.
HOST_ALIASES = "url_key_host_aliases"
#: Longest key stored (``communities.url_key``).
MAX_KEY_CHARS = 1000
#: A run of percent-escapes, decoded together so that a character's UTF-8 bytes stay together;
#: or a "%" that starts no escape (it stands for itself, so it becomes "%25").
_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+|%")
#: Characters whose escape means something else than the character (RFC 3986 §2.2).
_RESERVED = frozenset(":/?#[]@!$&'()*+,;=%")
#: What a key's path holds unescaped besides letters, digits and "-._~" (quote always keeps those);
#: "%" is here because every "%" left by then starts an escape.
_PATH_SAFE = "/:@!$&'()*+,;=%"
_LOWER_ESCAPE = re.compile(r"%[0-9a-f]{2}")
_CUT_ESCAPE = re.compile(r"%[0-9A-F]?$")


def _host_aliases() -> Mapping[str, str]:
    return current_app.extensions.get(HOST_ALIASES) or {} if has_app_context() else {}


def _escape(byte: int) -> str:
    return f"%{byte:02X}"


def _decode(match: re.Match[str]) -> str:
    """A run of escapes as text, but for the escapes that must stay escaped (reserved, not UTF-8)."""
    run = match.group()
    if run == "%":
        return "%25"
    text = bytes.fromhex(run.replace("%", "")).decode("utf-8", "surrogateescape")
    return "".join(_escape(ord(c) - 0xDC00) if "\udc80" <= c <= "\udcff" else _escape(ord(c)) if c in _RESERVED
                   else c for c in text)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4 for an absolute path, in one pass; then the empty segments go."""
    kept: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if kept:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    return "".join("/" + segment for segment in kept if segment)


def normal_path(path: str) -> str:
    """Return a URL path as a key holds it: escapes normalised, lower case, no dot or empty segments.

    Linear in the path's length whatever it holds (``../`` runs, ``%2e%2e``, long escapes).

    >>> normal_path("/Groups/./a%2fb/x/../CAF%c3%a9/%7Euser//")
    '/groups/a%2Fb/caf%C3%A9/~user'
    """
    decoded = _ESCAPES.sub(_decode, path).lower()
    quoted = quote(_remove_dot_segments(decoded), safe=_PATH_SAFE, errors="surrogatepass")
    return _LOWER_ESCAPE.sub(lambda m: m.group().upper(), quoted)


def _without_prefixes(host: str) -> str:
    """The host without its www., m. and mobile. labels, however many and in any order, while what is left
    is still a domain (has a dot): m.m.example.org and www.m.example.org are example.org, and m.ac stays
    m.ac (not the bare "ac"). Stripping once left a prefix behind, so a key's key differed from the key."""
    while True:
        prefix = next((p for p in _STRIP_PREFIXES if host.startswith(p) and "." in host[len(p):]), None)
        if prefix is None:
            return host
        host = host[len(prefix):]


def url_key(url: str) -> str | None:
    """Return ``host/path`` lower-cased, without scheme, www., query, fragment or trailing slash.

    The path is normalised as :func:`normal_path` says.

    >>> url_key("https://WWW.Example.org/Groups/abc/?ref=share#top")
    'example.org/groups/abc'
    """
    if not url:
        return None
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    parts = split_url(text)
    if parts is None:
        return None
    host, port = parts.host, parts.port
    host = _without_prefixes(host)
    # The key has no scheme (http and https are one community), so either scheme's default port is the site's.
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    host = _host_aliases().get(host, host)
    key = f"{host}{normal_path(parts.path)}"[:MAX_KEY_CHARS]
    # A cut must not leave half an escape (a later key of this key would read it as "%25").
    return _CUT_ESCAPE.sub("", key).rstrip("/")

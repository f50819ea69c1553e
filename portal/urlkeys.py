"""Normalised keys for community addresses, for duplicate detection and link look-ups.

A key is a site's identity in the portal: candidates, catalogue duplicates and "share a
link" look-ups all compare keys. An app may register host aliases (``HOST_ALIASES``) for
addresses that stand for a stable name: the demo's sample web serves each site on a
loopback port that can change when ``make run`` restarts, and registers
``127.0.0.1:PORT -> <site name>.sample-web.invalid`` so a site keeps its identity.

The host is read as the crawler reads it (``crawlers/urlparts.py``); the rest differs from the
crawler's canonical URL on purpose: a key names a community, not a page to fetch.
"""
from __future__ import annotations

from collections.abc import Mapping
from flask import current_app, has_app_context

from crawlers.urlparts import split_url

_STRIP_PREFIXES = ("www.", "m.", "mobile.")
#: ``app.extensions`` key of the ``{"host:port": "stable-host"}`` aliases of the running app.
HOST_ALIASES = "url_key_host_aliases"


def _host_aliases() -> Mapping[str, str]:
    return current_app.extensions.get(HOST_ALIASES) or {} if has_app_context() else {}


def url_key(url: str) -> str | None:
    """Return ``host/path`` lower-cased, without scheme, www., query, fragment or trailing slash.

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
    for prefix in _STRIP_PREFIXES:
        if host.startswith(prefix):
            host = host[len(prefix):]
    # The key has no scheme (http and https are one community), so either scheme's default port is the site's.
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    host = _host_aliases().get(host, host)
    path = parts.path.rstrip("/").lower()
    return f"{host}{path}"[:1000]

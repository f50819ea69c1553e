"""Normalised keys for community addresses, for duplicate detection and link look-ups."""
from __future__ import annotations

from urllib.parse import urlsplit

_STRIP_PREFIXES = ("www.", "m.", "mobile.")


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
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return None
    if not host:
        return None
    for prefix in _STRIP_PREFIXES:
        if host.startswith(prefix):
            host = host[len(prefix):]
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/").lower()
    return f"{host}{path}"[:1000]

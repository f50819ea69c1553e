"""The one judge of redirect targets: a ``next`` is followed only if a browser would stay on this site.

A browser reads a Location header with the WHATWG URL parser, not as the text a server
sees: it strips leading and trailing control characters and spaces, deletes every tab and
newline anywhere, reads ``\\`` as ``/`` in http(s) URLs, and takes ``//host`` as another
site. So ``/%09/evil.test/`` (a tab once decoded) is ``//evil.test/`` to it. This module
rebuilds the target the way the browser will, accepts only a path on this site, and
returns it in a canonical, percent-encoded form that every parser reads the same way.

Every redirect the portal sends passes :func:`guard_response` (an after_request hook), so a
view that forgets to call :func:`local_target` still cannot send anyone off the site.
"""
from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import quote, unquote

from flask import Flask, Response, g, request, url_for

logger = logging.getLogger(__name__)

__all__ = ["MAX_TARGET_LENGTH", "guard_response", "init_app", "local_target", "next_or"]

MAX_TARGET_LENGTH = 2000  # longer than any page of the portal with its filters
_STRIPPED_AT_ENDS = "".join(chr(c) for c in range(0x21))  # C0 controls and space (WHATWG: "C0 control or space")
_REMOVED_ANYWHERE = str.maketrans("", "", "\t\n\r")  # WHATWG: "ASCII tab or newline"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"  # RFC 3986 pchar and "/", "%" kept as already-encoded
_QUERY_SAFE = _PATH_SAFE + "?"
_DECODE_ROUNDS = 3  # a target decoded this often and still changing is refused, not followed


def _as_browser_reads(raw: str) -> str:
    """Apply the browser's first steps: trim C0 controls and spaces, drop tabs and newlines,
    and read backslashes as slashes (as it does for http and https)."""
    return raw.strip(_STRIPPED_AT_ENDS).translate(_REMOVED_ANYWHERE).replace("\\", "/")


def _leaves_site(path: str) -> bool:
    """True if a browser could read this (already trimmed) reference as another origin."""
    return not path.startswith("/") or path.startswith("//") or bool(_SCHEME.match(path))


def _without_dot_segments(path: str) -> str:
    """The path with ``.`` and ``..`` segments resolved, as the browser resolves them."""
    kept: list[str] = []
    segments = path.split("/")[1:]
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "..":
            if kept:
                kept.pop()
            if last:
                kept.append("")
        elif segment == ".":
            if last:
                kept.append("")
        else:
            kept.append(segment)
    return "/" + "/".join(kept)


def _decoded_forms(path: str) -> list[str]:
    """The path as it reads after each round of percent-decoding (a server or proxy behind
    us may decode once more before redirecting again)."""
    forms = [path]
    for _ in range(_DECODE_ROUNDS):
        decoded = _as_browser_reads(unquote(forms[-1]))
        if decoded == forms[-1]:
            return forms + [_without_dot_segments(form) for form in forms if form.startswith("/")]
        forms.append(decoded)
    return []  # still changing: encoded too many times to be a real link


def local_target(raw: str | None) -> str | None:
    """Return ``raw`` as a canonical path on this site, or None if a browser might leave the site.

    Accepted: an absolute path (``/communities?q=x#top``). Refused: anything with a scheme,
    a host (``//``, ``\\\\``, ``/\\``, after the browser's trimming and at every level of
    percent-decoding), no leading slash, control characters, or more than
    :data:`MAX_TARGET_LENGTH` characters.
    """
    if not raw or len(raw) > MAX_TARGET_LENGTH:
        return None
    target = _as_browser_reads(raw)
    if _leaves_site(target) or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    path, _, fragment = target.partition("#")
    path, question, query = path.partition("?")
    forms = _decoded_forms(path)
    if not forms or any(_leaves_site(form) for form in forms):
        return None
    rebuilt = quote(path, safe=_PATH_SAFE)
    if question:
        rebuilt += "?" + quote(query, safe=_QUERY_SAFE)
    if fragment:
        rebuilt += "#" + quote(fragment, safe=_QUERY_SAFE + "#")
    return rebuilt if not _leaves_site(rebuilt) else None


def next_or(raw: str | None, endpoint: str, **values: Any) -> str:
    """The target to go to after an action: ``raw`` if it stays on the site, else ``endpoint``'s URL."""
    return local_target(raw) or url_for(endpoint, **values)


def _fallback() -> str:
    return url_for("main.dashboard")


OFFSITE = "local_reach_offsite_redirect"


def allow_offsite(response: Response) -> Response:
    """Let this one response redirect off the site, to the exact target it carries (only the sign-in
    view's redirect to the identity provider, whose address comes from configuration, uses it)."""
    g.setdefault(OFFSITE, set()).add(response.headers.get("Location"))
    return response


def guard_response(response: Response) -> Response:
    """after_request hook: no redirect (Location or HX-Redirect) leaves the site.

    Views pass user-supplied targets through :func:`next_or`; this is the backstop for one
    that does not: the target is replaced by the start page and the attempt is logged.
    """
    for header in ("Location", "HX-Redirect"):
        value = response.headers.get(header)
        if value is None or value in g.get(OFFSITE, ()):
            continue
        local = _same_site(value)
        if local is None:
            logger.warning("refused an off-site redirect to %r from %s %s", value[:200], request.method, request.path)
            response.headers[header] = _fallback()
        elif local != value:
            response.headers[header] = local
    return response


def _same_site(value: str) -> str | None:
    """A Location value as a local path, accepting an absolute URL on this very host too."""
    origin = request.host_url.rstrip("/")
    if value.startswith(origin + "/"):
        value = value[len(origin):]
    return local_target(value)


def init_app(app: Flask) -> None:
    app.after_request(guard_response)

"""Static files for a phone on a poor connection: versioned URLs, long caching, gzip.

Every ``url_for('static', filename=…)`` gets ``?v=`` and the first characters of the file's
SHA-256, so a browser may keep the file for a year (``immutable``: no revalidation round trip
on the next page) and a changed file gets a new URL. A request without the current version
(an old page, or a module a script imports by a relative path) is cached for an hour only.
Text files go out gzip-compressed when the browser accepts it (static files hold no secrets,
so compressing them cannot leak anything; pages are left to the reverse proxy).
"""
from __future__ import annotations

import gzip
import hashlib
import logging
import os
import time
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, has_request_context, request

logger = logging.getLogger(__name__)

LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=3600"
COMPRESSIBLE = frozenset({"text/css", "text/javascript", "application/javascript", "image/svg+xml",
                          "text/plain", "application/json"})
MIN_COMPRESS_BYTES = 512  # below this gzip's own header outweighs the saving
VERSION_LENGTH = 12
#: A page's static links look at each file again at most this often (seconds): a deploy that
#: replaces files under a running process gets new URLs within it, and a page's half-dozen
#: links cost no os.stat each.
RECHECK_SECONDS = 1.0


def _cache(app: Flask) -> dict[Any, Any]:
    return app.extensions.setdefault("local_reach_static", {})


def version_of(app: Flask, filename: str) -> str | None:
    """Return the short content hash of a static file (None when it does not exist)."""
    path = Path(app.static_folder or "") / filename
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError:
        return None
    key = ("version", filename, stamp)
    cache = _cache(app)
    if key not in cache:
        cache[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:VERSION_LENGTH]
    return cache[key]


def current_version(app: Flask, filename: str) -> str | None:
    """version_of(), looked up again only when RECHECK_SECONDS have passed for this file."""
    cache = _cache(app)
    now = time.monotonic()
    known = cache.get(("checked", filename))
    if known is not None and now - known[0] < RECHECK_SECONDS:
        return known[1]
    version = version_of(app, filename)
    cache[("checked", filename)] = (now, version)
    return version


def template_url_for(endpoint: str, **values: Any) -> str:
    """Templates' url_for: a static file's URL is built once per (script root, file, version).

    Werkzeug's URL building and the version lookup cost about 80 us a link, and every page has
    six in its layout. Anything but a plain in-request static link goes to Flask's url_for.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # werkzeug LocalProxy
    if endpoint != "static" or len(values) != 1 or "filename" not in values or not has_request_context():
        return app.url_for(endpoint, **values)
    filename = values["filename"]
    key = ("url", request.script_root, filename, current_version(app, filename))
    cache = _cache(app)
    url = cache.get(key)
    if url is None:
        url = cache[key] = app.url_for(endpoint, **values)
    return url


def _compressed(app: Flask, filename: str, body: bytes) -> bytes:
    key = ("gzip", filename, hashlib.sha256(body).digest())
    cache = _cache(app)
    if key not in cache:
        cache[key] = gzip.compress(body, compresslevel=9, mtime=0)
    return cache[key]


def add_version(endpoint: str, values: dict[str, Any]) -> None:
    """url_defaults hook: give static URLs their content version."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        version = current_version(current_app, values["filename"])
        if version:
            values["v"] = version


def cache_and_compress(response: Response) -> Response:
    """after_request hook for static files: caching by version, gzip when accepted."""
    if request.endpoint != "static" or response.status_code not in {200, 304}:
        return response
    filename = (request.view_args or {}).get("filename", "")
    current = version_of(current_app, filename)
    response.headers["Cache-Control"] = LONG_CACHE if current and request.args.get("v") == current else SHORT_CACHE
    response.vary.add("Accept-Encoding")
    if response.status_code == 200 and response.mimetype in COMPRESSIBLE and "gzip" in request.headers.get("Accept-Encoding", "").lower():
        response.direct_passthrough = False
        source = response.response
        body = response.get_data()
        if hasattr(source, "close"):
            source.close()  # the file it was read from
        if len(body) >= MIN_COMPRESS_BYTES:
            response.set_data(_compressed(current_app, filename, body))
            response.headers["Content-Encoding"] = "gzip"
            etag, _ = response.get_etag()
            if etag:  # weak, as nginx does: the same file, another encoding; still matches If-None-Match
                response.set_etag(etag, weak=True)
    return response


def init_app(app: Flask) -> None:
    app.url_defaults(add_version)
    app.jinja_env.globals["url_for"] = template_url_for
    app.after_request(cache_and_compress)

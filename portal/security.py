"""Security headers, including a strict Content-Security-Policy with no inline script."""
from __future__ import annotations

from flask import Flask, Response, abort, request
from werkzeug.routing import IntegerConverter

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=(), interest-cohort=()",
}


def add_security_headers(response: Response) -> Response:
    """after_request hook: set the headers on every response."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        # Pages can show personal data: never store them in shared caches.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` limited to what an INTEGER column holds: a larger id is a 404, not a driver overflow (500)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's signature)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def refuse_nul_bytes() -> None:
    """before_request hook: refuse NUL characters in the query string or form fields.

    No legitimate input contains them, PostgreSQL text columns cannot store them
    (psycopg raises, which would be a 500), and some parsers truncate at them.
    """
    if "\x00" in request.path:
        abort(400)
    for source in (request.args, request.form):
        if any("\x00" in key or "\x00" in value for key, value in source.items(multi=True)):
            abort(400)


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_bytes)
    app.after_request(add_security_headers)
    if app.config.get("SESSION_COOKIE_SECURE"):
        @app.after_request
        def _hsts(response: Response) -> Response:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
            return response

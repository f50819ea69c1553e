"""Security headers, including a strict Content-Security-Policy with no inline script."""
from __future__ import annotations

from flask import Flask, Response, abort, current_app, request
from werkzeug.routing import IntegerConverter

from portal.params import MAX_ID

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
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def screen_parameters() -> None:
    """before_request hook: refuse NUL characters, and any one field too long to be real.

    No legitimate input contains NUL: PostgreSQL text columns cannot store it (psycopg
    raises, which would be a 500), and some parsers truncate at it. The longest field a
    form takes is an area profile (200,000 characters); anything longer is refused here,
    before a validator (e-mail parsing is slow on megabytes) spends time on it. The body
    as a whole is bounded by MAX_CONTENT_LENGTH (config), also a 413.
    """
    if "\x00" in request.path:
        abort(400)
    limit = current_app.config["MAX_FIELD_CHARS"]
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            if "\x00" in key or "\x00" in value:
                abort(400)
            if len(value) > limit:
                abort(413)


def init_app(app: Flask) -> None:
    app.before_request(screen_parameters)
    app.after_request(add_security_headers)
    if app.config.get("SESSION_COOKIE_SECURE"):
        @app.after_request
        def _hsts(response: Response) -> Response:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
            return response

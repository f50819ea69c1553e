"""Error pages in the portal's own style, one per status."""
from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("Sorry, there is a problem with that request", "Check what you entered and try again."),
    401: ("Sign in to continue", "You need to sign in to see this page."),
    403: ("You do not have access to this page", "If you think you should, ask an admin for access."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("That action is not allowed here", "Go back and try again from the page."),
    413: ("That is too large to send", "Nothing was saved. Shorten what you entered and try again."),
    429: ("Too many attempts", "Wait a minute, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. Nothing you saved has been lost."),
    503: ("Sorry, the service is unavailable", "Try again later."),
}


def render_error(code: int, detail: str | None = None):
    title, advice = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, advice=advice, detail=detail), code


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code = exc.code or 500
        if code < 400:
            return exc
        detail = exc.description if code == 400 and exc.description else None
        if code == 413:
            detail = (f"A form can send at most {app.config['MAX_CONTENT_LENGTH'] // 1024:,} KB, "
                      f"and one field at most {app.config['MAX_FIELD_CHARS']:,} characters.")
        response = render_error(code, detail)
        if code == 429:
            return response[0], 429, {"Retry-After": "60"}
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # The class and the frames, not the message: a database error quotes the row it was
        # writing, which can be a contact's details (see portal.logs.failure).
        from portal.logs import failure

        app.logger.error("unhandled error: %s", failure(exc, frames=True))
        from portal.extensions import db

        db.session.rollback()
        return render_error(500)

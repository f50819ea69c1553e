"""Logging: plain text by default, one JSON object per line with LOG_FORMAT=json.

JSON lines suit log shippers (journald, Loki, CloudWatch…): every record carries
time, level, logger and message, plus the request (method, path, remote address)
or the background job it came from. Never log request bodies: they hold messages
and contact details.
"""
from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime

from flask import Flask, has_request_context, request

_HANDLER_NAME = "local-reach-json"
# Attributes every LogRecord has; anything else was passed with extra={...}.
_STANDARD = set(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        if has_request_context():
            entry.update(method=request.method, path=request.path, remote_addr=request.remote_addr)
        from portal.jobs_rows import current_job_id

        job_id = current_job_id()
        if job_id:
            entry["job_id"] = job_id
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool | None) else repr(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def failure(exc: BaseException, frames: bool = False) -> str:
    """Describe an exception for a log line without its message: its class, its cause's, and the frames.

    An exception's text can carry personal data (a mail server refusing a recipient names
    the address; a database error quotes the row), so a log line names what failed and
    where; the record it is about (a job's or a notice's row) keeps the full text for admins.
    """
    kinds = exc.__class__.__name__
    if exc.__cause__ is not None:
        kinds += f" from {exc.__cause__.__class__.__name__}"
    if not frames:
        return kinds
    return kinds + "\n" + "".join(traceback.format_tb(exc.__traceback__)).rstrip()


def configure(log_format: str = "text", level: str = "INFO") -> None:
    """Install the JSON handler on the root logger (idempotent); text leaves logging alone."""
    root = logging.getLogger()
    if log_format != "json":
        return
    root.setLevel(level)
    if any(getattr(h, "name", None) == _HANDLER_NAME for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter())
    for existing in list(root.handlers):
        if isinstance(existing, logging.StreamHandler) and getattr(existing, "stream", None) in {sys.stderr, sys.stdout}:
            root.removeHandler(existing)
    root.addHandler(handler)


def init_app(app: Flask) -> None:
    configure(app.config.get("LOG_FORMAT", "text"), app.config.get("LOG_LEVEL", "INFO"))
    if app.config.get("LOG_FORMAT") == "json":
        # Flask's own handler would print a second, plain copy of app.logger records.
        from flask.logging import default_handler

        app.logger.removeHandler(default_handler)

"""The offline sample web for the demo: served on loopback so discovery works with no internet.

With ``LOCAL_REACH_SAMPLE_WEB=1`` (set by ``make run``) the app starts the sample web once
per process, pre-fills the discovery form with its seeds and allows its loopback port
range (and nothing else private) for crawls started from this process.
"""
from __future__ import annotations

import logging
import os
import threading
from urllib.parse import urlsplit

from flask import Flask

from portal.urlkeys import HOST_ALIASES

logger = logging.getLogger(__name__)

EXTENSION_KEY = "local_reach_sample_web"
#: First port tried, so the sample sites usually keep their addresses across restarts (their
#: identity does not depend on it: see host_aliases).
DEFAULT_FIRST_PORT = 18700
#: Stable host of a sample site in catalogue keys: ``<site name>.sample-web.invalid`` (.invalid is never real).
SAMPLE_HOST_SUFFIX = "sample-web.invalid"
_RANGE_KEY = "local_reach_sample_web_range"

_lock = threading.Lock()
_running = None  # one sample web per process, shared by every app the process builds


def _in_reloader_parent(app: Flask) -> bool:
    """The Flask reloader's watcher process serves nothing; only its child should start servers."""
    return bool(os.environ.get("FLASK_RUN_FROM_CLI")) and app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true"


def _serve():
    import sampleweb

    port = int(os.environ.get("LOCAL_REACH_SAMPLE_WEB_PORT", DEFAULT_FIRST_PORT))
    try:
        return sampleweb.serve(first_port=port)
    except OSError:
        logger.info("sample web ports from %s are busy; using a free block", port)
        return sampleweb.serve()


def attach(app: Flask):
    """Start (once per process) the sample web and wire it into this app; return it."""
    global _running
    with _lock:
        if _running is None:
            _running = _serve()
            logger.info("sample web serving on %s", _running.allow_private)
    wire(app, _running)
    return _running


def wire(app: Flask, web) -> None:
    """Make a running sample web this app's: its seeds, its port range, and its sites' identities."""
    app.extensions[EXTENSION_KEY] = web
    app.extensions[HOST_ALIASES] = host_aliases(web.urls)
    allowed = [r for r in app.config.get("CRAWL_ALLOW_PRIVATE") or [] if r != app.extensions.get(_RANGE_KEY)]
    app.extensions[_RANGE_KEY] = web.allow_private
    app.config["CRAWL_ALLOW_PRIVATE"] = [*allowed, web.allow_private]


def host_aliases(urls: dict[str, str]) -> dict[str, str]:
    """``host:port`` of each sample site -> a stable name, so its identity survives new ports.

    The ports change when ``make run`` restarts and the usual block is busy; without this a
    re-crawl would see every site (accepted and dismissed ones too) as new.
    """
    aliases = {}
    for name, base in urls.items():
        parts = urlsplit(base)
        aliases[f"{parts.hostname}:{parts.port}"] = f"{name}.{SAMPLE_HOST_SUFFIX}"
    return aliases


def init_app(app: Flask) -> None:
    """Attach the sample web when LOCAL_REACH_SAMPLE_WEB is on (or SAMPLE_WEB in config)."""
    wanted = app.config.get("SAMPLE_WEB")
    if wanted is None:
        wanted = os.environ.get("LOCAL_REACH_SAMPLE_WEB", "").strip().lower() in {"1", "true", "yes", "on"}
    if wanted and not _in_reloader_parent(app):
        attach(app)


def sample_seeds(app: Flask) -> list[str]:
    """The sample web's seeds when it runs in this app, else an empty list."""
    web = app.extensions.get(EXTENSION_KEY)
    return list(web.seeds) if web is not None else []

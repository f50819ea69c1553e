"""The offline sample web for the demo: served on loopback so discovery works with no internet.

With ``LOCAL_REACH_SAMPLE_WEB=1`` (set by ``make run``) the app starts the sample web once
per process, pre-fills the discovery form with its seeds and allows its loopback port
range (and nothing else private) for crawls started from this process.
"""
from __future__ import annotations

import logging
import os
import threading

from flask import Flask

logger = logging.getLogger(__name__)

EXTENSION_KEY = "local_reach_sample_web"
#: First port tried, so the sample sites keep their addresses (and catalogue keys) across restarts.
DEFAULT_FIRST_PORT = 18700

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
    web = _running
    app.extensions[EXTENSION_KEY] = web
    allowed = list(app.config.get("CRAWL_ALLOW_PRIVATE") or [])
    if web.allow_private not in allowed:
        app.config["CRAWL_ALLOW_PRIVATE"] = [*allowed, web.allow_private]
    return web


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

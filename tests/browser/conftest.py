"""Real-browser fixtures: a live portal on loopback and headless Debian Chromium via Playwright."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import base_config

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
DEMO_PASSWORDS = {
    "officer@example.org": "officer-demo-password-1",
    "officer2@example.org": "officer2-demo-password-1",
    "supervisor@example.org": "supervisor-demo-password-1",
    "researcher@example.org": "researcher-demo-password-1",
    "admin@example.org": "admin-demo-password-1",
    "auditor@example.org": "auditor-demo-password-1",
}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _missing_browser_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (install Debian's chromium package: make test does)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright for Python is not installed"
    return None


@pytest.fixture(scope="session")
def browser_available():
    reason = _missing_browser_reason()
    if reason:
        if os.environ.get("LOCAL_REACH_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


def buffered(app):
    """Wrap a WSGI app so each response is read to the end and closed before it is sent.

    Chromium drops connections it no longer needs (a favicon, a superseded htmx request).
    Werkzeug's development server can then skip closing a file response, and the unclosed
    file surfaces later as a ResourceWarning (an error under `filterwarnings = error`)
    blamed on whichever test happens to be running. Buffering costs nothing at test sizes.
    """
    def wsgi(environ, start_response):
        chunks: list[bytes] = []
        started: list[tuple] = []

        def capture(status, headers, exc_info=None):
            started[:] = [(status, headers)]
            return chunks.append

        result = app(environ, capture)
        try:
            chunks.extend(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        start_response(*started[0])
        return chunks

    return wsgi


class LiveServer:
    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._thread.join(5)


def demo_app(folder: Path, name: str):
    """Build a portal on a fresh SQLite file in `folder`, migrated, demo loaded, CSRF on."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.demo import load_demo
    from portal.extensions import db

    config = base_config(f"sqlite:///{folder / f'{name}.sqlite'}", folder)
    config.update({"WTF_CSRF_ENABLED": True, "JOBS_INLINE": False})
    app = create_app(config)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        load_demo(passwords=DEMO_PASSWORDS)
        db.session.remove()
    return app


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """A portal with the demo loaded into a fresh SQLite file, CSRF switched on."""
    return demo_app(tmp_path_factory.mktemp("live"), "live")


@pytest.fixture(scope="session")
def live_server(live_app):
    server = LiveServer(live_app).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(browser_available):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(params=["phone", "desktop"])
def viewport(request):
    return PHONE if request.param == "phone" else DESKTOP


@pytest.fixture
def page(browser, live_server, viewport):
    context = browser.new_context(viewport=viewport, base_url=live_server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.js_errors = errors
    yield page
    context.close()


def sign_in(page, email: str, password: str | None = None):
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password or DEMO_PASSWORDS[email])
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url("**/home")

"""Serving: JSON logs, proxy headers, the gunicorn configuration."""
from __future__ import annotations

import json
import logging
import runpy
from pathlib import Path

import pytest

from portal import logs
from portal.access import public

ROOT = Path(__file__).resolve().parents[2]


def test_json_formatter_writes_one_object_per_line(app):
    record = logging.LogRecord("portal.x", logging.WARNING, __file__, 1, "crawl %s slow", ("run-1",), None)
    record.run_id = 7
    with app.test_request_context("/communities?q=secret", method="GET"):
        line = logs.JsonFormatter().format(record)
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["message"] == "crawl run-1 slow"
    assert entry["level"] == "WARNING"
    assert entry["path"] == "/communities"
    assert entry["method"] == "GET"
    assert entry["run_id"] == 7
    assert "secret" not in line  # no query strings


def test_json_formatter_includes_exceptions():
    try:
        raise ValueError("bad")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    entry = json.loads(logs.JsonFormatter().format(record))
    assert "ValueError: bad" in entry["exception"]


def test_configure_json_installs_one_handler(monkeypatch):
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        logs.configure("json", "INFO")
        logs.configure("json", "INFO")
        ours = [h for h in root.handlers if h.name == "local-reach-json"]
        assert len(ours) == 1
        assert isinstance(ours[0].formatter, logs.JsonFormatter)
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
        for handler in before:
            if handler not in root.handlers:
                root.addHandler(handler)


@pytest.mark.parametrize("trust, expected", [(0, ("127.0.0.1", "http")), (1, ("203.0.113.9", "https"))])
def test_proxy_headers_are_trusted_only_when_configured(app_config, trust, expected):
    from portal import create_app

    application = create_app({**app_config, "TRUST_PROXY": trust})

    @application.get("/_whoami")
    @public
    def whoami():
        from flask import request

        return f"{request.remote_addr} {request.scheme}"

    response = application.test_client().get(
        "/_whoami", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert response.get_data(as_text=True) == " ".join(expected)


def test_gunicorn_config_defaults_and_environment(monkeypatch):
    for name in ("GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_BIND", "LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    import multiprocessing

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["workers"] == multiprocessing.cpu_count() * 2 + 1
    assert conf["worker_class"] == "sync"
    assert conf["bind"] == "127.0.0.1:8000"
    assert conf["timeout"] == 30
    assert conf["preload_app"] is True
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "4")
    monkeypatch.setenv("LOG_FORMAT", "json")
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (conf["workers"], conf["threads"], conf["worker_class"]) == (3, 4, "gthread")
    class Atoms(dict):  # what gunicorn substitutes, for every atom
        def __missing__(self, key):
            return "x"

    entry = json.loads(conf["access_log_format"] % Atoms(s="200", M="12"))
    assert (entry["status"], entry["duration_ms"], entry["method"]) == (200, 12, "x")
    assert conf["logconfig_dict"]["formatters"]["json"]["()"] == "portal.logs.JsonFormatter"


def test_preloading_gunicorn_imports_the_disclosure_solver_before_workers_fork():
    """Workers inherit scipy from the master instead of each paying ~2 s on a first research table."""
    import subprocess
    import sys

    probe = ("import runpy, sys; runpy.run_path('gunicorn.conf.py'); "
             "from portal.guidance.detectors.base import table_regex; "
             "print('scipy.optimize' in sys.modules, 'scipy.sparse.csgraph' in sys.modules, "
             "table_regex.cache_info().currsize > 0)")
    preloaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
                               env={"GUNICORN_PRELOAD": "1", "PATH": ""})
    assert preloaded.stdout.split() == ["True", "True", "True"]  # the message check is warmed too
    lazy = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
                          env={"GUNICORN_PRELOAD": "0", "PATH": ""})
    assert lazy.stdout.split() == ["False", "False", "False"]

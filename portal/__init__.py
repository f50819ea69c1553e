"""Local Reach portal: the Flask application factory."""
from __future__ import annotations

import importlib
import logging
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from sqlalchemy import event
from sqlalchemy.engine import Engine

from portal import config as config_module
from portal.extensions import csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent

# One blueprint package per feature; each exports ``bp``.
BLUEPRINTS = (
    "portal.main",
    "portal.auth",
    "portal.admin",
    "portal.communities",
    "portal.outreach",
    "portal.discovery",
    "portal.guidance",
    "portal.research",
    "portal.auditor",
    "portal.notices",
)

logger = logging.getLogger(__name__)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:  # noqa: ARG001
    """Turn on foreign keys and WAL for SQLite; other databases are left alone."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the portal.

    Args:
        config: settings that override the environment (tests pass a temporary database).
    """
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(config_module.load(Path(app.instance_path)))
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(str(ROOT / "templates")),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_options = {**app.jinja_options, "autoescape": True}

    from portal import logs

    logs.init_app(app)
    if app.config.get("TRUST_PROXY"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUST_PROXY"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]  # wrapping wsgi_app is how Flask documents ProxyFix

    _init_extensions(app)
    from portal.security import DatabaseIdConverter

    app.url_map.converters["int"] = DatabaseIdConverter  # before any route is added
    app.url_map.strict_slashes = False  # /communities/ and /admin answer as /communities and /admin/ do
    for module_name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(module_name).bp)

    from portal import (
        access, audit_reads, cli, db_roles, errors, redirects, security, static_assets, templating, transactions,
    )

    app.before_request(access.enforce)
    audit_reads.init_app(app)
    transactions.init_app(app)
    security.init_app(app)
    redirects.init_app(app)
    static_assets.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    from portal.notices import services as notice_services

    notice_services.init_app(app)
    from portal.auth import sso

    sso.init_app(app)
    db_roles.check_role(app)
    return app


def _check_limits_only_where_declared(app: Flask) -> None:
    """Drop Flask-Limiter's before_request hook when there are no app-wide limits.

    The hook looks for default, application and blueprint limits on every request (a GET
    included); the portal has none, only limits declared on a view (the sign-in POST), and
    those are checked by the view's own decorator. Without app-wide limits the hook found
    nothing to check, at about 0.5 ms of CPU a request (benchmarks/page_profile.py).
    """
    hooks = app.before_request_funcs.get(None, [])
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return
    if limiter._check_request_limit in hooks:  # absent when rate limiting is off (RATELIMIT_ENABLED)
        hooks.remove(limiter._check_request_limit)


def _init_extensions(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    from portal import models  # noqa: F401  (register the models with the metadata)
    from portal import stage_tallies  # noqa: F401  (keeps the funnel's tallies on every flush)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    _check_limits_only_where_declared(app)
    WTFormsHelpers(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str):
        from flask import session

        from portal.models import UserSession

        raw_id, _, token = user_id.partition(":")
        if not raw_id.isdigit() or not token:
            return None
        return UserSession.signed_in_user(int(raw_id), token, session.get(UserSession.FIELD))

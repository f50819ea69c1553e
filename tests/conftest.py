"""Shared test fixtures: network guard, database backends, app/client/auth helpers.

Database backend: SQLite by default; set LOCAL_REACH_TEST_DB=postgresql to run the
portal tests against PostgreSQL (TEST_POSTGRES_URL, default the local server's
`test` database). Each session works in a fresh database of its own.
"""
from __future__ import annotations

import functools
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

pytest_plugins = ["tests.fast_setup", "tests.demo_snapshot"]

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "correct-horse-battery-staple-42"
ROLE_EMAILS = {
    role: f"{role}@tests.example.org" for role in ("officer", "supervisor", "researcher", "admin", "auditor")
}


def plain_id(index: int, value: object) -> str:
    """A parametrize id in printable ASCII without backslashes or brackets.

    pytest writes other characters as escapes, and such ids do not survive a round trip through
    tools that rerun single tests by id (mutmut, see docs/MUTATION.md).
    """
    text = repr(value)[:36]
    return f"{index:02d}-" + "".join(ch if ch.isascii() and ch.isprintable() and ch not in "\\[]'" else "_"
                                      for ch in text)


# --- network guard -----------------------------------------------------------------

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address) -> bool:
    if isinstance(address, str | bytes):  # unix socket
        return True
    host = address[0]
    return host in {"localhost", "::1"} or str(host).startswith("127.")


def _guarded_connect(self, address):
    if not _is_local(address):
        raise ConnectionRefusedError(f"tests may not reach the network: {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    if not _is_local(address):
        raise ConnectionRefusedError(f"tests may not reach the network: {address!r}")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Refuse any connection that is not to this machine's loopback."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)


# --- service probes --------------------------------------------------------------------

def postgres_reachable() -> str | None:
    """Return None if PostgreSQL answers, else the reason it does not."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {exc.__class__.__name__}: {exc}"


def redis_reachable() -> str | None:
    """Return None if Redis answers, else the reason it does not."""
    try:
        from redis import Redis

        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
        return None
    except Exception as exc:  # noqa: BLE001
        return f"Redis not reachable at {REDIS_URL}: {exc.__class__.__name__}: {exc}"


def skip_or_fail(reason: str) -> None:
    """Skip with a visible reason; in CI (LOCAL_REACH_REQUIRE_SERVICES=1) fail instead."""
    if os.environ.get("LOCAL_REACH_REQUIRE_SERVICES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis test database URL (skips if no server is reachable)."""
    reason = redis_reachable()
    if reason:
        skip_or_fail(reason)
    return REDIS_URL


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test session (skips if none is reachable)."""
    reason = postgres_reachable()
    if reason:
        skip_or_fail(reason)
    import psycopg

    name = f"lr_test_{uuid.uuid4().hex[:10]}"
    admin_url = POSTGRES_URL.replace("+psycopg", "")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory) -> str:
    """The database the portal tests use, chosen by LOCAL_REACH_TEST_DB."""
    backend = os.environ.get("LOCAL_REACH_TEST_DB", "sqlite")
    if backend == "postgresql":
        return request.getfixturevalue("postgres_server_url")
    path: Path = tmp_path_factory.mktemp("db") / "test.sqlite"
    return f"sqlite:///{path}"


def base_config(database_url: str, instance: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,
        "REDIS_URL": None,
        "JOBS_INLINE": True,
        "PSEUDONYM_KEY": "test-pseudonym-key",
        "EXPORT_FOLDER": str(instance / "research_exports"),  # research packages stay out of the checkout
        "SERVER_NAME": None,
        # Tests change records and reload charts at once; tests/portal/test_research_cache.py turns it on.
        "RESEARCH_CACHE_SECONDS": 0,
    }


@pytest.fixture(scope="session")
def migrated_database(database_url, tmp_path_factory) -> str:
    """Run the migrations once per session, as production does."""
    from flask_migrate import upgrade

    from portal import create_app

    app = create_app(base_config(database_url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        from portal.extensions import db

        db.engine.dispose()
    return database_url


def _empty_all_tables(db) -> None:
    """Delete every row (fast per-test isolation without re-running migrations)."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # The audit trail refuses TRUNCATE (migration 0014): test cleanup, not the application,
            # lifts every trigger for this one transaction (a superuser-only setting).
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            # DELETE, not TRUNCATE: TRUNCATE gives every table new files, about 1.3 s per test for
            # the whole schema, where deleting the few rows a test wrote takes milliseconds. The
            # sequences start again as TRUNCATE … RESTART IDENTITY would make them.
            for name in tables:
                conn.exec_driver_sql(f'DELETE FROM "{name}"')
            # (%% is how psycopg spells a literal percent sign.)
            conn.exec_driver_sql("SELECT setval(format('%%I.%%I', schemaname, sequencename)::regclass, start_value, false) "
                                 "FROM pg_sequences WHERE schemaname = current_schema()")
        else:
            # The append-only triggers (migration 0007) refuse DELETE of recent audit rows, and the
            # area_tags counters (0016) would count the deletions. Test cleanup, not the application,
            # lifts every trigger inside this one transaction.
            triggers = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all()
            for name, _ in triggers:
                conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
            for name in tables:
                conn.exec_driver_sql(f'DELETE FROM "{name}"')
            for _, sql in triggers:
                conn.exec_driver_sql(sql)
            # The search index (migration 0029) is kept by triggers that were lifted above: empty it too.
            if conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'communities_search'").first():
                conn.exec_driver_sql("INSERT INTO communities_search (communities_search) VALUES ('delete-all')")
        from flask import current_app

        from portal.audit_chain import start

        start(conn, current_app.config["AUDIT_KEY"])  # the empty trail's chain starts again


@pytest.fixture
def app_config(migrated_database, tmp_path) -> dict:
    """Configuration for the app fixture; tests may change it before requesting `app`."""
    return base_config(migrated_database, tmp_path)


class FreshContextClient(FlaskClient):
    """A test client whose every request runs in an application context of its own.

    The test itself holds an app context (for db access); without this, requests
    would share its `g` (and so Flask-Login's cached user) and its db session.
    """

    def open(self, *args, **kwargs):
        from portal.extensions import db

        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()  # the test's own session sees what the request wrote
        return response


@pytest.fixture
def app(app_config):
    from portal import create_app
    from portal.extensions import db

    application = create_app(app_config)
    application.test_client_class = FreshContextClient
    with application.app_context():
        yield application
        db.session.remove()
        _empty_all_tables(db)
        db.engine.dispose()


@pytest.fixture
def live_research_figures(app):
    """Researchers' current year runs to today (RESEARCH_FIGURES_TO="today"), for research tests that are
    not about dates and make their records days before now: by default figures stop at the last month-end,
    so whether such records show would depend on the day of the month the test runs."""
    app.config["RESEARCH_FIGURES_TO"] = "today"


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def area(app):
    from portal.areas import import_area
    from portal.extensions import db

    created, _ = import_area({"name": "Test Town", "places": ["Lewes"], "postcode_districts": ["BN7"]},
                             slug="test-town")
    db.session.commit()
    return created


@functools.cache
def _password_hash() -> str:
    """Hash the shared test password once, cheaply (tests/fast_setup.py says why)."""
    from werkzeug.security import generate_password_hash

    from tests.fast_setup import TEST_HASH_METHOD

    return generate_password_hash(PASSWORD, method=TEST_HASH_METHOD)


@pytest.fixture
def users(app, area):
    """One user per role; officers and supervisors work the `area`."""
    from portal.extensions import db
    from portal.models import User

    made = {}
    for role, email in ROLE_EMAILS.items():
        user = User(email=email, display_name=f"Test {role}", role=role)
        user.password_hash = _password_hash()
        if role in {"officer", "supervisor"}:
            user.areas.append(area)
        db.session.add(user)
        made[role] = user
    db.session.commit()
    return made


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, role: str = "officer", password: str = PASSWORD, email: str | None = None):
        return self._client.post("/login", data={"email": email or ROLE_EMAILS[role], "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client, users):
    return AuthActions(client)


@pytest.fixture
def db_session(app):
    from portal.extensions import db

    return db.session


def pytest_collection_modifyitems(config, items):
    """Run the browser tests last.

    Playwright's sync API keeps an asyncio loop running in the main thread while the
    browser is open; the crawler's synchronous entry points (asyncio.run) cannot run
    inside it, so everything else goes first. (`make test` also runs them apart.)
    """
    items.sort(key=lambda item: "tests/browser/" in item.nodeid.replace("\\", "/"))


def pytest_terminal_summary(terminalreporter):
    """Say how many requests the route fuzz test (tests/portal/test_fuzz_forms.py) sent, and how many failed."""
    reports = [r for key in ("passed", "failed") for r in terminalreporter.stats.get(key, []) if r.when == "call"]
    counts = [value for report in reports for name, value in report.user_properties if name == "fuzz_requests"]
    if counts:
        failed = sum(1 for r in terminalreporter.stats.get("failed", []) if "test_fuzz_forms" in r.nodeid)
        terminalreporter.write_line(f"route fuzz: {sum(counts)} requests tried in {len(counts)} route × method × "
                                    f"role cases; {failed} cases failed")

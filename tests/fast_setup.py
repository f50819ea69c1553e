"""Test-only shortcuts that make the suite quicker without changing what it checks (issue 25, point 9).

Measured on tests/portal (cProfile, see the commit that added this module): about a fifth of a
portal test's CPU time went to scrypt, each sign-in and each demo account costing a deliberately
slow hash, and about a seventh to compiling the same Jinja templates again for every test's app.

- Password hashing: in tests, new hashes use one round of PBKDF2. Checking reads the method
  from the stored hash, so every sign-in path still runs for real; only the cost differs.
  Production keeps Werkzeug's scrypt: `real_password_hashing` gives a test the real functions
  (tests/portal/test_passwords.py uses it to hold production to scrypt).
- Templates: every app the tests build shares one in-memory Jinja bytecode cache, keyed by
  template name and source checksum, so an edited template is compiled again.
"""
from __future__ import annotations

import functools
from collections.abc import Iterator

import pytest
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

# Cheap, but a real salted hash that check_password_hash verifies like any other.
TEST_HASH_METHOD = "pbkdf2:sha256:1"
# Modules that imported generate_password_hash by name (`from werkzeug.security import …`).
_HASHING_MODULES = ("portal.models.people", "portal.auth.views")


class _SharedBytecode(BytecodeCache):
    """Compiled templates kept in memory for the whole test session (one per xdist worker)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self._code.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(scope="session", autouse=True)
def _quick_tests() -> Iterator[None]:
    """Cheap password hashes and shared compiled templates, for every app the session builds."""
    import importlib

    from flask import Flask
    from werkzeug.security import generate_password_hash

    cheap = functools.partial(generate_password_hash, method=TEST_HASH_METHOD)
    with pytest.MonkeyPatch.context() as patch:
        for name in _HASHING_MODULES:
            patch.setattr(importlib.import_module(name), "generate_password_hash", cheap)
        patch.setattr(Flask, "jinja_options", {**Flask.jinja_options, "bytecode_cache": _SharedBytecode()})
        yield


@pytest.fixture
def real_password_hashing(monkeypatch) -> None:
    """Give this test production's password hashing (Werkzeug's default, scrypt)."""
    import importlib

    from werkzeug.security import generate_password_hash

    for name in _HASHING_MODULES:
        monkeypatch.setattr(importlib.import_module(name), "generate_password_hash", generate_password_hash)


# --- which tests a phase runs ------------------------------------------------------------
# scripts/test.sh runs the suite on SQLite, then tests/portal again on PostgreSQL. A test that
# never reaches the database proves the same thing twice, so the PostgreSQL phase keeps only the
# tests whose fixtures lead to a database: `database_url` (behind `app`, `client`, `db_session`…)
# or `postgres_server_url` (tests that make PostgreSQL databases of their own), plus anything
# marked `postgres`. Tests of the second kind run on PostgreSQL whatever the session's backend,
# so the SQLite phase leaves them to the PostgreSQL phase when one follows
# (LOCAL_REACH_POSTGRES_PHASE=1, set by scripts/test.sh). The choice follows the fixtures a test
# asks for, so a new test is placed without a list to keep. LOCAL_REACH_TEST_ALL=1 runs everything.
DATABASE_FIXTURES = {"database_url", "postgres_server_url"}


def _reaches_database(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    return bool(names & DATABASE_FIXTURES) or item.get_closest_marker("postgres") is not None


def _own_postgres(item: pytest.Item) -> bool:
    return "postgres_server_url" in getattr(item, "fixturenames", ()) or item.get_closest_marker("postgres") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    import os

    if os.environ.get("LOCAL_REACH_TEST_ALL") == "1":
        return
    on_postgres = os.environ.get("LOCAL_REACH_TEST_DB") == "postgresql"
    if on_postgres:
        dropped = [item for item in items if not _reaches_database(item)]
    elif os.environ.get("LOCAL_REACH_POSTGRES_PHASE") == "1":
        dropped = [item for item in items if _own_postgres(item) and "/portal/" in item.nodeid.replace("\\", "/")
                   and "database_url" not in item.fixturenames]
    else:
        return
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        kept = set(map(id, items)) - set(map(id, dropped))
        items[:] = [item for item in items if id(item) in kept]

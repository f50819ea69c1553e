"""The shape every migration test shares: an app on a database of its own, upgraded to a revision
(the head unless told), in its app context; and a PostgreSQL database of its own to run it on."""
from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

from portal import create_app
from portal.extensions import db
from tests.conftest import base_config


@contextlib.contextmanager
def migrated_app(url: str, tmp_path: Path, revision: str = "head") -> Iterator[tuple[Flask, str]]:
    """Yield (app, migrations directory) with the database at `revision`, inside the app context; the
    session and the engine are closed after, so the database can be dropped."""
    app = create_app(base_config(url, tmp_path))
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision=revision)
        try:
            yield app, directory
        finally:
            db.session.remove()
            db.engine.dispose()


@contextlib.contextmanager
def scratch_postgres_database() -> Iterator[str]:
    """A PostgreSQL database of its own (the session database may be in use by other tests)."""
    import psycopg

    from tests.conftest import POSTGRES_URL

    name = f"lr_mig_{uuid.uuid4().hex[:8]}"
    admin = POSTGRES_URL.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

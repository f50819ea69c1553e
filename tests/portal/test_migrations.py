"""Migrations: models and migrations agree; upgrade/downgrade round trips on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from portal.extensions import db, include_in_schema_comparison
from tests.portal.migration_support import migrated_app, scratch_postgres_database


def _diff():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "include_name": include_in_schema_comparison})
        return compare_metadata(context, db.metadata)


def _round_trip(url, tmp_path):
    with migrated_app(url, tmp_path) as (_, directory):
        assert _diff() == [], "models and migrations disagree: run flask db migrate"
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "areas", "communities", "outreach_contacts", "stage_changes", "audit_events"} <= tables
        downgrade(directory=directory, revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(directory=directory)
        assert "communities" in inspect(db.engine).get_table_names()


def test_sqlite_round_trip(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'mig.sqlite'}", tmp_path)


@pytest.mark.postgres
def test_postgresql_round_trip(postgres_server_url, tmp_path):
    with scratch_postgres_database() as url:
        _round_trip(url, tmp_path)


def test_sqlite_pragmas_are_on(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite-specific")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_database_url_translation(monkeypatch, tmp_path):
    from portal.config import database_url

    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert database_url(tmp_path) == "postgresql+psycopg://u@h/db"
    monkeypatch.delenv("DATABASE_URL")
    assert database_url(tmp_path).startswith("sqlite:///")
    assert str(tmp_path) in database_url(tmp_path)
    create_engine(database_url(tmp_path)).dispose()


def _tallies_filled_by_migration(url, tmp_path):
    from portal import stage_tallies
    from portal.communities.services import merge_communities
    from portal.models import Community
    from portal.models.tallies import ALL_AREAS
    from portal.scale import generate

    with migrated_app(url, tmp_path) as (_, directory):
        generate(60, areas=3, seed=11)
        first, second = db.session.scalars(db.select(Community).order_by(Community.id).limit(2))
        merge_communities(first, second)
        db.session.commit()
        expected = stage_tallies.recount(db.session.connection())
        db.session.remove()
        # Back to before the tallies existed (the data stays), then forward: the migration fills them.
        downgrade(directory=directory, revision="0010_task_note")
        assert "stage_tallies" not in inspect(db.engine).get_table_names()
        upgrade(directory=directory)
        assert expected
        assert stage_tallies.stored(db.session.connection()) == expected
        db.session.remove()
        # The all-areas roll-up rows come and go with their own migration.
        downgrade(directory=directory, revision="0014_audit_no_truncate")
        assert all(key[3] != ALL_AREAS for key in stage_tallies.stored(db.session.connection()))
        db.session.remove()
        upgrade(directory=directory)
        assert stage_tallies.stored(db.session.connection()) == expected


def test_sqlite_migration_fills_the_stage_tallies(tmp_path):
    _tallies_filled_by_migration(f"sqlite:///{tmp_path / 'tallies.sqlite'}", tmp_path)


@pytest.mark.postgres
def test_postgresql_migration_fills_the_stage_tallies(postgres_server_url, tmp_path):
    with scratch_postgres_database() as url:
        _tallies_filled_by_migration(url, tmp_path)


def test_migration_files_are_named_in_revision_order():
    """Reading the versions folder in name order is reading the chain (one head, no branches)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from pathlib import Path

    directory = Path(__file__).resolve().parents[2] / "migrations"
    config = Config()
    config.set_main_option("script_location", str(directory))
    scripts = ScriptDirectory.from_config(config)
    assert len(scripts.get_heads()) == 1
    chain = list(reversed(list(scripts.walk_revisions())))
    names = [Path(script.path).name for script in chain]
    assert names == sorted(names)
    assert names == sorted(path.name for path in (directory / "versions").glob("[0-9]*.py"))

"""PostgreSQL roles: init-db grants an application role what it needs; running as the owner is warned about."""
from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from portal import create_app
from portal.db_roles import role_warning
from portal.extensions import db
from tests.conftest import base_config


def _postgres(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("run with LOCAL_REACH_TEST_DB=postgresql")


def _as(role: str):
    """An engine on the test database signed in as another role (the local server trusts loopback)."""
    url = db.engine.url.set(username=role)
    return create_engine(url)


@pytest.fixture
def role(app):
    """A fresh login role, dropped (with its grants) afterwards."""
    _postgres(app)
    name = f"lr_role_{uuid.uuid4().hex[:8]}"
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{name}" LOGIN')
    yield name
    db.session.remove()
    with db.engine.begin() as conn:
        owner = conn.exec_driver_sql("SELECT current_user").scalar_one()
        conn.exec_driver_sql(f'REASSIGN OWNED BY "{name}" TO "{owner}"')
        conn.exec_driver_sql(f'DROP OWNED BY "{name}"')
        conn.exec_driver_sql(f'DROP ROLE "{name}"')


def test_sqlite_has_no_role_to_warn_about_and_init_db_says_app_role_is_for_postgresql(app, runner, client):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite-specific")
    assert role_warning(db.engine) is None
    assert "warnings" not in client.get("/healthz").get_json()
    result = runner.invoke(args=["init-db", "--app-role", "localreach_app"])
    assert result.exit_code != 0
    assert "--app-role is for PostgreSQL" in result.output


def test_the_owner_is_warned_about_at_start_up_and_on_healthz(app, app_config, caplog):
    """The test suite connects as a superuser: exactly the setup the warning is for."""
    _postgres(app)
    assert "superuser" in role_warning(db.engine)
    with caplog.at_level(logging.WARNING, logger="portal.db_roles"):
        started = create_app(app_config)
    assert any("SECURITY WARNING" in r.getMessage() and "superuser" in r.getMessage() for r in caplog.records)
    health = started.test_client().get("/healthz").get_json()
    with started.app_context():
        db.engine.dispose()
    assert health["status"] == "ok"
    assert "superuser" in health["warnings"][0]


def test_a_table_owner_that_is_no_superuser_is_warned_about_too(app, role):
    with db.engine.begin() as conn:
        original = conn.exec_driver_sql("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_events'").scalar()
        conn.exec_driver_sql(f'ALTER TABLE audit_events OWNER TO "{role}"')
    try:
        engine = _as(role)
        assert "the owner of the audit_events table" in role_warning(engine)
        engine.dispose()
    finally:
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f'ALTER TABLE audit_events OWNER TO "{original}"')


def test_init_db_grants_an_application_role_that_can_add_audit_rows_but_not_rewrite_them(app, runner, role,
                                                                                      tmp_path):
    result = runner.invoke(args=["init-db", "--app-role", role])
    assert result.exit_code == 0, result.output
    assert f"Run the portal as {role}" in result.output
    engine = _as(role)
    assert role_warning(engine) is None
    with engine.connect() as conn:  # init-db's own rows (the shipped message-check rules it seeds)
        seeded = conn.execute(text("SELECT count(*) FROM audit_events")).scalar()
    # The portal, run as that role, writes audit rows (and moves the chain's head).
    portal = create_app({**base_config(str(engine.url.render_as_string(hide_password=False)), tmp_path),
                         "AUDIT_KEY": app.config["AUDIT_KEY"]})
    assert portal.extensions["audit_role_warning"] is None
    with portal.app_context():
        from portal import audit

        audit.record("change", "Written by the application role", object_type="Community", object_id=1)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    refused = [
        "UPDATE audit_events SET summary = 'rewritten'",
        "ALTER TABLE audit_events DISABLE TRIGGER USER",
        "DELETE FROM audit_chain",
        "TRUNCATE audit_events",
        "DROP TABLE communities",
    ]
    for statement in refused:
        with pytest.raises(DBAPIError, match="permission denied|must be owner"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_events")).scalar() == seeded + 1
    engine.dispose()


def test_init_db_refuses_a_role_that_does_not_exist_or_is_not_a_plain_name(app, runner):
    _postgres(app)
    missing = runner.invoke(args=["init-db", "--app-role", "no_such_role_here"])
    assert missing.exit_code != 0
    assert "create it first" in missing.output
    odd = runner.invoke(args=["init-db", "--app-role", 'x"; DROP TABLE users; --'])
    assert odd.exit_code != 0
    assert "not a plain role name" in odd.output

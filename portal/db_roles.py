"""Database roles on PostgreSQL: the portal should run as a role that owns no table.

A table's owner (or a superuser) can disable the audit trail's append-only triggers and rewrite
it; the hash chain (portal/audit_chain.py) would show that, but only a second role stops it.
``flask init-db --app-role NAME`` (run as the owner) grants NAME what the portal needs and no
more; at start-up the portal warns loudly, and /healthz says so, when it runs as the owner.
"""
from __future__ import annotations

import logging
import re

from flask import Flask
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db

logger = logging.getLogger(__name__)

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

ROLE_QUERY = text("""
SELECT r.rolsuper, pg_has_role(current_user, c.relowner, 'MEMBER')
FROM pg_class c JOIN pg_roles r ON r.rolname = current_user
WHERE c.oid = to_regclass('audit_events')
""")


def role_warning(engine: Engine) -> str | None:
    """Say so when the application's database role could rewrite the audit trail itself (PostgreSQL)."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        row = conn.execute(ROLE_QUERY).first()
    if row is None:  # not migrated yet
        return None
    superuser, owner = row
    if not (superuser or owner):
        return None
    who = "a superuser" if superuser else "the owner of the audit_events table"
    return (f"the portal connects to PostgreSQL as {who}, so it could disable the audit trail's triggers and "
            "rewrite rows (the chain would show it, but not stop it): run it as an application role that owns "
            "no table (flask init-db --app-role; docs/DEPLOY.md)")


def check_role(app: Flask) -> None:
    """At start-up: warn loudly, and keep the warning for /healthz, when the role owns the audit trail."""
    try:
        with app.app_context():
            warning = role_warning(db.engine)
            if db.engine.dialect.name == "postgresql":
                db.engine.dispose()  # no connection is kept from start-up (gunicorn forks after it, too)
    except SQLAlchemyError:
        logger.info("could not check the database role at start-up (is the database up?)", exc_info=True)
        warning = None
    app.extensions["audit_role_warning"] = warning
    if warning:
        logger.warning("SECURITY WARNING: %s", warning)


def grant_app_role(conn: Connection, role: str) -> None:
    """Grant an existing role what the portal needs: rows, not DDL; audit rows may be added, never changed.

    Run as the owner after every upgrade (new tables need their grants). DELETE on audit_events
    stays for retention (the trigger refuses rows younger than six years).
    """
    if not ROLE_NAME.match(role):
        raise ValueError(f"{role!r} is not a plain role name (lower-case letters, digits, underscores)")
    if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}).first() is None:
        raise LookupError(f"there is no role {role}: create it first (createuser --pwprompt {role})")
    for statement in (
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
        f'REVOKE UPDATE, TRUNCATE, REFERENCES, TRIGGER ON audit_events FROM "{role}"',
        f'REVOKE INSERT, DELETE, TRUNCATE ON audit_chain FROM "{role}"',
        f'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM "{role}"',
    ):
        conn.execute(text(statement))

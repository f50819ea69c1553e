"""audit events cannot be truncated either

Migration 0007 made UPDATE and DELETE of recent audit events fail in the database.
TRUNCATE is not a row operation, so it slipped past those row triggers, and so did a
TRUNCATE of another table with CASCADE reaching audit_events. On PostgreSQL a
statement-level trigger now refuses it. (SQLite has no TRUNCATE; its DELETE without
WHERE is row by row and the 0007 triggers already refuse it.) Test cleanup lifts every
trigger for one transaction with session_replication_role = replica, which only a
superuser may set. docs/DEPLOY.md explains running the portal as a role that owns
no table, so it cannot drop these triggers either.

Revision ID: 0014_audit_no_truncate
Revises: 0013_stage_evidence_index
Create Date: 2026-12-01 23:40:00

"""
from alembic import op

revision = '0014_audit_no_truncate'
down_revision = '0013_stage_evidence_index'
branch_labels = None
depends_on = None

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_events_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only (TRUNCATE refused)'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_FUNCTION)
        op.execute("CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_no_truncate()")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_no_truncate()")

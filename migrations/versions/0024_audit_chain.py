"""audit events: a hash chain with keyed digests, and its sealed head

Each audit row written from now on carries its place in a chain, the previous row's hash,
its own hash and an HMAC of it with the server-held AUDIT_KEY (portal/audit_chain.py), so
that `flask audit verify` can tell an edited, deleted, reordered or forged row. The chain
starts here: the head row records when (the database's clock), and how many rows there were
before it and the highest of their ids. Those older rows cannot be proven after the fact;
the verifier counts them and reports any row that appears among them later, or any row
outside the chain with a newer id. The head is sealed with the same key (the HMAC below is
the one portal.audit_chain.head_hash / mac compute; this migration keeps its own copy so it
does not import the application).

Revision ID: 0024_audit_chain
Revises: 0021_community_listing_by_name
Create Date: 2026-12-06 22:00:00

"""
import hashlib
import hmac
import json

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = '0024_audit_chain'
down_revision = '0023_crawl_run_report'
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _database_now(bind):
    if bind.dialect.name == 'postgresql':
        return bind.execute(sa.text("SELECT clock_timestamp() AT TIME ZONE 'UTC'")).scalar_one()
    from datetime import datetime

    return datetime.fromisoformat(bind.execute(sa.text("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")).scalar_one())


def _head_mac(key, fields):
    digest = hashlib.sha256(json.dumps(fields, separators=(",", ":")).encode()).hexdigest()
    return hmac.new(key.encode(), f"head:{digest}".encode(), hashlib.sha256).hexdigest()


def upgrade():
    op.add_column('audit_events', sa.Column('chain_seq', sa.Integer(), nullable=True))
    op.add_column('audit_events', sa.Column('chain_prev', sa.String(length=64), nullable=True))
    op.add_column('audit_events', sa.Column('chain_hash', sa.String(length=64), nullable=True))
    op.add_column('audit_events', sa.Column('chain_mac', sa.String(length=64), nullable=True))
    op.create_index('ix_audit_events_chain_seq', 'audit_events', ['chain_seq'], unique=True)
    op.create_table(
        'audit_chain',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('first_seq', sa.Integer(), nullable=False),
        sa.Column('first_prev', sa.String(length=64), nullable=False),
        sa.Column('last_seq', sa.Integer(), nullable=False),
        sa.Column('last_hash', sa.String(length=64), nullable=False),
        sa.Column('legacy_max_id', sa.Integer(), nullable=False),
        sa.Column('legacy_count', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('mac', sa.String(length=64), nullable=True),
        sa.CheckConstraint('id = 1', name=op.f('ck_audit_chain_one_head')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain')),
    )
    bind = op.get_bind()
    legacy_max_id, legacy_count = bind.execute(
        sa.text("SELECT COALESCE(MAX(id), 0), COUNT(*) FROM audit_events")).one()
    started_at = _database_now(bind)
    fields = [1, GENESIS, 0, GENESIS, legacy_max_id, legacy_count,
              started_at.isoformat(sep=" ", timespec="microseconds")]
    bind.execute(sa.text(
        "INSERT INTO audit_chain (id, first_seq, first_prev, last_seq, last_hash, legacy_max_id, legacy_count, "
        "started_at, mac) VALUES (1, 1, :genesis, 0, :genesis, :max_id, :count, :started, :mac)"),
        {"genesis": GENESIS, "max_id": legacy_max_id, "count": legacy_count, "started": started_at,
         "mac": _head_mac(current_app.config["AUDIT_KEY"], fields)})


def downgrade():
    op.drop_table('audit_chain')
    op.drop_index('ix_audit_events_chain_seq', table_name='audit_events')
    for column in ('chain_mac', 'chain_hash', 'chain_prev', 'chain_seq'):
        op.drop_column('audit_events', column)

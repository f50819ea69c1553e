"""SQLite: the community list's index also holds stage and search_text, as PostgreSQL's includes them

Migration 0021 gave PostgreSQL's ix_communities_area_listing (area_id, status, name, id) the
included columns stage and search_text, so the list's page ids and its per-stage counts are read
from the index alone. SQLite has no INCLUDE, so there the index had neither, and a search the
FTS5 index cannot serve (a term of one or two characters) or a force-wide one read every
community's row: about 0.5 s for each of the two statements at 100,000 communities. This
SQLite-only index holds them as trailing key columns (the same order for the walk by name),
and force-wide the two statements become scans of the index (benchmarks/README.md, issue 26);
within one area SQLite may still count from (area_id, status, stage) and that area's rows.

It is not a model: SQLite only, and left out of the models-versus-migrations comparison
(``portal.extensions.include_in_schema_comparison``).

Revision ID: 0032_sqlite_listing_covering
Revises: 0031_sso
Create Date: 2026-12-07 04:30:00

"""
from alembic import op

revision = '0032_sqlite_listing_covering'
down_revision = '0031_sso'
branch_labels = None
depends_on = None

NAME = "ix_communities_listing_covering"


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON communities (area_id, status, name, id, stage, search_text)")


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"DROP INDEX IF EXISTS {NAME}")

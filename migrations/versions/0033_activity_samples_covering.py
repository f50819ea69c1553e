"""Activity samples' (community, time) index also holds items_per_week, so "gone quiet" reads the index alone

Home's "gone quiet" count (portal/outreach/queries.py, activity_dropped) averages 90 days of
each of the officer's communities' samples: at 100,000 communities an area has about 2,000
communities and 16,000 such samples, and each was read from the table after the index (7,300
buffers, 20-33 ms on PostgreSQL). With items_per_week in the index the samples come from the
index alone (about 13 ms; benchmarks/README.md, issue 26). A trailing key column rather than
PostgreSQL's INCLUDE: the same index on both databases, covering on SQLite too.

Revision ID: 0033_activity_samples_covering
Revises: 0032_sqlite_listing_covering
Create Date: 2026-12-07 13:00:00

"""
from alembic import op

revision = '0033_activity_samples_covering'
down_revision = '0032_sqlite_listing_covering'
branch_labels = None
depends_on = None

NAME = "ix_activity_samples_community_time"


def upgrade():
    op.drop_index(NAME, table_name="activity_samples")
    op.create_index(NAME, "activity_samples", ["community_id", "sampled_at", "items_per_week"])


def downgrade():
    op.drop_index(NAME, table_name="activity_samples")
    op.create_index(NAME, "activity_samples", ["community_id", "sampled_at"])

"""A partial index of the sign-off decisions their authors have not yet seen

Home's guidance banner counts an officer's decided, undismissed reviews on every visit; with no
index on the author that was a scan of every review in the force (0.55 ms at 1,657 reviews on
lr_bench_100000, growing with the table). The index holds only the decisions waiting to be read,
so it stays small however many reviews the force keeps.

Revision ID: 0034_reviews_author_unseen
Revises: 0033_activity_samples_covering
Create Date: 2026-12-07 16:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0034_reviews_author_unseen'
down_revision = '0033_activity_samples_covering'
branch_labels = None
depends_on = None

NAME = "ix_message_reviews_author_unseen"
UNSEEN = sa.text("decided_at IS NOT NULL AND author_notified_at IS NULL")


def upgrade():
    op.create_index(NAME, "message_reviews", ["author_id"], postgresql_where=UNSEEN, sqlite_where=UNSEEN)


def downgrade():
    op.drop_index(NAME, table_name="message_reviews")

"""research_releases: a researcher-facing family's counts, kept as first published after its month-end

Issue 22: a record dated inside a completed month but entered or edited later changed that month's
published figures when they were next counted, and the difference gave the record away. The first
time a researcher's family (page, family selection, year, month-end) is counted, its counts and
their protection are kept here and served unchanged from then on (portal/research/releases.py).

Revision ID: 0037_research_releases
Revises: 0036_url_key_paths
Create Date: 2026-12-08 01:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0037_research_releases'
down_revision = '0036_url_key_paths'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'research_releases',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('page', sa.String(length=60), nullable=False),
        sa.Column('family_key', sa.String(length=64), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('month_end', sa.Date(), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('page', 'family_key', name='uq_research_releases_page_family'),
    )
    op.create_index('ix_research_releases_month_end', 'research_releases', ['month_end'])


def downgrade():
    op.drop_index('ix_research_releases_month_end', table_name='research_releases')
    op.drop_table('research_releases')

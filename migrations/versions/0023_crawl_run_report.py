"""Crawl runs keep a report for the run page: sites reached, sites each limit left out, refused seeds

A crawl that stopped at its page cap, or at the site-hops or in-site depth limit, did not
say so; a seed the crawler refused was not shown at all. The report is one JSON column
written with the live counters (portal.discovery.adapter.run_report); older runs have none.

Revision ID: 0023_crawl_run_report
Revises: 0021_community_listing_by_name
Create Date: 2026-12-06 21:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0023_crawl_run_report'
down_revision = '0022_guidance_flag_marks'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('crawl_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('crawl_runs', schema=None) as batch_op:
        batch_op.drop_column('report')

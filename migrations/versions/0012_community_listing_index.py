"""communities: covering index for the list's per-stage counts and tags in use

Revision ID: 0012_community_listing_index
Revises: 0011_stage_tallies
Create Date: 2026-12-01 23:30:00

"""
from alembic import op


revision = '0012_community_listing_index'
down_revision = '0011_stage_tallies'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.create_index('ix_communities_area_listing', ['area_id', 'status'], unique=False,
                              postgresql_include=['id', 'stage', 'name', 'url'])


def downgrade():
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.drop_index('ix_communities_area_listing')

"""The community list's page is read from its covering index, in name order

A search within an officer's area that matched few communities read every row of the area
(2,000 heap pages at 100,000 communities, about 3 ms) to find that its page was nearly empty,
while the per-stage counts beside it read the same rows from ix_communities_area_listing
alone in 0.4 ms. The list now picks its page's ids first and reads the rows of those ids only
(portal.communities.queries.catalogue_page). With name and id in the listing index, after
area and status, that first step walks the area in name order from the index alone, the
search term and the stage read from its included columns, and stops at the page's last match.
The counts still read (area_id, status) from the front of the same index.

Revision ID: 0021_community_listing_by_name
Revises: 0020_user_sessions
Create Date: 2026-12-06 04:10:00

"""
from alembic import op

revision = '0021_community_listing_by_name'
down_revision = '0020_user_sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.drop_index('ix_communities_area_listing')
        batch_op.create_index('ix_communities_area_listing', ['area_id', 'status', 'name', 'id'], unique=False,
                              postgresql_include=['stage', 'search_text'])


def downgrade():
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.drop_index('ix_communities_area_listing')
        batch_op.create_index('ix_communities_area_listing', ['area_id', 'status'], unique=False,
                              postgresql_include=['id', 'stage', 'search_text'])

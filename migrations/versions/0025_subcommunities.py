"""Sub-communities: candidates and communities under their site

A forum's boards, a blog's categories, a council portal's village pages: parts of a site
with their own feed. A part's candidate points at its site's candidate (parent_id, with
its kind); the site's candidate keeps counts of the comment and topic feeds kept out of
the queue. In the catalogue a sub-community is a community with a parent community.

Revision ID: 0025_subcommunities
Revises: 0021_community_listing_by_name
Create Date: 2026-12-06 21:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0025_subcommunities'
down_revision = '0024_audit_chain'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('section_kind', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('feeds_left_out', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_candidates_parent_id'), ['parent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_candidates_parent_id_candidates'), 'candidates',
                                    ['parent_id'], ['id'], ondelete='CASCADE')
    # A plain column (see portal.models.Community.parent_id): adding or dropping a foreign key on
    # SQLite means rebuilding communities, which would drop its triggers (0016) and, with foreign
    # keys on, cascade the implicit delete of the old table to every feed and contact.
    op.add_column('communities', sa.Column('parent_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_communities_parent_id'), 'communities', ['parent_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_communities_parent_id'), table_name='communities')
    op.drop_column('communities', 'parent_id')
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_candidates_parent_id_candidates'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_candidates_parent_id'))
        batch_op.drop_column('feeds_left_out')
        batch_op.drop_column('section_kind')
        batch_op.drop_column('parent_id')

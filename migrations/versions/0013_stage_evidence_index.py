"""stage_changes: index on evidence_contact_id (a community page's "already evidenced?" check)

Revision ID: 0013_stage_evidence_index
Revises: 0012_community_listing_index
Create Date: 2026-12-01 23:25:00

"""
from alembic import op


revision = '0013_stage_evidence_index'
down_revision = '0012_community_listing_index'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_changes_evidence_contact_id'), ['evidence_contact_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_changes_evidence_contact_id'))

"""guidance_flag_marks: a supervisor's "wrong here" on one finding of a held message

Each row says one finding (rule, offset) on one message review was wrong for that
message. The rules page counts them per rule, and they export as labelled examples
for the message check's evaluation set (flask guidance feedback-export).

Revision ID: 0022_guidance_flag_marks
Revises: 0021_community_listing_by_name
Create Date: 2026-12-06 22:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0022_guidance_flag_marks'
down_revision = '0021_community_listing_by_name'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'guidance_flag_marks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('rule_code', sa.String(length=80), nullable=False),
        sa.Column('category', sa.String(length=30), nullable=False),
        sa.Column('start_offset', sa.Integer(), nullable=False),
        sa.Column('end_offset', sa.Integer(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=True),
        sa.Column('marked_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['review_id'], ['message_reviews.id'],
                                name=op.f('fk_guidance_flag_marks_review_id_message_reviews'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_guidance_flag_marks_marked_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_guidance_flag_marks')),
        sa.UniqueConstraint('review_id', 'rule_code', 'start_offset',
                            name=op.f('uq_guidance_flag_marks_review_id')),
    )
    with op.batch_alter_table('guidance_flag_marks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guidance_flag_marks_review_id'), ['review_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_guidance_flag_marks_rule_code'), ['rule_code'], unique=False)


def downgrade():
    with op.batch_alter_table('guidance_flag_marks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guidance_flag_marks_rule_code'))
        batch_op.drop_index(batch_op.f('ix_guidance_flag_marks_review_id'))
    op.drop_table('guidance_flag_marks')

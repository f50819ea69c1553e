"""user_sessions: one row per signed-in device

Signing out ended every session of the account (it rotated ``users.session_token``), because
a signed cookie cannot be revoked by itself. Each sign-in now opens a row here, keyed by the
SHA-256 of a random key kept in the session cookie; the user loader accepts a cookie only
while its row exists and is younger than the session lifetime. Sessions from before this
migration have no row: their users sign in once more.

Revision ID: 0020_user_sessions
Revises: 0019_community_search_statistics
Create Date: 2026-12-03 06:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0020_user_sessions'
down_revision = '0019_community_search_statistics'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'user_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_user_sessions_key_hash')),
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_user_sessions_created_at'))
    op.drop_table('user_sessions')

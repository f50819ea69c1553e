"""sign_in_throttles: failed sign-ins per account, per client address and per both; users.locked_until goes

Five wrong passwords locked an account for 15 minutes, so anyone who knew an officer's e-mail
address could keep them out. Sign-in is now throttled instead (portal/auth/throttle.py): failures
are counted per typed address and client address, per client address, and per typed address
from browsers that have not signed in to that account before, and past a number of free tries
each further try must wait longer. The keys are HMACs, so the table names no address.

Revision ID: 0027_sign_in_throttles
Revises: 0026_invite_token_hash
Create Date: 2026-12-06 22:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0027_sign_in_throttles'
down_revision = '0026_invite_token_hash'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sign_in_throttles',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_throttles')),
    )
    with op.batch_alter_table('sign_in_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_throttles_last_failure_at'), ['last_failure_at'], unique=False)
    # A plain column (no index or constraint): dropped in place on SQLite 3.35+ and PostgreSQL,
    # without rebuilding the users table that so many others reference.
    op.drop_column('users', 'locked_until')


def downgrade():
    op.add_column('users', sa.Column('locked_until', sa.DateTime(), nullable=True))
    with op.batch_alter_table('sign_in_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_throttles_last_failure_at'))
    op.drop_table('sign_in_throttles')

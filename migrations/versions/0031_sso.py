"""users.sso_subject and sso_group_mappings: sign-in through the force's OpenID Connect provider

An account that signs in by SSO is found by the provider's issuer and subject; an admin maps
the provider's groups (or app roles) to Local Reach roles and areas.

Revision ID: 0031_sso
Revises: 0030_notifications
Create Date: 2026-12-07 01:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0031_sso'
down_revision = '0030_notifications'
branch_labels = None
depends_on = None


def upgrade():
    # A plain column and a unique index: added (and dropped) in place on SQLite 3.35+ and PostgreSQL,
    # without rebuilding the users table that so many others reference.
    op.add_column('users', sa.Column('sso_subject', sa.String(length=400), nullable=True))
    op.create_index(op.f('ix_users_sso_subject'), 'users', ['sso_subject'], unique=True)
    op.create_table(
        'sso_group_mappings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_name', sa.String(length=200), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=True),
        sa.Column('area_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_sso_group_mappings_area_id_areas'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_group_mappings')),
    )
    with op.batch_alter_table('sso_group_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_group_mappings_group_name'), ['group_name'], unique=False)


def downgrade():
    with op.batch_alter_table('sso_group_mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_group_mappings_group_name'))
    op.drop_table('sso_group_mappings')
    op.drop_index(op.f('ix_users_sso_subject'), table_name='users')
    op.drop_column('users', 'sso_subject')

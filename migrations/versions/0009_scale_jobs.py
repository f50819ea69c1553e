"""jobs: payload, attempts, heartbeat, fan-out parent; indexes for scale (trigram search, officer contacts)

Revision ID: 0009_scale_jobs
Revises: 0003_guidance
Create Date: 2026-11-24 10:24:17.400033

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_scale_jobs'
down_revision = '0003_guidance'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payload', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('max_attempts', sa.Integer(), nullable=False, server_default='3'))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('parent_id', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_jobs_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('ix_jobs_status_heartbeat', ['status', 'heartbeat_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_jobs_parent_id_jobs'), 'jobs', ['parent_id'], ['id'], ondelete='CASCADE')

    if op.get_bind().dialect.name == "postgresql":
        # Trusted extension since PostgreSQL 13: the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.create_index('ix_communities_name_trgm', ['name'], unique=False, postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})
        batch_op.create_index('ix_communities_url_trgm', ['url'], unique=False, postgresql_using='gin', postgresql_ops={'url': 'gin_trgm_ops'})
    with op.batch_alter_table('outreach_contacts', schema=None) as batch_op:
        batch_op.create_index('ix_contacts_officer_time', ['officer_id', 'occurred_at'], unique=False)



def downgrade():
    with op.batch_alter_table('outreach_contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_officer_time')
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.drop_index('ix_communities_url_trgm')
        batch_op.drop_index('ix_communities_name_trgm')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_jobs_parent_id_jobs'), type_='foreignkey')
        batch_op.drop_index('ix_jobs_status_heartbeat')
        batch_op.drop_index(batch_op.f('ix_jobs_parent_id'))
        batch_op.drop_column('parent_id')
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('max_attempts')
        batch_op.drop_column('attempts')
        batch_op.drop_column('payload')


"""research_projects, their members, and community_revisions (history of community attributes)

Only a research project an admin approved (name, purpose, expiry, level, its own pseudonym
key salt) gets the row-level package; its members download it. community_revisions records
old and new values of the attributes an "as of" export states (area, platform, access,
police welcome, audience size, status). Communities that exist now get one "baseline"
revision: their attributes before this moment are not known, and as-of exports say so.

Revision ID: 0028_research_projects
Revises: 0021_community_listing_by_name
Create Date: 2026-12-06 21:17:43.922625

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028_research_projects'
down_revision = '0027_sign_in_throttles'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('research_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('key_salt', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_research_projects_approved_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_research_projects')),
    sa.UniqueConstraint('name', name=op.f('uq_research_projects_name'))
    )
    op.create_table('research_project_members',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['research_projects.id'], name=op.f('fk_research_project_members_project_id_research_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_research_project_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'user_id', name=op.f('pk_research_project_members'))
    )
    with op.batch_alter_table('research_project_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_research_project_members_user_id'), ['user_id'], unique=False)

    op.create_table('community_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_community_revisions_changed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_community_revisions_community_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_revisions'))
    )
    with op.batch_alter_table('community_revisions', schema=None) as batch_op:
        batch_op.create_index('ix_community_revisions_community_time', ['community_id', 'changed_at'], unique=False)

    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    empty = "CAST('{}' AS JSON)" if postgres else "'{}'"
    now = "timezone('utc', now())" if postgres else "CURRENT_TIMESTAMP"  # naive UTC, the storage convention
    op.execute(sa.text(
        "INSERT INTO community_revisions (community_id, changed_at, changes, kind) "
        f"SELECT id, {now}, {empty}, 'baseline' FROM communities"))


def downgrade():
    with op.batch_alter_table('community_revisions', schema=None) as batch_op:
        batch_op.drop_index('ix_community_revisions_community_time')

    op.drop_table('community_revisions')
    with op.batch_alter_table('research_project_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_research_project_members_user_id'))

    op.drop_table('research_project_members')
    op.drop_table('research_projects')

"""users: keep only the SHA-256 of an invitation token, and when the invitation expires

Invitation links never expired and their tokens were stored as they were sent, so a copy of
the users table opened every pending invitation. The column ``invite_token`` now holds the
token's SHA-256 (hex, 64 characters: the column keeps its name and its unique constraint),
and ``invite_expires_at`` when the link stops working (RETENTION_INVITE_DAYS, 14 by default,
after it was issued).

Pending invitations are converted in place: each token is replaced by its hash, so a link
already sent keeps working until 14 days after its account was created. Links older than
that are expired at once (an admin can send a new one from the user's page). Downgrading
cannot recover the tokens from their hashes: pending invitations are cleared.

Revision ID: 0026_invite_token_hash
Revises: 0021_community_listing_by_name
Create Date: 2026-12-06 21:40:00

"""
import hashlib
from datetime import timedelta

from alembic import op
import sqlalchemy as sa


revision = '0026_invite_token_hash'
down_revision = '0025_subcommunities'
branch_labels = None
depends_on = None

INVITE_DAYS = 14  # the default of RETENTION_INVITE_DAYS when this migration was written

users = sa.table('users', sa.column('id', sa.Integer), sa.column('invite_token', sa.String),
                 sa.column('invite_expires_at', sa.DateTime), sa.column('created_at', sa.DateTime))


def upgrade():
    op.add_column('users', sa.Column('invite_expires_at', sa.DateTime(), nullable=True))
    conn = op.get_bind()
    pending = conn.execute(sa.select(users.c.id, users.c.invite_token, users.c.created_at)
                           .where(users.c.invite_token.is_not(None))).all()
    for user_id, token, created_at in pending:
        conn.execute(users.update().where(users.c.id == user_id).values(
            invite_token=hashlib.sha256(token.encode()).hexdigest(),
            invite_expires_at=created_at + timedelta(days=INVITE_DAYS)))


def downgrade():
    op.execute(users.update().values(invite_token=None))
    # A plain column: dropped in place (SQLite 3.35+, PostgreSQL), not by rebuilding users.
    op.drop_column('users', 'invite_expires_at')

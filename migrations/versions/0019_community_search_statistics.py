"""Statistics on the area-scoped search expression (PostgreSQL 14 and later)

A catalogue search within one area (an officer's only area, or the area chosen) looks the
term up in ``search_text || ''`` rather than in ``search_text``
(portal.communities.queries._searched), so that PostgreSQL reads the area's couple of
thousand communities from its indexes instead of ANDing in the trigram index's bitmap over
the whole force (3-6 ms at 100,000 communities against about 1 ms).
Without statistics on that expression PostgreSQL guesses that almost nothing matches and
reads every row of the area before sorting; with them its estimate is the column's own
(it then walks the area's name index and stops at the page's 25th match). SQLite has no
trigram index and no such statistics: nothing to do there.

Revision ID: 0019_community_search_statistics
Revises: 0018_community_first_contact
Create Date: 2026-12-02 19:55:00

"""
from alembic import op

revision = '0019_community_search_statistics'
down_revision = '0018_community_first_contact'
branch_labels = None
depends_on = None


def _supported() -> bool:
    conn = op.get_bind()
    return conn.dialect.name == "postgresql" and conn.dialect.server_version_info >= (14,)


def upgrade():
    if _supported():
        op.execute("CREATE STATISTICS st_communities_search_scoped ON ((search_text || '')) FROM communities")
        op.execute("ANALYZE communities")


def downgrade():
    if _supported():
        op.execute("DROP STATISTICS IF EXISTS st_communities_search_scoped")

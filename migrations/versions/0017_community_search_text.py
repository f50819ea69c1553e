"""communities.search_text: name and address lower-cased, for the catalogue search

The list's "contains…" search ran ILIKE on name and on url for every community of an
officer's area (2,000 at 100,000 communities), lower-casing both each time. search_text
holds them lower-cased once (portal.models.communities.search_text_of, kept by the model
whenever name or url changes), so the search is one plain LIKE. The list's covering index
includes search_text instead of name and url, and one trigram index on it replaces the two
on name and url. Filled here in Python, so it is lower-cased exactly as the application does.

Revision ID: 0017_community_search_text
Revises: 0016_area_tags
Create Date: 2026-12-02 08:05:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0017_community_search_text'
down_revision = '0016_area_tags'
branch_labels = None
depends_on = None

BATCH = 5000


def _search_text(name, url):
    # A copy of portal.models.communities.search_text_of: a migration must not change with the app.
    return f"{name or ''}\n{url or ''}".lower()


def upgrade():
    op.add_column('communities', sa.Column('search_text', sa.Text(), nullable=True))
    conn = op.get_bind()
    communities = sa.table('communities', sa.column('id'), sa.column('name'), sa.column('url'),
                           sa.column('search_text'))
    last = 0
    while True:
        rows = conn.execute(sa.select(communities.c.id, communities.c.name, communities.c.url)
                            .where(communities.c.id > last).order_by(communities.c.id).limit(BATCH)).all()
        if not rows:
            break
        conn.execute(communities.update().where(communities.c.id == sa.bindparam('row_id'))
                     .values(search_text=sa.bindparam('text')),
                     [{"row_id": i, "text": _search_text(name, url)} for i, name, url in rows])
        last = rows[-1][0]
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.drop_index('ix_communities_area_listing')
        batch_op.create_index('ix_communities_area_listing', ['area_id', 'status'], unique=False,
                              postgresql_include=['id', 'stage', 'search_text'])
        batch_op.drop_index('ix_communities_url_trgm')
        batch_op.drop_index('ix_communities_name_trgm')
        batch_op.create_index('ix_communities_search_trgm', ['search_text'], unique=False,
                              postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})


def downgrade():
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.drop_index('ix_communities_search_trgm')
        batch_op.create_index('ix_communities_name_trgm', ['name'], unique=False, postgresql_using='gin',
                              postgresql_ops={'name': 'gin_trgm_ops'})
        batch_op.create_index('ix_communities_url_trgm', ['url'], unique=False, postgresql_using='gin',
                              postgresql_ops={'url': 'gin_trgm_ops'})
        batch_op.drop_index('ix_communities_area_listing')
        batch_op.create_index('ix_communities_area_listing', ['area_id', 'status'], unique=False,
                              postgresql_include=['id', 'stage', 'name', 'url'])
    op.drop_column('communities', 'search_text')

"""SQLite: an FTS5 trigram index on communities.search_text, kept by triggers

The catalogue's "contains…" search was a LIKE '%term%' on search_text, which SQLite can only
answer by reading every community the user may see: 100 ms a search for a force-wide user at
10,000 communities (issue 26). An FTS5 table with the trigram tokenizer finds substrings of three
characters or more from its index. It is an external-content table (the text stays in
communities, the index only is added), kept in step by triggers, so ORM writes, bulk inserts and
raw SQL all count. case_sensitive 1: search_text is already lower-cased by the application
(Python's str.lower), and the search term is too, so FTS5's own case folding (which differs from
Python's for a few characters) never takes part and a match is exactly a substring match.
PostgreSQL already has its trigram GIN index (0017): nothing to do there.

Revision ID: 0029_community_search_fts
Revises: 0028_research_projects
Create Date: 2026-12-07 01:10:00

"""
from alembic import op

revision = '0029_community_search_fts'
down_revision = '0028_research_projects'
branch_labels = None
depends_on = None

# A copy of portal.models.search_index's DDL: a migration must not change with the app.
CREATE = ("CREATE VIRTUAL TABLE communities_search USING fts5(search_text, content='communities', "
          "content_rowid='id', tokenize='trigram case_sensitive 1')")
TRIGGERS = (
    "CREATE TRIGGER communities_search_insert AFTER INSERT ON communities BEGIN "
    "INSERT INTO communities_search (rowid, search_text) VALUES (NEW.id, NEW.search_text); END",
    "CREATE TRIGGER communities_search_delete AFTER DELETE ON communities BEGIN "
    "INSERT INTO communities_search (communities_search, rowid, search_text) "
    "VALUES ('delete', OLD.id, OLD.search_text); END",
    "CREATE TRIGGER communities_search_update AFTER UPDATE OF id, search_text ON communities BEGIN "
    "INSERT INTO communities_search (communities_search, rowid, search_text) "
    "VALUES ('delete', OLD.id, OLD.search_text); "
    "INSERT INTO communities_search (rowid, search_text) VALUES (NEW.id, NEW.search_text); END",
)


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(CREATE)
    for trigger in TRIGGERS:
        op.execute(trigger)
    op.execute("INSERT INTO communities_search (communities_search) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in ("communities_search_update", "communities_search_delete", "communities_search_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS communities_search")

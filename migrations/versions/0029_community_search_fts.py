"""SQLite: an FTS5 trigram index on communities.search_text and area, kept by triggers

The catalogue's "contains…" search was a LIKE '%term%' on search_text, which SQLite can only
answer by reading every community the user may see: over a second a search for a force-wide user
at 100,000 communities (issue 26). An FTS5 table with the trigram tokenizer finds substrings of
three characters or more from its index. It is contentless (the text stays in communities) and
kept in step by triggers, so ORM writes, bulk inserts and raw SQL all count.

What is indexed is the area's marker followed by search_text: char(1), the area id's digits
written as control characters (char(16) for 0 … char(25) for 9), char(2). A search within one
area (an officer's, or the area chosen) looks up the marker AND the term, so it reads only that
area's matches instead of every match in the force; a term can never match inside a marker
(the portal strips control characters from what is typed).

case_sensitive 1: search_text is already lower-cased by the application (Python's str.lower),
and the search term is too, so FTS5's own case folding (which differs from Python's for a few
characters) never takes part and a match is exactly a substring match. PostgreSQL already has
its trigram GIN index (0017): nothing to do there. Where SQLite has no FTS5 trigram tokenizer
(before 3.34) nothing is created and the search keeps its LIKE (portal.models.search_index.indexed).

Revision ID: 0029_community_search_fts
Revises: 0028_research_projects
Create Date: 2026-12-07 01:10:00

"""
import logging

from alembic import op

logger = logging.getLogger(__name__)

revision = '0029_community_search_fts'
down_revision = '0028_research_projects'
branch_labels = None
depends_on = None

# A copy of portal.models.search_index's document: a migration must not change with the app.
def _document(row: str) -> str:
    digits = f"CAST({row}.area_id AS TEXT)"
    for digit in range(10):
        digits = f"replace({digits}, '{digit}', char({16 + digit}))"
    return f"char(1) || {digits} || char(2) || {row}.search_text"


CREATE = "CREATE VIRTUAL TABLE communities_search USING fts5(doc, content='', tokenize='trigram case_sensitive 1')"
ADD = "INSERT INTO communities_search (rowid, doc) VALUES (NEW.id, {})".format(_document("NEW"))
REMOVE = ("INSERT INTO communities_search (communities_search, rowid, doc) VALUES ('delete', OLD.id, {})"
          .format(_document("OLD")))
TRIGGERS = (
    f"CREATE TRIGGER communities_search_insert AFTER INSERT ON communities BEGIN {ADD}; END",
    f"CREATE TRIGGER communities_search_delete AFTER DELETE ON communities BEGIN {REMOVE}; END",
    f"CREATE TRIGGER communities_search_update AFTER UPDATE OF id, area_id, search_text ON communities "
    f"BEGIN {REMOVE}; {ADD}; END",
)


def _trigram_fts5_available(conn) -> bool:
    """FTS5 with the trigram tokenizer (SQLite 3.34, 2020): without it the search keeps its LIKE."""
    try:
        conn.exec_driver_sql("CREATE VIRTUAL TABLE temp.lr_fts5_probe USING fts5(x, tokenize='trigram')")
    except Exception:  # noqa: BLE001  (no FTS5, or no trigram tokenizer: both mean the same here)
        logger.warning("SQLite here has no FTS5 trigram tokenizer: the catalogue search reads every row")
        return False
    conn.exec_driver_sql("DROP TABLE temp.lr_fts5_probe")
    return True


def upgrade():
    conn = op.get_bind()
    if conn.dialect.name != "sqlite" or not _trigram_fts5_available(conn):
        return
    op.execute(CREATE)
    for trigger in TRIGGERS:
        op.execute(trigger)
    op.execute(f"INSERT INTO communities_search (rowid, doc) SELECT id, {_document('communities')} FROM communities")


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in ("communities_search_update", "communities_search_delete", "communities_search_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS communities_search")

"""PostgreSQL: communities.search_key, the search text with its punctuation spelt out, and a trigram index on it

pg_trgm builds trigrams from words of letters and digits only: for a term such as '(club)',
'club, ' or '^forum' the trigram index on search_text sees 'club' or 'forum' alone and returns
every community with the word (25,000 of 100,000 for 'club'), each then rechecked against the
term: 50-70 ms a statement at 100,000 communities when the term matches nothing.

search_key is search_text with each character other than a-z, 0-9, space and line break written
in letters and digits, which the trigram index sees: ASCII punctuation as 'q' and one letter or
digit ('(' is 'q7', '.' is 'qd'), any other character as 'q', its code point in hex, 'q' ('é' is
'qe9q'). Two characters, so that each trigram of a punctuated term holds a neighbour of the
punctuation: '.' is in every address, and a key of 'q2eq' made 'q2e' and '2eq' trigrams that
every community has (a term such as 'c50.' read 163 index pages, 1 ms, against 8 before). Each character is replaced on its own, so a text containing a term contains
the term's key: ``search_key LIKE '%' || key(term) || '%'`` holds for every community whose
search_text contains the term (and perhaps a few others), and the search always rechecks the
term against search_text itself (portal.communities.queries._contains). A key is made of
a-z, 0-9 and space only, so it needs no LIKE escapes. The term's key is made in Python
(portal.models.search_key.search_key_of), the same rule; tests/portal/test_search_key.py holds
the two to the same output.

A generated column (computed by PostgreSQL on every insert and update of search_text, ORM or
bulk, COPY included), not an expression index: the index's recheck then reads the stored key
instead of computing it for each candidate. Not a model attribute (SQLite has no such column;
its FTS5 trigram index already sees punctuation): portal.extensions leaves it and its index out of
the models-versus-database comparison.

Revision ID: 0039_communities_search_key
Revises: 0038_guidance_rule_set_stamp
Create Date: 2026-12-08 01:00:00

"""
from alembic import op

revision = '0039_communities_search_key'
down_revision = '0038_guidance_rule_set_stamp'
branch_labels = None
depends_on = None

FUNCTION = "communities_search_key"
INDEX = "ix_communities_search_key_trgm"

#: Kept as they are: a-z, 0-9, space and line break (chr(10)). ASCII punctuation becomes 'q' and the
#: character at its place in '0123456789abcdefghijklmnoprstvwx' (no 'u', so that no code is 'qu'),
#: every other character 'q' || to_hex(code point) || 'q' (ascii() gives the code point in a UTF-8
#: database). The '%' is chr(37), so that no driver reads the statement as holding a parameter.
PUNCTUATION = r"""('!"#$' || chr(37) || '&''()*+,-./:;<=>?@[\]^_`{|}~')"""
CREATE_FUNCTION = r"""
CREATE FUNCTION communities_search_key(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
SELECT coalesce(string_agg(
    CASE WHEN strpos('abcdefghijklmnopqrstuvwxyz0123456789 ' || chr(10), c) > 0 THEN c
         WHEN strpos(PUNCTUATION, c) > 0
         THEN 'q' || substr('0123456789abcdefghijklmnoprstvwx', strpos(PUNCTUATION, c), 1)
         ELSE 'q' || to_hex(ascii(c)) || 'q' END, '' ORDER BY n), '')
FROM unnest(string_to_array(t, NULL)) WITH ORDINALITY AS chars(c, n)
$$
""".replace("PUNCTUATION", PUNCTUATION)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.get_bind().exec_driver_sql(CREATE_FUNCTION)
    op.execute(f"ALTER TABLE communities ADD COLUMN search_key text GENERATED ALWAYS AS ({FUNCTION}(search_text)) STORED")
    op.execute(f"CREATE INDEX {INDEX} ON communities USING gin (search_key gin_trgm_ops)")
    op.execute("ANALYZE communities")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX {INDEX}")
    op.execute("ALTER TABLE communities DROP COLUMN search_key")
    op.execute(f"DROP FUNCTION {FUNCTION}(text)")

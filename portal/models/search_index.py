"""SQLite's text index for the catalogue search: an FTS5 trigram table over communities.search_text.

Migration 0029 creates it (SQLite only) with triggers that keep it in step with every write to
communities. It finds the communities whose search_text contains a term of at least three
characters from its index, where a LIKE '%term%' reads every row. Shorter terms cannot be
looked up in a trigram index, so they keep the LIKE (they match many communities, and the
list's name-ordered walk stops at its page's last match). PostgreSQL uses its trigram GIN
index (``ix_communities_search_trgm``) through the LIKE itself, so there is no table there.

The table and its shadow tables are not SQLAlchemy models: ``is_search_index_table`` tells
the models-versus-migrations comparison (and autogenerate) to leave them alone.
"""
from __future__ import annotations

from sqlalchemy import Select, column, select, table

TABLE = "communities_search"
#: The trigram tokenizer's unit: a term shorter than this matches nothing in the index.
MIN_TERM = 3

communities_search = table(TABLE, column("rowid"), column("search_text"))


def is_search_index_table(name: str | None) -> bool:
    """Whether a table is the FTS5 index or one of its shadow tables (_data, _idx, _docsize, _config)."""
    return bool(name) and (name == TABLE or name.startswith(f"{TABLE}_"))


def phrase(term: str) -> str:
    """The FTS5 query for ``term`` as plain text: one quoted string, its quotes doubled.

    Inside a string FTS5 reads no syntax (AND, OR, NOT, ``*``, ``^``, ``:``, parentheses,
    column filters), so anything a user types is looked up as the characters it is, and the
    trigram tokenizer matches it as a substring.
    """
    return '"' + term.replace('"', '""') + '"'


def indexed(term: str) -> bool:
    """Whether the index can answer this (already lower-cased) term."""
    return len(term) >= MIN_TERM


def community_ids_containing(term: str) -> Select:
    """Ids of communities whose search_text contains ``term`` (lower-cased, ``indexed``)."""
    return select(communities_search.c.rowid).where(communities_search.c.search_text.op("MATCH")(phrase(term)))

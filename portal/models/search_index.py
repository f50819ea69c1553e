"""SQLite's text index for the catalogue search: an FTS5 trigram table over communities.search_text.

Migration 0029 creates it (SQLite only) with triggers that keep it in step with every write to
communities: each community's document is its area's marker followed by its search_text. It
finds the communities whose search_text contains a term of at least three characters from its
index, where a LIKE '%term%' reads every row; within one area it looks up the area's marker as
well, so that it reads that area's matches only, not the whole force's. Shorter terms cannot be
looked up in a trigram index, so they keep the LIKE (they match many communities, and the
list's name-ordered walk stops at its page's last match). PostgreSQL uses its trigram GIN
index (``ix_communities_search_trgm``) through the LIKE itself, so there is no table there.

The table and its shadow tables are not SQLAlchemy models: ``is_search_index_table`` tells
the models-versus-migrations comparison (and autogenerate) to leave them alone.
"""
from __future__ import annotations

from sqlalchemy import Connection, Select, column, select, table

TABLE = "communities_search"
#: SQLite's listing index with stage and search_text (migration 0032): what PostgreSQL's includes.
COVERING_INDEX = "ix_communities_listing_covering"
#: The trigram tokenizer's unit: a term shorter than this matches nothing in the index.
MIN_TERM = 3

communities_search = table(TABLE, column("rowid"), column("doc"))


def is_search_index_table(name: str | None) -> bool:
    """Whether a table is the FTS5 index or one of its shadow tables (_data, _idx, _docsize, _config)."""
    return name is not None and (name == TABLE or name.startswith(f"{TABLE}_"))


def phrase(term: str) -> str:
    """The FTS5 query for ``term`` as plain text: one quoted string, its quotes doubled.

    Inside a string FTS5 reads no syntax (AND, OR, NOT, ``*``, ``^``, ``:``, parentheses,
    column filters), so anything a user types is looked up as the characters it is, and the
    trigram tokenizer matches it as a substring.
    """
    return '"' + term.replace('"', '""') + '"'


def indexed(term: str, connection: Connection) -> bool:
    """Whether the index can answer this (already lower-cased) term on this SQLite connection:
    three characters or more, and the index exists (migration 0029 leaves it out where SQLite
    has no FTS5 trigram tokenizer; asked once per database connection)."""
    if len(term) < MIN_TERM:
        return False
    if "communities_search" not in connection.info:
        connection.info["communities_search"] = connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'communities_search'").first() is not None
    return connection.info["communities_search"]


def area_marker(area_id: int) -> str:
    """What precedes an area's communities' text in the index (migration 0029's ``_document``):
    char(1), the id's digits as the control characters char(16) to char(25), char(2). A search
    term has no control characters, so it can never match inside a marker."""
    digits = "".join(chr(16 + int(c)) if c.isdigit() else "\x1a" for c in str(int(area_id)))  # no row has "-"
    return f"\x01{digits}\x02"


def community_ids_containing(term: str, area_id: int | None = None) -> Select:
    """Ids of communities whose search_text contains ``term`` (lower-cased, ``indexed``), in
    ``area_id`` only if given (the caller still filters by area: this only narrows the search)."""
    query = phrase(term) if area_id is None else f"{phrase(area_marker(area_id))} AND {phrase(term)}"
    return select(communities_search.c.rowid).where(communities_search.c.doc.op("MATCH")(query))

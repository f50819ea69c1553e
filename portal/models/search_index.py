"""SQLite's text index for the catalogue search: an FTS5 trigram table over communities.search_text.

Migration 0029 creates it (SQLite only) with triggers that keep it in step with every write to
communities: each community's document is its area's marker followed by its search_text. It
finds the communities whose search_text contains a term of at least three characters from its
index, where a LIKE '%term%' reads every row. ``few_containing`` asks it first whether a term is
in only a few communities (then the search keeps their ids); for a term in more, it serves
searches across several areas (``community_ids_containing``). Within one area such a term is
looked for by LIKE in the area's entries of the covering listing index (migration 0032): the
marker lookup (marker AND term) read one doclist entry per community of the area and cost
more (portal.communities.queries._route). Shorter terms cannot be looked up in a trigram
index, so they keep the LIKE (they match many communities, and the list's name-ordered walk
stops at its page's last match). PostgreSQL uses its trigram GIN index
(``ix_communities_search_trgm``) through the LIKE itself, so there is no table there.

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
#: A term in at most this many communities of the whole force is searched by their ids
#: (``few_containing``); one in more, by a walk of the list's index or the whole lookup.
FEW = 64

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


def few_containing(term: str, connection: Connection) -> list[int] | None:
    """The ids of every community whose search_text contains ``term`` (lower-cased, ``indexed``),
    if there are at most ``FEW`` in the whole force (any area or status); None if there are more.

    FTS5 reads a phrase's matches lazily in rowid order, so this stops after ``FEW + 1`` whatever
    the force's size: 0.02-0.1 ms at 1,000 and at 100,000 communities. A term found in a few
    communities (a web address, a name, a typing slip) then costs one look-up of each by its id,
    where walking an area's entries to keep its matches costs one step per community of the area.
    """
    found = connection.execute(select(communities_search.c.rowid)
                               .where(communities_search.c.doc.op("MATCH")(phrase(term))).limit(FEW + 1))
    ids = list(found.scalars())
    return ids if len(ids) <= FEW else None


def area_marker(area_id: int) -> str:
    """What precedes an area's communities' text in the index (migration 0029's ``_document``):
    char(1), the id's digits as the control characters char(16) to char(25), char(2). A search
    term has no control characters, so it can never match inside a marker. (The catalogue no
    longer looks markers up: within one area the covering listing index is cheaper.)"""
    digits = "".join(chr(16 + int(c)) if c.isdigit() else "\x1a" for c in str(int(area_id)))  # no row has "-"
    return f"\x01{digits}\x02"


def community_ids_containing(term: str, area_id: int | None = None) -> Select:
    """Ids of communities whose search_text contains ``term`` (lower-cased, ``indexed``), in
    ``area_id`` only if given (the caller still filters by area: this only narrows the search)."""
    query = phrase(term) if area_id is None else f"{phrase(area_marker(area_id))} AND {phrase(term)}"
    return select(communities_search.c.rowid).where(communities_search.c.doc.op("MATCH")(query))

"""PostgreSQL's search key: the search text with its punctuation spelt out for the trigram index.

pg_trgm makes trigrams from words of letters and digits only, so for a term with punctuation
('(club)', 'club, ', '^forum') the trigram index on search_text returns every community with
the word and each is rechecked (50-70 ms at 100,000 communities for a term that matches nothing).
Migration 0039 adds ``communities.search_key`` (PostgreSQL only, generated from search_text by
its SQL function ``communities_search_key``) and a trigram index on it: every character other
than a-z, 0-9, space and line break is written in letters and digits: ASCII punctuation as
``q`` and one letter or digit (``PUNCTUATION`` to ``CODES``), any other character as ``q``, its
code point in hex, ``q``.

Each character is replaced on its own, so a search text that contains a term contains the term's
key: the key is a prefilter that loses no match, and the search always rechecks the term against
search_text itself (portal.communities.queries._contains). ``search_key_of`` is the same rule in
Python, for the term (tests/portal/test_search_key.py holds the two to the same output).
"""
from __future__ import annotations

#: The column and its index (migration 0039), left out of the models-versus-database comparison.
COLUMN = "search_key"
INDEX = "ix_communities_search_key_trgm"
#: What a key keeps as it is: the characters pg_trgm's words are made of (ASCII letters and
#: digits, as search_text is lower-cased), and the space and line break that separate them.
KEPT = frozenset("abcdefghijklmnopqrstuvwxyz0123456789 \n")
#: ASCII punctuation, and the character after 'q' that stands for each (no 'u': no code is 'qu'). Two
#: characters, so that every trigram of a punctuated term holds a neighbour of its punctuation: with
#: longer codes ('q2eq' for '.'), trigrams inside the code were in every community's key.
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
CODES = dict(zip(PUNCTUATION, "0123456789abcdefghijklmnoprstvwx", strict=True))


def search_key_of(text: str) -> str:
    """``text`` with each character outside ``KEPT`` written in letters and digits (as migration
    0039's ``communities_search_key``): '(club)' is 'q7clubq8', 'é' is 'qe9q'."""
    return "".join(c if c in KEPT else f"q{CODES[c]}" if c in CODES else f"q{ord(c):x}q" for c in text)


def needs_key(term: str) -> bool:
    """Whether the trigram index on search_text misses part of this (lower-cased) term: it holds
    a character outside ``KEPT`` (punctuation, symbols, letters beyond a-z), which pg_trgm
    drops or, in some locales, does not count as a letter."""
    return any(c not in KEPT for c in term)


def is_search_key(name: str | None, type_: str, parent_names: dict) -> bool:
    """Whether autogenerate's comparison is looking at the key column or its index (PostgreSQL
    only, not model attributes)."""
    if type_ == "column":
        return name == COLUMN and parent_names.get("table_name") == "communities"
    return type_ == "index" and name == INDEX

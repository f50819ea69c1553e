"""What every built-in detector shares: the match it yields, the word tables, sentences and phrase lists."""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Detector", "Match", "has", "lexicon", "phrase_regex", "sentence_at", "sentence_spans", "table_regex"]

LEXICON_FILE = Path(__file__).with_name("lexicon.json")
# A full stop after 'no.', 'Mr.', 'Mrs.', 'Dr.' or 'St.' abbreviates; it does not end the sentence ('at no. 2 has').
_NOT_AFTER = r"(?<!\bno\.)(?<!\bNo\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bDr\.)(?<!\bSt\.)"
_SENTENCE_END = re.compile(rf"(?<=[.!?;]){_NOT_AFTER}\s+|\n+")
_CLAUSE_END = re.compile(rf"(?<=[.!?;]){_NOT_AFTER}\s+|\n+|(?<=[a-z0-9)])\s+[-–]\s+(?=[A-Za-z])")


@dataclass(frozen=True)
class Match:
    """Where a detector found something, and in plain words what it was."""

    start: int
    end: int
    note: str = ""


# (text, argument, context) -> matches; context is a check.CheckContext.
Detector = Callable[[str, str, Any], Iterator[Match]]


@functools.cache
def lexicon() -> dict[str, list[str]]:
    """Return the detectors' word tables (lexicon.json), read once."""
    data = json.loads(LEXICON_FILE.read_text(encoding="utf-8"))
    return {key: value for key, value in data.items() if not key.startswith("_")}


def phrase_regex(words: Iterable[str], case_sensitive: bool = False) -> re.Pattern[str]:
    """Compile phrases into one whole-word regex: spaces match any run of spaces, a trailing * any ending."""
    parts = []
    for word in words:
        word = word.strip()
        if not word:
            continue
        stem, wildcard = (word[:-1], True) if word.endswith("*") else (word, False)
        piece = r"\s+".join(re.escape(bit) for bit in stem.split()).replace("'", "['’]?")
        parts.append(piece + (r"\w*" if wildcard else ""))
    # Alternatives grouped by their first letter, so the engine tries one group at each position, not every
    # phrase (tables of several hundred words would otherwise cost a try each); longest first within a group,
    # so phrases win over their first word. Phrases that begin with a sign are left ungrouped, first.
    groups: dict[str, list[str]] = {}
    for part in parts:
        key = part[0].lower() if part[0].isalnum() and not case_sensitive else part[0] if part[0].isalnum() else ""
        groups.setdefault(key, []).append(part)
    alternatives = []
    for key, group in sorted(groups.items()):
        group.sort(key=len, reverse=True)
        if not key or len(group) == 1:
            alternatives += group
        else:
            alternatives.append(re.escape(key) + "(?:" + "|".join(part[1:] for part in group) + ")")
    return re.compile(r"(?<![\w'])(?:" + "|".join(alternatives) + r")(?![\w])", 0 if case_sensitive else re.I)


@functools.cache
def table_regex(name: str, case_sensitive: bool = False) -> re.Pattern[str]:
    """The compiled whole-word regex for one word table of the lexicon."""
    return phrase_regex(lexicon()[name], case_sensitive)


@functools.lru_cache(maxsize=64)
def sentence_spans(text: str, clauses: bool = True) -> tuple[tuple[int, int], ...]:
    """Split a message into sentences, as (start, end) spans; with clauses, a spaced dash splits too."""
    spans = []
    start = 0
    for boundary in (_CLAUSE_END if clauses else _SENTENCE_END).finditer(text):
        if boundary.start() > start:
            spans.append((start, boundary.start()))
        start = boundary.end()
    if start < len(text):
        spans.append((start, len(text)))
    return tuple(spans)


def sentence_at(text: str, position: int) -> tuple[int, int]:
    """The span of the sentence that holds a position."""
    for start, end in sentence_spans(text):
        if start <= position < end or position == end:
            return start, end
    return 0, len(text)


def has(table: str, text: str) -> bool:
    """Whether any phrase of a word table occurs in the text."""
    return table_regex(table).search(text) is not None

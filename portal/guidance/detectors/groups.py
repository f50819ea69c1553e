"""Discriminatory or abusive generalisations: a group of people spoken of as if all were the same.

A group noun (a nationality, a faith, Gypsy, Roma and Traveller communities, "that lot",
"kids from" an estate, a protected characteristic) is a problem when its sentence lumps
the group together: generalising words ("always", "typical", "they're all"), words that
run the group down ("thieves", "a nightmare"), a lumping determiner ("these Syrians",
"them travellers", "the Irish lot"). (A group as the bare subject of a sentence is not
enough: "Students return next week" is news, not a slur.) A sentence that defends, welcomes or thanks the group, or
speaks to it ("Students: lock your bikes"), is left alone.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from portal.guidance.detectors.base import (
    Detector, Match, has, lexicon, phrase_regex, sentence_spans, table_regex,
)


@functools.cache
def _determiner_before() -> re.Pattern[str]:
    words = sorted(lexicon()["group_determiners"], key=len, reverse=True)
    return re.compile(r"(?:^|\W)(?:" + "|".join(re.escape(w) for w in words) + r")\s+$", re.I)


# A capitalised plural that reads as a people (Croatians, Somalis, Congolese) when a lumping word comes first.
_DEMONYM = re.compile(r"\b[A-Z][a-z]{2,}(?:ians|ans|ese|is|ards)\b")


def _lumped(sentence: str, group: re.Match[str]) -> str | None:
    """Say how the sentence lumps the group together, or None if it does not."""
    rest = sentence[:group.start()] + " " * (group.end() - group.start()) + sentence[group.end():]
    for table in ("generalising_cues", "negative_words", "abusive_words"):
        cue = table_regex(table).search(rest)
        if cue is not None:
            return f"“{cue.group()}”"
    before, after = sentence[:group.start()], sentence[group.end():]
    if _determiner_before().search(before) or re.match(r"\s+lot\b", after, re.I):
        return "spoken of as one lot"
    return None


def _addressed(sentence: str, group: re.Match[str]) -> bool:
    """'Students: always lock your bike.' speaks to the group, not about it."""
    return not sentence[:group.start()].strip() and sentence[group.end():group.end() + 1] in {":", ","}


def _group_mentions(sentence: str) -> list[re.Match[str]]:
    """Group nouns of the table, and other peoples' names after a lumping word ('these Croatians')."""
    found = list(table_regex("group_nouns").finditer(sentence))
    for demonym in _DEMONYM.finditer(sentence):
        if _determiner_before().search(sentence[:demonym.start()]) and not any(
                g.start() <= demonym.start() < g.end() for g in found):
            found.append(demonym)
    return sorted(found, key=lambda match: match.start())


def group_generalisation(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """A group of people lumped together in one sentence, unless the sentence defends or speaks to it."""
    for start, end in sentence_spans(text, clauses=False):
        sentence = text[start:end]
        if has("generalisation_exceptions", sentence):
            continue
        for group in _group_mentions(sentence):
            how = None if _addressed(sentence, group) else _lumped(sentence, group)
            if how:
                yield Match(start + group.start(), start + group.end(),
                            f"“{group.group()}” spoken of as a whole group ({how})")
                break


def lexicon_words(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """Any word or phrase of the named table in lexicon.json (e.g. ``lexicon_words: abusive_words``)."""
    for found in table_regex(argument.strip()).finditer(text):
        yield Match(found.start(), found.end())


def check_table_name(argument: str) -> None:
    """Raise KeyError unless the argument names a word table."""
    name = argument.strip()
    if name not in lexicon():
        raise KeyError(name)
    phrase_regex(lexicon()[name])


DETECTORS: dict[str, tuple[Detector, bool]] = {
    "group_generalisation": (group_generalisation, False),
    "lexicon_words": (lexicon_words, True),
}

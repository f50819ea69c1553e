"""Discriminatory or abusive generalisations: a group of people named together with generalising language.

A group noun (a nationality, a faith, Gypsy, Roma and Traveller communities, "that lot",
"kids from" an estate, a protected characteristic) is only a problem when the same
sentence generalises about it ("always", "typical", "they're all", "are the problem")
or uses abuse; a sentence that defends or celebrates the group is left alone.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from portal.guidance.detectors.base import Detector, Match, has, lexicon, phrase_regex, sentence_spans, table_regex


def group_generalisation(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """A group of people and generalising or abusive words in one sentence."""
    groups = table_regex("group_nouns")
    if not groups.search(text):
        return
    cues, abuse = table_regex("generalising_cues"), table_regex("abusive_words")
    for start, end in sentence_spans(text, clauses=False):
        sentence = text[start:end]
        group = groups.search(sentence)
        if group is None or has("generalisation_exceptions", sentence) or _addressed(sentence, group):
            continue
        rest = sentence[:group.start()] + " " * (group.end() - group.start()) + sentence[group.end():]
        cue = cues.search(rest) or abuse.search(rest)
        if cue is not None:
            yield Match(start + group.start(), start + group.end(),
                        f"“{group.group()}” spoken of as a whole group (“{cue.group()}”)")


def _addressed(sentence: str, group: re.Match[str]) -> bool:
    """'Students: always lock your bike.' speaks to the group, not about it."""
    return not sentence[:group.start()].strip() and sentence[group.end():group.end() + 1] in {":", ","}


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

"""Live proceedings: a court appearance, hearing or trial date, and talk about a case still before the courts."""
from __future__ import annotations

import re
from collections.abc import Iterator

from portal.guidance.detectors.base import Detector, Match, has, sentence_spans, table_regex

_COURT_DATE = re.compile(
    r"\b(?:(?:appear|appears|appearing|due|listed)\s+(?:at|in|before)\s+[\w' ]{0,40}?(?:court|tribunal)"
    r"|(?:crown|magistrates'?|youth)\s+court|court\s+(?:on|next|hearing|date|case)|trial\s+(?:on|date|next|begins))",
    re.I,
)


# 'Wanted: Craig Hollis, 28' heads an appeal for someone the police mean to arrest.
_WANTED = re.compile(r"\s*[Ww]anted\s*:\s*(?=[A-Z][a-z]+\s+[A-Z])")


def _finished_or_unrelated(sentence: str) -> bool:
    """A case that ended in a sentence ('was jailed for six years'), or jury service and free trials."""
    return has("court_process_exclusions", sentence)


def court_date(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """A court appearance or hearing, unless the sentence says how the case ended."""
    for start, end in sentence_spans(text, clauses=False):
        sentence = text[start:end]
        if _finished_or_unrelated(sentence):
            continue
        for found in _COURT_DATE.finditer(sentence):
            yield Match(start + found.start(), start + found.end(), "a court appearance or hearing")


def court_process(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """A trial, jury, plea, remand, inquest or the case's evidence, and words that prejudge the outcome."""
    words = table_regex("court_process_words")
    for start, end in sentence_spans(text, clauses=False):
        sentence = text[start:end]
        if _finished_or_unrelated(sentence):
            continue
        found = words.search(sentence) or _WANTED.match(sentence)
        if found is not None:
            yield Match(start + found.start(), start + found.end(),
                        f"a case still before the courts (“{found.group()}”)")


DETECTORS: dict[str, tuple[Detector, bool]] = {
    "court_date": (court_date, False),
    "court_process": (court_process, False),
}

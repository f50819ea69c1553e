"""Live proceedings: a court appearance, hearing or trial date, and talk about a case still before the courts."""
from __future__ import annotations

import re
from collections.abc import Iterator

from portal.guidance.detectors.base import Detector, Match, has, sentence_spans, table_regex

_COURT_DATE = re.compile(
    r"\b(?:(?:appear|appears|appearing|due|listed)\s+(?:at|in|before)\s+[\w' ]{0,40}?(?:court|tribunal)"
    r"|(?:crown|magistrates'?|youth)\s+court|court(?:['’]s|\s+is)?\s+(?:on|next|hearing|date|case)|trial\s+(?:on|date|next|begins))",
    re.I,
)


# 'Wanted: Craig Hollis, 28' heads an appeal for someone the police mean to arrest.
_WANTED = re.compile(r"\s*[Ww]anted\s*:\s*(?=[A-Z][a-z]+\s+[A-Z])")


# Saying who is guilty or innocent prejudges a case: 'he's obviously guilty', 'defo guilty', 'they've got the wrong man'.
_CERTAIN = r"(?:so|obviously|clearly|definitely|defo|deffo|def|totally|blatantly|100%|surely|100\s+percent)"
_GUILT = re.compile(
    rf"(?<!\buntil\s)(?<!\bunless\s)\b(?!(?:everyone|everybody|anyone|anybody|nobody|no\s+one)\b)"
    rf"(?:he|she|they|him|her|them|the\s+(?:lad|man|woman|bloke|guy|fella|driver|suspect|accused)|[A-Z][a-z]+)"
    rf"\s*(?:'s|’s|\s+is|\s+was|\s+are|\s+were|\s+r)\s+(?:{_CERTAIN}\s+)?(?:guilty|innocent)\b"
    rf"|\b{_CERTAIN}\s+(?:guilty|innocent)\b"
    rf"|\b(?:got|arrested|nicked|charged|have|has)\s+the\s+wrong\s+(?:man|guy|person|lad|bloke|woman|people)\b"
    rf"|\b(?:he|she|they)\s+(?:never\s+(?:did|done)|{_CERTAIN}\s+(?:did|done))\s+it\b"
    rf"|\b(?:he|she|they)(?:['’]ll|\s+will|\s+would|['’]d)?\s+(?:gets?|got)\s+off\b(?!\s+(?:the|at|a|an|his|her|their|my|work|school))"
    rf"|\b(?:walks?|walked|walking)\s+free\b(?!\s+of)|\bslap(?:ped)?\s+(?:on\s+the\s+)?wrist\b|\bsee\s+(?:him|her|them)\s+squirm\b",
    re.I)
# Arrests in the words people use for them: 'they've lifted someone', 'was pulled in for questioning', 'got huckled'.
_PEOPLE = r"(?:him|her|them|someone|somebody|a\s+(?:lad|man|woman|bloke|guy|fella|teen\w*|youth|kid|boy|girl|suspect|couple)|two|three|\d+)"
_TAKEN_IN = re.compile(
    rf"\b(?:lifted|nabbed|collared|huckled|pulled\s+in|hauled\s+in|took\s+in)\s+{_PEOPLE}\b"
    rf"|\b(?:he|she|they|someone|somebody|lad|man|woman|bloke|guy|fella|kid|boy|girl|son|brother|cousin|mate|husband"
    rf"|boyfriend|ex)\s+(?:(?:has|have|had)\s+|['’]s\s+|['’]d\s+)?(?:was|were|been|got|gets|getting)\s+"
    rf"(?:lifted|nabbed|collared|huckled|pulled\s+in|hauled\s+in)\b"
    rf"(?!\s+(?:into|onto|on\s+to|out|up|off|by\s+(?!(?:the\s+)?(?:police|cops|officers|feds|old\s+bill|coppers)\b)))"
    rf"|\b(?:pulled|took|brought|hauled)\s+{_PEOPLE}\s+in\b(?!\s+(?:to|the|a|an|my|our|his|her|their|from)\b)"
    rf"|\b(?:picked\s+up|taken\s+in|brought\s+in|pulled\s+in|took\s+\w+\s+in)\s+(?:{_PEOPLE}\s+)?"
    rf"(?:for\s+questioning|by\s+(?:the\s+)?(?:police|cops|officers|feds|old\s+bill|coppers))\b"
    rf"|\b(?:they|police|cops|officers|detectives|we)(?:['’]re|\s+are|\s+were|\s+have\s+been|['’]ve\s+been)\s+"
    rf"(?:questioning|interviewing|quizzing)\s+(?:him|her|them|the\s+(?:lad|man|woman|suspect))\b"
    rf"|\b(?:he|she|they|man|woman|lad|boy|girl|suspect|someone|somebody|teenager|driver)(?:['’]s|\s+has|\s+have|['’]ve)?"
    rf"\s+(?:been|being|was|were|is)\s+held\s+(?:overnight|in\s+(?:the\s+)?cells|at\s+the\s+station|since|for\s+questioning)\b",
    re.I)


# The words without which neither pattern above can match: a cheap test first, as most sentences have none.
_GUILT_WORDS = re.compile(r"guilty|innocent|wrong\s+\w+|(?:did|done)\s+it|gets?\s+off|got\s+off|walk\w*\s+free|wrist|squirm", re.I)
_TAKEN_WORDS = re.compile(r"lifted|nabbed|collared|huckled|pulled|hauled|took|picked|taken|brought|questioning|interviewing"
                          r"|quizzing|held", re.I)


def _spoken_of(sentence: str) -> re.Match[str] | None:
    """Guilt prejudged or an arrest in slang, in one sentence."""
    guilt = _GUILT.search(sentence) if _GUILT_WORDS.search(sentence) else None
    return guilt or (_TAKEN_IN.search(sentence) if _TAKEN_WORDS.search(sentence) else None)


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
    """A trial, jury, plea, remand, inquest or the case's evidence, words that prejudge the outcome, arrests in slang."""
    words = table_regex("court_process_words")
    for start, end in sentence_spans(text, clauses=False):
        sentence = text[start:end]
        if _finished_or_unrelated(sentence):
            continue
        found = words.search(sentence) or _WANTED.match(sentence) or _spoken_of(sentence)
        if found is not None:
            yield Match(start + found.start(), start + found.end(),
                        f"a case still before the courts (“{found.group()}”)")


DETECTORS: dict[str, tuple[Detector, bool]] = {
    "court_date": (court_date, False),
    "court_process": (court_process, False),
}

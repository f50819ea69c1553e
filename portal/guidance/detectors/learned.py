"""Wording the check has learned from labelled messages: a small logistic regression per category.

The rules find what can be described (a party's name, a group noun with "always");
the ways people take a side, lump a group together or talk about a live case are too many
to list. There is a model for discriminatory, political and live-proceedings wording. A linear
model over the message's words, word pairs and letter runs, trained at build time on the
labelled development messages (scripts/train_guidance_model.py), catches more of them.
Its weights ship in learned_wording.json: nothing is downloaded or trained at run time,
the same text always gets the same score, and every flag names the words that weighed
most, so a supervisor can see why and mark it "wrong here".
"""
from __future__ import annotations

import functools
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from portal.guidance.detectors.base import Detector, Match, sentence_spans, table_regex
from portal.guidance.detectors.politics import police_campaign
from portal.guidance.detectors.proceedings import _PARTICULAR, _finished_sentences, a_tally

__all__ = ["DETECTORS", "LEARNED_FILE", "Scored", "anchor", "features", "learned_wording", "score", "tokens"]

LEARNED_FILE = Path(__file__).with_name("learned_wording.json")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Letter runs of 3 to 5 inside a word padded with spaces (like scikit-learn's "char_wb"):
# they carry misspellings, text-speak and word endings ("gyppos", "scroungers").
_CHAR_SIZES = (3, 4, 5)
# A word whose share of the score is below this is not named in the explanation.
_MIN_SHARE = 0.05
_NAMED_WORDS = 3
# Words that carry weight in the model but say nothing to a supervisor on their own.
_PAIRS = ("b:", "g:")  # a pair's weight is shared between its two words in the explanation
_UNHELPFUL = frozenset("a an the and or of to in on at is are was were it its this that be for with".split())


@dataclass(frozen=True)
class Token:
    word: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    """The message's words in lower case, with curly apostrophes made straight, and where each one is."""
    return list(_tokens(text))


@functools.lru_cache(maxsize=8)
def _tokens(text: str) -> tuple[Token, ...]:
    # Cached: features() and score() both read the words of the same message.
    lowered = text.lower().replace("’", "'")
    return tuple(Token(found.group(), found.start(), found.end()) for found in _TOKEN.finditer(lowered))


@functools.lru_cache(maxsize=4096)
def _word_features(word: str) -> tuple[str, ...]:
    # Cached by word: messages repeat their words, and the letter runs of a word never change.
    padded = f" {word} "
    grams = [f"w:{word}"]
    for size in _CHAR_SIZES:
        grams.extend(f"c:{padded[i:i + size]}" for i in range(len(padded) - size + 1))
    return tuple(grams)


# Optional feature kinds, chosen by the trainer's grouped cross-validation and named in the JSON:
# "gaps": word pairs across one word ("g:the lot" in "the whole lot"), so an inserted word does not
# break a pair; "stems": a word with a common ending cut off ("s:scroung" for "scroungers",
# "scrounging"), so a new writer's form of a word meets the one the model learnt.
FEATURE_KINDS = ("gaps", "stems")
_ENDINGS = ("ingly", "ings", "ing", "edly", "ers", "er", "ies", "ied", "ed", "es", "ly", "s")


def stem(word: str) -> str:
    """The word with one common English ending cut off, if at least four letters are left."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def features(text: str, kinds: tuple[str, ...] | None = None) -> tuple[dict[str, float], list[list[str]]]:
    """The message's features as L2-normalised counts, and for each word the features that came from it.

    A word pair ("b:the lot") is counted once but listed under both its words, for the explanation.
    kinds: the optional feature kinds (FEATURE_KINDS); by default those the shipped models were trained with.
    Cached, because every category's model reads the same message; callers must not change the result.
    """
    return _features(text, _shipped_kinds() if kinds is None else tuple(kinds))


@functools.lru_cache(maxsize=8)
def _features(text: str, kinds: tuple[str, ...]) -> tuple[dict[str, float], list[list[str]]]:
    words = _tokens(text)
    per_word = [list(_word_features(token.word)) for token in words]
    if "stems" in kinds:
        for grams, token in zip(per_word, words, strict=True):
            cut = stem(token.word)
            if cut != token.word:
                grams.append(f"s:{cut}")
    # One update over every word's features in reading order: the same counts, in the same order, as
    # updating word by word (the order matters: it is the order the score adds up its floats in).
    counts: Counter[str] = Counter(itertools.chain.from_iterable(per_word))
    for index in range(len(words) - 1):
        pair = f"b:{words[index].word} {words[index + 1].word}"
        counts[pair] += 1
        per_word[index].append(pair)
        per_word[index + 1].append(pair)
    if "gaps" in kinds:
        for index in range(len(words) - 2):
            pair = f"g:{words[index].word} {words[index + 2].word}"
            counts[pair] += 1
            per_word[index].append(pair)
            per_word[index + 2].append(pair)
    norm = math.sqrt(sum(value * value for value in counts.values())) or 1.0
    return {name: value / norm for name, value in counts.items()}, per_word


# What a sentence must be about before a model's score counts: the model weighs wording, and
# wording alone flags 'Only one officer can sign it off' as political for 'sign' (a petition word).
_ANCHOR_TABLES = {
    "political": ("public_affairs_words", "parties", "politicians", "political_issues", "election_cues"),
    "discriminatory": ("group_nouns", "group_adjectives", "weak_group_nouns", "people_nouns", "abusive_words"),
    "live_proceedings": ("live_case_markers", "court_process_words"),
}
# Words of an arrest, a charge or a case, in any form; a live-proceedings score counts only beside one
# ('Lock your shed' scores nothing however its wording leans).
_PROCEEDINGS = re.compile(
    r"\b(?:arrest\w*|charg(?:ed|es?|ing)\b|court\w*|custody|suspects?\b|suspected|bail\w*|remand\w*|trial|"
    r"jury|jurors?|nicked|lifted|detained|held|accused|convict\w*|plead\w*|pled|guilty|innocent|sentenc\w*|"
    r"prosecut\w*|cps|fiscal|magistrates?|investigation|interview\w*|caught|culprits?|offenders?|"
    r"perpetrators?|in connection|on suspicion|locked up|banged up|inquest|hearing|verdict|case)",
    re.I)
# A people named by a capitalised plural the tables may lack: 'Typical Londoners', 'Geordies'.
_PEOPLE_PLURAL = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]{2,}(?:ers|ians|ans|ese|ies|is|ards|ites)\b")


def anchor(text: str, category: str) -> re.Match[str] | None:
    """What the message is about that lets the model's score count (a group, a public-affairs word, a case).

    The police's own prevention campaign ('our campaign to get people to lock their cars') is not one.
    """
    for table in _ANCHOR_TABLES.get(category, ()):
        for found in table_regex(table).finditer(text):
            if category == "political" and police_campaign(text, found.start()):
                continue
            return found
    if category == "discriminatory":
        for start, end in sentence_spans(text):
            plural = _PEOPLE_PLURAL.search(text, start, end)
            if plural is not None and plural.start() > start:
                return plural
    if category == "live_proceedings":
        # A case word in a sentence about someone in particular ('he', 'a man', 'aged 19'), not a tally or a
        # finished case: 'Shoplifters will be arrested' and 'being arrested is not being charged' are no one's case.
        for start, end in sentence_spans(text, clauses=False):
            if (start, end) in _finished_sentences(text) or a_tally(text, text[start:end]):
                continue
            case = _PROCEEDINGS.search(text, start, end)
            if case is not None and _PARTICULAR.search(text, start, end):
                return case
    return None


@dataclass(frozen=True)
class Scored:
    probability: float
    threshold: float
    top_words: tuple[Token, ...]

    @property
    def flagged(self) -> bool:
        return self.probability >= self.threshold


@functools.cache
def _shipped() -> dict:
    return json.loads(LEARNED_FILE.read_text(encoding="utf-8"))


def _models() -> dict[str, dict]:
    return _shipped()["models"]


def _shipped_kinds() -> tuple[str, ...]:
    return tuple(_shipped().get("features", ()))


def score(text: str, category: str) -> Scored:
    """Score a message for one category and, if it crosses the threshold, name the words that pushed it up most."""
    model = _models()[category]
    weights: dict[str, float] = model["weights"]
    vector, per_word = features(text)
    # Only the features the model has a weight for: a missing weight adds exactly 0.0, so leaving those
    # out changes no bit of the sum (which never holds -0.0), and the rest are added in the same order.
    logit = model["bias"] + sum(weights[name] * value for name, value in vector.items() if name in weights)
    probability = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))
    if probability < model["threshold"]:
        return Scored(probability, model["threshold"], ())  # the explanation is only needed for a flag
    words = _tokens(text)
    shares = []
    for index, grams in enumerate(per_word):
        share = sum(weights.get(g, 0.0) * vector[g] * (0.5 if g[:2] in _PAIRS else 1.0) for g in set(grams))
        if share >= _MIN_SHARE and words[index].word not in _UNHELPFUL:
            shares.append((share, index))
    top = tuple(words[index] for _, index in sorted(shares, reverse=True)[:_NAMED_WORDS])
    return Scored(probability, model["threshold"], top)


def learned_wording(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """The category's learned model scores the message at or above its threshold (argument: the category)."""
    category = argument.strip()
    if not text.strip():
        return
    about = anchor(text, category)  # cheaper than scoring, and without it a score does not count
    if about is None:
        return
    scored = score(text, category)
    if not scored.flagged or not scored.top_words:
        return
    first = min(scored.top_words, key=lambda token: token.start)
    last = max(scored.top_words, key=lambda token: token.end)
    named = ", ".join(f"“{text[token.start:token.end]}”" for token in sorted(scored.top_words, key=lambda t: t.start))
    yield Match(first.start, last.end,
                f"wording like messages that were labelled {category.replace('_', ' ')}, about “{about.group()}” "
                f"(the words that weighed most: {named}; score {scored.probability:.2f})")


def check_category(argument: str) -> None:
    """Raise KeyError if no model was trained for this category."""
    _models()[argument.strip()]


DETECTORS: dict[str, tuple[Detector, bool]] = {
    "learned_wording": (learned_wording, True),
}

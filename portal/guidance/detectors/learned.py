"""Wording the check has learned from labelled messages: a small logistic regression per category.

The rules find what can be described (a party's name, a group noun with "always");
the ways people take a side, lump a group together or talk about a live case are too many
to list. There is a model for discriminatory, political and live-proceedings wording. A linear
model over the message's words, word pairs and letter runs (and the optional kinds the JSON names:
the lexicon's word classes in place of their words, text-speak read as words, negation), trained at
build time on the labelled development messages (scripts/train_guidance_model.py), catches more of them.
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

from portal.guidance.detectors.base import Detector, Match, lexicon, phrase_regex, sentence_spans, table_regex
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
_PAIRS = ("b:", "g:", "k:", "q:", "t:")  # a pair's weight is shared between its two words in the explanation
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
# "scrounging"), so a new writer's form of a word meets the one the model learnt;
# "speak": text-speak and stretched words read as the words they stand for ("u" you, "ppl" people,
# "sooooo" soo) before any other feature is taken; "shapes": the lexicon's word classes in place of
# their words ("k:those GROUP" and "k:GROUP are" for "those Romanians are" as for "those students are"),
# so a group, a party or a case word the training messages never named still makes the shape it makes;
# "window": a word class and each word up to three words either side of it ("q:GROUP~always" in
# "foreigners round here always"), the shape across a short window; "negation": the words in the three
# after "not", "no", "never" or an "n't" marked as negated ("n:racist" in "this is not racist").
FEATURE_KINDS = ("gaps", "stems", "speak", "shapes", "window", "negation")
_ENDINGS = ("ingly", "ings", "ing", "edly", "ers", "er", "ies", "ied", "ed", "es", "ly", "s")
# Text-speak and spellings of the street, with the word each stands for (whole words only).
_SPEAK = {
    "u": "you", "ya": "you", "yu": "you", "ur": "your", "yr": "your", "r": "are", "n": "and", "da": "the",
    "dat": "that", "dem": "them", "dey": "they", "cos": "because", "coz": "because",
    "cuz": "because", "bc": "because", "wiv": "with", "w": "with", "ppl": "people", "pple": "people",
    "peeps": "people", "govt": "government", "gov": "government", "gov't": "government", "bout": "about",
    "im": "i'm", "dont": "don't", "cant": "can't", "wont": "won't", "isnt": "isn't", "arent": "aren't",
    "didnt": "didn't", "doesnt": "doesn't", "theyre": "they're", "thats": "that's", "wat": "what",
    "wot": "what", "pls": "please", "plz": "please", "thx": "thanks", "tho": "though", "m8": "mate",
    "b4": "before", "gr8": "great", "2day": "today", "2nite": "tonight", "tonite": "tonight", "nite": "night",
    "ov": "of", "wen": "when", "evry1": "everyone", "every1": "everyone",
    "some1": "someone", "any1": "anyone", "no1": "no one", "lotta": "lot of", "gonna": "going to",
}
_STRETCHED = re.compile(r"(.)\1{2,}")
# The lexicon's word classes the "shapes" and "window" kinds read, each from one or more tables.
SHAPE_CLASSES: dict[str, tuple[str, ...]] = {
    "GROUP": ("group_nouns", "weak_group_nouns"),
    "GADJ": ("group_adjectives",),
    "PEOPLE": ("people_nouns",),
    "ABUSE": ("abusive_words",),
    "GENERAL": ("generalising_cues", "generic_predicates", "generic_frames", "stereotype_phrases",
                "negative_predicates"),
    "OFTEN": ("generic_predicates_strong",),
    "BAD": ("negative_words",),
    "PARTY": ("parties", "politician_names", "politicians"),
    "PUBLIC": ("public_affairs_words", "political_issues"),
    "ELECTION": ("election_cues", "vote_phrases"),
    "AWARD": ("award_cues",),
    "OPINION": ("opinion_markers",),
    "STANCE": ("stance_cues", "evaluative_words", "verdict_words", "blame_cues"),
    "CAMPAIGN": ("campaign_nouns", "campaign_phrases", "political_slogans"),
    "CRIMEWORK": ("police_campaign_topics",),
    "LIVE": ("live_case_markers",),
    "COURT": ("court_process_words",),
    "NOTLIVE": ("not_live_frames", "court_process_exclusions"),
}
_NEGATORS = frozenset({"not", "no", "never", "nobody", "none", "nothing", "without"})
_WINDOW = 3


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
    tokens_ = _tokens(text)
    words = [_spoken(token.word) for token in tokens_] if "speak" in kinds else [token.word for token in tokens_]
    per_word = [list(_word_features(word)) for word in words]
    if "stems" in kinds:
        for grams, word in zip(per_word, words, strict=True):
            cut = stem(word)
            if cut != word:
                grams.append(f"s:{cut}")
    if "negation" in kinds:
        _add_negated(words, per_word)
    # One update over every word's features in reading order: the same counts, in the same order, as
    # updating word by word (the order matters: it is the order the score adds up its floats in).
    counts: Counter[str] = Counter(itertools.chain.from_iterable(per_word))

    def pair(name: str, *at: int) -> None:
        counts[name] += 1
        for index in dict.fromkeys(at):
            per_word[index].append(name)

    for index in range(len(words) - 1):
        pair(f"b:{words[index]} {words[index + 1]}", index, index + 1)
    if "gaps" in kinds:
        for index in range(len(words) - 2):
            pair(f"g:{words[index]} {words[index + 2]}", index, index + 2)
    if "shapes" in kinds or "window" in kinds:
        _add_shapes(text, tokens_, words, kinds, pair)
    norm = math.sqrt(sum(value * value for value in counts.values())) or 1.0
    return {name: value / norm for name, value in counts.items()}, per_word


def _spoken(word: str) -> str:
    """The word text-speak stands for ("u" you, "ppl" people), with a letter said four times said twice."""
    word = _STRETCHED.sub(r"\1\1", word)
    return _SPEAK.get(word, word)


def _add_negated(words: list[str], per_word: list[list[str]]) -> None:
    left = 0
    for index, word in enumerate(words):
        if left and word not in _NEGATORS:
            per_word[index].append(f"n:{word}")
            left -= 1
        if word in _NEGATORS or word.endswith("n't"):
            left = 3


@functools.cache
def _class_regex(name: str) -> re.Pattern[str]:
    return phrase_regex([word for table in SHAPE_CLASSES[name] for word in lexicon()[table]])


def word_classes(text: str, tokens_: tuple[Token, ...]) -> list[tuple[int, int, str]]:
    """Each lexicon class found in the text, as (first word, last word + 1, class), in reading order.

    Where two classes' phrases overlap the longer one is kept, then the earlier class in SHAPE_CLASSES.
    """
    starts = {token.start: index for index, token in enumerate(tokens_)}
    ends = {token.end: index for index, token in enumerate(tokens_)}
    found = []
    for order, name in enumerate(SHAPE_CLASSES):
        for match in _class_regex(name).finditer(text):
            first, last = starts.get(match.start()), ends.get(match.end())
            if first is not None and last is not None and last >= first:
                found.append((first, last + 1, order, name))
    found.sort(key=lambda item: (item[0], item[0] - item[1], item[2]))
    kept, taken = [], -1
    for first, end, _, name in found:
        if first > taken:
            kept.append((first, end, name))
            taken = end - 1
    return kept


def _add_shapes(text: str, tokens_: tuple[Token, ...], words: list[str], kinds: tuple[str, ...], pair) -> None:
    classes = word_classes(text, tokens_)
    if not classes:
        return
    # The message read with each class's phrase as one symbol: [(symbol, first word, end)].
    symbols: list[tuple[str, int, int]] = []
    by_start = {first: (end, name) for first, end, name in classes}
    index = 0
    while index < len(words):
        if index in by_start:
            end, name = by_start[index]
            symbols.append((name, index, end))
            index = end
        else:
            symbols.append((words[index], index, index + 1))
            index += 1
    is_class = [symbol[1] in by_start for symbol in symbols]
    if "shapes" in kinds:
        for at, (symbol, first, end) in enumerate(symbols):
            if is_class[at]:
                pair(f"t:{symbol}", *range(first, end))
        for at in range(len(symbols) - 1):
            if is_class[at] or is_class[at + 1]:
                (one, first, _), (two, _, end) = symbols[at], symbols[at + 1]
                pair(f"k:{one} {two}", *range(first, end))
    if "window" in kinds:
        for at, (symbol, first, end) in enumerate(symbols):
            if not is_class[at]:
                continue
            for other in range(max(0, at - _WINDOW), min(len(symbols), at + _WINDOW + 1)):
                if other != at and other not in (at - 1, at + 1):
                    near, near_first, near_end = symbols[other]
                    name = f"q:{near}~{symbol}" if other < at else f"q:{symbol}~{near}"
                    pair(name, *range(min(first, near_first), max(end, near_end)))


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

"""Find the people named in a message: titled names, first name and surname pairs, known first names.

A name is a title and surname (Mrs Patel), a pair of capitalised words that are not a
place or an organisation (Kevin Doyle), or a common first name on its own (Liam), and a
few lower-case forms typed in text-speak. Police officers named with their rank, people
greeted by name (Hi Sue, ...) and pets are left out. people.py judges what is beside them.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from portal.guidance.detectors.base import lexicon, sentence_at, table_regex

__all__ = ["BLAME_VERBS", "Name", "names"]

_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Mister)\.?"
_CAP = r"[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?"
_SURNAME = rf"(?:[A-Z]\.?\s+)?(?:Mc|Mac|O')?{_CAP}"
_TITLED = re.compile(rf"\b{_TITLE}\s+(?:and\s+{_TITLE}\s+)?(?:{_CAP}\s+(?={_CAP}))?{_SURNAME}\b")
_PAIR = re.compile(rf"(?=\b({_CAP}\s+{_SURNAME})\b)")
_SINGLE = re.compile(rf"\b{_CAP}\b")
# A capitalised word used as a person's name: 'Tasha's flat', 'Zainab, the lady from the shop', 'Kelvin, 42,'.
_POSSESSIONS = ("car|van|bike|motorbike|scooter|house|home|flat|shed|garage|garden|dog|cat|phone|bag|handbag|purse"
                "|wallet|mum|dad|son|daughter|husband|wife|partner|kids|children|boyfriend|girlfriend|door|window|nan")
_AS_PERSON = re.compile(rf"\b({_CAP})(?:'s|’s)\s+(?:{_POSSESSIONS})\b|\b({_CAP}),\s+(?:the|a|an|\d{{1,3}},)\s")
# A name introduced as one: 'her name is Chantelle', 'named as Agnes Bell', 'a lad called Jordan'.
_INTRODUCED = re.compile(
    rf"\b(?:(?i:name\s+is|name's|named\s+as)|(?i:man|woman|lad|lass|girl|boy|bloke|lady|guy|fella|kid|son|daughter"
    rf"|someone|person|chap|teenager|youth)\s+(?i:called|known\s+as|who\s+goes\s+by))\s+({_CAP}(?:\s+{_SURNAME})?)")
# A person known by first name and trade or place: 'Gary from the chippy', 'Sue at the post office'.
_FROM_THE = re.compile(rf"\b({_CAP})\s+(?:from|at|who\s+runs|who\s+owns|who\s+works\s+at)\s+the\s+")
# A name in apposition after a person word: 'The lad who was stabbed, Tyrone, is 17'.
_APPOSED = re.compile(
    rf"\b(?i:lad|lass|man|woman|girl|boy|bloke|lady|victim|witness|pensioner|driver|owner|mum|dad|son|daughter"
    rf"|teenager|resident|neighbour|tenant|suspect|kid|brother|sister|cousin|boyfriend|girlfriend|husband|wife|partner)\b[^,.;]{{0,50}},\s+({_CAP}(?:\s+{_SURNAME})?)\s*(?:,|\?+\s*\d)")
# A name that a pronoun takes up ('is Kayla, she's 19') or a trade follows ('Stan the barber').
_PRONOUN_AFTER = re.compile(rf"\b({_CAP}),?\s+(?:she|he)(?:'s|’s|\s+is|\s+was)\b")
_TRADE_AFTER = re.compile(rf"\b({_CAP})\s+the\s+")
# A name given in lower case after 'for a' or 'called' with an age: 'a bus pass for a lorraine hughes, 67'.
_LOWER_INTRODUCED = re.compile(r"\b(?:for|called|named|name\s+is|missing|seen)\s+(?:an?\s+)?"
                               r"([a-z]{2,}(?:\s+[a-z]{2,})?)(?=\s*(?:,\s*|\(\s*)\d{1,2}\b)")
# Names in a message written all in lower case: a known first name before an age ('jordan pike, 15'),
# or a title and surname ('mrs dawson').
_LOWER_WITH_AGE = re.compile(r"\b([a-z]{2,})((?:\s+[a-z]{2,})?)(?=\s*(?:,\s*|\(\s*)(?:(?:he's|hes|she's|shes|aged|age)\s+)?"
                             r"\d{1,2}\b)")
_LOWER_TITLED = re.compile(r"\b(?:mr|mrs|ms|miss)\.?\s+([a-z][a-z'’-]{2,})\b")
# A lower-case first name and surname that the sentence blames: 'we think leon crawford did the graffiti',
# 'its darren hope nicking the bikes'. The verbs after the name are what makes it blame.
BLAME_VERBS = (r"did|done|does|keeps|nicked|nicking|stole|stealing|took|taking|smashed|smashing|keyed|keying|set|setting"
                r"|sells|selling|deals|dealing|broke|breaking|robbed|robbing|hit|attacked|started|sprayed|spraying")
_LOWER_ACCUSED = re.compile(
    r"\b(?:think|reckon|know|knows|sure|bet|suspect|told\s+us|says|said)\s+(?:(?:it\s+was|it's|its|it\s+is|that)\s+)?"
    rf"([a-z]{{3,}}\s+[a-z]{{3,}})\s+(?=(?:(?:who|that)\s+)?(?:{BLAME_VERBS})\b)"
    rf"|\b(?:it\s+was|it's|its|it\s+is)\s+([a-z]{{3,}}\s+[a-z]{{3,}})\s+(?=(?:(?:who|that)\s+)?(?:{BLAME_VERBS})\b)")
# Words that are not a first name, for the lower-case patterns above.
_NOT_FIRST = frozenset("""the a an my your his her our their its this that these those them they we you he she it
him one some someone somebody anyone everyone nobody people kids lads police officers mum dad nan son daughter
neighbour neighbours lad bloke woman man boy girl owner same other""".split())


# A pet's name: 'a spaniel called Bella', 'our cat, Milo,'.
_PET = re.compile(r"\b(?:dog|puppy|pup|cat|kitten|spaniel|terrier|labrador|lab|collie|poodle|staffie|greyhound|lurcher"
                  r"|whippet|pony|horse|parrot|tortoise|rabbit|hamster|ferret)s?(?:\s+(?:called|named|,))?\s*,?\s*$"
                  r"|\b(?:answers|answering)\s+to\s+(?:the\s+name\s+(?:of\s+)?)?$", re.I)  # 'Answers to Milo': a lost pet


# A name that stands for a monument or a place named after someone long gone: 'Winston Churchill's statue',
# 'the statue of Captain Cook', 'the Grace Darling memorial'. The message is about the stone, not a person.
_MONUMENT_AFTER = re.compile(r"(?-i:\s+[A-Z][\w'’-]*)?(?:['’]s)?\s+(?:statue|memorial|monument|plaque|bust|grave|tomb|birthplace|mural)s?\b",
                             re.I)
_MONUMENT_BEFORE = re.compile(r"\b(?:statue|memorial|monument|plaque|bust|grave|tomb|mural)s?\s+(?:of|to|for)\s+$",
                              re.I)


# A family by its surname: 'the Hendersons' house', 'The Wilsons at the end of Church Lane', 'the Kowalski family'.
_FAMILY = re.compile(r"\b[Tt]he\s+(?:(?P<family>[A-Z][a-z]{2,})\s+family\b|(?P<plural>[A-Z][a-z]{2,}s)(?:['’](?!s))?(?![\w-])"
                     r"(?!\s+[A-Z])(?!\s+(?:fans|team|players|club|band|game|match|concert|supporters|members|group|squad)\b))")
# Plurals after 'the' that name a people or a club, not a family ('the Albanians', 'the Brownies'); the sentence around a name
# decides whether it matters (people.py), so teams and bands ('the Rovers') are rarely a problem.
_PEOPLES = re.compile(r"(?:ians|ans|ese|ish|is|ies)$")  # and 'ies': the Brownies, the Hollies


def _plausible_family(word: str) -> bool:
    """'the Hendersons', 'the Parkers', 'the Kowalski family'; not 'the Albanians' or a stop word ('the Greens')."""
    return not _PEOPLES.search(word.lower())


# 'Ask for Angela': a bar-staff safety scheme, not a person.
_SCHEME_BEFORE = re.compile(r"\b[Aa]sk\s+for\s+$")


@dataclass(frozen=True)
class Name:
    start: int
    end: int
    text: str


@functools.cache
def _not_name_words() -> frozenset[str]:
    tables = lexicon()
    words = set(tables["not_name_words"]) | set(tables["street_types"]) | set(tables["venue_words"])
    for phrase in tables["group_nouns"] + tables["parties"]:
        words.update(phrase.rstrip("*").split())
    return frozenset(words)


@functools.cache
def _first_names() -> frozenset[str]:
    return frozenset(lexicon()["first_names"])


_COMMON_WORDS_FILE = Path(__file__).with_name("common_words.txt")


@functools.cache
def _common_words() -> frozenset[str]:
    """Words the messages use in lower case (scripts/build_common_words.py), less the first names."""
    lines = _COMMON_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#")) - _first_names()


def _opens_with_a_word(words: list[str]) -> bool:
    """Round 10: 'Safe Haven', 'Radio Westshire', 'Upper Hatton', 'True Vision': a capitalised pair that opens with an
    everyday word (one the messages write in lower case) that is not a first name names a body, a place or a thing."""
    return words[0].lower().rstrip(",") in _common_words()


# Round 10: a public figure named beside their office is acting in public: 'The new MP for the area, Sarah Lloyd,',
# 'Sarah Lloyd, the MP for Eastfield,', 'our council leader, Tom Reid', 'the inspector, John Hale'.
_OFFICES = (r"(?:MP|MPs|MSP|MS|AM|councillor|cllr|council\s+leader|leader\s+of\s+the\s+council|mayor|deputy\s+mayor|lord\s+mayor"
            r"|(?:police\s+and\s+crime\s+)?commissioner|PCC|minister|secretary|chief\s+constable|inspector|sergeant|superintendent"
            r"|constable|PCSO|officer|head\s*teacher|headteacher|chair|chairman|chairwoman|chairperson)")
_OFFICE_BEFORE = re.compile(rf"\b(?i:{_OFFICES})(?:\s+(?:for|of)\s+(?:the\s+)?[\w' -]{{1,30}}?)?,\s*$")
_OFFICE_AFTER = re.compile(rf",\s+(?i:the|our|your|their|a|its)\s+(?:(?i:new|local|former|deputy|acting|area|ward|county|town"
                           rf"|district|city|parish|borough)\s+)*(?i:{_OFFICES})\b")


def _in_office(text: str, start: int, end: int) -> bool:
    return bool(_OFFICE_BEFORE.search(text, max(0, start - 60), start) or _OFFICE_AFTER.match(text, end))


# Public figures acting in public are not personal data: a councillor named by title ('Cllr Bisi Adeyemi').
_PUBLIC_TITLES = frozenset({"cllr", "councillor", "cllrs", "councillors", "mayor"})
# A first name that is also a month, read as the month after a word of time ('priorities for Jan', 'in May') or
# before a day or a year ('May 14th', 'June 2025').
_A_MONTH = re.compile(r"(?:Jan|June?|May|April|Aug|August|Mar|Sept?|Oct|Nov|Dec)", re.I)
_MONTH_BEFORE = re.compile(r"\b(?:for|in|by|until|till|til|from|since|of|next|last|this|early|late|mid|end\s+of|before|after"
                           r"|during|through)\s+$", re.I)
_DAY_AFTER = re.compile(r"\s+\d{1,2}(?:st|nd|rd|th)?\b|\s+(?:19|20)\d{2}\b")


def _after_officer_title(text: str, start: int) -> bool:
    """A named officer ('PC Sam Ward'), a councillor or an operation's code name ('Operation Summer Nights'): not a
    subject."""
    before = text[max(0, start - 20):start].split()
    title = before[-1].lower().rstrip(".") if before else ""
    return bool(before) and (title in set(lexicon()["officer_titles"]) or title in _PUBLIC_TITLES or title == "operation")


def _is_greeted(text: str, start: int, end: int) -> bool:
    """'Hi Sue, ...', 'Thanks Gemma, ...', 'Sorry to hear that Doreen.': the reader, not a subject."""
    s_start, _ = sentence_at(text, start)
    opening = text[s_start:start].strip().lower()
    follows = text[end:end + 1]
    if re.match(r"(?:thanks|thank\s+you|cheers|well\s+done|congratulations)\s+to\b", opening):
        return False  # 'Thanks to Zainab, who called it in': a third person, named
    greeted = len(opening.split()) <= 3 and _only_greeting(opening)  # not 'No that was Josh Malik, …'
    one_word = " " not in text[start:end].strip()  # 'Yes Denise the man has been to court': the reader, named first
    if greeted and (follows in {",", ".", "!", "?", ""} or text[end:end + 2] in {" -", " :"} or one_word):
        return True
    return _addressed(text, s_start, start, end)


# What may stand beside a greeting before the reader's name: 'Hi again Sue', 'Yes thanks Dave', 'Morning all, Jo'.
_GREETING_FILLER = frozenset({"again", "so", "much", "very", "and", "all", "there", "both", "love", "mate", "oh", "ah",
                              "lol", "haha", "aw", "aww", "yeah", "yep", "nope", "sure", "of", "course"})


def _only_greeting(opening: str) -> bool:
    """'hi', 'yes thanks', 'thank you again': nothing but greetings ('no that was Josh Malik' is not one)."""
    words = " ".join(re.sub(r"[^\w\s']", " ", opening).split())
    greetings = sorted(lexicon()["greetings"], key=len, reverse=True)
    opens = next((g for g in greetings if words == g or words.startswith(g + " ")), None)
    if opens is None:
        return False
    rest = words[len(opens):].split()
    return all(word in greetings or word in _GREETING_FILLER for word in rest)


# The reader named in passing: 'We all saw the video, Karen.' (a first name alone after a comma, ending the sentence)
# or 'Trust me, Jackie, once ...' (after a short opening clause and a comma). Not an age or an apposition:
# 'a local woman, Karen.' and 'Trust me, Jackie, 34,' name a subject.
_VOCATIVE_BEFORE = re.compile(r",\s*$")
_NOT_VOCATIVE = re.compile(r"\b(?:called|named|name|victim|witness|woman|man|lady|lad|lass|girl|boy|bloke|owner|neighbour|kid|child"
                           r"|resident|son|daughter|mum|dad|wife|husband|partner|friend|brother|sister|suspect|driver|including"
                           r"|and|or|with|by|from|to|at|of)\s*,\s*$", re.I)


def _addressed(text: str, s_start: int, start: int, end: int) -> bool:
    if " " in text[start:end].strip() or not _VOCATIVE_BEFORE.search(text, max(s_start, start - 3), start):
        return False
    before = text[s_start:start]
    if _NOT_VOCATIVE.search(before):
        return False
    after = text[end:end + 6]
    if re.match(r"\s*(?:[.!?]+(?![.!?]|\s*\d)|$)", after):
        return True  # '..., Karen.'
    opening = before.rstrip(" ,")
    return (re.match(r",\s+(?!\d)", after) is not None and 1 <= len(opening.split()) <= 3
            and "," not in opening and not _DETERMINER_FIRST.match(opening))  # 'Trust me, Jackie, ...'


# 'Their kid, Mason, is ...', 'The victim, Jo, ...': a person described, then named, is a subject, not the reader.
_DETERMINER_FIRST = re.compile(r"\s*(?:the|their|his|her|my|our|your|a|an|this|that|one|another|some)\b", re.I)


_OPENERS = frozenset("""however meanwhile today tonight yesterday overnight earlier later also again sadly thankfully
unfortunately luckily recently finally firstly secondly lastly remember note update reminder warning alert
apologies afterwards instead otherwise anyway besides course""".split())


def _after_the(text: str, start: int) -> bool:
    """Whether a run of capitalised words that holds this position opens with 'the'."""
    return re.search(r"\b(?:the|The)\s+(?:[A-Z][\w'’-]*\s+)*$", text[max(0, start - 60):start]) is not None


def _sentence_opener(word: str) -> bool:
    """'Separately, a man was …' and 'Meanwhile, the …' open a sentence; they are not names."""
    return word.lower().endswith("ly") or word.lower() in _OPENERS


def _plausible(words: list[str]) -> bool:
    """No word is a stop word, a street type or a place, itself or before a possessive ('Thanks', 'Police's')."""
    stop = _not_name_words()
    return not any(word.lower() in stop or re.sub(r"['’]s$", "", word.lower()) in stop
                   or (word.lower().endswith("s") and word.lower()[:-1] in stop and word.lower()[:-1] not in _SURNAMES)
                   for word in words)


# Street types and stop words that are also common surnames when an 's' is added (Banks, Fields, Hills).
_SURNAMES = frozenset({"bank", "field", "hill", "wood", "brook", "mill", "wall", "gate", "green", "house", "lane",
                       "stone", "well", "rose", "cross", "vale", "jone", "roger", "peter", "matthew", "edward"})


# A saint's name is a church's or a street's ('St Peter's church'); capitalised words that end in, or run on to,
# 'Partnership', 'Scheme' or 'Week' name a body or an event ('Retail Crime Partnership', 'Hate Crime Awareness
# Week'); capitalised words inside quotation marks name a campaign or an event.
_SAINT_BEFORE = re.compile(r"\bSt\.?\s+$")
_BODY_WORDS = (r"(?:Partnership|Scheme|Watch|Project|Trust|Network|Association|Forum|Initiative|Programme|Campaign|Week"
               r"|Awards?|Board|Service|Unit|Team|Centre|Fund)")
_BODY_AFTER = re.compile(rf"(?:\s+[A-Z][\w'’-]*){{0,3}}?\s+{_BODY_WORDS}\b")
_BODY_LAST = re.compile(rf"\s{_BODY_WORDS}$")


def _not_a_person(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    quoted = text.count('"', line_start, start) % 2 == 1 or text.count("“", line_start, start) > text.count("”", line_start, start)
    return bool(_SAINT_BEFORE.search(text, max(0, start - 5), start) or _BODY_AFTER.match(text, end)
                or _SCHEME_BEFORE.search(text, max(0, start - 10), start)
                or _BODY_LAST.search(text, start, end) or quoted)


@functools.lru_cache(maxsize=32)
def names(text: str) -> tuple[Name, ...]:
    """Find the people named in a message."""
    found: list[Name] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int) -> None:
        if any(s < end and start < e for s, e in taken):
            return
        if (_after_officer_title(text, start) or _is_greeted(text, start, end) or text[max(0, start - 1):start] == "@"
                or _PET.search(text, max(0, start - 40), start)
                or _MONUMENT_AFTER.match(text, end) or _MONUMENT_BEFORE.search(text, max(0, start - 30), start)
                or _not_a_person(text, start, end) or _in_office(text, start, end)):
            taken.append((start, end))  # a named officer or the reader: not a subject of the message
            return
        taken.append((start, end))
        found.append(Name(start, end, text[start:end]))

    for match in _TITLED.finditer(text):
        add(match.start(), match.end())
    for match in _FAMILY.finditer(text):
        kind = "family" if match.group("family") else "plural"
        surname = match.group(kind)
        stem = re.sub(r"(?:es|s)$", "", surname) if kind == "plural" else surname
        if _plausible([surname, stem]) and (kind == "family" or _plausible_family(surname)):
            add(match.start(kind), match.end(kind))
    greetings = set(lexicon()["greetings"])
    for match in _PAIR.finditer(text):
        pair = match.group(1)
        words = pair.replace(".", " ").split()
        if words[0].lower().rstrip(",") in greetings or words[0].lower() in _PUBLIC_TITLES:
            continue  # 'Hiya Dean, …': the greeting and the reader; the name alone is read (and greeted) below
        if _after_the(text, match.start(1)):
            continue  # 'the Red Lion', 'the Mental Health Act': a place or a thing, not a person
        if _opens_with_a_word(words):
            continue  # 'Safe Haven', 'Radio Westshire': the first name alone is still read below
        if _plausible(words) or (words[0].lower() in _first_names() and _plausible(words[1:])):
            add(match.start(1), match.start(1) + len(pair))
    for match in _SINGLE.finditer(text):
        month = _A_MONTH.fullmatch(match.group()) and (
            _MONTH_BEFORE.search(text, max(0, match.start() - 20), match.start()) or _DAY_AFTER.match(text, match.end()))
        if match.group().lower() in _first_names() and not month:
            add(match.start(), match.end())
    for match in _INTRODUCED.finditer(text):
        if _plausible(match.group(1).split()):
            add(match.start(1), match.end(1))
    trades = table_regex("trade_places")
    for match in _FROM_THE.finditer(text):
        adjective = re.compile(r"[a-z]+\s+").match(text, match.end())
        at_trade = trades.match(text, match.end()) or (adjective and trades.match(text, adjective.end()))
        if _plausible([match.group(1)]) and not _sentence_opener(match.group(1)) and at_trade:
            add(match.start(1), match.end(1))
    for pattern in (_APPOSED, _PRONOUN_AFTER):
        for match in pattern.finditer(text):
            if _plausible(match.group(1).split()) and not _sentence_opener(match.group(1).split()[0]):
                add(match.start(1), match.end(1))
    for match in _TRADE_AFTER.finditer(text):
        if _plausible([match.group(1)]) and table_regex("trade_people").match(text, match.end()):
            add(match.start(1), match.end(1))
    _add_lower_case_names(text, add)
    for match in _AS_PERSON.finditer(text):
        group = 1 if match.group(1) else 2
        word = match.group(group)
        opens = sentence_at(text, match.start(group))[0] == match.start(group)
        if _plausible([word]) and not (group == 2 and opens and _sentence_opener(word)):
            add(match.start(group), match.end(group))
    return tuple(sorted(found, key=lambda name: name.start))


def _add_lower_case_names(text: str, add: Callable[[int, int], None]) -> None:
    """Names typed in lower case: a known first name before an age, or a title with a surname."""
    stop = _not_name_words()
    for match in _LOWER_WITH_AGE.finditer(text):
        first, surname = match.group(1), match.group(2).strip()
        if first in _first_names() and surname not in stop:
            add(match.start(1), match.end(2) if surname else match.end(1))
    for match in _LOWER_INTRODUCED.finditer(text):
        if not set(match.group(1).split()) & stop:
            add(match.start(1), match.end(1))
    for match in _LOWER_ACCUSED.finditer(text):
        group = 1 if match.group(1) else 2
        words = match.group(group).split()
        if not set(words) & (stop | _NOT_FIRST):
            add(match.start(group), match.end(group))
    for match in _LOWER_TITLED.finditer(text):
        if match.group(1) not in stop:
            add(match.start(), match.end())

"""Named people: a name beside an offence, a victim or witness, an address or an age.

Finding the names is names.py's job; this module judges what stands beside them.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from portal.guidance.detectors.base import Detector, Match, lexicon, phrase_regex, sentence_at, table_regex
from portal.guidance.detectors.names import BLAME_VERBS, Name, names
from portal.guidance.detectors.places import addresses

__all__ = ["DETECTORS", "age_with_name", "age_with_street", "name_near", "named_person"]

_AGE_AFTER = re.compile(
    r"^\s*(?:,\s*|\(\s*|[?!]+\s*|\s)(?:(?:aged|is|was|who\s+is|who's|she's|he's|shes|hes|she\s+is|he\s+is|now)\s+)?"
    r"(?:(?:only|just|nearly|almost|about|around|barely)\s+)?\d{1,3}"
    r"(?:\s*(?:yrs?|years?(?:\s+old)?)\b|\s*(?:[,).;!]|$|\s+[-–]\s|\s+(?:from|of|who|was|is|has|and)\b))",
    re.I,
)
_AGE_BEFORE = re.compile(r"(?:\b\d{1,3}[- ]?(?:year|yr)s?[- ]old|\baged\s+\d{1,3},?)\s+(?:[a-z]+,?\s+){0,2}$", re.I)
_WINDOW = 80


def _same_sentence_hits(text: str, name: Name, pattern: re.Pattern[str]) -> re.Match[str] | None:
    s_start, s_end = sentence_at(text, name.start)
    lo, hi = max(s_start, name.start - _WINDOW), min(s_end, name.end + _WINDOW)
    for hit in pattern.finditer(text, lo, hi):
        if not (name.start <= hit.start() < name.end):
            return hit
    return None


@functools.lru_cache(maxsize=64)
def _argument_regex(argument: str) -> re.Pattern[str]:
    return phrase_regex(part for part in re.split(r"[,\n]", argument))


def name_near(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """A name in the same sentence as one of the argument's words (e.g. an offence or an arrest)."""
    words = _argument_regex(argument)
    if not words.search(text):
        return
    for name in names(text):
        hit = _same_sentence_hits(text, name, words)
        if hit is not None:
            yield Match(min(name.start, hit.start()), max(name.end, hit.end()),
                        f"the name “{name.text}” beside “{hit.group()}”")


# An age inside an aside in brackets after the name: 'Marc Doyle (the tall lad with the neck tattoo, 31, from ...)'.
_AGE_IN_ASIDE = re.compile(r"\s*\([^()]{0,60}?(?:\(|,)\s*(\d{1,2})\s*(?:,|\))")


def _age_beside(text: str, name: Name) -> str | None:
    after = _AGE_AFTER.match(text[name.end:name.end + 30])
    if after:
        return text[name.end:name.end + after.end()].strip(" ,()?!")
    aside = _AGE_IN_ASIDE.match(text, name.end)
    if aside:
        return aside.group(1)
    before = _AGE_BEFORE.search(text[max(0, name.start - 40):name.start])
    return before.group().strip(" ,") if before else None


# An age said of the name after an aside or where they live: 'Jamie Reid, the lad who found it, is 12 and ...',
# 'Mrs Hughes at the end cottage is 90 and ...'.
_AGE_LATER = re.compile(r"(?:,[^,.;!?]{1,60},|\s+(?:at|from|in|on|of|up|down)\s+[^,.;!?\d]{1,40}?)?\s+(?:is|was|turns|turned)\s+(?:only\s+|just\s+)?(\d{1,2})"
                        r"(?:\s*(?:years?\s+old|yrs?))?(?=\s*(?:and\b|,|\.|!|\?|$))")
_BORN_IN = re.compile(r"\bborn\s+(?:in\s+|around\s+|about\s+|circa\s+|c\.\s*)?(?:19|20)\d{2}\b", re.I)


def age_with_name(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """A named person with their age or year of birth (Kayleigh Morris (17), 58-year-old Peter Lowe)."""
    for name in names(text):
        age = _age_beside(text, name)
        if not age:
            s_start, s_end = sentence_at(text, name.start)
            born = _BORN_IN.search(text, s_start, s_end)
            later = _AGE_LATER.match(text, name.end, s_end)
            age = born.group() if born else (later.group().split(",")[-1].strip() if later else None)
        if age:
            yield Match(name.start, name.end, f"the name “{name.text}” with an age ({age})")


@functools.cache
def _home_street() -> re.Pattern[str]:
    types = "|".join(sorted((re.escape(t) for t in set(lexicon()["street_types"]) - {"house", "estate", "park", "green",
                                                                                     "court", "hill", "end", "view"}),
                            key=len, reverse=True))
    return re.compile(rf"[\s,]*(?:\d{{1,3}}\s*,\s*)?(?:from|of|lives\s+(?:on|in)|on)\s+((?:[A-Z][\w'’-]*\s+){{1,3}}(?i:{types}))\b")


def _street_beside(text: str, name: Name, sentence_end: int) -> str | None:
    """The street right after a name ('Iris Bell from Southdown Avenue', 'Jo Hill, 19, of Oak Lane')."""
    found = _home_street().match(text, name.end, sentence_end)
    return found.group(1) if found else None


# A person's age: '34-year-old', 'aged 82', 'the 13yo', '(16)', 'in her 80s'.
_AGE = re.compile(r"\b\d{1,3}\s?-?\s?(?:years?|yrs?)[- ]old\b|\b\d{1,2}\s?yo\b|\baged\s+\d{1,3}\b|\(\d{1,2}\)"
                  r"|\bin\s+(?:her|his|their)\s+(?:early\s+|mid\s*-?\s*|late\s+)?\d0'?s\b"
                  r"|\b(?:man|woman|male|female|lad|boy|girl|teenager|pensioner|driver|mum|dad|resident),\s*\d{1,3}\s*,", re.I)
# A school named as where someone is from: a child's school identifies them as surely as a street.
_FROM_SCHOOL = re.compile(r"\b(?:from|at|of|goes\s+to)\s+((?:[A-Z][\w'’-]*\s+){1,3}(?:School|Academy|Primary|College"
                          r"|High|Grammar)\b)")


# A numbered home on a park or a mooring: 'the owner of van 7', 'pitch 12', 'plot 4' (an age beside it picks out one person).
_NUMBERED_PITCH = re.compile(r"\b(?:of|in|on|at|from)\s+((?:(?:static\s+)?caravan|van|pitch|plot|chalet|lodge|berth|mooring|boat)\s+(?:no\.?\s*)?\d{1,3})\b",
                             re.I)


@functools.cache
def _lives_on_street() -> re.Pattern[str]:
    types = _home_street().pattern.rsplit("(?i:", 1)[1].split(")", 1)[0]
    return re.compile(rf"\b(?:from|of|lives\s+(?:on|in|at)|living\s+(?:on|in|at)|(?:a|the)\s+(?:house|home|flat|property)\s+(?:on|in)|(?:her|his|their)\s+(?:home|house|flat|address)\s+(?:on|in)|(?:works?|lives?|living)\s+(?:at|in)\s+(?:the\s+|a\s+)?(?:[\w'’-]+\s+){{0,3}}?(?:on|in))\s+((?:[A-Z][\w'’-]*\s+){{1,3}}(?i:{types}))\b")


def age_with_street(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """An age and the street someone lives on, in one sentence ('a 34-year-old man from Hollins Way', 'a woman in
    her 70s ... outside her home on Lowther Street')."""
    for age in _AGE.finditer(text):
        s_start, s_end = sentence_at(text, age.start())
        street = (_lives_on_street().search(text, s_start, s_end) or _FROM_SCHOOL.search(text, s_start, s_end)
                  or _NUMBERED_PITCH.search(text, s_start, s_end))
        if street is not None:
            yield Match(min(age.start(), street.start(1)), max(age.end(), street.end(1)),
                        f"an age ({age.group().strip('()')}) with the street “{street.group(1)}”")
            return


# A sentence that blames the named person: 'we reckon Dean Mosley did the windows', 'it's kelly stott nicking …'.
_BLAME_BEFORE = re.compile(r"\b(?:think|reckon|know|knows|sure|bet|suspect|it\s+was|it's|its|it\s+is)\s+(?:that\s+)?$",
                           re.I)
_BLAME_AFTER = re.compile(rf"\s+(?:(?:who|that)\s+)?(?:{BLAME_VERBS}|(?:is|was)\s+(?:the\s+one|behind))\b")


def _blamed(text: str, name: Name) -> bool:
    if _ACCUSED_AS.match(text, name.end):
        return True
    return (_BLAME_BEFORE.search(text[max(0, name.start - 20):name.start]) is not None
            and _BLAME_AFTER.match(text, name.end) is not None)


# Said of the named person, after at most a few words of where they are from: 'Mark Jones from the garage is a
# paedophile', 'Kelly on the estate sells weed', 'Mason is always the one throwing eggs', 'Sue's husband hits her'.
_ACCUSED_AS = re.compile(
    r"(?:['’]s\s+(?:husband|wife|partner|boyfriend|girlfriend|son|lad|ex|brother|dad))?(?:\s+(?:from|on|at|in|off)\s+(?:the\s+)?"
    r"(?:[\w'’-]+\s+){0,2}[\w'’-]+)?,?\s+"
    r"(?:(?:is|was|['’]s)\s+(?:(?:a|an|such\s+a|a\s+known|always|usually|defo|definitely|the)\s+){0,2}"
    r"(?:thief|dealer|drug\s+dealer|paedo\w*|pedo\w*|nonce|druggie|junkie|grass|burglar|rapist|abuser|stalker|scammer"
    r"|fraudster|wife\s+beater|pervert|perv|criminal|crook|one\s+(?:throwing|nicking|doing|dealing|selling|breaking|setting))"
    r"|(?:sells?|selling|deals?|dealing|pushing|supplying)\s+(?:weed|drugs|coke|cocaine|gear|pills|crack|heroin|smack|spice|ket)"
    r"|(?:hits?|hitting|beats?|beating|batters?|battering)\s+(?:her|him|them|the\s+kids))\b", re.I)


# A named person's home or property: 'the Hendersons' house', 'Barry's van', 'the Kowalski family's car'.
_PROPERTY_AFTER = re.compile(r"(?:\s+family)?['’]s?\s+(?:[a-z]+\s+)?(house|home|flat|farm|farmhouse|yard|shed|garage|garden|car|van"
                             r"|cottage|caravan|bungalow|drive|driveway|place|front\s+door|back\s+door)\b")
# What places a household: their street or end of the road, their home, or that they are away.
_FAMILY_CONTEXT = re.compile(r"\b(?:at\s+the\s+(?:end|top|bottom)\s+of|on|at|in)\s+(?:[A-Z][\w'’-]*\s+)+(?:Lane|Road|Street|Close"
                             r"|Avenue|Drive|Way|Farm|Terrace|Crescent|Grove|Row)\b|\b(?:away|abroad|on\s+holiday|their\s+(?:house"
                             r"|home|shed|garage|car|van|farm))\b(?!\s+(?:match|game|ground|fixture|crowd|fans|town|turf))|\bin\s+[A-Z][a-z]+\s+(?:till|until|for)\b")


# Someone named as away, with their home: 'Barry is away till Monday so the house is empty'.
# A child named with their school or school year: 'Josh Malik, Year 9 at St Bede's', 'Keisha, 15, goes to St Anne's'.
_SCHOOL = re.compile(r"[^.!?]{0,40}?(?:\b(?:Year|Yr|Y)\s?\d{1,2}\b|\b(?:goes\s+to|pupil\s+at|student\s+at|at)\s+"
                     r"(?:St\.?\s+[A-Z][\w'’]+|[A-Z][\w'’]+(?:\s+[A-Z][\w'’]+)?\s+(?:School|Academy|Primary|High|College|Grammar)\b))")
# 'Mrs Green, the head teacher at Western Road Primary': a member of staff, named in their role.
_STAFF = re.compile(r"\b(?:head|headteacher|teacher|caretaker|governor|principal|staff|chair|secretary|manager|bursar|nurse"
                    r"|coach|teaching|works|worked|volunteers?|lollipop|dinner|cook|head\s+of)\b", re.I)
# A person named with a house by its name: 'Karen from Wisteria House', 'Mrs Hodges at the Old Forge', 'Jake from
# Burton Hall'. A public hall or a pub is not a home.
_HOUSE_NAME = re.compile(r"\s+(?:from|at|of|in)\s+(?:the\s+)?(?:[A-Z][\w'’-]+\s+){1,2}?(?:House|Cottage|Cottages|Farm|Lodge"
                         r"|Barn|Forge|Mill|Hall|Grange|Manor|Villa|Bungalow|Farmhouse|Rectory|Vicarage|Croft|Old\s+Forge)\b"
                         r"|\s+(?:from|at|of|in)\s+the\s+Old\s+[A-Z][a-z]+\b")
_NOT_HOME = re.compile(r"\b(?:Village|Town|Church|Community|Parish|Memorial|Scout|Sports|City|County|Guild|Market|Miners"
                       r"|Civic|Public|Leisure|Music|Concert|Masonic|Drill|Jubilee|Victoria)\s+Hall\b|\bOld\s+(?:Bailey|Bell"
                       r"|Swan|Crown|Bull|Red|Vic|Trafford)\b")
_AWAY = re.compile(r"\b(?:away|abroad|on\s+holiday|in\s+hospital)\b", re.I)
_HOME_LEFT = re.compile(r"\b(?:house|home|flat|farm|farmhouse|bungalow|cottage|place|empty)\b", re.I)


def _is_family(text: str, name: Name) -> bool:
    """'the Wilsons', 'the Kowalski family': a household named by its surname."""
    return (re.search(r"\b[Tt]he\s+$", text[max(0, name.start - 4):name.start]) is not None
            and (name.text.endswith("s") or text.startswith(" family", name.end)))


# The sentence after a name, taken up by a pronoun with what happened to them: 'Do you know Kelsey Broome? She was
# last seen at the bus station.' Only the strong words: being missing, hurt, attacked or held.
_PRONOUN_NEXT = re.compile(r"\s*(?:She|He)(?:['’]s|\s+(?:is|was|has|had|went|got|were))\b")
_STRONG_CUES = re.compile(r"\b(?:missing|last\s+seen|victim|attacked|assaulted|robbed|mugged|stabbed|injured|in\s+hospital"
                          r"|bailed|arrested|charged|in\s+custody|sectioned|hasn['’]t\s+been\s+home|not\s+been\s+home)\b", re.I)


def _told_next(text: str, sentence_end: int) -> re.Match[str] | None:
    if not _PRONOUN_NEXT.match(text, sentence_end):
        return None
    n_start, n_end = sentence_at(text, len(text) - len(text[sentence_end:].lstrip()))
    return _STRONG_CUES.search(text, n_start, n_end)


def named_person(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """A named person beside a victim, witness or missing-person word, beside an address, or blamed for something."""
    people = names(text)
    if not people:
        return
    places = [(start, end) for start, end, venue in addresses(text) if not venue]
    cues = table_regex("victim_witness_cues")
    for name in people:
        s_start, s_end = sentence_at(text, name.start)
        place = next((p for p in places if s_start <= p[0] < s_end), None)
        if place is not None:
            yield Match(name.start, name.end, f"the name “{name.text}” beside an address")
            continue
        street = _street_beside(text, name, s_end)
        if street is not None:
            yield Match(name.start, name.end, f"the name “{name.text}” with the street “{street}”")
            continue
        family = _is_family(text, name)
        owned = _PROPERTY_AFTER.match(text, name.end) if family else None
        if owned is not None:
            yield Match(name.start, name.end, f"the household “{name.text}” with their {owned.group(1)}")
            continue
        if family and _FAMILY_CONTEXT.search(text, s_start, s_end):
            yield Match(name.start, name.end, f"the household “{name.text}” with where they live or are")
            continue
        sentence = text[s_start:s_end]
        school = _SCHOOL.match(text, name.end, min(s_end, name.end + 60))
        if school is not None and not _STAFF.search(school.group()):
            yield Match(name.start, name.end, f"the name “{name.text}” with a school (“{school.group().strip()}”)")
            continue
        home = _HOUSE_NAME.match(text, name.end)
        if home is not None and not _NOT_HOME.search(home.group()):
            yield Match(name.start, name.end, f"the name “{name.text}” with a house (“{home.group().strip()}”)")
            continue
        if _AWAY.search(sentence) and _HOME_LEFT.search(sentence):
            yield Match(name.start, name.end, f"the name “{name.text}” with a home they are away from")
            continue
        # A surname in the plural may be a team or a club ("the Lions"): only its home, street or absence count.
        hit = None if family else _same_sentence_hits(text, name, cues) or _told_next(text, s_end)
        if hit is not None:
            yield Match(name.start, name.end, f"the name “{name.text}” beside “{hit.group()}”")
        elif _blamed(text, name):
            yield Match(name.start, name.end, f"the name “{name.text}” blamed for something")


DETECTORS: dict[str, tuple[Detector, bool]] = {
    "name_near": (name_near, True),
    "age_with_name": (age_with_name, False),
    "named_person": (named_person, False),
    "age_with_street": (age_with_street, False),
}

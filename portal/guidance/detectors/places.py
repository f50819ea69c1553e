"""Postal addresses: a home (house number and street, a flat) or a public venue's, told apart by the sentence."""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from portal.guidance.detectors.base import Detector, Match, has, lexicon, sentence_at, table_regex

_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}"
_NUMBER = r"(?:(?:no\.?|number|num)\s*)?\d{1,4}[a-zA-Z]?(?:\s*(?:[-–&]|and)\s*\d{1,4}[a-zA-Z]?)?"
# Typed in lower case ('number 2 oak terrace', '4 the crescent'): only street words that are rarely anything else.
_LOWER_TYPES = r"road|rd|street|lane|avenue|ave|crescent|cres|drive|terrace|grove|gardens|gdns|close|cl|mews|view|rise|row|walk|way"
_UNITS = r"(?:minutes?|mins?|metres?|meters?|miles?|yards?|feet|foot|steps|seconds?|points?|hours?|days?|weeks?|years?)"
_LOWER_STREET = (rf"\b(?:(?:no\.?|number)\s*)?\d{{1,4}}[a-z]?\s+(?!{_UNITS}\b)(?:the\s+(?:[a-z'-]+\s+){{0,2}}"
                 rf"|(?:[a-z][a-z'-]+\s+){{1,2}})(?:{_LOWER_TYPES})\b"
                 # '4 broken street lights', '2 new road signs': things in the street, not a home
                 rf"(?!\s+(?:lights?|lamps?|furniture|signs?|works|cleaning|parties|party|food|drinkers|names|markings))")
_NAME_WORD = r"(?:The|[A-Z][\w'’-]*\.?)"
# Welsh and Gaelic street words come first: '12 Heol Las', '3 Ffordd y Parc', '5 Stryd Fawr', '7 Lon Isaf'.
_TYPE_FIRST = r"\b\d{1,4}[a-zA-Z]?,?\s+(?:Heol|Ffordd|Stryd|Lôn|Lon|Rhodfa|Cilgant|Maes|Sràid)\s+(?:(?:y|yr|an|na)\s+)?[A-Z][\w'’-]+"
# A street known by its type alone: '12 Esplanade', '4 The Crescent', '3 Broadway'; common words only after 'The'
# ('9 The Green', not '10 Drive safely').
_TYPE_ONLY = (r"\b\d{1,4}[a-zA-Z]?,?\s+(?:(?:The\s+)?(?:Esplanade|Broadway|Promenade|Strand|Crescent|Quay|Terrace|Circus"
              r"|Boulevard|Causeway|Embankment|Mews)|The\s+(?:Green|Square|Parade|Drive|Avenue|Close|Grove|Rise|Row|Walk|Mall))"
              r"\b(?!\s+[A-Z])")
_PLACE_AFTER = rf"(?:,?\s+(?:[A-Z][a-z]+,?\s+)?{_POSTCODE}\b)?"
_FLAT = (r"\b(?i:flat|apartment|apt|maisonette)\s+\d{1,4}[a-zA-Z]?\b"
         rf"(?:,?\s+(?:\d{{1,4}}[a-zA-Z]?\s+)?(?:{_NAME_WORD}\s*){{1,4}})?")
# 'at number 9', 'house no. 17', 'lives at number nine', 'it was number 47 that got done'
# (not a range: 'from number 200 to the roundabout').
_AT_NUMBER = (r"\b(?:(?:at|of|from|on|lives|living)\s+(?:no\.?|number|num)|house\s+(?:no\.?|number))\s*"
              r"(?:\d{1,4}[a-zA-Z]?\b|(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b)"
              r"(?!\s*(?:(?:to|till|until)\s|[-–]\s*\d))"
              r"|\b(?:it\s+was|it['’]s|its|it\s+is)\s+(?:no\.?|number)\s*\d{1,4}[a-zA-Z]?\b(?=\s*(?:that|who|where|which|,|\.|!|$))")
# Someone at a bare house number, said of them: 'the couple at 14 were burgled', 'the lad at 31, he's always ...'
# (not a time: 'the kids at 10 went home' goes on with a verb the list does not hold).
_PERSON_AT = (r"\b(?i:couple|family|lady|man|woman|lad|lass|bloke|fella|guy|people|kids?|girl|boy|folks?|neighbours?|house"
              r"|tenants?|lot|old\s+(?:boy|girl|man|lady|couple|fella))\s+(?i:at|in|from)\s+(?:no\.?\s*)?\d{1,3}[a-zA-Z]?\b"
              r"(?=\s*(?:,|\.|!|\?|$|['’]s\b|(?i:were|was|is|are|has|have|had|got|who|with|says|said|saw|called|reported|keeps?"
              r"|next|across|opposite)\b))"
              r"|\b(?i:he|she)(?:['’]s|\s+is|\s+lives)\s+(?:(?i:now)\s+)?(?i:at)\s+(?:(?i:no\.?|number)\s*)?"
              r"\d{1,3}[a-zA-Z]?\b(?!\s*(?i:am|pm|o['’]?clock|today|tonight|tomorrow|this|a\b|-|:|\.\d|mins?|minutes|hours?|%))")
# A home told by what is around it: 'she lives above the bakery on King St', 'they live in the blue house opposite
# the school'.
_LIVES_DESCRIBED = (r"\b(?<!\bwe\s)(?i:lives?|living|stays?|staying)\s+(?:(?i:above|over|behind|next\s+door\s+to|next\s+to"
                    r"|opposite)\s+(?!(?i:the\s+(?:road|way|street|corner|lane)\b))(?=(?i:the|a|an|number|no\.?)\s|\d|[A-Z])|(?i:in\s+the\s+(?:[\w'-]+\s+){0,2}(?:house|flat|bungalow|cottage|caravan|maisonette)\b))"
                    r"(?:\s+(?:the\s+)?(?:[\w'’-]+\s+){0,3}?(?i:on|in|at)\s+(?:[A-Z][\w'’-]*\s+){1,3}(?i:street|st|road|rd|lane"
                    r"|avenue|ave|close|drive|way|terrace))?"
                    r"|\b(?i:lives?|living)\s+(?i:in\s+the\s+flats)\s+(?i:above|over|behind|next\s+to|opposite|on)\s+(?:the\s+)?[\w'’-]+")
# One home told by what stands beside it and the named street or place it is in: 'the flat above the chip shop on
# Market Row', 'the bungalow on the corner of Birch Grove' (not 'the flat above the barbers', which names no place).
_DWELLING_DESCRIBED = (r"\b(?i:the)\s+(?i:flat|house|bungalow|cottage|maisonette|(?:static\s+)?caravan|static|chalet|mobile\s+home"
                       r"|farmhouse)\s+(?:(?i:on\s+the\s+corner\s+of"
                       r"|at\s+the\s+(?:end|top|bottom)\s+of)\s+(?:[A-Z][\w'’-]*\s+){0,2}[A-Z][\w'’-]+"
                       r"|(?i:above|over|behind|next\s+(?:door\s+)?to|opposite)\s+(?:(?i:the)\s+)?(?:[\w'’-]+\s+){0,2}?[\w'’-]+"
                       r"\s+(?i:on|in)\s+(?:[A-Z][\w'’-]*\s+){0,2}[A-Z][\w'’-]+)")
_NUMBER_THE_NAME = (r"(?P<named>(?:(?<=\bat\s)|(?<=\bto\s)|(?<=\bof\s)|(?<=\bnear\s)|(?<=\blives\s))\d{1,4}[a-zA-Z]?,?\s+(?:the|The)\s+"
                    r"[A-Za-z][a-z'’]+s\b(?=\s*(?:[,.;!?)]|$|\s+[-–]\s)))")
# A house known by its name, not its number, after 'at', 'to', 'of', 'near' or 'lives': 'at Rose Cottage', 'lives at
# The Old Rectory', 'to Hill Farm'. Counted, like a bare house name, only when the sentence is about someone's home.
_HOUSE_NAME = (r"(?P<house>(?:(?<=\bat\s)|(?<=\bto\s)|(?<=\bof\s)|(?<=\bnear\s)|(?<=\blives\s)|(?<=\binto\s))(?:The\s+)?(?:[A-Z][a-z'’]+\s+){1,2}"
               r"(?:Cottage|Farm|Farmhouse|Barn|Lodge|Rectory|Vicarage|Manse|Bungalow|Villa|Mill|Oast|Stables|Coach\s+House"
               r"|Farm\s+Cottages?)\b)")
_OLD_HOUSE_AND_POSTCODE = re.compile(
    r"\b\d{1,4}[A-Za-z]?,?\s+(?:[A-Z][\w'-]*\s+){1,4}(?:[\w\s,'-]{0,40}?)\b" + _POSTCODE + r"\b", re.I
)


@functools.cache
def _address_regex() -> re.Pattern[str]:
    types = "|".join(sorted((re.escape(t) for t in set(lexicon()["street_types"])), key=len, reverse=True))
    street = rf"\b{_NUMBER},?\s+(?:{_NAME_WORD}\s+){{1,3}}(?i:{types})\b\.?"
    # The street first and its number after: 'on Cotton Street, no. 48', 'Fore Street, number 3b'.
    number_after = rf"\b(?:{_NAME_WORD}\s+){{1,3}}(?i:{types}),?\s+(?i:no\.?|number)\s*\d{{1,4}}[a-zA-Z]?\b"
    return re.compile(rf"(?:{street}{_PLACE_AFTER}|{number_after}|{_FLAT}|{_TYPE_FIRST}|{_TYPE_ONLY}|{_AT_NUMBER}|{_LOWER_STREET}|{_NUMBER_THE_NAME}|{_HOUSE_NAME}|{_PERSON_AT}|{_LIVES_DESCRIBED}|{_DWELLING_DESCRIBED})")


# Round 10: 'family' before an event's word is the event's audience, not a household ('a family safety day at the hall').
_HOME_STRONG = re.compile(r"\b(?:lives?|living|lived|home|address|victim|victim's|neighbour|burgl\w*|break-in|broken\s+into"
                          r"|family(?!\s+(?:safety|fun|day|days|event|events|friendly|activities|activity|festival|picnic|disco"
                          r"|show|session|sessions|support|services?|centre|hub|liaison|learning|swim|walk|quiz|games?)\b))\b",
                          re.I)


@functools.cache
def _VENUE_JUST_BEFORE() -> re.Pattern[str]:  # noqa: N802 - a compiled pattern, read once
    venues = table_regex("venue_words").pattern
    # The venue word may come before the rest of its name: 'Meeting House', 'Church of St Anne'.
    return re.compile(rf"(?:{venues}|(?-i:\bSt\.?\s+[A-Z][a-z]+['’]s))(?:['’]s)?(?-i:(?:\s+(?:of\s+)?[A-Z][\w'’-]*){{0,2}})\s*(?:,|\bat|\bon|\(|-|–)\s*$", re.I)


@functools.cache
def _VENUE_JUST_AFTER() -> re.Pattern[str]:  # noqa: N802 - a compiled pattern, read once
    venues = table_regex("venue_words").pattern
    return re.compile(rf"\s*(?:\(\s*(?:the\s+|our\s+)?|(?:,|[-–])\s*(?:the|our)\s+)(?!(?:above|over|behind|by|near|next|opposite|beside|flat)\b)"
                      rf"(?:[\w'’-]+\s+){{0,2}}?{venues}", re.I)


# Round 10: a place named with 'the' and capitals just before its address is a body's or a business's, whatever its
# kind ('at the Chamber of Commerce, 9 King Street', 'to the Red Lion, 4 Bridge Street'); a home is not 'the …'.
_NAMED_PLACE_JUST_BEFORE = re.compile(r"\b(?:at|to|in|from|outside|behind|opposite)\s+the\s+(?:[A-Z][\w'’&.-]*\s+(?:(?:of|and|&|for|the|on)\s+)*)"
                                      r"{0,4}[A-Z][\w'’&.-]*\s*,\s*$")


def _is_venue(text: str, start: int, end: int) -> bool:
    """Whether the sentence around an address is about a public venue and not about anyone's home."""
    s_start, s_end = sentence_at(text, start)
    if (_VENUE_JUST_BEFORE().search(text[max(s_start, start - 40):start])
            and not _HOME_STRONG.search(text[s_start:s_end])):
        return True  # 'the Methodist Hall, 31 Bridge Street': the address is the hall's, whoever meets there
    if (_NAMED_PLACE_JUST_BEFORE.search(text, max(s_start, start - 80), start)
            and not _HOME_STRONG.search(text[s_start:s_end])):
        return True
    if _VENUE_JUST_AFTER().match(text, end) and not _HOME_STRONG.search(text[s_start:s_end]):
        return True  # '2 High Street (the pharmacy)', '14 Church Street, the old library': the venue named after
    organisations = table_regex("organisation_names")
    # 'Victim Support's office is at …': an organisation's name is not a word about someone's home.
    around = organisations.sub(" ", text[s_start:start] + " " + text[end:s_end])
    if has("home_words", around):
        return False
    before, numbers = text[s_start:start], text[start:end]
    return (has("venue_words", before) or organisations.search(before) is not None
            or re.match(r"\d+\s*[-–]\s*\d+", numbers) is not None)


def addresses(text: str) -> Iterator[tuple[int, int, bool]]:
    """Yield (start, end, is_venue) for each postal address in the text."""
    yield from _addresses(text)


@functools.lru_cache(maxsize=32)
def _addresses(text: str) -> tuple[tuple[int, int, bool], ...]:
    """The addresses of one text, found once: three detectors ask for them."""
    return tuple(_find_addresses(text))


def _find_addresses(text: str) -> Iterator[tuple[int, int, bool]]:
    covered = -1
    for found in _address_regex().finditer(text):
        start, end = found.start(), found.end()
        while end > start and text[end - 1] in " ,.":
            end -= 1
        if start < covered:
            continue
        if (found.group("named") or found.group("house")) and not has("home_words", text[slice(*sentence_at(text, start))]):
            continue  # 'up to 5 the stalls': only a house name when the sentence is about someone's home
        covered = end
        yield start, end, _is_venue(text, start, end)


def home_address(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """A house number and street, or a flat, that is not given as a public venue."""
    for start, end, venue in addresses(text):
        if not venue:
            yield Match(start, end, "a house number and street, or a flat, that could be someone's home")


def venue_address(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """A street address given for a public venue (a library, a hall, a shop)."""
    for start, end, venue in addresses(text):
        if venue:
            yield Match(start, end, "a street address given for a public place")


def house_and_postcode(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """The first detector's rule, kept for rules stored under its name: a house number with a full postcode."""
    for found in _OLD_HOUSE_AND_POSTCODE.finditer(text):
        yield Match(found.start(), found.end())


DETECTORS: dict[str, tuple[Detector, bool]] = {
    "uk_address": (home_address, False),
    "venue_address": (venue_address, False),
    "house_and_postcode": (house_and_postcode, False),
}

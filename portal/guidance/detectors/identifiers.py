"""Identifiers that point at one person: phone numbers, e-mail, postcodes, vehicles, NI and NHS numbers, birth dates.

Microsoft Presidio has pattern recognisers for some of these (NHS and NI numbers among
them), but it loads spaCy and a language model to run at all; these few patterns are
written here instead, tested with near misses, and cost well under a millisecond.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from portal.guidance.detectors.base import Detector, Match, has, lexicon, sentence_at, sentence_spans, table_regex

# A UK number: +44 or 0, then 9-10 digits in any grouping of spaces, dots or dashes.
_PHONE = re.compile(r"(?<![\w+])(?:\+\s?44\s?(?:\(0\)\s?)?|\(?0)\d(?:\)?[\s.-]?\d){8,10}(?![\w])")
# Numbers for organisations rather than people: freephone, non-geographic, national-rate.
_ORGANISATION_PREFIX = re.compile(r"^(?:80[08]|3\d\d|84[45]|87[01]|116|111)")
_EMAIL = re.compile(r"\b[\w.+-]{1,64}@([\w-]+(?:\.[\w-]+)+)\b")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b", re.I)
_VEHICLE = re.compile(r"\b(?:[A-Z]{2}\d{2}\s?[A-Z]{3}|[A-Z]\d{1,3}\s?[A-Z]{3}|[A-Z]{3}\s?\d{1,3}[A-Z])\b")
_VEHICLE_ANY_CASE = re.compile(_VEHICLE.pattern, re.I)
_VEHICLE_CUE = re.compile(r"\b(?:reg(?:istration)?(?:\s+(?:no|number|mark))?|plates?|number\s+plate|index)\.?\s*"
                          r"(?::|=|-|is|was|of|reads|says|ending)?\s*$", re.I)
# Half a mark remembered ('reg was something like YD68', 'plate started KP19'): the age identifier is the start
# of the current format; only read as a mark when the sentence has just spoken of a registration or plate.
_PARTIAL_VEHICLE = re.compile(r"\b[A-Z]{2}\d{2}\b")
_PARTIAL_CUE = re.compile(r"\b(?:reg(?:istration)?|plates?|number\s+plate)\b[^.!?\n]{0,30}$", re.I)
# 'reg ends in ZRK', 'plate ending KWP': the last three letters, in capitals, said to end a mark.
_LAST_LETTERS = re.compile(r"\b[A-Z]{3}\b")
_ENDS_IN = re.compile(r"\b(?:ends?|ending|finish(?:es|ing)?|last\s+(?:three|3)(?:\s+letters)?)\s*(?:in|with|is|was|were|:)?\s*$",
                      re.I)
# A mark written with spaces between its characters ('G K 6 8  V X N', 'KX 19 TRE') or with a zero for an O among
# its last letters ('WK 66 0HJ'): the current format only, in capitals, the last three holding a letter.
_S = r"[ ]{0,2}"
_VEHICLE_SPACED = re.compile(rf"\b[A-Z]{_S}[A-Z]{_S}\d{_S}\d{_S}[A-Z0]{_S}[A-Z0]{_S}[A-Z0]\b")
# 'ON 14 MAR', 'AT 10 AND': a date or words in capitals, not a mark's last letters.
_NOT_MARK_ENDINGS = frozenset({"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", "AND",
                               "THE", "FOR", "AGE", "YRS", "MPH", "PM", "AM"})
_IN_AREA = re.compile(r"\b(?:in|around|across|near|the)\s+$", re.I)  # 'plates stolen in LS12': a postcode district
# NI numbers: two prefix letters (never D, F, I, Q, U, V; O not second), six digits, A-D.
_NINO = re.compile(
    r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.I
)
_NINO_CUE = re.compile(r"\b(?:NI|N\.I\.|NINO|national\s+insurance)\b", re.I)
# Any two letters, six digits and a letter A-D: a number given as someone's NI number is theirs to keep private
# even when its prefix is one HMRC never issues (a typo, or the 'QQ' of a form's example).
_NINO_SHAPE = re.compile(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.I)
_NHS = re.compile(r"(?<![\d\w])([1-9]\d{2})([\s-]?)(\d{3})\2(\d{4})(?![\d\w])")
_NHS_CUE = re.compile(r"\bNHS\b", re.I)
# 'NHS no. 485 777 3456', 'nhs number: 4857773456': given as one, it is one, even if mistyped (the check digit fails).
# Round 10: 'NHS number for my mum is 485 777 3456': whose number it is may stand between.
_NHS_GIVEN = re.compile(r"\bNHS\s*(?:no\.?|number|num|#)(?:\s+(?:for|of)\s+(?:[\w'’]+\s+){1,3}?)?\s*(?:is|was|:|-)?\s*$", re.I)
_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
           r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
# The forms a birth date is written in: 1/6/79, 01.06.1979, 1979-06-01, 1st June 1979, 1 Jun '79, June 1st 1979,
# and, after a DoB cue only, six or eight bare digits (010679, 01061979).
_YEAR = r"(?:(?:19|20)\d{2}|['’]\d{2}|\d{2}(?!\d))"
# A day written in words: 'the twenty-first of May 1970', 'third of June 85'.
_DAY_WORD = (r"(?:(?:twenty|thirty)[\s-]?)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
             r"|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth"
             r"|twentieth|thirtieth")
_DATE = (rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:19|20)?\d{{2}}"
         rf"|(?:{_DAY_WORD})\s+(?:of\s+)?{_MONTHS}\.?,?\s+{_YEAR}"
         rf"|(?:19|20)\d{{2}}-\d{{1,2}}-\d{{1,2}}\b"
         rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\.?,?\s+{_YEAR}"
         rf"|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR}"
         rf"|\d{{6}}(?:\d{{2}})?\b)")
# The cue, then a few words of filler before the date: 'DoB (e.g. 1 June 1979)', 'date of birth is the 8th of …'.
_DOB_FILLER = r"(?:(?:is|was|=|:|-|–|\(|please|pls|plz|e\.?g\.?|eg|for\s+example|for\s+instance|such\s+as|the|of|as|on|given\s+as|for\s+(?:him|her|the\s+\w+))[\s,:]*){0,4}"
_DOB = re.compile(rf"\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s?date|born(?:\s+on)?|birthday)(?:['’]s)?\s*:?\s*{_DOB_FILLER}"
                  rf"(?:the\s+)?{_DATE}", re.I)


def _national(number: str) -> str:
    """The digits after +44 or the leading 0: '+44 (0)1273 456789' and '01273 456789' give '1273456789'."""
    digits = re.sub(r"\D", "", number)
    if number.lstrip().startswith("+"):
        digits = digits[2:]
    return digits[1:] if digits.startswith("0") else digits


def _phone_is_official(text: str, found: re.Match[str]) -> bool:
    if _ORGANISATION_PREFIX.match(_national(found.group())):
        return True
    start, _ = sentence_at(text, found.start())
    before = text[max(start, found.start() - 80):found.start()]
    after = text[found.end():found.end() + 30].split(".")[0]
    personal, official = _last(table_regex("personal_phone_words"), before), _last(table_regex("official_phone_words"), before)
    if personal is not None or official is not None:
        # The nearer word says whose number it is: 'ring the council's team on …' is the council's.
        # Round 10: at a tie an official phrase holds the personal word ('the police text number').
        return official is not None and (personal is None or official.end() >= personal.end())
    if has("personal_phone_words", after):
        return False
    return has("official_phone_words", after)


def _last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    found = None
    for found in pattern.finditer(text):  # noqa: B007 - keep the last one
        pass
    return found


def _phones(text: str) -> Iterator[tuple[re.Match[str], bool]]:
    for found in _PHONE.finditer(text):
        if 9 <= len(_national(found.group())) <= 10:
            yield found, _phone_is_official(text, found)


def personal_phone(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """Phone numbers that are not plainly an organisation's."""
    for found, official in _phones(text):
        if not official:
            yield Match(found.start(), found.end(), "a phone number, not shown to be an organisation's")


def official_phone(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """Phone numbers given as a police station's, council's or charity's."""
    for found, official in _phones(text):
        if official:
            yield Match(found.start(), found.end(), "an organisation's phone number")


# A domain part that names a public body, wherever it stands: 'team@northyorks.police.uk', '@police.example.uk'.
_OFFICIAL_LABELS = frozenset({"police", "nhs", "gov", "council", "parliament", "fire"})


def personal_email(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """E-mail addresses outside official domains (police, councils, the NHS, schools)."""
    official = tuple(lexicon()["official_email_domains"])
    for found in _EMAIL.finditer(text):
        domain = found.group(1).lower()
        labels = set(domain.split(".")[:-1])
        if labels & _OFFICIAL_LABELS:
            continue  # 'north.police.example.uk', 'leeds.gov.example': a police, council or NHS address
        if not any(domain == name or domain.endswith("." + name) for name in official):
            yield Match(found.start(), found.end(), f"an e-mail address at {domain}")


def full_postcode(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    for found in _POSTCODE.finditer(text):
        if any(ch.isupper() for ch in found.group()):
            yield Match(found.start(), found.end())


# 'she's in CF24 3BX', 'they live at …': a person placed at a postcode.
_LIVES_IN = re.compile(r"\b(?:she|he|they|who|family|nan|mum|dad)\s*(?:'s|’s|'re|’re|is|are|lives?|living|moved)"
                       r"\s+(?:(?:now|still|just)\s+)?(?:in|at|to)\s+$", re.I)


# Police called to a home: 'a domestic incident at a property on Cromwell Terrace, HU3 2PL'.
_INCIDENT_AT_HOME = re.compile(r"\b(?:domestic|(?:a|the)\s+property|(?:a|the)\s+dwelling)\b", re.I)


def postcode_at_home(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """A full postcode in a sentence about someone's home, not a public venue."""
    for found in full_postcode(text, "", context):
        # The whole sentence, dashes and all: 'Postcode BD7 1DP - a resident there had her bag taken'.
        start, end = next(((a, b) for a, b in sentence_spans(text, clauses=False) if a <= found.start < b),
                          (0, len(text)))
        sentence = text[start:end]
        if _LIVES_IN.search(text[max(start, found.start - 30):found.start]) or (
                (has("home_words", sentence) or _INCIDENT_AT_HOME.search(sentence)) and not has("venue_words", sentence)):
            yield Match(found.start, found.end, "a full postcode next to words about someone's home")


def vehicle_registration(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """Registration marks in capitals, or in any case straight after 'reg' or 'plate'."""
    seen = set()
    for found in _VEHICLE_ANY_CASE.finditer(text):
        mark = found.group()
        upper = _VEHICLE.fullmatch(mark) is not None
        cued = _VEHICLE_CUE.search(text[max(0, found.start() - 25):found.start()]) is not None
        if any(ch.isdigit() for ch in mark) and (upper or cued) and found.start() not in seen:
            seen.add(found.start())
            yield Match(found.start(), found.end(), "a vehicle registration mark")
    for found in _VEHICLE_SPACED.finditer(text):
        last = found.group().replace(" ", "")[-3:]
        if found.start() not in seen and re.search(r"[A-Z]", last) and last not in _NOT_MARK_ENDINGS and (
                _SOLID_GROUPS.fullmatch(found.group()) or _about_a_vehicle(text, found.start())):
            seen.add(found.start())
            yield Match(found.start(), found.end(), "a vehicle registration mark")
    for found in _PARTIAL_VEHICLE.finditer(text):
        before = text[max(0, found.start() - 40):found.start()]
        if found.start() not in seen and _PARTIAL_CUE.search(before) and not _IN_AREA.search(before):
            seen.add(found.start())
            yield Match(found.start(), found.end(), "part of a vehicle registration mark")
    for found in _LAST_LETTERS.finditer(text):
        before = text[max(0, found.start() - 40):found.start()]
        if found.start() not in seen and _PARTIAL_CUE.search(before) and _ENDS_IN.search(before):
            seen.add(found.start())
            yield Match(found.start(), found.end(), "the last letters of a vehicle registration mark")


# A spaced mark whose letters are spread out too ('G K 6 8  V X N', 'YF 17 L X O') could be other capitals in a
# shouted notice ('OPEN ON 12 D E C'): it counts only in a sentence about a vehicle (a make or model, a vehicle word,
# 'reg', 'plate' or 'index'). Its groups written solid ('KX 19 TRE', 'WK 66 0HJ') need no such sentence.
_SOLID_GROUPS = re.compile(r"[A-Z]{2} {0,2}\d{2} {0,2}[A-Z0]{3}")
_VEHICLE_WORDS = re.compile(
    r"\b(?:reg(?:istration)?|plates?|index|vehicles?|cars?|vans?|lorry|lorries|truck|pick-?up|motorbikes?|moped|scooter"
    r"|keeper|driver|driven|driving|parked|mph|hatchback|saloon|estate|4x4|suv|transit|berlingo|sprinter|ford|vauxhall"
    r"|bmw|audi|volvo|honda|toyota|nissan|golf|corsa|fiesta|focus|astra|merc(?:edes)?|kia|hyundai|peugeot|renault"
    r"|citroen|citroën|skoda|seat|range\s+rover|land\s+rover|mini|fiat|volkswagen|vw|tesla|mazda|suzuki|lexus|jaguar"
    r"|civic|polo|qashqai|yaris|clio|micra)\b", re.I)


def _about_a_vehicle(text: str, at: int) -> bool:
    """A vehicle word in the sentence or just before the mark ('the silver Volvo reg. W R 7 0 D U B')."""
    _, end = sentence_at(text, at)
    return _VEHICLE_WORDS.search(text, max(0, at - 60), end) is not None


def ni_number(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """National Insurance numbers: in capitals, or in any case beside the words 'NI' or 'national insurance'."""
    for found in _NINO_SHAPE.finditer(text):
        near = text[max(0, found.start() - 40):found.start()]
        valid = _NINO.fullmatch(found.group()) is not None
        if _NINO_CUE.search(near) or (valid and found.group().isupper()):
            yield Match(found.start(), found.end(), "a National Insurance number")


def nhs_number_valid(digits: str) -> bool:
    """Whether ten digits pass the NHS number's modulus 11 check."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def nhs_number(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """Ten-digit numbers that pass the NHS checksum, written 3-3-4 or beside the word 'NHS'."""
    for found in _NHS.finditer(text):
        digits = found.group(1) + found.group(3) + found.group(4)
        spaced = bool(found.group(2))
        cued = _NHS_CUE.search(text[max(0, found.start() - 40):found.start()]) is not None
        given = _NHS_GIVEN.search(text[max(0, found.start() - 50):found.start()]) is not None
        if given or (nhs_number_valid(digits) and (spaced or cued)):
            yield Match(found.start(), found.end(), "an NHS number (its check digit is right)")


def date_of_birth(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    for found in _DOB.finditer(text):
        yield Match(found.start(), found.end(), "a date of birth")


DETECTORS: dict[str, tuple[Detector, bool]] = {
    "uk_phone": (personal_phone, False),
    "official_phone": (official_phone, False),
    "email": (personal_email, False),
    "full_postcode": (full_postcode, False),
    "postcode_at_home": (postcode_at_home, False),
    "vehicle_registration": (vehicle_registration, False),
    "ni_number": (ni_number, False),
    "nhs_number": (nhs_number, False),
    "date_of_birth": (date_of_birth, False),
}

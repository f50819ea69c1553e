"""Discriminatory or abusive generalisations: a group of people spoken of as if all were the same.

A group noun (a nationality, a faith, Gypsy, Roma and Traveller communities, "that lot",
"kids from" an estate, a protected characteristic) is a problem when its sentence lumps
the group together: generalising words ("always", "typical", "they're all"), words that
run the group down ("thieves", "a nightmare"), a lumping determiner ("these Syrians",
"them travellers", "the Irish lot"). Groups are found by structure as well as by name: a
group adjective before a people noun ("Muslim lads", "Turkish barbers", "disabled
drivers"), people named by where they come from ("kids from that school"). Weaker group
words (kids, students, drivers) count only with a generalising phrase straight after them
("… tend to", "… are all", "… and their", "… again") or a lumping frame before them
("typical …", "what do you expect from …"). (A group as the bare subject of a sentence is
not enough: "Students return next week" is news, not a slur.) A sentence that defends,
welcomes or thanks the group, or speaks to it ("Students: lock your bikes"), is left alone.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from portal.guidance.detectors.base import (
    Detector, Match, lexicon, phrase_regex, sentence_at, sentence_spans, table_regex,
)


@functools.cache
def _determiner_before() -> re.Pattern[str]:
    words = sorted(lexicon()["group_determiners"], key=len, reverse=True)
    return re.compile(r"(?:^|\W)(?:" + "|".join(re.escape(w) for w in words) + r")\s+$", re.I)


# A capitalised plural that reads as a people (Croatians, Somalis, Congolese) when a lumping word comes first.
_DEMONYM = re.compile(r"\b[A-Z][a-z]{2,}(?:ians|ans|ese|is|ards)\b")


# 'The Welsh lot', 'the Irish lot': a people called a lot (but not 'this lot', which may be a government).
_DESCRIBED_LOT = re.compile(r"(?i)\b(?!(?:this|that|them|these|those|the|a|our|your|their|which|what)\s)\w+\s+lot$")


# Round 9: 'the council is dealing with the planning side': dealing as handling, not drug dealing.
_HANDLING = re.compile(r"\b(?:deal|deals|dealing|dealt)\s+with\b", re.I)


def _lumped(sentence: str, group: re.Match[str]) -> str | None:
    """Say how the sentence lumps the group together, or None if it does not."""
    rest = sentence[:group.start()] + " " * (group.end() - group.start()) + sentence[group.end():]
    rest = _HANDLING.sub(lambda found: " " * len(found.group()), rest)
    for table in ("generalising_cues", "negative_words", "abusive_words"):
        cue = table_regex(table).search(rest)
        if cue is not None:
            return f"“{cue.group()}”"
    before, after = sentence[:group.start()], sentence[group.end():]
    if (_determiner_before().search(before) or re.match(r"\s+lot\b", after, re.I)
            or _DESCRIBED_LOT.search(group.group())):
        return "spoken of as one lot"
    return None


def _addressed(sentence: str, group: re.Match[str]) -> bool:
    """'Students: always lock your bike.' speaks to the group, not about it."""
    return (not sentence[:group.start()].strip() and sentence[group.end():group.end() + 1] in {":", ","}
            and not _ASIDE.match(sentence, group.end() + 1))


# 'Brummies, eh?' and 'Travellers, typical.' talk about the group, whatever the comma says.
_ASIDE = re.compile(r"\s*(?:eh|typical|honestly|always|lol|what\s+a|what\s+do|seriously|again)\b", re.I)


@functools.cache
def _described_group() -> re.Pattern[str]:
    """A group adjective before a people noun (Muslim lads, disabled drivers, Turkish barbers)."""
    adjectives = phrase_regex(lexicon()["group_adjectives"]).pattern
    nouns = phrase_regex(lexicon()["people_nouns"]).pattern
    return re.compile(rf"{adjectives}(?:\s+[a-z]+)?\s+{nouns}", re.I)


@functools.cache
def _people_from_place() -> re.Pattern[str]:
    """People named by where they come from (kids from that school, ppl from the bottom end of town)."""
    nouns = phrase_regex(lexicon()["people_nouns"]).pattern
    places = phrase_regex(lexicon()["group_places"]).pattern
    return re.compile(rf"{nouns}\s+(?:from|off|on|at|in)\s+(?:[\w'’-]+\s+){{0,4}}?{places}", re.I)


@functools.cache
def _predicate_after(strong: bool) -> re.Pattern[str]:
    tables = ["generic_predicates", "generic_predicates_strong"] if strong else ["generic_predicates"]
    near = phrase_regex([word for table in tables for word in lexicon()[table]]).pattern
    adjacent = phrase_regex(lexicon()["generic_predicates_adjacent"]).pattern
    link = r"(?:are|is|was|were|r|have\s+been|has\s+been)\s+"
    return re.compile(rf"[\s,]*(?:(?:[\w'’-]+[\s,]+){{0,3}}?{near}|(?:{link})?{adjacent})", re.I)


@functools.cache
def _frame_before(weak: bool) -> re.Pattern[str]:
    words = phrase_regex(lexicon()["generic_frames_strict" if weak else "generic_frames"]).pattern
    return re.compile(rf"{words}\s+(?:[\w'’-]+\s+){{0,2}}$", re.I)


@functools.cache
def _weak_words() -> frozenset[str]:
    return frozenset(lexicon()["weak_group_nouns"])


@functools.cache
def _singular_group() -> re.Pattern[str]:
    """One member standing for the group: 'a Jew', 'any Romanian', 'every Traveller' (singulars of the group nouns)."""
    singulars = set()
    for noun in lexicon()["group_nouns"]:
        word = noun.rstrip("*")
        if " " in word or not word.endswith("s") or word in _weak_words():
            continue
        singulars.add(word[:-3] + "y" if word.endswith("ies") else word[:-1])
    return re.compile(r"\b(?:a|an|any|every)\s+" + phrase_regex(sorted(singulars)).pattern, re.I)


# A people named by a plural that is not in the tables ('Moroccans', 'Kosovans', 'Eritreans'): counted when the
# sentence lumps them together. Plurals of trades and roles that share the ending are not peoples.
_DEMONYM_BARE = re.compile(r"\b[A-Z][a-z]{3,}(?:ians|ans|ese|is)\b|\b[a-z]{4,}(?:ians)\b")
_NOT_PEOPLES = frozenset("""librarians musicians pedestrians veterans guardians technicians politicians electricians
physicians historians comedians vegetarians vegans civilians custodians magicians beauticians opticians clinicians
mathematicians statisticians partisans artisans humans titans spartans orphans pelicans toucans cardigans caravans
organs pagans hooligans publicans sedans divans amphibians reptiles mammals millennials paralympians olympians
dietitians dietians physicians paediatricians pediatricians morticians tacticians logicians academicians guardians
ruffians crustaceans""".split())


def _group_mentions(sentence: str) -> list[tuple[re.Match[str], bool]]:
    """Groups in a sentence, each with whether it is named as a group on its own (strong) or only weakly."""
    weak = _weak_words()
    found = [(m, m.group().lower() not in weak) for m in table_regex("group_nouns").finditer(sentence)]
    found += [(m, True) for m in _described_group().finditer(sentence)]
    found += [(m, True) for m in _DEMONYM.finditer(sentence) if _determiner_before().search(sentence[:m.start()])]
    found += [(m, True) for m in _people_from_place().finditer(sentence)]
    found += [(m, False) for m in _singular_group().finditer(sentence)]  # one member: only with a claim or frame
    found += [(m, True) for m in _DEMONYM_BARE.finditer(sentence) if m.group().lower() not in _NOT_PEOPLES]
    found += [(m, False) for m in table_regex("weak_group_nouns").finditer(sentence)]
    kept: list[tuple[re.Match[str], bool]] = []
    for match, strong in sorted(found, key=lambda item: (not item[1], -len(item[0].group()), item[0].start())):
        if not any(k.start() < match.end() and match.start() < k.end() for k, _ in kept):
            kept.append((match, strong))
    return sorted(kept, key=lambda item: item[0].start())


# 'That's Catholics for you': the group held up as the explanation.
_FOR_YOU_BEFORE = re.compile(r"\b(?:that['’]?s|thats|typical\s+of)\s+(?:the\s+|your\s+)?$", re.I)
_FOR_YOU_AFTER = re.compile(r"\s+for\s+(?:you|ya|ye)\b", re.I)


def _generic_claim(sentence: str, group: re.Match[str], strong: bool) -> str | None:
    """A generalising phrase right after the group, or a lumping frame right before it."""
    if _FOR_YOU_BEFORE.search(sentence[:group.start()]) and _FOR_YOU_AFTER.match(sentence, group.end()):
        return "“that's … for you”"
    after = _predicate_after(strong).match(sentence, group.end())
    if after is not None:
        return f"“{after.group().strip(' ,')}”"
    before = _frame_before(not strong).search(sentence[:group.start()])
    return f"“{before.group().strip()}”" if before is not None else None


_NEGATED = re.compile(r"\b(?:won't|wont|don't|dont|never|not|no|can't|cant|refuse\s+to)\s+(?:\w+\s+)?$", re.I)


def _defends(sentence: str) -> bool:
    """Whether the sentence defends, welcomes or helps the group ('won't help' or 'never report' does not)."""
    return any(not _NEGATED.search(sentence[:found.start()])
               for found in table_regex("generalisation_exceptions").finditer(sentence))


# 'A scam warning in Polish', 'leaflets in Urdu and Punjabi': the language, not the people.
_LANGUAGE_BEFORE = re.compile(r"\b(?:in|into|speaks?|speaking|spoken|translated\s+into|written\s+in)\s+$", re.I)
_LANGUAGE_AFTER = re.compile(r"\s*(?:[-–,.;:!?)]|$|\s+(?:and|or|too|as\s+well|please|so|but|versions?|speakers?|translations?)\b)",
                             re.I)


def _a_language(sentence: str, group: re.Match[str]) -> bool:
    return bool(_LANGUAGE_BEFORE.search(sentence[:group.start()]) and _LANGUAGE_AFTER.match(sentence, group.end()))


# A group word that begins an organisation's or a venue's name: 'the Chinese Community Centre', 'Polish Saturday School'.
_ORGANISATION_AFTER = re.compile(r"['’]?s?\s+(?:[A-Z][\w'’-]*\s+){0,2}(?:Centre|Center|Association|Society|Church|Mosque|Temple"
                                 r"|Gurdwara|Synagogue|School|Club|Forum|Trust|Council|Network|Group|Project|Festival|Hall"
                                 r"|Restaurant|Takeaway|Deli|Supermarket|Shop|Foundation|Alliance"
                                 # Round 10: a group's name in an event's: 'Trans Day of Visibility', 'Gypsy, Roma and
                                 # Traveller History Month', 'Black History Month', 'Deaf Awareness Week'.
                                 r"|Day|Week|Month|Fortnight|History|Awareness|Heritage|Pride|Celebration|Remembrance)\b")


# --- a group named once, then lumped together through a pronoun or a place --------------------------------------

# 'They're all …', 'every one of them', 'the lot of them', 'half of them', 'you know what they're like'.
_PRONOUN_FRAME = re.compile(
    r"\b(?:they(?:['’]re|re|\s+are|\s+r)?\s+(?:all|always|never|forever)|they\s+all|(?:all|every\s+one|each\s+one)\s+of\s+(?:them|em)"
    r"|(?:every|each)\s+(?:last|single)\s+one(?:\s+of\s+(?:them|em))?|each\s+and\s+every\s+one|the\s+(?:whole\s+)?lot\s+of\s+(?:them|em)"
    r"|(?:half|most|none|nearly\s+all|the\s+majority)\s+of\s+(?:them|em|that\s+lot|those)|them\s+lot|that\s+lot|(?:that|this|them|those)\s+(?:crowd|mob|bunch)\b"
    r"|they\s+(?:should|must|need\s+to|ought\s+to)\s+all|(?:send|kick|throw|ship)\s+(?:them|em)\s+all"
    r"|if\s+(?:you|they|someone)(?:['’]re|['’]s|\s+are|\s+is|\s+come|\s+comes)\s+from"
    r"|(?:ever\s+)?since\s+(?:the\s+|that\s+|those\s+|they\s+|them\s+)?(?:[\w'’-]+\s+){0,2}?(?:opened|moved\s+in|arrived|came"
    r"|turned\s+up|got\s+here|took\s+over|went\s+up)|(?:put|build|open)\s+an?\s+[\w'’-]+\s+up\s+and\s+watch"
    r"|(?:they|them|these\s+people|those\s+people)\s+(?:all\s+)?(?:come|coming|came)\s+over\s+here"
    r"|(?:anyone|anybody|everyone|everybody)\s+with\s+(?:that|an?|those|the|them)\s+(?:\w+\s+)?(?:accents?|names?|surnames?|looks?"
    r"|skin|clothes|tracksuits?|hoods?|headscarf|headscarves|beards?|turbans?)"
    r"|(?:are|r)\s+all\s+(?:the\s+same|alike)|typical(?:ly)?[,!.]*\s+(?:they|them)|(?:you|we)\s+(?:all\s+)?know\s+what\s+(?:they|them|that\s+lot|those)\s*(?:['’]re|are|re)?\s+like)\b", re.I)
# Where the group lives, when the message names no group noun: 'round here', 'off the estate', 'down Gipsy Lane',
# 'where he's from'.
_LOCAL_PLACE = re.compile(
    r"\b(?i:round|around|from|off|on|in|at|up|down|over)\s+(?i:here|there|the\s+river|the\s+bridge|this\s+town|this\s+area"
    r"|(?:that|this|the\s+other)\s+(?:part|side|end)\s+of\s+(?:town|the\s+town|the\s+city))\b"
    r"|\b(?i:down|up|on|off|from)\s+(?:[A-Z][a-z]+\s+){1,2}(?:Lane|Road|Street|Close|Avenue|Estate|Park|Site|Flats)\b"
    r"|\b(?i:round|around)\s+[A-Z][a-z]{3,}\b"
    r"|\b(?i:where\s+(?:he|she|they)(?:['’]s|['’]re|\s+is|\s+are|\s+comes?|\s+come)\s+from)\b")
# The group is at the receiving end or speaking up ('they're all sick of the dealing'), not being run down.
_AFFECTED = re.compile(r"\b(?:sick\s+of|fed\s+up|worried|concerned|had\s+enough|scared|afraid|frightened|tired\s+of|complain\w*"
                       r"|affected|suffer\w*|helped|helping|volunteer\w*|brilliant|great|lovely|amazing|proud|safe|said|told\s+us"
                       r"|reported|asked|agreed)\b", re.I)


# 'They come over here and ...' names its group by where it came from; 'put a mosque up and ...' by where it meets.
_OVER_HERE = re.compile(r"\b(?:come|coming|came)\s+over\s+here\b|\ban?\s+(?:mosque|temple|gurdwara|synagogue|hostel"
                        r"|bail\s+hostel|asylum\s+hotel|migrant\s+hotel|traveller\s+site|halfway\s+house|hmo)\b", re.I)


def _group_antecedent(text: str, end: int) -> bool:
    """A group or the place it lives named in the message up to the end of this sentence."""
    before = text[:end]
    return bool(_group_mentions(before) or table_regex("group_places").search(before) or _LOCAL_PLACE.search(before)
                or _OVER_HERE.search(before))


def _run_down(sentence: str, frame: re.Match[str]) -> str | None:
    """A word or phrase in the sentence that runs the lumped-together people down."""
    rest = sentence[:frame.start()] + " " * (frame.end() - frame.start()) + sentence[frame.end():]
    if _AFFECTED.search(rest):
        return None
    for table in ("negative_words", "abusive_words", "negative_predicates"):
        for found in table_regex(table).finditer(rest):
            if found.group().lower().endswith("same") and not _SAME_ENDS.match(rest, found.end()):
                continue  # 'they're all the same age': alike in one thing, not lumped together
            return found.group()
    return None


# What may follow 'they're all the same' when it lumps people together (not 'the same age', 'the same view').
_SAME_ENDS = re.compile(r"\s*(?:[,.!?;:)\-–—]|$|\s+(?:really|anyway|deep\s+down|round\s+here|in\s+the\s+end|in\s+my\s+book)\b)",
                        re.I)


# 'Go back to your own country', 'send them back where they came from': told to leave for where they are from.
_GO_BACK = re.compile(r"\b(?:go|goes|going|send\s+(?:them|em|him|her)|sent|ship\s+(?:them|em))\s+(?:all\s+)?back\s+(?:to\s+)?"
                      r"(?:(?:your|their|his|her)\s+own\s+country|where\s+(?:you|they|he|she)\s+(?:came|come|comes)\s+from)\b", re.I)


# Lumping that needs no running-down word once a group is named: 'they're all the same', 'wherever that community
# goes the mess follows'.
_SELF_LUMPING = re.compile(
    r"\b(?:they(?:['’]re|re|\s+are|\s+r)|them\s+lot\s+are|that\s+lot\s+are)\s+all\s+(?:the\s+same|alike)\b(?=\s*(?:[,.!?;:)\-–—]|$|\s+(?:really|anyway|deep\s+down|round\s+here"
    r"|in\s+the\s+end|in\s+my\s+book)\b))"
    r"|\b(?:where|wherever|everywhere)\s+(?:they|them|that\s+\w+|those\s+\w+|these\s+\w+)\s+(?:go|goes|went|turn\s+up"
    r"|turns\s+up|settle|settles|move|moves)\b,?\s+(?:\w+\s+){0,3}?(?:follows?|comes?\s+with\s+them|goes\s+up)\b", re.I)
# A people hinted at, not named: 'we all know which nationality runs the nail bars'.
_WHICH_PEOPLE = re.compile(
    r"\b(?:(?:we|you)\s+all\s+know|every(?:one|body)\s+knows|no\s+prizes\s+for\s+guessing|guess)\s+which\s+(?:nationality"
    r"|nationalities|race|religion|faith|ethnic\s+group|ethnicity|community|lot)\b"
    r"|\bwhich\s+(?:nationality|race|religion|ethnic\s+group|ethnicity)\s+(?:runs?|is\s+behind|are\s+behind|always)\b", re.I)


# Round 9: a group lumped together by implication, with no group word a table knows and no running-down word: trouble
# dated from their arrival ('we never had this trouble before they moved in'), people 'not like us', 'they don't
# integrate', 'people of that background', 'certain communities need to learn', a town 'taken over' or 'half
# foreign now', a hint with a wink ('not from round here, if you know what I mean'), 'anyone with a foreign accent
# is a scammer', 'ladies can't park'.
_ARRIVERS = (r"(?:they|them|the\s+(?:new\s+)?(?:families|people|lot|ones|arrivals|newcomers|tenants|residents|neighbours|migrants"
             r"|immigrants|refugees|asylum\s+seekers|travellers|foreigners|students|kids)|the\s+\w+\s+(?:families|lot)|that\s+lot"
             r"|those\s+people|these\s+people|the\s+(?:site|camp|hotel|hostel|mosque)\s+(?:opened|came))")
_TROUBLE = (r"(?:trouble|bother|problems?|crime|burglar\w*|thefts?|stealing|drugs|dealing|litter|rubbish|mess|noise|fights?"
            r"|violence|robberies|break-?ins|muggings|antisocial|anti-social|asb|issues)")
# 'Since they moved in next door', 'when the new tenants at number 4 arrived': neighbours, not a group.
_NOT_NEXT_DOOR = (r"(?!\s+(?:next\s+door|upstairs|downstairs|across\s+the\s+(?:road|street|landing)|opposite|at\s+(?:no\.?|number)"
                  r"|(?:at|to)\s+number|over\s+the\s+road|below|above|beside\s+(?:us|me)))")
_IMPLIED = re.compile(
    rf"\b(?:since|before|until|till|when|ever\s+since|after)\s+{_ARRIVERS}\s+(?:\w+\s+)?(?:moved\s+in|arrived|came|turned\s+up"
    rf"|got\s+here|moved\s+here|came\s+here|came\s+over|showed\s+up|rolled\s+in|pitched\s+up|opened)\b{_NOT_NEXT_DOOR}"
    rf"(?=[^.!?]{{0,80}}?\b{_TROUBLE})"
    rf"|\b{_TROUBLE}\b[^.!?]{{0,60}}?\b(?:since|before|until|till|when|ever\s+since|after)\s+{_ARRIVERS}\s+(?:\w+\s+)?"
    rf"(?:moved\s+in|arrived|came|turned\s+up|got\s+here|moved\s+here|came\s+here|came\s+over|showed\s+up|rolled\s+in|pitched\s+up)\b"
    rf"{_NOT_NEXT_DOOR}"
    rf"|\b(?:wherever|everywhere)\s+(?:they|them\s+lot|that\s+lot|those\s+people|these\s+people)\s+(?:go|goes|turn\s+up|settle"
    rf"|move)\b,?\s+(?:\w+\s+){{0,3}}?{_TROUBLE}\s+(?:follows?|comes?|goes\s+up)\b"
    rf"|\bbefore\s+(?:it|we)\s+(?:got|was|were)\s+(?:taken\s+over|overrun|swamped|invaded)\b(?!\s+by)"
    rf"|\b(?:they|them|those\s+people|these\s+people|the\s+new\s+\w+(?:\s+(?:on|in|at|from|round)\s+(?:the\s+)?\w+)?|that\s+lot"
    rf"|them\s+lot|their\s+lot)\s+(?:are\s+|['’]re\s+)?"
    rf"(?:aren['’]?t|are\s+not|ain['’]?t|will\s+never\s+be|are\s+never|r\s+not)\s+(?:like\s+us|one\s+of\s+us|our\s+(?:sort|kind|type)"
    rf"|from\s+(?:round|around)\s+here)\b"
    rf"|\b(?:they|them\s+lot|that\s+lot|those\s+people|these\s+people)\s+(?:just\s+)?(?:don['’]?t|do\s+not|never|won['’]?t|will\s+not"
    rf"|refuse\s+to|can['’]?t\s+be\s+bothered\s+to|make\s+no\s+effort\s+to)\s+(?:even\s+)?(?:try\s+to\s+)?(?:integrate|assimilate"
    rf"|fit\s+in|adapt|respect\s+(?:our|the\s+local)\s+(?:ways|culture|laws|rules|values)|learn\s+(?:our|the)\s+(?:ways|language))\b"
    rf"|\bpeople\s+(?:of|from)\s+(?:that|their|those|a\s+certain|his|her)\s+(?:background|culture|race|religion|persuasion|type"
    rf"|sort|kind|part\s+of\s+the\s+world|communit(?:y|ies))\b[^.!?]{{0,40}}?\b(?:just\s+)?(?:don['’]?t|never|always|can['’]?t"
    rf"|won['’]?t|are\s+all|are\s+(?:more\s+)?likely|tend\s+to|have\s+no)\b"
    rf"|\b(?:certain|some)\s+(?:communities|cultures|nationalities|groups\s+of\s+people)\s+(?:need\s+to|should|must|have\s+to|are"
    rf"\s+(?:the|always|never|behind|responsible)|always|never|don['’]?t|just\s+don['’]?t|think\s+they|bring|cause)\b"
    rf"|\b(?:town|area|country|street|estate|place|city|village|high\s+street|neighbourhood)\s+(?:\w+\s+){{0,3}}?(?:has\s+)?"
    rf"(?:got|been|is|was|being|getting)\s+(?:completely\s+|totally\s+)?(?:taken\s+over|overrun|swamped|invaded)\b"
    rf"(?!\s+(?:by|with)\s+(?:rats|seagulls|pigeons|weeds|litter|tourists|water|flood\w*|traffic|cars|roadworks|bikes|visitors"
    rf"|shoppers|fans|crowds))"
    rf"|\b(?:overrun|swamped|invaded|flooded|taken\s+over|surrounded)\s+(?:by|with)\s+(?:them|foreigners|immigrants|migrants"
    rf"|asylum\s+seekers|travellers|gypsies|those\s+people|these\s+people|[A-Z][a-z]+(?:ians|ans|ese|is))\b"
    rf"|\b(?:half|most|all|a\s+third|two\s+thirds)\s+(?:of\s+)?(?:the\s+|this\s+|our\s+)?(?:town|area|street|estate|village|city"
    rf"|country|high\s+street|school)\s+(?:is|are|['’]s)\s+(?:now\s+|all\s+)?(?:foreign|foreigners|immigrants|migrants|muslims?"
    rf"|[A-Z][a-z]+(?:ish|ian|ese|i))\b"
    rf"|\bnot\s+from\s+(?:round|around)\s+here\b[^.!?]{{0,30}}?\b(?:if\s+you\s+(?:know|get|catch)\s+(?:what|my)\s+(?:I\s+mean|drift)"
    rf"|know\s+what\s+I\s+mean|say\s+no\s+more|nudge|wink)"
    rf"|\b(?:anyone|anybody|everyone|people|callers?|someone)\s+with\s+(?:a|an)\s+(?:foreign|\w+\s+)?accents?\b[^.!?]{{0,30}}?"
    rf"\b(?:is|are|will\s+be|=)\s+(?:a\s+|an\s+)?(?:probably\s+|always\s+|definitely\s+|likely\s+)?(?:scam\w*|fraud\w*|crooks?|con"
    rf"|thie\w*|criminals?|dodgy|trouble|illegals?|up\s+to\s+no\s+good)\b"
    rf"|\b(?:women|ladies|girls|men|blokes|old\s+people|old\s+folk|pensioners|oaps|the\s+elderly|foreigners|immigrants|students"
    rf"|youngsters|teenagers|asians|travellers)\s+(?:just\s+)?(?:can['’]?t|cannot|can\s+not|shouldn['’]?t\s+be\s+allowed\s+to)\s+"
    rf"(?:drive|park|reverse|be\s+trusted|help\s+(?:it|themselves)|control\s+themselves|handle\s+(?:their|the)\s+drink|read\s+a\s+map)\b"
    rf"|\b(?:we\s+all|everyone|everybody|we\s+both)\s+knows?\s+what\s+(?:they|them\s+lot|that\s+lot|those\s+people|these\s+people)"
    rf"(?:['’]re|\s+are)\s+like\b"
    rf"|\b(?:trouble|crime|bother|problems)\s+(?:always|only\s+ever|always\s+seems\s+to)\s+comes?\s+from\s+(?:that|those|the)\s+"
    rf"(?:end|side|part|estate|site|camp|hotel|hostel|flats|street|lot|family|families)\b"
    rf"|\bin\s+(?:their|them)\s+(?:dna|genes|blood|nature|bones)\s+to\b"
    rf"|\b(?:always|it['’]?s\s+always)\s+the\s+same\s+(?:faces|families|lot|people|ones|crowd|names|kids)\s+(?:from|off)\s+"
    rf"(?:the\s+|that\s+)?\w+"
    rf"|\byou\s+can\s+(?:always\s+)?tell\s+(?:which|who|the)\b[^.!?]{{0,50}}?\bby\s+(?:the\s+)?(?:state|look|looks|way|colour|smell"
    rf"|accents?|clothes|cars?|gardens?|names?)\b"
    rf"|\b(?:in|from)\s+(?:that|those|their)\s+communit(?:y|ies)\b[^.!?]{{0,50}}?\b(?:don['’]?t\s+expect|never|always|no\s+one"
    rf"|nobody|won['’]?t|wouldn['’]?t)\b"
    rf"|\b(?:nobody|no\s+one|none|not\s+one)\s+(?:of\s+them\s+)?(?:from|in)\s+(?:that|those)\s+communit(?:y|ies)\b"
    rf"|\b(?:that|those|their)\s+communit(?:y|ies)\b[^.!?]{{0,10}}?(?:keep|keeps|kept|close\s+ranks|closes\s+ranks|stick|sticks)\b"
    rf"|\b(?:they|them)\s+(?:\w+\s+){{0,2}}?(?:keep|keeps)\s+(?:everything|it\s+all|things)\s+(?:in[- ]house|to\s+themselves|quiet)"
    rf"\b[^.!?]{{0,30}}?\bcommunit(?:y|ies)\b"
    rf"|\b(?:trouble|problems?|mess|bother|crime|issues|litter|rubbish|noise|damage)\b[^.!?]{{0,40}}?\b(?:is|are|was|were)\s+(?:all\s+|always\s+)?(?:down\s+to"
    rf"|caused\s+by|because\s+of|the\s+fault\s+of)\s+(?:the\s+)?(?:[\w'’-]+\s+){{0,3}}?(?:crowds?|lot|people|lads|gangs?|groups"
    rf"|families|mob|incomers|outsiders|students|kids|youths|parties|visitors|tourists|fans|day-?trippers)\s+"
    rf"(?:(?:up|down|over|in)\s+)?from\b"
    rf"|\b(?:another|one\s+more)\s+(?:one\s+)?from\s+(?:the|that)\s+(?:asylum\s+hotel|migrant\s+hotel|hostel|site|camp|estate|hotel"
    rf"|caravans?|mosque)\b[^.!?]{{0,20}}?\b(?:what\s+a\s+(?:shock|surprise)|shocker|who['’]?d\s+have\s+thought|surprise|funny\s+that"
    rf"|again)\b",
    re.I)


def _lumped_by_implication(text: str) -> Iterator[Match]:
    """A group lumped together by what is implied: see _IMPLIED."""
    for start, end in sentence_spans(text, clauses=False):
        sentence = text[start:end]
        found = _IMPLIED.search(sentence)
        if found is not None and not _defends(sentence):
            yield Match(start + found.start(), start + found.end(),
                        f"a group lumped together by implication (“{found.group()}”)")
            return


def _lumped_by_pronoun(text: str) -> Iterator[Match]:
    """'Travellers have arrived at the rec. They always leave a mess.': the group named once, then lumped together."""
    told = _GO_BACK.search(text)
    if told is not None:
        yield Match(told.start(), told.end(), f"people told to leave for where they came from (“{told.group()}”)")
        return
    hinted = _WHICH_PEOPLE.search(text)
    if hinted is not None and not _defends(text[slice(*sentence_at(text, hinted.start()))]):
        yield Match(hinted.start(), hinted.end(), f"a people hinted at and judged together (“{hinted.group()}”)")
        return
    for start, end in sentence_spans(text, clauses=False):
        sentence = text[start:end]
        whole = _SELF_LUMPING.search(sentence)
        if whole is not None and _group_antecedent(text, end):  # praise lumps people together too
            yield Match(start + whole.start(), start + whole.end(), f"people lumped together as “{whole.group()}”")
            return
        frame = _PRONOUN_FRAME.search(sentence)
        if frame is None or _defends(sentence):
            continue
        word = _run_down(sentence, frame)
        if word and _group_antecedent(text, end):
            yield Match(start + frame.start(), start + frame.end(),
                        f"people lumped together as “{frame.group()}” beside “{word}”")
            return


# Round 10: the group's own page or chat named as where the message goes ('Polish group: …', 'Romanian page: …').
_CHANNEL_AFTER = re.compile(r"\s+(?:community\s+)?(?:group|page|chat|forum|channel|network|whatsapp|facebook\s+group)\s*:", re.I)
# Round 10: a claim someone else made, told in order to say it was removed or is not acceptable ('someone posted on the
# page that Muslims don't integrate … We've removed the comment.').
_SOMEONE_SAID = re.compile(r"\b(?:someone|somebody|a\s+(?:person|user|member|resident|commenter|poster|man|woman)|one\s+person"
                           r"|people|a\s+few\s+people|comments?|posts?)\s+(?:has\s+|have\s+)?(?:posted|said|wrote|written|commented"
                           r"|claimed|shared|put|saying|claiming)\b", re.I)
_TAKEN_DOWN = re.compile(r"\b(?:removed|deleted|taken\s+(?:it\s+)?down|hidden|not\s+acceptable|unacceptable|not\s+true|isn['’]t\s+true"
                         r"|is\s+false|reported\s+(?:it|this|the\s+comment|the\s+post)|blocked)\b", re.I)


def _reported_to_be_removed(text: str, sentence: str, group: re.Match[str]) -> bool:
    return _SOMEONE_SAID.search(sentence, 0, group.start()) is not None and _TAKEN_DOWN.search(text) is not None


def group_generalisation(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """A group of people lumped together in one sentence, unless the sentence defends or speaks to it."""
    for start, end in sentence_spans(text, clauses=False):
        sentence = text[start:end]
        if _defends(sentence):
            continue
        for group, strong in _group_mentions(sentence):
            if (_addressed(sentence, group) or _ORGANISATION_AFTER.match(sentence, group.end())
                    or _a_language(sentence, group) or _CHANNEL_AFTER.match(sentence, group.end())
                    or _reported_to_be_removed(text, sentence, group)):
                continue
            how = _generic_claim(sentence, group, strong) or (_lumped(sentence, group) if strong else None)
            if how:
                yield Match(start + group.start(), start + group.end(),
                            f"“{group.group()}” spoken of as a whole group ({how})")
                break
    found_any = False
    for match in _lumped_by_pronoun(text):
        found_any = True
        yield match
    if not found_any:
        yield from _lumped_by_implication(text)


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

"""Operational details: what would help someone dodge or exploit the police if it were public.

Three shapes, each read within one clause, rather than a list of exact sentences:

- a gap: a police resource (a camera, the helicopter, the station, officers, cars) beside
  a word saying it is missing, broken, short or unguarded ("the ANPR camera isn't
  working", "nobody at the station overnight", "down to two officers");
- a plan with a time: a police tactic (a raid, warrants, stops, a patrol, a covert
  operation) beside a time it will happen ("between 9 and 10pm", "early Thursday",
  "tonight") in a sentence that is not told in the past;
- covert methods and sources: an informant, a hidden camera or tracker, a bait bike, a
  surveillance team, a test purchase, what the investigation is focused on.

Reassurance ("you may see more officers around the park") names no tactic, and news of
a finished operation ("warrants were executed yesterday") is told in the past.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from portal.guidance.detectors.base import Detector, Match, lexicon, sentence_at, sentence_spans, table_regex
from portal.guidance.detectors.proceedings import a_tally

# Clock times, ranges and named times that say *when* something will happen.
_WHEN = re.compile(
    r"\b(?:\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)|\d{1,2}[:.]\d{2}|between\s+\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?"
    r"\s+(?:and|&|-)\s+(?:\d{1,2}|noon|midnight)|noon|midnight|tonight|tonite|2nite|tomorrow|tmrw|tmw"
    r"|(?:this|next|on|early|every|each)\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day"
    r"|(?<=\s)(?-i:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day(?=\s*(?:[,.;!?]|$))"
    r"|(?:this|next)\s+(?:week|weekend|month)|early\s+(?:morning|hours)|overnight|first\s+light|dawn|after\s+dark|at\s+night|(?:mon|tues|wednes|thurs|fri|satur|sun)"
    r"day\s+(?:morning|night|evening|afternoon))\b",
    re.I,
)
# How long it takes the police to arrive: 'response to the coast road is at least 45 minutes'.
_SLOW_RESPONSE = re.compile(r"\b(?:response\b[^.!?]{0,40}?\b(?:at\s+least|over|more\s+than|up\s+to)"
                            r"|response\s+times?\b[^.!?]{0,40}?\b(?:about|around|roughly|nearly|almost|easily|a\s+good))\s+"
                            r"(?:\d+|an|one|two)\s+(?:minutes?|mins?|hours?)", re.I)
# What marks a sentence as about what is to come.
_FUTURE = re.compile(r"\b(?:will|won't|'ll|’ll|going\s+to|gonna|plan(?:ning)?\s+to|tonight|tomorrow|tmrw|next|this\s+"
                     r"(?:week|weekend|evening|afternoon|morning|(?:mon|tues|wednes|thurs|fri|satur|sun)day))\b|'ll\b",
                     re.I)
# A sentence that reports what already happened is news, not a plan.
_PAST = re.compile(
    r"\b(?:yesterday|last\s+(?:night|week|month|weekend|year|summer|spring|autumn|winter|season|christmas)|were\s+(?:executed"
    r"|carried\s+out|made)"
    r"|was\s+(?:executed|carried\s+out)|executed\s+(?:a|the|two|three|\d+)?\s*warrants?\s+(?:on|at|yesterday)"
    r"|have\s+been\s+(?:executed|seized)|seized|recovered|carried\s+out|made\s+(?:\w+\s+){0,2}arrests?"
    r"|arrests?\s+(?:were|was)\s+made|led\s+to|\d+\s+arrests|wanted\s+on\s+warrant|sentenced)\b",
    re.I,
)


def _clauses(text: str) -> Iterator[tuple[int, str]]:
    for start, end in sentence_spans(text):
        yield start, text[start:end]


@functools.cache
def _near(first: str, second: str, gap: int) -> re.Pattern[str]:
    """One table's phrase followed or preceded by another's within a few words."""
    a, b = table_regex(first).pattern, table_regex(second).pattern
    words = rf"(?:\W+\w+){{0,{gap}}}?\W+"
    return re.compile(rf"{a}{words}{b}|{b}{words}{a}", re.I)


# Nobody on duty, or cover only at some times: 'there's no one on at the station after 10pm', 'no one's on patrol
# Saturday night', 'our patrol car will be in Kirkby on Tuesdays only'. The absence or the 'only' needs police cover
# or a time beside it ('No one on the bus was hurt' has neither).
_NOBODY_ON = re.compile(r"\b(?:no\s*-?\s*one|nobody|no\s+(?:officers?|police|cops|pcsos?|patrols?|units?|staff|cars?))"
                        r"(?:\s+(?:from|in|on)\s+(?:the|our)\s+(?:team|station|unit|shift|squad))?"
                        r"(?:['’]s|\s+is|\s+will\s+be|['’]ll\s+be)?\s+(?:on|at|in|about|around|out|covering|patrolling"
                        r"|working|manning|available|there|here|in\s+(?:the\s+)?station|patrols|covers|checks|comes)\b", re.I)
_DAYS = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)days?|(?:mon|tues?|wed|weds|thur|thurs|fri|sat|sun)(?:\s*/\s*(?:mon|tues?|wed|weds|thur|thurs|fri|sat|sun))+)"
_ONLY_WHEN = re.compile(rf"\b(?:{_DAYS}\s+only|only\s+(?:on\s+)?{_DAYS}|only\s+(?:at|between|until|till|after|before|from)"
                        rf"\s+(?:\d|{_DAYS})|every\s+other\s+(?:week|day|night|weekend|{_DAYS})|nowhere\s+else|once\s+a\s+(?:week|fortnight"
                        rf"|month))\b", re.I)
_COVER = re.compile(r"\b(?:patrol\w*|(?:late|early|night)\s+turns?|lates|earlies|response\s+cars?|police\s+cars?|cover(?:s|ed|ing)?|speed\s+checks?|checks|on\s+duty"
                    r"|on\s+shift|station|officers?|pcsos?|cops|the\s+police|on\s+at)\b", re.I)


# Few cars or officers, or the team elsewhere: 'only running one car tonight', 'most of the team are at the football on
# Saturday', 'our car's in for repair'.
_FEW_OR_ELSEWHERE = re.compile(
    r"\bonly\s+(?:running|got|have|has|had|putting\s+out|sending)\s+(?:one|1|two|2|a\s+single|a\s+couple\s+of)\s+"
    r"(?:cars?|officers?|vans?|units?|crews?|pcsos?)\b"
    r"|\b(?:only|just)\s+(?:the\s+|a\s+|one\s+|1\s+)?(?:sergeant|sarge|sgt|inspector|officer|pc|pcso|special)\s+(?:and|&|plus)\s+"
    r"(?:one|a|1|two|2)\s+(?:pcsos?|pcs?|officers?|specials?)\b"
    r"|\b(?:most|all|half|rest)\s+of\s+(?:the\s+|our\s+)?(?:team|officers|us|shift|cops)\s+(?:are|is|will\s+be|['’]ll\s+be)\s+"
    r"(?:at|in|on|away|off|busy|tied\s+up)\b(?=[^.!?;]*\b(?:so|leaving|leaves|means|meaning)\b)"
    r"|\b(?:our|the\s+(?:patrol|police|response))\s+(?:car|van|cars|vans|motor)(?:['’]s|\s+is|\s+are)\s+(?:in\s+for\s+repairs?|off\s+the\s+road|in\s+the\s+garage|broken\s+down)\b",
    re.I)


def _nobody_or_only_then(clause: str) -> re.Match[str] | None:
    """The absence or 'only' when the clause also names police cover and (for an absence) a time or cover word."""
    nobody = _NOBODY_ON.search(clause)
    if nobody is not None and (_WHEN.search(clause) or _COVER.search(clause, nobody.end())
                               or _COVER.search(clause[:nobody.start()])):
        return nobody
    only = _ONLY_WHEN.search(clause)
    if only is not None and _COVER.search(clause) and not _PAST.search(clause):
        return only
    return None


# Police not there, said with when or for how long: 'there will be no police cover in the villages this weekend', 'our
# camera van will not be there next week', 'police not patrolling Fairway Drive at night anymore', 'nights are
# uncovered'. The time (or 'anymore', 'response only') is what makes it a gap someone could use.
_ABSENT = re.compile(
    r"\b(?:no|nae|not\s+any|won['’]t\s+be\s+any)\s+(?:[\w-]+\s+){0,2}?(?:police|officers?|pcsos?|cover|patrols?|liaison"
    r"|presence|bobbies|camera\s+vans?|(?:cctv\s+|camera\s+)?operators?)\b"
    r"|\b(?:police|officers|pcsos?|we|patrols?|(?:the|our)\s+camera\s+van|the\s+van)\s+(?:are\s+|is\s+|will\s+|won['’]t\s+)?"
    r"(?:not|no\s+longer|be\s+not)\s+(?:be\s+)?(?:patrolling|patrol|there|covering|cover|around|out|visiting|visit)\b"
    r"|\b(?:nights|evenings|weekends|overnight)\s+(?:are|will\s+be)\s+(?:\w+\s+)?(?:uncovered|not\s+covered|unpoliced)\b"
    # Round 10: a vehicle or crew that will not be on ('no van on tonight'), officers leaving at a time ('officers will
    # leave the park at 10pm').
    r"|\bno\s+(?:van|car|crew|unit|patrol\s+car|response\s+car)s?\s+(?:on|out|available|about)\b"
    r"|\b(?:officers|police|we|the\s+team|pcsos?|patrols?)\s+(?:will|['’]ll|are\s+going\s+to)\s+(?:be\s+)?(?:leave|leaving|pull\s+out"
    r"|pulling\s+out|withdraw|stand\s+down|go\s+off|finish|clock\s+off)\b[^.!?]{0,30}?\b(?:at|by|from|after)\s+\d",
    re.I)
# Told in the past, a charge at the door, or no need for police: 'there was no police presence needed', 'no cover charge'.
_NOT_A_GAP = re.compile(r"\b(?:was|were|had\s+been)\s+(?:\w+\s+)?no\b|\bcover\s+charge|\b(?:needed|required|necessary)\b", re.I)
_FOR_A_WHILE = re.compile(r"\b(?:any\s*more|no\s+longer|response\s+only|at\s+all|today|half[\s-]?time|this\s+(?:afternoon|evening|morning)"
                         r"|since\s+the\s+(?:budget|cuts?))\b|\b(?:mon|tues|wednes|thurs|fri|satur|sun)\b", re.I)


# Words that look like a police resource or a gap but are not one: another body's officers ('the housing officer'),
# and an empty home ('the empty flat next door', which empty_home judges).
_NOT_POLICE_RESOURCE = re.compile(r"\b(?:housing|council|licensing|parking|enforcement|environmental|probation|press|welfare"
                                  r"|youth|planning|school|attendance|benefits?|tenancy|estate)\s+(?:officers?|team|staff)\b"
                                  r"|\bempty\s+(?:flats?|houses?|homes?|properties|property|shops?|units?|rooms?)\b"
                                  # Round 10: people posing as police in a scam warning ('fake police officers calling')
                                  r"|\b(?:fake|bogus|pretend|impostor|imposter|phoney|phony|so-called)\s+(?:police\s+)?(?:officers?"
                                  r"|pcsos?|police|callers?|detectives?|staff)\b"
                                  r"|\b(?:abandoned|stolen|parked|untaxed|burnt[\s-]out|nuisance)\s+(?:cars?|vans?|vehicles?)\b"
                                  # a house told by its look: 'number 31, the one with the broken gate'
                                  r"|\b(?:the\s+)?(?:one|house|flat|place)\s+with\s+the\s+(?:[\w-]+\s+)?(?:gate|door|fence|window)\b", re.I)


def _masked(clause: str) -> str:
    return _NOT_POLICE_RESOURCE.sub(lambda found: " " * len(found.group()), clause)


# Round 9: a home's door or window in burglary advice, not a police station's.
_HOME_ADVICE = re.compile(r"\b(?:burglar\w*|most\s+common|your\s+(?:home|house|flat|door|window|shed|garage)|lock\s+your"
                          r"|(?:shared|student)\s+(?:houses?|homes?|flats?))\b", re.I)


def resource_gap(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """A police resource said to be missing, broken, short-handed or unguarded."""
    for start, clause in _clauses(text):
        clause = _masked(clause)
        found = _near("police_resources", "gap_words", 8).search(clause)
        if found is not None and _HOME_ADVICE.search(clause):
            found = None  # 'the most common burglary is through an unlocked back door': advice about homes
        if found is None:
            found = table_regex("scarcity_phrases").search(clause) or _SLOW_RESPONSE.search(clause)
        if found is None and (_NOBODY_ON.search(clause) or _ONLY_WHEN.search(clause)):
            found = _nobody_or_only_then(clause)
        if found is None:
            found = _FEW_OR_ELSEWHERE.search(clause)
        if found is None:
            absent = _ABSENT.search(clause)
            when = _WHEN.search(clause) or _FOR_A_WHILE.search(clause)
            found = absent if absent and when and not _NOT_A_GAP.search(clause) else None
        if found is not None:
            yield Match(start + found.start(), start + found.end(),
                        f"a gap in police cover or equipment (“{found.group()}”)")


# Round 9: a tactic as a subject of scrutiny or training, not a plan: 'stop and search figures', '... training'.
_ABOUT_THE_TACTIC = re.compile(r"\s+(?:figures|data|statistics|stats|rates|records|scrutiny|panel|review|results|numbers|forms?"
                               r"|policy|training|powers|complaints|monitoring)\b", re.I)


# 'stop the' and 'stop them' are stops by officers ('we'll stop the vans on the A27 on Friday'), unless what is
# stopped is a plan or a change ('stop the closure', 'stop the cuts') or people are asked to stop it with a
# petition or a campaign ('the petition to stop them').
_STOPPING_A_THING = re.compile(r"\s*(?:[\w'’-]+\s+){0,2}?(?:closures?|cuts?|plans?|development|demolition|sale|sell-off|spread"
                               r"|rise|changes?|proposals?|scheme|building|housing|homes\s+being\s+built|expansion|rot)\b", re.I)
_A_CAUSE_TO_STOP = re.compile(r"\b(?:petition|campaign(?:ing)?|fight(?:ing)?|protest(?:ing)?|lobby(?:ing)?)\b"
                              r"(?:\s+[\w'’-]+){0,3}?\s+to\s*$", re.I)


def planned_tactic(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """A police tactic with the time it will happen, in a sentence that is not about the past."""
    for start, clause in _clauses(text):
        tactic = table_regex("police_tactics").search(clause)
        if tactic is None and _FUTURE.search(clause):
            tactic = table_regex("purpose_tactics").search(clause)
        if tactic is None or _PAST.search(clause) or _EVENT_BEFORE.search(clause, max(0, tactic.start() - 40), tactic.start()):
            continue
        if _ABOUT_THE_TACTIC.match(clause, tactic.end()):
            continue  # 'met to review stop and search figures': the tactic's record, not a plan
        if _STOPPING_A_THING.match(clause, tactic.end()) or _A_CAUSE_TO_STOP.search(clause, 0, tactic.start()):
            continue  # 'sign the petition to stop the closure on Thursday': a cause, not a stop by officers
        when = _WHEN.search(clause)
        if when is not None:
            yield Match(start + tactic.start(), start + tactic.end(),
                        f"a planned “{tactic.group()}” with its time (“{when.group()}”)")


# Round 10: a raid that is not the police's: on the fridge or the biscuit tin, or a crime ('a ram raid at the Co-op',
# 'an armed raid on the post office'), which is news of an offence, not a plan.
_NOT_A_POLICE_RAID = re.compile(
    r"\b(?:fridge|biscuit(?:\s+tin)?|snack|sweet|cupboard|larder|pantry|wardrobe|piggy\s+bank|ram|armed|smash[\s-]and[\s-]grab"
    r"|cash|jewell?ery|jewell?ers['’]?)\s+raid(?:s|ing)?\b"
    r"|\braid(?:s|ed|ing)?\s+(?:the|your|our|my)\s+(?:fridge|biscuit|snack|sweet|cupboard|larder|pantry|wardrobe|piggy|dressing"
    r"|recycling|lost\s+property|archives?)", re.I)


def planned_operation(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """Raids, warrants, covert or plain-clothes work, unless the sentence reports one already done."""
    for start, clause in _clauses(text):
        if clause.rstrip().endswith("?") and _ANSWERED_NO.match(text, start + len(clause.rstrip())):
            continue  # 'Plain clothes? No, we'll be in uniform'
        if _PAST.search(clause) or a_tally(text, clause):
            continue  # done already, or counted among a period's results ('12 arrests (2 wanted on warrant)')
        words = list(table_regex("planned_operation_words").finditer(clause))
        if any(_quoted(clause, found) for found in words):
            continue  # 'the "raid" at the Red Lion was the quiz team raiding the buffet': the writer disowns the word
        for found in words:
            if _NOT_A_POLICE_RAID.search(clause, max(0, found.start() - 30), found.end() + 20):
                continue
            if not _EVENT_BEFORE.search(clause, max(0, found.start() - 40), found.start()):
                yield Match(start + found.start(), start + found.end())


# A raid named as an event already over or as a crime: 'held after the gangmaster raid', 'in custody for the post
# office raid', 'since the raid'.
_EVENT_BEFORE = re.compile(r"\b(?:after|following|since|for|during)\s+(?:the|a|an|last\s+\w+['’]s|yesterday['’]s)\s+"
                           r"(?:(?!(?:we|i|they|you|he|she|it|will|shall|are|is|be|to|then|and|go|going)\b)[\w'’-]+\s+){0,3}?$", re.I)


def _quoted(clause: str, found: re.Match[str]) -> bool:
    before, after = clause[max(0, found.start() - 1):found.start()], clause[found.end():found.end() + 1]
    if before in {'"', "“", "'", "‘"} and after in {'"', "”", "'", "’"}:
        return True
    # Round 9: inside a quoted phrase of a few words: 'the "police raid" on Oak Street', '“drugs raid”'.
    opening = max(clause.rfind('"', max(0, found.start() - 25), found.start()),
                  clause.rfind("“", max(0, found.start() - 25), found.start()))
    if opening < 0 or clause.count('"', 0, opening) % 2:
        return False
    closing = re.match(r'[^"“”.!?]{0,25}?["”]', clause[found.end():])
    return closing is not None


# Round 9: 'Plain clothes? No, we'll be in full uniform': a question the message answers no to.
_ANSWERED_NO = re.compile(r"\s*(?:no|nope|nah|not\s+at\s+all|not\s+this\s+time|definitely\s+not)\b", re.I)


# Round 9: a tracker or camera offered to the public, not the police's own: 'the new tracker scheme', 'fit a tracker
# to your quad', 'free trackers'. Not when the police say they use them ('we've fitted trackers', 'bait').
_OFFERED = re.compile(r"\b(?:your|yours|scheme|free|subsidi[sz]ed|discount\w*|for\s+sale|buy|fit\s+(?:a|one)|get\s+(?:a|one))\b", re.I)
_OURS = re.compile(r"\b(?:we|we['’]ve|we['’]re|we['’]ll|our\s+officers|police\s+have|officers\s+have|bait|hidden|covert|secret"
                   r"|undercover)\b", re.I)


def covert_method(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """Informants, hidden cameras, trackers, bait property, surveillance and where an inquiry is looking."""
    for found in table_regex("covert_methods").finditer(text):
        start, end = sentence_at(text, found.start())
        sentence = text[start:end]
        if _OFFERED.search(sentence) and not _OURS.search(sentence):
            continue  # 'the new tracker scheme', 'fit a tracker to your quad': advice to the public
        if sentence.rstrip().endswith("?") and _ANSWERED_NO.match(text, start + len(sentence.rstrip())):
            continue  # 'Undercover officers? No, we'll all be in uniform
        yield Match(found.start(), found.end(), f"a covert method or source (“{found.group()}”)")


# Someone who would be easy prey, said to be alone, with where they are: 'Mr Clegg at number 6 is blind and lives
# alone', 'the widow at the end cottage is on her own and very frail'.
_ALONE = re.compile(r"\b(?:(?:is|are|['’]s)\s+(?:\w+\s+and\s+)?alone\b|lives?\s+(?:alone|on\s+(?:her|his|their)\s+own|by\s+(?:her|him|them)sel(?:f|ves))"
                    r"|living\s+alone|on\s+(?:her|his|their)\s+own|all\s+alone|by\s+(?:her|him)self"
                    r"|no\s+(?:family|one|body)\s+(?:nearby|checking|to\s+check|around|close\s+by)|nobody\s+checking"
                    r"|(?:has|have|got)\s+no\s+family|never\s+goes\s+out|(?:no\s+one|nobody)\s+visits)\b",
                    re.I)
_VULNERABLE = re.compile(r"\b(?:vulnerable|elderly|frail|housebound|bedbound|disabled|blind|deaf|dementia|confused"
                         r"|widow(?:ed|er)?|old\s+(?:lady|man|boy|girl|fella|chap|gent|gentleman|woman|mr|mrs)|pensioner"
                         r"|in\s+(?:her|his)\s+(?:80s|90s|eighties|nineties)|\b(?:8|9)\d\b|wheelchair|poorly|infirm)",
                         re.I)
_WHERE = re.compile(r"\b(?:at|on|in)\s+(?:the\s+)?(?:(?:number|no\.?)\s*\d|\d{1,4}\b|end\b|corner\b|(?:[\w'-]+\s+){0,2}"
                    r"(?:bungalow|cottage|house|flat|street|road|lane|close|avenue|terrace|farm|estate|block))"
                    r"|\bnext\s+door\b|\bbungalow\b|\bcottage\b|\bflat\s+\d|\b(?:no\.|number)\s*\d"
                   r"|\b(?:at|from)\s+(?-i:(?:[Tt]he\s+)?(?:[A-Z][a-z'’]+\s+){1,2}(?:House|Cottage|Farm|Forge|Lodge|Barn|Mill"
                   r"|Rectory|Vicarage|Grange|Manor|Court|Bungalow|Villa))\b", re.I)


@functools.cache
def _on_named_street() -> re.Pattern[str]:
    """'on Church Walk', 'in Priory Court': a capitalised street name with its type."""
    types = "|".join(sorted((re.escape(t) for t in lexicon()["street_types"]), key=len, reverse=True))
    return re.compile(rf"\b(?:at|on|in|of|from)\s+(?:[A-Z][\w'’-]*\s+){{1,3}}(?i:{types})\b")


def _where(text: str) -> re.Match[str] | None:
    return _WHERE.search(text) or _on_named_street().search(text)
# A home said to stand empty now or soon: 'their house will be empty', 'empty while the owners are abroad'.
_EMPTY_HOME = re.compile(
    r"\b(?:houses?|homes?|flats?|bungalows?|cottages?|place|property|properties|farm|farmhouse|caravans?)\b[^.!?\n]{0,40}?"
    r"\b(?:is|are|will\s+be|'ll\s+be|’ll\s+be|['’]s|has\s+been|have\s+been|stands?|standing|sits|left|being\s+left)"
    r"\s+(?:\w+\s+){0,4}?(?:empty|unoccupied|vacant|unattended)\b"
    r"|\b(?:empty|unoccupied|vacant)\s+(?:while|until|till|whilst|over|since|during|for\s+(?:a|the|two|three|\d+))\b"
    # Round 10: a home told by its address, not a home word: '27 Hyde Park Walk will be empty from 20 Dec'.
    r"|(?:\b\d{1,4}[a-z]?\s+(?:[A-Z][\w'’-]*\s+){1,3}|\b(?:number|no\.?)\s*\d{1,4}\s+)(?:will\s+be|is|['’]s|stands?)\s+(?:\w+\s+){0,2}?"
    r"(?:empty|unoccupied|vacant|unattended)\b",
    re.I)
# People away for a stretch, with their home: 'off to Florida on the 3rd for two weeks, so keep an eye on number 18'.
_AWAY = re.compile(r"\b(?:away|abroad|off\s+to|on\s+holiday|in\s+[A-Z]\w+|going\s+to)\b[^.!?\n]{0,40}?\b(?:for\s+(?:a|one|two|three"
                   r"|four|six|\d+|the|a\s+couple\s+of)\s+(?:weeks?|fortnight|months?|nights)"
                   r"|(?:till|until|til)\s+(?:the\s+(?:\d|end|new\s+year)|next\s+(?:week|month)|(?-i:[A-Z][a-z]+)))\b", re.I)
# Where the key to a home is kept: 'keys under the plant pot', 'spare key is in the meter box'.
_KEY_HIDDEN = re.compile(r"\b(?:spare\s+)?keys?\s+(?:is\s+|are\s+|kept\s+|left\s+|hidden\s+)?(?:under|behind|in|inside)\s+(?:the\s+|a\s+)?"
                         r"(?:mat|doormat|plant\s*pot|flower\s*pot|pot|stone|rock|bin|gnome|meter\s+box|key\s*safe|letterbox)\b", re.I)
_ADVICE = re.compile(r"\b(?:never|don't|dont|do\s+not|avoid|stop|instead\s+of|rather\s+than)\b", re.I)


def _key_hidden(clause: str) -> re.Match[str] | None:
    """Where a key is kept, unless the clause is advice against it ('never leave a key under the mat')."""
    found = _KEY_HIDDEN.search(clause)
    return None if found is None or _ADVICE.search(clause, 0, found.start()) else found


# 'owners are away', 'the family's abroad': said beside their home.
_OWNERS_AWAY = re.compile(r"\b(?:owners?|family|they|neighbours?|residents?|couple)\s*(?:are|is|['’]s|['’]re|will\s+be|['’]ll\s+be)"
                          r"\s+(?:\w+\s+)?(?:away|abroad|on\s+holiday)\b", re.I)
_THEIR_HOME = re.compile(r"\b(?:house|home|flat|bungalow|cottage|farm|farmhouse|place|property|number\s+\d+|no\.?\s*\d+)\b", re.I)
_LOOKS_EMPTY = re.compile(r"\b(?:look|looks|looking|appear|appears|seem|seems)\s+(?:\w+\s+)?(?:empty|unoccupied)", re.I)


def vulnerable_alone(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """Someone vulnerable said to be alone, with where they are (a house number, a street, the end bungalow)."""
    previous = ""
    for start, clause in _clauses_whole(text):
        alone = _ALONE.search(clause)
        # Where they are may be told just before: 'Has anyone seen Mr Ellis from Flat 2? He's 79 and lives alone.'
        if alone is not None and _VULNERABLE.search(clause) and (_where(clause) or _where(previous)):
            yield Match(start + alone.start(), start + alone.end(),
                        f"a vulnerable person said to be alone (“{alone.group()}”) with where they are")
        previous = clause


# Round 10: advice to the reader about their own home, if it will be empty: 'If your home will be empty over
# Christmas, leave a radio on', 'when you're away for a fortnight, cancel the milk'.
_IF_YOURS = re.compile(r"\b(?:if|when|whenever|before|while|whilst|once)\s+(?:your|you|you['’]re|you['’]ll|you\s+are|you\s+will)\b",
                       re.I)


def empty_home(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """A home said to stand empty now or soon; advice that a home should not *look* empty is left alone."""
    for start, clause in _clauses_whole(text):
        found = _EMPTY_HOME.search(clause) or _key_hidden(clause)
        if found is None and _THEIR_HOME.search(clause):
            found = _AWAY.search(clause) or _OWNERS_AWAY.search(clause)
        asked = clause.rstrip().endswith("?")  # 'Home empty over Christmas? Leave a light on a timer.' is advice
        if found is not None and _IF_YOURS.search(clause, 0, found.end()):
            continue  # advice to the reader about their own home
        if found is not None and not _LOOKS_EMPTY.search(clause) and not _PAST.search(clause) and not asked:
            yield Match(start + found.start(), start + found.end(), f"a home left empty (“{found.group()}”)")


def _clauses_whole(text: str) -> Iterator[tuple[int, str]]:
    for start, end in sentence_spans(text, clauses=False):
        yield start, text[start:end]


DETECTORS: dict[str, tuple[Detector, bool]] = {
    "vulnerable_alone": (vulnerable_alone, False),
    "empty_home": (empty_home, False),
    "resource_gap": (resource_gap, False),
    "planned_operation": (planned_operation, False),
    "planned_tactic": (planned_tactic, False),
    "covert_method": (covert_method, False),
}

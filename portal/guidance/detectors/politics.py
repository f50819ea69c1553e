"""Political content by context: parties, votes, petitions, campaigns, and taking sides about politicians.

A single word is not enough: "vote for our team in the community awards" is an
everyday request, and "Green" is also a street and a surname. A party is a party when
it is written as one; a vote is political unless the message is about an award; a
politician (by office or by name) or a political issue (Brexit, strikes, an immigration
bill, a low traffic neighbourhood) is only a problem when the sentence takes a side; a
slogan ("Free …", "Scrap the …", "Tories out") opens a sentence.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from portal.guidance.detectors.base import Detector, Match, has, lexicon, sentence_at, sentence_spans, table_regex


@functools.cache
def _ambiguous_party() -> re.Pattern[str]:
    words = "|".join(lexicon()["ambiguous_parties"])
    nouns = "|".join(lexicon()["political_nouns"])
    return re.compile(
        rf"(?P<voted>\bvot(?:e|es|ed|ing)\s+(?:for\s+)?)(?P<a>{words})\b"
        rf"|\b(?P<b>{words})(?:'s)?\s+(?:{nouns})\b"
        rf"|\b(?P<c>Labour|Conservative)\b(?!\s+(?:Club|club|ward|Ward|market|Market|costs|shortage|camp|Day|day))"
        # Round 10: inside a body's capitalised name ('the Gangmasters and Labour Abuse Authority'), not the party.
        rf"(?!(?-i:\s+[A-Z][a-z]+){{0,2}}\s+(?-i:Authority|Agency|Commission|Exchange|Organisation|Organization|Inspectorate"
        rf"|Tribunal|Ombudsman|Standards|Relations)\b)",
        re.I,
    )


_NOT_THE_PARTY = re.compile(r"['’]?s?\s+(?:[\w-]+\s+)?(?:society|club|allotments?|association|choir|band|team|fc|cricket"
                            r"|bowls|darts)\b", re.I)


def political_party(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """A political party named as one (Labour, the Lib Dems, vote Green; not Green Lane or Mrs Green)."""
    for found in table_regex("parties").finditer(text):
        if _NOT_THE_PARTY.match(text, found.end()):
            continue  # 'the Greens' allotment society', 'Labour Club quiz': a club or society of that name
        yield Match(found.start(), found.end(), f"the party “{found.group()}”")
    for found in _ambiguous_party().finditer(text):
        name = next(found.group(g) for g in ("a", "b", "c") if found.group(g))
        if found.group("c") and not found.group("c")[0].isupper():
            continue
        if found.group("b") and name[0].islower() and found.group("b").lower() in {"green", "reform"}:
            continue
        start = found.start("a") if found.group("a") else found.start()
        yield Match(start, start + len(name), f"the party “{name}”")


_ANY_VOTE = re.compile(r"\b(?:whoever|whichever\s+(?:party|candidate|way)|however|no\s+matter\s+(?:who|how))\s+(?:you|they|we"
                       r"|people|residents)\s+(?:\w+\s+)?vote\s+for\b|\b(?:whoever|however)\s+(?:you|they|we)\s+vote\b", re.I)


def political_campaigning(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """Asking people to vote, sign a petition or join a campaign, unless the vote is for an award."""
    awards = has("award_cues", text) and not has("election_cues", text) and not has("parties", text)
    if not awards:
        for found in table_regex("vote_phrases").finditer(text):
            if re.match(r"\s+of\b", text[found.end():]):
                continue  # 'get them out of the relegation zone' is not an election
            if _ANY_VOTE.search(text, max(0, found.start() - 30), found.end()):
                continue  # 'everyone welcome, whoever you vote for': no side taken
            if _vote_for_an_award(text, found):
                continue  # 'vote for our team in the community awards, and the polling station is closed'
            yield Match(found.start(), found.end(), f"asking people to vote (“{found.group()}”)")
    found_any = False
    for found in table_regex("campaign_phrases").finditer(text):
        found_any = True
        if (police_campaign(text, found.start()) or _CIVIC_ACTION.match(text, found.end()) or _a_behaviour_asked(text, found.start())
                or _a_skills_demo(text, found)
                or _WITH_THE_PUBLIC.match(text, found.end())):
            continue
        yield Match(found.start(), found.end(), f"a petition or campaign (“{found.group()}”)")
    if not found_any:
        joining = _asked_to_join().search(text)
        if joining is not None and _THE_MONTH_MARCH.search(joining.group()):
            joining = None  # 'we will come back in March': the month, not a march
        if joining is not None:
            yield Match(joining.start(), joining.end(), f"asking people to join a campaign (“{joining.group()}”)")


# Round 10: 'March' the month ('back in March', 'on 3 March', 'March 2025'), not a march.
_THE_MONTH_MARCH = re.compile(r"\b(?:in|on|by|from|until|till|since|of|early|late|mid|next|this|last|end\s+of)\s+(?-i:March)\b"
                              r"|(?-i:\bMarch)\s+(?:\d|the\s+\d)|\d(?:st|nd|rd|th)?\s+(?-i:March)\b", re.I)
# Round 10: a campaign that asks everyone for a habit ('campaigning for everyone to keep dropped kerbs clear'), not for a
# vote, a signature or a stand against a decision.
_BEHAVIOUR_ASKED = re.compile(r"\bfor\s+(?:everyone|everybody|people|drivers|motorists|residents|parents|cyclists|riders|shoppers"
                              r"|dog\s+owners|all\s+of\s+us|you\s+all)\s+to\s+(?!(?:vote|sign|back|support|oppose|join|protest|write|lobby"
                              r"|demand|stand|fight|march|petition|email|tell)\b)[a-z]+", re.I)


# Round 10: a demo that shows a skill ('the drone team doing a demo at the show'), not a demonstration.
_SKILLS_DEMO = re.compile(r"\b(?:doing|do|does|give|gives|giving|gave|did|put\s+on|putting\s+on|watch|see)\s+(?:a|the|their|our)\s+"
                          r"(?:[\w-]+\s+)?demo\b|\bdemo\s+(?:of|team|day|session|sessions)\b", re.I)


def _a_skills_demo(text: str, found: re.Match[str]) -> bool:
    if "demo" not in found.group().lower():
        return False
    start, end = sentence_at(text, found.start())
    return _SKILLS_DEMO.search(text, start, end) is not None


def _a_behaviour_asked(text: str, position: int) -> bool:
    start, end = next(((s, e) for s, e in sentence_spans(text, clauses=False) if s <= position < e), (0, len(text)))
    sentence = text[start:end]
    political = any(has(table, sentence) for table in ("parties", "election_cues", "political_issues", "politicians"))
    return not political and _BEHAVIOUR_ASKED.search(sentence) is not None


def _vote_for_an_award(text: str, found: re.Match[str]) -> bool:
    """The vote's own words name an award ('vote for our team in the community awards'), with no party or
    election between them: a polling-station notice elsewhere in the message does not make it political."""
    if has("parties", found.group()) or has("election_cues", found.group()):
        return False
    start, end = sentence_at(text, found.start())
    after = text[found.end():min(end, found.end() + _AWARD_REACH)]
    cue = table_regex("award_cues").search(after)
    if cue is not None:
        between = after[:cue.start()]
        return not has("parties", between) and not has("election_cues", between)
    before = text[max(start, found.start() - _AWARD_REACH):found.start()]
    cues = list(table_regex("award_cues").finditer(before))
    if not cues:
        return False
    between = before[cues[-1].end():]
    return not has("parties", between) and not has("election_cues", between)


#: How far from the vote its award may be named (about a dozen words).
_AWARD_REACH = 80


# A campaign whose aim is a job of work, not a cause: 'the campaign to tidy up the towpath', 'campaign to raise money
# for the air ambulance'. Checked on the words straight after 'campaign to/for', so 'campaign to stop the closure' stays.
_CIVIC_ACTION = re.compile(r"\s+(?:(?:to|for)\s+)?(?:(?:help|get|us)\s+)?(?:tidy|clean|pick\s+up|clear|litter|plant|paint|raise\s+(?:money|funds)"
                           r"|fundrais\w*|collect|recruit|find\s+volunteers|volunteers|spruce|brighten)\w*\b", re.I)


# Officers who 'stand with you' or show 'solidarity with the community' take the public's side, not a cause's.
_WITH_THE_PUBLIC = re.compile(r"\s+(?:you|you\s+all|everyone|all\s+of\s+you|the\s+community|our\s+communit(?:y|ies)|victims"
                              r"|the\s+victims?|the\s+family|residents)\b", re.I)


# Round 10: a campaign to change the law is political even when its subject is a crime ('sign the petition to make pet
# theft a specific offence with tougher sentences').
_LAW_CHANGE = re.compile(r"\b(?:make\s+(?:[\w'’-]+\s+){1,3}?(?:a\s+)?(?:specific\s+|separate\s+|criminal\s+)?offence|change\s+the\s+law"
                         r"|new\s+law|tougher\s+(?:sentences|penalties|laws?)|longer\s+sentences|harsher\s+sentences|ban\s+on"
                         r"|legislation|parliament|the\s+bill)\b", re.I)


def police_campaign(text: str, position: int) -> bool:
    """'Our campaign against drink spiking continues': the police's own prevention work, not politics."""
    for start, end in sentence_spans(text):
        if start <= position < end:
            sentence = text[start:end]
            political = any(has(table, sentence) for table in ("parties", "election_cues", "political_issues",
                                                                "politicians"))
            return has("police_campaign_topics", sentence) and not political and not _LAW_CHANGE.search(sentence)
    return False


@functools.cache
def _asked_to_join() -> re.Pattern[str]:
    """'Support the Stop the Incinerator campaign', 'proud to see you at the demo': a verb, then the campaign."""
    verbs, nouns = table_regex("campaign_verbs").pattern, table_regex("campaign_nouns").pattern
    return re.compile(rf"{verbs}(?:\W+[\w'’-]+){{0,8}}?\W+{nouns}", re.I)


def _politicians_in(sentence: str) -> re.Match[str] | None:
    """An office (the PM, our MP) or a well-known politician's name, capitalised as names are (not 'trump card')."""
    named = next((m for m in table_regex("politician_names").finditer(sentence) if m.group()[0].isupper()), None)
    return table_regex("politicians").search(sentence) or named


def _stance_in(sentence: str) -> re.Match[str] | None:
    for table in ("stance_cues", "evaluative_words", "opinion_markers"):
        found = table_regex(table).search(sentence)
        if found is not None:
            return found
    return None


# A national or local policy by its kind: 'the inheritance tax', 'the winter fuel cut', 'the two child cap', 'the bedroom tax'.
# Schemes and plans are left out: 'the bike marking scheme is brilliant' is the police's own work.
_POLICY = re.compile(r"\b(?:tax|taxes|tax\s+rise|cap|cuts?|levy|allowance)\b(?!\s+(?:disc|return|office|band|refund|rebate|code|credit"
                     r"|year))"
                     r"|\b(?:government|immigration|asylum|housing|welfare|benefits?|energy|drugs?|planning|foreign|economic)"
                     r"\s+polic(?:y|ies)\b", re.I)
_CEREMONY = re.compile(r"\b(?:present(?:s|ed|ing)?|open(?:s|ed|ing)?|hand(?:s|ed|ing)?\s+out|judg(?:e|es|ed|ing)"
                       r"|cut(?:s|ting)?\s+the\s+ribbon)\s+(?:the\s+|our\s+|a\s+)?(?:[\w'’-]+\s+){0,3}?(?:awards?|prizes?|fete|f[eê]te"
                       r"|gala|show|medals?|certificates?|cups?|trophy|trophies)\b", re.I)


# A public body's decision by its shape, a verb of change on a public service: 'closing the library', 'the cuts to
# the bus service', 'selling off the playing fields', 'bringing back the 30mph limit', 'the housing plans for'.
_SERVICES = (r"librar(?:y|ies)|bus\s+(?:service|route)s?|buses|hospitals?|a\s*&\s*e|maternity\s+unit|fire\s+stations?"
             r"|police\s+stations?|youth\s+(?:club|centre|service)s?|school\s+meals|schools?|playing\s+fields?|green\s+fields"
             r"|green\s+belt|leisure\s+centres?|swimming\s+pools?|post\s+offices?|day\s+centres?|care\s+homes?"
             r"|children['’]s\s+centres?|sure\s+start|street\s*lights|bin\s+collections?|speed\s+limits?|\d+\s*mph(?:\s+limit)?"
             r"|council\s+houses|benefits?|pensions?|allowances?|funding|grants?|budgets?|officers|pcsos|police\s+numbers"
             r"|services|council\s+tax|bus\s+passes|free\s+parking|parking|(?:the\s+)?nhs|railways?|royal\s+mail")
_PUBLIC_DECISION = re.compile(
    rf"\b(?:clos(?:e|es|ed|ing)|closure\s+of|cut(?:s|ting)?(?:\s+(?:to|in|back))?|sell(?:ing)?\s+off|sell-off\s+of|sold\s+off"
    rf"|scrap(?:s|ping|ped)?|end(?:s|ing|ed)|ax(?:e|es|ing|ed)|shut(?:s|ting)?(?:\s+down)?|bring(?:ing)?\s+back|brought\s+back"
    rf"|introduc(?:e|es|ed|ing)|rais(?:e|es|ed|ing)|privatis\w+|downgrad\w+|merg(?:e|ing|er\s+of)|withdraw\w*|reduc(?:e|ed|ing|tion\s+in))"
    rf"\s+(?:of\s+)?(?:the\s+|our\s+|a\s+|free\s+|local\s+|its\s+|their\s+)?(?:[\w'’-]+\s+){{0,2}}?(?:{_SERVICES})\b"
    rf"|\b(?:housing|development|building|the\s+council['’]?s?|incinerator|new\s+homes)\s+(?:plans?|proposals?|scheme)\b"
    rf"|\b(?:reject\w*|approv\w*|block\w*|refus\w*|pass(?:ed|ing)?|push\w*\s+through|vot\w+\s+(?:for|against|down))\s+"
    rf"(?:the\s+|their\s+|its\s+)?(?:[\w'’-]+\s+){{0,3}}?(?:plans?|proposals?|bill|planning\s+application|development)\b"
    rf"|\b(?:{_SERVICES})\s+(?:gets?|got|is|are|was|were|being|been|has\s+been|have\s+been|keeps?\s+getting)?\s*(?:\w+\s+)?"
    rf"(?:cut|closed|closes|closing|shut|shuts|shutting|axed|scrapped|sold\s+off|slashed|downgraded|privati[sz]ed|run\s+down"
    rf"|starved)\b"
    rf"|\b(?:spent|spending|spends|wasted|wasting|blew|splashed)\s+£\s?\d[\d.,]*\s*(?:m|k|bn|million|billion|grand)?\s+on\b", re.I)
# Protest and those who protest: 'those protesters want locking up' (a march or a rally may be a parade's).
_PROTEST = re.compile(r"\b(?:protesters|protestors|demonstrators|activists|campaigners|the\s+protest|the\s+picket)\b", re.I)
# A strike by the workers who strike: 'good on the junior doctors for walking out', 'the bin strike'.
# 'They're right to walk out', 'wrong to strike in exam week': a strike judged in so many words.
_STRIKE_JUDGED = re.compile(r"\b(?:right|wrong|justified|entitled)\s+to\s+(?:strike|walk\s+out|take\s+industrial\s+action"
                            r"|go\s+on\s+strike|down\s+tools)\b", re.I)
_STRIKE = re.compile(
    r"\b(?:doctors|nurses|teachers|lecturers|bin\s*men|rail\s+workers|train\s+drivers|bus\s+drivers|posties|postal\s+workers"
    r"|firefighters|paramedics|midwives|care\s+workers|council\s+workers|workers|unions?|dockers|porters|cleaners|guards"
    r"|conductors|pilots|cabin\s+crew|barristers|civil\s+servants|refuse\s+collectors|binmen|staff)\b[^.!?]{0,50}?"
    r"\b(?:strike|strikes|striking|walk(?:ing|ed)?\s+out|walkouts?|industrial\s+action|picket\w*)\b"
    r"|\b(?:strike|strikes|striking|walkouts?|industrial\s+action)\b[^.!?]{0,30}?"
    r"\b(?:doctors|nurses|teachers|lecturers|bin\s*men|rail\s+workers|drivers|posties|firefighters|paramedics|midwives|unions?)\b",
    re.I)


# Those in power named by what they are, not by office: 'this government', 'the current council leadership', 'your lot'.
_IN_POWER = re.compile(r"\b(?:this|the\s+current|the\s+last)\s+(?:government|administration|council(?:\s+leadership)?)\b"
                       r"|\bcouncil\s+leadership\b|\b(?:the\s+)?administration\b|\byour\s+lot\b|\btheir\s+lot\b", re.I)
# Round 9: 'the people running this country', 'those in power', 'the lot in Westminster', 'Keir's lot'; tried only when
# a word of _IN_CHARGE_TOKENS is in the sentence.
_IN_CHARGE = re.compile(r"\b(?:the\s+)?(?:people|ones|folk|lot|bunch|shower|clowns|idiots)\s+(?:running|in\s+charge\s+of|who\s+run"
                       r"|that\s+run)\s+(?:this|the|our)\s+(?:country|county|city|town)\b"
                       r"|\b(?:those|the\s+people|the\s+ones)\s+in\s+(?:power|charge\s+(?:of\s+the\s+country|at\s+the\s+top)|government)\b"
                       r"|\bthe\s+powers\s+that\s+be\b|\bthe\s+(?:political\s+class|establishment|elites?)\b"
                       r"|\b(?:this|that|the)\s+(?:lot|bunch|shower|gang|mob)\s+(?:in|at)\s+(?:power|westminster|downing\s+street|no\.?\s*10"
                       r"|number\s+10|charge|county\s+hall|city\s+hall|the\s+town\s+hall|the\s+council)\b"
                       r"|(?-i:\b[A-Z][a-z]+)['’]s\s+(?:lot|mob|gang|cronies|government|cabinet|crew)\b", re.I)
_IN_CHARGE_TOKENS = frozenset("running run charge power powers class establishment elite elites lot bunch shower gang mob cronies"
                              " government cabinet crew".split())
# 'Thanks to this government's cuts': thanks that lay blame on a policy (not 'thanks to the council for the lights').
# Round 9: thanks that are not thanks, to those in power beside a cut: 'another budget cut, cheers Westminster'.
_SARCASTIC_THANKS = re.compile(
    r"\b(?:cheers|thanks|thank\s+you|nice\s+one|well\s+done|good\s+job|great\s+job|cracking\s+job)\s*,?\s+(?:westminster|whitehall"
    r"|downing\s+street|no\.?\s*10|number\s+10|the\s+government|government|the\s+treasury|the\s+home\s+office|home\s+office"
    r"|(?:the\s+)?council|(?:the\s+)?(?:pm|chancellor|mayor))\b", re.I)
_A_CUT = re.compile(r"\bcuts?\b|\bno\s*money\b|\bcutbacks?\b|\bslashed\b|\baxed\b|\bclos(?:ed|ing|ure)\b", re.I)
_BITTER_THANKS = re.compile(r"\bthanks\s+to\s+(?:this|the|their|your|our)\s+(?:[\w'’-]+\s+)?(?:(?:government|council|tory|labour)['’]s\s+)?"
                            r"(?:cuts|policies|austerity|reforms)\b", re.I)


# Voters and votes judged: 'anyone who voted for Brexit can't moan', 'proud that our town voted to stay in', 'won't be
# shedding any tears if the council leader loses his seat'.
_VOTE_OPINION = re.compile(
    r"\b(?:anyone|anybody|everyone|people|those|all\s+those|folk|idiots|muppets|whoever)\s+(?:who|that)\s+voted\s+"
    r"(?:for|against|to|leave|remain|yes|no|tory|labour|reform)\b"
    r"|\b(?:proud|glad|happy|sad|gutted|ashamed|delighted|relieved|disappointed|embarrassed)\s+(?:that\s+)?(?:\w+\s+){0,3}?"
    r"voted\s+(?:to|for|against|leave|remain|yes|no)\b"
    r"|\b(?:los(?:e|es|t|ing)|keeps?|kept|hangs?\s+on\s+to)\s+(?:his|her|their)\s+seats?\b", re.I)
# Those who decide for the public, judged: 'the parish council have got it completely wrong', 'the councillors who
# voted for it should be ashamed'.
_THANKS = re.compile(r"\bthank(?:s|\s+you)\b", re.I)
_PUBLIC_BODY = re.compile(r"\b(?:(?:the|our|parish|town|county|district|city|borough)\s+council(?:lors)?|the\s+cabinet"
                          r"|(?:the\s+)?people\s+who\s+voted\s+for\s+it|those\s+who\s+voted\s+for\s+it)\b", re.I)
_CONDEMNED = re.compile(r"\blost\s+the\s+plot\b|\bgot\s+it\s+(?:\w+\s+)?wrong\b|\bshould\s+be\s+ashamed\b|\bshame\s+on\b|\bsold\s+(?:us|the\s+town)"
                        r"\s+out\b|\bstitch(?:ed)?[- ]up\b|\bbetray(?:ed|al)\b", re.I)


# Round 9: a side taken on a policy by its shape, with no party or politician named.
# What a government or council decides: taxes, caps, benefits, zones, systems, laws and the services it runs.
_POLICY_NOUNS = (r"(?:caps?|tax(?!\s+(?:disc|return|refund|rebate|office|band|code|credit|year))|taxes|vat|duty|levy|benefits?|allowances?|pensions?|tuition\s+fees|fees|zones?|ulez|ltns?"
                 r"|(?:holiday|short)[- ]lets|second\s+homes|railways?|trains|rail|water\s+companies|energy\s+companies|utilities"
                 r"|royal\s+mail|house\s+of\s+lords|lords|monarchy|royals|rich|billionaires|school\s+meals|nhs|privatisation"
                 r"|austerity|academies|private\s+schools|fracking|hs2|borders?|foreign\s+aid|aid\s+budget|universal\s+credit"
                 r"|fuel\s+duty|net\s+zero|smart\s+motorways?|cycle\s+lanes?|bus\s+lanes?|congestion\s+charge|licence\s+fee"
                 r"|student\s+loans?|bus\s+passes|free\s+travel|prescriptions|prescription\s+charges|minimum\s+wage|zero[- ]hours?(?:\s+contracts?)?|rent\s+controls?|evictions|badger\s+cull"
                 r"|windfall\s+\w+|bonuses|mps['’]?\s+pay|protest\s+laws?|(?:the|this|that)\s+[\w-]+\s+bill|votes\s+at\s+16"
                 r"|(?:benefits?|welfare|asylum|immigration|justice|tax|honours|voting|electoral|care|planning|prison|education)"
                 r"\s+system)")
# A demand opening a sentence: 'End the two child benefit cap', 'Nationalise the railways', 'Tax the rich', 'Ban holiday
# lets now'. Not 'Stop the spread of scams', 'Save the date', 'Cut your speed', 'Free bike marking'.
_DEMAND = re.compile(
    r"\s*(?:end|ban|scrap|abolish|(?:re-?)?nationali[sz]e|axe|tax|legali[sz]e|defund|raise|lower|cut|bring\s+back|stop"
    r"|save|reverse|repeal|rejoin|privati[sz]e|freeze|slash|double|halve|restore|reinstate)\s+(?!your\b|my\b|yours\b)"
    r"(?:the\s+|our\s+|all\s+|every\s+)?(?:[\w'’-]+\s+){0,3}?" + _POLICY_NOUNS + r"\b"
    # 'Free school meals for every child now' (not 'Free school meals vouchers can be collected').
    r"|\s*free\s+(?:[\w'’-]+\s+){0,3}?" + _POLICY_NOUNS + r"\s+(?:now|for\s+(?:all|every\w*))\b", re.I)
# A policy judged: 'Votes at 16 is a terrible idea', 'the asylum system is broken', 'the benefits system rewards people
# for doing nothing', 'the new parking rules are a cash grab', 'whoever came up with the new rules wants their head
# testing', '... should be spent on our own people first'.
_POLICY_JUDGED = re.compile(
    r"\b(?:" + _POLICY_NOUNS + r"|the\s+new\s+(?:[\w-]+\s+){0,2}?(?:rules|laws?|regulations|charges?|tax|zone|limits?)|the\s+(?:mayor|council|government|minister|home\s+office)['’]s\s+(?:[\w-]+\s+){0,2}?(?:scheme|plans?"
    r"|charges?|zone|tax|polic(?:y|ies)|decision|rules))\b[^.!?]{0,40}?\b(?:is|are|was|were|['’]s|['’]re|has\s+been|seems)\s+"
    r"(?:just\s+|nothing\s+but\s+|clearly\s+|totally\s+|completely\s+|an?\s+)*(?:(?:terrible|awful|stupid|daft|mad|bad"
    r"|ridiculous|insane|bonkers|idiotic|crazy|dreadful|rubbish)(?:\s+idea)?|con|scam|cash\s+grab|stealth\s+tax|joke|farce|shambles"
    r"|nonsense|disaster|rip-?off|daylight\s+robbery|broken|rigged|a\s+mess|failing|bust|unfair|theft|robbery|madness)\b"
    r"|\bthe\s+(?:benefits?|welfare|asylum|immigration|justice|tax|honours|care|prison)\s+system\s+(?:just\s+)?(?:rewards|punishes"
    r"|favours|lets\s+(?:them|people|anyone)|is\s+a\s+soft\s+touch)\b"
    r"|\b(?:whoever|the\s+(?:person|people|idiot|genius|clown)s?\s+who)\s+(?:came\s+up\s+with|decided\s+on|thought\s+up|signed\s+off"
    r"|dreamt\s+up|approved)\s+(?:the\s+|this\s+|these\s+)?(?:new\s+)?(?:[\w-]+\s+){0,2}?(?:rules|laws?|polic(?:y|ies)"
    r"|regulations|charges?|tax|zone|limits?|scheme|cuts)\b[^.!?]{0,30}?\b(?:wants?|needs?)\s+(?:their|his|her)\s+heads?\s+"
    r"(?:testing|tested|examining|examined|looking\s+at)"
    r"|\b(?:spent|spend|spending|look\s+after|looking\s+after|help|helping)\s+(?:it\s+)?(?:on\s+)?our\s+own\s+(?:people\s+)?first\b"
    r"|\bour\s+own\s+people\s+first\b"
    r"|\b(?:" + _POLICY_NOUNS + r")\s+(?:should|must|needs\s+to|has\s+to)\s+(?:be\s+)?(?:scrapped|abolished|banned|axed|ended|cut"
    r"|stopped|nationali[sz]ed|privati[sz]ed|brought\s+back|reversed|spent\s+on|go|goes)\b",
    re.I)
# A public body's priorities mocked: 'Interesting how the council found money for new offices but not the potholes'.
_MONEY_BUT_NOT = re.compile(
    r"\b(?:council|government|mayor|ministers?|westminster|they|the\s+powers\s+that\s+be)\b[^.!?]{0,30}?\b(?:found|find|finds"
    r"|can\s+find|could\s+find|has|have|had|always\s+has|there['’]?s)\s+(?:the\s+|plenty\s+of\s+|enough\s+)?(?:money|cash|funds"
    r"|funding|millions|budget|£[\d.,]+\w*)\s+for\b[^.!?]{0,60}?\bbut\s+(?:not|never|no|none)\b", re.I)
# An election to come used to tell people how to vote: 'time for a change at the top, come May', 'remember this at the
# ballot box', 'kick them out at the next election'.
_AT_THE_POLLS = re.compile(
    r"\b(?:time\s+for\s+(?:a\s+)?change|kick\s+(?:them|\w+)\s+out|boot\s+(?:them|\w+)\s+out|get\s+(?:them|\w+)\s+out|send\s+(?:them\s+)?"
    r"a\s+message|remember\s+(?:who|what\s+(?:they|he|she)|how\s+(?:they|he|she))|show\s+them|punish\s+them|make\s+them\s+pay|teach\s+them\s+a\s+lesson)\b[^.!?]{0,40}?"
    r"\b(?:come\s+(?:may|polling\s+day|the\s+election|election\s+time)|at\s+the\s+(?:ballot\s+box|polls|next\s+election|election)"
    r"|on\s+polling\s+day|next\s+(?:may|election|time\s+you\s+vote)|(?:when\s+you['’]re\s+|when\s+you\s+are\s+)?in\s+the"
    r"\s+polling\s+booth|at\s+the\s+polling\s+station|when\s+you\s+vote)\b"
    r"|\b(?:come\s+(?:may|polling\s+day|the\s+election)|at\s+the\s+(?:ballot\s+box|next\s+election)|on\s+polling\s+day)\b[^.!?]{0,40}?"
    r"\b(?:time\s+for\s+(?:a\s+)?change|kick\s+(?:them|\w+)\s+out|boot\s+(?:them|\w+)\s+out|get\s+(?:them|\w+)\s+out|send\s+(?:them\s+)?"
    r"a\s+message|remember\s+(?:who|what\s+(?:they|he|she)|how\s+(?:they|he|she))|show\s+them|punish\s+them|make\s+them\s+pay)\b", re.I)


# The words without one of which _POLICY_JUDGED cannot match: a set test is cheaper than a pattern tried at every letter.
_JUDGED_TOKENS = frozenset("""terrible awful stupid daft mad bad ridiculous insane bonkers idiotic crazy dreadful rubbish con scam
    grab stealth joke farce shambles nonsense disaster rip ripoff robbery broken rigged mess failing bust unfair theft madness
    system head heads own should must needs has""".split())
_TOKEN = re.compile(r"[a-z]+")
_POLLS_GATE = re.compile(r"may|polling|election|ballot|polls|vote", re.I)


def _policy_side(sentence: str) -> re.Match[str] | None:
    """A side taken on a policy by its shape: a demand, a verdict on it, money mocked, or how to vote next time.

    Each pattern is tried only when a cheap test finds a word it cannot match without."""
    demand = _DEMAND.match(sentence)
    if demand is not None:
        return demand
    lowered = sentence.lower()
    judged = _POLICY_JUDGED.search(sentence) if not _JUDGED_TOKENS.isdisjoint(_TOKEN.findall(lowered)) else None
    if judged is not None:
        return judged
    if " but " in lowered and any(word in lowered for word in ("money", "cash", "fund", "million", "budget", "£")):
        mocked = _MONEY_BUT_NOT.search(sentence)
        if mocked is not None:
            return mocked
    return _AT_THE_POLLS.search(sentence) if _POLLS_GATE.search(sentence) else None


def _verdict_on_public_affairs(sentence: str, politicians: re.Match[str] | None,
                               issues: re.Match[str] | None) -> tuple[re.Match[str], re.Match[str]] | None:
    """A public decision or a strike with a verdict on it, or a politician with blame laid on them.

    politicians and issues are what _politicians_in and the political_issues table found in the sentence
    (political_stance has looked already), so they are not searched for again.
    """
    lowered = sentence.lower()
    votes = _VOTE_OPINION.search(sentence) if "vot" in lowered or "seat" in lowered else None
    if votes is not None and (has("award_cues", sentence) or _THANKS.search(sentence)):
        votes = None  # 'thanks to everyone who voted for us in the community awards'
    if votes is not None and (not votes.group().lower().startswith(("lo", "keep", "kept", "hang"))
                              or table_regex("verdict_words").search(sentence) or _stance_in(sentence)):
        return votes, votes
    condemned = _CONDEMNED.search(sentence) if "council" in lowered or "cabinet" in lowered or "voted" in lowered else None
    body = _PUBLIC_BODY.search(sentence) if condemned is not None else None
    if body is not None and condemned is not None:
        return body, condemned
    judged_strike = _STRIKE_JUDGED.search(sentence)
    if judged_strike is not None:
        return judged_strike, judged_strike
    issue = (_PUBLIC_DECISION.search(sentence) or _STRIKE.search(sentence) or _PROTEST.search(sentence)
             or issues)
    if issue is not None:
        verdict = table_regex("verdict_words").search(sentence) or _stance_in(sentence)
        if verdict is not None:
            return issue, verdict
    politician = politicians or _IN_POWER.search(sentence)
    if politician is None and not _IN_CHARGE_TOKENS.isdisjoint(_TOKEN.findall(lowered)):
        politician = _IN_CHARGE.search(sentence)
    if politician is not None:
        blame = table_regex("blame_cues").search(sentence) or table_regex("verdict_words").search(sentence)
        if blame is not None:
            return politician, blame
    thanks = _BITTER_THANKS.search(sentence)
    if thanks is not None:
        return thanks, thanks
    cheers = _SARCASTIC_THANKS.search(sentence)
    if cheers is not None and _A_CUT.search(sentence):
        return cheers, cheers
    side = _policy_side(sentence)
    return (side, side) if side is not None else None


def _side_taken(sentence: str) -> re.Match[str] | None:
    """An opinion, blame or praise; not a bare 'well done to all of them', which congratulates anyone."""
    return _stance_in(sentence) or table_regex("blame_cues").search(sentence)


# A sentence that opens as the writer's own view goes with the politician named just before it ('… the mayor's
# decision. For what it's worth I think it's a terrible one.').
_OWN_VIEW = re.compile(r"\s*(?:(?:and|but|so)\s+)?(?:for\s+what\s+it['’]?s\s+worth|i\s+(?:think|reckon|feel)|personally"
                       r"|if\s+you\s+ask\s+me|in\s+my\s+(?:view|opinion)|between\s+(?:us|you\s+and\s+me)|imo|tbh"
                       r"|to\s+be\s+honest|honestly)\b", re.I)


_DASH_BEFORE = re.compile(r"[-–]|\.\.|…")


def _follows_on(text: str, previous_end: int, start: int, end: int) -> bool:
    """A clause after a dash, or a verdict of a few words that opens with it ('Best decision in years.'), goes with
    the sentence before ('The cakes were brilliant.' has a subject of its own)."""
    if re.search(r"[-–]|\.\.|…", text[max(0, previous_end - 3):start]):
        return True
    sentence = text[start:end]
    if _OWN_VIEW.match(sentence):
        return True
    verdict = _side_taken(sentence)
    return len(sentence.split()) <= 4 and verdict is not None and not sentence[:verdict.start()].strip()


def political_stance(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """A politician, the government or a political issue in a sentence that takes a side.

    A politician named in one sentence or clause and judged in a short one straight after ('Lovely to welcome Cllr
    Shah - a true champion for this ward') counts as one.
    """
    previous: tuple[int, tuple[int, int, str] | None] = (0, None)
    previous_sentence: tuple[int, str] | None = None  # where a strike or decision may be, looked for only when needed
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        # Each searched for once per sentence, here, and handed on to _verdict_on_public_affairs.
        politician = _politicians_in(sentence)
        issues = table_regex("political_issues").search(sentence)
        who = politician or issues or _POLICY.search(sentence)
        # A mayor or MP handing out awards or opening a fete is not a side taken ('presenting the Champion awards').
        ceremony = _CEREMONY.search(sentence) is not None and not has("parties", sentence)
        stance = _stance_in(sentence) if who and not ceremony else None
        if not (who and stance) and not ceremony:
            who, stance = _verdict_on_public_affairs(sentence, politician, issues) or (None, None)
        if who and stance:
            yield Match(start + who.start(), start + who.end(),
                        f"“{who.group()}” with an opinion (“{stance.group()}”)")
        elif not ceremony and ((previous[1] is not None and _follows_on(text, previous[0], start, end))
                               or (previous[1] is None and previous_sentence is not None
                                   and _DASH_BEFORE.search(text, max(0, previous[0] - 3), start) is not None)):
            stance = _side_taken(sentence)
            named_before = previous[1]
            if stance is not None and named_before is None and previous_sentence is not None:
                # Round 9: a strike or a public decision goes with a verdict after a dash too ('if the teachers walk
                # out again in exam week ... – they should be ashamed of themselves').
                before_start, before = previous_sentence
                subject = _STRIKE.search(before) or _PUBLIC_DECISION.search(before)
                named_before = ((before_start + subject.start(), before_start + subject.end(), subject.group())
                                if subject else None)
            if stance is not None and named_before is not None:
                named_start, named_end, named = named_before
                yield Match(named_start, named_end, f"“{named}” with an opinion (“{stance.group()}”)")
        named_here = (start + politician.start(), start + politician.end(), politician.group()) if politician else None
        previous = (end, None if ceremony else named_here)
        previous_sentence = None if ceremony or politician else (start, sentence)


def political_slogan(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """A political slogan at the start of a sentence (Free Palestine, Scrap the 20mph limit, Tories out)."""
    slogans = table_regex("political_slogans")
    issues = table_regex("political_issues")
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        opening = slogans.match(sentence.lstrip())
        if opening is None:
            continue
        offset = start + len(sentence) - len(sentence.lstrip())
        rest = sentence.lstrip()[opening.end():]
        named = re.match(r"\s+(?:our\s+|the\s+)?[A-Z]", rest) is not None
        if issues.search(rest) or named or has("political_slogans_whole", opening.group()):
            yield Match(offset + opening.start(), offset + opening.end(),
                        f"a political slogan (“{opening.group()}”)")


DETECTORS: dict[str, tuple[Detector, bool]] = {
    "political_party": (political_party, False),
    "political_campaigning": (political_campaigning, False),
    "political_stance": (political_stance, False),
    "political_slogan": (political_slogan, False),
}

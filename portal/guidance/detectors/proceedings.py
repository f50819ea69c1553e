"""Live proceedings: a court appearance, hearing or trial date, and talk about a case still before the courts."""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from portal.guidance.detectors.base import Detector, Match, has, phrase_regex, sentence_spans, table_regex
from portal.guidance.detectors.names import names

_COURT_DATE = re.compile(
    r"\b(?:(?:appear|appears|appearing|due|listed|up|(?:he|she|they)['’]ll\s+be|(?:he|she|they)\s+will\s+be)\s+(?:at|in|before)"
    r"\s+[\w' ]{0,40}?(?:court|tribunal)"
    # Round 9: the court said to be about to judge someone: 'the court will see it on Monday', "Court'll sort him out".
    r"|court(?:['’]ll|\s+will)\s+(?:see|sort|deal\s+with|decide|hear|find|throw|soon\s+\w+)"
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
    rf"|boyfriend|ex)(?:\s+(?:has|have|had)\s+|['’]s\s+|['’]d\s+|\s+)(?:finally\s+|now\s+|just\s+|already\s+)?(?:was|were|been|got|gets"
    rf"|getting)\s+(?:finally\s+|now\s+|just\s+)?"
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


# --- a live case told without the words arrest, charge or court -----------------------------------------------

# Someone, third person: a pronoun, a person noun, 'a 19-year-old', 'woman, 34'. Never 'you' (an appeal asks the
# reader to help with enquiries).
_SOMEONE = (r"(?:he|she|they|him|her|them|hes|shes|someone|somebody|(?:the|a|an|two|three|both|one)\s+(?:\w+\s+)?"
            r"(?:man|men|woman|women|lad|lads|boy|boys|girl|girls|teen|teens|teenager|teenagers|youth|youths|bloke|guy"
            r"|fella|driver|suspect|pair|couple|male|female|juvenile|person|people)|\d{1,3}[- ]?(?:year|yr)s?[- ]old"
            r"|(?:a|an|the)\s+\d{1,3}\s?y/?o\s+(?:\w+\s+)?(?:man|woman|lad|male|female|boy|girl)"
            r"|(?:man|woman|lad|male|female),?\s+\d{1,3}"
            r"|(?!(?:Anyone|Anybody|Everyone|Everybody|Thanks|Thank|You|Residents|People|Please|Can|Could)\b)(?-i:[A-Z][a-z]+))")
# Held or let go while the case goes on: 'released pending further enquiries', 'kept in overnight at the station',
# 'has been released under investigation', 'still being questioned', 'helping police with their enquiries'.
_HELD_PENDING = re.compile(
    r"\b(?:released|let\s+go|let\s+(?:him\s+|her\s+|them\s+)?out|let\s+(?:him|her|them)\s+go|freed|bailed|kept\s+in|held"
    r"|detained)\b[^.!?]{0,30}?"
    r"\b(?:pending|under\s+investigation|while\s+(?:enquiries|inquiries|the\s+investigation|officers|detectives|we)"
    r"|until\s+(?:further|the\s+(?:outcome|results?|investigation))|as\s+(?:enquiries|inquiries|the\s+investigation)"
    r"\s+continues?)\b"
    r"|\b(?:kept\s+in|held|detained)\s+(?:overnight\s+)?(?:at\s+the\s+(?:station|nick|custody)|in\s+(?:the\s+)?"
    r"(?:cells|custody|the\s+nick))\b"
    rf"|\b{_SOMEONE}(?:['’]s|\s+is|\s+was|\s+are|\s+were|\s+has\s+been|\s+have\s+been|,)?\s+(?:still\s+|now\s+)?"
    r"(?:helping|assisting)\s+(?:(?:the\s+)?(?:police|officers|us|detectives|cid)\s+)?with\s+(?:their\s+|our\s+|police\s+"
    r"|the\s+)?(?:enquiries|inquiries|investigation)\b",
    re.I)
# A hearing of someone's, with or without the word court: 'his hearing is on the 14th', 'they've got a hearing
# next week', 'up before the bench on Monday', 'back before the sheriff'.
_HEARING = re.compile(
    r"\b(?:his|her|their|hes|shes)\s+(?:next\s+|first\s+|second\s+)?(?:hearing|court\s+date|appearance|sentencing"
    r"|trial|case)\s+(?:is\s+|was\s+|has\s+been\s+|['’]s\s+)?(?:on|set\s+for|listed|fixed|due|next|tomorrow|today|this"
    r"|adjourned|put\s+back|moved|delayed|postponed|in\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))"
    rf"|\b{_SOMEONE}\b[^.!?]{{0,40}}?\s+(?:(?:has|have|had)\s+(?:got\s+)?|(?:['’]s|['’]ve)\s+got\s+|got\s+)"
    r"(?:a|another|their|his|her)\s+(?:hearing|court\s+date)\b(?!\s+(?:aids?|tests?|loss|problems?|loops?|impair\w*|dogs?"
    r"|difficult\w*|protection|induction|system))"
    r"|\b(?:up|appear\w*|back|go|goes|going|gone)\s+(?:before|in\s+front\s+of)\s+(?:the\s+|a\s+)?(?:bench|judge|sheriff|beak"
    r"|magistrates?|court|jury)\b(?!\s+of\s+public\s+opinion)",
    re.I)
# Guilt or the evidence judged: 'it was him', 'everyone knows who did it', 'the evidence is overwhelming',
# 'caught him red-handed', 'the footage proves it'.
_JUDGED = re.compile(
    rf"\bit\s+(?:was|were|is|['’]s)\s+(?:{_CERTAIN}\s+)?(?:him|her|them)\s*(?=[.!,?]|$|\s+(?:who|that)\s+"
    r"(?:did|done|took|stole|started|set|nicked|broke|robbed|attacked|hit|stabbed))"
    r"|\b(?:everyone|everybody|we\s+all|the\s+whole\s+\w+|all\s+of\s+us)\s+knows?\s+(?:who\s+(?:did|done)\s+it"
    r"|it\s+was\s+(?:him|her|them)|(?:he|she|they)\s+(?:did|done)\s+it)\b"
    r"|\bthe\s+evidence\s+(?:is|was|['’]s)\s+(?:\w+\s+)?(?:overwhelming|damning|flimsy|weak|thin|airtight"
    r"|watertight|conclusive|rubbish|circumstantial)\b"
    r"|\bcaught\s+(?:him|her|them)\s+(?:red[- ]?handed|bang\s+to\s+rights|in\s+the\s+act)\b"
    r"|\b(?:cctv|footage|the\s+video|dna|fingerprints?)\s+(?:clearly\s+)?(?:proves?|proved)\b",
    re.I)
# Round 9: a live case told by what happened to the person, not by the words arrest or charge: the police 'have got
# someone for it' or 'caught the man responsible', he 'handed himself in', 'will face justice', is 'going down for it',
# 'being quizzed over' the fire, 'being prosecuted', 'off the streets' or 'behind bars' now.
_CULPRIT = (r"(?:culprits?|offenders?|thie(?:f|ves)|burglars?|vandals?|robbers?|attackers?|shoplifters?|dealers?|suspects?"
            r"|gang|scrotes?|scumbags?|toerags?|yobs?|arsonists?|fraudsters?|(?:man|men|woman|women|lads?|persons?|people|ones?"
            r"|blokes?|drivers?|pair|youths?|teens?|kids?|group|boys?|girls?)\s+(?:responsible|who\s+(?:did|done|broke|stole|took|nicked|attacked|robbed|hit"
            r"|set|started|smashed|torched|burgled|assaulted|targeted)|behind))")
_PARTICULAR_ONE = (r"(?:he|she|him|her|the\s+(?:\w+\s+)?(?:man|woman|lad|bloke|fella|guy|driver|boy|girl|teen|teenager"
                   r"|youth|pair|couple|culprit|offender|thief|burglar|vandal|suspect|attacker|robber|shoplifter|dealer)"
                   r"|(?-i:[A-Z][a-z]+))")
_CAUGHT = re.compile(
    rf"\b(?:we|police|officers|detectives|cid|they|cops|the\s+police)(?:['’]ve|\s+have|['’]d|\s+had)?\s+(?:now\s+|finally"
    rf"\s+|only\s+gone\s+and\s+)?(?:got|caught|nabbed|found|traced|tracked\s+down|identified)\s+(?:someone|somebody|a\s+\w+|him|her"
    rf"|them)?\s*(?:(?:the\s+|a\s+|an\s+|two\s+|three\s+|both\s+)?(?:\w+\s+)?{_CULPRIT}\b|(?<=\s)for\s+(?:it|this|that"
    rf"|the\s+\w+)\b)"
    rf"|\b(?:we|police|officers|detectives|cid|they|cops)(?:['’]ve|\s+have)?\s+(?:now\s+|finally\s+)?(?:got|caught|nabbed)\s+"
    rf"(?:him|her|them)\b(?!\s+(?:on|in\s+the\s+act\s+on)\s+(?:cctv|camera|film|video|tape|footage|the\s+cameras?))"
    rf"(?=\s*(?:[.!,]|$|\s+(?:now|at\s+last|finally|today|yesterday|this|last|tonight|and|thanks)))"
    rf"|\b(?:handed|turned|gave)\s+(?:himself|herself|themselves|themself)\s+(?:in|up)\b"
    rf"|\b{_PARTICULAR_ONE}(?:\s+who\s+[^.!?,;]{{1,40}}?)?(?:['’]ll|\s+will|\s+is\s+going\s+to|\s+is\s+gonna|\s+are\s+going\s+to|['’]s\s+going\s+to"
    rf"|['’]s\s+gonna)\s+(?:now\s+|definitely\s+|soon\s+)?(?:face\s+justice|be\s+brought\s+to\s+justice|be\s+dealt\s+with"
    rf"|face\s+the\s+courts?|pay\s+for\s+(?:it|this|what)|get\s+what['’]?s\s+coming)"
    rf"|\b(?:going|go|goes|gone|went|be\s+going)\s+(?:down|away)\s+for\s+(?:it|this|that|a\s+(?:long\s+(?:time|stretch)"
    rf"|stretch|good\s+few\s+years)|years|life|the\s+(?!(?:weekend|week|day|night|holidays?|summer|break|coffee|drink|walk"
    rf"|match|game|bank\s+holiday|half\s+term|month)\b)\w+)\b"
    rf"|\b(?:getting|got|get|gets|been|being|will\s+be)\s+done\s+for\s+(?!the\s+(?:day|night|week)|now|today|tonight)"
    rf"(?:it|this|that|the\s+\w+|\w*(?:ing|ery|ault|eft|ession|ray|ence|ism))\b"
    rf"|\b(?:is|are|was|were|being|been)\s+(?:quizzed|grilled)\s+(?:over|about|after|on|in\s+connection)\b"
    rf"|\b(?:being|been|are|were|is|was)\s+(?:questioned|interviewed)\s+(?:over|about|after|in\s+connection\s+with)\s+(?:the\s+|a\s+|an\s+)?"
    rf"(?:\w+\s+){{0,2}}?(?:fire|attack|assault|robbery|burglar\w*|theft|thefts|break-?ins?|death|stabbing|shooting|crash|collision"
    rf"|incident|damage|graffiti|vandalism|disorder|fight|offence|offences|murder|rape|arson|fraud|raid|hit\s+and\s+run)\b"
    rf"|\b(?:cid|detectives|officers|police|we)(?:['’]re|\s+are|\s+were)\s+(?:speaking|talking)\s+to\s+(?:a|an|two|three|the)\s+"
    rf"(?:\d+[- ]?(?:year|yr)s?[- ]old\s+)?(?:\w+\s+)?(?:man|men|woman|women|lad|lads|teen\w*|youths?|boy|girl|male|female"
    rf"|suspect|pair)\s+(?:about|over|in\s+connection|regarding)\b"
    rf"|\bin\s+for\s+questioning\b|\bgot\s+(?:someone|somebody|a\s+\w+|him|her|them|the\s+\w+)\s+in\s+for\s+(?:it|this|that)\b"
    rf"|\b(?:is|are|being|been|will\s+be)\s+(?:now\s+)?prosecuted\b(?!\s+(?:if|for\s+(?:any|every)))"
    rf"|\b(?:the\s+|a\s+)?(?:\w+\s+)?{_CULPRIT}\b[^.!?;]{{0,40}}?\b(?:has|have|had)\s+(?:now\s+)?been\s+(?:identified|traced|caught"
    rf"|located|tracked\s+down|found)\b"
    rf"|\b(?:we\s+all\s+know|everyone\s+knows|everybody\s+knows|we\s+know|bet|obviously|clearly|definitely|i\s+reckon)\s+"
    rf"(?:that\s+)?(?:he|she|they|it)(?:['’]s|\s+is|['’]re|\s+are|\s+was|\s+were)\s+(?:the\s+ones?|the\s+(?:lad|man|woman|bloke|fella)"
    rf"|the\s+culprits?)\s+(?:who|that|nicking|doing|behind|responsible|stealing|dealing|breaking|robbing|selling|setting)\b"
    rf"|\b(?:took|taken|carted|led|driven|bundled|marched)\s+(?:\w+\s+){{0,5}}?(?:away|off)\s+in\s+(?:a|the)\s+(?:police\s+|riot\s+"
    rf"|cop\s+)?(?:van|car|meat\s+wagon|cuffs|handcuffs)\b"
    rf"|\bunder\s+(?:police|armed)\s+guard\b"
    rf"|\b(?:he|she|the\s+(?:\w+\s+)?(?:man|woman|lad|bloke|fella|driver|boy|girl|teen|teenager|youth|suspect|pair|couple))"
    rf"(?:['’]ll|\s+will)\s+be\s+(?:interviewed|questioned)\b"
    rf"|\b(?:he|she|the\s+(?:\w+\s+)?(?:man|woman|lad|bloke|fella|guy|driver|boy|girl|teen|teenager|youth|suspect|pair|couple"
    rf"|culprit|offender|thief|burglar|vandal|attacker|robber|shoplifter|dealer))(?:\s+who\s+[^.!?,;]{{1,40}}?)?(?:\s+is|\s+are|['’]s"
    rf"|['’]re|\s+has\s+been|\s+have\s+been|\s+was|\s+were)\s+(?:now\s+|already\s+)?(?:being\s+)?dealt\s+with\b"
    rf"|\b(?:lads|men|women|gang|youths|teens|teenagers|suspects|culprits|offenders|thieves|burglars|dealers|pair|they|both)\b"
    rf"[^.!?]{{0,40}}?\b(?:been|were|was|got)\s+(?:now\s+|finally\s+|all\s+|just\s+)?rounded\s+up\b"
    rf"|\b(?:we|police|officers)(?:['’]ve|\s+have)\s+(?:now\s+|finally\s+)?rounded\s+up\s+(?:the\s+|two\s+|three\s+|\d+\s+)?(?:\w+\s+)?"
    rf"(?:lads|men|gang|suspects|culprits|youths|teens|dealers|thieves|burglars)\b"
    rf"|\b(?:is|are|['’]s|['’]re|sat|sitting|now|spending\s+the\s+night|spent\s+the\s+night)\s+(?:now\s+|currently\s+|still\s+)?"
    rf"in\s+a\s+(?:police\s+)?cell\b"
    rf"|\b(?:have|got|caught|arrested|found|nicked|charged)\s+the\s+right\s+(?:person|man|woman|people|lad|guy|bloke|one)\s+"
    rf"(?:for\s+(?:it|this|that)\b|responsible|for\s+the\s+(?:[\w-]+\s+){{0,2}}?(?:break-?ins?|thefts?|attacks?|robbery|burglar\w*"
    rf"|assault|stabbing|fire|raid|damage|offences?|crimes?|murder|shooting))"
    rf"|\breported\s+for\s+(?:summons|process)\b|\bsummons(?:es)?\s+(?:has|have)\s+been\s+issued\b"
    rf"|\b(?:is|are|['’]s|['’]re|now|been|safely)\s+(?:now\s+|safely\s+|finally\s+)?(?:off\s+the\s+streets|behind\s+bars)\b",
    re.I)
# Said of anyone, not someone in particular: 'anyone caught will be prosecuted', 'those responsible will face justice',
# 'whoever did this will be dealt with', 'if we catch them'.
_ANYONE_CAUGHT = re.compile(r"\b(?:anyone|anybody|whoever|those|people|offenders|if|when|until|unless|any)\b[^.!?]{0,40}$",
                            re.I)
_WITHOUT_WORDS = re.compile(r"pending|investigation|while|until|as\s+\w+iries|kept|held|detained|helping|assisting|hearing"
                            r"|court\s+date|appearance|sentencing|trial|case|before|front|it\s|knows?|evidence|caught"
                            r"|proves?|proved", re.I)
# The words without one of which _CAUGHT cannot match (every branch has one): a set test, cheaper than a pattern.
_CAUGHT_TOKENS = frozenset("""got caught nabbed found traced tracked identified located himself herself themselves themself justice
    dealt courts court pay coming down away done quizzed grilled questioned questioning interviewed speaking talking prosecuted
    summons process streets bars one ones culprit culprits van car wagon cuffs handcuffs guard rounded cell right""".split())
_TOKEN = re.compile(r"[a-z]+")
_NOT_HELD = re.compile(r"\bhospital\b|\bmental\s+health\s+act\b|\bsection\s+136\b", re.I)


def _live_without_arrest_words(sentence: str) -> tuple[re.Match[str], str] | None:
    """A live case told in other words: held or let go pending enquiries, a hearing of someone's, guilt judged."""
    if not _WITHOUT_WORDS.search(sentence):
        return _caught(sentence)
    held = None if _NOT_HELD.search(sentence) else _HELD_PENDING.search(sentence)
    if held is not None:
        return held, "someone held, questioned or let go while the case goes on"
    hearing = _HEARING.search(sentence)
    if hearing is not None:
        return hearing, "someone's hearing or appearance to come"
    judged = _JUDGED.search(sentence)
    if judged is not None:
        return judged, "a judgement on someone's guilt or the evidence"
    return _caught(sentence)


def _caught(sentence: str) -> tuple[re.Match[str], str] | None:
    """Someone caught, handed in, in for questioning or facing the courts (_CAUGHT), unless said of anyone."""
    caught = _CAUGHT.search(sentence) if not _CAUGHT_TOKENS.isdisjoint(_TOKEN.findall(sentence.lower())) else None
    if caught is not None and not _ANYONE_CAUGHT.search(sentence[:caught.start()]):
        return caught, "someone caught, in for questioning or facing the courts"
    return None


def _finished_or_unrelated(sentence: str) -> bool:
    """A case that ended in a sentence ('was jailed for six years'), jury service and free trials, or a court said
    of anyone ('if you've been a witness at the Crown Court')."""
    return (has("court_process_exclusions", sentence) or _IF_YOU_HAVE_BEEN.search(sentence) is not None
            or (_SERVED.search(sentence) is not None and _HEARING.search(sentence) is None))


@functools.lru_cache(maxsize=8)
def _finished_sentences(text: str) -> frozenset[tuple[int, int]]:
    """The spans of the message's sentences that _finished_or_unrelated rules out, worked out once per message:
    court_date, court_process and live_case all ask it of the same sentences."""
    return frozenset((start, end) for start, end in sentence_spans(text, clauses=False)
                     if _finished_or_unrelated(text[start:end]))


# The sentence a finished case ended in, said plainly: 'he got 14 months', 'was given two years', 'now all sentenced'.
_SERVED = re.compile(
    r"\b(?:got|gets|given|handed|received|serving|served|copped)\s+(?:a\s+)?(?:\d+|a|one|two|three|four|five|six|seven"
    r"|eight|nine|ten|twelve|eighteen)\s+(?:months?|years?|weeks?)\b(?!\s+(?:ago|before|back))"
    r"|\b(?:now|all|both|since)\s+(?:been\s+)?sentenced\b"
    # Round 10: a case ended in a fine or said to be over: 'was fined at court last year; that case is finished'.
    r"|\b(?:was|were|been|got|gets|is|being)\s+fined\b|\b(?:case|matter)\s+(?:is|was|has\s+been)\s+(?:now\s+)?(?:finished"
    r"|closed|over|concluded|finalised|dealt\s+with)\b",
    re.I)


def court_date(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """A court appearance or hearing, unless the sentence says how the case ended."""
    for start, end in sentence_spans(text, clauses=False):
        sentence = text[start:end]
        if (start, end) in _finished_sentences(text):
            continue
        for found in _COURT_DATE.finditer(sentence):
            yield Match(start + found.start(), start + found.end(), "a court appearance or hearing")


# 'The plastic glasses trial', 'a six-month trial', 'the e-scooter trial': a thing tried out, not a case. A trial
# after an offence, a court word, a possessive or an article is a case ('the murder trial', 'his trial').
_A_SCHEME_TRIAL = re.compile(
    r"\b(?!(?:the|a|an|his|her|their|its|this|that|murder|rape|robbery|fraud|assault|manslaughter|burglary|drugs?|criminal"
    r"|crown|court|jury|fair|show|on|awaiting|stand|stands|face|faces|facing|at|in|upcoming|forthcoming|retrial|abuse"
    r"|attack|stabbing|shooting|sex|grooming|theft|arson|kidnap|trafficking)\s+$)[a-z][a-z-]+(?:\s+|-)$")


_PERSON_NOUNS_RE = (r"man|men|woman|women|lad|lads|boy|boys|girl|girls|teen|teens|teenager|teenagers|youth|youths|bloke"
                    r"|guy|driver|drivers|pair|couple|person|people|father|mother|son|daughter|husband|wife")


# 'Posting names can stop a fair trial', 'could prejudice any trial': advice about trials in general, no one's case.
_ANY_TRIAL = re.compile(r"\b(?:stop|prevent|prejudic|jeopardi[sz]|collaps|affect|ruin|harm|derail|risk|undermin|wreck)\w*\s+"
                        r"(?:a|any|any\s+future)\s+(?:fair\s+|future\s+)?trial\b", re.I)


# Round 10: a trial of a thing, not of a person: 'our trial of late-night opening', 'a trial of body cameras', 'the
# council's trial'. A person noun, a pronoun or a name among the few words after 'trial of' makes it a case.
_OUR_TRIAL = re.compile(r"\b(?i:our|your|the\s+(?:council|force|team|school|shop|club|company)['’]s|mock|pilot|field)\s+$")
_TRIAL_OF = re.compile(r"\s+(?:of|for)\s+((?:[\w'’-]+\s*){1,3})", re.I)
_A_PERSON_WORD = re.compile(rf"\b(?:him|her|them|his|their|the\s+accused|accused|defendants?|suspects?|{_PERSON_NOUNS_RE})\b"
                            r"|(?-i:\b[A-Z][a-z]+)", re.I)


def _a_trial_of_a_thing(sentence: str, found: re.Match[str]) -> bool:
    if found.group().lower() != "trial":
        return False
    if _OUR_TRIAL.search(sentence[:found.start()]):
        return True
    of = _TRIAL_OF.match(sentence, found.end())
    return of is not None and _A_PERSON_WORD.search(of.group(1)) is None


def court_process(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """A trial, jury, plea, remand, inquest or the case's evidence, words that prejudge the outcome, arrests in slang."""
    words = table_regex("court_process_words")
    for start, end in sentence_spans(text, clauses=False):
        sentence = text[start:end]
        if (start, end) in _finished_sentences(text) or a_tally(text, sentence):
            continue
        found = words.search(sentence) or _WANTED.match(sentence) or _spoken_of(sentence)
        if found is not None and found.group().lower() == "trial" and _A_SCHEME_TRIAL.search(sentence[:found.start()]):
            found = words.search(sentence, found.end()) or _spoken_of(sentence)
        if found is not None and found.group().lower() == "trial" and _ANY_TRIAL.search(sentence):
            found = _spoken_of(sentence)
        if found is not None and _a_trial_of_a_thing(sentence, found):
            found = words.search(sentence, found.end()) or _spoken_of(sentence)
        if found is not None and _NAMING_ANYONE.search(sentence[:found.start()]):
            found = None  # 'posts naming people accused of crimes will be removed
        if found is not None:
            yield Match(start + found.start(), start + found.end(),
                        f"a case still before the courts (“{found.group()}”)")
            continue
        other = _live_without_arrest_words(sentence)
        if other is not None:
            found, note = other
            yield Match(start + found.start(), start + found.end(), f"{note} (“{found.group()}”)")


# --- a live case: an arrest, charge or custody of someone in particular ---------------------------------------

# Who the case is about: a pronoun, 'a man', 'two teenagers', 'the lad', 'a 52-year-old', 'woman, 45'.
_PERSON_NOUNS = (r"man|men|woman|women|lad|lads|boy|boys|girl|girls|teen|teens|teenager|teenagers|youth|youths|bloke"
                 r"|blokes|guy|guys|fella|driver|drivers|suspect|suspects|culprit|culprits|offender|burglar|burglars|thief"
                 r"|thieves|pair|couple|pensioner|motorist|rider|cyclist|son|daughter|husband|wife|brother|sister|mate"
                 r"|neighbour|councillor|shopkeeper|foreigner|resident|student|pupil|juvenile|male|female|landlord|dealer|kid|kids")
_PARTICULAR = re.compile(
    rf"\b(?:he|she|him|her|they|them|hes|shes|someone|somebody)\b"
    rf"|\b(?:{_PERSON_NOUNS})\b"
    r"|\b\d{1,3}[- ]?(?:year|yr)s?[- ]old\b|\b\d{1,3}\s?y/?o\b|\baged\s+\d{1,3}\b|\bin\s+(?:his|her|their)\s+(?:teens|\d0s)\b"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|\d+)\s+(?:people|persons|arrests)\b"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|\d+)\s+(?:\w+\s+)?(?:arrested|charged|detained|held|bailed|nicked)\b",
    re.I)
# A month by its whole name (the abbreviations are read only after a day's number).
_MONTH = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
# When: a case of today or this week, not arrests in general.
_RECENT = re.compile(
    r"\b(?:today|tonight|yesterday|tomorrow|last\s+night|this\s+(?:morning|afternoon|evening|week)|earlier|overnight"
    r"|last\s+week|next\s+(?:week|month)|over\s+the\s+weekend|at\s+the\s+weekend|(?:mon|tues|wednes|thurs|fri|satur|sun)day"
    r"|this\s+morn|last\s+nite|right\s+now|as\s+we\s+speak|currently|still|soon|shortly|later\s+this\s+(?:week|month)"
    r"|this\s+month|\d{1,2}(?:st|nd|rd|th)|\d{1,2}/\d{1,2}|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
    r"|(?:in|on|by|until|till|next)\s+" + _MONTH + r")\b",
    re.I)
# 'has been arrested', 'was charged', 'got nicked', 'is in custody': the news of it happening to someone.
_HAPPENED = re.compile(r"\b(?:has|have|had|was|were|been|is|are|got|gets|getting|remains?|remained|hes|shes"
                       r"|theyre|theyve)\s+(?:\w+\s+){0,2}$|['’](?:s|ve|re)\s+(?:\w+\s+){0,2}$", re.I)
# 'if you're arrested', 'anyone arrested', 'when someone is charged': the law in general, said of no one.
_ANYONE_BEFORE = re.compile(
    r"\b(?:(?:if|when|whenever|once|unless)\s+(?:you|someone|somebody|anyone|anybody|a\s+(?:person|young\s+person"
    r"|child)|your\s+\w+)(?:['’](?:re|s|ve\s+been)|\s+(?:is|are|get|gets|got|has\s+been|have\s+been|was|were"
    r"|been|being))?\s+(?:\w+\s+)?|\b(?:anyone|anybody|everyone|everybody|whoever)\s+(?:(?:who|that)\s+)?"
    r"(?:(?:is|are|gets|get|has\s+been|have\s+been|was|were)\s+)?"
    r"|\b(?:anyone|anybody|everyone|someone|somebody|people|children|young\s+people|a\s+(?:person|child|young\s+person))\b"
    r"[^.!?]{0,30}?\b(?:who|that)\s+(?:is|are|gets|get)\s+"
    r"|\byou(?:['’]ll|['’]d)?(?:\s+(?:will|may|might|could|can|would|won['’]t|don['’]t|do\s+not|needn['’]t|need\s+to|have\s+to))+"
    r"\s+(?:\w+\s+){0,2})$", re.I)
# 'If you've been a witness at the Crown Court …': a court in general, said to anyone.
_IF_YOU_HAVE_BEEN = re.compile(r"\bif\s+you(?:['’]ve|\s+have)\s+(?:ever\s+)?been\b", re.I)
# 'We made 42 arrests last year', 'over 300 people charged since April': figures, not a case.
# Round 9: 'Last year the team made 62 arrests', "Throwback to last year's carnival: 38 arrests", 'the operation led
# to 31 arrests ... last year': a count of arrests with a year-scale time before it as well as after.
_YEAR_SCALE = (r"(?:(?:last|this|per|a|each|every|the\s+whole)\s+(?:year|season|summer|festive\s+season)(?:['’]s)?|so\s+far\s+this"
               r"\s+year|in\s+20\d\d|over\s+the\s+(?:past\s+)?(?:year|summer|season)|since\s+(?:the\s+scheme|it)\s+(?:started|began"
               r"|launched))")
_FIGURES_BEFORE = re.compile(rf"\b{_YEAR_SCALE}\b[^.!?]{{0,80}}?\b(?:\d[\d,]*|dozens|hundreds|scores|just\s+(?:one|two|three"
                             r"|four|five|a\s+few)|only\s+(?:one|two|three|four|five|a\s+few))\s+(?:of\s+)?arrests\b", re.I)
# 'Bike theft fell 22% last year. The operation led to 31 arrests': an operation's results in a message about a year.
_LED_TO = re.compile(r"\b(?:led\s+to|resulted\s+in|brought)\s+(?:\d[\d,]*|dozens\s+of|hundreds\s+of)\s+arrests\b", re.I)
_YEAR_SCALE_RE = re.compile(rf"\b{_YEAR_SCALE}\b", re.I)
_FIGURES = re.compile(
    r"\b(?:\d[\d,]*|dozens|hundreds|scores)\s+(?:of\s+)?(?:arrests|people|charges|offenders)\b[^.!?]{0,60}?"
    r"\b(?:(?:last|this|per|a|each|every)\s+(?:year|quarter)|so\s+far\s+this\s+year|in\s+20\d\d|over\s+the\s+(?:past\s+)?year"
    r"|since\s+" + _MONTH + r")\b",
    re.I)
# A tally: '41 arrests, 9 drug seizures, 2 drink drivers', 'Stats for the month: 12 arrests (7 drugs …)'. Counts of
# things, three or more in the sentence, or a count under a word that says the message gives figures.
_COUNT = re.compile(r"(?<![\d/:.£$])\b\d[\d,.]*%|(?<![\d/:.£$])\b\d[\d,]*\+?\s*(?:[(]|\s(?!(?:and|or|to|am|pm|mph|years?|yrs?|months?|weeks?|days?|hours?"
                    r"|minutes?|mins?|st|nd|rd|th|" + _MONTH + r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b)[a-z])", re.I)
_TALLY_CUES = re.compile(r"\b(?:stats|statistics|figures|summary|results|breakdown|tally|totals?|in\s+total|so\s+far"
                         r"|open\s+data|data)\b", re.I)


def a_tally(text: str, sentence: str) -> bool:
    """Arrests counted among other things, or counted in a message that says it gives figures: not one case's news."""
    if not any(map(str.isdigit, sentence)):  # the same test as a generator over the letters, without its cost
        return False
    counts = len(_COUNT.findall(sentence))
    return counts >= 3 or (counts >= 1 and _tally_cue(text))


@functools.lru_cache(maxsize=8)
def _tally_cue(text: str) -> bool:
    # Of the whole message, so once per message, not once per sentence with a number.
    return _TALLY_CUES.search(text) is not None


# 'Posts naming people accused of crimes will be removed': people in general, in a rule about posts.
_NAMING_ANYONE = re.compile(r"\b(?:naming|name|names\s+of|identifying|photos?\s+of|pictures?\s+of|posts?\s+about)\s+(?:people"
                            r"|anyone|anybody|someone|somebody|suspects|those|persons)\s+(?:who\s+(?:are|have\s+been|were)\s+)?$", re.I)
_ANYONE_AFTER = re.compile(r"^\s+(?:people|persons|prisoners|suspects)\b", re.I)


@functools.lru_cache(maxsize=16)
def _status_words(argument: str) -> re.Pattern[str]:
    return phrase_regex(part for part in re.split(r"[,\n]", argument))


# 'Her pram was nicked', 'tractor nicked from the yard': nicked as in stolen.
_STOLEN = re.compile(r"\b(?:car|van|bike|motorbike|scooter|moped|pram|buggy|tractor|quad|trailer|phone|bag|handbag|purse"
                     r"|wallet|tools|stuff|things|parcel|parcels|catalytic\s+converter|plants|shed|dog|cat|bikes|cars)"
                     r"\s+(?:\w+\s+){0,2}$", re.I)


# Round 10: 'charged' as a battery is, as a price is, or as a team runs ('charged to victory'): 'make sure your phone is fully charged', 'e-bikes being
# charged overnight in hallways', 'you won't be charged for parking', 'parking charges are going up'. A thing that
# holds a charge or costs money stands just before the word, or a price or a device just after it.
_DEVICES = (r"(?:phones?|mobiles?|batter(?:y|ies)|laptops?|tablets?|devices?|e-?bikes?|e-?scooters?|scooters?|mobility\s+scooters?"
            r"|power\s*banks?|vapes?|electric\s+(?:cars?|vehicles?|bikes?)|evs?|radios?|torch(?:es)?|cameras?|chargers?)")
_CHARGED_THING_BEFORE = re.compile(
    rf"\b(?:{_DEVICES}\s+(?:is|are|be|being|get|gets|getting|left|kept|stay|stays)\s+(?:\w+\s+)?|(?:fully|half|over|re|properly"
    rf"|partly)\s+|(?:parking|service|admission|entry|delivery|late|call|card|bank|booking|cancellation|congestion|emission|bin"
    rf"|garden\s+waste|extra|hidden|standing)\s+)$", re.I)
_CHARGED_PRICE_AFTER = re.compile(
    rf"^\s*(?:up\b|to\s+(?:victory|a\s+win|the\s+(?:title|line|finish|win|top|front))\b|(?:ahead|forward|towards?|into\s+the\s+lead)\b|(?:your|the|their|a|an|my|our|his|her)?\s*{_DEVICES}\b|(?:£|\$|€)|\d+\s*(?:p|%|pence|pounds?)\b"
    r"|(?:a|an)\s+(?:\w+\s+)?(?:fee|fine|penalty|price|fortune|premium|subscription)\b|(?:for|to)\s+(?:parking|entry|admission|"
    r"delivery|collection|the\s+(?:service|call|visit|ticket|permit|collection))\b|(?:extra|more|nothing|double)\b)", re.I)


def _a_charge_of_power_or_money(sentence: str, found: re.Match[str]) -> bool:
    if not found.group().lower().startswith("charg"):
        return False
    return bool(_CHARGED_THING_BEFORE.search(sentence[:found.start()]) or _CHARGED_PRICE_AFTER.match(sentence[found.end():]))


def _said_of_no_one(sentence: str, found: re.Match[str]) -> bool:
    """'If you're arrested …', 'anyone arrested goes to …', 'arrested people', a bike 'nicked', a phone 'charged': no
    one's case."""
    before = sentence[:found.start()]
    return bool(_ANYONE_BEFORE.search(before) or _ANYONE_AFTER.match(sentence[found.end():]) or _NAMING_ANYONE.search(before)
                or ("nicked" in found.group().lower() and _STOLEN.search(before)) or _a_charge_of_power_or_money(sentence, found))


def _a_particular_case(text: str, start: int, end: int, found: re.Match[str]) -> bool:
    """A sign the words are news of one case: a person, a name, a time, a case marker, or 'has been …'.

    The person or time may stand in the sentence before ('The lad who did the shed? Charged this morning.').
    """
    sentence = text[start:end]
    if has("live_case_markers", sentence) or _HAPPENED.search(sentence[:found.start()]):
        return True
    before = [span for span in sentence_spans(text, clauses=False) if span[1] <= start][-1:]
    lo = before[0][0] if before else start
    window = text[lo:end]
    return bool(_PARTICULAR.search(window) or _RECENT.search(window)
                or any(lo <= name.start < end for name in names(text)))


def live_case(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    """The argument's words (arrested, charged, in custody …) where they tell of a case in progress.

    The same words in general ('if you're arrested', 'we made 42 arrests last year', the custody suite's open
    day, a case that ended in a sentence) are not news of a live case; a person, a time, 'has been …' or a
    word like 'bailed' or 'remanded' beside them is.
    """
    words = _status_words(argument)
    if not words.search(text):
        return
    for start, end in sentence_spans(text, clauses=False):
        sentence = text[start:end]
        if ((start, end) in _finished_sentences(text) or has("not_live_frames", sentence) or _FIGURES.search(sentence)
                or ("arrests" in sentence.lower() and (_FIGURES_BEFORE.search(sentence) or (
                    _LED_TO.search(sentence) and _YEAR_SCALE_RE.search(text) and not _RECENT.search(sentence))))
                or a_tally(text, sentence)):
            continue
        for found in words.finditer(sentence):
            if not _said_of_no_one(sentence, found) and _a_particular_case(text, start, end, found):
                yield Match(start + found.start(), start + found.end(), "news of a case in progress")


DETECTORS: dict[str, tuple[Detector, bool]] = {
    "court_date": (court_date, False),
    "court_process": (court_process, False),
    "live_case": (live_case, True),
}

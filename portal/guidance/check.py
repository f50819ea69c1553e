"""Check a message before it goes out: what it says that an officer should think twice about.

A pure module (no Flask, no database): rules arrive as plain data, the text and the
community's context go in, findings come out. Rules are one of three kinds:

- ``keywords``: a comma- or newline-separated list of words or phrases, matched as
  whole words, case-insensitively; a trailing ``*`` matches any ending (``burgl*``).
- ``regex``: a Python regular expression, matched case-insensitively.
- ``builtin``: a named detector, optionally with an argument after a colon
  (``uk_phone``, ``name_near: burglary, assault``, ``audience_at_least: 1000``).

Any reach-risk finding (a large or open community, a topic likely to spread) raises
every *advice* finding in the other categories to *needs supervisor*.
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "CATEGORIES", "MAX_TEXT_LENGTH", "SEVERITIES", "CheckContext", "Finding", "Rule", "RuleError",
    "BUILTIN_DETECTORS", "check_message", "compile_rule", "default_rules", "highest_severity",
]

SEVERITIES = ("advice", "needs_supervisor", "do_not_send")
CATEGORIES = ("personal_data", "live_proceedings", "political", "discriminatory", "operational", "reach_risk")
KINDS = ("keywords", "regex", "builtin")
# Long enough for any post an officer writes; keeps each check to a few milliseconds.
MAX_TEXT_LENGTH = 5000
MAX_PATTERN_LENGTH = 2000
MAX_FINDINGS = 50
DEFAULT_RULES_FILE = Path(__file__).with_name("default_rules.json")
# Channels that reach one person or a gatekeeper, not the whole community.
PRIVATE_CHANNELS = frozenset({"direct_message", "email", "phone", "meeting"})
RANK = {severity: index for index, severity in enumerate(SEVERITIES)}


class RuleError(ValueError):
    """A rule that cannot be used: unknown kind or detector, or a pattern that does not compile."""


@dataclass(frozen=True)
class Rule:
    code: str
    category: str
    severity: str
    kind: str
    pattern: str
    explanation: str
    enabled: bool = True


@dataclass(frozen=True)
class CheckContext:
    """What is known about where the message goes."""

    audience_size: int | None = None
    access: str | None = None  # public, closed, invite
    channel: str | None = None
    platform: str | None = None

    @property
    def broadcast(self) -> bool:
        return self.channel not in PRIVATE_CHANNELS


@dataclass(frozen=True)
class Finding:
    category: str
    severity: str
    rule_code: str
    matched_text: str
    start: int
    end: int
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    note: str = ""


Detector = Callable[[str, str, CheckContext], Iterator[Match]]


# --- builtin detectors -------------------------------------------------------------------

_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+44\s?\(?0?\)?\s?|0)(?:7\d{3}\s?\d{3}\s?\d{3}|[1-3]\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}))(?!\w)"
)
_EMAIL = re.compile(r"\b[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+\b")
_OFFICIAL_EMAIL = re.compile(r"(?:\.police\.uk|\.gov\.uk|\.example|@example\.(?:org|com))$", re.I)
_POSTCODE = r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b"
_FULL_POSTCODE = re.compile(_POSTCODE, re.I)
_HOUSE_AND_POSTCODE = re.compile(
    r"\b\d{1,4}[A-Za-z]?,?\s+(?:[A-Z][\w'-]*\s+){1,4}(?:[\w\s,'-]{0,40}?)" + _POSTCODE, re.I
)
_VEHICLE_REG = re.compile(
    r"\b(?:[A-Z]{2}\d{2}\s?[A-Z]{3}|[A-Z]\d{1,3}\s?[A-Z]{3}|[A-Z]{3}\s?\d{1,3}[A-Z])\b"
)
_MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DATE = rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:19|20)?\d{{2}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\s+(?:19|20)\d{{2}})"
_DOB = re.compile(rf"\b(?:d\.?o\.?b\.?|date of birth|born(?:\s+on)?)\s*:?\s*{_DATE}|\baged?\s+\d{{1,3}}\b", re.I)
_COURT_DATE = re.compile(
    r"\b(?:(?:appear|appears|appearing|due|listed)\s+(?:at|in|before)\s+[\w' ]{0,40}?(?:court|tribunal)"
    r"|(?:crown|magistrates'?|youth)\s+court|court\s+(?:on|next|hearing|date|case)|trial\s+(?:on|date|next|begins))",
    re.I,
)
_NAME = re.compile(
    r"(?=(\b(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?"
    r"|[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?\s+(?:[A-Z]\.?\s+)?(?:Mc|Mac|O')?[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b))"
)
# Capitalised words that start "names" which are not people.
_NOT_NAME_WORDS = frozenset("""
the a an we our us you your they this that these those there here hello hi dear thanks thank please
police sussex kent surrey neighbourhood community team officer officers constable sergeant inspector pc pcso
sgt insp council county borough town village city parish street road lane avenue close way drive hill
court crown magistrates youth station hall church school park high green market north south east west
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december today tomorrow yesterday if when after before on in at
crimestoppers action fraud national operation watch residents association forum group page facebook
nextdoor whatsapp lewes brighton hove newhaven seaford peacehaven ringmer cliffe malling ouse valley
call contact ask tell speak message email text ring meet join see thanks sorry yes no all some
""".split())
_NAME_WINDOW = 80


def _looks_like_person(name: str) -> bool:
    words = re.findall(r"[A-Za-z']+", name)
    return bool(words) and not any(word.lower() in _NOT_NAME_WORDS for word in words)


def _regex_detector(pattern: re.Pattern[str], note: str = "") -> Detector:
    def detect(text: str, argument: str, context: CheckContext) -> Iterator[Match]:  # noqa: ARG001
        for found in pattern.finditer(text):
            yield Match(found.start(), found.end(), note)
    return detect


def _email(text: str, argument: str, context: CheckContext) -> Iterator[Match]:  # noqa: ARG001
    for found in _EMAIL.finditer(text):
        if not _OFFICIAL_EMAIL.search(found.group()):
            yield Match(found.start(), found.end())


def _vehicle(text: str, argument: str, context: CheckContext) -> Iterator[Match]:  # noqa: ARG001
    # Registrations are written in capitals; a lower-case word like "ab12cde" is not one.
    for found in _VEHICLE_REG.finditer(text):
        if any(ch.isdigit() for ch in found.group()):
            yield Match(found.start(), found.end())


def _name_near(text: str, argument: str, context: CheckContext) -> Iterator[Match]:  # noqa: ARG001
    words = keyword_regex(argument)
    hits = [m for m in words.finditer(text)]
    if not hits:
        return
    for start, end, name in _names(text):
        for hit in hits:
            if abs(hit.start() - end) <= _NAME_WINDOW or abs(start - hit.end()) <= _NAME_WINDOW:
                yield Match(min(start, hit.start()), max(end, hit.end()), f"“{name}” near “{hit.group()}”")
                break


def _names(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield capitalised word pairs that look like people's names ("Call John Smith" gives "John Smith")."""
    covered = -1
    for found in _NAME.finditer(text):  # a lookahead, so candidates may overlap
        name = found.group(1)
        start = found.start()
        if start < covered or not _looks_like_person(name):
            continue
        covered = start + len(name)
        yield start, covered, name


def _audience_at_least(text: str, argument: str, context: CheckContext) -> Iterator[Match]:  # noqa: ARG001
    threshold = _int_argument(argument)
    if context.broadcast and context.audience_size is not None and context.audience_size >= threshold:
        yield Match(0, 0, f"about {context.audience_size:,} members")


def _open_access(text: str, argument: str, context: CheckContext) -> Iterator[Match]:  # noqa: ARG001
    if context.broadcast and context.access == "public":
        yield Match(0, 0, "anyone can read this community")


def _int_argument(argument: str) -> int:
    try:
        return int(argument.strip().replace(",", ""))
    except ValueError as exc:
        raise RuleError(f"expected a whole number after the colon, got {argument!r}") from exc


BUILTIN_DETECTORS: dict[str, tuple[Detector, bool]] = {
    # name: (detector, needs an argument)
    "uk_phone": (_regex_detector(_PHONE), False),
    "email": (_email, False),
    "full_postcode": (_regex_detector(_FULL_POSTCODE), False),
    "house_and_postcode": (_regex_detector(_HOUSE_AND_POSTCODE), False),
    "vehicle_registration": (_vehicle, False),
    "date_of_birth": (_regex_detector(_DOB), False),
    "court_date": (_regex_detector(_COURT_DATE), False),
    "name_near": (_name_near, True),
    "audience_at_least": (_audience_at_least, True),
    "open_access": (_open_access, False),
}


# --- compiling rules ---------------------------------------------------------------------

def keyword_regex(words: str) -> re.Pattern[str]:
    """Compile a comma/newline separated word list into one whole-word, case-insensitive regex."""
    parts = []
    for raw in re.split(r"[,\n]", words):
        word = raw.strip()
        if not word:
            continue
        stem, wildcard = (word[:-1], True) if word.endswith("*") else (word, False)
        escaped = r"\s+".join(re.escape(piece) for piece in stem.split())
        parts.append(escaped + (r"\w*" if wildcard else ""))
    if not parts:
        raise RuleError("enter at least one word or phrase")
    parts.sort(key=len, reverse=True)  # longest first, so phrases win over their first word
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.I)


@functools.lru_cache(maxsize=512)
def _compiled(kind: str, pattern: str) -> Callable[[str, CheckContext], Iterator[Match]]:
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise RuleError(f"the pattern is longer than {MAX_PATTERN_LENGTH} characters")
    if kind == "keywords":
        return _bind(_regex_detector(keyword_regex(pattern)), "")
    if kind == "regex":
        try:
            compiled = re.compile(pattern, re.I)
        except re.error as exc:
            raise RuleError(f"the regular expression does not work: {exc}") from exc
        if compiled.match(""):
            raise RuleError("the regular expression matches empty text, so it would match every message")
        return _bind(_regex_detector(compiled), "")
    if kind == "builtin":
        name, _, argument = pattern.partition(":")
        name = name.strip()
        if name not in BUILTIN_DETECTORS:
            raise RuleError(f"unknown detector {name!r}; choose one of {', '.join(sorted(BUILTIN_DETECTORS))}")
        detector, needs_argument = BUILTIN_DETECTORS[name]
        if needs_argument and not argument.strip():
            raise RuleError(f"the detector {name!r} needs an argument after a colon")
        if name == "name_near":
            keyword_regex(argument)
        if name == "audience_at_least":
            _int_argument(argument)
        return _bind(detector, argument)
    raise RuleError(f"unknown rule kind {kind!r}; choose one of {', '.join(KINDS)}")


def _bind(detector: Detector, argument: str) -> Callable[[str, CheckContext], Iterator[Match]]:
    return lambda text, context: detector(text, argument, context)


def compile_rule(rule: Rule) -> Callable[[str, CheckContext], Iterator[Match]]:
    """Validate a rule and return its matcher; raise RuleError with a plain-English reason."""
    if rule.category not in CATEGORIES:
        raise RuleError(f"unknown category {rule.category!r}")
    if rule.severity not in SEVERITIES:
        raise RuleError(f"unknown severity {rule.severity!r}")
    return _compiled(rule.kind, rule.pattern)


# --- checking ----------------------------------------------------------------------------

def check_message(text: str, rules: Iterable[Rule] | None = None,
                  context: CheckContext | None = None) -> list[Finding]:
    """Return the findings for a message, most severe first, then in reading order.

    Only the first MAX_TEXT_LENGTH characters are checked. Rules that do not compile
    are skipped (the rules admin refuses them before they are saved).
    """
    text = (text or "")[:MAX_TEXT_LENGTH]
    context = context or CheckContext()
    rules = default_rules() if rules is None else rules
    found: list[Finding] = []
    for rule in rules:
        if not rule.enabled:
            continue
        try:
            matcher = compile_rule(rule)
        except RuleError:
            continue
        for match in matcher(text, context):
            matched = text[match.start:match.end] or match.note
            explanation = f"{rule.explanation} ({match.note})" if match.note else rule.explanation
            found.append(Finding(rule.category, rule.severity, rule.code, matched, match.start, match.end,
                                 explanation))
            if len(found) >= MAX_FINDINGS * 4:
                break
    return _escalate(_without_overlaps(found))[:MAX_FINDINGS]


def _without_overlaps(findings: list[Finding]) -> list[Finding]:
    """Keep the most severe finding where findings of one category cover the same words."""
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (-RANK[f.severity], f.start, -(f.end - f.start))):
        if any(k.category == finding.category and k.start < finding.end and finding.start < k.end
               for k in kept):
            continue
        if any(k.rule_code == finding.rule_code and k.start == finding.start for k in kept):
            continue
        kept.append(finding)
    return kept


def _escalate(findings: list[Finding]) -> list[Finding]:
    """A message that can travel far needs a second pair of eyes on anything questionable."""
    if any(f.category == "reach_risk" for f in findings):
        findings = [
            Finding(f.category, "needs_supervisor", f.rule_code, f.matched_text, f.start, f.end,
                    f.explanation + " This message can reach many people, so a supervisor should see it.")
            if f.severity == "advice" and f.category != "reach_risk" else f
            for f in findings
        ]
    return sorted(findings, key=lambda f: (-RANK[f.severity], f.start, f.rule_code))


def highest_severity(findings: Iterable[Finding | dict[str, Any]]) -> str | None:
    """Return the most serious severity among the findings, or None if there are none."""
    levels = [f["severity"] if isinstance(f, dict) else f.severity for f in findings]
    return max(levels, key=RANK.__getitem__) if levels else None


@functools.cache
def _load_default_rules(path: str) -> tuple[Rule, ...]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return tuple(Rule(**item) for item in data["rules"])


def default_rules() -> list[Rule]:
    """Return the rules shipped with the portal (seeded into the database by `flask guidance seed`)."""
    return list(_load_default_rules(str(DEFAULT_RULES_FILE)))

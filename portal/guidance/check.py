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

from portal.guidance.detectors import DETECTORS, Detector, Match
from portal.guidance.detectors.groups import check_table_name
from portal.guidance.detectors.learned import check_category

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


def _audience_at_least(text: str, argument: str, context: CheckContext) -> Iterator[Match]:  # noqa: ARG001
    threshold = _int_argument(argument)
    if context.broadcast and context.audience_size is not None and context.audience_size >= threshold:
        yield Match(0, 0, f"a community of about {context.audience_size:,} members")


def _open_access(text: str, argument: str, context: CheckContext) -> Iterator[Match]:  # noqa: ARG001
    if context.broadcast and context.access == "public":
        yield Match(0, 0, "a community anyone can read")


def _int_argument(argument: str) -> int:
    try:
        return int(argument.strip().replace(",", ""))
    except ValueError as exc:
        raise RuleError(f"expected a whole number after the colon, got {argument!r}") from exc


BUILTIN_DETECTORS: dict[str, tuple[Detector, bool]] = {
    # name: (detector, needs an argument); the text detectors live in portal/guidance/detectors/
    **DETECTORS,
    "audience_at_least": (_audience_at_least, True),
    "open_access": (_open_access, False),
}


def _regex_detector(pattern: re.Pattern[str], note: str = "") -> Detector:
    def detect(text: str, argument: str, context: CheckContext) -> Iterator[Match]:  # noqa: ARG001
        for found in pattern.finditer(text):
            yield Match(found.start(), found.end(), note)
    return detect


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
        if name == "lexicon_words":
            try:
                check_table_name(argument)
            except KeyError as exc:
                raise RuleError(f"no word table called {argument.strip()!r} in lexicon.json") from exc
        if name == "learned_wording":
            try:
                check_category(argument)
            except KeyError as exc:
                raise RuleError(f"no learned model for {argument.strip()!r}; there are models for "
                                "'discriminatory', 'political' and 'live_proceedings'") from exc
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
    learned: set[str] = set()
    for rule in rules:
        if not rule.enabled:
            continue
        if rule.kind == "builtin" and rule.pattern.strip().startswith("learned_wording"):
            learned.add(rule.code)
        try:
            matcher = compile_rule(rule)
        except RuleError:
            continue
        for match in matcher(text, context):
            matched = text[match.start:match.end] or match.note
            explanation = f"Found {match.note}. {rule.explanation}" if match.note else rule.explanation
            found.append(Finding(rule.category, rule.severity, rule.code, matched, match.start, match.end,
                                 explanation))
            if len(found) >= MAX_FINDINGS * 4:
                break
    return _escalate(_without_overlaps(found, learned))[:MAX_FINDINGS]


def _without_overlaps(findings: list[Finding], learned: set[str] | frozenset[str] = frozenset()) -> list[Finding]:
    """Keep the most severe finding where findings of one category cover the same words.

    At equal severity a rule's finding wins over a learned model's: it says more exactly what matched
    ("the party “Green Party”") than a model's list of weighty words.
    """
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (-RANK[f.severity], f.rule_code in learned, f.start,
                                                   -(f.end - f.start))):
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

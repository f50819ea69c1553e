"""Guidance rules in the database: load them for the check, edit them with history, seed the defaults."""
from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from sqlalchemy import ScalarSelect, select

from portal import audit
from portal.extensions import db
from portal.guidance.check import Rule, compile_rule, default_rules
from portal.models import GuidanceRule, GuidanceRuleRevision, GuidanceRuleSet, User, utcnow

EDITABLE_FIELDS = ("category", "severity", "kind", "pattern", "explanation", "enabled")
# Shipped rules that later ones replaced (personal.home_address finds a house with or without a postcode).
RETIRED_RULES = frozenset({"personal.house_and_postcode"})


RULE_COLUMNS = (GuidanceRule.code, GuidanceRule.category, GuidanceRule.severity, GuidanceRule.kind,
                GuidanceRule.pattern, GuidanceRule.explanation, GuidanceRule.enabled)


def to_check_rule(rule: Any) -> Rule:
    """A stored rule (a GuidanceRule, or a row of RULE_COLUMNS) as the check reads it."""
    return Rule(code=rule.code, category=rule.category, severity=rule.severity, kind=rule.kind,
                pattern=rule.pattern, explanation=rule.explanation, enabled=bool(rule.enabled))


#: The rules this process read last, by database and the rule set's stamp (migration 0038): a
#: trigger gives the stamp a new random value with every write to guidance_rules, in the writing
#: transaction, so a stamp seen here again means the same rules.
_read: dict[str, tuple[int, tuple[Rule, ...]]] = {}
_STAMP_KEY = "guidance_rule_set_stamp"


def rule_set_stamp() -> ScalarSelect[int]:
    """The stamp as a column, to be read in a statement a request runs anyway (note_rule_set_stamp)."""
    return select(GuidanceRuleSet.stamp).where(GuidanceRuleSet.id == 1).scalar_subquery()


def note_rule_set_stamp(stamp: int | None) -> None:
    """Keep the stamp a request read with something else, so that its message check need not ask."""
    if has_request_context():
        g.setdefault(_STAMP_KEY, stamp)


def _stamp() -> int | None:
    if has_request_context() and _STAMP_KEY in g:
        return g.get(_STAMP_KEY)
    return db.session.scalar(select(GuidanceRuleSet.stamp).where(GuidanceRuleSet.id == 1))


def _forget_stamp() -> None:
    """A request that writes a rule checks later messages with what it wrote."""
    if has_request_context():
        g.pop(_STAMP_KEY, None)


def active_rules() -> list[Rule]:
    """The rules the check uses: the database's, or the shipped defaults before any are seeded.

    Read from the database when its rule set's stamp differs from the one they were read under
    (one row, or a column of a statement the request ran anyway), else this process's copy.
    The stamp is read before the rules: rules newer than their stamp are read again at the next
    check; rules older than it cannot be kept.
    """
    stamp = _stamp()
    database = str(db.session.get_bind().engine.url)
    kept = _read.get(database)
    if stamp is not None and kept is not None and kept[0] == stamp:
        return list(kept[1])
    # Plain columns, not ORM objects.
    stored = db.session.execute(select(*RULE_COLUMNS).order_by(GuidanceRule.code)).all()
    rules = default_rules() if not stored else [to_check_rule(rule) for rule in stored if rule.enabled]
    if stamp is not None:
        _read[database] = (stamp, tuple(rules))
    return rules


def snapshot(rule: GuidanceRule) -> dict[str, Any]:
    return {"code": rule.code, **{name: getattr(rule, name) for name in EDITABLE_FIELDS}}


def save_rule(rule: GuidanceRule | None, data: dict[str, Any], user: User | None) -> GuidanceRule:
    """Create or change a rule, keeping a revision per version; raise RuleError if it cannot work."""
    fields: dict[str, Any] = {name: data.get(name, getattr(rule, name, None)) for name in EDITABLE_FIELDS}
    candidate = Rule(code=data.get("code") or (rule.code if rule else ""), **fields)
    compile_rule(candidate)
    created = rule is None
    if rule is None:
        rule = GuidanceRule(code=candidate.code, version=0)
        db.session.add(rule)
    elif snapshot(rule) == {"code": rule.code, **{n: getattr(candidate, n) for n in EDITABLE_FIELDS}}:
        return rule  # nothing changed: no new version
    for name in EDITABLE_FIELDS:
        setattr(rule, name, getattr(candidate, name))
    rule.version = (rule.version or 0) + 1
    rule.updated_by_id = user.id if user else None
    db.session.flush()
    _forget_stamp()
    db.session.add(GuidanceRuleRevision(rule_id=rule.id, version=rule.version, snapshot=snapshot(rule),
                                        changed_by_id=rule.updated_by_id, changed_at=utcnow()))
    audit.record("create" if created else "change",
                 f"{'Added' if created else 'Changed'} guidance rule {rule.code} (version {rule.version})",
                 rule, details={"snapshot": snapshot(rule)})
    return rule


def seed_rules(user: User | None = None) -> int:
    """Add any shipped default rule that is not in the database yet; return how many were added."""
    existing = set(db.session.scalars(select(GuidanceRule.code)))
    added = 0
    for default in default_rules():
        if default.code in existing:
            continue
        save_rule(None, {"code": default.code, **{n: getattr(default, n) for n in EDITABLE_FIELDS}}, user)
        added += 1
    return added


def refresh_shipped_rules() -> int:
    """Bring stored rules that nobody has edited up to the shipped version; return how many changed.

    A rule a person has changed (any revision with an author) is theirs and is left alone.
    """
    edited = set(db.session.scalars(select(GuidanceRuleRevision.rule_id)
                                    .where(GuidanceRuleRevision.changed_by_id.is_not(None))))
    stored = {rule.code: rule for rule in db.session.scalars(select(GuidanceRule))}
    untouched = {code: rule for code, rule in stored.items() if rule.id not in edited and rule.updated_by_id is None}
    changed = 0
    for default in default_rules():
        rule = untouched.get(default.code)
        if rule is not None:
            before = rule.version
            save_rule(rule, {n: getattr(default, n) for n in EDITABLE_FIELDS if n != "enabled"}, None)
            changed += rule.version != before
    for code in RETIRED_RULES & untouched.keys():
        if untouched[code].enabled:
            save_rule(untouched[code], {"enabled": False}, None)
            changed += 1
    return changed

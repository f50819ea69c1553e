"""The stage rules as tables: allowed moves, evidence needed, suggestions."""
from __future__ import annotations

import pytest

from portal.outreach.stages import ContactFacts, check_move, is_forward, suggest_move

POS, ACK, PEND = ContactFacts("positive"), ContactFacts("acknowledged"), ContactFacts("pending")
INBOUND = ContactFacts("pending", "inbound")


@pytest.mark.parametrize(("from_stage", "to_stage", "evidence", "allowed"), [
    ("identified", "approached", None, False),
    ("identified", "approached", PEND, True),
    ("approached", "acknowledged", None, False),
    ("approached", "acknowledged", PEND, False),
    ("approached", "acknowledged", ACK, True),
    ("approached", "acknowledged", INBOUND, True),
    ("acknowledged", "two_way", ACK, False),
    ("acknowledged", "two_way", POS, True),
    ("two_way", "partner", INBOUND, False),
    ("two_way", "partner", POS, True),
    ("dormant", "approached", None, False),
    ("dormant", "approached", PEND, True),
    ("partner", "acknowledged", None, True),   # backward: a correction, no evidence needed
    ("two_way", "dormant", None, True),        # branches need no evidence
    ("approached", "hostile", None, True),
    ("approached", "approached", PEND, False),  # no-op
    ("approached", "nonsense", PEND, False),
])
def test_check_move(from_stage, to_stage, evidence, allowed):
    verdict = check_move(from_stage, to_stage, evidence)
    assert verdict.allowed is allowed
    assert bool(verdict.reason) is (not allowed)


def test_refusal_without_evidence_says_what_is_needed():
    assert "must cite the contact" in check_move("approached", "acknowledged", None).reason


@pytest.mark.parametrize(("current", "contact", "expected"), [
    ("identified", PEND, "approached"),
    ("identified", POS, "acknowledged"),
    ("approached", PEND, None),
    ("approached", ACK, "acknowledged"),
    ("approached", ContactFacts("negative"), "declined"),
    ("acknowledged", POS, "two_way"),
    ("acknowledged", INBOUND, "two_way"),
    ("acknowledged", ACK, None),
    ("two_way", POS, None),                      # partnership is the officer's judgement
    ("two_way", ContactFacts("hostile"), "hostile"),
    ("hostile", ContactFacts("hostile"), None),
    ("dormant", PEND, "approached"),
    ("dormant", POS, "acknowledged"),
])
def test_suggest_move(current, contact, expected):
    assert suggest_move(current, contact) == expected


@pytest.mark.parametrize(("current", "contact"), [
    (c, f) for c in ("identified", "approached", "acknowledged", "two_way", "partner", "declined", "hostile", "dormant")
    for f in (POS, ACK, PEND, INBOUND, ContactFacts("negative"), ContactFacts("hostile"))
])
def test_every_suggestion_is_a_move_the_rules_allow_with_that_contact(current, contact):
    target = suggest_move(current, contact)
    if target is not None:
        assert check_move(current, target, contact).allowed


def test_forwardness():
    assert is_forward("identified", "partner")
    assert not is_forward("partner", "two_way")
    assert not is_forward("two_way", "hostile")
    assert is_forward("declined", "approached")

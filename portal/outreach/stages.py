"""Relationship stage rules: which moves are allowed, what evidence they need, what to suggest.

Pure functions over plain values so the rules can be read (and tested) as tables.
"""
from __future__ import annotations

from dataclasses import dataclass

from portal.models.base import STAGE_BRANCHES, STAGE_PATH, STAGES

__all__ = ["ContactFacts", "MoveCheck", "check_move", "is_forward", "suggest_move"]

# What a forward move to each stage needs from its evidencing contact.
# (allowed outcomes, or None for any; inbound contact also counts when listed)
EVIDENCE_NEEDED: dict[str, tuple[frozenset[str] | None, bool]] = {
    "approached": (None, False),
    "acknowledged": (frozenset({"acknowledged", "positive"}), True),
    "two_way": (frozenset({"positive"}), True),
    "partner": (frozenset({"positive"}), False),
}
EVIDENCE_WORDS = {
    "approached": "any contact with the community",
    "acknowledged": "a contact whose outcome was acknowledged or positive, or a message from them",
    "two_way": "a positive reply, or a message from them",
    "partner": "a contact with a positive outcome",
}


@dataclass(frozen=True)
class ContactFacts:
    """What the stage rules need to know about a contact."""

    outcome: str
    direction: str = "outbound"


@dataclass(frozen=True)
class MoveCheck:
    allowed: bool
    reason: str = ""


def _rank(stage: str) -> int:
    """Position on the main path; branches rank before 'approached' (a move out of them is forward)."""
    return STAGE_PATH.index(stage) if stage in STAGE_PATH else 0


def is_forward(from_stage: str | None, to_stage: str) -> bool:
    """True when the move advances the relationship along the main path."""
    if to_stage not in STAGE_PATH or to_stage == "identified":
        return False
    return from_stage is None or from_stage in STAGE_BRANCHES or _rank(to_stage) > _rank(from_stage)


def _evidences(to_stage: str, contact: ContactFacts) -> bool:
    outcomes, inbound_counts = EVIDENCE_NEEDED[to_stage]
    if outcomes is None or contact.outcome in outcomes:
        return True
    return inbound_counts and contact.direction == "inbound"


def check_move(from_stage: str | None, to_stage: str, evidence: ContactFacts | None) -> MoveCheck:
    """Say whether a stage move is allowed; forward moves must cite an evidencing contact."""
    if to_stage not in STAGES:
        return MoveCheck(False, "Choose a stage from the list.")
    if to_stage == from_stage:
        return MoveCheck(False, "The relationship is already at this stage.")
    if not is_forward(from_stage, to_stage):
        return MoveCheck(True)
    if evidence is None:
        return MoveCheck(False, "A forward move must cite the contact that evidences it: "
                                f"choose {EVIDENCE_WORDS[to_stage]}.")
    if not _evidences(to_stage, evidence):
        return MoveCheck(False, f"That contact does not evidence this move: it needs {EVIDENCE_WORDS[to_stage]}.")
    return MoveCheck(True)


def suggest_move(current: str, contact: ContactFacts) -> str | None:
    """Return the stage a newly logged contact implies, or None (the officer confirms it)."""
    if contact.outcome == "hostile":
        return None if current == "hostile" else "hostile"
    if contact.outcome == "negative":
        return "declined" if current in {"identified", "approached"} else None
    replied = contact.outcome in {"acknowledged", "positive"} or contact.direction == "inbound"
    if current in {"identified", "approached", "dormant", "declined"}:
        if replied:
            return "acknowledged"
        return "approached" if current != "approached" and contact.direction == "outbound" else None
    if current == "acknowledged" and (contact.outcome == "positive" or contact.direction == "inbound"):
        return "two_way"
    return None

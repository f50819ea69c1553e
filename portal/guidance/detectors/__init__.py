"""Built-in detectors for the message check, by what they look for; their word tables are lexicon.json."""
from __future__ import annotations

from portal.guidance.detectors import (
    groups, identifiers, learned, operations, people, places, politics, proceedings,
)
from portal.guidance.detectors.base import Detector, Match

__all__ = ["DETECTORS", "Detector", "Match"]

# name -> (detector, needs an argument after a colon)
DETECTORS: dict[str, tuple[Detector, bool]] = {
    **identifiers.DETECTORS, **places.DETECTORS, **people.DETECTORS, **groups.DETECTORS, **politics.DETECTORS,
    **proceedings.DETECTORS, **operations.DETECTORS, **learned.DETECTORS,
}

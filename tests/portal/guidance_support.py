"""What the detector tests of each tuning round share."""
from __future__ import annotations

from portal.guidance.check import check_message


def flagged(text: str) -> set[str]:
    """The rule codes a message trips, advice left out (what an officer is stopped or warned by)."""
    return {f.rule_code for f in check_message(text) if f.severity != "advice"}

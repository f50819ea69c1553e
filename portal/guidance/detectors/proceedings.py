"""Live proceedings: a court appearance, hearing or trial date."""
from __future__ import annotations

import re
from collections.abc import Iterator

from portal.guidance.detectors.base import Detector, Match

_COURT_DATE = re.compile(
    r"\b(?:(?:appear|appears|appearing|due|listed)\s+(?:at|in|before)\s+[\w' ]{0,40}?(?:court|tribunal)"
    r"|(?:crown|magistrates'?|youth)\s+court|court\s+(?:on|next|hearing|date|case)|trial\s+(?:on|date|next|begins))",
    re.I,
)


def court_date(text: str, argument: str, context) -> Iterator[Match]:  # noqa: ARG001
    for found in _COURT_DATE.finditer(text):
        yield Match(found.start(), found.end(), "a court appearance or hearing")


DETECTORS: dict[str, tuple[Detector, bool]] = {"court_date": (court_date, False)}

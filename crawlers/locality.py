"""Locality scoring with evidence.

A profile (JSON, see DESIGN.md; validated by :mod:`crawlers.area_profile`) names places
(with aliases and weights), excluded ambiguous names, postcode districts (with weights)
and an optional bounding box.
:func:`score_locality` turns a site's text and geo tags into a score in [0, 1]
(0.5 and above means local) and keeps one :class:`Evidence` per point of score.
Points combine as independent signals: score = 1 - Π(1 - points).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import logging
import re
from dataclasses import dataclass, field

# The profile format lives in its own module (the portal validates with it too); its names
# are re-exported here because "load a profile, then score with it" is one use.
from crawlers.area_profile import AreaProfile, ProfileError, load_area_profile

logger = logging.getLogger(__name__)

__all__ = [
    "AreaProfile", "Evidence", "LocalityScore", "ProfileError", "load_area_profile", "score_locality",
    "WEIGHTS",
]

#: Points per signal (before the place/district weight). Read as "how sure is one sighting":
#: a full postcode in the area is strong, a district code alone weaker, a place name in
#: the title stronger than one in a footer, coordinates inside the box strong.
WEIGHTS = {
    "postcode": 0.45,          # full postcode in a profile district, e.g. "BN7 2AB"
    "district": 0.15,          # district code alone, e.g. "BN7"
    "place_title": 0.40,       # place name in the site title or description
    "place_text": 0.25,        # place name in page or feed text
    "place_repeat": 0.05,      # each further distinct page mentioning the same place
    "geo": 0.50,               # geo.position / ICBM / schema.org / GeoRSS inside the bbox
}
#: A site scoring at least this is called local (the CLI's count, the review queue's label).
LOCAL_THRESHOLD = 0.5
#: Most evidence items kept per site (the strongest first).
MAX_EVIDENCE = 20
POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\b")
DISTRICT = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\b")


@dataclass(frozen=True)
class Evidence:
    """One reason for a locality score: what matched, where, and the points it gave."""

    kind: str
    matched: str
    where: str
    points: float

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"kind": self.kind, "matched": self.matched, "where": self.where, "points": self.points}


@dataclass
class LocalityScore:
    """A score in [0, 1] and the evidence behind it."""

    score: float = 0.0
    evidence: list[Evidence] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return ``{"score", "evidence"}`` as in DESIGN.md."""
        return {"score": self.score, "evidence": [e.to_json() for e in self.evidence]}


def _name_pattern(profile: AreaProfile) -> tuple[re.Pattern[str] | None, dict[str, tuple[str, float]]]:
    """One alternation of every place, alias and excluded name, longest first."""
    names: dict[str, tuple[str, float]] = {}
    for excluded in profile.exclude_places:
        names[excluded.lower()] = ("", 0.0)
    for place in profile.places:
        for spelling in (place.name, *place.aliases):
            names[spelling.lower().replace("\u2019", "'")] = (place.name, place.weight)
    if not names:
        return None, names
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{alternation})(?![\w])", re.I), names


class _Tally:
    """Collects evidence, one item per (kind, thing matched), the strongest kept."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Evidence] = {}
        self.repeats: dict[str, set[str]] = {}

    def add(self, kind: str, matched: str, where: str, points: float) -> None:
        key = (kind, matched)
        if kind.startswith("place"):
            self.repeats.setdefault(matched, set()).add(where)
            key = ("place", matched)
        current = self.items.get(key)
        if current is None or points > current.points:
            self.items[key] = Evidence(kind, matched, where, round(points, 3))

    def result(self) -> LocalityScore:
        evidence = list(self.items.values())
        for name, places in self.repeats.items():
            extra = min(len(places) - 1, 3)
            if extra > 0:
                evidence.append(Evidence("place_repeat", name, f"{len(places)} places on the site",
                                         round(WEIGHTS["place_repeat"] * extra, 3)))
        evidence.sort(key=lambda e: -e.points)
        remaining = 1.0
        for item in evidence:
            remaining *= 1 - min(item.points, 0.99)
        return LocalityScore(round(1 - remaining, 3), evidence[:MAX_EVIDENCE])


def _score_postcodes(profile: AreaProfile, text: str, where: str, tally: _Tally) -> None:
    upper = text.upper()
    spans = []
    for match in POSTCODE.finditer(upper):
        spans.append(match.span())
        district = match.group(1)
        if district in profile.postcode_districts:
            postcode = f"{district} {match.group(2)}"
            tally.add("postcode", postcode, where, WEIGHTS["postcode"] * profile.postcode_districts[district])
    for match in DISTRICT.finditer(upper):
        district = match.group(1)
        inside = any(a <= match.start() < b for a, b in spans)
        if district in profile.postcode_districts and not inside:
            tally.add("district", district, where, WEIGHTS["district"] * profile.postcode_districts[district])


def _score_places(pattern: re.Pattern[str], names: dict[str, tuple[str, float]], text: str, where: str,
                  tally: _Tally) -> None:
    kind = "place_title" if where in ("title", "description") else "place_text"
    for match in pattern.finditer(text.replace("\u2019", "'")):
        place, weight = names.get(match.group(0).lower(), ("", 0.0))
        if not place:
            tally.add("excluded", match.group(0), where, 0.0)
        else:
            tally.add(kind, place, where, WEIGHTS[kind] * weight)


def score_locality(profile: AreaProfile | None, texts: list[tuple[str, str]],
                   geo: Sequence[tuple[float, float, str]] = ()) -> LocalityScore:
    """Score how local a site is to an area, keeping the evidence.

    Args:
        profile: the area profile (None gives score 0 and no evidence).
        texts: ``(where, text)`` pairs: "title", "description", a page or feed URL.
        geo: ``(lat, lon, where)`` coordinates found in geo tags or GeoRSS.

    Returns:
        The :class:`LocalityScore`.
    """
    if profile is None:
        return LocalityScore()
    tally = _Tally()
    pattern, names = _name_pattern(profile)
    for where, text in texts:
        if not text:
            continue
        if profile.postcode_districts:
            _score_postcodes(profile, text, where, tally)
        if pattern is not None:
            _score_places(pattern, names, text, where, tally)
    if profile.bbox is not None:
        min_lon, min_lat, max_lon, max_lat = profile.bbox
        for lat, lon, where in geo:
            if min_lon <= lon <= max_lon and min_lat <= lat <= max_lat:
                tally.add("geo", f"{lat:.4f},{lon:.4f}", where, WEIGHTS["geo"])
    return tally.result()

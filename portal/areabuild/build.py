"""Build an area profile from the official files: choose the area, read both files, assemble.

The profile is the DESIGN.md format: places with aliases and weights, postcode districts
weighted by the share of their live postcodes inside the area, a bounding box, and the
area's names that also name places elsewhere in Great Britain proposed for exclude_places
(the admin reviews them before saving).
"""
from __future__ import annotations

import logging
import time
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portal.areabuild.names import IPN_WEIGHTS, PlaceNames, read_place_names
from portal.areabuild.onspd import PostcodeTally, tally_postcodes
from portal.areabuild.resolve import AreaChoice, is_ipn, resolve_choice
from portal.areabuild.sources import AreaDataError

logger = logging.getLogger(__name__)

ATTRIBUTION = ("Source: Office for National Statistics licensed under the Open Government Licence v3.0. "
               "Contains OS data © Crown copyright and database right. "
               "Contains Royal Mail data © Royal Mail copyright and database right.")
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
#: Districts with a smaller share of their postcodes inside the area are left out of the profile.
MIN_DISTRICT_SHARE = 0.05
_ALIAS_SWAPS = ((r"\bSt\.? ", "Saint "), (r"\bSaint ", "St "), (" & ", " and "), (" and ", " & "))


@dataclass
class BuiltProfile:
    """A profile ready to preview: the profile, the ambiguous names and counts for the admin."""

    profile: dict[str, Any]
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    postcodes: int = 0
    names_kind: str = ""


def aliases_of(name: str) -> list[str]:
    """Return common other spellings of a place name (St/Saint, &/and, hyphens)."""
    variants = set()
    for pattern, replacement in _ALIAS_SWAPS:
        changed = re.sub(pattern, replacement, name)
        if changed != name:
            variants.add(changed)
    if "-" in name:
        variants.add(name.replace("-", " "))
    return sorted(variants)


def build_profile(onspd_path: Path, names_path: Path, choice: AreaChoice,
                  min_share: float = MIN_DISTRICT_SHARE) -> BuiltProfile:
    """Build the profile of an area from the ONSPD and a place-names file.

    Args:
        onspd_path: the ONS Postcode Directory CSV (or its zip).
        names_path: the ONS Index of Place Names CSV or OS Open Names CSV (or their zip).
        choice: the local authority and wards (codes or, with the IPN, names).
        min_share: districts with less of their postcodes in the area are left out.

    Raises:
        AreaDataError: a file cannot be used, or the area is not in it.
    """
    started = time.monotonic()
    choice = resolve_choice(choice, onspd_path, names_path)
    tally = tally_postcodes(onspd_path, choice.lad, frozenset(choice.wards), with_cells=not is_ipn(names_path))
    names = read_place_names(names_path, tally)
    ambiguous = names.ambiguous()
    profile = _assemble(choice, tally, names, ambiguous, min_share)
    profile["source"] = {"attribution": ATTRIBUTION, "licence": LICENCE_URL, "onspd": Path(onspd_path).name[:200],
                         "names": Path(names_path).name[:200], "lad": choice.lad,
                         "wards": " ".join(choice.wards)}
    logger.info("area profile for %s built: %d postcodes, %d places, %d districts in %.1f s", choice.lad,
                sum(tally.inside.values()), len(profile["places"]), len(profile["postcode_districts"]),
                time.monotonic() - started)
    return BuiltProfile(profile, ambiguous, sum(tally.inside.values()), names.kind)


def _assemble(choice: AreaChoice, tally: PostcodeTally, names: PlaceNames, ambiguous: dict[str, list[str]],
              min_share: float) -> dict[str, Any]:
    places = []
    for place in sorted(names.places.values(), key=lambda p: (-p.weight, p.name)):
        if place.name in ambiguous:
            continue
        aliases = sorted((place.aliases | set(aliases_of(place.name))) - {place.name} - set(ambiguous))
        places.append({"name": place.name, "aliases": aliases, "weight": round(place.weight, 2)})
    districts = {district: round(tally.share(district), 2) for district in sorted(tally.inside)
                 if tally.share(district) >= min_share}
    title = choice.name or names.council or choice.lad
    if choice.wards and not choice.name:
        title = f"{title} ({len(choice.wards)} ward{'s' if len(choice.wards) > 1 else ''})"
    profile: dict[str, Any] = {"name": title, "places": places, "exclude_places": sorted(ambiguous),
                               "postcode_districts": districts}
    if tally.bbox is not None and tally.bbox[0] < tally.bbox[2] and tally.bbox[1] < tally.bbox[3]:
        profile["bbox"] = [round(v, 4) for v in tally.bbox]
    return profile


__all__ = ["ATTRIBUTION", "AreaChoice", "AreaDataError", "BuiltProfile", "IPN_WEIGHTS", "aliases_of",
           "build_profile", "resolve_choice"]

"""The area-profile format (DESIGN.md): one schema for the crawler and the portal.

The crawler scores with a profile loaded here; the portal validates what an admin
saves, and what ``flask areas build`` writes, with the same function and stores
:meth:`AreaProfile.to_json`. It lives in ``crawlers/`` because the crawler must not
import the portal.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["MAX_PLACES", "AreaProfile", "Place", "ProfileError", "load_area_profile"]

#: Most places a profile may name (a whole local authority has a few hundred). The
#: scorer builds one alternation of every name, so an unbounded list is a cost to bound.
MAX_PLACES = 2000
#: Most provenance entries kept, and their key and value lengths (a note, not a document).
MAX_SOURCE_ITEMS, MAX_SOURCE_KEY, MAX_SOURCE_VALUE = 10, 40, 500
DISTRICT_CODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")


class ProfileError(ValueError):
    """An area profile is malformed; the message says which field and why."""


@dataclass(frozen=True)
class Place:
    """A place name with its aliases and weight."""

    name: str
    aliases: tuple[str, ...] = ()
    weight: float = 1.0


@dataclass(frozen=True)
class AreaProfile:
    """A validated area profile."""

    name: str
    places: tuple[Place, ...] = ()
    exclude_places: tuple[str, ...] = ()
    postcode_districts: dict[str, float] = field(default_factory=dict)
    bbox: tuple[float, float, float, float] | None = None
    source: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the normalised JSON form (loads back to an equal profile)."""
        stored: dict[str, Any] = {
            "name": self.name,
            "places": [{"name": p.name, "aliases": list(p.aliases), "weight": p.weight} for p in self.places],
            "exclude_places": list(self.exclude_places),
            "postcode_districts": dict(self.postcode_districts),
        }
        if self.bbox is not None:
            stored["bbox"] = list(self.bbox)
        if self.source:
            stored["source"] = dict(self.source)
        return stored


def _weight(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ProfileError(f"{where}: weight must be a number between 0 and 1, got {value!r}")
    return float(value)


def _places(raw: object) -> tuple[Place, ...]:
    if not isinstance(raw, list):
        raise ProfileError("places: must be a list of names or {name, aliases, weight} objects")
    if len(raw) > MAX_PLACES:
        raise ProfileError(f"places: at most {MAX_PLACES} entries")
    places = []
    for index, item in enumerate(raw):
        if isinstance(item, str) and item.strip():
            places.append(Place(item.strip()))
        elif isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip():
            aliases = item.get("aliases", [])
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise ProfileError(f"places[{index}].aliases: must be a list of strings")
            weight = _weight(item.get("weight", 1.0), f"places[{index}]")
            places.append(Place(item["name"].strip(), tuple(a.strip() for a in aliases if a.strip()), weight))
        else:
            raise ProfileError(f"places[{index}]: must be a name or an object with a 'name'")
    return tuple(places)


def _districts(raw: object) -> dict[str, float]:
    items = raw.items() if isinstance(raw, dict) else ((d, 1.0) for d in raw) if isinstance(raw, list) else None
    if items is None:
        raise ProfileError("postcode_districts: must be a list like [\"BN7\"] or an object like {\"BN7\": 1.0}")
    districts = {}
    for code, weight in items:
        if not isinstance(code, str) or not DISTRICT_CODE.fullmatch(code.strip().upper()):
            raise ProfileError(f"postcode_districts: {code!r} is not a postcode district such as BN7")
        districts[code.strip().upper()] = _weight(weight, f"postcode_districts[{code}]")
    return districts


def _bbox(raw: object) -> tuple[float, float, float, float] | None:
    if raw is None:
        return None
    if (not isinstance(raw, list) or len(raw) != 4
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in raw)):
        raise ProfileError("bbox: must be [min_lon, min_lat, max_lon, max_lat]")
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in raw)
    if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
        raise ProfileError("bbox: must be [min_lon, min_lat, max_lon, max_lat] with min < max")
    return min_lon, min_lat, max_lon, max_lat


def _excluded(raw: object) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(e, str) for e in raw):
        raise ProfileError("exclude_places: must be a list of strings")
    return tuple(e.strip() for e in raw if e.strip())


def _source(raw: object) -> dict[str, str]:
    """Keep a built profile's provenance note (files, attribution) as short strings only.

    Lenient on purpose: the note is never scored, so a malformed one is trimmed, not refused.
    """
    if not isinstance(raw, dict):
        return {}
    return {str(key)[:MAX_SOURCE_KEY]: value[:MAX_SOURCE_VALUE]
            for key, value in list(raw.items())[:MAX_SOURCE_ITEMS] if isinstance(value, str)}


def load_area_profile(source: dict[str, Any] | str | Path, *, allow_empty: bool = False) -> AreaProfile:
    """Load and validate an area profile from a dict or a JSON file.

    Args:
        source: the profile as a dict, or a path to a JSON file.
        allow_empty: accept a profile that names no place and no district (a new area
            before its places are known; it scores nothing as local).

    Returns:
        The validated :class:`AreaProfile`.

    Raises:
        ProfileError: naming the field at fault.
    """
    if isinstance(source, str | Path):
        try:
            source = json.loads(Path(source).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ProfileError(f"cannot read area profile {source}: {exc}") from None
    if not isinstance(source, dict):
        raise ProfileError("an area profile must be a JSON object")
    name = source.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ProfileError("name: required, a non-empty string")
    places, districts = _places(source.get("places", [])), _districts(source.get("postcode_districts", []))
    if not allow_empty and not places and not districts:
        raise ProfileError("places or postcode_districts: at least one is required")
    return AreaProfile(
        name=name.strip(), places=places, exclude_places=_excluded(source.get("exclude_places", [])),
        postcode_districts=districts, bbox=_bbox(source.get("bbox")), source=_source(source.get("source")),
    )

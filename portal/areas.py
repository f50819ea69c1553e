"""Area profiles: validation of the DESIGN.md format and import into the database."""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from portal.extensions import db
from portal.models import Area

POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")
MAX_PLACES = 2000


class ProfileError(ValueError):
    """The area profile is not in the documented format."""


def _place(entry: Any, index: int) -> dict[str, Any]:
    if isinstance(entry, str):
        entry = {"name": entry}
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
        raise ProfileError(f"places[{index}] needs a name")
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise ProfileError(f"places[{index}].aliases must be a list of names")
    weight = entry.get("weight", 1.0)
    if not isinstance(weight, int | float) or not 0 <= weight <= 1:
        raise ProfileError(f"places[{index}].weight must be a number between 0 and 1")
    return {"name": entry["name"].strip(), "aliases": [a.strip() for a in aliases if a.strip()],
            "weight": float(weight)}


def _districts(value: Any) -> dict[str, float]:
    if isinstance(value, list):
        value = {item: 1.0 for item in value if isinstance(item, str)} if all(
            isinstance(item, str) for item in value) else None
    if not isinstance(value, dict):
        raise ProfileError("postcode_districts must be a list like [\"BN1\"] or a map like {\"BN1\": 1.0}")
    districts = {}
    for raw, weight in value.items():
        district = str(raw).strip().upper()
        if not POSTCODE_DISTRICT.match(district):
            raise ProfileError(f"{raw!r} is not a postcode district (like BN7 or RH19)")
        if not isinstance(weight, int | float) or not 0 <= weight <= 1:
            raise ProfileError(f"weight for {district} must be a number between 0 and 1")
        districts[district] = float(weight)
    return districts


def validate_profile(data: Any) -> dict[str, Any]:
    """Return a normalised area profile, or raise ProfileError saying what is wrong."""
    if not isinstance(data, dict):
        raise ProfileError("The profile must be a JSON object")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ProfileError("The profile needs a name")
    if not data.get("places") and not data.get("postcode_districts"):
        raise ProfileError("The profile needs places or postcode_districts")
    places = data.get("places") or []
    if not isinstance(places, list) or len(places) > MAX_PLACES:
        raise ProfileError(f"places must be a list of at most {MAX_PLACES} entries")
    exclude = data.get("exclude_places") or []
    if not isinstance(exclude, list) or not all(isinstance(x, str) for x in exclude):
        raise ProfileError("exclude_places must be a list of names")
    profile: dict[str, Any] = {
        "name": name.strip(),
        "places": [_place(entry, i) for i, entry in enumerate(places)],
        "exclude_places": [x.strip() for x in exclude if x.strip()],
        "postcode_districts": _districts(data.get("postcode_districts") or {}),
    }
    bbox = data.get("bbox")
    if bbox is not None:
        if (not isinstance(bbox, list) or len(bbox) != 4
                or not all(isinstance(v, int | float) for v in bbox)
                or not (-180 <= bbox[0] < bbox[2] <= 180 and -90 <= bbox[1] < bbox[3] <= 90)):
            raise ProfileError("bbox must be [min_lon, min_lat, max_lon, max_lat]")
        profile["bbox"] = [float(v) for v in bbox]
    return profile


def import_area(data: Any, slug: str | None = None) -> tuple[Area, bool]:
    """Create or update an area from a profile; return (area, created)."""
    profile = validate_profile(data)
    slug = slug or data.get("slug") or Area.slugify(profile["name"])
    area = db.session.scalar(select(Area).where(Area.slug == slug))
    created = area is None
    if created:
        area = Area(slug=slug, name=profile["name"], profile=profile)
        db.session.add(area)
    else:
        area.name = profile["name"]
        area.profile = profile
    return area, created

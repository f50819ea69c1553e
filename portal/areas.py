"""Area profiles: the DESIGN.md format (validated by the crawler's one schema) and import."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crawlers.locality import AreaProfile, ProfileError, load_area_profile
from portal.extensions import db
from portal.models import Area

__all__ = ["MAX_PLACES", "ProfileError", "empty_profile", "import_area", "profile_json", "validate_profile"]

#: Most places a stored profile may name (a whole local authority has a few hundred).
MAX_PLACES = 2000


def empty_profile(name: str) -> dict[str, Any]:
    """Return the profile of a new area that names nothing yet (nothing scores as local)."""
    return {"name": name.strip(), "places": [], "exclude_places": [], "postcode_districts": {}}


def profile_json(profile: AreaProfile) -> dict[str, Any]:
    """Return the stored (normalised JSON) form of a validated profile."""
    stored: dict[str, Any] = {
        "name": profile.name,
        "places": [{"name": p.name, "aliases": list(p.aliases), "weight": p.weight} for p in profile.places],
        "exclude_places": list(profile.exclude_places),
        "postcode_districts": dict(profile.postcode_districts),
    }
    if profile.bbox is not None:
        stored["bbox"] = list(profile.bbox)
    return stored


def validate_profile(data: Any, allow_empty: bool = False) -> dict[str, Any]:
    """Return a normalised area profile, or raise ProfileError saying what is wrong.

    The format is checked by ``crawlers.locality.load_area_profile`` (the one schema the
    crawler scores with); the portal adds only its size bound. ``allow_empty`` accepts a
    profile with a name and nothing else (a new area before its places are known).
    """
    if not isinstance(data, dict):  # a str would be read as a file path by the loader
        raise ProfileError("an area profile must be a JSON object")
    if isinstance(data.get("places"), list) and len(data["places"]) > MAX_PLACES:
        raise ProfileError(f"places: at most {MAX_PLACES} entries")
    if allow_empty and not data.get("places") and not data.get("postcode_districts"):
        # Check the other fields with the same schema, then keep the profile empty.
        stored = profile_json(load_area_profile({**data, "places": ["-"]}))
        return {**empty_profile(stored["name"]), "exclude_places": stored["exclude_places"]}
    stored = profile_json(load_area_profile(data))
    source = _source(data.get("source"))
    if source:
        stored["source"] = source
    return stored


def _source(raw: Any) -> dict[str, str]:
    """Keep a built profile's provenance note (files, attribution) as short strings only."""
    if not isinstance(raw, dict):
        return {}
    return {str(key)[:40]: value[:500] for key, value in list(raw.items())[:10] if isinstance(value, str)}


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

"""Area profiles: validated by the crawler's one schema (crawlers.area_profile), and import."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crawlers.area_profile import MAX_PLACES, ProfileError, load_area_profile
from portal.extensions import db
from portal.models import Area

__all__ = ["MAX_PLACES", "ProfileError", "empty_profile", "import_area", "validate_profile"]


def empty_profile(name: str) -> dict[str, Any]:
    """Return the profile of a new area that names nothing yet (nothing scores as local)."""
    return {"name": name.strip(), "places": [], "exclude_places": [], "postcode_districts": {}}


def validate_profile(data: Any, allow_empty: bool = False) -> dict[str, Any]:
    """Return a normalised area profile, or raise ProfileError saying what is wrong.

    ``allow_empty`` accepts a profile with a name and no places or districts (a new area
    before its places are known). Everything else is the crawler's schema, unchanged.
    """
    if not isinstance(data, dict):  # a str would be read as a file path by the loader
        raise ProfileError("an area profile must be a JSON object")
    return load_area_profile(data, allow_empty=allow_empty).to_json()


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

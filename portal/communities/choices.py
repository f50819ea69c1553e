"""Communities offered in a form's drop-down: a bounded list, whatever the size of the force.

A supervisor over many areas may see tens of thousands of communities; a ``<select>`` of
all of them is megabytes of HTML. Forms offer the most recently contacted first, up to
:data:`LIMIT`, plus any community the request names (a ``?community_id=`` link from the
community's own page, or the posted value), so every visible community stays reachable.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select

from portal.communities.queries import visible_to
from portal.extensions import db
from portal.models import Community, User
from portal.params import ids_from

__all__ = ["LIMIT", "community_choices"]

#: Communities listed by name in a drop-down.
LIMIT = 500


def community_choices(user: User, wanted: Iterable[int | None] = (), limit: int | None = None,
                      base: Select | None = None) -> list[Community]:
    """Visible communities for a drop-down: those asked for first, then the most recently contacted.

    Args:
        user: whose visibility applies.
        wanted: ids the request names (preselected or posted); invisible ones are dropped.
        limit: how many others to list (default :data:`LIMIT`).
        base: a narrower query than :func:`visible_to` (e.g. active communities only).

    Returns:
        Communities, without duplicates.
    """
    query = base if base is not None else visible_to(user)
    ids = ids_from(wanted)
    named = list(db.session.scalars(query.where(Community.id.in_(ids)))) if ids else []
    top = db.session.scalars(query.order_by(Community.last_contact_at.desc().nulls_last(), Community.name)
                             .limit(limit or LIMIT))
    return list({c.id: c for c in [*named, *top]}.values())

"""Queries for the community catalogue."""
from __future__ import annotations

from sqlalchemy import Select, or_, select

from portal.models import Community, User


def visible_to(user: User) -> Select:
    """Communities the user may see: their areas for officers and supervisors, all otherwise."""
    query = select(Community).where(Community.status != "merged")
    if user.role in {"officer", "supervisor"}:
        query = query.where(Community.area_id.in_(user.area_ids or {-1}))
    return query


def search(user: User, q: str = "") -> Select:
    """Search the visible communities by name or address."""
    query = visible_to(user)
    q = (q or "").strip()[:200]
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        query = query.where(or_(Community.name.ilike(like, escape="\\"),
                                Community.url.ilike(like, escape="\\")))
    return query.order_by(Community.name, Community.id)

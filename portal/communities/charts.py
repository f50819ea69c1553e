"""Small server-rendered SVG charts (inline <svg>, presentation attributes only: CSP-safe)."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import Select, bindparam, select

from portal.extensions import db
from portal.models import ActivitySample, Assessment


@dataclass
class Series:
    name: str
    points: str  # "x,y x,y …" for a <polyline>
    last: float | None


def polyline(values: list[float | None], width: int, height: int, lo: float, hi: float, pad: int = 3) -> str:
    """Scale values into an SVG polyline's points (gaps are skipped)."""
    if not values:
        return ""
    step = (width - 2 * pad) / max(1, len(values) - 1)
    span = (hi - lo) or 1
    points = []
    for index, value in enumerate(values):
        if value is None:
            continue
        x = pad + index * step
        y = height - pad - (min(max(value, lo), hi) - lo) / span * (height - 2 * pad)
        points.append(f"{x:.1f},{y:.1f}")
    return " ".join(points)


def activity_sparkline(community_id: int, limit: int = 30, width: int = 200, height: int = 40) -> Series | None:
    """The community's last `limit` activity samples (posts per week) as a sparkline."""
    rows = list(db.session.execute(_sparkline_statement(), {"community_id": community_id, "limit": limit}))[::-1]
    if not rows:
        return None
    values = [r.items_per_week for r in rows]
    top = max([v for v in values if v is not None] or [1]) or 1
    return Series("Posts per week", polyline(values, width, height, 0, top), values[-1])


def assessment_trend(community_id: int, limit: int = 12, width: int = 240, height: int = 80) -> list[Series]:
    """Trust, reciprocity and reach over the last `limit` assessments, on the 1–5 scale."""
    rows = list(db.session.execute(_trend_statement(), {"community_id": community_id, "limit": limit}))[::-1]
    if not rows:
        return []
    return [Series(name, polyline([float(getattr(r, key)) for r in rows], width, height, 1, 5),
                   getattr(rows[-1], key))
            for key, name in (("trust", "Trust"), ("reciprocity", "Reciprocity"), ("reach", "Reach"))]


# Built once, with bound parameters: every community page runs both, and building an ORM select
# cost more CPU than running it (issue 26 target 2).

@functools.cache
def _sparkline_statement() -> Select:
    return (select(ActivitySample.sampled_at, ActivitySample.items_per_week)
            .where(ActivitySample.community_id == bindparam("community_id"))
            .order_by(ActivitySample.sampled_at.desc(), ActivitySample.id.desc()).limit(bindparam("limit")))


@functools.cache
def _trend_statement() -> Select:
    return (select(Assessment.trust, Assessment.reciprocity, Assessment.reach)
            .where(Assessment.community_id == bindparam("community_id"))
            .order_by(Assessment.assessed_at.desc(), Assessment.id.desc()).limit(bindparam("limit")))

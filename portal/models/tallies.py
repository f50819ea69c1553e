"""Pre-aggregated stage counts for the research funnel (kept by portal/stage_tallies.py)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Model

MONTH, DAY = "month", "day"
AT, FURTHEST = "at", "furthest"
ALL_PLATFORMS = ""
#: ``area_id`` of the rows that count every area (no area has id 0).
ALL_AREAS = 0


class StageTally(Model):
    """How many more (or fewer) communities are at a stage after one month or one day of stage changes.

    The number of communities at a stage at midnight of a day is the sum of the changes before it:
    whole months from the ``month`` rows, then the days of its own month from the ``day`` rows.
    ``measure`` "at" counts a community's latest stage; "furthest" its furthest main-path stage
    so far. Each change is kept per platform and once more for all platforms (``platform`` "").
    Each change is also kept once more for all areas (``area_id`` ALL_AREAS, 0: so area_id is no
    foreign key; areas are never deleted), so a question about every area reads one row per
    month and stage, not one per area. Merged communities are not counted. Rows are written in
    the transaction that changes a community's stage history, area, platform or status. The key's
    order (span, platform, starts, area) makes a period of a platform, or of all platforms, one
    index range for any choice of areas.
    """

    __tablename__ = "stage_tallies"
    # A funnel reads one area (or the all-areas rows) over a range of months: one index range,
    # answered from the index alone on PostgreSQL.
    __table_args__ = (Index("ix_stage_tallies_area_period", "span", "platform", "area_id", "starts",
                            postgresql_include=["stage", "measure", "change"]),)

    span: Mapped[str] = mapped_column(String(5), primary_key=True)
    platform: Mapped[str] = mapped_column(String(40), primary_key=True)
    starts: Mapped[date] = mapped_column(Date, primary_key=True)
    area_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage: Mapped[str] = mapped_column(String(20), primary_key=True)
    measure: Mapped[str] = mapped_column(String(8), primary_key=True)
    change: Mapped[int] = mapped_column(Integer, default=0)

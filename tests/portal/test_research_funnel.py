"""The stage funnel's counts (computed in SQL) against hand-worked histories."""
from __future__ import annotations

from datetime import date, datetime


def _community(db, area, name, changes, status="active"):
    from portal.models import Community, StageChange

    community = Community(area_id=area.id, name=name, platform="forum", status=status)
    db.session.add(community)
    db.session.flush()
    for when, stage in changes:
        db.session.add(StageChange(community_id=community.id, to_stage=stage, changed_at=when))
    return community


def test_funnel_counts_each_months_latest_stage_and_the_furthest_reached(app, area):
    from portal.extensions import db
    from portal.research.filters import Selection
    from portal.research.stages import _funnel_counts

    # Period: Jan–Mar 2026; month ends 1 Feb, 1 Mar and 1 Apr (the day after `until`).
    _community(db, area, "A", [(datetime(2025, 12, 5), "identified"), (datetime(2026, 1, 10), "approached"),
                               (datetime(2026, 2, 20), "two_way"), (datetime(2026, 3, 3), "declined")])
    # Two changes at the same moment: the later id wins, as in the event log's order.
    _community(db, area, "B", [(datetime(2026, 2, 1), "approached"), (datetime(2026, 2, 1), "acknowledged")])
    # Changes exactly on a month end count from that month end on; one after the period is ignored.
    _community(db, area, "C", [(datetime(2026, 1, 31, 23, 59), "identified"), (datetime(2026, 3, 1), "partner"),
                               (datetime(2026, 4, 2), "hostile")])
    _community(db, area, "D", [(datetime(2026, 3, 15), "dormant")])  # off the main path: reaches nothing
    _community(db, area, "Merged", [(datetime(2026, 1, 2), "partner")], status="merged")  # never counted
    db.session.commit()

    selection = Selection(since=date(2026, 1, 1), until=date(2026, 3, 31))
    limits = [datetime(2026, 2, 1), datetime(2026, 3, 1), datetime(2026, 4, 1)]
    per_month, reached = _funnel_counts(selection, limits)

    assert [dict(month) for month in per_month] == [
        {"approached": 1, "identified": 1},                                # A approached, C identified
        {"two_way": 1, "acknowledged": 1, "identified": 1},                # B acknowledged; C's partner is on 1 Mar
        {"declined": 1, "acknowledged": 1, "partner": 1, "dormant": 1},
    ]
    assert dict(reached) == {"identified": 3, "approached": 3, "acknowledged": 3, "two_way": 2, "partner": 1}


def test_funnel_page_shows_the_sql_counts(client, auth, area, users):
    from portal.extensions import db

    _community(db, area, "A", [(datetime(2026, 1, 10), "approached")])
    db.session.commit()
    auth.login("admin")
    page = client.get("/research/funnel?since=2026-01-01&until=2026-01-31").get_data(as_text=True)
    assert "Jan 2026" in page
    assert "Communities that ever reached each stage" in page

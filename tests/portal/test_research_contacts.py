"""Contacts per week by area: readable with a force's dozens of areas, not only a team's few."""
from __future__ import annotations

from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import Area, Community, OutreachContact, utcnow
from portal.research.engagement import MAX_AREA_LINES, contacts_per_week
from portal.research.filters import Selection


def _areas_with_contacts(officer, per_area: list[int]) -> list[Area]:
    """One area per count, named A00, A01…, each with that many outbound contacts this week."""
    now = utcnow()
    areas = []
    for index, n in enumerate(per_area):
        area = Area(slug=f"a{index:02d}", name=f"A{index:02d}", profile={})
        db.session.add(area)
        db.session.flush()
        community = Community(area_id=area.id, name=f"Forum {index}", platform="forum",
                              created_at=now - timedelta(days=30))
        db.session.add(community)
        db.session.flush()
        db.session.add_all(OutreachContact(community_id=community.id, officer_id=officer.id, occurred_at=now,
                                           channel="comment", purpose="introduce", outcome="pending")
                           for _ in range(n))
        areas.append(area)
    db.session.commit()
    return areas


def _this_week(report) -> dict[str, str]:
    table = report.tables[0]
    return dict(zip(table.headers, table.rows[-1], strict=True))


OTHERS = "Other areas ({}), mean per area"


def test_the_busiest_areas_get_a_line_each_and_the_rest_one_line_of_their_mean(app, users):
    counts = [5, 9, 6, 30, 7, 8, 12, 20, 10, 11]  # ten areas: A03 busiest, A00 least
    _areas_with_contacts(users["officer"], counts)
    report = contacts_per_week(Selection(), suppress=False)

    legend = [name for _, name in report.charts[0].legend]
    assert legend == ["A03", "A07", "A06", "A09", "A08", "A01", OTHERS.format(4)]
    assert len(legend) == MAX_AREA_LINES + 1
    week = _this_week(report)
    assert list(week)[1:-1] == legend  # the table's columns are the chart's lines
    # A00, A02, A04 and A05: their mean, on one area's scale, not their sum (26).
    assert week[OTHERS.format(4)] == "6.5"
    assert week["A03"] == "30"
    assert week["Total"] == str(sum(counts))
    assert any("other 4 (A00, A02, A04, A05)" in note for note in report.notes)


@pytest.mark.parametrize("areas", [1, MAX_AREA_LINES, MAX_AREA_LINES + 1])
def test_a_team_s_few_areas_are_each_shown_in_their_usual_order(app, users, areas):
    _areas_with_contacts(users["officer"], [5 + i for i in range(areas)])
    report = contacts_per_week(Selection(), suppress=False)

    names = [f"A{i:02d}" for i in range(areas)]
    assert [name for _, name in report.charts[0].legend] == names
    assert list(_this_week(report))[1:-1] == names
    assert not any("Other areas" in note for note in report.notes)


def test_small_counts_are_still_suppressed_when_the_other_areas_are_averaged(app, users):
    _areas_with_contacts(users["officer"], [50, 40, 30, 20, 15, 10, 1, 1])  # the two 1s sum to 2: still small
    week = _this_week(contacts_per_week(Selection(), suppress=True))

    assert week[OTHERS.format(2)] == "[c]"  # their sum, 2, is a small count: the mean would give it away
    # Secondary suppression: the withheld part of the week's total (1 + 1) would itself be small, so
    # the smallest other area goes too and the total cannot bound the hidden ones below the minimum.
    assert week["A05"] == "[c]"
    assert week["A04"] == "15"
    assert week["Total"] == str(50 + 40 + 30 + 20 + 15 + 10 + 2)


def test_the_page_names_the_areas_shown_together(client, auth, users):
    _areas_with_contacts(users["officer"], [10 + i for i in range(MAX_AREA_LINES + 3)])
    auth.login("admin")
    html = client.get("/research/contacts").get_data(as_text=True)

    assert OTHERS.format(3) in html
    assert "the other 3 (A00, A01, A02) are shown together as their mean per area" in html

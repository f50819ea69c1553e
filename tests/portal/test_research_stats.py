"""The statistics behind the research pages: suppression, Kaplan–Meier with censoring, chart geometry."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from portal.research.stages import kaplan_meier, quantile_day, share_by
from portal.research.suppression import MARK, protect, safe_mean, safe_rate, shown
from portal.research.svg import bars, lines, nice_max


@pytest.mark.parametrize(("row", "expected"), [
    ([10, 3, 7], [10, None, None]),        # one small cell: the smallest other non-zero cell goes too
    ([10, 3, 2, 7], [10, None, None, 7]),  # two small cells hide each other
    ([0, 0, 12], [0, 0, 12]),              # zeros disclose nobody
    ([4, 0, 0], [None, 0, 0]),             # nothing else to hide: the pages hide the small total too
    ([5, 6], [5, 6]),
])
def test_protect_hides_small_cells_and_a_complement(row, expected):
    assert protect(row) == expected
    assert protect(row, active=False) == row


def test_a_hidden_cell_cannot_be_backed_out_of_the_row_total():
    row = [20, 3, 9, 0]
    shown_row = protect(row)
    visible = sum(v for v in shown_row if v is not None)
    hidden = [i for i, v in enumerate(shown_row) if v is None]
    assert len(hidden) >= 2
    assert sum(row) - visible == sum(row[i] for i in hidden)


def test_rates_and_means_are_withheld_when_they_would_reveal_small_counts():
    assert safe_rate(3, 20) is None          # numerator small
    assert safe_rate(18, 20) is None         # the rest (2) is small
    assert safe_rate(10, 20) == 50.0
    assert safe_rate(3, 20, active=False) == 15.0
    assert safe_mean(12.0, 4) is None
    assert safe_mean(12.0, 4, active=False) == 3.0
    assert shown(None) == MARK
    assert shown(7) == "7"


def test_kaplan_meier_counts_communities_still_waiting_instead_of_dropping_them():
    counts = Counter({(10, True): 1, (15, False): 1, (20, True): 1, (30, False): 1})
    steps = kaplan_meier(counts)
    # day 10: 1 of 4 at risk reached -> 25%; day 15 one leaves still waiting; day 20: 1 of 2 -> 62.5%
    assert steps == [(10, 0.25), (20, 0.625)]
    assert share_by(steps, 19) == 0.25
    assert share_by(steps, 365) == 0.625
    assert quantile_day(steps, 0.5) == 20
    assert quantile_day(steps, 0.75) is None  # never got there: reported as "not yet reached"
    dropped = Counter({key: n for key, n in counts.items() if key[1]})  # what dropping the waiting ones would claim
    assert share_by(kaplan_meier(dropped), 365) == 1.0


def test_kaplan_meier_counts_those_reaching_a_stage_before_those_leaving_on_the_same_day():
    # day 5: 1 of 4 at risk reached (the 2 leaving on day 5 were still at risk) -> 25%, not 1 of 2;
    # day 8: the last one at risk reached it -> 100%.
    assert kaplan_meier(Counter({(5, True): 1, (5, False): 2, (8, True): 1})) == [(5, 0.25), (8, 1.0)]


def test_trajectories_keep_waiting_communities(app, users, area):
    from portal.extensions import db
    from portal.models import Community, OutreachContact, StageChange, utcnow
    from portal.research.filters import Selection
    from portal.research.stages import trajectories

    now = utcnow()
    for i, reached in enumerate([True, False, False]):
        community = Community(area_id=area.id, name=f"T{i}", platform="forum")
        db.session.add(community)
        db.session.flush()
        db.session.add(OutreachContact(community_id=community.id, officer_id=users["officer"].id, channel="comment",
                                       purpose="introduce", occurred_at=now - timedelta(days=40)))
        if reached:
            db.session.add(StageChange(community_id=community.id, to_stage="two_way",
                                       changed_at=now - timedelta(days=30)))
    db.session.commit()
    data = trajectories(Selection(), now=now)
    # Exactly 10 days to two-way (which counts as acknowledged too); two waited exactly 40 days so far.
    assert data["acknowledged"] == {(10, True): 1, (40, False): 2}
    assert data["two_way"] == {(10, True): 1, (40, False): 2}
    assert data["partner"] == {(40, False): 3}


def test_chart_geometry_stays_inside_the_view_box_and_marks_suppressed_values():
    chart = bars("c", "Title", "Desc", ["a", "b"], [("x", [3, None]), ("y", [7, 1])])
    assert any(fill == "#b1b4b6" for *_, fill, _ in chart.rects)
    for x, y, w, h, *_ in chart.rects:
        assert 0 <= x
        assert x + w <= chart.width
        assert 0 <= y
        assert y + h <= chart.height
    line = lines("l", "T", "D", ["1", "2", "3"], [("s", [1.0, None, 3.0])])
    assert line.polylines == []  # a gap splits the line; single points stay as dots
    assert len(line.points) == 2
    assert nice_max(0) == 1
    assert nice_max(37) == 50
    assert nice_max(101) == 200

"""The statistics behind the research pages: suppression, Kaplan–Meier with censoring, chart geometry."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from portal.research.survival import ENDED, REACHED, WAITING, kaplan_meier, quantile_day, share_by
from portal.research.disclosure import MARK, mean, protect_row, rate, text
from portal.research.svg import bars, lines, nice_max


@pytest.mark.parametrize(("row", "expected"), [
    ([20, 3, 17], [20, None, None]),          # one small cell: a complement goes too (the total is shown)
    ([20, 3, 2, 17], [20, None, None, None]),  # 3 + 2 = 5 would bound both below 10: one more
    ([20, 3, 12, 0], [20, None, None, 0]),     # 3 + 12 = 15: enough
    ([0, 0, 12], [0, 0, 12]),                # zeros disclose nobody
    ([4, 0, 0], [None, 0, 0]),               # nothing else to hide: the total goes
    ([10, 11], [10, 11]),
])
def test_protect_row_withholds_small_cells_and_complements(app, row, expected):
    assert protect_row(row) == expected
    assert protect_row(row, active=False) == row


def test_a_hidden_cell_cannot_be_backed_out_of_the_row_total(app):
    row = [20, 3, 9, 0]
    shown_row = protect_row(row)
    hidden = [i for i, v in enumerate(shown_row) if v is None]
    assert len(hidden) >= 2
    assert sum(row[i] for i in hidden) >= 10


def test_the_minimum_cell_is_one_setting(app):
    app.config["DISCLOSURE_MIN_CELL"] = 5
    assert protect_row([20, 6, 9]) == [20, 6, 9]
    app.config["DISCLOSURE_MIN_CELL"] = 10
    assert protect_row([20, 6, 9]) == [20, None, None]


def test_rates_and_means_are_withheld_with_their_counts(app):
    assert rate(3, 20, shown=False) is None
    assert rate(10, 20, shown=True) == 50.0
    assert mean(12.0, 9) is None
    assert mean(12.0, 9, active=False) == 12.0 / 9
    assert mean(30.0, 10, shown=False) is None
    assert mean(30.0, 10) == 3.0
    assert text(None) == MARK == "[c]"
    assert text(7) == "7"


def test_kaplan_meier_counts_communities_still_waiting_instead_of_dropping_them():
    counts = Counter({(10, REACHED): 1, (15, WAITING): 1, (20, REACHED): 1, (30, ENDED): 1})
    steps = kaplan_meier(counts)
    # day 10: 1 of 4 at risk reached -> 25%; day 15 one leaves still waiting; day 20: 1 of 2 -> 62.5%
    assert steps == [(10, 0.25), (20, 0.625)]
    assert share_by(steps, 19) == 0.25
    assert share_by(steps, 365) == 0.625
    assert quantile_day(steps, 0.5) == 20
    assert quantile_day(steps, 0.75) is None  # never got there: reported as "not yet reached"
    dropped = Counter({key: n for key, n in counts.items() if key[1] == REACHED})  # what dropping the waiting ones would claim
    assert share_by(kaplan_meier(dropped), 365) == 1.0


def test_kaplan_meier_counts_those_reaching_a_stage_before_those_leaving_on_the_same_day():
    # day 5: 1 of 4 at risk reached (the 2 leaving on day 5 were still at risk) -> 25%, not 1 of 2;
    # day 8: the last one at risk reached it -> 100%.
    assert kaplan_meier(Counter({(5, REACHED): 1, (5, WAITING): 2, (8, REACHED): 1})) == [(5, 0.25), (8, 1.0)]


def test_trajectories_keep_waiting_communities(app, users, area):
    from portal.extensions import db
    from portal.models import Community, OutreachContact, StageChange, utcnow
    from portal.research.filters import Selection
    from portal.research.time_to_stage import trajectories

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
    assert data["acknowledged"] == {(10, "reached"): 1, (40, "waiting"): 2}
    assert data["two_way"] == {(10, "reached"): 1, (40, "waiting"): 2}
    assert data["partner"] == {(40, "waiting"): 3}


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


def test_a_line_chart_with_every_point_withheld_says_so():
    chart = lines("l", "T", "D", ["1", "2"], [("s", [None, None])])
    assert chart.polylines == []
    assert any("Withheld [c]" in text for _, _, text, _, _ in chart.texts)
    drawn = lines("l", "T", "D", ["1", "2"], [("s", [1.0, None])])
    assert not any("Withheld" in text for _, _, text, _, _ in drawn.texts)


def test_hidden_cells_that_only_give_each_other_away_stay_hidden_and_others_shown(app):
    from portal.research.disclosure import CellTable

    table = CellTable()
    table.add_sum(table.cell("a", 3), [table.cell("b", 3)])  # a = b: known equal, neither known
    table.cell("c", 50)
    assert [table.protect()[k] for k in ("a", "b", "c")] == [None, None, 50]


def test_a_table_that_cannot_be_protected_cell_by_cell_is_withheld_whole(app, monkeypatch):
    from portal.research.disclosure import CellTable

    table = CellTable()
    table.add_sum(table.cell("total", 23), [table.cell("small", 3), table.cell("big", 20)])
    table.cell("other", 50)
    monkeypatch.setattr(CellTable, "_complement", lambda *args: None)  # as if no cell were left to choose
    assert [table.protect()[k] for k in ("total", "small", "big", "other")] == [None, None, None, None]

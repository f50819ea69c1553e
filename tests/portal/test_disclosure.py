"""The disclosure-control layer's rules one by one (portal/research/disclosure.py), without a database.

The pages' tests (test_research_findings, test_research_adversary) attack whole pages; these pin
each rule and its boundaries, so that breaking one line of the layer fails a named test (they are
the mutation run's tests for the module, with the findings).
"""
from __future__ import annotations

import random

import pytest

from portal.research.disclosure import (
    DEFAULT_MIN_CELL, MARK, CellTable, Protected, contact_filter_reason, explanation, mean, min_cell, protect_row, rate,
    single_out_reason, text, too_few,
)

K = DEFAULT_MIN_CELL


def test_the_minimum_cell_is_ten_by_default_and_configurable(app):
    assert DEFAULT_MIN_CELL == 10
    app.config["DISCLOSURE_MIN_CELL"] = 5
    assert min_cell() == 5
    app.config["DISCLOSURE_MIN_CELL"] = 0  # unset: the default, never "nothing is small"
    assert min_cell() == 10
    app.config["DISCLOSURE_MIN_CELL"] = -3
    assert min_cell() == 1


def test_without_an_application_the_default_applies():
    assert min_cell() == 10


@pytest.mark.parametrize("count, small", [(0, False), (1, True), (9, True), (10, False), (11, False)])
def test_a_count_from_one_to_k_minus_one_is_too_few(count, small):
    assert too_few(count) is small


def test_too_few_takes_another_threshold():
    assert too_few(4, threshold=5)
    assert not too_few(5, threshold=5)
    assert not too_few(9, threshold=1)


def test_the_explanation_names_the_mark_and_the_range():
    words = explanation()
    assert f"{MARK} marks a figure withheld" in words
    assert "every count from 1 to 9" in words


def test_protected_reads_withheld_cells_as_none_and_the_mark():
    protected = Protected({"a": 4, "b": 20}, {"a"}, K)
    assert protected["a"] is None
    assert protected["b"] == 20
    assert protected["missing"] == 0
    assert protected.text("a") == MARK
    assert protected.text("b") == "20"
    assert protected.visible("b")
    assert not protected.visible("b", "a")


@pytest.mark.parametrize("row, shown", [
    ([30, 3, 12], [30, None, None]),   # the smallest shown part goes with the small one
    ([3, 0, 20], [None, 0, None]),     # a zero is never the complement: it would protect nothing
    ([12, 15], [12, 15]),              # nothing small, nothing withheld
    ([3], [None]),                     # the row total is small too
    ([3, 3, 30], [None, None, None]),  # 3 + 3 withheld together is still below 10: one more
    ([5, 5, 30], [None, None, 30]),    # 5 + 5 withheld together is 10: enough
    ([0, 0, 0], [0, 0, 0]),            # zero is shown
    ([25, 2, 11, 40], [25, None, None, 40]),
])
def test_a_row_with_its_total(row, shown):
    assert protect_row(row) == shown


def test_a_row_without_a_total_withholds_only_the_small_counts():
    assert protect_row([3, 20], total=False) == [None, 20]


def test_supervisors_see_every_count():
    assert protect_row([3, 20], active=False) == [3, 20]


def test_an_inactive_table_still_withholds_its_unpublished_counts():
    table = CellTable(active=False)
    table.cell("shown", 3)
    table.latent("behind a rate", 12)
    protected = table.protect()
    assert protected["shown"] == 3
    assert protected["behind a rate"] is None


def test_a_table_keeps_its_own_threshold():
    """A table made with another minimum cell (the package's small-group rule) judges every rule by it."""
    table = CellTable(threshold=5)
    table.add_sum(table.cell("total", 27), [table.cell("a", 3), table.cell("b", 3), table.cell("c", 14),
                                            table.cell("d", 7)])
    protected = table.protect()
    assert protected.threshold == 5
    assert protected["a"] is None
    assert protected["b"] is None
    assert protected["d"] == 7  # not small at 5
    assert protected["c"] == 14  # 3 + 3 withheld together is 6: not small at 5
    assert CellTable(active=False, threshold=5).protect().threshold == 5
    assert CellTable(threshold=5).protect().threshold == 5  # nothing small: the early return


def test_a_table_without_small_counts_withholds_only_its_unpublished_ones():
    table = CellTable()
    table.add_sum(table.cell("total", 30), [table.cell("a", 12), table.latent("b", 18)])
    protected = table.protect()
    assert protected.hidden == {"b"}


def test_a_sum_names_its_cells_even_before_they_are_counted():
    table = CellTable()
    table.add_sum("total", ["a", "b"])
    assert table.values == {"total": 0, "a": 0, "b": 0}
    assert table.sums == [("total", ("a", "b"))]


def test_a_latent_small_count_behind_two_shown_counts_withholds_one_of_them():
    """A rate's numerator (never shown) is the difference of two shown counts: one must go."""
    table = CellTable()
    table.add_sum(table.cell("asked", 40), [table.cell("answered", 36), table.latent("unanswered", 4)])
    protected = table.protect()
    assert protected["unanswered"] is None
    assert protected["answered"] is None  # the smallest shown part
    assert protected["asked"] == 40


def test_when_every_part_is_withheld_the_total_goes():
    """t = a + b, b never shown but worked out from another sum (b = m): a would follow from t."""
    table = CellTable()
    table.add_sum(table.cell("t", 23), [table.cell("a", 3), table.latent("b", 20)])
    table.add_sum("b", [table.cell("m", 20)])
    protected = table.protect()
    assert protected["a"] is None
    assert protected["t"] is None
    assert protected["m"] == 20


def test_a_total_over_withheld_parts_that_add_up_to_k_is_shown():
    table = CellTable()
    table.add_sum(table.cell("t", 23), [table.cell("a", 3), table.latent("b", 20)])
    assert table.protect()["t"] == 23


def test_a_zero_part_goes_when_nothing_else_is_left_in_the_sum():
    """Total hidden already (small), a shown zero beside a small count that another sum solves."""
    table = CellTable()
    table.add_sum(table.cell("row", 4), [table.cell("a", 4), table.cell("zero", 0)])
    table.add_sum(table.cell("grand", 30), [table.cell("row", 4), table.cell("other", 26)])
    protected = table.protect()
    assert protected["a"] is None
    assert protected["row"] is None
    assert protected["other"] is None  # else grand - other gives the row, and the row gives a


def test_a_sum_that_cannot_be_protected_withholds_the_whole_table(caplog):
    """Fail closed: an equation that gives a small count away whatever is withheld (here, a total with
    no parts: its value is known) withholds every published cell."""
    table = CellTable()
    table.add_sum(table.cell("alone", 3), [])
    table.cell("unrelated", 50)
    protected = table.protect()
    assert protected["unrelated"] is None
    assert "1 sums still exposed, 0 small counts pinned; withholding the whole table" in caplog.text


@pytest.mark.parametrize("numerator, denominator, shown, expected", [
    (3, 4, True, 75.0), (3, 4, False, None), (0, 0, True, None), (1, -1, True, None), (5, 5, True, 100.0),
    (1, 1, True, 100.0),
])
def test_a_rate_is_shown_only_over_shown_counts(numerator, denominator, shown, expected):
    assert rate(numerator, denominator, shown) == expected


@pytest.mark.parametrize("total, n, active, shown, expected", [
    (30.0, 10, True, True, 3.0), (30.0, 9, True, True, None), (30.0, 10, True, False, None),
    (9.0, 3, False, True, 3.0), (9.0, 3, False, False, 3.0), (0.0, 0, False, True, None), (1.0, -2, False, True, None),
])
def test_a_mean_rests_on_at_least_k_shown_observations(total, n, active, shown, expected):
    assert mean(total, n, active, shown) == expected


def test_a_mean_is_suppressed_unless_told_otherwise():
    """The defaults protect: a caller that forgets `active` or `shown` gets the researcher's rule."""
    assert mean(30.0, 9) is None
    assert mean(30.0, 10) == 3.0


def test_a_mean_of_one_observation_is_its_value_when_nothing_is_suppressed():
    assert mean(5.0, 1, active=False) == 5.0


def test_a_sum_whose_published_cells_are_all_withheld_widens_to_a_neighbouring_sum():
    """t and L are never shown but follow from G - z and p + q; a = t - L is small. Nothing in t = a + L
    is left to withhold, so a cell of a sum through t goes (z), not the whole table."""
    table = CellTable()
    table.add_sum(table.latent("t", 23), [table.cell("a", 3), table.latent("L", 20)])
    table.add_sum("L", [table.cell("p", 10), table.cell("q", 10)])
    table.add_sum(table.cell("G", 40), ["t", table.cell("z", 17)])
    protected = table.protect()
    assert protected["a"] is None
    assert protected["z"] is None
    assert protected["G"] == 40
    assert protected["p"] == 10
    assert protected["q"] == 10


def test_cells_read_as_numbers_or_the_mark():
    assert text(None) == MARK
    assert text(7) == "7"
    assert text(2.345) == "2.3"
    assert text(2.345, digits=2) == "2.35"


def test_a_selection_of_fewer_than_k_communities_is_refused():
    assert "fewer than 10 communities" in single_out_reason(9, None)
    assert "fewer than 10 communities" in single_out_reason(1, 50, officer_filter=True)
    assert single_out_reason(10, None) is None
    assert single_out_reason(0, None) is None  # nothing matches: the empty state, not a refusal
    assert single_out_reason(3, None, active=False) is None


def test_an_officer_filter_needs_k_officers_in_scope():
    assert "needs at least 10 officers" in single_out_reason(40, 9, officer_filter=True)
    assert single_out_reason(40, 10, officer_filter=True) is None
    assert single_out_reason(40, 3) is None  # an area with few officers: its figures are its communities'
    assert single_out_reason(40, None, officer_filter=True) is None
    assert single_out_reason(40, 3, officer_filter=True, active=False) is None


# --- every withheld small count stays unsolvable: random two-way tables with their margins ------

def _solvable(values: dict, sums: list, hidden: set) -> set:
    """The cells someone with a calculator works out, one unknown at a time (written apart from the layer)."""
    known = {key for key in values if key not in hidden}
    progress = True
    while progress:
        progress = False
        for total, parts in sums:
            unknown = [key for key in (total, *parts) if key not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                progress = True
    return known


def _two_way_table(rng: random.Random) -> CellTable:
    table = CellTable()
    rows, columns = rng.randint(1, 4), rng.randint(1, 4)
    for r in range(rows):
        for c in range(columns):
            table.cell((r, c), rng.choice([0, 0, rng.randint(1, 9), rng.randint(10, 40)]))
    for r in range(rows):
        table.add_sum(table.cell((r, "all"), sum(table.values[r, c] for c in range(columns))),
                      [(r, c) for c in range(columns)])
    for c in range(columns):
        table.add_sum(table.cell(("all", c), sum(table.values[r, c] for r in range(rows))),
                      [(r, c) for r in range(rows)])
    table.add_sum(table.cell(("all", "all"), sum(table.values[r, "all"] for r in range(rows))),
                  [(r, "all") for r in range(rows)])
    return table


@pytest.mark.parametrize("seed", range(60))
def test_no_withheld_small_count_of_a_two_way_table_can_be_worked_out(seed):
    table = _two_way_table(random.Random(seed))
    protected = table.protect()
    small = {key for key, value in table.values.items() if 0 < value < K}
    assert small <= protected.hidden
    assert not small & _solvable(table.values, table.sums, protected.hidden)
    for total, parts in table.sums:  # a withheld part holding a small count is not itself small
        if total in protected.hidden:
            continue
        withheld = [key for key in parts if key in protected.hidden]
        if any(key in small for key in withheld):
            assert sum(table.values[key] for key in withheld) >= K, (total, withheld)


@pytest.mark.parametrize("seed", range(60))
def test_a_table_without_a_small_count_loses_nothing(seed):
    table = _two_way_table(random.Random(seed))
    for key, value in table.values.items():
        if 0 < value < K:
            table.values[key] = value + K
    assert table.protect().hidden == set()


# --- contact filters a researcher may not combine (issue 22 (b)): each refusal, word for word -------

OFFICER_REFUSED = ("Researchers cannot filter by officer: one officer's contacts, split by platform and outcome, are "
                   "nearly all fewer than the minimum, and they could be worked out against the figures for every "
                   "officer. Set officer to “Any”.")
TWO_REFUSED = ("Choose at most one of channel, purpose and officer: figures for a combination of them could be "
               "worked out against the figures for each one. Set the others to “Any”.")


@pytest.mark.parametrize(("chosen", "counts_contacts", "area", "reason"), [
    (["officer"], True, False, OFFICER_REFUSED),
    (["channel", "officer"], False, True, OFFICER_REFUSED),
    (["channel", "purpose"], True, False, TWO_REFUSED),
    (["purpose"], False, False,
     "This page counts communities, and a purpose filter on it could be worked out against the page without it. "
     "Set purpose to “Any” here; the responses and contacts-per-week pages, which count contacts, take it."),
    (["channel"], True, True,
     "Choose an area or a channel, not both: with a channel chosen, figures are for every area together."),
    (["channel"], True, False, None),
    ([], False, True, None),
])
def test_a_researcher_is_told_which_contact_filter_cannot_be_shown_and_why(chosen, counts_contacts, area, reason):
    """The refusal is the page's whole message to the researcher: each branch says what to change."""
    assert contact_filter_reason(chosen, counts_contacts, area=area) == reason


def test_contact_filters_are_not_refused_to_those_who_see_unsuppressed_figures():
    assert contact_filter_reason(["officer", "channel"], False, area=True, active=False) is None


def _release(values: dict, sums: list, previous=None):
    from portal.research.disclosure import PREVIOUS_RELEASE

    table = CellTable(threshold=K)
    for key, value in values.items():
        table.cell(key, value)
    for total, parts in sums:
        table.add_sum(total, parts)
    token = PREVIOUS_RELEASE.set(previous)
    try:
        return table.protect()
    finally:
        PREVIOUS_RELEASE.reset(token)


def test_a_release_is_protected_knowing_the_previous_one():
    """October: 12 forums, 20 blogs, 32 in all. November: 15, 20, 35: the forums' 3 (and the total's)
    would be November's, so they are withheld, and enough else that 3 cannot be worked out from 35 − 20."""
    sums = [("total", ("forum", "blog"))]
    october = _release({"forum": 12, "blog": 20, "total": 32}, sums)
    assert october.hidden == set()
    alone = _release({"forum": 15, "blog": 20, "total": 35}, sums)
    assert alone.hidden == set()  # protected alone, nothing is small
    november = _release({"forum": 15, "blog": 20, "total": 35}, sums, october)
    assert "forum" in november.hidden
    assert "total" in november.hidden  # else 35 − 32 gives the 3
    assert november.sums == sums


def test_a_cell_withheld_before_stays_withheld_and_one_shown_before_is_never_chosen():
    sums = [("total", ("a", "b", "c"))]
    october = _release({"a": 3, "b": 12, "c": 14, "total": 29}, sums)
    assert "a" in october.hidden
    november = _release({"a": 30, "b": 12, "c": 14, "total": 56}, sums, october)
    assert october.hidden <= november.hidden  # a is 30 now, but withheld in October (b with it)
    joined = CellTable(threshold=K, values={"a": 30, "b": 12, "c": 14, "total": 56}, sums=list(sums)).joined_with(october)
    assert joined.fixed == {("previous", key) for key in october.values if key not in october.hidden}
    assert not joined.fixed & november.hidden
    assert ("previous", "a") in joined.unpublished
    assert joined.values["increment", "a"] == 27

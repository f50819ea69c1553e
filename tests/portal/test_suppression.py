"""Small-cell suppression at its edges: the threshold, zeros, the complement and the off switch.

The table-level cases live in test_research_stats.py; these pin each boundary so a one-character
change to portal/research/suppression.py fails a test (docs/MUTATION.md).
"""
from __future__ import annotations

import pytest

from portal.research.suppression import MARK, THRESHOLD, hide_small, is_small, protect, safe_mean, safe_rate, shown


def test_the_threshold_is_five_and_the_mark_says_so():
    assert THRESHOLD == 5
    assert MARK == "<5"


@pytest.mark.parametrize(("value", "small"), [(-1, False), (0, False), (1, True), (4, True), (5, False), (6, False)])
def test_only_counts_from_one_to_four_are_small(value, small):
    assert is_small(value) is small


@pytest.mark.parametrize(("row", "expected"), [
    ([1], [None]),
    ([4, 5], [None, None]),           # the complement is the only other non-zero cell
    ([3, 9, 6], [None, 9, None]),     # the smallest other non-zero cell (6, not 9)
    ([2, 0, 8], [None, 0, None]),     # a zero is never chosen as the complement
    ([7, 1, 7], [None, None, 7]),     # ties: the first of the smallest
    ([5, 5, 5], [5, 5, 5]),
    ([], []),
])
def test_protect_hides_the_small_cell_and_the_smallest_other_non_zero_cell(row, expected):
    assert protect(row) == expected


def test_protect_returns_a_new_list_and_leaves_the_row_alone():
    row = [10, 2, 8]
    out = protect(row)
    assert row == [10, 2, 8]
    assert out is not row
    off = protect(row, active=False)
    assert off == row
    assert off is not row


def test_protect_is_on_by_default():
    assert protect([2, 9]) == [None, None]


@pytest.mark.parametrize(("value", "text"), [(None, "<5"), (0, "0"), (12, "12"), (2.25, "2.2"), (7.0, "7.0"), (0.06, "0.1")])
def test_shown_writes_numbers_and_the_mark(value, text):
    assert shown(value) == text


@pytest.mark.parametrize(("numerator", "denominator", "expected"), [
    (0, 0, None),            # no denominator, no rate
    (0, -3, None),
    (0, 10, 0.0),            # nobody reached it and nobody else is small: 0 %
    (5, 10, 50.0),           # both parts exactly at the threshold: shown
    (4, 10, None),           # the numerator is small
    (6, 10, None),           # the rest (4) is small
    (10, 10, 100.0),         # the rest is zero, not small
    (1, 2, None),
    (25, 40, 62.5),
])
def test_safe_rate_withholds_a_rate_that_reveals_a_small_count(numerator, denominator, expected):
    assert safe_rate(numerator, denominator) == expected


def test_safe_rate_without_suppression_still_needs_a_denominator():
    assert safe_rate(1, 4, active=False) == 25.0
    assert safe_rate(3, 4, active=False) == 75.0
    assert safe_rate(1, 0, active=False) is None
    assert safe_rate(1, 1, active=False) == 100.0


@pytest.mark.parametrize(("total", "n", "expected"), [
    (10.0, 0, None), (10.0, -1, None), (10.0, 4, None), (10.0, 5, 2.0), (12.0, 6, 2.0),
])
def test_safe_mean_needs_five_observations(total, n, expected):
    assert safe_mean(total, n) == expected


def test_safe_mean_without_suppression_needs_one_observation():
    assert safe_mean(9.0, 1, active=False) == 9.0
    assert safe_mean(9.0, 0, active=False) is None


@pytest.mark.parametrize(("value", "active", "expected"), [
    (0, True, 0), (1, True, None), (4, True, None), (5, True, 5), (3, False, 3),
])
def test_hide_small_hides_a_lone_small_count(value, active, expected):
    assert hide_small(value, active=active) == expected


def test_hide_small_is_on_by_default():
    assert hide_small(2) is None

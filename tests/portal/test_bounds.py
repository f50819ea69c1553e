"""The whole-system step of the disclosure layer: withheld small counts pinned by several sums together."""
from __future__ import annotations

import random

import pytest
import scipy.optimize
from scipy.optimize import Bounds, LinearConstraint, milp

from portal.research import disclosure
from portal.research.bounds import DeclaredSums
from portal.research.disclosure import CellTable


def _chain() -> CellTable:
    """a + b = 20, b + c = 30, c + d = 11, with b, c, d never shown: each sum leaves two unknowns
    adding up to at least 10, but together c <= 11, so b >= 19 and a <= 1."""
    table = CellTable()
    table.add_sum(table.cell("t1", 20), [table.cell("a", 1), table.latent("b", 19)])
    table.add_sum(table.cell("t2", 30), ["b", table.latent("c", 11)])
    table.add_sum(table.cell("t3", 11), ["c", table.latent("d", 0)])
    return table


def test_several_sums_together_pin_a_small_count_that_none_gives_away_alone():
    table = _chain()
    system = DeclaredSums(table.values, table.sums, 10)
    assert system.pinned({"a", "b", "c", "d"}, {"a"}) == ["a"]
    assert system.pinned({"a", "b", "c", "d", "t1"}, {"a"}) == []  # a = t1 - b, and t1 could be anything


def test_the_layer_withholds_a_total_so_that_the_pinned_count_could_reach_k():
    protected = _chain().protect()
    assert protected["a"] is None
    assert protected["t1"] is None  # the only shown cell of a's sum
    assert protected["t2"] == 30
    assert protected["t3"] == 11


def test_the_cell_withheld_for_a_pinned_count_is_the_smallest_shown_in_its_sums():
    """a = 1 is pinned; of the shown cells in its sum (12, 30 and the total 62) the 12 goes: every
    shown non-zero count is k or more, so any of them could take a to k, and the smallest costs least."""
    table = CellTable()
    table.add_sum(table.cell("t1", 62), [table.cell("a", 1), table.latent("b", 19), table.cell("p", 12),
                                         table.cell("q", 30)])
    table.add_sum(table.cell("t2", 30), ["b", table.latent("c", 11)])
    table.add_sum(table.cell("t3", 11), ["c", table.latent("d", 0)])
    assert table.protect().hidden == {"a", "b", "c", "d", "p"}


def test_a_table_still_pinned_after_the_last_round_is_withheld_whole(monkeypatch, caplog):
    monkeypatch.setattr(disclosure, "MAX_SYSTEM_ROUNDS", 1)
    protected = _chain().protect()
    assert protected.hidden == {"a", "b", "c", "d", "t1", "t2", "t3"}
    assert "0 sums still exposed, 1 small counts pinned; withholding the whole table" in caplog.text


def test_a_table_that_takes_too_long_to_solve_is_withheld_whole(monkeypatch, caplog):
    from portal.research import bounds

    monkeypatch.setattr(bounds, "SECONDS", -1.0)
    loosened = []
    monkeypatch.setattr(CellTable, "_loosen", lambda self, key, hidden, lines_of: loosened.append(key))
    assert _chain().protect().hidden == {"a", "b", "c", "d", "t1", "t2", "t3"}
    assert loosened == []  # no more rounds once out of time
    table = CellTable()  # safe (a could be 10, b 13), but not shown so in time
    table.add_sum(table.cell("t", 23), [table.cell("a", 3), table.latent("b", 20)])
    assert table.protect()["t"] is None
    assert "1 small counts pinned; withholding the whole table" in caplog.text


def test_without_the_whole_system_step_the_chain_is_published(monkeypatch):
    """The calculator alone (sum by sum) shows t1: the count of 1 is then pinned to 0-1."""
    monkeypatch.setattr(DeclaredSums, "pinned", lambda self, hidden, sensitive: [])
    assert _chain().protect()["t1"] == 20


# Found by a random search: fractions let x0 reach 10 (x = 10, 1.5, 3, 4.5, 9.5, 0), whole numbers do not.
FRACTIONS_ONLY = {
    "values": [7, 3, 0, 3, 11, 3],
    "sums": [(1, 2, 3, 5), (2, 5), (1, 2, 4), (0, 1, 3, 5), (0, 3, 4, 5)],
}


def _fractions_only() -> tuple[dict, list]:
    values = {f"x{i}": v for i, v in enumerate(FRACTIONS_ONLY["values"])}
    sums = []
    for n, parts in enumerate(FRACTIONS_ONLY["sums"]):
        values[f"t{n}"] = sum(FRACTIONS_ONLY["values"][i] for i in parts)
        sums.append((f"t{n}", tuple(f"x{i}" for i in parts)))
    return values, sums


def test_a_count_that_only_fractions_could_take_to_k_is_pinned():
    values, sums = _fractions_only()
    hidden = {f"x{i}" for i in range(6)}
    assert DeclaredSums(values, sums, 10).pinned(hidden, {"x0"}) == ["x0"]
    assert DeclaredSums(values, sums, 8).pinned(hidden, {"x0"}) == []  # 8 is reachable in whole numbers


def test_the_integer_program_shows_a_count_can_reach_k_where_the_relaxation_s_corner_is_fractional():
    """Found by a random search: both linear programs stop at fractional corners; only the integer
    program finds whole numbers with x0 = 10, so x0 is not pinned (and nothing more is withheld)."""
    x = [3, 3, 14, 14, 13]
    values = {f"x{i}": v for i, v in enumerate(x)}
    sums = []
    for n, parts in enumerate([(2, 4, 1), (3, 2, 1, 0), (4, 3, 1, 0), (3, 1, 2, 0)]):
        values[f"t{n}"] = sum(x[i] for i in parts)
        sums.append((f"t{n}", tuple(f"x{i}" for i in parts)))
    asked = []
    real = scipy.optimize.milp
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scipy.optimize, "milp", lambda *args, **kwargs: asked.append(1) or real(*args, **kwargs))
        assert DeclaredSums(values, sums, 10).pinned({f"x{i}" for i in range(5)}, {"x0"}) == []
    assert asked  # the integer program decided


def test_a_withheld_count_in_no_sum_with_a_shown_cell_could_be_anything():
    table = CellTable()
    table.add_sum(table.latent("t", 5), [table.cell("a", 5)])
    assert DeclaredSums(table.values, table.sums, 10).pinned({"a", "t"}, {"a", "t"}) == []


def test_a_page_whose_sums_do_not_hold_is_reported(caplog):
    """A page bug: the sums would describe counts other than the real ones."""
    table = CellTable()
    table.add_sum(table.cell("t", 9), [table.cell("a", 3), table.latent("b", 20)])
    DeclaredSums(table.values, table.sums, 10)
    assert caplog.messages == ["disclosure: 1 declared sums do not hold for the counts themselves"]
    table.values["t"] = 23
    caplog.clear()
    DeclaredSums(table.values, table.sums, 10)
    assert "declared sums" not in caplog.text


# --- an integer program written apart from the layer, on random cubes shaped like the pages' ------

def _cube(rng: random.Random) -> CellTable:
    """areas x rows x columns with row totals, and every area adding up to an all-areas table."""
    table = CellTable()
    areas, rows, columns = rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 4)
    for a in range(areas):
        for r in range(rows):
            parts = [table.cell((a, r, c), rng.choice([0, rng.randint(1, 9), rng.randint(1, 25)]))
                     for c in range(columns)]
            table.add_sum(table.cell((a, r, "total"), sum(table.values[p] for p in parts)), parts)
    for r in range(rows):
        for c in (*range(columns), "total"):
            table.add_sum(table.cell(("all", r, c), sum(table.values[a, r, c] for a in range(areas))),
                          [(a, r, c) for a in range(areas)])
    return table


def _highest(table: CellTable, hidden: set, cell) -> float:
    """The largest whole value `cell` can take, shown cells fixed, withheld ones whole and >= 0."""
    unknown = sorted(hidden, key=str)
    column = {key: i for i, key in enumerate(unknown)}
    rows, values = [], []
    for total, parts in table.sums:
        row, value = [0.0] * len(unknown), 0.0
        for key, sign in ((total, 1), *((p, -1) for p in parts)):
            if key in column:
                row[column[key]] += sign
            else:
                value -= sign * table.values[key]
        if any(row):
            rows.append(row)
            values.append(value)
    objective = [0.0] * len(unknown)
    objective[column[cell]] = -1.0
    constraints = [LinearConstraint(rows, values, values)] if rows else []
    result = milp(objective, constraints=constraints, integrality=[1] * len(unknown), bounds=Bounds(0, 1000))
    assert result.status == 0, result.message
    return -result.fun


@pytest.mark.parametrize("seed", range(40))
def test_every_withheld_small_count_of_a_random_cube_could_be_k_in_whole_numbers(seed):
    table = _cube(random.Random(seed))
    hidden = table.protect().hidden
    for key, value in table.values.items():
        if 0 < value < 10:
            assert key in hidden
            assert _highest(table, hidden, key) >= 10, key


# --- what the mutation run (issue 25) found unpinned -----------------------------------------------

def _all_withheld(x: list[int], sums: list[tuple[int, ...]]) -> tuple[dict, list, set, set]:
    """Counts x0, x1, ... all withheld, each sum's total t0, t1, ... shown; the small ones sensitive."""
    values = {f"x{i}": v for i, v in enumerate(x)}
    declared = []
    for n, parts in enumerate(sums):
        values[f"t{n}"] = sum(x[i] for i in parts)
        declared.append((f"t{n}", tuple(f"x{i}" for i in parts)))
    sensitive = {f"x{i}" for i, v in enumerate(x) if 0 < v < 10}
    return values, declared, {f"x{i}" for i in range(len(x))}, sensitive


def _pinned(case: tuple[dict, list, set, set]) -> list:
    values, sums, hidden, sensitive = case
    return sorted(DeclaredSums(values, sums, 10).pinned(hidden, sensitive))


def test_one_sum_whose_shown_total_is_under_k_pins_every_withheld_small_count_in_it():
    """5 = a + b: neither could be 10, and when only small counts are withheld each is still reported."""
    assert _pinned(_all_withheld([1, 4], [(0, 1)])) == ["x0", "x1"]


def test_a_page_whose_sums_cannot_hold_pins_its_withheld_small_counts_instead_of_failing():
    """30 = a + 40 has no answer in counts >= 0: no assignment shows a could be k."""
    table = CellTable()
    table.add_sum(table.cell("t", 30), [table.latent("a", 3), table.cell("s", 40)])
    assert DeclaredSums(table.values, table.sums, 10).pinned({"a"}, {"a"}) == ["a"]


def test_every_small_count_pinned_after_one_that_was_shown_safe_is_still_reported():
    """Found by a random search: the joint program settles none of x0, x1, x4, x6, so they are asked
    one by one; x0's answer (x0 = 10, x1 = 13) settles x1 too, and x4 and x6 come after it: x6 is pinned."""
    case = _all_withheld([2, 7, 13, 0, 2, 0, 7], [(0, 1, 2, 3, 4, 5, 6), (0, 4, 6), (0, 1, 2, 4), (0, 1, 2, 3, 4, 5, 6),
                                                  (0, 2, 3)])
    assert _pinned(case) == ["x6"]


def test_groups_not_reached_before_the_time_runs_out_count_as_pinned(monkeypatch):
    """Three groups sharing no sum: the first is solved (its 1 is pinned, 5 = 1 + 4), then the clock
    passes the deadline, and the other two groups' small counts, which could reach k, are withheld
    anyway (fail closed) along with the first group's."""
    from portal.research import bounds

    clock = iter([0.0, 0.0, 100.0, 100.0])  # the deadline is set, the first group starts, then no time
    monkeypatch.setattr(bounds.time, "monotonic", lambda: next(clock))
    values, sums, hidden, sensitive = _all_withheld([1, 4, 3, 20, 2, 30], [(0, 1), (2, 3), (4, 5)])
    assert sorted(DeclaredSums(values, sums, 10).pinned(hidden, sensitive)) == ["x0", "x1", "x2", "x4"]


# With no time for the integer program (a slow solve under load), the linear programs alone decide:
# what they show in whole numbers is published, what they leave open is withheld.

def test_a_count_only_the_integer_program_shows_safe_is_pinned_when_it_has_no_time(monkeypatch):
    from portal.research import bounds

    monkeypatch.setattr(bounds, "MILP_SECONDS", 0.0)
    x = [3, 3, 14, 14, 13]
    values, sums, hidden, _ = _all_withheld(x, [(2, 4, 1), (3, 2, 1, 0), (4, 3, 1, 0), (3, 1, 2, 0)])
    assert DeclaredSums(values, sums, 10).pinned(hidden, {"x0"}) == ["x0"]  # fail closed


def test_one_by_one_the_linear_programs_still_settle_what_they_can_without_the_integer_program(monkeypatch):
    """Found by a random search: no single assignment takes x0, x1 and x2 to 10 together, and x0 and x1
    are truly pinned; x2 can reach 10, and its own linear program shows it in whole numbers."""
    from portal.research import bounds

    monkeypatch.setattr(bounds, "MILP_SECONDS", 0.0)
    case = _all_withheld([7, 9, 5, 0, 0, 18], [(0, 2, 4), (0, 1, 3, 4), (1, 2, 3, 4, 5), (0, 2, 3, 4, 5), (3, 5)])
    assert _pinned(case) == ["x0", "x1"]


def test_the_joint_linear_program_settles_every_count_it_takes_to_k_without_the_integer_program(monkeypatch):
    """Found by a random search: the program pushing the small counts together takes x5 to 10 in
    whole numbers (in its second round); asked alone, x5's linear program stops at a fractional corner."""
    from portal.research import bounds

    monkeypatch.setattr(bounds, "MILP_SECONDS", 0.0)
    case = _all_withheld([2, 5, 7, 9, 0, 1, 7], [(1, 2, 3, 4, 5, 6), (3, 4, 6), (0, 3, 4), (1, 2, 3, 4, 5, 6),
                                                 (0, 2, 3, 5, 6)])
    assert _pinned(case) == []


# --- groups that are one sum: answered in closed form, checked against the integer program ------

def _one_way(rng: random.Random) -> CellTable:
    """Independent sums, each cell in one of them (the activity page's shape: one sum per week)."""
    table = CellTable()
    for s in range(rng.randint(1, 4)):
        parts = [table.cell((s, c), rng.choice([0, rng.randint(1, 9), rng.randint(1, 25)]))
                 for c in range(rng.randint(1, 4))]
        table.add_sum(table.cell((s, "total"), sum(table.values[p] for p in parts)), parts)
    return table


@pytest.mark.parametrize("seed", range(60))
def test_a_one_sum_group_is_pinned_exactly_when_the_integer_program_says_so(seed):
    """Any withheld cells, totals included (cells on both sides of a sum) or not (all on one side)."""
    rng = random.Random(seed)
    table = _one_way(rng)
    hidden = {key for key in table.values if rng.random() < 0.6}
    sensitive = {key for key in hidden if 0 < table.values[key] < 10}
    expected = {key for key in sensitive if _highest(table, hidden, key) < 10}
    assert set(DeclaredSums(table.values, table.sums, 10).pinned(hidden, sensitive)) == expected


def test_a_one_way_table_needs_no_linear_program(monkeypatch):
    from portal.research import bounds

    def refuse(*args):
        raise AssertionError("a one-sum group went to a linear program")

    monkeypatch.setattr(bounds, "_reaching_together", refuse)
    monkeypatch.setattr(bounds, "_whole_point_reaching", refuse)
    table = CellTable()
    table.add_sum(table.cell("t1", 14), [table.cell("a", 3), table.cell("b", 11)])  # a <= 3 + 11 = 14
    table.add_sum(table.cell("t2", 12), [table.cell("c", 4), table.cell("d", 8)])   # c <= 4 + 8 = 12
    table.add_sum(table.cell("t3", 6), [table.cell("e", 2), table.cell("f", 4)])    # e <= 6 < 10: pinned
    system = DeclaredSums(table.values, table.sums, 10)
    assert system.pinned({"a", "b", "c", "d", "t2", "e", "f"}, {"a", "c", "e", "f"}) == ["e", "f"]


# --- the two helpers' own contracts (what the mutation run after the one-sum shortcut found unpinned) --


@pytest.mark.parametrize(("row", "total"), [([2.0, 1.0], 4.0), ([1.0, 1.0], 2.5), ([1.0, 0.5], 3.0)])
def test_the_closed_form_answers_only_a_sum_of_whole_cells_with_a_whole_total(row, total):
    """Any other group (a weight other than 1, a total no whole numbers can meet) goes to the programs."""
    from scipy import sparse

    from portal.research.bounds import _one_sum_highest

    assert _one_sum_highest(sparse.csr_matrix([row]), [total]) is None


def test_one_sum_alone_does_not_let_every_target_reach_the_threshold():
    """x + y = 3 with k = 10: neither can be 10, whichever program is asked (not the no-sum shortcut)."""
    import numpy as np
    from scipy import sparse

    from portal.research.bounds import _reaching_together

    assert _reaching_together(sparse.csr_matrix([[1.0, 1.0]]), np.array([3.0]), [0, 1], 10) == []
    assert _reaching_together(sparse.csr_matrix([[1.0, 1.0]]), np.array([12.0]), [0, 1], 10) in ([0], [1])


def test_counts_the_joint_program_takes_to_exactly_k_are_not_asked_again_one_by_one(monkeypatch):
    """The joint step caps each count at k, so a count it settles sits at k exactly: that is reaching k.
    Asking each again on its own would give the same verdict at one program per count, the cost the
    joint step is there to save (a hundred of them tripled a researcher's page)."""
    from portal.research import bounds

    def refuse(*args):
        raise AssertionError("a count already taken to k was asked again on its own")

    monkeypatch.setattr(bounds, "_whole_point_reaching", refuse)
    table = CellTable()  # a 2 x 2 table with its row and column totals, every inner cell withheld
    a, b, c, d = table.cell("a", 3), table.cell("b", 20), table.cell("c", 20), table.cell("d", 3)
    table.add_sum(table.cell("r1", 23), [a, b])
    table.add_sum(table.cell("r2", 23), [c, d])
    table.add_sum(table.cell("k1", 23), [a, c])
    table.add_sum(table.cell("k2", 23), [b, d])
    system = DeclaredSums(table.values, table.sums, 10)
    assert system.pinned({"a", "b", "c", "d"}, {"a", "d"}) == []  # a = d = 10, b = c = 13


def test_a_count_with_no_upper_limit_is_settled_by_the_joint_step_too(monkeypatch):
    """Withheld totals of withheld totals can grow without end. The joint step counts each small count
    only up to k, so it still has an answer there (one program for the group), instead of finding no
    finite best and sending every count to programs of its own."""
    from portal.research import bounds

    def refuse(*args):
        raise AssertionError("the joint step gave up on a group whose counts can grow without end")

    monkeypatch.setattr(bounds, "_whole_point_reaching", refuse)
    table = CellTable()
    a, b = table.cell("a", 3), table.cell("b", 20)
    t = table.cell("t", 23)
    table.add_sum(t, [a, b])
    table.add_sum(table.cell("u", 28), [t, table.cell("c", 5)])
    system = DeclaredSums(table.values, table.sums, 10)
    assert system.pinned({"a", "b", "t", "u"}, {"a"}) == []

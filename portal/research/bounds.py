"""How far each withheld small count could be pushed, given every shown number and every declared sum.

The calculator in `CellTable._exposed` solves the sums one at a time; several sums together can
still pin a withheld count that each of them alone leaves open (issue 22: Hypothesis found a
weekly table where they pinned a count of 1 to exactly 1). This module asks the question of the
whole system instead: shown cells fixed at their values, withheld cells any whole number from 0
up, every declared sum holding. A withheld small count is *pinned* when no such assignment lets
it reach the minimum cell k.

The rule a published table meets: every withheld count from 1 to k-1 could be k or more. A
researcher who reads everything then cannot tell that the count is small, and cannot narrow it to
one whole number either (it could be its true value, below k, or k). That is the adversary's test
in `tests/portal/test_research_adversary.py` (an interval below k, or narrower than one), and it is
checked in whole numbers, not only in the linear relaxation: the relaxation's interval contains
the whole-number one, so a relaxed upper bound of k or more does not by itself show that a whole
count of k is possible. A relaxed solution that comes out in whole numbers (checked exactly) is
enough; otherwise an integer program (`scipy.optimize.milp`) decides.

Cost: withheld cells are split into groups that share no sum; in each group one linear program
pushes every withheld small count towards k at once (each counted up to k only) and is repeated
for those it left short; only the rest are asked about one by one. At 10,000 communities the
funnel's 2,309 small counts take about 0.4 s (`benchmarks/research_gate_bench.py`). scipy is
imported when a table has small counts, not when the portal starts.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Hashable, Sequence
from typing import Any

logger = logging.getLogger(__name__)

#: The integer program's time limit per cell; a cell not shown safe in time counts as pinned (withhold more).
MILP_SECONDS = 2.0
#: Solver time for one table. Past it, every small count not yet shown safe counts as pinned and the
#: table is withheld whole (fail closed), rather than keep a page past gunicorn's 30 s timeout.
SECONDS = 10.0

Key = Hashable


class DeclaredSums:
    """The sums of one `CellTable` as one sparse matrix (total minus parts equals zero), built once."""

    def __init__(self, values: dict[Key, int], sums: Sequence[tuple[Key, tuple[Key, ...]]], threshold: int):
        import numpy as np
        from scipy import sparse

        self.keys = list(values)
        self.column = {key: i for i, key in enumerate(self.keys)}
        self.values = np.array([values[key] for key in self.keys], dtype=float)
        self.threshold = threshold
        rows, columns, coefficients = [], [], []
        for number, (total, parts) in enumerate(sums):
            for key, sign in ((total, 1.0), *((part, -1.0) for part in parts)):
                rows.append(number)
                columns.append(self.column[key])
                coefficients.append(sign)
        # duplicate entries (a cell named twice in one sum) add up in the conversion, as they should
        self.matrix = sparse.csc_matrix((coefficients, (rows, columns)), shape=(len(sums), len(self.keys)))
        broken = int((self.matrix @ self.values != 0).sum())
        if broken:  # a page bug: no assignment meets them, so every withheld small count reads as pinned
            logger.warning("disclosure: %d declared sums do not hold for the counts themselves", broken)
        self.safe: set[int] = set()  # cells shown able to reach k: withholding more only keeps them so
        self.deadline = time.monotonic() + SECONDS

    def out_of_time(self) -> bool:
        return time.monotonic() > self.deadline

    def pinned(self, hidden: set[Key], sensitive: set[Key]) -> list[Key]:
        """The withheld small counts that could not be k or more, whatever the withheld cells hold.

        Called again as more cells are withheld (`hidden` only grows), so a cell once shown able to
        reach k is not solved for again.
        """
        import numpy as np
        from scipy.sparse import bmat
        from scipy.sparse.csgraph import connected_components

        unknown = [self.column[key] for key in self.keys if key in hidden]
        if not any(key in sensitive and key in hidden and self.column[key] not in self.safe for key in self.keys):
            return []
        shown = np.ones(len(self.keys), dtype=bool)
        shown[unknown] = False
        a = self.matrix[:, unknown]
        b = -(self.matrix[:, shown] @ self.values[shown])
        touched = np.flatnonzero(a.getnnz(axis=1))  # sums over shown cells only hold already
        a, b = a[touched, :].tocsr(), b[touched]
        # Withheld cells that share no sum (even through other withheld cells) do not constrain each
        # other: solve each connected group of sums and cells on its own, a few cells at a time.
        _, label = connected_components(bmat([[None, a], [a.T, None]]), directed=False)
        rows_of, cells_of = _groups(label[: a.shape[0]]), _groups(label[a.shape[0]:])
        out = []
        for group, cells in cells_of.items():
            targets = [i for i, c in enumerate(cells) if self.keys[unknown[c]] in sensitive
                       and unknown[c] not in self.safe]
            if not targets:
                continue
            rows = rows_of.get(group, [])
            part, values = a[rows, :][:, cells], b[rows]
            if self.out_of_time():  # fail closed: what was not shown safe counts as pinned
                out += [self.keys[unknown[cells[place]]] for place in targets]
                continue
            highest = _one_sum_highest(part, values)
            if highest is not None:  # one sum: every target reaches k, or none does (no program needed)
                reaching = [unknown[cells[place]] for place in targets]
                if highest >= self.threshold:
                    self.safe.update(reaching)
                else:
                    out += [self.keys[cell] for cell in reaching]
                continue
            while targets:  # push the rest together again: they compete for the same totals
                reached = _reaching_together(part, values, targets, self.threshold)
                if not reached:
                    break
                self.safe.update(unknown[cells[place]] for place in reached)
                targets = [place for place in targets if place not in set(reached)]
            for place in targets:
                if unknown[cells[place]] in self.safe:
                    continue
                point = _whole_point_reaching(part, values, place, self.threshold, len(cells))
                if point is None:
                    out.append(self.keys[unknown[cells[place]]])
                    continue
                # the same assignment shows every other withheld small count it takes to k or more
                self.safe.update(unknown[cells[i]] for i in targets if point[i] >= self.threshold)
        return out


def _groups(label: Any) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for position, group in enumerate(label.tolist()):
        out.setdefault(group, []).append(position)
    return out


def _one_sum_highest(a: Any, b: Any) -> float | None:
    """The highest whole value any one withheld cell of a group can take, when the group is a single
    declared sum whose withheld cells all have coefficient +1 or -1; None for any other group.

    Such a group is one equation, sum of s_j x_j = b, over whole x_j >= 0 (the shown cells are in b).
    With withheld cells on both sides, raising one cell is balanced by raising one on the other
    side, so each cell can be as high as wished. With all on one side (s), the cells add up to s*b
    and one cell can be all of it, the others 0. A one-way table's sums (each cell in one sum, as
    the activity page's weeks) are all like this: answered here, without a linear program each
    (a hundred of them made the researcher's all-areas activity page three times the admin's).
    """
    import math

    import numpy as np

    if a.shape[0] != 1:
        return None
    row, total = a.toarray()[0], float(b[0])
    if not (np.abs(row) == 1).all() or not total.is_integer():
        return None
    if (row > 0).any() and (row < 0).any():
        return math.inf
    return total * row[0]  # negative when the sum cannot hold: no cell reaches k then


def _reaching_together(a: Any, b: Any, targets: list[int], threshold: int) -> list[int]:
    """The targets that one whole-number assignment takes to the threshold, found by one linear program
    pushing every target towards it at once (each counted up to the threshold only)."""
    import numpy as np
    from scipy import sparse
    from scipy.optimize import linprog

    n, t = a.shape[1], len(targets)
    if a.shape[0] == 0:  # cells in no sum at all: anything goes (a shortcut; the program says the same)
        return targets
    pick = sparse.csr_matrix((np.ones(t), (range(t), targets)), shape=(t, n))
    result = linprog(np.concatenate([np.zeros(n), -np.ones(t)]),
                     A_eq=sparse.hstack([a, sparse.csr_matrix((a.shape[0], t))]), b_eq=b,
                     A_ub=sparse.hstack([-pick, sparse.identity(t)]), b_ub=np.zeros(t),
                     bounds=[(0, None)] * n + [(0, threshold)] * t, method="highs")
    if result.status != 0:
        return []
    point = np.round(result.x[:n])
    if (point < 0).any() or not np.array_equal(a @ point, b):
        return []  # a fractional corner proves nothing about whole numbers: ask cell by cell
    return [i for i in targets if point[i] >= threshold]


def _whole_point_reaching(a: Any, b: Any, target: int, threshold: int, n: int) -> Any:
    """Whole numbers >= 0 meeting a @ x = b with x[target] >= threshold, or None when there are none."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, linprog, milp

    lower = np.zeros(n)
    lower[target] = threshold
    lowest = np.zeros(n)  # the target held down to the threshold: a bounded problem with a plain answer
    lowest[target] = 1.0
    result = linprog(lowest, A_eq=a, b_eq=b, bounds=list(zip(lower, [None] * n, strict=True)), method="highs")
    if result.status == 2:  # infeasible even with fractions: certainly in whole numbers
        return None
    if result.status == 0:
        point = np.round(result.x)
        if (point >= lower).all() and np.array_equal(a @ point, b):
            return point
    result = milp(lowest, constraints=[LinearConstraint(a, b, b)], integrality=np.ones(n),
                  bounds=Bounds(lower, np.inf), options={"time_limit": MILP_SECONDS})
    if result.status == 0 and result.x is not None:
        point = np.round(result.x)
        if (point >= lower).all() and np.array_equal(a @ point, b):
            return point
    return None  # infeasible, or not shown feasible in time: treat as pinned

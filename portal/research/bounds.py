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

scipy is imported when a table has small counts, not when the portal starts.
"""
from __future__ import annotations

import logging
from collections.abc import Hashable, Sequence
from typing import Any

logger = logging.getLogger(__name__)

#: The integer program's time limit per cell; a cell not shown safe in time counts as pinned (withhold more).
MILP_SECONDS = 2.0

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

    def pinned(self, hidden: set[Key], sensitive: set[Key]) -> list[Key]:
        """The withheld small counts that could not be k or more, whatever the withheld cells hold.

        Called again as more cells are withheld (`hidden` only grows), so a cell once shown able to
        reach k is not solved for again.
        """
        import numpy as np

        unknown = [self.column[key] for key in self.keys if key in hidden]
        targets = [self.column[key] for key in self.keys if key in sensitive and key in hidden]
        if not targets:
            return []
        shown = np.ones(len(self.keys), dtype=bool)
        shown[unknown] = False
        a = self.matrix[:, unknown]
        b = -(self.matrix[:, shown] @ self.values[shown])
        touched = np.flatnonzero(a.getnnz(axis=1))  # sums over shown cells only hold already
        a, b = a[touched, :].tocsr(), b[touched]
        place = {column: i for i, column in enumerate(unknown)}
        out = []
        for column in targets:
            if column in self.safe:
                continue
            point = _whole_point_reaching(a, b, place[column], self.threshold, len(unknown))
            if point is None:
                out.append(self.keys[column])
                continue
            # the same assignment shows every other withheld small count it takes to k or more
            self.safe.update(other for other in targets if point[place[other]] >= self.threshold)
        return out


def _whole_point_reaching(a: Any, b: Any, target: int, threshold: int, n: int) -> Any:
    """Whole numbers >= 0 meeting a @ x = b with x[target] >= threshold, or None when there are none."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, linprog, milp

    lower = np.zeros(n)
    lower[target] = threshold
    if a.shape[0] == 0:  # the cell is in no sum with anything shown: anything goes
        return lower
    result = linprog(np.zeros(n), A_eq=a, b_eq=b, bounds=list(zip(lower, [None] * n, strict=True)), method="highs")
    if result.status == 2:  # infeasible even with fractions: certainly in whole numbers
        return None
    if result.status == 0:
        point = np.round(result.x)
        if (point >= lower).all() and np.array_equal(a @ point, b):
            return point
    result = milp(np.zeros(n), constraints=[LinearConstraint(a, b, b)], integrality=np.ones(n),
                  bounds=Bounds(lower, np.inf), options={"time_limit": MILP_SECONDS})
    if result.status == 0 and result.x is not None:
        point = np.round(result.x)
        if (point >= lower).all() and np.array_equal(a @ point, b):
            return point
    return None  # infeasible, or not shown feasible in time: treat as pinned

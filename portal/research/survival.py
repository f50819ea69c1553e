"""Time-to-stage estimators (Kaplan–Meier, Aalen–Johansen) over counts of spans, and what of a curve may be shown.

Pure functions over {(day, kind): communities}: no database, so they are checked against lifelines.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence

from portal.research.disclosure import min_cell

# How each approached community's time to a target ends: it reached the target, it ended otherwise
# first (declined, hostile or dormant: competing events), or it is still waiting (censored).
REACHED, ENDED, WAITING = "reached", "ended", "waiting"
KINDS = {1: REACHED, 2: ENDED, 0: WAITING}
# A curve: (day, share) steps in day order, the share rising.
Steps = list[tuple[int, float]]


def kaplan_meier(counts: Counter) -> Steps:
    """(day, share reached) steps from {(day, kind): communities}: one minus Kaplan–Meier.

    Communities still waiting, and those that ended otherwise (competing events, here treated as
    censored), leave the risk set after their day without counting as reached (on the same day,
    those that reached it count first).
    """
    at_risk, survival, steps = sum(counts.values()), 1.0, []
    for day in sorted({d for d, _ in counts}):
        events = counts.get((day, REACHED), 0)
        if events and at_risk:
            survival *= 1 - events / at_risk
            steps.append((day, 1 - survival))
        at_risk -= sum(counts.get((day, kind), 0) for kind in KINDS.values())
    return steps


def aalen_johansen(counts: Counter) -> Steps:
    """(day, cumulative incidence of reaching) steps from {(day, kind): communities}, with ENDED competing.

    Aalen–Johansen: at each day the share still at risk (no event of either kind yet, by
    Kaplan–Meier over both) times the share of those at risk that reach the target that day. A
    community that declined cannot reach the target later in this estimate, unlike in 1 − KM.
    """
    at_risk, event_free, incidence, steps = sum(counts.values()), 1.0, 0.0, []
    for day in sorted({d for d, _ in counts}):
        reached, ended = counts.get((day, REACHED), 0), counts.get((day, ENDED), 0)
        if (reached or ended) and at_risk:
            if reached:
                incidence += event_free * reached / at_risk
                steps.append((day, incidence))
            event_free *= 1 - (reached + ended) / at_risk
        at_risk -= reached + ended + counts.get((day, WAITING), 0)
    return steps


def protect_curve(steps: Steps, counts: Counter, active: bool) -> Steps:
    """The steps a researcher may see: a step only where at least the minimum cell of communities
    reached the target since the last step shown, so no step size gives a small count away, and
    none is left over between the last step and the count reached."""
    if not active:
        return steps
    k, pending, out = min_cell(), 0, []
    for day, share in steps:
        pending += counts.get((day, REACHED), 0)
        if pending >= k:
            out.append((day, share))
            pending = 0
    if pending and out:
        # The last few would be the count reached minus the last step: they join the last step,
        # which moves to the final day (the curve then ends where the count reached says).
        out[-1] = steps[-1]
    return out


def share_by(steps: Sequence[tuple[float, float]], day: float) -> float:
    """The share reached by `day`: the last step on or before it (steps rise, in day order)."""
    i = bisect_right(steps, (day, math.inf))
    return steps[i - 1][1] if i else 0.0


def quantile_day(steps: Sequence[tuple[float, float]], share: float) -> float | None:
    """The first day whose share reaches `share` (allowing for float rounding), or None if none does."""
    return next((d for d, s in steps if s >= share - 1e-9), None)

"""Competing outcomes in time-to-stage: the portal's Aalen–Johansen and Kaplan–Meier against lifelines."""
from __future__ import annotations

import random
import warnings
from collections import Counter

import pytest

from portal.research.survival import (
    ENDED, REACHED, WAITING, aalen_johansen, kaplan_meier, protect_curve, share_by,
)

KIND_CODES = {WAITING: 0, REACHED: 1, ENDED: 2}


def _lifelines():
    with warnings.catch_warnings():  # its own imports warn on newer pandas/numpy; not ours to fix
        warnings.simplefilter("ignore")
        return pytest.importorskip("lifelines")


def _sample(seed: int, distinct: bool) -> Counter:
    """Random (time, kind) counts: distinct times (Aalen–Johansen in lifelines jitters ties) or whole days."""
    rng = random.Random(seed)
    n = rng.randint(15, 80)
    times = rng.sample(range(1, 2000), n) if distinct else [rng.randint(0, 60) for _ in range(n)]
    kinds = rng.choices([REACHED, ENDED, WAITING], weights=[5, 2, 3], k=n)
    return Counter(zip([t / 10 if distinct else t for t in times], kinds, strict=True))


def _columns(counts: Counter) -> tuple[list[float], list[int]]:
    durations, events = [], []
    for (time, kind), n in counts.items():
        durations += [time] * n
        events += [KIND_CODES[kind]] * n
    return durations, events


@pytest.mark.parametrize("seed", range(8))
def test_aalen_johansen_matches_lifelines(seed):
    lifelines = _lifelines()
    counts = _sample(seed, distinct=True)
    durations, events = _columns(counts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitter = lifelines.AalenJohansenFitter(calculate_variance=False).fit(durations, events, event_of_interest=1)
    expected = fitter.cumulative_density_.iloc[:, 0]
    steps = aalen_johansen(counts)
    for time, value in expected.items():
        assert share_by(steps, time) == pytest.approx(value, abs=1e-9), (seed, time)
    assert steps, "some communities reached the stage"


@pytest.mark.parametrize("seed", range(8))
def test_kaplan_meier_matches_lifelines_with_competing_events_censored(seed):
    lifelines = _lifelines()
    counts = _sample(seed, distinct=False)  # ties on whole days, as on the page
    durations, events = _columns(counts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitter = lifelines.KaplanMeierFitter().fit(durations, [e == 1 for e in events])
    steps = kaplan_meier(counts)
    for time, survival in fitter.survival_function_.iloc[:, 0].items():
        assert share_by(steps, time) == pytest.approx(1 - survival, abs=1e-9), (seed, time)


def test_competing_events_lower_the_incidence_below_one_minus_km():
    # 10 reach on day 5; 10 decline on day 3; 10 reach on day 8.  KM counts the decliners out of the
    # risk set (as if they could still arrive): 1 − KM reaches 100%; AJ stops at two thirds.
    counts = Counter({(3, ENDED): 10, (5, REACHED): 10, (8, REACHED): 10})
    assert share_by(kaplan_meier(counts), 10) == pytest.approx(1.0)
    assert share_by(aalen_johansen(counts), 10) == pytest.approx(2 / 3)


def test_a_curve_steps_only_after_the_minimum_cell_of_communities(app):
    counts = Counter({(1, REACHED): 3, (2, REACHED): 4, (4, REACHED): 5, (9, REACHED): 2, (20, WAITING): 30})
    steps = kaplan_meier(counts)
    # 3 + 4 + 5 = 12 by day 4; the last 2 (day 9) join that step, or the count reached (14) minus
    # the step's share would give them away: one step, at day 9, with all 14.
    assert protect_curve(steps, counts, active=True) == [steps[-1]]
    more = counts + Counter({(12, REACHED): 10})
    steps = kaplan_meier(more)
    assert [day for day, _ in protect_curve(steps, more, active=True)] == [4, 12]
    assert protect_curve(steps, counts, active=False) == steps

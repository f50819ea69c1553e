"""The discovery benchmark's slot-occupancy windows (benchmarks/discovery_bench.py)."""

from __future__ import annotations

import pytest

from benchmarks.discovery_bench import occupancy_windows


def test_levels_are_averaged_over_each_window():
    # 2 in flight from 0.05 to 0.15, then 1 until 0.25, then none; windows of 0.1 s up to 0.3
    events = [(0.05, 1), (0.05, 2), (0.15, 1), (0.25, 0)]
    assert occupancy_windows(events, 0.0, 0.3) == pytest.approx([1.0, 1.5, 0.5])


def test_a_last_partial_window_is_averaged_over_its_own_length():
    assert occupancy_windows([(0.0, 4)], 0.0, 0.15) == pytest.approx([4.0, 4.0])


def test_no_requests_means_idle_windows():
    assert occupancy_windows([], 10.0, 10.2) == pytest.approx([0.0, 0.0])

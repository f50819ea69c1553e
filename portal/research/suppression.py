"""Small-cell suppression for researcher views and aggregate exports.

Rules (also written into the export README):
- a count of 1–4 is shown as "<5" (zero is shown: it discloses nobody);
- if only one cell in a row would be hidden, the smallest other non-zero cell in that
  row is hidden too (complementary suppression), so the row total cannot be used to
  back the hidden cell out;
- a rate is shown only when neither its numerator nor the rest of its denominator is
  a small count; a mean only when it rests on at least 5 observations.
"""
from __future__ import annotations

from collections.abc import Sequence

THRESHOLD = 5
MARK = "<5"


def is_small(value: int) -> bool:
    return 0 < value < THRESHOLD


def protect(values: Sequence[int], active: bool = True) -> list[int | None]:
    """Return the row with hidden cells as None (unchanged when suppression is off)."""
    out: list[int | None] = list(values)
    if not active:
        return out
    hidden = [i for i, v in enumerate(values) if is_small(v)]
    if len(hidden) == 1:
        others = [(v, i) for i, v in enumerate(values) if v > 0 and i not in hidden]
        if others:
            hidden.append(min(others)[1])
    for i in hidden:
        out[i] = None
    return out


def shown(value: int | float | None) -> str:
    """Text for a table cell: the number, or the suppression mark."""
    if value is None:
        return MARK
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def safe_rate(numerator: int, denominator: int, active: bool = True) -> float | None:
    """numerator/denominator as a percentage, or None when it would reveal a small count."""
    if denominator <= 0:
        return None
    if active and (is_small(numerator) or is_small(denominator - numerator)):
        return None
    return 100.0 * numerator / denominator


def safe_mean(total: float, n: int, active: bool = True) -> float | None:
    """Mean of n observations, or None when n is zero or (when active) below the threshold."""
    if n <= 0 or (active and n < THRESHOLD):
        return None
    return total / n


def hide_small(value: int, active: bool = True) -> int | None:
    """One stand-alone count: None when it is small and suppression is on."""
    return None if active and is_small(value) else value

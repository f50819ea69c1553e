"""Chart geometry for server-rendered inline SVG (drawn by templates/research/_chart.html).

Charts are computed here as plain shapes (rects, polylines, labels) so the template
only places them: no script, no style attributes, colours as presentation attributes.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from portal.research.disclosure import MARK

PALETTE = ("#1d70b8", "#f47738", "#00703c", "#912b88", "#d4351c", "#28a197", "#6f72af", "#505a5f")
SUPPRESSED_FILL = "#b1b4b6"
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 14, 64
MAX_X_LABELS = 12
MAX_POINTS = 30

Series = tuple[str, Sequence[float | int | None]]


@dataclass
class Chart:
    """Shapes of one chart, plus the words a screen reader gets."""

    chart_id: str
    title: str
    description: str
    width: int = WIDTH
    height: int = HEIGHT
    rects: list[tuple[float, float, float, float, str, str]] = field(default_factory=list)
    polylines: list[tuple[str, str, str]] = field(default_factory=list)  # points, colour, dash
    points: list[tuple[float, float, str, str]] = field(default_factory=list)  # x, y, colour, tooltip
    texts: list[tuple[float, float, str, str, int]] = field(default_factory=list)  # x, y, text, anchor, angle
    gridlines: list[tuple[float, float, float, float]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)


def nice_max(value: float) -> float:
    """Round a maximum up to 1, 2 or 5 × a power of ten (so the ticks are readable)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def _fmt(value: float) -> str:
    return f"{value:g}" if value < 1000 else f"{value:,.0f}"


def _axes(chart: Chart, y_max: float, x_labels: Sequence[str], x_centres: Sequence[float],
          unit: str = "") -> None:
    plot_h = chart.height - TOP - BOTTOM
    for i in range(5):
        value = y_max * i / 4
        y = TOP + plot_h - plot_h * i / 4
        chart.gridlines.append((LEFT, y, chart.width - RIGHT, y))
        chart.texts.append((LEFT - 6, y + 4, _fmt(value) + unit, "end", 0))
    every = max(1, math.ceil(len(x_labels) / MAX_X_LABELS))
    crowded = len(x_labels) > 6 or max((len(t) for t in x_labels), default=0) > 10
    for i, (text, x) in enumerate(zip(x_labels, x_centres, strict=True)):
        if i % every == 0:
            if crowded:  # slanted so long labels do not run into each other
                chart.texts.append((x, chart.height - BOTTOM + 12, text[:16], "end", -30))
            else:
                chart.texts.append((x, chart.height - BOTTOM + 16, text, "middle", 0))


def bars(chart_id: str, title: str, description: str, categories: Sequence[str],
         series: Sequence[Series], stacked: bool = True) -> Chart:
    """Vertical bars per category; stacked or side by side. None values draw as suppressed."""
    chart = Chart(chart_id, title, description)
    plot_w, plot_h = chart.width - LEFT - RIGHT, chart.height - TOP - BOTTOM
    totals = [sum((s[1][i] or 0) for s in series) if stacked else max([(s[1][i] or 0) for s in series] or [0])
              for i in range(len(categories))]
    y_max = nice_max(max(totals or [0]))
    slot = plot_w / max(1, len(categories))
    bar_w = slot * 0.7 / (1 if stacked else max(1, len(series)))
    centres = []
    for i, category in enumerate(categories):
        x0 = LEFT + slot * i + slot * 0.15
        centres.append(LEFT + slot * (i + 0.5))
        base = 0.0
        for j, (name, values) in enumerate(series):
            value = values[i]
            x = x0 if stacked else x0 + bar_w * j
            shown = 0.0 if value is None else float(value)
            h = plot_h * shown / y_max
            y = TOP + plot_h - plot_h * base / y_max - h
            if value is None:  # suppressed: a short grey stub that says so
                chart.rects.append((x, TOP + plot_h - plot_h * base / y_max - 3, bar_w, 3, SUPPRESSED_FILL,
                                    f"{category}, {name}: {MARK} (withheld)"))
            elif h > 0:
                chart.rects.append((x, y, bar_w, h, PALETTE[j % len(PALETTE)], f"{category}, {name}: {_fmt(shown)}"))
            if stacked:
                base += shown
    _axes(chart, y_max, categories, centres)
    chart.legend = [(PALETTE[j % len(PALETTE)], name) for j, (name, _) in enumerate(series)]
    if any(v is None for _, values in series for v in values):
        chart.legend.append((SUPPRESSED_FILL, f"Withheld {MARK} (protects small groups)"))
    return chart


def lines(chart_id: str, title: str, description: str, x_labels: Sequence[str], series: Sequence[Series],
          y_max: float | None = None, unit: str = "", step: bool = False,
          marker_at: int | None = None) -> Chart:
    """One line per series over the x labels; gaps where a value is None (suppressed or missing)."""
    chart = Chart(chart_id, title, description)
    plot_w, plot_h = chart.width - LEFT - RIGHT, chart.height - TOP - BOTTOM
    peak = max([v for _, values in series for v in values if v is not None] or [0])
    top = y_max if y_max is not None else nice_max(peak)
    n = max(1, len(x_labels) - 1)
    xs = [LEFT + plot_w * i / n for i in range(len(x_labels))]
    for j, (name, values) in enumerate(series):
        colour = PALETTE[j % len(PALETTE)]
        segment: list[str] = []
        dash = "" if j < len(PALETTE) else "4 3"
        for i, value in enumerate(values):
            if value is None:
                if len(segment) > 1:
                    chart.polylines.append((" ".join(segment), colour, dash))
                segment = []
                continue
            y = TOP + plot_h - plot_h * min(float(value), top) / top
            if step and segment:
                segment.append(f"{xs[i]:.1f},{segment[-1].split(',')[1]}")
            segment.append(f"{xs[i]:.1f},{y:.1f}")
            if len(x_labels) <= MAX_POINTS:  # dots only where they can be told apart
                chart.points.append((xs[i], y, colour, f"{x_labels[i]}, {name}: {_fmt(float(value))}{unit}"))
        if len(segment) > 1:
            chart.polylines.append((" ".join(segment), colour, dash))
    if marker_at is not None and 0 <= marker_at < len(xs):
        chart.gridlines.append((xs[marker_at], TOP, xs[marker_at], TOP + plot_h))
    _axes(chart, top, x_labels, xs, unit)
    chart.legend = [(PALETTE[j % len(PALETTE)], name) for j, (name, _) in enumerate(series)]
    if not chart.polylines and not chart.points and any(v is None for _, values in series for v in values):
        chart.texts.append((chart.width / 2, TOP + plot_h / 2, f"Withheld {MARK}: too few behind every point",
                            "middle", 0))
    return chart

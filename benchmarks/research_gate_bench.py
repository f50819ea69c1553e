"""Benchmark the disclosure-control layer: research page build times with and without it.

Usage:
    python benchmarks/research_gate_bench.py [--scale 10000] [--database-url postgresql+psycopg://…/db]

Builds a fresh database (SQLite in a temporary folder unless a PostgreSQL URL is given; that
database is emptied first) with ``portal.scale.generate(N)`` data, then builds every research
page's report for all areas, for one area and with a channel filter: first unsuppressed (as an admin sees it), then
suppressed twice (as a researcher: cold, then warm, with the report cache off so both count).
It prints the wall time of each and the part spent in the layer's ``CellTable.protect``. Then,
with the family counts kept (``portal/research/family.py``, as the web pages run), every area's
page followed by one area's ("next area s": the researcher moving between areas) and one platform's
("next platform s": the platform filter, read from the same family on the pages that count communities). Then
(also alone, with ``--releases-only``) a researcher's month-end releases (issue 22): the year to the
month-end before last, viewed the month after it (release m-1, counted and kept), then the year to the last
month-end (release m, protected knowing m-1), then m again (read from the kept release). Each line
ends with the load average, as the figures are noisy on a shared machine.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.research_export_bench import _app, populate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--database-url")
    parser.add_argument("--releases-only", action="store_true", help="Only the month-end releases' section.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder)
        url = args.database_url or f"sqlite:///{instance / 'bench.db'}"
        counts = populate(url, args.scale, instance)
        print(f"scale {args.scale}: {counts}")
        app = _app(url, instance, RESEARCH_CACHE_SECONDS=0)
        with app.app_context():
            if not args.releases_only:
                run(app)
            releases(app)


def run(app) -> None:
    from portal.models import Area
    from portal.research import disclosure
    from portal.research.filters import Selection
    from portal.research.pages import PAGES, build_report

    spent = [0.0]
    original = disclosure.CellTable.protect

    def timed(self):
        started = time.perf_counter()
        try:
            return original(self)
        finally:
            spent[0] += time.perf_counter() - started

    disclosure.CellTable.protect = timed
    area = Area.ordered()[0]
    print(f"{'page':<14}{'filter':<10}{'admin s':>9}{'cold s':>9}{'warm s':>9}{'layer s':>9}  withheld/cells")
    for slug in PAGES:
        for name, selection in (("all", Selection()), ("one area", Selection(area=area.slug, area_id=area.id)),
                                ("channel", Selection(channel="comment")), ("platform", Selection(platform="forum"))):
            times = []
            for suppress in (False, True, True):
                spent[0] = 0.0
                started = time.perf_counter()
                report = build_report(slug, selection, suppress)
                times.append(time.perf_counter() - started)
            cells = sum(len(row) - 1 for t in report.tables for row in t.rows)
            withheld = sum(cell == disclosure.MARK for t in report.tables for row in t.rows for cell in row)
            state = "refused" if report.refused else f"{withheld}/{cells}"
            print(f"{slug:<14}{name:<10}{times[0]:>9.3f}{times[1]:>9.3f}{times[2]:>9.3f}{spent[0]:>9.3f}  {state}"
                  f"  load {os.getloadavg()[0]:.1f}")
    print(f"\n{'page':<14}{'all s':>9}{'next area s':>13}{'next platform s':>17}  (family counts kept)")
    app.config["RESEARCH_CACHE_SECONDS"] = 300
    for slug in PAGES:
        started = time.perf_counter()
        build_report(slug, Selection(), True)
        every = time.perf_counter() - started
        started = time.perf_counter()
        build_report(slug, Selection(area=area.slug, area_id=area.id), True)
        next_area = time.perf_counter() - started
        started = time.perf_counter()
        build_report(slug, Selection(platform="forum"), True)
        print(f"{slug:<14}{every:>9.3f}{next_area:>13.3f}{time.perf_counter() - started:>17.3f}  "
              f"load {os.getloadavg()[0]:.1f}")
    app.config["RESEARCH_CACHE_SECONDS"] = 0


def releases(app) -> None:
    """Release m-1 (cold), release m (cold: protected knowing m-1 where that is built) and m again, every area."""
    from datetime import date, datetime, timedelta

    import portal.research.filters as research_filters
    from portal.models import utcnow
    from portal.research import disclosure
    from portal.research.filters import Selection
    from portal.research.pages import PAGES, build_report

    today = utcnow().date()
    last_end = today.replace(day=1) - timedelta(days=1)
    if last_end.month == 1:  # the previous month-end must be in the same year
        last_end = date(last_end.year, 3, 1) - timedelta(days=1)
    views = {"m-1": last_end.replace(day=3), "m": (last_end + timedelta(days=1)).replace(day=3)}
    year = Selection(since=date(last_end.year, 1, 1))
    original_now = research_filters.utcnow
    print(f"\n{'page':<14}{'m-1 s':>9}{'m cold s':>10}{'m again s':>11}  withheld/cells in m  "
          f"(year to {last_end:%d %b}, after the year to the month-end before)")
    try:
        for slug in PAGES:
            times, report = [], None
            for which in ("m-1", "m", "m"):
                research_filters.utcnow = lambda day=views[which]: datetime.combine(day, datetime.min.time())
                started = time.perf_counter()
                report = build_report(slug, year, True)
                times.append(time.perf_counter() - started)
            assert report is not None
            cells = sum(len(row) - 1 for t in report.tables for row in t.rows)
            withheld = sum(cell == disclosure.MARK for t in report.tables for row in t.rows for cell in row)
            state = "refused" if report.refused else f"{withheld}/{cells}"
            print(f"{slug:<14}{times[0]:>9.3f}{times[1]:>10.3f}{times[2]:>11.3f}  {state}  "
                  f"load {os.getloadavg()[0]:.1f}")
    finally:
        research_filters.utcnow = original_now


if __name__ == "__main__":
    main()

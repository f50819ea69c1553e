"""Benchmark the research export: time and peak memory at two sizes, to show memory stays flat.

Usage:
    python benchmarks/research_export_bench.py [--sizes 100000 400000] [--communities 2000]
                                               [--database-url postgresql+psycopg://…/db]

For each size it builds a fresh database (SQLite in a temporary folder unless a
PostgreSQL URL is given; that database is emptied first), bulk-inserts N outreach
contacts plus stage changes, assessments, meetings and activity samples, then runs the
export in a fresh child process twice (folder writer and streamed zip) and prints the
wall time, the RSS just before the export began, the highest RSS sampled (every 20 ms)
while it ran, and the child's lifetime ru_maxrss.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHUNK = 20_000


def _app(database_url: str, instance: Path):
    from portal import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "PSEUDONYM_KEY": "bench-key", "TESTING": True,
                       "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})


def populate(database_url: str, contacts: int, communities: int, instance: Path) -> None:
    """Create the schema and bulk-insert the rows (Core inserts, in chunks)."""
    from sqlalchemy import insert

    from portal.extensions import db
    from portal.models import (
        ActivitySample, Area, Assessment, Community, Meeting, OutreachContact, StageChange, User,
    )

    app = _app(database_url, instance)
    rng = random.Random(7)  # noqa: S311
    start = datetime(2023, 1, 1)
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.execute(insert(Area), [{"id": i, "slug": f"area-{i}", "name": f"Area {i}", "profile": {}}
                                          for i in (1, 2, 3)])
        db.session.execute(insert(User), [{"id": i, "email": f"officer{i}@bench.example", "role": "officer",
                                           "display_name": f"Officer {i}", "session_token": f"t{i}"}
                                          for i in range(1, 21)])
        db.session.execute(insert(Community), [{
            "id": i, "area_id": 1 + i % 3, "name": f"Community {i}", "platform": rng.choice(["forum", "blog", "nextdoor"]),
            "created_at": start, "updated_at": start, "stage": "approached", "url": f"https://c{i}.example/"}
            for i in range(1, communities + 1)])
        stage_rows = []
        for i in range(1, communities + 1):
            stage_rows += [{"community_id": i, "to_stage": "identified", "changed_at": start},
                           {"community_id": i, "from_stage": "identified", "to_stage": "approached",
                            "changed_at": start + timedelta(days=rng.randint(1, 60))}]
        db.session.execute(insert(StageChange), stage_rows)
        db.session.execute(insert(Assessment), [{"community_id": i, "assessed_at": start + timedelta(days=90),
                                                 "trust": 3, "reciprocity": 3, "reach": 2}
                                                for i in range(1, communities + 1)])
        db.session.execute(insert(Meeting), [{"area_id": 1 + m % 3, "title": f"Meeting {m}", "attendance": 12,
                                              "held_at": start + timedelta(days=7 * m), "created_at": start,
                                              "updated_at": start} for m in range(150)])
        db.session.execute(insert(ActivitySample), [{"community_id": i, "items_per_week": 3.5,
                                                     "sampled_at": start + timedelta(weeks=w)}
                                                    for i in range(1, communities + 1) for w in range(20)])
        done = 0
        while done < contacts:
            batch = min(CHUNK, contacts - done)
            db.session.execute(insert(OutreachContact), [{
                "community_id": 1 + (done + k) % communities, "officer_id": 1 + (done + k) % 20,
                "occurred_at": start + timedelta(minutes=done + k), "channel": "comment",
                "direction": "outbound", "purpose": "inform", "outcome": "positive",
                "message_text": "A message that must never leave the portal. " * 4, "link": "https://x.example/p",
                "reach_views": 100, "created_at": start, "updated_at": start} for k in range(batch)])
            done += batch
        db.session.commit()


def current_rss_kb() -> int:
    """Resident set size of this process now (Linux /proc), in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class RssSampler(threading.Thread):
    """Sample this process's RSS every 20 ms; keep the highest value seen."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kb = current_rss_kb()
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(0.02):
            self.peak_kb = max(self.peak_kb, current_rss_kb())

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return max(self.peak_kb, current_rss_kb())


def run_export(database_url: str, mode: str, instance: Path, out: Path) -> dict:
    """Run one export in this (fresh) process and report time, rows and memory."""
    from portal.research.export import ExportOptions, stream_zip, write_package

    app = _app(database_url, instance)
    with app.app_context():
        options, _ = ExportOptions.build(None, None, None, False, None)
        baseline = current_rss_kb()
        sampler = RssSampler()
        sampler.start()
        began = time.perf_counter()
        if mode == "dir":
            counts = write_package(out, options)
            size = sum(p.stat().st_size for p in out.iterdir())
        else:
            size = 0
            with (out.with_suffix(".zip")).open("wb") as handle:
                for chunk in stream_zip(options):
                    handle.write(chunk)
                    size += len(chunk)
            counts = {}
        seconds = time.perf_counter() - began
        peak = sampler.stop()
    return {"mode": mode, "seconds": round(seconds, 2), "baseline_rss_mb": round(baseline / 1024, 1),
            "peak_rss_mb": round(peak / 1024, 1), "max_rss_mb": round(resource.getrusage(
                resource.RUSAGE_SELF).ru_maxrss / 1024, 1), "bytes": size, "rows": counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 400_000])
    parser.add_argument("--communities", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--child", nargs=3, metavar=("URL", "MODE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lr-bench-"))
    if args.child:
        url, mode, out = args.child
        print(json.dumps(run_export(url, mode, work, Path(out))))
        return
    print(f"{'contacts':>10} {'mode':>4} {'seconds':>8} {'rows/s':>9} {'RSS before':>11} {'peak during':>12} "
          f"{'ru_maxrss':>10} {'output':>10}")
    for size in args.sizes:
        url = args.database_url or f"sqlite:///{work / f'bench-{size}.sqlite'}"
        began = time.perf_counter()
        populate(url, size, args.communities, work)
        print(f"# populated {size} contacts in {time.perf_counter() - began:.1f}s", flush=True)
        total_rows = size
        for mode in ("dir", "zip"):
            out = work / f"out-{size}-{mode}"
            result = subprocess.run([sys.executable, __file__, "--child", url, mode, str(out)], check=True,
                                    capture_output=True, text=True, cwd=ROOT, env={**os.environ})
            figures = json.loads(result.stdout.strip().splitlines()[-1])
            if figures["rows"]:  # the zip run writes the same rows as the folder run
                total_rows = sum(figures["rows"].values())
            print(f"{size:>10} {mode:>4} {figures['seconds']:>8} {int(total_rows / figures['seconds']):>9} "
                  f"{figures['baseline_rss_mb']:>9}MB {figures['peak_rss_mb']:>10}MB {figures['max_rss_mb']:>8}MB "
                  f"{figures['bytes'] / 1e6:>8.1f}MB", flush=True)


if __name__ == "__main__":
    main()

"""How many chained audit rows a second PostgreSQL takes from concurrent writers, and what each waits.

Every audited response appends one row to the one audit chain under a lock on its head row
(portal/audit_chain.py), and PostgreSQL holds that lock until the commit has reached the disk:
concurrent audited requests queue for one WAL flush each. This script runs ``--threads``
writers (as gunicorn workers would be), each appending read-audit rows (``audit.write_now`` and
a commit, the read audit's transaction) for ``--seconds``, in three modes: the head held through
the commit's WAL flush (the default), ``AUDIT_CHAIN_EARLY_UNLOCK`` (the
head unlocked before the flush, which the commit then waits for), and no wait at all
(``AUDIT_READS_ASYNC_COMMIT``'s ``synchronous_commit = off``); it prints rows a second and each
append's p50/p95 wall time (the wait for the disk included where there is one). It writes real audit rows into the database it is
given (a bench database, never a live one), and checks the chain's newest rows afterwards.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/lr_bench_1000 \\
        .venv/bin/python benchmarks/audit_chain_contention.py [--threads 8] [--seconds 10]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/lr_bench_1000")
os.environ.setdefault("SECRET_KEY", "bench")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from wsgi import app  # noqa: E402


MODES = {"held through the flush (default)": "held", "unlocked, then waits (EARLY_UNLOCK)": "early",
         "no wait (AUDIT_READS_ASYNC_COMMIT)": "nowait"}


def run(threads: int, seconds: float, mode: str) -> tuple[float, list[float]]:
    """Append rows from ``threads`` writers for ``seconds``; return rows a second and each append's ms."""
    from portal import audit
    from portal.audit_chain import WAIT_FOR_DISK
    from portal.extensions import db

    app.config["AUDIT_CHAIN_EARLY_UNLOCK"] = mode != "held"

    times: list[float] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def writer(n: int) -> None:
        mine = []
        with app.app_context():
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                if mode == "nowait":
                    db.session.execute(select(func.set_config("synchronous_commit", "off", True)))
                    db.session.info[WAIT_FOR_DISK] = False
                audit.write_now("view", f"Bench writer {n}", object_type="Community", object_id=n)
                db.session.commit()
                mine.append(1000 * (time.perf_counter() - started))
        with lock:
            times.extend(mine)

    started = time.perf_counter()
    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return len(times) / (time.perf_counter() - started), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2, help="each setting this many times, alternating")
    args = parser.parse_args()
    from portal.auditor.verify import verify
    from portal.extensions import db

    print(f"database {os.environ['DATABASE_URL'].rsplit('/', 1)[-1]}, {args.threads} writers, {args.seconds:.0f} s "
          f"a run, load average before {os.getloadavg()[0]:.2f}")
    for _ in range(args.rounds):
        for name, mode in MODES.items():
            rate, times = run(args.threads, args.seconds, mode)
            cuts = statistics.quantiles(times, n=100)
            print(f"{name:35}: {rate:7.1f} rows/s  append + commit "
                  f"p50 {cuts[49]:6.1f} ms  p95 {cuts[94]:6.1f} ms  (load {os.getloadavg()[0]:.2f})", flush=True)
    with app.app_context():
        report = verify(db.session, app.config["AUDIT_KEY"], newest=5000)
        print(f"chain's newest 5,000 rows: {'intact' if report.ok else 'BROKEN: ' + str(report.problem)}")


if __name__ == "__main__":
    main()

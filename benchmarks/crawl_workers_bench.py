"""Crawl throughput with 1, 2 and 4 RQ workers: one crawl of the sample web, split by seed site.

    .venv/bin/python benchmarks/crawl_workers_bench.py [--workers 1,2,4] [--latency 0.05] [--max-depth 1]

The sample web runs in its own process with ``latency`` seconds added to every response.
For each worker count N: a fresh PostgreSQL database (on ``BENCH_POSTGRES_URL``, default
the local server) is migrated and given the Lewes area; N ``rq worker`` processes are
started on a queue of this run's own (Redis at ``BENCH_REDIS_URL``, default
``redis://127.0.0.1:6379/15``) and left to register; then one crawl, with every sample
site's home page as a seed (as from a council directory), is queued split into N parts
exactly as ``flask crawl run --split N --background`` does. Two clocks: *crawl* runs from
the first part starting to the last part finishing (the runs' own timestamps), *end to
end* from launching that command (a Python process start) to the last part finishing. Each part keeps the per-run limits (concurrency 16,
2 connections per site, a page limit of 5,000 so that no part stops early), so N workers
may have up to 16 × N requests in flight.

Reported per N: pages fetched (all parts, from the runs' counters), unique candidates
stored, both times, pages per second of crawl time, and the speed-up over one worker. Sites
linked from seeds of two parts are fetched by both parts (and stored once): the
duplicated work is visible as requests above the one-worker figure.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.crawl_bench import _load, _start_web  # noqa: E402
from sampleweb.server import site_urls  # noqa: E402

BIN = Path(sys.executable).parent
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
DB_NAME = "lr_bench_crawl_workers"
AREA_FILE = ROOT / "crawlers" / "areas" / "lewes.json"
FINISHED = ("done", "failed", "cancelled", "interrupted")


def _env(db_url: str, queue: str) -> dict:
    return {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": REDIS_URL, "RQ_QUEUE": queue,
            "SECRET_KEY": "bench", "JOBS_HEARTBEAT_SECONDS": "1", "CRAWL_MAX_PAGES": "5000", "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT)}


def _flask(env: dict, *args: str, stdin: str | None = None) -> str:
    return subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True, input=stdin).stdout


def _fresh_database() -> tuple[str, str]:
    """Drop and create the benchmark database; return (SQLAlchemy URL, psycopg URL)."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    plain = ADMIN_URL.rsplit("/", 1)[0] + f"/{DB_NAME}"
    return plain, plain


def _start_workers(count: int, env: dict) -> list[subprocess.Popen]:
    from redis import Redis
    from rq import Worker

    procs = [subprocess.Popen([str(BIN / "rq"), "worker", "--url", REDIS_URL, "--path", str(ROOT),
                               "--logging_level", "WARNING", "--name", f"{env['RQ_QUEUE']}-{i}",
                               env["RQ_QUEUE"]], cwd=ROOT, env=env)
             for i in range(count)]
    conn = Redis.from_url(REDIS_URL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        names = {w.name for w in Worker.all(connection=conn)}
        if all(f"{env['RQ_QUEUE']}-{i}" in names for i in range(count)):
            return procs
        time.sleep(0.2)
    _stop(procs)
    raise RuntimeError("the rq workers did not register within 60 s")


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_for_runs(pg_url: str, timeout: float) -> tuple[list[tuple], float]:
    deadline = time.monotonic() + timeout
    with psycopg.connect(pg_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            runs = conn.execute("SELECT status, pages_fetched, sites_found, started_at, finished_at "
                                "FROM crawl_runs").fetchall()
            if runs and all(status in FINISHED for status, *_ in runs):
                return runs, time.monotonic()
            time.sleep(0.05)
    raise RuntimeError(f"the crawl did not finish within {timeout:.0f} s")


def _one(count: int, seeds: list[str], allow: str, max_depth: int) -> dict:
    db_url, pg_url = _fresh_database()
    env = _env(db_url, f"lr-bench-crawl-{uuid.uuid4().hex[:8]}")
    _flask(env, "init-db")
    _flask(env, "areas", "import", str(AREA_FILE))
    with psycopg.connect(pg_url) as conn:
        slug = conn.execute("SELECT slug FROM areas ORDER BY id LIMIT 1").fetchone()[0]
    workers = _start_workers(count, env)
    try:
        args = ["crawl", "run", "--area", slug, "--allow-private", allow, "--max-depth", str(max_depth),
                "--split", str(count), "--background"]
        for seed in seeds:
            args += ["--seed", seed]
        started = time.monotonic()
        _flask(env, *args)
        runs, finished = _wait_for_runs(pg_url, timeout=600)
    finally:
        _stop(workers)
    with psycopg.connect(pg_url) as conn:
        candidates = conn.execute("SELECT count(*), count(DISTINCT site_key) FROM candidates").fetchone()
    return {"workers": count, "parts": len(runs), "statuses": sorted({r[0] for r in runs}),
            "pages": sum(r[1] for r in runs), "candidates": candidates[0], "unique": candidates[1],
            "seconds": finished - started,
            "crawl_seconds": (max(r[4] for r in runs) - min(r[3] for r in runs)).total_seconds()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", default="1,2,4", help="comma-separated worker counts")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--max-depth", type=int, default=1)
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    load_before = _load()
    web, _seeds, allow = _start_web(args.latency)
    try:
        first = int(allow.split(":")[1].split("-")[0])
        seeds = [base + "/" for base in site_urls("127.0.0.1", first).values()]
        results = [_one(n, seeds, allow, args.max_depth) for n in counts]
    finally:
        web.terminate()
        web.wait(timeout=10)
    print(f"sample web: {len(seeds)} seeds, latency {args.latency * 1000:.0f} ms, max depth {args.max_depth}; "
          f"per part: concurrency 16, 2 per site; load average {load_before} before, {_load()} after, "
          f"{os.cpu_count()} CPUs")
    print(f"{'workers':>8}{'parts':>7}{'pages':>7}{'candidates':>12}{'crawl s':>9}{'end to end s':>14}"
          f"{'pages/s':>9}{'speed-up':>10}  statuses")
    base = None
    for r in results:
        rate = r["pages"] / r["crawl_seconds"]
        base = base or rate
        dupes = "" if r["candidates"] == r["unique"] else f" (DUPLICATES: {r['candidates'] - r['unique']})"
        print(f"{r['workers']:>8}{r['parts']:>7}{r['pages']:>7}{r['unique']:>12}{r['crawl_seconds']:>9.2f}"
              f"{r['seconds']:>14.2f}{rate:>9.1f}"
              f"{rate / base:>9.2f}x  {','.join(r['statuses'])}{dupes}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

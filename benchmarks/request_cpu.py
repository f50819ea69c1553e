"""CPU per request in-process (Flask's test client on a bench database), and the SQL each page runs.

Unlike wrk's figures this hardly depends on how busy the machine is: it times one request at a
time with ``time.process_time()`` (this process only: PostgreSQL's own CPU is not included) and
``time.perf_counter()`` (wall time, which includes waiting for PostgreSQL).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/lr_bench_100000 \\
        .venv/bin/python benchmarks/request_cpu.py [--requests 30] [--sql] [--profile PAGE [--sort tottime]]
        [--research]   # also every research chart page (5 requests each: some take seconds at 100k)

The database comes from ``web_load.py --prepare-only`` (its bench officer and researcher sign in).
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/lr_bench_100000")
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("LOGIN_RATE_LIMIT", "1000 per minute")
# Every request computes its page: kept research reports would time a cache lookup, not the chart.
os.environ.setdefault("RESEARCH_CACHE_SECONDS", "0")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, text  # noqa: E402

from benchmarks.web_load import BROWSE_PATHS, LISTING_PATHS, OFFICER_COMMUNITIES_SQL, PASSWORD, csrf_field  # noqa: E402
from wsgi import app  # noqa: E402


#: Pages timed with --requests requests (the others, slow research charts, with at most 5).
FULL_COUNT = {"healthz", "layout", "list", "community", "home", "form", "follow-ups", "funnel"}


def sign_in(email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD,
                                           "csrf_token": csrf_field(client.get("/login").get_data(as_text=True))})
    if response.status_code not in (302, 303):
        raise SystemExit(f"sign-in as {email} failed: {response.status_code}")
    return client


def pages(research: bool = False) -> dict[str, tuple[str, list[str]]]:
    """Page name -> (who, paths in rotation), as web_load.py loads them (and the research charts)."""
    from portal.extensions import db
    from portal.research.pages import PAGES

    with app.app_context():
        ids = db.session.scalars(text(OFFICER_COMMUNITIES_SQL)).all()
    chosen = {
        "healthz": ("bench-officer@bench.example", ["/healthz"]),
        "layout": ("bench-officer@bench.example", ["/accessibility"]),
        "list": ("bench-officer@bench.example", LISTING_PATHS),
        "browse": ("bench-officer@bench.example", BROWSE_PATHS),
        "community": ("bench-officer@bench.example", [f"/communities/{i}" for i in ids]),
        "home": ("bench-officer@bench.example", ["/home"]),
        "form": ("bench-officer@bench.example", ["/contacts/new"]),
        "follow-ups": ("bench-officer@bench.example", ["/follow-ups"]),
        "funnel": ("bench-researcher@bench.example", ["/research/funnel"]),
    }
    if research:
        chosen |= {slug: ("bench-researcher@bench.example", [f"/research/{slug}"]) for slug in PAGES if slug != "funnel"}
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--sql", action="store_true", help="print the statements of one request per page")
    parser.add_argument("--profile", default=None, help="cProfile this page's requests (healthz, layout, list, community, home, form, follow-ups, funnel)")
    parser.add_argument("--sort", default="cumulative", help="profile order (cumulative, tottime…)")
    parser.add_argument("--top", type=int, default=30, help="profile lines to print")
    parser.add_argument("--research", action="store_true", help="also time every research chart page")
    parser.add_argument("--pages", default=None, help="only these pages, comma-separated (e.g. home,community)")
    args = parser.parse_args()
    from portal.extensions import db

    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *rest: statements.append(statement))
    print(f"database: {os.environ['DATABASE_URL'].rsplit('/', 1)[-1]}, load average {os.getloadavg()[0]:.2f}")
    only = set(args.pages.split(",")) if args.pages else None
    for name, (email, paths) in pages(args.research).items():
        if only and name not in only:
            continue
        client = sign_in(email)
        for path in paths[:3]:  # warm up: templates compiled, connections open
            assert client.get(path).status_code == 200, path
        requests = args.requests if name in FULL_COUNT else min(args.requests, 5)
        statements.clear()
        client.get(paths[0])
        queries = len(statements)
        if args.sql:
            print(f"-- {name}: {paths[0]}\n" + "\n".join(f"   {s[:300]}" for s in statements))
        profiler = cProfile.Profile(time.process_time) if args.profile == name else None  # CPU, not waiting
        cpu = wall = 0.0
        for i in range(requests):
            path = paths[i % len(paths)]
            started_cpu, started_wall = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            status = client.get(path).status_code
            if profiler:
                profiler.disable()
            cpu += time.process_time() - started_cpu
            wall += time.perf_counter() - started_wall
            assert status == 200, (path, status)
        print(f"{name:13} {1000 * cpu / requests:7.1f} ms CPU/request  {1000 * wall / requests:7.1f} ms wall"
              f"/request  {queries} SQL statements  ({requests} requests)")
        if profiler:
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()

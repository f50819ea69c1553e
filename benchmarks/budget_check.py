"""Issue 26 target 3: is every main officer page's p95 within 60 ms? PostgreSQL, 100,000 communities, 8 connections.

Reuses web_load.py's machinery: the ``lr_bench_<size>`` database (made and filled on first use,
reused after), gunicorn with gunicorn.conf.py, the bench officer signed in over HTTP, and wrk
(``-c8 -t2``) for ``--duration`` seconds on each page in turn after a short unmeasured warm-up.
Pages: home, the community list (a search with a stage filter, and the first page by stage),
a community page, the quick-log form, its community type-ahead (htmx fragment), follow-ups and
the quick-log POST. Prints p50/p95/p99, whether p95 is within the budget, and the load average
beside every figure (on a busy machine the answer says more about the neighbours than the portal).

    .venv/bin/python benchmarks/budget_check.py [--size 100000] [--duration 10] [--budget-ms 60]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.web_load import (  # noqa: E402
    BROWSE_PATHS, LISTING_PATHS, cookie_header, free_port, officer_communities, prepare, sign_in, start_gunicorn, stop,
    wrk,
)

OFFICER = "bench-officer@bench.example"


def pages(ids: list[int]) -> list[dict]:
    """The main officer pages: name, paths in rotation, and how to send them."""
    post = [urlencode({"community_id": i, "channel": "group_post", "direction": "outbound", "purpose": "inform",
                       "outcome": "pending", "message_text": "Beat surgery on Saturday at 10."}) for i in ids[:50]]
    return [
        {"name": "home", "paths": ["/home"]},
        {"name": "community list (search + stage)", "paths": LISTING_PATHS},
        {"name": "community list (first page by stage)", "paths": BROWSE_PATHS},
        {"name": "community page", "paths": [f"/communities/{i}" for i in ids]},
        {"name": "quick-log form", "paths": ["/contacts/new"]},
        {"name": "quick-log type-ahead (htmx)", "htmx": True,
         "paths": ["/contacts/communities?" + urlencode({"community_q": q})
                   for q in ["forum", "club", "park", "resi", *[f"c{i}." for i in ids[:8]]]]},
        {"name": "follow-ups", "paths": ["/follow-ups"]},
        {"name": "quick-log POST", "method": "POST", "paths": ["/contacts/new"], "bodies": post},
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="communities (database lr_bench_<size>)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured seconds per GET page first")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--budget-ms", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk (the load generator) is not installed: apt-get install -y wrk")
    url = prepare(args.size, reuse=True)
    ids = officer_communities(url)
    port = free_port()
    proc = start_gunicorn(url, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    print(f"PostgreSQL, {args.size:,} communities, {args.connections} connections, {os.cpu_count()} CPUs, "
          f"load average before: {os.getloadavg()}", flush=True)
    rows = []
    try:
        client, csrf = sign_in(base, OFFICER)
        cookie = cookie_header(client)
        for page in pages(ids):
            if page.get("method") != "POST" and args.warmup > 0:
                wrk(base, page["paths"], args.warmup, args.connections, 2, cookie=cookie, htmx=page.get("htmx", False))
            figures = wrk(base, page["paths"], args.duration, args.connections, 2, cookie=cookie, csrf=csrf,
                          method=page.get("method", "GET"), bodies=page.get("bodies"), htmx=page.get("htmx", False))
            load = os.getloadavg()[0]
            ok = figures["p95_ms"] <= args.budget_ms and not figures["bad_status"]
            rows.append((page["name"], figures, load, ok))
            print(f"{page['name']:38} {figures['rps']:7.1f} req/s  p50 {figures['p50_ms']:6.1f}  "
                  f"p95 {figures['p95_ms']:6.1f}  p99 {figures['p99_ms']:6.1f} ms  bad status {figures['bad_status']}  "
                  f"load {load:.1f}  {'within' if ok else 'OVER'} {args.budget_ms:.0f} ms", flush=True)
    finally:
        stop(proc)
    print(f"\n| page | req/s | p50 ms | p95 ms | p99 ms | load average | p95 ≤ {args.budget_ms:.0f} ms |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, f, load, ok in rows:
        print(f"| {name} | {f['rps']:.1f} | {f['p50_ms']:.1f} | {f['p95_ms']:.1f} | {f['p99_ms']:.1f} | {load:.1f} | "
              f"{'yes' if ok else '**no**'} |")
    print(f"\nevery page within the budget: {'yes' if all(r[3] for r in rows) else 'no'}; "
          f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()

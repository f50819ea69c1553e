"""CPU per request of two checkouts of the portal, side by side in time: an in-process A/B.

Each checkout runs in its own process (``--worker``), signed in as web_load.py's bench officer on
the same database, and the driver alternates blocks of requests between them (the order swapped
every round), so both see the same machine within a second or two. Prints the median (and min) CPU
ms per request of the blocks (``time.process_time`` of each process; PostgreSQL's own CPU is not in
it). On a shared machine this is far steadier than wrk's req/s (an A/A run of identical code gave
±5 % at load 5).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/lr_bench_1000 \\
        .venv/bin/python benchmarks/request_cpu_ab.py --base /path/to/main-worktree [--branch .]
        [--rounds 20] [--block 10] [--pages healthz,layout,list,community,home,form,follow-ups]

Pages as in request_cpu.py; the database from ``web_load.py --prepare-only`` (or ``flask demo
--scale N`` plus the two bench users).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()


def worker() -> None:
    """Answer "page n" lines with the CPU seconds of n requests of that page (cwd: a checkout)."""
    sys.path.insert(0, os.getcwd())
    sys.argv = sys.argv[:1]
    import logging

    from benchmarks import request_cpu

    logging.disable(logging.WARNING)
    pages = request_cpu.pages()
    clients = {}
    turn = 0
    print("ready", flush=True)
    for line in sys.stdin:
        page, count = line.split()
        if page not in clients:
            email, paths = pages[page]
            clients[page] = request_cpu.sign_in(email)
            for path in paths[:3]:
                assert clients[page].get(path).status_code == 200, path
        paths = pages[page][1]
        started = time.process_time()
        for _ in range(int(count)):
            response = clients[page].get(paths[turn % len(paths)])
            turn += 1
            assert response.status_code == 200, (page, response.status_code)
        print(time.process_time() - started, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="the checkout to compare against (e.g. a worktree of main)")
    parser.add_argument("--branch", type=Path, default=HERE.parents[1], help="the checkout measured (default: this one)")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--block", type=int, default=10, help="requests per block")
    parser.add_argument("--pages", default="healthz,layout,list,community,home,form,follow-ups")
    args = parser.parse_args()
    pages = args.pages.split(",")
    procs = {name: subprocess.Popen([sys.executable, str(HERE), "--worker"], cwd=checkout, stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
             for name, checkout in (("base", args.base), ("branch", args.branch))}
    for proc in procs.values():
        assert proc.stdout
        assert proc.stdout.readline().strip() == "ready"

    def ask(proc: subprocess.Popen, page: str, count: int) -> float:
        assert proc.stdin
        assert proc.stdout
        proc.stdin.write(f"{page} {count}\n")
        proc.stdin.flush()
        return float(proc.stdout.readline())

    load = os.getloadavg()[0]
    for page in pages:  # warm: templates compiled, statements cached, connections open
        for proc in procs.values():
            ask(proc, page, 5)
    blocks: dict[tuple[str, str], list[float]] = {(name, page): [] for name in procs for page in pages}
    for round_ in range(args.rounds):
        for page in pages:
            for name in (list(procs) if round_ % 2 == 0 else list(procs)[::-1]):
                blocks[(name, page)].append(1000 * ask(procs[name], page, args.block) / args.block)
    print(f"load average {load:.2f} -> {os.getloadavg()[0]:.2f}; {args.rounds} alternating blocks of {args.block} "
          "requests a side; CPU ms/request, median of the blocks (min)")
    for page in pages:
        base, branch = blocks[("base", page)], blocks[("branch", page)]
        mb, mn = statistics.median(base), statistics.median(branch)
        print(f"{page:12} base {mb:6.2f} ({min(base):5.2f})  branch {mn:6.2f} ({min(branch):5.2f})  {100 * (mn - mb) / mb:+5.1f} %")
    for proc in procs.values():
        assert proc.stdin
        proc.stdin.close()
        proc.wait()


if __name__ == "__main__":
    if "--worker" in sys.argv:
        worker()
    else:
        main()

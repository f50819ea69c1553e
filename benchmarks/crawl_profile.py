"""CPU per page of crawlers/ over a full discovery of the sample web (load-independent).

    .venv/bin/python benchmarks/crawl_profile.py [--latency 0] [--runs 3] [--profile out.prof]

The sample web runs in its own process, so ``time.process_time()`` here counts only the
crawler's own CPU: parsing, scheduling, HTTP. Wall-clock rate depends on machine load;
CPU per page does not (much), so it is the figure to compare before and after a change.
With ``--profile`` the last run is written as a cProfile file (read it with pstats).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.crawl_bench import _ours, _start_web  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", help="write a cProfile of the last run here")
    args = parser.parse_args()
    web, seeds, allow = _start_web(args.latency)
    try:
        for run in range(args.runs):
            profiler = cProfile.Profile(time.process_time) if args.profile and run == args.runs - 1 else None
            if profiler:
                profiler.enable()
            result = asyncio.run(_ours(seeds, allow))
            if profiler:
                profiler.disable()
                profiler.dump_stats(args.profile)
            print(f"run {run + 1}: {result['requests']} requests, {result['pages']} pages, "
                  f"{result['seconds']:.2f} s wall, {result['cpu_seconds']:.2f} s CPU, "
                  f"{result['cpu_seconds'] / result['requests'] * 1000:.2f} ms CPU per response"
                  + (" (profiled)" if profiler else ""))
    finally:
        web.terminate()
        web.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

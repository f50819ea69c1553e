"""Discovery benchmark on two webs (issue 20): crawlers/ beside a Scrapy spider, recall by feed role.

    .venv/bin/python benchmarks/discovery_bench.py [--latency 0.05] [--communities 150]
        [--tune-seed 1] [--held-out-seed 20261206] [--bench-python /work/bench-venv/bin/python]

Webs: the project's sample web (sampleweb/), and the layered web (benchmarks/layeredweb/)
generated twice: once from the seed used while building the crawler's layout table and
once from a held-out seed that was never looked at while tuning. Every crawl starts from
the web's directory pages only (3 seeds), concurrency 16, 2 per site, with ``latency``
added to every response; the bound is concurrency / latency responses per second.

Reported per web and crawler: sites reached (of those a polite crawler can reach within 3
site hops), main-feed recall, sub-community (board / category / place) feed recall,
per-post comment and per-topic feed recall (crawlers/ counts them without fetching them;
expected counts come from the item pages the web actually served it), precision of main and
section feeds, responses per second and share of the bound, CPU per response, peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.discovery_score import score_layered, score_sample  # noqa: E402

CONCURRENCY, PER_HOST, MAX_PAGES = 16, 2, 5000
#: Seconds per window of the slot-occupancy histogram.
WINDOW = 0.1


async def _ours(seeds: list[str], allow: str) -> dict:
    """Crawl with crawlers/ (one process); CPU counts the crawl only."""
    from crawlers.engine import Engine
    from crawlers.fetch import Fetcher
    from crawlers.settings import CrawlSettings

    settings = CrawlSettings(concurrency=CONCURRENCY, per_host=PER_HOST, allow_private=(allow,), max_pages=MAX_PAGES)
    records = []

    async def emit(record):
        records.append(record.to_json())

    loop = asyncio.get_running_loop()
    started, cpu_started = loop.time(), time.process_time()
    async with Fetcher(settings) as fetcher:
        fetcher.occupancy = []
        engine = Engine(settings, fetcher, None, emit)
        await engine.run(seeds)
        requests, slot_seconds = fetcher.requests, fetcher.slot_seconds
    ended = loop.time()
    return {"requests": requests, "seconds": ended - started, "cpu_seconds": time.process_time() - cpu_started,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "records": records,
            "progress": engine.counters().__dict__, "slot_seconds": slot_seconds,
            "occupancy": occupancy_windows(fetcher.occupancy, started, ended)}


def occupancy_windows(events: list[tuple[float, int]], start: float, end: float) -> list[float]:
    """Mean requests in flight in each WINDOW-second window from ``start`` to ``end``.

    ``events`` are (time, in flight after the change), in time order; in flight is 0 before the first.
    """
    count = max(1, int((end - start) / WINDOW + 0.999))
    held = [0.0] * count
    level, since = 0, start
    for when, after in [*events, (end, 0)]:
        when = min(max(when, start), end)
        while since < when:  # spread the level held from ``since`` to ``when`` over its windows
            index = min(int((since - start) / WINDOW), count - 1)
            upto = min(when, start + (index + 1) * WINDOW)
            held[index] += level * (upto - since)
            since = upto if upto > since else when
        level = after
    last = (end - start) - (count - 1) * WINDOW
    return [h / (WINDOW if i < count - 1 else max(last, 1e-9)) for i, h in enumerate(held)]


def _run_json(cmd: list[str], env: dict | None = None, timeout: float = 600) -> dict | None:
    try:
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=True,
                             env={**os.environ, **(env or {})}).stdout
        return json.loads(out.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError, OSError) as exc:
        sys.stderr.write(f"{cmd[1]} failed: {exc}\n")
        return None


class Web:
    """A web served by a child process that reads reset / report commands on stdin."""

    def __init__(self, cmd: list[str]) -> None:
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.seeds = self.proc.stdout.readline().split(":", 1)[1].split()
        self.allow = self.proc.stdout.readline().split(":", 1)[1].strip()

    def command(self, line: str) -> dict | None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline()) if line == "report" else None

    def crawl(self, cmd: list[str], env: dict | None = None) -> dict | None:
        self.command("reset")
        result = _run_json(cmd, env)
        report = self.command("report")
        if result is not None:
            result["served"] = report
        return result

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def _crawlers(web: Web, bench_python: str) -> dict[str, dict | None]:
    results = {"crawlers/": web.crawl([sys.executable, __file__, "--ours", *web.seeds, web.allow])}
    if os.path.exists(bench_python):
        env = {"SCRAPY_DEPTH_LIMIT": "8", "SCRAPY_PAGE_LIMIT": str(MAX_PAGES)}
        results["Scrapy"] = web.crawl([bench_python, "benchmarks/crawl_scrapy_spider.py", *web.seeds], env)
    return results


def _cell(row: dict, key: str, width: int) -> str:
    value = row.get(key)
    return f"{'—' if value is None else format(value, '.3f'):>{width}}"


def _print(title: str, rows: dict[str, dict], bound: float) -> None:
    print(f"\n{title}")
    print(f"{'crawler':<11}{'reached':>9}{'main rec':>9}{'sect rec':>9}{'comm rec':>9}{'topic rec':>10}"
          f"{'precision':>10}{'resp/s':>8}{'of bound':>9}{'CPU ms/r':>9}{'RSS MB':>7}")
    for name, row in rows.items():
        if row is None:
            print(f"{name:<11} failed")
            continue
        rate = row["requests"] / row["seconds"]
        print(f"{name:<11}{_cell(row, 'reached', 9)}{_cell(row, 'main', 9)}{_cell(row, 'sections', 9)}"
              f"{_cell(row, 'comments', 9)}{_cell(row, 'topics', 10)}{_cell(row, 'precision', 10)}"
              f"{rate:>8.1f}{rate / bound:>9.1%}"
              f"{row['cpu_seconds'] / max(row['requests'], 1) * 1000:>9.2f}{row['rss_mb']:>7.0f}")
        if row.get("notes"):
            print(f"{'':<11}{row['notes']}")
        if row.get("slot_seconds"):
            # rate / bound = (requests in flight / concurrency) x (latency / time per request)
            in_flight, per_request = row["slot_seconds"] / row["seconds"], row["slot_seconds"] / row["requests"]
            print(f"{'':<11}{row['requests']} requests in {row['seconds']:.1f} s; {in_flight:.1f} of {CONCURRENCY} "
                  f"in flight on average, {per_request * 1000:.1f} ms per request")
        if row.get("occupancy"):
            _print_occupancy(row["occupancy"])


def _print_occupancy(windows: list[float]) -> None:
    """Print where slots were idle: in flight per 100 ms window over time, and how many windows at each level."""
    digits = "0123456789abcdefg"  # g = 16
    line = "".join(digits[min(round(w), len(digits) - 1)] for w in windows)
    print(f"{'':<11}in flight per {WINDOW * 1000:.0f} ms window (hex, g = 16), in time order:")
    for at in range(0, len(line), 100):
        print(f"{'':<11}{at * WINDOW:>5.1f} s {line[at:at + 100]}")
    levels = [0] * (CONCURRENCY + 1)
    for w in windows:
        levels[min(round(w), CONCURRENCY)] += 1
    idle = sum(max(0.0, CONCURRENCY - w) for w in windows) * WINDOW
    print(f"{'':<11}windows by in flight: " + " ".join(f"{n}:{c}" for n, c in enumerate(levels) if c)
          + f"; idle slot-seconds {idle:.2f}, of which first 0.5 s {sum(CONCURRENCY - w for w in windows[:5]) * WINDOW:.2f}, "
          f"last 1 s {sum(max(0.0, CONCURRENCY - w) for w in windows[-10:]) * WINDOW:.2f}")


def _bench_web(label: str, cmd: list[str], args, truth_file: str | None) -> None:
    load = " ".join(f"{v:.1f}" for v in os.getloadavg())
    web = Web(cmd)
    try:
        results = _crawlers(web, args.bench_python)
    finally:
        web.stop()
    if truth_file:
        truth = json.loads(Path(truth_file).read_text())
        rows = {name: r and {**r, **score_layered(r, truth, name == "Scrapy")} for name, r in results.items()}
    else:
        rows = {name: r and {**r, **score_sample(r, web.allow, name == "Scrapy")} for name, r in results.items()}
    _print(f"{label}: {len(web.seeds)} directory seeds, latency {args.latency * 1000:.0f} ms; load average "
           f"before {load}, after {' '.join(f'{v:.1f}' for v in os.getloadavg())} on {os.cpu_count()} CPUs",
           rows, CONCURRENCY / args.latency)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--communities", type=int, default=150)
    parser.add_argument("--tune-seed", type=int, default=1)
    parser.add_argument("--held-out-seed", type=int, default=20261206)
    parser.add_argument("--bench-python", default="/work/bench-venv/bin/python")
    parser.add_argument("--only", choices=("sample", "tune", "held-out"), action="append")
    parser.add_argument("--ours", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ours:
        print(json.dumps(asyncio.run(_ours(args.ours[:-1], args.ours[-1]))))
        return 0
    only = set(args.only or ("sample", "tune", "held-out"))
    if "sample" in only:
        _bench_web("sample web (sampleweb/)", [sys.executable, "-m", "sampleweb", "--latency", str(args.latency),
                                               "--control"], args, None)
    with tempfile.TemporaryDirectory() as tmp:
        for label, seed in (("tune", args.tune_seed), ("held-out", args.held_out_seed)):
            if label not in only:
                continue
            truth = f"{tmp}/truth-{seed}.json"
            cmd = [sys.executable, "-m", "benchmarks.layeredweb.serve", "--seed", str(seed), "--latency",
                   str(args.latency), "--communities", str(args.communities), "--truth", truth]
            _bench_web(f"layered web, seed {seed} ({label}), {args.communities} communities", cmd, args, truth)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

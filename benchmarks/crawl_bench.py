"""Crawl benchmark: crawlers/ vs a Scrapy spider on the sample web, plus feed recall/precision.

    .venv/bin/python benchmarks/crawl_bench.py [--latency 0.05] [--bench-python /work/bench-venv/bin/python]

The sample web runs in its own process (so its threads do not share our GIL) with
``latency`` seconds added to every response. Each crawler runs in its own process, one
after the other, with concurrency 16 and at most 2 connections per site; the bound is
concurrency ÷ latency responses per second. Peak memory is each process's max RSS.
CPU per response is the crawler process's CPU time over the crawl divided by its
responses: unlike responses per second it hardly depends on how busy the machine is,
so the load average is printed beside it.
Politeness comes from the sample web's own log of each crawler's requests: robots.txt
first on every site, no request robots.txt disallows, at most 2 in flight on a site,
and Crawl-delay kept.
Feed recall/precision compare each site's main feed with the sample web's ground truth,
for crawlers/ and, when installed, feedsearch-crawler.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sampleweb.server import ground_truth, site_urls  # noqa: E402

CONCURRENCY, PER_HOST = 16, 2


async def _ours(seeds: list[str], allow: str) -> dict:
    """Crawl with crawlers/; CPU time counts the crawl only (imports and profile loading excluded)."""
    from crawlers.engine import Engine
    from crawlers.fetch import Fetcher
    from crawlers.locality import load_area_profile
    from crawlers.settings import CrawlSettings

    settings = CrawlSettings(concurrency=CONCURRENCY, per_host=PER_HOST, allow_private=(allow,))
    profile = load_area_profile(ROOT / "crawlers/areas/lewes.json")
    records = []

    async def emit(record):
        records.append(record)

    started, cpu_started = time.monotonic(), time.process_time()
    async with Fetcher(settings) as fetcher:
        engine = Engine(settings, fetcher, profile, emit)
        await engine.run(seeds)
        requests, slot_seconds = fetcher.requests, fetcher.slot_seconds
    seconds, cpu_seconds = time.monotonic() - started, time.process_time() - cpu_started
    return {"requests": requests, "pages": engine.pages_fetched, "seconds": seconds, "cpu_seconds": cpu_seconds,
            "slot_seconds": slot_seconds,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "main_feeds": {r.site: r.main_feed.url if r.main_feed else None for r in records},
            "all_feeds": {r.site: [f.url for f in r.feeds] for r in records}}


def _score(main_feeds: dict[str, str | None], truth) -> tuple[float, float]:
    expected = {site: t.main_feed for site, t in truth.items() if t.main_feed}
    hits = sum(1 for site, feed in expected.items() if main_feeds.get(site) == feed)
    reported = [(site, feed) for site, feed in main_feeds.items() if feed and site in truth]
    correct = sum(1 for site, feed in reported if feed in truth[site].feeds and feed not in truth[site].comments_feeds)
    return hits / len(expected), (correct / len(reported) if reported else 0.0)


def _start_web(latency: float) -> tuple[subprocess.Popen, list[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "sampleweb", "--latency", str(latency), "--control"], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    seeds = proc.stdout.readline().split(":", 1)[1].split()
    allow = proc.stdout.readline().split(":", 1)[1].strip()
    return proc, seeds, allow


def _control(web: subprocess.Popen, command: str) -> dict | None:
    web.stdin.write(command + "\n")
    web.stdin.flush()
    return json.loads(web.stdout.readline()) if command == "report" else None


def _crawl(web: subprocess.Popen, cmd: list[str]) -> dict | None:
    """Run one crawler process against a freshly reset sample web; add its politeness."""
    _control(web, "reset")
    result = _run_json(cmd)
    polite = _control(web, "report")
    if result is not None:
        result["polite"] = polite
    return result


def _politeness(name: str, p: dict) -> str:
    return (f"{name:<12} robots.txt first on {p['robots_first']}/{p['sites']} sites, {p['disallowed']} disallowed "
            f"requests, at most {p['peak_per_site']} in flight on a site, Crawl-delay kept on "
            f"{p['delay_kept']}/{p['delayed']} delayed sites")


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _run_json(cmd: list[str], timeout: float = 600) -> dict | None:
    try:
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=True).stdout
        return json.loads(out.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError, OSError) as exc:
        sys.stderr.write(f"{cmd[1]} failed: {exc}\n")
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--bench-python", default="/work/bench-venv/bin/python")
    parser.add_argument("--no-feedsearch", action="store_true", help="skip the feedsearch-crawler recall run")
    parser.add_argument("--ours", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ours:
        print(json.dumps(asyncio.run(_ours(args.ours[:-1], args.ours[-1]))))
        return 0
    load_before = _load()
    web, seeds, allow = _start_web(args.latency)
    try:
        first = int(allow.split(":")[1].split("-")[0])
        truth = ground_truth(site_urls("127.0.0.1", first))
        bound = CONCURRENCY / args.latency
        results = {"crawlers/": _crawl(web, [sys.executable, __file__, "--ours", *seeds, allow])}
        have_bench = os.path.exists(args.bench_python)
        if have_bench:
            results["Scrapy"] = _crawl(web, [args.bench_python, "benchmarks/crawl_scrapy_spider.py", *seeds])
        print(f"sample web: {len(truth)} sites, latency {args.latency * 1000:.0f} ms, concurrency {CONCURRENCY}, "
              f"{PER_HOST} per site; bound {bound:.0f} responses/s; load average {load_before} on {os.cpu_count()} CPUs")
        print(f"{'crawler':<12}{'requests':>9}{'pages':>7}{'seconds':>9}{'resp/s':>8}{'of bound':>10}"
              f"{'CPU ms/resp':>13}{'peak RSS':>10}{'main-feed recall':>18}{'precision':>11}")
        for name, r in results.items():
            if r is None:
                print(f"{name:<12} failed")
                continue
            rate = r["requests"] / r["seconds"]
            recall, precision = _score(r["main_feeds"], truth)
            cpu = r.get("cpu_seconds", float("nan")) / max(r["requests"], 1) * 1000
            print(f"{name:<12}{r['requests']:>9}{r['pages']:>7}{r['seconds']:>9.2f}{rate:>8.1f}"
                  f"{rate / bound:>10.1%}{cpu:>13.2f}{r['rss_mb']:>8.0f}MB{recall:>18.3f}{precision:>11.3f}")
        print("politeness, from the sample web's log of each crawler's requests:")
        for name, r in results.items():
            if r is not None:
                print(_politeness(name, r["polite"]))
        ours = results["crawlers/"]
        if ours is not None:
            # rate / bound = (requests in flight / concurrency) x (latency / time per request)
            in_flight = ours["slot_seconds"] / ours["seconds"]
            per_request = ours["slot_seconds"] / max(ours["requests"], 1)
            print(f"crawlers/: {in_flight:.1f} of {CONCURRENCY} requests in flight on average "
                  f"({in_flight / CONCURRENCY:.1%}), {per_request * 1000:.1f} ms per request at "
                  f"{args.latency * 1000:.0f} ms latency ({args.latency / per_request:.1%})")
        print(f"load average after the crawls: {_load()}")
        if have_bench and not args.no_feedsearch:
            homes = [base + "/" for base in truth]
            found = _run_json([args.bench_python, "benchmarks/crawl_feedsearch.py", *homes], timeout=900)
            if found is not None:
                recall, precision = _score(found, truth)
                print(f"{'feedsearch-crawler':<30} main-feed recall {recall:.3f}  precision {precision:.3f}")
    finally:
        web.terminate()
        web.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

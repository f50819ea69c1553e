"""Command line: ``python -m crawlers discover SEED... --jsonl`` and ``python -m crawlers inspect URL``.

stdout carries only data (one JSON object per site, most local first); progress, one
line per refused seed and the summary go to stderr. Exit status: 0 when every seed was
crawled, 3 when some seeds were refused (the crawl went on with the rest), 2 for bad
arguments, 1 when ``inspect`` could not reach the site.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from collections.abc import Callable

from crawlers.locality import LOCAL_THRESHOLD, ProfileError, load_area_profile
from crawlers.pipeline import CrawlProgress, CrawlSettings, inspect_site, run_discovery
from crawlers.seeds import refusal_before_fetch
from crawlers.settings import (
    DEFAULT_CONCURRENCY, DEFAULT_MAX_DEPTH, DEFAULT_MAX_PAGES, DEFAULT_MAX_SITE_HOPS, DEFAULT_PER_HOST, DEFAULT_TIMEOUT,
)

logger = logging.getLogger(__name__)

__all__ = ["main"]

#: Exit status of ``discover`` when some seeds were refused.
EXIT_SEEDS_REFUSED = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m crawlers",
                                     description="Find where an area's residents gather online.")
    commands = parser.add_subparsers(dest="command", required=True)
    discover = commands.add_parser("discover", help="crawl from seed pages; one JSON line per site")
    discover.add_argument("seeds", nargs="+", metavar="SEED_URL")
    inspect = commands.add_parser("inspect", help="look at one site: feeds, platform, activity, locality")
    inspect.add_argument("url", metavar="URL")
    for sub in (discover, inspect):
        sub.add_argument("--area-file", metavar="FILE", help="area profile JSON (see DESIGN.md)")
        sub.add_argument("--max-pages", type=int, default=DEFAULT_MAX_PAGES, metavar="N")
        sub.add_argument("--max-depth", type=int, default=DEFAULT_MAX_DEPTH, metavar="D",
                         help="links followed inside one site, from the page the crawl entered it by")
        sub.add_argument("--max-site-hops", type=int, default=DEFAULT_MAX_SITE_HOPS, metavar="H",
                         help="sites followed away from a seed's site (directory → community → …)")
        sub.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY, metavar="C")
        sub.add_argument("--per-host", type=int, default=DEFAULT_PER_HOST, metavar="P")
        sub.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S")
        sub.add_argument("--allow-private", action="append", default=[], metavar="HOST:PORT",
                         help="allow a non-public HOST:PORT or HOST:FIRST-LAST (repeatable)")
        sub.add_argument("--jsonl", action="store_true", help="one JSON object per line (the default)")
        sub.add_argument("--quiet", action="store_true", help="no progress display")
    return parser


def _left_out(progress: CrawlProgress) -> dict[str, int]:
    """Sites each limit left out (in whole or in part), as the summary names them."""
    return {"hops": progress.left_out_hops, "depth": progress.left_out_depth,
            "per_site_cap": progress.left_out_site_cap, "page_cap": progress.left_out_page_cap}


def _progress_writer(quiet: bool) -> Callable[[CrawlProgress], None]:
    told: set[str] = set()
    line_open = [False]  # a progress line is on screen without its newline

    def show(progress: CrawlProgress) -> None:
        for seed, _reason, message in progress.refused_seeds:
            if seed not in told:
                told.add(seed)
                sys.stderr.write(("\n" if line_open[0] else "") + f"seed refused: {message}\n")
                line_open[0] = False
        if quiet:
            return
        line_open[0] = True
        limits = " ".join(f"{name} {count}" for name, count in _left_out(progress).items() if count)
        sys.stderr.write(
            f"\rpages {progress.pages_fetched}/{progress.pages_planned}  sites {progress.sites_visited} visited"
            f"/{progress.sites_queued} queued  feeds {progress.feeds_found}  errors {progress.errors}  "
            f"{progress.rate:.1f} pages/s" + (f"  left out by {limits}" if limits else "") + " "
        )
        sys.stderr.flush()
    return show


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (2 for bad arguments)."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    try:
        profile = load_area_profile(args.area_file) if args.area_file else None
        settings = CrawlSettings(max_pages=args.max_pages, max_depth=args.max_depth,
                                 max_site_hops=args.max_site_hops, concurrency=args.concurrency,
                                 per_host=args.per_host, timeout=args.timeout,
                                 allow_private=tuple(args.allow_private))
        from crawlers.addresses import parse_allow_list
        parse_allow_list(settings.allow_private)
    except (ProfileError, ValueError) as exc:
        parser.error(str(exc))
    started = time.monotonic()
    if args.command == "inspect":
        if (refusal := refusal_before_fetch(args.url)) is not None:
            parser.error(refusal.message)
        record = asyncio.run(inspect_site(args.url, settings, profile))
        sys.stdout.write(record.to_jsonl() + "\n")
        return 0 if record.pages_fetched else 1
    last: list[CrawlProgress] = []
    show = _progress_writer(args.quiet)

    def progress(counters: CrawlProgress) -> None:
        last[:] = [counters]
        show(counters)

    records = run_discovery(args.seeds, settings, profile, progress)
    for record in records:
        sys.stdout.write(record.to_jsonl() + "\n")
    sys.stdout.flush()
    final = last[0] if last else CrawlProgress(0, 0, 0, 0, 0, 0.0)
    local = sum(1 for r in records if r.locality.score >= LOCAL_THRESHOLD)
    summary = {"sites": len(records), "local_sites": local,
               "feeds": sum(len(r.feeds) for r in records),
               "sections": sum(len(r.sections) for r in records),
               "pages_fetched": final.pages_fetched, "errors": final.errors,
               "sites_queued": final.sites_queued, "sites_visited": final.sites_visited,
               "sites_left_out": _left_out(final), "seeds_refused": len(final.refused_seeds),
               "seconds": round(time.monotonic() - started, 2)}
    sys.stderr.write(("\n" if not args.quiet else "") + "summary: " + json.dumps(summary) + "\n")
    return EXIT_SEEDS_REFUSED if final.refused_seeds else 0


if __name__ == "__main__":
    raise SystemExit(main())

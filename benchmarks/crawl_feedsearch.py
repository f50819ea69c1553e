"""feedsearch-crawler on each sample site's home page (run by crawl_bench.py in the bench venv).

Prints {site: best feed URL or null} as JSON; its top-scored feed counts as the main feed.
"""

import json
import sys

from feedsearch_crawler import search


def main():
    found = {}
    for home in sys.argv[1:]:
        feeds = search(home, try_urls=True, total_timeout=20, request_timeout=5, max_depth=2,
                       concurrency=4, user_agent="LocalReachBench-feedsearch")
        best = max(feeds, key=lambda f: f.score, default=None)
        found[home.rstrip("/")] = str(best.url) if best else None
    print(json.dumps(found))


if __name__ == "__main__":
    main()

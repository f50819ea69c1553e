"""Scrapy spider doing the same discovery as crawlers/ (run by crawl_bench.py in the bench venv).

Same limits: concurrency 16, 2 per site (download slot = host:port, since every sample
site shares the host 127.0.0.1), robots.txt obeyed, depth 3, feed candidates from
<link rel=alternate> and body links fetched, well-known paths guessed on sites whose
home page declares no feed. Prints one JSON object with its figures: ``main_feeds`` (the
first feed found per site) and ``all_feeds`` (every feed found per site).
The environment variables SCRAPY_DEPTH_LIMIT and SCRAPY_PAGE_LIMIT change the depth and
page limits (discovery_bench.py gives it the same page cap as crawlers/ and a depth that
reaches sites three hops from a directory).
"""

import json
import os
import re
import resource
import sys
import time
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess

GUESSES = ("/feed", "/rss", "/rss.xml", "/atom.xml", "/index.xml", "/feed.xml", "/feed/", "/?feed=rss2",
           "/feeds/posts/default", "/index.rss", "/feed.json")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
FEEDISH = re.compile(r"/(?:feed|rss|atom)(?:/|\.xml|\.rss|\.json)?$|\.(?:rss|atom)$|feed=rss|syndication|type=rss", re.I)


class DiscoverySpider(scrapy.Spider):
    name = "discovery"

    def __init__(self, seeds, **kwargs):
        super().__init__(**kwargs)
        self.seeds = seeds
        self.feeds = {}
        self.all_feeds = {}
        self.pages = 0
        self.seen_sites = set()

    def _request(self, url, callback, depth=0):
        slot = urlsplit(url).netloc
        return scrapy.Request(url, callback=callback, meta={"download_slot": slot, "depth_hint": depth},
                              errback=lambda failure: None)

    async def start(self):
        for seed in self.seeds:
            yield self._request(seed, self.parse)

    def parse(self, response):
        self.pages += 1
        if not hasattr(response, "xpath"):
            return
        site = "{0.scheme}://{0.netloc}".format(urlsplit(response.url))
        declared = False
        for link in response.xpath("//link[@rel='alternate']"):
            if link.attrib.get("type", "") in FEED_TYPES and link.attrib.get("href"):
                declared = True
                yield self._request(response.urljoin(link.attrib["href"]), self.parse_feed)
        for href in response.xpath("//a/@href").getall():
            url = response.urljoin(href)
            if not url.startswith("http"):
                continue
            if FEEDISH.search(url):
                yield self._request(url, self.parse_feed)
            target = "{0.scheme}://{0.netloc}".format(urlsplit(url))
            if target != site and target not in self.seen_sites:
                self.seen_sites.add(target)
                yield self._request(target + "/", self.parse)
            yield self._request(url, self.parse)
        if not declared and response.url.rstrip("/") == site:
            for path in GUESSES:
                yield self._request(site + path, self.parse_feed)

    def parse_feed(self, response):
        head = response.body[:500].lstrip()
        if head.startswith(b"{") and b"jsonfeed.org" in head or b"<rss" in head or b"<feed" in head:
            site = "{0.scheme}://{0.netloc}".format(urlsplit(response.url))
            self.feeds.setdefault(site, response.url)
            self.all_feeds.setdefault(site, []).append(response.url)


def main():
    seeds = sys.argv[1:]
    process = CrawlerProcess(settings={
        "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 2, "DOWNLOAD_DELAY": 0,
        "ROBOTSTXT_OBEY": True,
        "DEPTH_LIMIT": int(os.environ.get("SCRAPY_DEPTH_LIMIT", 3)),
        "CLOSESPIDER_PAGECOUNT": int(os.environ.get("SCRAPY_PAGE_LIMIT", 2000)), "LOG_LEVEL": "ERROR",
        "USER_AGENT": "LocalReachBench-Scrapy", "TELNETCONSOLE_ENABLED": False, "RETRY_ENABLED": True,
        "HTTPERROR_ALLOW_ALL": False, "REACTOR_THREADPOOL_MAXSIZE": 4,
    })
    crawler = process.create_crawler(DiscoverySpider)
    started, cpu_started = time.monotonic(), time.process_time()
    process.crawl(crawler, seeds=seeds)
    process.start()
    seconds, cpu_seconds = time.monotonic() - started, time.process_time() - cpu_started
    stats = crawler.stats.get_stats()
    spider = crawler.spider
    print(json.dumps({
        "requests": stats.get("downloader/request_count", 0), "pages": spider.pages, "seconds": seconds, "cpu_seconds": cpu_seconds,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "main_feeds": spider.feeds,
        "all_feeds": spider.all_feeds,
    }))


if __name__ == "__main__":
    main()

"""Crawl settings: one dataclass, every default a named constant with its source."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

__all__ = [
    "CrawlSettings",
    "DEFAULT_USER_AGENT",
]

#: Honest User-Agent naming the tool and where to read about it (RFC 9110 §10.1.5
#: asks for a product token; crawler etiquette asks for a contact URL).
DEFAULT_USER_AGENT = (
    "LocalReachBot/0.1 (+https://localreach.example/about-the-crawler; "
    "community discovery for neighbourhood policing)"
)
#: Pages per run: enough for a council directory plus a few dozen small sites.
DEFAULT_MAX_PAGES = 2000
#: Link depth inside one site, from the page the crawl entered it by: home (0) → sections (1)
#: → boards, categories, village pages (2) → their pages (3).
DEFAULT_MAX_DEPTH = 3
#: Sites between a seed's site and a site: directory (0) → community (1) → a community it
#: links (2) → one more (3). Issue 20 measured communities two and three hops from a directory.
DEFAULT_MAX_SITE_HOPS = 3
#: Pages fetched from one site before the crawler moves on (breadth over depth).
DEFAULT_MAX_PAGES_PER_SITE = 60
#: Global in-flight requests; the issue's benchmark figure (16).
DEFAULT_CONCURRENCY = 16
#: In-flight requests per site (host and port); 2 is the HTTP/1.1 RFC 2616 §8.1.4 habit.
DEFAULT_PER_HOST = 2
#: Connect / read timeout in seconds (httpx's default is 5 s; 10 s tolerates slow hosts).
DEFAULT_TIMEOUT = 10.0
#: Whole-response deadline in seconds: stops slow-drip servers that beat the read timeout.
DEFAULT_TOTAL_DEADLINE = 30.0
#: Body cap in bytes, before and after decompression: real pages and feeds are < 1 MiB.
DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024
#: Redirect hops (browsers allow ~20; sites rarely need more than 3).
DEFAULT_MAX_REDIRECTS = 5
#: Extra attempts after 429 / 503 / connection errors, with exponential backoff.
DEFAULT_RETRIES = 2
#: First backoff in seconds, doubled on each retry; a Retry-After header replaces it.
DEFAULT_BACKOFF = 0.5
#: Longest Retry-After / Crawl-delay honoured in seconds; longer ones skip the site.
DEFAULT_MAX_WAIT = 30.0
#: Minimum gap between two request starts on one site, unless robots.txt asks for more.
DEFAULT_PER_HOST_DELAY = 0.0
#: Well-known feed paths tried per site when no feed is declared (see discover.py).
DEFAULT_MAX_GUESSES = 12


@dataclass(frozen=True)
class CrawlSettings:
    """Limits and politeness for one crawl run.

    ``allow_private`` holds ``HOST:PORT`` or ``HOST:FIRST-LAST`` strings; only those
    non-public addresses may be contacted (the demo's sample web, tests).
    """

    max_pages: int = DEFAULT_MAX_PAGES
    max_depth: int = DEFAULT_MAX_DEPTH
    max_site_hops: int = DEFAULT_MAX_SITE_HOPS
    max_pages_per_site: int = DEFAULT_MAX_PAGES_PER_SITE
    concurrency: int = DEFAULT_CONCURRENCY
    per_host: int = DEFAULT_PER_HOST
    timeout: float = DEFAULT_TIMEOUT
    total_deadline: float = DEFAULT_TOTAL_DEADLINE
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    user_agent: str = DEFAULT_USER_AGENT
    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF
    max_wait: float = DEFAULT_MAX_WAIT
    per_host_delay: float = DEFAULT_PER_HOST_DELAY
    allow_private: tuple[str, ...] = field(default_factory=tuple)
    max_guesses: int = DEFAULT_MAX_GUESSES
    #: Sites (``scheme://host[:port]``) this run must not fetch: the caller's proportionality
    #: guard says they were crawled too recently. Links to them are not followed either.
    skip_sites: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        for name in ("max_pages", "concurrency", "per_host", "max_body_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        for name in ("timeout", "total_deadline"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if min(self.max_depth, self.max_site_hops, self.max_redirects, self.retries) < 0:
            raise ValueError("max_depth, max_site_hops, max_redirects and retries cannot be negative")
        object.__setattr__(self, "skip_sites", frozenset(self.skip_sites))
        if isinstance(self.allow_private, str):
            object.__setattr__(self, "allow_private", (self.allow_private,))
        else:
            object.__setattr__(self, "allow_private", tuple(self.allow_private))

"""Per-site politeness: robots.txt rules, Crawl-delay pacing and connection slots.

The fetcher keeps one :class:`SitePolicy` per site (scheme, host, port). It holds the
site's parsed robots.txt, the gap between request starts (the larger of the settings'
``per_host_delay`` and robots.txt ``Crawl-delay``, capped at ``max_wait``) and the
semaphore that keeps at most ``per_host`` requests in flight on the site. Nothing here
does network I/O: the fetcher fetches robots.txt and hands the result to
:meth:`SitePolicy.read_robots`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from protego import Protego

logger = logging.getLogger(__name__)

__all__ = ["ROBOTS_MAX_BYTES", "SitePolicy", "robots_url"]

#: The most of a robots.txt read (RFC 9309 asks crawlers to read at least 500 KiB). A larger
#: one is not read at all and its site is skipped: the fetcher does not keep a truncated body,
#: and obeying only part of the rules could mean crawling what the rest forbids.
ROBOTS_MAX_BYTES = 500 * 1024


def robots_url(scheme: str, netloc: str) -> str:
    """Return the robots.txt URL of a site.

    Args:
        scheme: "http" or "https".
        netloc: host, with ``:port`` when not the default.

    Returns:
        The absolute robots.txt URL.
    """
    return f"{scheme}://{netloc}/robots.txt"


@dataclass
class SitePolicy:
    """What one site allows, and when its next request may start."""

    slots: asyncio.Semaphore
    delay: float = 0.0
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    delay_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    robots: Protego | None = None
    robots_loaded: bool = False
    deny_all: bool = False
    next_start: float = 0.0

    def read_robots(self, status: int, body: bytes | None, error: str | None, user_agent: str,
                    max_wait: float, host: str = "") -> None:
        """Take in the outcome of fetching robots.txt (RFC 9309).

        Args:
            status: HTTP status (0 when no response arrived).
            body: the robots.txt bytes when the fetch succeeded with a 2xx, else None.
            error: the fetch error, if any.
            user_agent: this crawler's User-Agent (for group matching and Crawl-delay).
            max_wait: the longest Crawl-delay honoured.
            host: the site's host, for the log.
        """
        self.robots_loaded = True
        if body is not None:
            self.robots = Protego.parse(body.decode("utf-8", "replace"))
            delay = self.robots.crawl_delay(user_agent)
            if delay:
                self.delay = max(self.delay, min(float(delay), max_wait))
                # robots.txt was the site's first request; counted from its answer, since its
                # start was stamped before a connection was opened.
                self.next_start = max(self.next_start, time.monotonic() + self.delay)
        elif status >= 500 or (error and not status):
            # RFC 9309 §2.3.1.4: an unreachable robots.txt means "assume complete disallow".
            self.deny_all = True
            logger.info("robots.txt for %s unreachable (%s): site skipped", host, error)
        # 4xx (and a 3xx that led nowhere): robots.txt is "unavailable", so everything is allowed.

    def can_fetch(self, url: str, user_agent: str) -> bool:
        """Tell whether the loaded rules allow ``url`` (call after :meth:`read_robots`)."""
        if self.deny_all:
            return False
        return self.robots is None or self.robots.can_fetch(url, user_agent)

    def wait_time(self, now: float | None = None) -> float:
        """Seconds until the next request on this site may start (0 when it may start now)."""
        if not self.delay:
            return 0.0
        return max(0.0, self.next_start - (time.monotonic() if now is None else now))

    def started(self) -> None:
        """Note that a request on this site starts now: the next one waits the delay from here."""
        self.next_start = time.monotonic() + self.delay

    async def wait_turn(self) -> bool:
        """Sleep until this site's next request may start; return True if it had to wait.

        Called holding ``delay_lock`` and one of the site's slots, but no global slot, so a
        crawl-delayed site only ever delays itself.
        """
        wait = self.wait_time()
        if wait > 0:
            await asyncio.sleep(wait)
        return wait > 0

"""URL frontier: canonical URLs, dedupe, depth limits and per-site queues.

Each site (scheme, host, port) has its own queue so the scheduler can pick a site
that has a free connection slot; seeds and home pages first, then the busiest site. Links to other sites
make those sites candidates, and their home page is queued before the linked page.
"""

from __future__ import annotations

import logging
import posixpath
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

logger = logging.getLogger(__name__)

__all__ = ["Frontier", "QueuedPage", "canonicalise", "site_of", "TRACKING_PARAMS"]

#: Query parameters that only track clicks; dropped so one page has one URL.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "mc_cid", "mc_eid",
    "igshid", "_ga", "_gl", "ref_src", "spm", "zanpid", "_hsenc", "_hsmi", "mkt_tok",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")
DEFAULT_PORTS = {"http": 80, "https": 443}
#: Characters left as they are when escaping paths and queries (RFC 3986 reserved + "%").
SAFE_PATH = "/%:@!$&'()*+,;=-._~"
SAFE_QUERY = SAFE_PATH + "?"


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _clean_path(path: str) -> str:
    if not path:
        return "/"
    trailing = path.endswith("/") or path.endswith("/.") or path.endswith("/..")
    cleaned = posixpath.normpath(path)
    cleaned = "/" + cleaned.lstrip("/")
    if trailing and cleaned != "/":
        cleaned += "/"
    return cleaned


def canonicalise(url: str, base: str | None = None) -> str | None:
    """Return the canonical form of an http(s) URL, or None if it is not one.

    Lower-cases scheme and host, drops default ports, fragments, credentials and
    tracking parameters, resolves dot segments and sorts the query.

    Args:
        url: absolute or (with ``base``) relative URL text.
        base: the page the link was found on.

    Returns:
        The canonical URL, or None for other schemes and unparseable input.
    """
    try:
        url = url.strip()
        absolute = urljoin(base, url) if base else url
    except ValueError:
        return None
    return _canonical(absolute)


@lru_cache(maxsize=65536)
def _canonical(absolute: str) -> str | None:
    """Canonicalise an absolute URL (cached: menus repeat links and the frontier re-checks them)."""
    try:
        parts = urlsplit(absolute)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:
        return None
    if scheme not in DEFAULT_PORTS or not host or any(ch in host for ch in " \t\r\n\\@/?#[]"):
        return None
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    # Query pairs are kept byte for byte (servers such as SMF read ";" and encodings literally).
    query = sorted(quote(p, safe=SAFE_QUERY) for p in parts.query.split("&")
                   if p and not _is_tracking(p.split("=", 1)[0]))
    path = quote(_clean_path(parts.path), safe=SAFE_PATH)
    return urlunsplit((scheme, netloc, path, "&".join(query), ""))


def site_of(url: str) -> str:
    """Return the site (scheme://host[:port]) of a canonical URL.

    Args:
        url: a URL as returned by :func:`canonicalise`.

    Returns:
        The origin, without a trailing slash.
    """
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class QueuedPage:
    """A page waiting to be fetched."""

    url: str
    site: str
    depth: int
    found_via: str | None


@dataclass
class _SiteQueue:
    order: int
    found_via: str | None
    pages: deque = field(default_factory=deque)
    queued: int = 0


class Frontier:
    """Dedupe and order pages; remember every site seen and where it was found."""

    def __init__(self, max_pages: int, max_depth: int, max_pages_per_site: int) -> None:
        self.max_pages = max_pages
        self.max_depth = max_depth
        self.max_pages_per_site = max_pages_per_site
        self.seen: set[str] = set()
        self.sites: dict[str, _SiteQueue] = {}
        self.handed_out = 0

    def add(self, url: str, depth: int, found_via: str | None = None) -> bool:
        """Queue a URL unless seen, too deep, or its site is full.

        Args:
            url: absolute URL (canonicalised here).
            depth: link distance from a seed.
            found_via: the page where the link was found (None for seeds).

        Returns:
            True when the URL was queued.
        """
        canonical = canonicalise(url)
        if canonical is None or depth > self.max_depth:
            return False
        site = site_of(canonical)
        if site not in self.sites:
            self.sites[site] = _SiteQueue(order=len(self.sites), found_via=found_via)
            home = site + "/"
            if home != canonical:
                self._enqueue(home, site, depth)
        return self._enqueue(canonical, site, depth)

    def _enqueue(self, canonical: str, site: str, depth: int) -> bool:
        queue = self.sites[site]
        if canonical in self.seen or queue.queued >= self.max_pages_per_site:
            return False
        self.seen.add(canonical)
        queue.queued += 1
        queue.pages.append(QueuedPage(canonical, site, depth, queue.found_via))
        return True

    def claim(self, url: str) -> None:
        """Mark a URL as fetched by other means (a feed check), so no page job fetches it too."""
        canonical = canonicalise(url)
        if canonical is not None:
            self.seen.add(canonical)

    def pending(self) -> int:
        """Return how many pages are queued and may still be handed out."""
        waiting = sum(len(q.pages) for q in self.sites.values())
        return min(waiting, max(0, self.max_pages - self.handed_out))

    def next_page(self, busy: Callable[[str], bool], more_work: Callable[[str], int] | None = None,
                  paced: Callable[[str], bool] | None = None) -> QueuedPage | None:
        """Hand out the next page of a site that is not busy.

        Sites with a Crawl-delay go first: they take one request per delay, so their pages
        are the crawl's longest chain, and their jobs wait for their turn without a global
        slot. Then seeds and home pages (depth 0 and 1): they reveal the most new work.
        After them the site with the most work left goes first: each site gets at most
        ``per_host`` connections, so a big site started late is what makes a crawl's
        tail (longest job first). Within a site, pages leave in the order they were found.

        Args:
            busy: tells whether a site has no free connection slot.
            more_work: requests a site will need besides its queued pages (feed checks).
            paced: tells whether a site's requests are spaced by a Crawl-delay.

        Returns:
            The page, or None when nothing can be handed out now.
        """
        if self.handed_out >= self.max_pages:
            return None
        best: _SiteQueue | None = None
        best_key: tuple[bool, bool, int, int] | None = None
        for site, queue in self.sites.items():
            if not queue.pages or busy(site):
                continue
            work = len(queue.pages) + (more_work(site) if more_work else 0)
            key = (not (paced and paced(site)), queue.pages[0].depth > 1, -work, queue.order)
            if best_key is None or key < best_key:
                best, best_key = queue, key
        if best is None:
            return None
        self.handed_out += 1
        return best.pages.popleft()

"""URL frontier: canonical URLs, dedupe, depth limits and per-site queues.

Each site (scheme, host, port) has its own queue so the scheduler can pick a site
that has a free connection slot; seeds and home pages first, then sites nearer the seeds,
then the busiest site. Links to other sites
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

import httpx

from crawlers.addresses import URL_ERRORS
from crawlers.urlparts import split_url

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
#: Longest URL followed (the sitemaps protocol's limit; real community pages stay well below).
MAX_URL_CHARS = 2048


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
    tracking parameters, resolves dot segments and sorts the query. Hosts are folded
    as browsers fold them (full-width and circled digits, percent-escapes, and IPv4
    in octal, hex or short forms become a dotted quad), and the result is one that
    the fetcher's URL parser accepts: this is the crawler's one gate for URL syntax.

    Args:
        url: absolute or (with ``base``) relative URL text.
        base: the page the link was found on.

    Returns:
        The canonical URL, or None for other schemes, over-long and unparseable input.
    """
    try:
        url = url.strip()
        absolute = urljoin(base, url) if base else url
    except URL_ERRORS:
        return None
    if len(absolute) > MAX_URL_CHARS:
        return None
    return _canonical(absolute)


@lru_cache(maxsize=65536)
def _canonical(absolute: str) -> str | None:
    """Canonicalise an absolute URL (cached: menus repeat links and the frontier re-checks them)."""
    parts = split_url(absolute)
    if parts is None or parts.scheme not in DEFAULT_PORTS:
        return None
    scheme, host, port = parts.scheme, parts.host, parts.port
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    # Query pairs are kept byte for byte (servers such as SMF read ";" and encodings literally).
    query = sorted(quote(p, safe=SAFE_QUERY) for p in parts.query.split("&")
                   if p and not _is_tracking(p.split("=", 1)[0]))
    path = quote(_clean_path(parts.path), safe=SAFE_PATH)
    canonical = urlunsplit((scheme, netloc, path, "&".join(query), ""))
    try:  # what the fetcher cannot parse is not followed (an odd IDNA label, say)
        httpx.URL(canonical)
    except URL_ERRORS:
        return None
    return canonical if len(canonical) <= MAX_URL_CHARS else None


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
    """A page waiting to be fetched; ``depth`` counts links inside its site, ``hops`` sites from a seed."""

    url: str
    site: str
    depth: int
    found_via: str | None
    hops: int = 0


@dataclass
class _SiteQueue:
    order: int
    found_via: str | None
    hops: int = 0
    pages: deque[QueuedPage] = field(default_factory=deque)
    queued: int = 0


#: The limits that can leave a site (or some of its pages) out of a crawl, as the run page names them.
LIMITS = ("hops", "depth", "site_cap", "page_cap")
#: Sites remembered per limit for the counts (a hostile web could name millions).
MAX_LEFT_OUT = 100_000


class Frontier:
    """Dedupe and order pages; remember every site seen, where it was found, and what the limits left out.

    Two limits shape the crawl: ``max_site_hops`` counts sites between a seed's site and a
    site (directory 0 → community 1 → a community it links 2 …) and ``max_depth`` counts
    links inside one site from the page the crawl entered it by. ``left_out`` names the
    sites each limit kept out, entirely (hops) or in part (depth, per-site cap).
    """

    def __init__(self, max_pages: int, max_depth: int, max_pages_per_site: int, max_site_hops: int = 3) -> None:
        self.max_pages = max_pages
        self.max_depth = max_depth
        self.max_pages_per_site = max_pages_per_site
        self.max_site_hops = max_site_hops
        self.seen: set[str] = set()
        self.sites: dict[str, _SiteQueue] = {}
        self.handed_out = 0
        self.left_out: dict[str, set[str]] = {limit: set() for limit in ("hops", "depth", "site_cap")}

    def add(self, url: str, depth: int, found_via: str | None = None, hops: int = 0) -> bool:
        """Queue a URL unless seen, too deep, too many sites away, or its site is full.

        Args:
            url: absolute URL (canonicalised here).
            depth: links from the page the crawl entered this URL's site by (0 for that page).
            found_via: the page where the link was found (None for seeds).
            hops: sites between a seed's site and this URL's site (0 for seeds).

        Returns:
            True when the URL was queued.
        """
        canonical = canonicalise(url)
        if canonical is None:
            return False
        site = site_of(canonical)
        if site not in self.sites:
            if hops > self.max_site_hops:
                self._leave_out("hops", site)
                return False
            self.sites[site] = _SiteQueue(order=len(self.sites), found_via=found_via, hops=hops)
            home = site + "/"
            if home != canonical:
                self._enqueue(home, site, 0)
            depth = 0
        if depth > self.max_depth:
            if canonical not in self.seen:
                self._leave_out("depth", site)
            return False
        return self._enqueue(canonical, site, depth)

    def _leave_out(self, limit: str, site: str) -> None:
        if len(self.left_out[limit]) < MAX_LEFT_OUT:
            self.left_out[limit].add(site)

    def _enqueue(self, canonical: str, site: str, depth: int) -> bool:
        queue = self.sites[site]
        if canonical in self.seen:
            return False
        if queue.queued >= self.max_pages_per_site:
            self._leave_out("site_cap", site)
            return False
        self.seen.add(canonical)
        queue.queued += 1
        queue.pages.append(QueuedPage(canonical, site, depth, queue.found_via, queue.hops))
        return True

    def hops_of(self, site: str) -> int:
        """Return how many sites away from a seed's site ``site`` was first met (0 if unknown)."""
        queue = self.sites.get(site)
        return queue.hops if queue else 0

    def left_out_counts(self) -> dict[str, int]:
        """Count the sites each limit left out, in whole or in part (see :data:`LIMITS`).

        ``page_cap`` counts sites that still had pages queued when the run's page cap was reached.
        """
        counts = {limit: len(sites) for limit, sites in self.left_out.items()}
        capped = self.handed_out >= self.max_pages
        counts["page_cap"] = sum(1 for queue in self.sites.values() if queue.pages) if capped else 0
        return counts

    def adopt(self, url: str, found_via: str | None, hops: int) -> None:
        """Take a page fetched through a redirect as its own site's entry: known, never queued again."""
        canonical = canonicalise(url)
        if canonical is None:
            return
        site = site_of(canonical)
        if site not in self.sites:
            self.sites[site] = _SiteQueue(order=len(self.sites), found_via=found_via, hops=hops)
            if site + "/" != canonical:
                self._enqueue(site + "/", site, 0)
        self.seen.add(canonical)

    def claim(self, url: str) -> None:
        """Mark a URL as fetched by other means (a feed check), so no page job fetches it too."""
        canonical = canonicalise(url)
        if canonical is not None:
            self.seen.add(canonical)

    def has_pages(self, site: str) -> bool:
        """Tell whether ``site`` has pages queued that may still be handed out."""
        queue = self.sites.get(site)
        return bool(queue and queue.pages) and self.handed_out < self.max_pages

    def pending(self) -> int:
        """Return how many pages are queued and may still be handed out."""
        waiting = sum(len(q.pages) for q in self.sites.values())
        return min(waiting, max(0, self.max_pages - self.handed_out))

    def next_page(self, busy: Callable[[str], bool], more_work: Callable[[str], int] | None = None,
                  paced: Callable[[str], bool] | None = None) -> QueuedPage | None:
        """Hand out the next page of a site that is not busy.

        Sites with a Crawl-delay go first: they take one request per delay, so their pages
        are the crawl's longest chain, and their jobs wait for their turn without a global
        slot. Then the pages a site was entered by (seeds, home pages: depth 0): they reveal
        the most new work. Then sites fewer hops from a seed: their pages are where the
        sites further out are found (a directory's later listing pages, a community's links
        page), and a site found late is a chain of requests (robots.txt, home page, its
        sections) at the crawl's end; by most work alone, a directory with a few pages left
        waited behind big sites until the crawl's last second (issue 20's benchmark).
        Among sites as far out, the one with the most work left goes first: each site gets
        at most ``per_host`` connections, so a big site started late is what makes a crawl's
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
        best_key: tuple[bool, bool, int, int, int] | None = None
        for site, queue in self.sites.items():
            if not queue.pages or busy(site):
                continue
            work = len(queue.pages) + (more_work(site) if more_work else 0)
            key = (not (paced and paced(site)), queue.pages[0].depth > 0, queue.hops, -work, queue.order)
            if best_key is None or key < best_key:
                best, best_key = queue, key
        if best is None:
            return None
        self.handed_out += 1
        return best.pages.popleft()

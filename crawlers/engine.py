"""The crawl loop: schedule pages and feed checks, gather per-site facts, emit records.

One coroutine schedules jobs (pages from the frontier, feed candidates to validate)
onto ``concurrency`` + SPARE tasks, plus one per job waiting out a Crawl-delay (it holds
no global slot), never handing a site more than ``per_host`` jobs at once (one until its
robots.txt is read). Feed checks go before pages, except on a seed's own site, and the
frontier hands out the pages of sites nearer the seeds first (see
:meth:`Frontier.next_page`). Once a page of a site is read and every known feed candidate
failed, its well-known feed paths are queued. When a site has nothing left queued or
running its record is built, scored and emitted.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

from crawlers.addresses import URL_ERRORS

from crawlers.discover import extract_page, feed_guesses
from crawlers.feeds import parse_feed
from crawlers.fetch import Fetcher, FetchResult
from crawlers.frontier import Frontier, QueuedPage, canonicalise, site_of
from crawlers.locality import AreaProfile, score_locality
from crawlers.records import CrawlProgress, SiteRecord
from crawlers.sections import LIST, SECTION
from crawlers.seeds import RefusedSeed, refusal_after_fetch, refusal_before_fetch
from crawlers.settings import CrawlSettings
from crawlers.sites import SECTION_TEXT, SiteState

logger = logging.getLogger(__name__)

__all__ = ["Engine"]

#: Pages whose text feeds the locality score, and how much of each is kept meanwhile.
MAX_TEXT_PAGES = 8
MAX_TEXT_PER_PAGE = 20_000
#: Pages per site whose platform is fingerprinted: a site's pages share one platform.
FINGERPRINT_PAGES = 3
#: Feed candidates validated per site (declared + linked; guesses are capped in settings).
MAX_FEED_CANDIDATES = 12
PROGRESS_EVERY = 0.5
#: Jobs started beyond ``concurrency``: they wait on the fetcher's global semaphore (which is
#: what caps requests in flight), so a finished request's slot is refilled without a round
#: through the scheduling loop.
SPARE = 2
FEED_CONTENT = ("xml", "rss", "atom", "json")


class Engine:
    """Run one crawl; see :mod:`crawlers.pipeline` for the public entry points."""

    def __init__(self, settings: CrawlSettings, fetcher: Fetcher, profile: AreaProfile | None,
                 emit: Callable[[SiteRecord], Awaitable[None]],
                 progress: Callable[[CrawlProgress], None] | None = None,
                 should_cancel: Callable[[], bool] | None = None,
                 same_site_only: bool = False) -> None:
        self.settings, self.fetcher, self.profile = settings, fetcher, profile
        self.emit, self.progress, self.should_cancel = emit, progress, should_cancel
        self.same_site_only = same_site_only
        self.frontier = Frontier(settings.max_pages, settings.max_depth, settings.max_pages_per_site,
                                 settings.max_site_hops)
        self.sites: dict[str, SiteState] = {}
        self.closed: dict[str, tuple[str, str, str]] = {}
        self.pages_fetched = 0
        self.feeds_found = 0
        #: Sites met but left alone because settings.skip_sites lists them.
        self.skipped_sites: set[str] = set()
        #: Seeds that gave the crawl nothing, each once (seed text → why), and seed URL → seed texts.
        self.refused_seeds: dict[str, RefusedSeed] = {}
        self.seed_urls: dict[str, list[str]] = {}
        #: URLs dropped because parsing them raised (each contained to its own URL).
        self.url_errors = 0
        self.started = time.monotonic()
        self._last_progress = 0.0

    def _state(self, site: str, found_via: str | None) -> SiteState:
        if site not in self.sites:
            self.sites[site] = SiteState(site, found_via)
        return self.sites[site]

    async def run(self, seeds: list[str]) -> None:
        """Crawl from the seeds until the frontier is empty, a limit is hit, or cancelled."""
        for seed in seeds:
            self._add_seed(seed)
        self._running: set[asyncio.Task[None]] = set()
        running = self._running
        self._fetching = 0
        self._stopping = False
        # A job that starts waiting out a Crawl-delay frees its global slot: wake up and fill it.
        paced = asyncio.Event()
        self.fetcher.on_pace = paced.set
        waiter: asyncio.Task[bool] | None = None
        try:
            while True:
                if self.should_cancel and self.should_cancel():
                    logger.info("crawl cancelled")
                    break
                self._start_jobs()
                if not running:
                    await self._finish_idle_sites()
                    self._start_jobs()
                    if not running:
                        break
                if waiter is None or waiter.done():
                    paced.clear()
                    waiter = asyncio.create_task(paced.wait())
                done, _pending = await asyncio.wait({*running, waiter}, timeout=PROGRESS_EVERY,
                                                    return_when=asyncio.FIRST_COMPLETED)
                running -= done
                await self._finish_idle_sites()
                self._report()
        finally:
            self._stopping = True
            self.fetcher.on_pace = None
            for task in [*running, *([waiter] if waiter else [])]:
                task.cancel()
            await asyncio.gather(*running, *([waiter] if waiter else []), return_exceptions=True)
        await self._finish_all()
        self._report(force=True)
        logger.info("crawl finished in %.1f s: pages %d, sites %d, feeds %d, fetch errors %d, seeds refused %d",
                    time.monotonic() - self.started,
                    self.pages_fetched, len(self.sites), self.feeds_found, self.fetcher.errors,
                    len(self.refused_seeds))

    def _add_seed(self, seed: str) -> None:
        """Queue a seed, or note once why it cannot be crawled (the crawl goes on without it)."""
        refusal = refusal_before_fetch(seed)
        if refusal is not None:
            self._refuse_seed(refusal)
            return
        canonical = canonicalise(seed)
        if canonical is None:  # refusal_before_fetch lets through only what canonicalise reads
            logger.warning("seed %r has no canonical form; skipped", seed[:200])
            return
        self.seed_urls.setdefault(canonical, []).append(seed)
        if not self._skipped(site_of(canonical)) and self.frontier.add(canonical, 0, None, 0):
            self._state(site_of(canonical), None)

    def _refuse_seed(self, refusal: RefusedSeed) -> None:
        if refusal.seed not in self.refused_seeds:
            self.refused_seeds[refusal.seed] = refusal
            logger.info("seed %s", refusal.message)

    @contextmanager
    def _contained(self, url: str) -> Iterator[None]:
        """Confine a URL parsing error to the URL that raised it: the crawl goes on."""
        try:
            yield
        except URL_ERRORS as exc:
            self.url_errors += 1
            logger.warning("dropped %.200r: %s: %s", url, type(exc).__name__, exc)

    def _skipped(self, site: str) -> bool:
        if site in self.settings.skip_sites:
            self.skipped_sites.add(site)
            return True
        return False

    def _busy(self, site: str) -> bool:
        state = self.sites.get(site)
        return state is not None and state.inflight >= self._slots(state)

    def _paced(self, site: str) -> bool:
        state = self.sites.get(site)
        return state is not None and state.paced

    def _slots(self, state: SiteState) -> int:
        # Until robots.txt is read, a second job would only wait for it while holding a slot.
        return self.settings.per_host if state.robots_read else 1

    def _feed_work(self, site: str) -> int:
        """Feed checks a site still needs: its candidates, or every guess if it has none yet."""
        state = self.sites.get(site)
        if state is None or state.guessed or state.how:
            return len(state.pending_feeds) if state else 0
        return self.settings.max_guesses

    def _start_jobs(self) -> None:
        # Only jobs still fetching count; those waiting for a Crawl-delay turn hold no global slot.
        while self._fetching - self.fetcher.pacing < self.settings.concurrency + SPARE:
            job = self._next_feed_job() or self._next_page_job()
            if job is None:
                return
            self._fetching += 1
            self._running.add(asyncio.create_task(job))

    async def _refill(self) -> None:
        """A job's response is in: start the next jobs and let them send before this one parses.

        Responses come in bursts; parsing a burst first would leave its slots empty meanwhile.
        """
        if not self._stopping:
            self._start_jobs()
            await asyncio.sleep(0)

    def next_feed_site(self) -> SiteState | None:
        """Return the site whose feed candidate is checked next, if one may start now.

        Feed checks go before pages, so that a site's feeds overlap its pages instead of
        forming the crawl's tail, except on a seed's own site (hops 0) while it has pages
        queued: its pages are where every other site is found, and at the start nothing
        else can fill the slots (a directory used to check its dozen guessed feed paths
        before reading its second listing page). Holding back every site's feeds that way
        left a sample-web blog's guessed paths as a 0.4 s tail.
        """
        for state in self.sites.values():
            if not state.pending_feeds or state.inflight >= self._slots(state):
                continue
            if self.frontier.hops_of(state.site) == 0 and self.frontier.has_pages(state.site):
                continue
            return state
        return None

    def _next_feed_job(self) -> Coroutine[Any, Any, None] | None:
        state = self.next_feed_site()
        if state is None:
            return None
        url = state.pending_feeds.popleft()
        state.inflight += 1
        state.checking += 1
        return self._check_feed(state, url)

    def _next_page_job(self) -> Coroutine[Any, Any, None] | None:
        page = self.frontier.next_page(self._busy, self._feed_work, self._paced)
        if page is None:
            return None
        state = self._state(page.site, page.found_via)
        state.inflight += 1
        return self._crawl_page(state, page)

    async def _crawl_page(self, state: SiteState, page: QueuedPage) -> None:
        target = state
        with self._contained(page.url):
            try:
                try:
                    result = await self.fetcher.fetch(page.url)
                finally:
                    self._fetching -= 1
                await self._refill()
                if not state.robots_read:
                    state.robots_read = True
                    state.paced = self.fetcher.crawl_delay(state.site) > 0
                for seed in self.seed_urls.get(page.url, ()):
                    if (refusal := refusal_after_fetch(seed, result)) is not None:
                        self._refuse_seed(refusal)
                if (result.skipped and "robots" in result.skipped) or result.refused:
                    return
                self.pages_fetched += 1
                target, page = self._moved(state, page, result) if result.ok else (state, page)
                target.pages_fetched += 1
                if result.ok:
                    self._read_page(target, page, result)
            finally:
                state.inflight -= 1
            self._guess_if_no_feed(state)
            if target is not state:
                self._guess_if_no_feed(target)

    def _moved(self, state: SiteState, page: QueuedPage, result: FetchResult) -> tuple[SiteState, QueuedPage]:
        """Follow a site that moved: its entry page redirected to another site (http:// to https://,
        a bare name to www.). The page is read for the site it landed on, so one community gives
        one record, and the links there are no further site hop."""
        final = canonicalise(result.final_url) or page.url
        landed = site_of(final)
        if landed == state.site or page.depth or self.same_site_only or self._skipped(landed):
            return state, page
        self.frontier.adopt(final, page.found_via, page.hops)
        return self._state(landed, page.found_via), QueuedPage(final, landed, 0, page.found_via, page.hops)

    def _read_page(self, state: SiteState, page: QueuedPage, result: FetchResult) -> None:
        final = canonicalise(result.final_url) or page.url
        if any(word in result.content_type for word in FEED_CONTENT):
            # A link in a page body led to a feed: read it from this response, not a second request.
            if self._add_feed_candidate(state, final, "link-alternate", page.found_via or final, queue=False):
                self._take_feed(state, final, result)
            return
        facts = extract_page(result.body, final, fingerprint=state.platforms.total() < FINGERPRINT_PAGES,
                             keep_text=len(state.texts) < MAX_TEXT_PAGES)
        if not state.title or page.url == state.site + "/":
            state.title, state.description = facts.title or state.title, facts.description or state.description
        if facts.platform:
            state.platforms[facts.platform] += 1
        if len(state.texts) < MAX_TEXT_PAGES:
            state.texts.append((page.url, facts.text[:MAX_TEXT_PER_PAGE]))
        state.geo.extend((p.lat, p.lon, f"{p.source} on {page.url}") for p in facts.geo[:5])
        sections = [self._add_feed_candidate(state, link.url, link.how, page.url) == SECTION
                    for link in facts.feed_links]
        if any(sections):
            state.section_pages[page.url] = (facts.title, facts.text[:SECTION_TEXT])
        for closed in facts.closed:
            self.closed.setdefault(closed.url, (closed.platform, page.url, closed.label))
        # A page that redirected to another site (http:// to https://, a bare name to www.)
        # speaks for that site: its links there are no further hop.
        landed = site_of(final)
        for link in facts.links:
            site = site_of(link)
            if site == state.site:
                self.frontier.add(link, page.depth + 1, page.url, page.hops)
            elif self.same_site_only or self._skipped(site):
                continue
            elif self.frontier.add(link, page.depth + 1 if site == landed else 0, page.url,
                                   page.hops + (site != landed)):
                self._state(site, page.url)

    def _add_feed_candidate(self, state: SiteState, url: str, how: str, page: str, queue: bool = True) -> str | None:
        """Note a feed candidate (and queue its check); the frontier will not fetch it as a page.

        Returns the candidate's action ("list", "section"; "leave" for a per-post comments,
        per-topic or per-person feed, counted and never fetched), or None when not noted.
        """
        action = state.note_candidate(url, how, page, MAX_FEED_CANDIDATES, self.settings.max_guesses)
        if action is not None:
            self.frontier.claim(url)
        if queue and action in (LIST, SECTION):
            state.pending_feeds.append(url)
        return action

    async def _check_feed(self, state: SiteState, url: str) -> None:
        with self._contained(url):
            try:
                try:
                    result = await self.fetcher.fetch(url)
                finally:
                    self._fetching -= 1
                await self._refill()
                if result.ok:
                    self._take_feed(state, url, result)
            finally:
                state.inflight -= 1
                state.checking -= 1
            self._guess_if_no_feed(state)

    def _take_feed(self, state: SiteState, url: str, result: FetchResult) -> None:
        """Parse a fetched feed candidate and keep it if it is a feed not already known."""
        info = parse_feed(result.body, canonicalise(result.final_url) or url)
        if info is not None:
            self.feeds_found += state.take_feed(url, info)

    def _guess_if_no_feed(self, state: SiteState) -> None:
        """Queue well-known feed paths once a page is read and every known candidate failed.

        Not left until the site is finished, so the guesses overlap the crawl instead of
        forming its tail; a feed declared or linked on a later page still outranks them.
        """
        if (state.guessed or not state.pages_fetched or state.pending_feeds or state.checking
                or not self.settings.max_guesses or state.main_feed()):
            return
        state.guessed = True
        platform = state.platforms.most_common(1)[0][0] if state.platforms else None
        for url in feed_guesses(state.site, platform, self.settings.max_guesses):
            self._add_feed_candidate(state, url, "guess", state.site + "/")

    def _idle(self, state: SiteState) -> bool:
        queue = self.frontier.sites.get(state.site)
        queued = bool(queue and queue.pages) and self.frontier.handed_out < self.frontier.max_pages
        return not state.emitted and state.inflight == 0 and not state.pending_feeds and not queued

    async def _finish_idle_sites(self) -> None:
        for state in list(self.sites.values()):
            if not self._idle(state):
                continue
            self._guess_if_no_feed(state)
            if state.pending_feeds:
                continue
            await self._emit_site(state)

    async def _finish_all(self) -> None:
        for state in self.sites.values():
            if not state.emitted:
                await self._emit_site(state)
        for url, (platform, found_via, label) in self.closed.items():
            locality = score_locality(self.profile, [("title", label)])
            await self.emit(SiteRecord(site=url, title=label or f"{platform} community", platform=platform,
                                       locality=locality, found_via=found_via))

    async def _emit_site(self, state: SiteState) -> None:
        state.emitted = True
        await self.fetcher.close_site(state.site)
        if not state.pages_fetched and not state.feeds:
            return
        await self.emit(state.record(self.profile))

    def counters(self) -> CrawlProgress:
        """Return the live counters."""
        elapsed = max(time.monotonic() - self.started, 1e-6)
        left_out = self.frontier.left_out_counts()
        return CrawlProgress(
            pages_fetched=self.pages_fetched, pages_planned=self.pages_fetched + self.frontier.pending(),
            sites_found=sum(1 for s in self.sites.values() if s.pages_fetched or s.feeds) + len(self.closed),
            feeds_found=self.feeds_found,
            errors=self.fetcher.errors + self.url_errors, rate=round(self.pages_fetched / elapsed, 1),
            sites_skipped=len(self.skipped_sites), sites_queued=len(self.frontier.sites),
            sites_visited=sum(1 for state in self.sites.values() if state.pages_fetched),
            left_out_hops=left_out["hops"], left_out_depth=left_out["depth"],
            left_out_site_cap=left_out["site_cap"], left_out_page_cap=left_out["page_cap"],
            refused_seeds=tuple(refusal.as_tuple() for refusal in self.refused_seeds.values()),
        )

    def _report(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.progress and (force or now - self._last_progress >= PROGRESS_EVERY):
            self._last_progress = now
            self.progress(self.counters())

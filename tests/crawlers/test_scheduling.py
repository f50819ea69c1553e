"""Engine scheduling rules that decide which job takes a free slot (no network, no timing)."""

from __future__ import annotations

from crawlers.engine import Engine
from crawlers.settings import CrawlSettings


async def _emit(record):
    """Records are not looked at here."""


def _engine(**limits) -> Engine:
    # next_feed_site never touches the fetcher: scheduling is decided before any request.
    return Engine(CrawlSettings(**limits), fetcher=None, profile=None, emit=_emit)  # type: ignore[arg-type]


def _site_with_feeds(engine: Engine, site: str, feeds: int):
    state = engine._state(site, None)
    state.robots_read = True
    state.pending_feeds.extend(f"{site}/feed{n}" for n in range(feeds))
    return state


def test_a_seed_sites_pages_go_before_its_feed_checks():
    """Its pages are where the other sites are found; a feed check reveals nothing."""
    engine = _engine()
    engine.frontier.add("http://directory.example/list/2", 0)
    directory = _site_with_feeds(engine, "http://directory.example", 3)
    assert engine.next_feed_site() is None
    assert engine.frontier.next_page(lambda site: False).url == "http://directory.example/"
    assert engine.frontier.next_page(lambda site: False).url == "http://directory.example/list/2"
    assert engine.next_feed_site() is directory


def test_feed_checks_of_a_site_without_pages_go_while_other_sites_have_pages():
    engine = _engine()
    engine.frontier.add("http://busy.example/", 0)
    done = _site_with_feeds(engine, "http://done.example", 1)
    assert engine.next_feed_site() is done


def test_feed_checks_go_once_the_page_cap_is_reached():
    """Pages left queued past the run's page cap can never go, so they must not hold feeds back."""
    engine = _engine(max_pages=1)
    engine.frontier.add("http://a.example/", 0)
    engine.frontier.add("http://a.example/more", 1)
    state = _site_with_feeds(engine, "http://a.example", 1)
    engine.frontier.next_page(lambda site: False)
    assert engine.next_feed_site() is state


def test_a_feed_check_never_exceeds_the_sites_slots():
    engine = _engine(per_host=2)
    state = _site_with_feeds(engine, "http://a.example", 4)
    state.inflight = 2
    assert engine.next_feed_site() is None
    state.inflight = 1
    assert engine.next_feed_site() is state
    state.robots_read = False  # one job per site until its robots.txt is read
    assert engine.next_feed_site() is None


def test_feed_checks_of_a_site_further_out_overlap_its_pages():
    """Held back until its pages were done, a site's feed checks became the crawl's tail."""
    engine = _engine()
    engine.frontier.add("http://directory.example/", 0)
    engine.frontier.add("http://blog.example/posts/2", 0, hops=1)
    blog = _site_with_feeds(engine, "http://blog.example", 2)
    assert engine.frontier.has_pages("http://blog.example")
    assert engine.next_feed_site() is blog

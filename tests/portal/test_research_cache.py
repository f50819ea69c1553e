"""Research reports are kept for a few minutes: per page, suppression and resolved selection, in
the process or in Redis, as JSON; the page says when its figures were computed."""
from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from bs4 import BeautifulSoup

from portal.research import cache
from portal.research.cache import cache_key, cached_report, from_json, to_json
from portal.research.filters import Selection
from portal.research.pages import PAGES, build_report
from portal.research.report import Report, Table


class Builds:
    """A report builder that counts how often it ran."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return Report(tables=[Table("Counted", ["n"], [[str(self.calls)]])])


class Held:
    """A count in progress: says when it starts, then waits to be released before ``then()``."""

    def __init__(self, then):
        import threading

        self.started, self.release, self.then = threading.Event(), threading.Event(), then

    def __call__(self):
        self.started.set()
        self.release.wait(10)
        return self.then()


def _fails():
    raise RuntimeError("the database went away")


@pytest.fixture
def kept(app):
    app.config["RESEARCH_CACHE_SECONDS"] = 300
    app.extensions.pop("research_cache", None)
    return app


def test_a_report_is_built_once_while_it_is_kept(kept):
    build = Builds()
    with kept.test_request_context():
        first = cached_report("funnel", Selection(), True, build)
        again = cached_report("funnel", Selection(), True, build)
    assert build.calls == 1
    assert again.report == first.report
    assert again.computed_at == first.computed_at


@pytest.mark.parametrize("other", [
    ("trajectories", Selection(), True),
    ("funnel", Selection(), False),  # unsuppressed figures are never served to a researcher, nor the reverse
    ("funnel", Selection(area="b", area_id=2), True),
    ("funnel", Selection(scope_area_ids=frozenset({1})), True),  # a narrower scope never sees wider figures
    ("funnel", Selection(since=date(2026, 1, 1)), True),
    ("funnel", Selection(by="channel"), True),
])
def test_anything_that_changes_the_figures_changes_the_key(other):
    assert cache_key("funnel", Selection(), True) != cache_key(*other)
    assert cache_key("funnel", Selection(scope_area_ids=frozenset({2, 1})), True) == \
        cache_key("funnel", Selection(scope_area_ids=frozenset({1, 2})), True)


def test_kept_reports_expire_and_the_oldest_go_first(kept, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(cache, "_clock", lambda: clock[0])
    monkeypatch.setattr(cache, "LOCAL_ENTRIES", 3)
    build = Builds()
    with kept.test_request_context():
        cached_report("funnel", Selection(), True, build)
        clock[0] += 299
        cached_report("funnel", Selection(), True, build)
        assert build.calls == 1
        clock[0] += 2  # 301 s after it was computed
        cached_report("funnel", Selection(), True, build)
        assert build.calls == 2
        for slug in ("trajectories", "responses", "contacts"):  # three more: the funnel's entry is pushed out
            cached_report(slug, Selection(), True, build)
        cached_report("funnel", Selection(), True, build)
        assert build.calls == 6


def _in_thread(app, target) -> tuple:
    """Run target() in a thread inside a request context of app; return the thread and its result box."""
    import threading

    box = {}

    def run():
        with app.test_request_context():
            try:
                box["result"] = target()
            except Exception as error:  # noqa: BLE001 (the test reads it)
                box["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    return thread, box


def test_in_memory_one_thread_counts_while_the_others_wait_for_its_figures(kept):
    """Without Redis, the threads of one web process (gthread) share its kept reports: one counts."""

    slow_build, quick_build = Builds(), Builds()
    slow = Held(slow_build)
    counting, _ = _in_thread(kept, lambda: cached_report("activity", Selection(), True, slow))
    try:
        assert slow.started.wait(10)
        waiting, seen = _in_thread(kept, lambda: cached_report("activity", Selection(), True, quick_build))
        waiting.join(0.3)
        assert waiting.is_alive()  # waiting for the count, not counting
        slow.release.set()
        counting.join(10)
        waiting.join(10)
        assert quick_build.calls == 0
        assert slow_build.calls == 1
        assert seen["result"].report.tables[0].rows == [["1"]]
    finally:
        slow.release.set()


def test_in_memory_a_report_past_its_time_is_served_while_another_thread_recounts_it(kept, monkeypatch):

    clock = [1000.0]
    monkeypatch.setattr(cache, "_clock", lambda: clock[0])
    first, second = Builds(), Builds()
    slow = Held(second)
    with kept.test_request_context():
        made = cached_report("offline", Selection(), True, first)
        clock[0] += 301  # its time is up; it is kept as long again
        recounting, recounted = _in_thread(kept, lambda: cached_report("offline", Selection(), True, slow))
        try:
            assert slow.started.wait(10)
            assert cached_report("offline", Selection(), True, first) == made  # the old figures, at once
            assert first.calls == 1
        finally:
            slow.release.set()
            recounting.join(10)
        assert second.calls == 1
        assert cached_report("offline", Selection(), True, first) == recounted["result"]
        clock[0] += 601  # twice its time: gone, counted afresh
        cached_report("offline", Selection(), True, first)
        assert first.calls == 2


def test_in_memory_a_count_that_failed_does_not_leave_the_others_waiting(kept, monkeypatch):

    monkeypatch.setattr(cache, "WAIT_SECONDS", 60)
    failing = Held(_fails)
    build = Builds()
    failed, failure = _in_thread(kept, lambda: cached_report("funnel", Selection(), True, failing))
    assert failing.started.wait(10)
    waiting, seen = _in_thread(kept, lambda: cached_report("funnel", Selection(), True, build))
    failing.release.set()
    failed.join(10)
    waiting.join(10)  # well before WAIT_SECONDS: the failed count wakes it
    assert isinstance(failure["error"], RuntimeError)
    assert not waiting.is_alive()
    assert build.calls == 1
    assert seen["result"].report.tables


def test_zero_seconds_recounts_every_time(app):
    app.config["RESEARCH_CACHE_SECONDS"] = 0
    build = Builds()
    with app.test_request_context():
        cached_report("funnel", Selection(), True, build)
        cached_report("funnel", Selection(), True, build)
    assert build.calls == 2


@pytest.mark.parametrize("slug", sorted(PAGES))
def test_every_report_survives_json_unchanged(app, demo, slug):
    with app.test_request_context():
        report = build_report(slug, Selection(), True)
    assert report.charts or report.tables
    item = cache.CachedReport(report, cache._now())
    back = from_json(to_json(item))
    assert back == item
    assert [dataclasses.astuple(c) for c in back.report.charts] == [dataclasses.astuple(c) for c in report.charts]


def _contacts_figure(client) -> str:
    html = client.get("/research/contacts").get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    table = soup.select_one('[data-testid="data-table"]')
    return table.get_text(" ", strip=True), soup.select_one('[data-testid="computed-at"]').get_text(" ", strip=True)


def test_the_page_serves_kept_figures_says_so_and_the_csv_matches(kept, client, auth, demo, users):
    from portal.extensions import db
    from portal.models import Community, OutreachContact, utcnow

    auth.login("admin")
    before, note = _contacts_figure(client)
    assert "Figures computed at" in note
    assert "kept for 5 minutes" in note
    community = db.session.query(Community).first()
    for _ in range(7):
        db.session.add(OutreachContact(community_id=community.id, officer_id=users["officer"].id, channel="email",
                                       purpose="inform", occurred_at=utcnow()))
    db.session.commit()
    assert _contacts_figure(client)[0] == before  # kept: the new contacts are not counted yet
    csv_text = client.get("/research/contacts/tables/1.csv").get_data(as_text=True)
    kept.config["RESEARCH_CACHE_SECONDS"] = 0
    after, note = _contacts_figure(client)
    assert after != before  # recounted: they are
    assert "kept for" not in note
    assert csv_text != client.get("/research/contacts/tables/1.csv").get_data(as_text=True)


def test_reports_are_shared_through_redis_between_web_processes(app_config, redis_url):
    from redis import Redis

    from portal import create_app

    config = {**app_config, "RESEARCH_CACHE_SECONDS": 60, "REDIS_URL": redis_url}
    one, two = create_app(config), create_app(config)
    selection = Selection(area="shared-test", since=date(2001, 2, 3))
    key = cache_key("funnel", selection, True)
    connection = Redis.from_url(redis_url)
    connection.delete(key)
    build = Builds()
    try:
        with one.test_request_context():
            made = cached_report("funnel", selection, True, build)
        with two.test_request_context():
            seen = cached_report("funnel", selection, True, build)
        assert build.calls == 1
        assert seen == made
        assert 60 < connection.ttl(key) <= 120  # kept twice its time, to be served while it is recounted
        assert 0 < connection.ttl(key + cache.FRESH_SUFFIX) <= 60
        assert connection.get(key).startswith(b"{")  # JSON, not a pickle
    finally:
        connection.delete(key)


def test_a_broken_redis_costs_a_recount_not_the_page(app_config):
    from portal import create_app

    app = create_app({**app_config, "RESEARCH_CACHE_SECONDS": 60, "REDIS_URL": "redis://127.0.0.1:1/0"})
    build = Builds()
    with app.test_request_context():
        first = cached_report("funnel", Selection(), True, build)
        cached_report("funnel", Selection(), True, build)
    assert build.calls == 2
    assert first.report.tables


def test_with_redis_one_process_counts_while_the_others_wait_for_its_figures(app_config, redis_url):
    import threading

    from redis import Redis

    from portal import create_app

    config = {**app_config, "RESEARCH_CACHE_SECONDS": 60, "REDIS_URL": redis_url}
    counting, waiting = create_app(config), create_app(config)
    selection = Selection(area="stampede-test")
    key = cache_key("activity", selection, True)
    connection = Redis.from_url(redis_url)
    connection.delete(key, key + ":counting")
    slow_build, quick_build = Builds(), Builds()
    slow = Held(slow_build)

    def count():
        with counting.test_request_context():
            cached_report("activity", selection, True, slow)

    worker = threading.Thread(target=count)
    try:
        worker.start()
        assert slow.started.wait(10)
        assert connection.exists(key + ":counting")
        threading.Timer(0.3, slow.release.set).start()
        with waiting.test_request_context():
            seen = cached_report("activity", selection, True, quick_build)
        worker.join(10)
        assert quick_build.calls == 0
        assert slow_build.calls == 1
        assert seen.report.tables[0].rows == [["1"]]
        assert not connection.exists(key + ":counting")  # released
    finally:
        slow.release.set()
        connection.delete(key, key + ":counting")



def test_with_redis_a_report_past_its_time_is_served_while_another_process_recounts_it(
        app_config, redis_url, monkeypatch):
    from redis import Redis

    from portal import create_app

    def no_waiting(seconds):
        raise AssertionError("waited for the recount instead of serving the kept figures")

    app = create_app({**app_config, "RESEARCH_CACHE_SECONDS": 60, "REDIS_URL": redis_url})
    selection = Selection(area="stale-test")
    key = cache_key("offline", selection, True)
    connection = Redis.from_url(redis_url)
    connection.delete(key, key + ":counting", key + cache.FRESH_SUFFIX)
    first, second = Builds(), Builds()
    try:
        with app.test_request_context():
            made = cached_report("offline", selection, True, first)
            connection.delete(key + cache.FRESH_SUFFIX)  # its time is up
            connection.set(key + ":counting", "1", ex=30)  # and another process is recounting it
            monkeypatch.setattr(cache.time, "sleep", no_waiting)
            assert cached_report("offline", selection, True, second) == made  # the old figures, at once
            monkeypatch.undo()
            assert second.calls == 0
            connection.delete(key + ":counting")  # nobody is: this request recounts
            recounted = cached_report("offline", selection, True, second)
        assert second.calls == 1
        assert recounted.report.tables[0].rows == [["1"]]
        assert connection.exists(key + cache.FRESH_SUFFIX)
        assert not connection.exists(key + ":counting")
    finally:
        connection.delete(key, key + ":counting", key + cache.FRESH_SUFFIX)


def test_with_redis_a_count_that_died_does_not_leave_the_others_waiting(app_config, redis_url):
    from redis import Redis

    from portal import create_app

    app = create_app({**app_config, "RESEARCH_CACHE_SECONDS": 60, "REDIS_URL": redis_url})
    selection = Selection(area="abandoned-test")
    key = cache_key("funnel", selection, True)
    connection = Redis.from_url(redis_url)
    connection.set(key + ":counting", "1", ex=1)  # a process that took the lock and died
    connection.delete(key)
    build = Builds()
    try:
        with app.test_request_context():
            made = cached_report("funnel", selection, True, build)
        assert build.calls == 1
        assert made.report.tables
    finally:
        connection.delete(key, key + ":counting")

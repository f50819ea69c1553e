"""The fetcher at the edges a plain page does not reach: odd content types, a Location on a 200,
chunked bodies, Retry-After, timeouts, connection errors, Crawl-delay bookkeeping and the log lines
that name a skipped site (each case pins a line mutation testing showed unguarded; docs/MUTATION.md)."""
from __future__ import annotations

import asyncio
import builtins
import logging
import re

import aiohttp
import pytest

from crawlers.fetch import Fetcher
from crawlers.robots import ROBOTS_MAX_BYTES
from crawlers.settings import CrawlSettings


def _settings(hostile, **overrides) -> CrawlSettings:
    return CrawlSettings(**{"retries": 0, "timeout": 2.0, "allow_private": (hostile.allow,), **overrides})


def _run(settings: CrawlSettings, *urls: str, **kwargs: object) -> tuple[Fetcher, list]:
    async def go():
        async with Fetcher(settings) as fetcher:
            return fetcher, [await fetcher.fetch(url, **kwargs) for url in urls]
    return asyncio.run(go())


def test_a_response_without_a_content_type_is_read(hostile):
    _fetcher, [result] = _run(_settings(hostile), hostile.base + "/untyped")
    assert result.ok
    assert result.content_type == ""
    assert result.body == b"untyped"


def test_content_type_parameters_and_case_are_dropped(hostile):
    _fetcher, [result] = _run(_settings(hostile), hostile.base + "/charset")
    assert result.ok
    assert result.content_type == "text/html"


def test_a_location_header_on_a_200_is_not_followed(hostile):
    _fetcher, [result] = _run(_settings(hostile), hostile.base + "/located")
    assert result.ok
    assert result.body == b"here"
    assert result.redirects == []
    assert hostile.paths() == ["/robots.txt", "/located"]


def test_a_redirect_is_recorded_with_the_url_asked_for(hostile):
    url = hostile.base + "/redirect?to=/page"
    _fetcher, [result] = _run(_settings(hostile), url)
    assert result.ok
    assert result.url == url
    assert result.redirects == [url]
    assert result.final_url == hostile.base + "/page"


def test_an_unusable_redirect_location_is_refused_as_malformed(hostile):
    _fetcher, [result] = _run(_settings(hostile), hostile.base + "/redirect?to=http://a.example:" + "x" * 400 + "/")
    assert result.refused == "malformed"
    assert result.error.startswith("refused: unusable redirect location (Invalid port: 'xxx")
    assert len(result.error) == 300  # a hostile header's text, cut short


@pytest.mark.parametrize("host", ["a" * 64 + ".example", "a..b.example"])
def test_a_host_name_the_resolver_cannot_encode_is_unresolvable_not_a_crash(hostile, host):
    """getaddrinfo raises UnicodeError for these, and a link or a redirect can name them."""
    _fetcher, [direct] = _run(_settings(hostile), f"http://{host}/")
    assert direct.refused == "unresolvable"
    _fetcher, [redirected] = _run(_settings(hostile), hostile.base + f"/redirect?to=http://{host}/")
    assert redirected.refused == "unresolvable"
    assert redirected.redirects == [hostile.base + f"/redirect?to=http://{host}/"]


def test_a_chunked_body_is_joined_and_counted_over_all_its_chunks(hostile):
    _fetcher, [whole] = _run(_settings(hostile), hostile.base + "/chunked?n=4")
    assert whole.ok
    assert whole.body == b"a" * 1000 + b"b" * 1000 + b"c" * 1000 + b"d" * 1000
    _fetcher, [over] = _run(_settings(hostile, max_body_bytes=2500), hostile.base + "/chunked?n=4")
    assert over.too_large
    assert over.error == "body exceeds 2500 bytes"


def test_retry_after_is_waited_before_the_retry(hostile, waits):
    _fetcher, [result] = _run(_settings(hostile, retries=1), hostile.base + "/limited")
    assert result.error == "HTTP 429"
    assert waits == [3.0]
    assert hostile.paths() == ["/robots.txt", "/limited", "/limited"]


def test_a_connection_error_is_retried_after_the_backoff_and_named(hostile, waits):
    _fetcher, [result] = _run(_settings(hostile, retries=1, backoff=0.125), hostile.base + "/reset")
    assert waits == [0.125]  # one retry (aiohttp itself may resend once on a fresh connection too)
    named = re.match(r"connection error: (\w+): ", result.error)
    assert named is not None
    kind = getattr(aiohttp, named.group(1), None) or getattr(builtins, named.group(1), None)
    assert isinstance(kind, type)
    assert issubclass(kind, BaseException)


def test_a_read_timeout_is_named_as_such_not_as_the_deadline(hostile):
    _fetcher, [result] = _run(_settings(hostile, timeout=0.3, total_deadline=5.0), hostile.base + "/stall")
    assert re.fullmatch(r"timeout: \w*Timeout\w*", result.error), result.error


def test_the_wanted_types_are_the_callers(hostile):
    _fetcher, [result] = _run(_settings(hostile), hostile.base + "/page", wanted_types=frozenset({"application/rss+xml"}))
    assert result.skipped == "content type 'text/html' not wanted"
    assert result.body == b""


def test_every_failed_fetch_is_counted(hostile):
    fetcher, results = _run(_settings(hostile), hostile.base + "/reset", hostile.base + "/reset", hostile.base + "/page")
    assert [r.ok for r in results] == [False, False, True]
    assert fetcher.errors == 2


def test_validators_are_kept_for_the_next_conditional_request(hostile):
    _fetcher, [result] = _run(_settings(hostile), hostile.base + "/feed")
    assert result.etag == '"v1"'
    assert result.last_modified == "Mon, 02 Jun 2025 10:00:00 GMT"


def test_the_crawl_delay_of_a_site_that_cannot_be_parsed_is_none():
    async def go():
        async with Fetcher(CrawlSettings(per_host_delay=0.5)) as fetcher:
            return fetcher.crawl_delay("http://a.example:x"), fetcher.crawl_delay("http://a.example")

    assert asyncio.run(go()) == (0.0, 0.0)


def test_a_url_that_is_not_http_is_never_allowed(hostile):
    async def go():
        async with Fetcher(_settings(hostile)) as fetcher:
            return await fetcher.allowed("ftp://127.0.0.1/"), await fetcher.allowed(hostile.base + "/page")

    assert asyncio.run(go()) == (False, True)


def test_a_connection_to_an_address_not_vetted_in_this_run_is_refused(hostile):
    """The socket factory's own check, reached through fetch: its refusal is a result, not a crash."""
    async def go():
        async with Fetcher(_settings(hostile)) as fetcher:
            first = await fetcher.fetch(hostile.base + "/page")
            await fetcher.close_site(hostile.base)
            fetcher.connections._approved.clear()  # as if the address had never been vetted
            return first, await fetcher.fetch(hostile.base + "/feed")

    first, second = asyncio.run(go())
    assert first.ok
    assert second.refused == "private"
    assert second.error.startswith("refused: connection to unvetted address 127.0.0.1:")


def test_requests_waiting_for_a_crawl_delay_are_counted_while_they_wait(hostile):
    """The engine starts other work for each request waiting its turn: the count must be exact."""
    hostile.robots = "User-agent: *\nCrawl-delay: 0.5\n"
    seen: list[int] = []

    async def go():
        async with Fetcher(_settings(hostile, per_host=2)) as fetcher:
            fetcher.on_pace = lambda: seen.append(fetcher.pacing)
            results = await asyncio.gather(fetcher.fetch(hostile.base + "/page"), fetcher.fetch(hostile.base + "/feed"))
            return results, fetcher.pacing

    results, pacing_after = asyncio.run(go())
    assert [r.ok for r in results] == [True, True]
    assert seen == [1, 2]
    assert pacing_after == 0


def test_a_skipped_sites_log_line_names_it(hostile, caplog):
    hostile.robots = "# padding\n" * (ROBOTS_MAX_BYTES // 10 + 10)
    with caplog.at_level(logging.INFO, logger="crawlers.fetch"):
        _run(_settings(hostile, max_body_bytes=4 * ROBOTS_MAX_BYTES), hostile.base + "/page")
    assert [r.getMessage() for r in caplog.records if r.name == "crawlers.fetch"] == [
        f"robots.txt for 127.0.0.1 is over {ROBOTS_MAX_BYTES} bytes: site skipped"]


def test_an_unreachable_robots_txt_is_logged_with_the_sites_host(hostile, caplog):
    hostile.robots = None
    with caplog.at_level(logging.INFO, logger="crawlers.robots"):
        _fetcher, [result] = _run(_settings(hostile), hostile.base + "/page")
    assert result.skipped == "disallowed by robots.txt"
    assert [r.getMessage() for r in caplog.records if r.name == "crawlers.robots"] == [
        "robots.txt for 127.0.0.1 unreachable (HTTP 503): site skipped"]

"""Fetcher: limits, robots.txt, retries, redirects, conditional GET, against a hostile server."""

from __future__ import annotations

import asyncio
import logging
import dataclasses

import pytest

from crawlers.addresses import AddressRefused
from crawlers.fetch import Fetcher, check_url
from tests.conftest import plain_id


def fetch(settings, url, **kwargs):
    async def go():
        async with Fetcher(settings, **kwargs.pop("hooks", {})) as fetcher:
            return await fetcher.fetch(url, **kwargs)
    return asyncio.run(go())


def test_plain_page(hostile, tight):
    result = fetch(tight, hostile.base + "/page")
    assert result.ok
    assert b"<title>ok</title>" in result.body
    assert hostile.paths()[:2] == ["/robots.txt", "/page"]
    assert "LocalReachBot" in hostile.log[1][1]["user-agent"]


def test_robots_disallowed_url_is_never_requested(hostile, tight):
    result = fetch(tight, hostile.base + "/secret/x")
    assert result.skipped == "disallowed by robots.txt"
    assert hostile.paths() == ["/robots.txt"]


def test_robots_crawl_delay_spaces_requests(hostile, tight):
    hostile.robots = "User-agent: *\nCrawl-delay: 0.3\n"

    async def go():
        async with Fetcher(tight) as fetcher:
            start = asyncio.get_running_loop().time()
            await asyncio.gather(*(fetcher.fetch(f"{hostile.base}/p{i}") for i in range(3)))
            return asyncio.get_running_loop().time() - start
    assert asyncio.run(go()) >= 0.55


@pytest.mark.parametrize("path, expected", [
    ("/slow", "deadline"),
    ("/endless", "exceeds"),
    ("/bomb?c=gzip", "after decompression"),
    ("/bomb?c=deflate", "after decompression"),
    ("/bomb?c=br", "after decompression"),
    ("/bomb?c=zstd", "after decompression"),
    ("/loop", "too many redirects"),
    ("/reset", "connection error"),
    ("/huge-headers", "connection error"),
])
def test_hostile_responses_are_bounded(hostile, tight, path, expected):
    settings = dataclasses.replace(tight, max_body_bytes=50_000)
    result = fetch(settings, hostile.base + path)
    assert not result.ok
    assert expected in result.error


def test_loop_stops_at_the_redirect_cap(hostile, tight):
    fetch(tight, hostile.base + "/loop")
    assert sum(p.startswith("/loop") for p in hostile.paths()) == tight.max_redirects + 1


def test_gzip_body_is_decoded(hostile, tight):
    result = fetch(tight, hostile.base + "/gzipped")
    assert result.ok
    assert result.body.startswith(b"<?xml")


def test_unwanted_content_type_is_skipped_without_reading(hostile, tight):
    result = fetch(tight, hostile.base + "/image")
    assert result.skipped
    assert "image/png" in result.skipped
    assert result.body == b""


def test_retries_503_then_succeeds(hostile, tight):
    settings = dataclasses.replace(tight, retries=2)
    result = fetch(settings, hostile.base + "/busy")
    assert result.ok
    assert hostile.paths().count("/busy") == 3


def test_conditional_get_returns_304(hostile, tight):
    result = fetch(tight, hostile.base + "/feed", etag='"v1"')
    assert result.not_modified
    assert result.status == 304
    assert result.etag == '"v1"'
    assert hostile.log[-1][1]["if-none-match"] == '"v1"'


@pytest.mark.parametrize("target", [
    "http://127.0.0.1:{other}/", "http://localhost:{other}/", "http://10.0.0.1/", "http://169.254.169.254/",
    "http://[::1]:{port}/", "http://0x7f.1:{other}/", "http://2130706433:{other}/",
])
def test_redirect_from_allowed_host_to_private_is_refused(hostile, tight, target):
    other = int(hostile.allow.rsplit(":", 1)[1]) + 1
    url = target.format(other=other, port=other - 1)
    result = fetch(tight, f"{hostile.base}/redirect?to={url}")
    assert result.error
    assert result.error.startswith("refused")
    assert len(hostile.paths()) == 2  # robots.txt and the redirect; nothing else anywhere


def test_connect_time_guard_uses_the_vetted_address(hostile, tight):
    """A name that resolves to loopback at connect time is refused even if the URL looks public."""
    async def rebinding(host, port):
        return ["127.0.0.1"]

    settings = dataclasses.replace(tight, allow_private=())
    result = fetch(settings, f"http://community.example:{hostile.server_address[1]}/",
                   hooks={"resolver": rebinding})
    assert result.error.startswith("refused")
    assert hostile.log == []


def test_connection_layer_refuses_an_unvetted_ip_literal_even_without_precheck(hostile, tight):
    """A request sent on the pools directly, skipping the fetcher's pre-check, still cannot connect."""
    async def go():
        async with Fetcher(tight) as fetcher:  # the hostile server is allowed, but was never vetted
            with pytest.raises(AddressRefused, match="unvetted"):
                await fetcher.connections.send(check_url(hostile.base + "/page"), {})
    asyncio.run(go())
    assert hostile.log == []


def test_connection_layer_resolves_names_through_the_guard(hostile, tight):
    """A host name sent on the pools directly is resolved by the guard, which refuses loopback."""
    async def loopback(host, port):
        return ["127.0.0.1"]

    async def go():
        async with Fetcher(dataclasses.replace(tight, allow_private=()), resolver=loopback) as fetcher:
            with pytest.raises(AddressRefused, match="non-public"):
                await fetcher.connections.send(check_url(f"http://community.example:{hostile.server_address[1]}/page"), {})
    asyncio.run(go())
    assert hostile.log == []


def test_connection_layer_connects_only_to_the_address_vetted_first(hostile, tight):
    """DNS that changes its answer after the check (rebinding) does not move the connection."""
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])

    async def rebinding(host, port):
        return next(answers, ["10.0.0.2"])

    settings = dataclasses.replace(tight, allow_private=(f"community.example:{hostile.server_address[1]}",))
    result = fetch(settings, f"http://community.example:{hostile.server_address[1]}/page", hooks={"resolver": rebinding})
    assert result.ok, result.error
    assert hostile.paths() == ["/robots.txt", "/page"]


ODD_URLS = [
    "file:///etc/passwd", "ftp://example.org/", "http://user:pw@example.org/", "http://exa mple.org/",
    "http:\\\\127.0.0.1\\", "javascript:alert(1)", "",
]


@pytest.mark.parametrize("url", ODD_URLS, ids=[plain_id(i, url) for i, url in enumerate(ODD_URLS)])
def test_check_url_refuses_odd_urls(url):
    with pytest.raises(AddressRefused):
        check_url(url)


@pytest.mark.parametrize("target", ["http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/",
                                    "http://127.0.0.1:{other}/", "http://[::ffff:127.0.0.1]:{other}/"])
def test_a_crawl_through_a_redirect_into_the_private_network_stores_nothing_from_it(hostile, tight, target):
    """A whole crawl, not one fetch: only the allowed site's own pages count; the inward hop is refused."""
    from crawlers.pipeline import run_discovery

    other = int(hostile.allow.rsplit(":", 1)[1]) + 1
    inward = target.format(other=other)
    seed = f"{hostile.base}/redirect?to={inward}"
    progress = []
    records = run_discovery([seed], dataclasses.replace(tight, max_depth=2), None, progress=progress.append)
    assert {r.site for r in records} <= {hostile.base}
    for record in records:
        assert all(feed.url.startswith(hostile.base + "/") for feed in record.feeds)
        assert record.found_via is None or record.found_via.startswith(hostile.base)
    assert progress[-1].errors >= 1  # the refused hop
    assert sum(p.startswith("/redirect?") for p in hostile.paths()) == 1  # asked once, never followed


def test_occupancy_records_each_request_taking_and_leaving_a_slot(hostile, tight):
    """The benchmark's slot-occupancy figures come from these (time, in flight) pairs."""
    async def go():
        async with Fetcher(tight) as fetcher:
            fetcher.occupancy = []
            await asyncio.gather(fetcher.fetch(hostile.base + "/page"), fetcher.fetch(hostile.base + "/page?2"))
            return fetcher.occupancy, fetcher.in_flight, fetcher.slot_seconds

    occupancy, in_flight, slot_seconds = asyncio.run(go())
    assert in_flight == 0
    # slots held over time, summed, are the three requests' slot times summed
    held = sum(level * (later - at) for (at, level), (later, _next) in zip(occupancy, occupancy[1:], strict=False))
    assert slot_seconds == pytest.approx(held, rel=1e-9)
    levels = [level for _at, level in occupancy]
    assert len(levels) == 6  # robots.txt and two pages, each in and out
    assert levels[0] == 1
    assert levels[-1] == 0
    assert max(levels) <= 2
    assert [abs(b - a) for a, b in zip([0, *levels[:-1]], levels, strict=True)] == [1] * 6
    assert [at for at, _level in occupancy] == sorted(at for at, _level in occupancy)


def test_occupancy_is_off_unless_asked_for(hostile, tight):
    async def go():
        async with Fetcher(tight) as fetcher:
            await fetcher.fetch(hostile.base + "/page")
            return fetcher.occupancy, fetcher.in_flight

    assert asyncio.run(go()) == (None, 0)


def test_a_crawl_logs_each_failed_fetch_and_one_summary(hostile, tight, caplog):
    from crawlers.pipeline import run_discovery

    with caplog.at_level(logging.DEBUG, logger="crawlers"):
        run_discovery([hostile.base + "/loop"], tight)
    failed = [r for r in caplog.records if r.name == "crawlers.fetch"]
    assert [(r.levelname, r.getMessage()) for r in failed] == [
        ("DEBUG", f"fetch {hostile.base}/loop failed: too many redirects (more than {tight.max_redirects})")]
    [summary] = [r for r in caplog.records if r.getMessage().startswith("crawl finished")]
    assert summary.levelname == "INFO"
    assert summary.getMessage().endswith("fetch errors 1, seeds refused 1")  # the seed itself failed

"""Two guard paths that could be broken without a test failing (issue 20.5, issue 25.1).

- robots.txt is checked on every redirect hop, on the site the hop lands on, not only
  for the URL first asked for;
- an ``--allow-private`` rule written with a host name opens that name only, not every
  host that resolves to the same address on the same ports.
"""

from __future__ import annotations

import asyncio

import pytest

from crawlers.addresses import AddressRefused, parse_allow_list, vet_host
from crawlers.fetch import Fetcher
from crawlers.settings import CrawlSettings

from .conftest import HostileServer, serving


def _fetch(settings: CrawlSettings, url: str):
    async def go():
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url)
    return asyncio.run(go())


@pytest.fixture
def second():
    """Another loopback site (its own port), as the far end of a cross-site redirect."""
    with serving(HostileServer()) as server:
        yield server


def test_a_same_site_redirect_into_a_disallowed_path_is_not_followed(hostile, tight):
    result = _fetch(tight, hostile.base + "/redirect?to=/secret/x")
    assert result.skipped == "disallowed by robots.txt"
    assert "/secret/x" not in hostile.paths()
    assert hostile.paths().count("/robots.txt") == 1


def test_a_cross_site_redirect_reads_the_robots_txt_of_the_site_it_lands_on(hostile, second, tight):
    hostile.robots = "User-agent: *\nDisallow:\n"
    second.robots = "User-agent: *\nDisallow: /secret/\n"
    settings = CrawlSettings(**{**tight.__dict__, "allow_private": (hostile.allow, second.allow)})
    result = _fetch(settings, f"{hostile.base}/redirect?to={second.base}/secret/x")
    assert result.skipped == "disallowed by robots.txt"
    assert second.paths() == ["/robots.txt"], "the far site's robots.txt was read, and its rule kept"
    allowed = _fetch(settings, f"{hostile.base}/redirect?to={second.base}/open")
    assert allowed.ok
    assert "/open" in second.paths()


async def _everything_is_loopback(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


def _vet(url_host: str, port: int, rules) -> str:
    return asyncio.run(vet_host(url_host, port, rules, _everything_is_loopback))


def test_a_host_name_rule_opens_that_name_only():
    rules = parse_allow_list(["sampleweb.test:8000-8010"])
    assert _vet("sampleweb.test", 8005, rules) == "127.0.0.1"
    assert _vet("SampleWeb.Test.", 8010, rules) == "127.0.0.1"  # the same name, folded
    for host in ("evil.test", "sampleweb.test.evil.test", "localhost", "127.0.0.1", "2130706433", "[::1]"):
        with pytest.raises(AddressRefused):
            _vet(host, 8005, rules)
    with pytest.raises(AddressRefused):
        _vet("sampleweb.test", 8011, rules)

"""Bad seeds and bad links never end a crawl: each bad seed is reported once, the rest is crawled."""

from __future__ import annotations

import asyncio
import csv
import ipaddress
import json

import httpx
import pytest

import crawlers.engine
from crawlers.__main__ import main
from crawlers.frontier import MAX_URL_CHARS, canonicalise
from crawlers.pipeline import CrawlSettings, inspect_site, run_discovery
from crawlers.seeds import refusal_before_fetch

from .conftest import FIXTURES

#: Seeds that are not web addresses at all, with the reason each must get.
SYNTAX = [
    ("javascript:alert(1)", "not-http"), ("mailto:someone@example.org", "not-http"),
    ("ftp://example.org/", "not-http"), ("file:///etc/passwd", "not-http"), ("example.org/news", "not-http"),
    ("data:text/html,<b>x</b>", "not-http"), ("//example.org/", "not-http"), ("", "not-http"),
    ("http://" + "a" * MAX_URL_CHARS + ".example/", "too-long"),
    ("http://example.org/" + "p" * 5000, "too-long"),
    ("http://[::1", "malformed"), ("http://exa mple.org/", "malformed"), ("http://example.org:99999/", "malformed"),
    ("http://256.256.256.256/", "malformed"), ("http://[zz::1]/", "malformed"), ("http://", "malformed"),
    ("http://example.org:port/", "malformed"), ("https://ex\x00ample.org/", "malformed"),
]
#: Host spellings that mean a non-public address (IP literals need no DNS).
PRIVATE = [
    "http://127.000.000.001/", "http://0177.0.0.1/", "http://0x7f.1/", "http://2130706433/",
    "http://\uff11\uff12\uff17.\uff10.\uff10.\uff11/", "http://\u2460\u2461\u2466.0.0.1/", "http://127.1/",
    "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://10.0.0.1/", "http://192.168.1.1:8080/",
    "http://169.254.169.254/latest/meta-data/", "http://localhost/", "http://0/",
]


def _corpus() -> list[tuple[str, str, str]]:
    with open(FIXTURES / "ssrf_urls.tsv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(json.loads(r["url_json"]), r["expected_address"], r["class"]) for r in rows]


def _resolver(corpus):
    """DNS for the test: the corpus's names resolve to what it says; unknown names do not resolve."""
    answers = {}
    for url, expected, _kind in corpus:
        host = canonicalise(url)
        for word in expected.split():
            try:
                address = str(ipaddress.ip_address(word))
            except ValueError:
                continue
            if host:
                answers[httpx.URL(host).host] = address
            break

    async def resolve(host: str, port: int) -> list[str]:
        if host in answers:
            return [answers[host]]
        raise OSError(f"{host} does not resolve (test)")
    return resolve


@pytest.mark.parametrize("seed, reason", SYNTAX)
def test_seed_syntax_is_judged_before_any_request(seed, reason):
    refusal = refusal_before_fetch(seed)
    assert refusal is not None
    assert refusal.reason == reason
    assert len(refusal.message) < 400


@pytest.mark.parametrize("seed", ["http://example.org/", "https://Example.ORG:8443/x?y=1", "http://127.0.0.1:8000/"])
def test_web_addresses_pass_the_syntax_check(seed):
    assert refusal_before_fetch(seed) is None


def test_forty_and_more_bad_seeds_mixed_with_good_ones(hostile, tight):
    corpus = _corpus()
    bad = [seed for seed, _reason in SYNTAX] + PRIVATE + [url for url, _e, _k in corpus]
    bad += ["http://no-such-host.invalid/", "https://unknown.example/forum/"]
    good = [hostile.base + "/", hostile.base + "/feed"]
    seeds = bad[:30] + [good[0]] + bad[30:] + [good[1]]
    assert len(set(bad)) >= 40
    progress = []
    records = run_discovery(seeds, tight, None, progress=progress.append, resolver=_resolver(corpus))
    refused = {seed: (reason, message) for seed, reason, message in progress[-1].refused_seeds}
    bad = [seed[:MAX_URL_CHARS] for seed in bad]  # a report keeps at most that much of a seed
    assert set(refused) == set(bad), "every bad seed is reported, and only the bad ones"
    assert len(progress[-1].refused_seeds) == len(refused), "each bad seed is reported once"
    for seed, reason in SYNTAX:
        assert refused[seed[:MAX_URL_CHARS]][0] == reason, seed
    for seed in PRIVATE:
        assert refused[seed][0] == "private", seed
    assert refused["http://no-such-host.invalid/"][0] == "unresolvable"
    for url, _expected, kind in corpus:
        assert refused[url][0] in (("not-http",) if kind == "non-http scheme" else ("private", "malformed", "not-http", "unresolvable"))
    assert [r.site for r in records if r.pages_fetched] == [hostile.base], "the good seeds were crawled"
    assert any(f.url == hostile.base + "/feed" for f in records[0].feeds)


def test_the_command_line_reports_each_bad_seed_and_exits_3(hostile, capsys):
    seeds = ["http://127.000.000.001/", hostile.base + "/", "javascript:alert(1)", "http://0177.0.0.1/",
             "http://[::1", "http://127.000.000.001/"]
    status = main(["discover", *seeds, "--jsonl", "--quiet", "--allow-private", hostile.allow])
    out, err = capsys.readouterr()
    assert status == 3
    assert [json.loads(line)["site"] for line in out.splitlines()] == [hostile.base]
    lines = [line for line in err.splitlines() if line.startswith("seed refused:")]
    assert len(lines) == 4
    assert all(any(bad in line for line in lines) for bad in set(seeds) - {hostile.base + "/"})
    assert json.loads(err.split("summary: ", 1)[1])["seeds_refused"] == 4


def test_good_seeds_alone_exit_0(hostile, capsys):
    assert main(["discover", hostile.base + "/", "--jsonl", "--quiet", "--allow-private", hostile.allow]) == 0
    assert "seed refused" not in capsys.readouterr().err


BAD_LINKS = [
    "http://0177.0.0.1/", "http://127.000.000.001/x", "http://\uff11\uff12\uff17.0.0.1/", "http://\u2460\u2461\u2466.0.0.1/",
    "http://00000177.0.0.1/", "http://[::1", "http://exa mple.org/", "http://x:99999/", "http://256.1.1.1/",
    "http://" + "a" * 3000 + ".example/", "javascript:alert(1)", "http://a..b/", "http://xn--/", "http://\u2615.example/",
]


def test_bad_links_on_a_crawled_page_do_not_end_the_crawl(hostile, tight):
    hostile.page = ("<html><head><title>links</title>"
                    "<link rel=alternate type=application/rss+xml href='/feed'></head><body>"
                    + "".join(f"<a href='{link}'>x</a>" for link in BAD_LINKS) + "</body></html>")
    progress = []
    records = run_discovery([hostile.base + "/"], tight, None, progress=progress.append)
    home = next(r for r in records if r.site == hostile.base)
    assert home.main_feed is not None
    assert home.main_feed.url == hostile.base + "/feed"
    assert progress[-1].refused_seeds == ()


def test_a_url_error_anywhere_in_the_engine_is_contained_to_its_url(hostile, tight, monkeypatch):
    """Defence in depth: even a parsing error the URL gate missed spoils one page, not the run."""
    real = crawlers.engine.extract_page

    def extract(body, url, **kwargs):
        if url.endswith("/secret/x") or url.endswith("/"):
            raise httpx.InvalidURL(f"Invalid IPv4 address: {url!r}")
        return real(body, url, **kwargs)

    monkeypatch.setattr(crawlers.engine, "extract_page", extract)
    progress = []
    records = run_discovery([hostile.base + "/", hostile.base + "/other"], tight, None, progress=progress.append)
    assert [r.site for r in records] == [hostile.base]
    assert progress[-1].errors >= 1


def test_inspect_an_octal_address_is_refused_not_raised(tight):
    record = asyncio.run(inspect_site("http://0177.0.0.1/", tight))
    assert record.site == "http://127.0.0.1"
    assert record.pages_fetched == 0


def test_a_redirect_to_another_site_is_no_site_hop(hostile, tight):
    """http:// → https://, a bare name → www.: the site redirected to is the same community."""
    from .conftest import HostileServer, serving

    with serving(HostileServer()) as landed, serving(HostileServer()) as beyond:
        landed.page = f"<html><body><a href='/inner'>in</a> <a href='{beyond.base}/'>out</a></body></html>"
        settings = CrawlSettings(**{**tight.__dict__, "max_site_hops": 0,
                                    "allow_private": (hostile.allow, landed.allow, beyond.allow)})
        progress = []
        hostile.moved_to = landed.base
        records = run_discovery([hostile.base + "/"], settings, None, progress=progress.append)
        assert "/inner" in landed.paths(), "a page of the site redirected to is no further hop"
        assert beyond.paths() == []
        assert progress[-1].left_out_hops == 1
        assert [r.site for r in records] == [landed.base], "a site that moved gives one record, where it landed"
        assert landed.paths().count("/") == 1, "the page it landed on is not fetched again"
        assert records[0].pages_fetched == 2


@pytest.mark.parametrize("url", ["javascript:alert(1)", "http://[::1", "http://" + "a" * 3000 + ".example/"])
def test_inspect_on_the_command_line_explains_a_bad_address(url, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["inspect", url])
    assert exit_info.value.code == 2
    assert "error: '" in capsys.readouterr().err


def test_inspect_on_the_command_line_of_a_refused_address_exits_1(capsys):
    assert main(["inspect", "http://0177.0.0.1/"]) == 1
    assert json.loads(capsys.readouterr().out)["pages_fetched"] == 0

"""Address guard: private addresses in every spelling are refused; allow-private opens exact ports."""

from __future__ import annotations

import asyncio
import csv
import ipaddress
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawlers.addresses import AddressRefused, is_public_address, parse_allow_list, parse_ip_literal, vet_host
from crawlers.fetch import check_url
from tests.conftest import plain_id

from .conftest import FIXTURES


def _corpus() -> list[tuple[str, str, str]]:
    with open(FIXTURES / "ssrf_urls.tsv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(json.loads(r["url_json"]), r["expected_address"], r["class"]) for r in rows]


CORPUS = _corpus()


def _fake_dns(expected: str):
    """Resolve every name to the address the corpus says it means (as DNS would inside a cloud)."""
    async def resolve(host: str, port: int) -> list[str]:
        first = expected.split(" ")[0]
        try:
            return [str(ipaddress.ip_address(first))]
        except ValueError:
            return ["127.0.0.1"]
    return resolve


def refused(url: str, expected: str = "", rules=()) -> bool:
    try:
        parsed = check_url(url)
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        asyncio.run(vet_host(parsed.host, port, rules, _fake_dns(expected)))
    except AddressRefused:
        return True
    return False


def test_corpus_has_enough_forms():
    assert len(CORPUS) >= 190


@pytest.mark.parametrize("url, expected, kind", CORPUS, ids=[f"{i}-{row[2]}" for i, row in enumerate(CORPUS)])
def test_every_corpus_url_is_refused(url, expected, kind):
    assert refused(url, expected), f"{url!r} ({kind}) was let through"


ODD_SPELLINGS = [
    ("2130706433", "127.0.0.1"), ("0x7f.1", "127.0.0.1"), ("017700000001", "127.0.0.1"), ("127.1", "127.0.0.1"),
    ("0177.0.0.1", "127.0.0.1"), ("192.168.257", "192.168.1.1"), ("0x0a000001", "10.0.0.1"),
    ("169.16689662", "169.254.169.254"), ("[::ffff:127.0.0.1]", "::ffff:7f00:1"), ("１２７.０.０.１", "127.0.0.1"),
    ("127。0。0。1", "127.0.0.1"), ("%31%32%37%2e%30%2e%30%2e%31", "127.0.0.1"), ("0", "0.0.0.0"),
]


@pytest.mark.parametrize("host, address", ODD_SPELLINGS, ids=[plain_id(i, h) for i, (h, _) in enumerate(ODD_SPELLINGS)])
def test_odd_spellings_parse_to_the_real_address(host, address):
    assert parse_ip_literal(host) == ipaddress.ip_address(address)


@pytest.mark.parametrize("address", [
    "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    "fe80::1", "fc00::1", "ff02::1", "100.64.0.1", "198.18.0.1", "240.0.0.1", "255.255.255.255", "224.0.0.1",
    "192.0.2.1", "0.0.0.0", "::",
])
def test_special_ranges_are_not_public(address):
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "81.2.69.160", "2a00:1450:4009:81f::200e", "1.1.1.1"])
def test_public_addresses_pass(address):
    assert is_public_address(ipaddress.ip_address(address))


def test_public_name_passes():
    assert not refused("https://lewes-residents.example.org/page", "81.2.69.160")


def test_allow_private_opens_only_the_listed_ports():
    rules = parse_allow_list(["127.0.0.1:8000-8010", "localhost:9000"])
    assert not refused("http://127.0.0.1:8005/", rules=rules)
    assert not refused("http://localhost:9000/", rules=rules)
    assert refused("http://127.0.0.1:8011/", rules=rules)
    assert refused("http://127.0.0.1:22/", rules=rules)
    assert refused("http://10.0.0.1:8005/", rules=rules)
    assert not refused("http://2130706433:8001/", rules=rules)  # same address, same port: allowed


@pytest.mark.parametrize("entry", ["127.0.0.1", "127.0.0.1:x", "127.0.0.1:0", "127.0.0.1:9-3", ":80", "h:70000"])
def test_bad_allow_entries_are_explained(entry):
    with pytest.raises(ValueError, match="allow-private"):
        parse_allow_list([entry])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_guard_never_raises_unexpected_errors(host):
    try:
        asyncio.run(vet_host(host, 80, (), _fake_dns("127.0.0.1")))
    except AddressRefused:
        pass


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_check_url_never_raises_unexpected_errors(text):
    for candidate in (text, "http://" + text):
        try:
            check_url(candidate)
        except AddressRefused:
            pass

"""The address guard's small rules at their edges: allow-list entries, IPv4 spellings, resolver
answers (each case pins a line that mutation testing showed unguarded; docs/MUTATION.md)."""
from __future__ import annotations

import asyncio
import ipaddress

import pytest

from crawlers.addresses import (
    AddressRefused,
    AllowRule,
    canonical_ip,
    check_url,
    is_public_address,
    normalise_host,
    parse_allow_list,
    parse_ip_literal,
    vet_addresses,
    vet_host,
)


@pytest.mark.parametrize(("entry", "rule"), [
    ("127.0.0.1:8080", AllowRule("127.0.0.1", 8080, 8080)),
    ("[::1]:8080", AllowRule("::1", 8080, 8080)),           # IPv6 in brackets: the last colon splits
    ("[::1]:1-65535", AllowRule("::1", 1, 65535)),           # the whole port range is allowed
    ("localhost:1", AllowRule("localhost", 1, 1)),
    (" 10.0.0.1:80-81 ", AllowRule("10.0.0.1", 80, 81)),
])
def test_allow_list_entries_are_read(entry, rule):
    assert parse_allow_list([entry]) == (rule,)


@pytest.mark.parametrize(("entry", "message"), [
    ("127.0.0.1:0", "outside 1-65535"),
    ("127.0.0.1:65536", "outside 1-65535"),
    ("127.0.0.1:9-8", "outside 1-65535"),
    ("127.0.0.1:x", "bad port"),
    ("127.0.0.1", "must be HOST:PORT"),
    (":80", "must be HOST:PORT"),
])
def test_bad_allow_list_entries_are_refused(entry, message):
    with pytest.raises(ValueError, match=message):
        parse_allow_list([entry])


@pytest.mark.parametrize(("host", "address"), [
    ("0x", "0.0.0.0"),                  # 0x alone is zero (WHATWG)
    ("0X7f.1", "127.0.0.1"),            # upper-case prefix
    ("00", "0.0.0.0"),                  # octal zero
    ("08", None),                       # not octal, so not an IPv4 number: a name
    ("1.2.3.4.", "1.2.3.4"),            # one trailing dot is allowed
    ("255.255.255.255", "255.255.255.255"),
    ("1.2.3.255", "1.2.3.255"),
    ("1.2.255.4", "1.2.255.4"),
    ("1.16777215", "1.255.255.255"),    # the last part fills the bytes left
    ("4294967295", "255.255.255.255"),
    ("example.org", None),
])
def test_ipv4_spellings_at_their_edges(host, address):
    expected = ipaddress.ip_address(address) if address else None
    assert parse_ip_literal(host) == expected


@pytest.mark.parametrize("host", ["1.2.3.256", "1.2.256.4", "256.1.1.1", "1.16777216", "4294967296", "1.2.65536"])
def test_out_of_range_ipv4_numbers_are_refused(host):
    with pytest.raises(AddressRefused, match="out-of-range IPv4 number") as refused:
        parse_ip_literal(host)
    assert repr(host) in str(refused.value)


def test_a_zone_suffix_is_dropped_and_only_the_first_percent_splits():
    assert canonical_ip("fe80::1%eth0") == ipaddress.ip_address("fe80::1")
    assert canonical_ip("fe80::1%eth0%x") == ipaddress.ip_address("fe80::1")


def test_no_answer_is_unresolvable_and_only_private_answers_are_refused_by_name():
    with pytest.raises(AddressRefused) as nothing:
        vet_addresses("a.example", 80, [], ())
    assert nothing.value.reason == "unresolvable"
    assert str(nothing.value) == "a.example:80 resolves to nothing"
    with pytest.raises(AddressRefused) as private:
        vet_addresses("a.example", 80, ["10.0.0.1", "127.0.0.1"], ())
    assert private.value.reason == "private"
    assert str(private.value) == "a.example:80 resolves to non-public 10.0.0.1, 127.0.0.1"
    assert vet_addresses("a.example", 80, ["10.0.0.1", "93.184.216.34"], ()) == "93.184.216.34"


# --- check_url: the refusal's message names the URL (its first 80 characters), ports at their edges

@pytest.mark.parametrize(("url", "message"), [
    ("http://a.example/x y", "contains whitespace, controls or backslashes"),
    ("http://a.example:1x/", "cannot be parsed"),
    ("ftp://a.example/", r"is not an http\(s\) URL with a host"),
    ("http://user:pw@a.example/", "carries credentials"),
    ("http://a.example:0/", "has a bad port"),
    ("http://a.example:65536/", "has a bad port"),
])
def test_check_url_says_why_and_names_the_url(url, message):
    with pytest.raises(AddressRefused, match=message) as refused:
        check_url(url)
    assert str(refused.value).startswith(f"URL {url!r}")
    assert refused.value.reason == "malformed"


@pytest.mark.parametrize("url", [
    "http://a.example/" + "p" * 62 + "Q" + "x y",                    # whitespace
    "http://a.example/" + "p" * 62 + "Q" + "r" * 20 + "\x00",        # a control character
    "ftp://a.example/" + "p" * 63 + "Q" + "r" * 20,                  # another scheme
    "http://u:p@a.example/" + "p" * 58 + "Q" + "r" * 20,             # credentials
    "http://a.example:0/" + "p" * 60 + "Q" + "r" * 20,               # port 0
    "http://a.example:1x/" + "p" * 59 + "Q" + "r" * 20,              # unparseable
])
def test_check_url_names_only_the_first_80_characters(url):
    """A hostile URL can be megabytes long: the message (and every log line built on it) keeps 80."""
    with pytest.raises(AddressRefused) as refused:
        check_url(url)
    assert url[79] == "Q"
    assert repr(url[:80]) in str(refused.value)


def test_check_url_accepts_the_ports_at_both_ends_of_the_range():
    assert check_url("http://a.example:1/").port == 1
    assert check_url("http://a.example:65535/").port == 65535


# --- vet_host: malformed hosts, local names and the resolver's answers, with their reasons

def _resolver(answer, calls=None):
    async def resolve(host, port):
        if calls is not None:
            calls.append((host, port))
        if isinstance(answer, Exception):
            raise answer
        return answer
    return resolve


def _vet(host, port=80, rules=(), answer=("93.184.216.34",), calls=None):
    return asyncio.run(vet_host(host, port, rules, _resolver(list(answer) if isinstance(answer, tuple) else answer,
                                                             calls)))


@pytest.mark.parametrize("host", ["", "a b.example", "a/b.example", "a@b.example", "a%20b.example", "a\\b.example"])
def test_a_malformed_host_is_refused_before_any_lookup(host):
    calls = []
    with pytest.raises(AddressRefused, match="is malformed") as refused:
        _vet(host, calls=calls)
    assert refused.value.reason == "malformed"
    assert repr(host) in str(refused.value)
    assert calls == []


def test_an_ipv6_literal_with_a_zone_is_judged_as_an_address_not_as_malformed():
    with pytest.raises(AddressRefused) as refused:
        _vet("fe80::1%eth0")
    assert refused.value.reason == "private"


def test_an_ip_literal_is_named_in_the_refusal_and_never_looked_up():
    calls = []
    with pytest.raises(AddressRefused) as refused:
        _vet("10.1.2.3", 8080, calls=calls)
    assert str(refused.value) == "10.1.2.3:8080 resolves to non-public 10.1.2.3"
    assert calls == []


@pytest.mark.parametrize("host", ["localhost", "ip6-localhost", "shop.localhost", "a.b.localhost"])
def test_local_names_mean_this_machine_without_asking_the_resolver(host):
    """A resolver could answer a public address for them; the guard must not ask it."""
    calls = []
    with pytest.raises(AddressRefused) as refused:
        _vet(host, calls=calls)
    assert refused.value.reason == "private"
    assert calls == []
    rule = parse_allow_list([f"{host}:80"])
    assert _vet(host, rules=rule, calls=calls) == "127.0.0.1"
    assert calls == []


def test_the_resolver_is_asked_for_the_folded_name_and_the_port():
    calls = []
    assert _vet("WWW.Example.ORG.", 8443, calls=calls) == "93.184.216.34"
    assert calls == [("www.example.org", 8443)]


def test_a_name_that_does_not_resolve_is_unresolvable_and_named():
    with pytest.raises(AddressRefused) as refused:
        _vet("gone.example", answer=OSError("no such host"))
    assert refused.value.reason == "unresolvable"
    assert str(refused.value) == "host 'gone.example' does not resolve: no such host"


# --- IP literals: zones, odd digits, too many parts, embedded IPv4

def test_an_ipv6_zone_is_dropped_from_the_first_percent_on():
    address = parse_ip_literal("[fe80::1%25eth0%25x]")
    assert address == ipaddress.ip_address("fe80::1")
    assert address.scope_id is None
    with pytest.raises(AddressRefused, match="is not a valid IPv6 address") as refused:
        parse_ip_literal("[fe80::1::2]")
    assert "'fe80::1::2'" in str(refused.value)


@pytest.mark.parametrize("host", ["", "1_0.0.0.1", "+1.2.3.4", "1.2.3.4.5", "0x1.0x2.0x3.0x4.0x5"])
def test_what_is_not_an_ipv4_number_is_a_name(host):
    """int() reads "1_0" and "+1"; WHATWG does not, so these are names (and looked up as such)."""
    assert parse_ip_literal(host) is None


@pytest.mark.parametrize(("rule", "address", "allowed"), [
    ("127.0.0.1", "::127.0.0.1", True),        # IPv4-compatible IPv6 is the IPv4 address
    ("0.0.0.2", "::2", True),
    ("0.0.0.1", "::1", False),                 # ::1 is IPv6 loopback, not 0.0.0.1
    ("10.0.0.1", "64:ff9b::a00:1", True),      # NAT64 carries the IPv4 address
    ("10.0.0.1", "::ffff:10.0.0.1", True),
])
def test_an_allow_rule_sees_the_ipv4_address_inside_an_ipv6_one(rule, address, allowed):
    assert AllowRule(rule, 80, 80).matches("x.example", ipaddress.ip_address(address), 80) is allowed


def test_no_address_behind_nat64_is_public():
    """The crawler contacts IPv4 hosts directly: a NAT64 spelling of one is refused outright."""
    assert not is_public_address(ipaddress.ip_address("64:ff9b::a00:1"))       # 10.0.0.1
    assert not is_public_address(ipaddress.ip_address("64:ff9b::5db8:d822"))   # 93.184.216.34


@pytest.mark.parametrize(("host", "folded"), [
    (".", "."),                  # a lone dot stays (and is refused later as a name that does not resolve)
    ("a]", "a]"),                # brackets come off only as a pair
    ("[a", "[a"),
    ("[::1]", "::1"),
    ("Example.ORG..", "example.org"),
])
def test_host_folding_edges(host, folded):
    assert normalise_host(host) == folded


def test_an_allow_rule_host_keeps_its_letters_whatever_their_case():
    assert parse_allow_list(["XBOX.example:80"]) == (AllowRule("xbox.example", 80, 80),)


def test_a_name_the_resolver_cannot_encode_is_unresolvable():
    with pytest.raises(AddressRefused) as refused:
        _vet("a" * 64 + ".example", answer=UnicodeError("label too long"))
    assert refused.value.reason == "unresolvable"

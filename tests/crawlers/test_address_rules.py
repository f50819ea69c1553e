"""The address guard's small rules at their edges: allow-list entries, IPv4 spellings, resolver
answers (each case pins a line that mutation testing showed unguarded; docs/MUTATION.md)."""
from __future__ import annotations

import ipaddress

import pytest

from crawlers.addresses import AddressRefused, AllowRule, canonical_ip, parse_allow_list, parse_ip_literal, vet_addresses


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

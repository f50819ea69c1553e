"""The crawler's canonical URL and the portal's community key, side by side (crawlers/urlparts.py).

Both read the host through one fold, so a host a browser reaches is one host for both; the rest
differs on purpose (the crawler fetches pages, the key names communities). Each row pins both.
"""
from __future__ import annotations

import pytest

from crawlers.frontier import canonicalise
from crawlers.urlparts import split_url
from portal.urlkeys import url_key

# (URL, canonicalise, url_key)
TABLE = [
    # The purposes differ: the key drops www./m., path case, the query, the scheme and a trailing slash.
    ("https://WWW.Example.org/Groups/abc/?ref=share#top", "https://www.example.org/Groups/abc/?ref=share",
     "example.org/groups/abc"),
    ("http://example.org/Groups/abc", "http://example.org/Groups/abc", "example.org/groups/abc"),
    ("https://example.org/forum/?b=2&a=1&utm_source=x", "https://example.org/forum/?a=1&b=2", "example.org/forum"),
    ("https://m.example.org/page", "https://m.example.org/page", "example.org/page"),
    ("https://mobile.example.org/", "https://mobile.example.org/", "example.org"),
    # The key takes what an officer types: no scheme, or another scheme; the crawler fetches http(s) only.
    ("example.org/groups/abc", None, "example.org/groups/abc"),
    ("ftp://example.org/files", None, "example.org/files"),
    ("javascript:alert(1)", None, None),
    # Ports: the key has no scheme, so 80 and 443 are both the site; the crawler drops its scheme's own.
    ("https://example.org:443/", "https://example.org/", "example.org"),
    ("http://example.org:443/", "http://example.org:443/", "example.org"),
    ("https://example.org:8443/x/", "https://example.org:8443/x/", "example.org:8443/x"),
    # Paths: both resolve dot segments and escape what is not ASCII; the key also decodes escaped
    # letters and "%2e" (a browser's dot), lower-cases, and writes the hex of other escapes upper-case.
    ("https://example.org/a/./b/../c", "https://example.org/a/c", "example.org/a/c"),
    ("https://example.org/café", "https://example.org/caf%C3%A9", "example.org/caf%C3%A9"),
    ("https://example.org/caf%C3%A9", "https://example.org/caf%C3%A9", "example.org/caf%C3%A9"),
    ("https://example.org/CAF%c3%89/", "https://example.org/CAF%c3%89/", "example.org/caf%C3%A9"),
    ("https://example.org/a/%2e%2E/%7Eb", "https://example.org/a/%2e%2E/%7Eb", "example.org/~b"),
    ("https://example.org/a%2Fb/../c", "https://example.org/c", "example.org/c"),
    ("https://example.org/a/b%2F..%2Fc", "https://example.org/a/b%2F..%2Fc", "example.org/a/b%2F..%2Fc"),
    # The shared host fold: credentials and the trailing dot go; full-width letters, ideographic
    # dots and percent-escapes fold as a browser folds them; IPv4 in any spelling is a dotted quad.
    ("https://user:secret@example.org/", "https://example.org/", "example.org"),
    ("https://example.org./", "https://example.org/", "example.org"),
    ("https://ＥＸＡＭＰＬＥ．org/", "https://example.org/", "example.org"),
    ("https://example。org/", "https://example.org/", "example.org"),
    ("https://exa%6Dple.org/", "https://example.org/", "example.org"),
    ("http://0x7f.1/", "http://127.0.0.1/", "127.0.0.1"),
    ("http://0177.0.0.1:8080/", "http://127.0.0.1:8080/", "127.0.0.1:8080"),
    ("http://[::1]:8080/x", "http://[::1]:8080/x", "::1:8080/x"),
    # IDNA: neither converts between Unicode and xn-- (a known difference, see the module).
    ("https://xn--e1afmkfd.xn--p1ai/", "https://xn--e1afmkfd.xn--p1ai/", "xn--e1afmkfd.xn--p1ai"),
    ("https://пример.рф/", "https://пример.рф/", "пример.рф"),
    # Hosts a browser refuses are nobody's: a second escape, an escaped slash (which would make
    # "a/b.example" a key that names a path of site "a"), a bad IPv4, a space, only dots.
    ("https://exa%256Dple.org/", None, None),
    ("https://a%2Fb.example/", None, None),
    ("http://999.1.1.1/", None, None),
    ("https://exa mple.org/", None, None),
    ("http://./", None, None),
    ("http://%00/", None, None),
]


@pytest.mark.parametrize(("url", "canonical", "key"), TABLE)
def test_the_crawler_and_the_portal_read_each_url_as_the_table_says(url, canonical, key):
    assert (canonicalise(url), url_key(url)) == (canonical, key)


@pytest.mark.parametrize(("url", "canonical", "key"), [row for row in TABLE if row[1] is not None])
def test_the_page_the_crawler_found_has_the_key_of_the_address_typed(url, canonical, key):
    assert url_key(canonical) == key


@pytest.mark.parametrize("url", ["http://a%2Fb.example/", "http://a%40b.example/", "http://a%2541.example/",
                                 "http://a%00b.example/", "http://a%7Cb.example/", "http://.../"])
def test_split_url_refuses_hosts_that_a_browser_refuses(url):
    assert split_url(url) is None


@pytest.mark.parametrize(("url", "key"), [
    ("http://M.M.M.AC", "m.ac"),  # Hypothesis found it: stripped once, the key's key was "ac"
    ("https://m.m.example.org/x", "example.org/x"),
    ("https://m.www.example.org", "example.org"),  # any order, not only www. before m.
    ("https://www.mobile.m.example.co.uk/a", "example.co.uk/a"),
    ("https://m.ac", "m.ac"),  # what is left must still be a domain
    ("https://www.m.ac", "m.ac"),
    ("https://www.example", "www.example"),
])
def test_mobile_and_www_labels_go_while_a_domain_is_left_and_the_key_is_its_own_key(url, key):
    assert url_key(url) == key
    assert url_key(key) == key

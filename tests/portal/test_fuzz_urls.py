"""Property tests: the portal's URL key, the safe_url filter, and the crawler's address guard.

The crawler's own tests fuzz canonicalise() and the guard's parsing for crashes; these add
properties the portal relies on. Deterministic (derandomize) and bounded for CI.
"""
from __future__ import annotations

import ipaddress

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls

from crawlers.addresses import AddressRefused, vet_addresses
from crawlers.frontier import canonicalise
from portal.templating import safe_url
from portal.urlkeys import url_key

SETTINGS = settings(max_examples=300, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
HOSTILE = st.sampled_from([
    "javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "data:text/html,<script>x</script>",
    "vbscript:msgbox", "//evil.example/x", "http://[::1", "https://exa mple.org", "http://%00/", "\x00",
    "https://user:pass@example.org:99999/", "http://example.org:-1/", "\u202ehttps://example.org",
    "https://xn--e1afmkfd.xn--p1ai/", "http://0x7f.1/", "https://example.org/" + "a" * 5000,
])
ANY_URL = st.one_of(urls(), HOSTILE, st.text(max_size=200))


@SETTINGS
@given(ANY_URL)
def test_url_key_is_total_bounded_and_idempotent(url):
    key = url_key(url)
    assert key is None or (isinstance(key, str) and len(key) <= 1000)
    if key:
        assert "?" not in key
        assert "#" not in key
        assert not key.startswith(("http://", "https://"))
        again = url_key(key)
        assert again is None or again == url_key(again)


@SETTINGS
@given(ANY_URL)
def test_safe_url_only_ever_returns_http_links(url):
    result = safe_url(url)
    assert result == "#" or result.lower().startswith(("http://", "https://"))
    assert not result.strip().lower().startswith(("javascript", "data", "vbscript"))


@SETTINGS
@given(ANY_URL)
def test_canonical_urls_are_http_and_their_key_exists(url):
    canonical = canonicalise(url)
    if canonical is not None:
        assert canonical.startswith(("http://", "https://"))
        assert url_key(canonical) is not None


@SETTINGS
@given(st.ip_addresses())
def test_guard_never_lets_a_non_global_address_through(address):
    try:
        chosen = vet_addresses("site.example", 443, [str(address)], ())
    except AddressRefused:
        return
    picked = ipaddress.ip_address(chosen)
    assert picked.is_global, f"{address} passed the guard"
    if picked.version == 6 and picked.ipv4_mapped:
        assert picked.ipv4_mapped.is_global

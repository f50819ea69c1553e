"""Duplicate detection in the catalogue matches one site: a "_" or "%" in a host is that character, not a wildcard."""
from __future__ import annotations

from portal.communities.services import find_duplicates
from portal.urlkeys import HOST_ALIASES
from tests.portal.outreach_factories import make_community


def _ids(url):
    return [c.id for c in find_duplicates(url)]


def test_a_host_with_an_underscore_finds_its_own_pages_and_no_other_site(app, area):
    own_home = make_community(area, "A B Home", "https://a_b.example")
    own_page = make_community(area, "A B Forum", "https://a_b.example/forum/100%25")
    other_site = make_community(area, "AXB Forum", "https://axb.example/forum")
    make_community(area, "A-B Forum", "https://a-b.example/forum")
    make_community(area, "AB Forum", "https://a_b.example.org/forum")
    assert _ids("https://a_b.example/") == [own_home.id, own_page.id]
    assert _ids("https://axb.example") == [other_site.id]


def test_a_percent_in_a_host_matches_no_other_site(app, area, monkeypatch):
    # url_key refuses "%" in a typed host; a registered alias's stable host reaches the query as it is.
    # ("lewes.%e" as a LIKE pattern matches "lewes.example".)
    monkeypatch.setitem(app.extensions, HOST_ALIASES, {"127.0.0.1:8123": "lewes.%e"})
    make_community(area, "Lewes Allotments", "https://lewes.example/groups/allotments")
    make_community(area, "Lewes Forum", "https://lewes.example")
    alias_page = make_community(area, "Local copy", "http://127.0.0.1:8123/groups")
    assert _ids("http://127.0.0.1:8123/") == [alias_page.id]

"""A community key's path: dot segments and percent-escapes read as a browser reads them (portal/urlkeys.py).

One page typed two ways has one key; near misses (an escaped slash, a double escape, a dot that is
part of a name, an escaped delimiter) keep theirs apart; hostile paths stay bounded; the catalogue's
duplicate check and the link look-up find a page typed another way; and migration 0036 rewrites
stored keys to what url_key now computes.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask_migrate import downgrade, upgrade
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from portal.communities.services import find_duplicates
from portal.extensions import db
from portal.models import Community
from portal.outreach.queries import community_for_link
from portal.urlkeys import MAX_KEY_CHARS, normal_path, url_key
from tests.portal.migration_support import migrated_app, scratch_postgres_database
from tests.portal.outreach_factories import make_community

SAME = [  # (typed one way, typed another): one key
    ("https://example.org/a/./b/../c", "https://example.org/a/c"),
    ("https://example.org/a/b/..", "https://example.org/a"),
    ("https://example.org/a/b/.", "https://example.org/a/b"),
    ("https://example.org/../../a", "https://example.org/a"),  # above the root is the root
    ("https://example.org/a/%2e%2e/b", "https://example.org/b"),  # a browser's dot is escaped or not
    ("https://example.org/a/%2E/b", "https://example.org/a/b"),
    ("https://example.org/a/.%2e/b", "https://example.org/b"),
    ("https://example.org/caf%C3%A9", "https://example.org/café"),
    ("https://example.org/caf%c3%a9", "https://example.org/CAFÉ"),  # hex case; letter case as ever
    ("https://example.org/%7Euser", "https://example.org/~user"),  # unreserved characters decoded
    ("https://example.org/%41%62%2D%5F%2E%31", "https://example.org/ab-_.1"),
    ("https://example.org/a%3ab", "https://example.org/a%3Ab"),  # a delimiter stays escaped, hex upper
    ("https://example.org/100%", "https://example.org/100%25"),  # a "%" that starts no escape is a "%"
    ("https://example.org/a%b", "https://example.org/a%25b"),
    ("https://example.org/a//b", "https://example.org/a/b"),  # empty segments go, as the crawler drops them
    ("https://example.org/a//../b", "https://example.org/a/b"),  # ... after the dots: ".." leaves the empty one
    ("https://example.org/a%20b", "https://example.org/a b"),
    ("https://example.org/%CE%9F%CE%94%CE%9F%CE%A3", "https://example.org/οδος"),  # lower-cased as one word
]

APART = [  # near misses: different pages, different keys
    ("https://example.org/a%2Fb", "https://example.org/a/b"),  # an escaped slash is not a separator
    ("https://example.org/a%2fb/c", "https://example.org/a/b/c"),
    ("https://example.org/a/b%2F..%2Fc", "https://example.org/a/c"),  # "b/../c" inside one segment
    ("https://example.org/a/%252e%252e/b", "https://example.org/b"),  # a double escape is not a dot
    ("https://example.org/a/.../b", "https://example.org/a/b"),  # three dots are a name
    ("https://example.org/a/..b", "https://example.org/b"),
    ("https://example.org/a/b..", "https://example.org/a"),
    ("https://example.org/a/.hidden", "https://example.org/a"),
    ("https://example.org/a%3Fb", "https://example.org/a"),  # an escaped "?" is not the query
    ("https://example.org/a%23b", "https://example.org/a"),  # nor an escaped "#" the fragment
    ("https://example.org/a%3Ab", "https://example.org/a:b"),  # reserved: the escape means something else
    ("https://example.org/a%40b", "https://example.org/a@b"),
    ("https://example.org/%FF", "https://example.org/%C3%BF"),  # a byte that is not UTF-8 is not "ÿ"
]


@pytest.mark.parametrize(("one", "other"), SAME)
def test_one_page_typed_two_ways_has_one_key(one, other):
    assert url_key(one) == url_key(other)
    assert url_key(url_key(one)) == url_key(one)


@pytest.mark.parametrize(("one", "other"), APART)
def test_near_misses_keep_their_own_keys(one, other):
    assert url_key(one) != url_key(other)
    assert url_key(url_key(one)) == url_key(one)


@pytest.mark.parametrize(("url", "key"), [
    ("https://example.org/a/b%2F..%2Fc", "example.org/a/b%2F..%2Fc"),
    ("https://example.org/a%2fb", "example.org/a%2Fb"),
    ("https://example.org/%252e%252e", "example.org/%252e%252e"),
    ("https://example.org/%ff%fe", "example.org/%FF%FE"),
    ("https://example.org/a%25", "example.org/a%25"),
    ("https://example.org/%zz/%", "example.org/%25zz/%25"),
    ("https://example.org/a%3a%40%21", "example.org/a%3A%40%21"),
    ("https://example.org/A%42c", "example.org/abc"),
    ("https://example.org/\udc80", "example.org/%ED%B2%80"),  # a lone surrogate is escaped, not an error
])
def test_escapes_that_stay_are_written_one_way(url, key):
    assert url_key(url) == key


@pytest.mark.parametrize("path", [
    "/" + "../" * 200_000 + "x",
    "/" + "%2e%2e/" * 200_000 + "x",
    "/" + "a/" * 100_000 + "../" * 100_000 + "x",
    "/" + "./" * 200_000 + "x",
    "/" + "/" * 200_000 + "x",
])
def test_hostile_dot_runs_resolve_in_one_pass(path):
    assert url_key("https://example.org" + path) == "example.org/x"


@pytest.mark.parametrize("path", ["/" + "a" * 1_000_000, "/" + "é" * 400_000, "/" + "%2F" * 400_000,
                                  "/" + "%" * 400_000, "/" + "a/" * 400_000, "/" + "%e9" * 400_000])
def test_long_paths_give_a_bounded_key_without_half_an_escape(path):
    key = url_key("https://example.org" + path)
    assert key is not None
    assert len(key) <= MAX_KEY_CHARS
    assert not key.endswith(("%", "/"))
    assert key[-2] != "%"
    assert url_key(key) == key


def test_a_cut_that_would_split_an_escape_drops_the_escape():
    # 12 characters of host and slash, then escapes of 3 characters: 1,000 falls inside the 330th.
    key = url_key("https://example.org/" + "é" * 200)
    assert key == "example.org/" + "%C3%A9" * 164 + "%C3"  # whole escapes; the last "é" loses a byte


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["a", "B", ".", "..", "%2e", "%2E%2e", "%2F", "%2f..", "%", "%4", "%41", "é",
                                 "%C3%A9", "%ff", "~", "%7e", ":", "%3a", "", " ", "\x00"]), max_size=12))
def test_normal_paths_are_fixed_points_with_no_dot_segments(segments):
    path = normal_path("/" + "/".join(segments))
    assert normal_path(path) == path
    assert "/./" not in path + "/"
    assert "/../" not in path + "/"
    assert "//" not in path
    assert not path.endswith("/")


# The catalogue and the outreach log find a page typed another way.

def test_the_catalogue_calls_a_page_typed_another_way_a_duplicate(app, area):
    existing = make_community(area, "Lewes Allotments", "https://lewes.example/groups/./allotments/../Café")
    assert [c.id for c in find_duplicates("https://lewes.example/groups/caf%c3%a9/")] == [existing.id]
    assert [c.id for c in find_duplicates("lewes.example/groups/%43af%C3%A9")] == [existing.id]
    assert find_duplicates("https://lewes.example/groups/caf%C3%A9%2Fmore") == []


def test_a_shared_link_finds_its_community_through_dots_and_escapes(app, area, users):
    community = make_community(area, "Lewes Allotments", "https://lewes.example/groups/allotments")
    officer = users["officer"]
    assert community_for_link(officer, "https://lewes.example/groups/x/../%61llotments/posts/1").id == community.id
    assert community_for_link(officer, "https://lewes.example/groups/allotments%2Fposts") is None


# Migration 0036 rewrites the keys stored before.

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0036_url_key_paths.py"


def _migration():
    spec = importlib.util.spec_from_file_location("url_key_paths_0036", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _old_key(url):
    """A key as url_key computed it before 0036: the host's key, then the path as typed, lower-cased."""
    parts = urlsplit(url)
    return f"{url_key(f'{parts.scheme}://{parts.netloc}')}{parts.path.rstrip('/').lower()}"[:MAX_KEY_CHARS]


@pytest.mark.parametrize("url", [one for one, _ in SAME + APART] + [other for _, other in SAME + APART])
def test_the_migrations_copy_computes_the_key_the_application_computes(url):
    assert _migration().normal_key(_old_key(url)) == url_key(url)


def test_migration_0036_rewrites_stored_keys(tmp_path):
    _rewrites_stored_keys(f"sqlite:///{tmp_path / 'keys.sqlite'}", tmp_path)


@pytest.mark.postgres
def test_postgresql_migration_0036_rewrites_stored_keys(postgres_server_url, tmp_path):
    with scratch_postgres_database() as url:
        _rewrites_stored_keys(url, tmp_path)


def _rewrites_stored_keys(database_url, tmp_path):
    rows = {  # url: the key stored before 0036
        "https://lewes.example/groups/./a/../b": "lewes.example/groups/./a/../b",
        "https://lewes.example/caf%C3%A9/": "lewes.example/caf%c3%a9",
        "https://lewes.example/café": "lewes.example/café",
        "https://lewes.example/a%2Fb": "lewes.example/a%2fb",
        "https://lewes.example/": "lewes.example",
        # The demo's sample web: the stored host is an alias, not the address's host, and stays.
        "http://127.0.0.1:8123/x/%2E%2E/Y": "lewes.sample-web.invalid/x/%2e%2e/y",
    }
    with migrated_app(database_url, tmp_path, "0035_communities_active_by_name") as (_, directory):
        from portal.areas import import_area

        area, _ = import_area({"name": "Keys", "places": ["Lewes"], "postcode_districts": ["BN7"]}, slug="keys")
        db.session.flush()
        for url in rows:
            db.session.add(Community(area_id=area.id, name=url[:50], url=url, platform="forum"))
        db.session.add(Community(area_id=area.id, name="no address", url=None, platform="whatsapp"))
        db.session.flush()
        for url, old in rows.items():
            db.session.execute(update(Community).where(Community.url == url).values(url_key=old))
        db.session.commit()
        db.session.remove()

        upgrade(directory=directory)
        stored = dict(db.session.execute(select(Community.url, Community.url_key)).all())
        assert stored == {
            "https://lewes.example/groups/./a/../b": "lewes.example/groups/b",
            "https://lewes.example/caf%C3%A9/": "lewes.example/caf%C3%A9",
            "https://lewes.example/café": "lewes.example/caf%C3%A9",
            "https://lewes.example/a%2Fb": "lewes.example/a%2Fb",
            "https://lewes.example/": "lewes.example",
            "http://127.0.0.1:8123/x/%2E%2E/Y": "lewes.sample-web.invalid/y",
            None: None,
        }
        # Without the alias each key is the application's key of its address.
        assert all(stored[url] == url_key(url) for url in rows if "127.0.0.1" not in url)
        db.session.remove()
        downgrade(directory=directory, revision="0035_communities_active_by_name")  # keeps the normal keys
        assert db.session.scalar(select(Community.url_key).where(Community.url == "https://lewes.example/café")) \
            == "lewes.example/caf%C3%A9"

"""PostgreSQL's search key (migration 0039, portal.models.search_key): a force-wide term with
punctuation is looked up in the key's trigram index and checked against search_text itself.

The key is a prefilter: it must never lose a match (the Python key of a term and PostgreSQL's
key of a text follow one rule, character by character) and never add one (the term is always
rechecked against search_text). Searches here run on whichever database the session runs
(LOCAL_REACH_TEST_DB) and are compared with the plain-Python reference of test_search_parity;
on SQLite the key is never used (its FTS5 trigram index sees punctuation).
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, text, update
from werkzeug.datastructures import MultiDict

from portal.communities.queries import CatalogueFilter, catalogue_keys, stage_counts, walks_names
from portal.extensions import db
from portal.models import Area, Community
from portal.models.communities import search_text_of
from portal.models.search_key import needs_key, search_key_of
from portal.outreach.queries import community_matches
from tests.portal.outreach_factories import make_community
from tests.portal.test_search_parity import NAMES as PARITY_NAMES
from tests.portal.test_search_parity import TERMS as PARITY_TERMS
from tests.portal.test_search_parity import found, in_name_order, reference

#: Names whose key holds a punctuated term's key where the text does not hold the term (written
#: out as a key would spell it, or split across name and address), beside names that hold it.
NAMES = [
    ("Aq7clubq8 Society", None),  # the key of '(club)' as plain letters: no '(club)' in it
    ("Youth (Club) Lewes", "https://youth.example/(club)"),
    ("Club, Lewes", "https://clubs.example/"),
    ("Lewes Club,Runners", None),
    ("Park & Ride: Users", "https://parkride.example/forum"),
    ("50% Off_Traders \\ Lewes", "https://traders.example/50%25"),
    ("Café (Noir) Readers", None),
    ("Straße (Süd) Nachbarn", None),
    ("🚲 (Cycle) Club", "https://bikes.example/"),
    ("^Forum: Lewes", "https://c1.lewes.example/"),
    ("Lewes Forum", "https://forum.example/^forum"),
    ("Wait qb for it", None),  # ', ' spelt out
    ("Ends with club", "https://end.example/club"),  # 'club' then a line break, then the address
    ("日本語 (コミュニティ)", None),
]
TERMS = [
    "(club)", "(club", "club)", "club, ", "club,", "club,r", ", lewes", "q7clubq8", "q7c", "qb f",
    "park & ride:", "& r", ": u", "50%", "0% o", "%_", "f_t", "_", "\\", "s \\ l", "\\ lewes", "%25",
    "é (", "(noir)", "(süd)", "straße (", "ß", "🚲 (", "(cycle) c", "c1.lewes", "c1.", ".example/", "/(club)",
    "^forum", "^forum:", "/^forum", "forum:", "club https", "club\nhttps", "語 (", "(コミュ", "zz(", "(zzqx)",
    "club", "lewes", "q",
]


@pytest.fixture
def keyed_catalogue(app, area, users):
    """The names above in the officer's area, the first half again in an area of the supervisor's
    and in one nobody here may see."""
    elsewhere = Area(slug="elsewhere", name="Elsewhere")
    beyond = Area(slug="beyond", name="Beyond")
    db.session.add_all([elsewhere, beyond])
    db.session.commit()
    made = [make_community(area, name, url) for name, url in NAMES]
    made += [make_community(elsewhere, f"{name} (elsewhere)", url) for name, url in NAMES[:7]]
    made += [make_community(beyond, f"{name} (beyond)", url) for name, url in NAMES[:7]]
    archived = make_community(area, "Archived (Club)")
    archived.status = "archived"
    supervisor = users["supervisor"]
    supervisor.areas.append(elsewhere)
    db.session.commit()
    assert len(supervisor.area_ids) == 2
    return made


@pytest.fixture
def postgresql(app):
    """Skip on SQLite: the search key is PostgreSQL's (migration 0039)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's search key (migration 0039)")


def _sql(user, term: str) -> str:
    return str(catalogue_keys(user, CatalogueFilter.from_args(MultiDict({"q": term}))).compile(db.engine))


def test_the_key_spells_out_what_the_trigram_index_drops():
    assert search_key_of("(club), café") == "q7clubq8qb cafqe9q"
    assert search_key_of("lewes park 12\nhttps://c1.x/") == "lewes park 12\nhttpsqfqeqec1qdxqe"
    assert search_key_of("%_\\") == "q4qrqn"  # no LIKE wildcard or escape is left in a key
    assert search_key_of("🚲日") == "q1f6b2qq65e5q"
    assert search_key_of("") == ""
    assert [needs_key(t) for t in ("club", "club road", "42", "(club)", "club,", "café", "^", "a-b")] == [
        False, False, False, True, True, True, True, True]


@pytest.mark.parametrize("term", ["(club)", "club, ", "%_", "c1.", "🚲 (", "\\", "q7c"])
@pytest.mark.parametrize("text_", ["Youth (Club) Lewes", "Club, Lewes\nhttps://c1.x/", "50%_\\ off", "🚲 (Cycle)"])
def test_a_text_that_holds_a_term_holds_its_key(term, text_):
    """The key loses no match: character by character, so the key of a text holds the key of
    every part of it."""
    lowered = text_.lower()
    if term in lowered:
        assert search_key_of(term) in search_key_of(lowered)


@given(st.text(max_size=40), st.text(max_size=6))
def test_any_text_that_holds_a_term_holds_its_key(prefix, term):
    assert search_key_of(term) in search_key_of(prefix + term + prefix)


def _postgresql_key(value: str) -> str:
    return db.session.execute(text("SELECT communities_search_key(:value)"), {"value": value}).scalar_one()


def test_python_and_postgresql_make_the_same_key(postgresql):
    values = [*PARITY_TERMS, *TERMS, *(search_text_of(n, u) for n, u in NAMES + PARITY_NAMES),
              "".join(chr(c) for c in range(1, 0x250)), "\U0010ffff\U0001f6b2\u212a\u0130"]
    for value in values:
        value = value.replace("\x00", "")  # PostgreSQL text holds no NUL
        assert _postgresql_key(value) == search_key_of(value), repr(value)
    assert db.session.execute(text("SELECT communities_search_key(NULL)")).scalar() is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(alphabet=st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=30))
def test_python_and_postgresql_keys_agree_on_any_text(postgresql, value):
    assert _postgresql_key(value) == search_key_of(value)


def test_the_stored_key_follows_every_write(postgresql, keyed_catalogue, users, area):
    """search_key is generated from search_text by PostgreSQL: ORM writes, Core inserts and
    updates all keep it (and the punctuated search that reads it) in step."""
    admin = users["admin"]
    community = keyed_catalogue[0]
    community.name = "Renamed (Meadow) Group"
    db.session.commit()
    db.session.execute(insert(Community), [{"area_id": area.id, "name": "Bulk (Orchard)", "platform": "forum",
                                            "search_text": search_text_of("Bulk (Orchard)", None)}])
    bulk = db.session.scalar(db.select(Community.id).where(Community.name == "Bulk (Orchard)"))
    db.session.execute(update(Community).where(Community.id == bulk).values(
        url="https://quince.example/", search_text=search_text_of("Bulk (Orchard)", "https://quince.example/")))
    db.session.commit()
    rows = db.session.execute(text("SELECT search_text, search_key FROM communities")).all()
    assert rows
    assert all(row.search_key == search_key_of(row.search_text) for row in rows)
    assert found(admin, "(meadow)") == {community.id}
    assert found(admin, "(club)") == reference(admin, "(club)")
    assert community.id not in found(admin, "q7club")
    assert found(admin, "(orchard)\nhttps") == set()  # a term has no line break: cleaned to a space
    assert found(admin, "quince.") == {bulk}


@pytest.mark.parametrize("role", ["admin", "supervisor", "officer"])
def test_punctuated_terms_match_a_plain_substring_search(keyed_catalogue, users, role, monkeypatch):
    """Counts, pages in name order (read and walked), and the type-ahead's first 8, for terms
    whose key is also found where the term is not."""
    from portal.outreach import queries as outreach_queries

    user = users[role]
    checked = 0
    for term in [*TERMS, *PARITY_TERMS]:
        f = CatalogueFilter.from_args(MultiDict({"q": term}))
        wanted = in_name_order(reference(user, term))
        assert found(user, term) == set(wanted), repr(term)
        assert list(db.session.scalars(catalogue_keys(user, f))) == wanted, repr(term)
        if f.q and walks_names(user, f):
            assert list(db.session.scalars(catalogue_keys(user, f, many=True))) == wanted, repr(term)
        for many in (0, 10_000):  # the type-ahead walking the names (several areas), and not
            monkeypatch.setattr(outreach_queries, "TYPE_AHEAD_MANY", many)
            rows = community_matches(user, term[:100])
            assert [row.id for row in rows] == (wanted[:8] if f.q else []), (term, many)
        for cap in (0, 1, len(wanted)):
            counts = stage_counts(user, CatalogueFilter.from_args(MultiDict({"q": term})), cap=cap)
            assert counts.matching == (cap + 1 if len(wanted) > cap else len(wanted)), (term, cap)
        checked += bool(wanted) and needs_key(f.q.lower())
    assert checked > 25
    # Where the key holds the term's key and the text does not hold the term: only the recheck
    # against search_text leaves these out.
    spelt = keyed_catalogue[0]
    assert search_key_of("(club)") in search_key_of(spelt.search_text or "")
    assert spelt.id not in reference(user, "(club)")


def test_the_key_is_read_force_wide_on_postgresql_for_punctuated_terms_only(app, keyed_catalogue, users):
    """The key's condition (and the term checked on search_text as an expression search_text's own
    trigram index cannot serve) for a term with punctuation of three characters or more across
    several areas on PostgreSQL; never within one area, for a shorter term, for a plain word, on
    SQLite or with CATALOGUE_SEARCH_KEY off."""
    admin, supervisor, officer = users["admin"], users["supervisor"], users["officer"]
    postgresql = db.engine.dialect.name == "postgresql"
    for user in (admin, supervisor):
        for term in ("(club)", "club, ", "c1.", "café", "%_\\"):
            sql = _sql(user, term)
            assert ("communities.search_key LIKE" in sql) == postgresql, (term, sql)
            if postgresql:
                assert "communities.search_text || ''" in sql, sql
        for term in ("club", "club road", "(c", "é"):
            assert "search_key" not in _sql(user, term), term
    assert "search_key" not in _sql(officer, "(club)")
    area_id = keyed_catalogue[0].area_id
    chosen = catalogue_keys(admin, CatalogueFilter(q="(club)", area=area_id)).compile(db.engine)
    assert "search_key" not in str(chosen)
    app.config["CATALOGUE_SEARCH_KEY"] = False
    assert "search_key" not in _sql(admin, "(club)")
    assert found(admin, "(club)") == reference(admin, "(club)")

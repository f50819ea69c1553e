"""The catalogue search finds exactly what a plain substring match finds, on SQLite and PostgreSQL.

SQLite answers terms of three characters or more from its FTS5 trigram index (migration 0029),
PostgreSQL from LIKE (with its trigram GIN index): the same terms are searched here on whichever
database the session runs (LOCAL_REACH_TEST_DB), and compared with a plain-Python reference, so
each database is held to the same answer. Hostile input (quotes, FTS5 syntax, LIKE wildcards,
unicode, very long terms) must be read as text: never a syntax error, never a 500.
"""
from __future__ import annotations

import pytest
from sqlalchemy import insert, text, update
from werkzeug.datastructures import MultiDict

from portal.communities.queries import CatalogueFilter, catalogue_keys, stage_counts
from portal.extensions import db
from portal.models import Area, Community
from portal.models.communities import search_text_of
from portal.outreach.queries import community_matches
from tests.portal.outreach_factories import make_community

NAMES = [
    ("Lewes Park Residents", "https://c1.lewes.example/"),
    ("Park & Ride: Users", "https://parkride.example/forum"),
    ("Youth (Club) Lewes", None),
    ('Dog "Walkers" of Lewes', "https://dogs.example/"),
    ("C*Star Astronomy", "https://cstar.example/"),
    ("50% Off Traders", "https://traders.example/50%25"),
    ("under_score Neighbours", None),
    ("Back\\slash Society", None),
    ("Café Society", "https://cafe.example/"),
    ("CAFÉ NOIR Readers", None),
    ("Große Straße Neighbours", None),
    ("İstanbul Friends", None),
    ("Ünïcödé Allotments", None),
    ("日本語コミュニティ", "https://nihongo.example/"),
    ("🚲 Cycle Club", "https://bikes.example/"),
    ("Kelvin \u212a Group", None),
    ("NOT OR AND Society", None),
    ("^Caret -Minus :Colon", None),
    ("Road Watch", "https://roadwatch.example/"),
    ("Forum of Forums", "https://forum.example/forum/"),
]

TERMS = [
    "", " ", "a", "pa", "par", "park", "PARK", "Park & Ride", "park:ride", "park & r",
    "café", "CAFÉ", "cafe", "é", "ß", "straße", "STRASSE", "İst", "i̇st", "ist", "ü", "ünï",
    "日本", "日本語", "コミュ", "🚲", "🚲 c", "\u212a", "k g", "kelvin k",
    '"', '""', '"walkers"', 'dog "w', 'c"', '"club', "c*", "*", "c*star", "*star", "(club)", "club)", "(",
    ":", ":colon", "^", "^caret", "-", "-minus", "not", "or", "and", "not or", "or and",
    "%", "50%", "0% o", "_", "under_", "r_s", "\\", "back\\s", "\\slash",
    "https://", ".example/", "/forum", "forum", "forum/", "c1.", "lewes", "lewes park", "s ", " s",
    "x" * 500, "park" * 60, "  park  ", "park\nride", "park\x00ride", "\t", "lewes\x7f",
    "zzqx", "road watch", "roadwatch", "oad",
]


@pytest.fixture
def catalogue(app, area, users):
    """The communities above in the officer's area, and one of each in another area (not theirs)."""
    other = Area(slug="elsewhere", name="Elsewhere")
    db.session.add(other)
    db.session.commit()
    made = [make_community(area, name, url) for name, url in NAMES]
    made += [make_community(other, f"{name} (elsewhere)", url) for name, url in NAMES[:5]]
    archived = make_community(area, "Archived Park Group")
    archived.status = "archived"
    db.session.commit()
    return made


def reference(user, term: str) -> set[int]:
    """What a search should find: active communities the user may see whose lower-cased name or
    address contains the cleaned, lower-cased term (plain Python, no database search)."""
    wanted = CatalogueFilter.from_args(MultiDict({"q": term})).q.lower()
    rows = db.session.execute(text("SELECT id, area_id, name, url FROM communities WHERE status = 'active'"))
    return {row.id for row in rows
            if user.can_see_area(row.area_id) and wanted in search_text_of(row.name, row.url)}


def found(user, term: str, area: int | None = None) -> set[int]:
    f = CatalogueFilter.from_args(MultiDict({"q": term, **({"area": str(area)} if area else {})}))
    ids = list(db.session.scalars(catalogue_keys(user, f)))
    assert len(ids) == len(set(ids))
    assert stage_counts(user, f).matching == len(ids)
    return set(ids)


@pytest.mark.parametrize("role", ["officer", "admin"])  # one area (PostgreSQL's `|| ''` path) and force-wide
def test_search_matches_a_plain_substring_search(catalogue, users, role):
    user = users[role]
    for term in TERMS:
        assert found(user, term) == reference(user, term), repr(term)


def test_reference_is_not_empty(catalogue, users):
    """The terms above exercise matches, not only empty results."""
    hits = [term for term in TERMS if reference(users["officer"], term)]
    assert len(hits) > 40
    assert reference(users["officer"], '"walkers"')
    assert reference(users["officer"], "c*star")
    assert reference(users["officer"], "日本語")
    assert reference(users["officer"], "🚲 c")


def test_type_ahead_matches_the_same(catalogue, users):
    officer = users["officer"]
    for term in TERMS:
        empty = not CatalogueFilter.from_args(MultiDict({"q": term[:100]})).q
        wanted = set() if empty else reference(officer, term[:100])  # nothing typed: no options
        rows = community_matches(officer, term)
        ids = {row.id for row in rows}
        assert len(rows) == min(8, len(wanted)), repr(term)
        assert ids <= wanted, repr(term)


def test_index_follows_renames_bulk_inserts_and_address_changes(catalogue, users, area):
    officer = users["officer"]
    community = catalogue[0]
    community.name = "Renamed Meadow Group"
    db.session.commit()
    assert found(officer, "meadow") == {community.id}
    assert community.id not in found(officer, "lewes park")
    db.session.execute(insert(Community), [{"area_id": area.id, "name": "Bulk Orchard", "platform": "forum",
                                            "search_text": search_text_of("Bulk Orchard", None)}])
    bulk = db.session.scalar(db.select(Community.id).where(Community.name == "Bulk Orchard"))
    db.session.execute(update(Community).where(Community.id == bulk)
                       .values(url="https://quince.example/",
                               search_text=search_text_of("Bulk Orchard", "https://quince.example/")))
    db.session.commit()
    assert found(officer, "orchard") == {bulk}
    assert found(officer, "quince") == {bulk}
    for term in ("meadow", "orchard", "quince", "lewes", "park"):
        assert found(officer, term) == reference(officer, term), term
    elsewhere = db.session.scalar(db.select(Area).where(Area.slug == "elsewhere"))
    community.area_id = elsewhere.id  # moved: the officer's area search no longer finds it
    db.session.commit()
    assert found(officer, "meadow") == set()
    assert found(users["admin"], "meadow", area=elsewhere.id) == {community.id}
    assert found(users["admin"], "meadow", area=area.id) == set()


def test_an_area_chosen_narrows_a_force_wide_search(catalogue, users, area):
    admin = users["admin"]
    assert found(admin, "lewes") > found(admin, "lewes", area=area.id)  # "elsewhere" has Lewes names too
    for term in ("lewes", "park", "c*star", "🚲 c", "forum"):
        assert found(admin, term, area=area.id) == reference(users["officer"], term), term


@pytest.mark.parametrize("term", ['"', '"club', "c*", "(club)", "park:ride", "^forum", "-road", "not or",
                                  "x" * 5000, "日本語", "%_\\"])
def test_hostile_terms_answer_pages_and_fragments(client, auth, catalogue, term):
    auth.login("officer")
    for headers in ({}, {"HX-Request": "true"}):
        assert client.get("/communities", query_string={"q": term}, headers=headers).status_code == 200
        assert client.get("/contacts/communities", query_string={"community_q": term},
                          headers=headers).status_code == 200
    for area in ("-1", "0", "99999999999999999999", "1e3", str(catalogue[0].area_id)):
        assert client.get("/communities", query_string={"q": term, "area": area}).status_code == 200
    page = client.get("/communities", query_string={"q": "c*star"}).get_data(as_text=True)
    assert "C*Star Astronomy" in page
    assert "Lewes Park Residents" not in page


@pytest.mark.parametrize(("role", "term", "index"), [
    # A term of three characters or more is read from the FTS5 index.
    ("officer", "lewes", "communities_search VIRTUAL TABLE"),
    ("admin", "lewes", "communities_search VIRTUAL TABLE"),
    # A 1-2 letter term force-wide has no trigram: it scans migration 0032's covering index (it
    # holds stage and search_text). (Within one area SQLite may still count from
    # (area_id, status, stage) and that area's rows.)
    ("admin", "le", "COVERING INDEX ix_communities_listing_covering"),
])
def test_sqlite_reads_terms_from_an_index_not_every_row(catalogue, users, role, term, index):
    """On SQLite no statement of the list (its page's ids, its per-stage counts) scans the
    communities table: each reads the index the term's length calls for."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's plans (PostgreSQL's trigram plans: tests/portal/test_query_plans.py)")
    from sqlalchemy import func, select

    f = CatalogueFilter.from_args(MultiDict({"q": term}))
    counts = filtered_stages(users[role], f)
    for stmt in (catalogue_keys(users[role], f).limit(26), select(counts.c.stage, func.count()).group_by(counts.c.stage)):
        compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = " | ".join(row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
        assert index in plan, plan
        assert not any(step.strip() == "SCAN communities" for step in plan.split("|")), plan


def test_short_terms_are_never_looked_up_in_the_trigram_index(app, users):
    """A 1-2 letter term is written as the expression the trigram index cannot serve (a generic
    plan on PostgreSQL read the whole index for it); longer force-wide terms may use the index."""
    sql = {q: str(catalogue_keys(users["admin"], CatalogueFilter(q=q)).compile(db.engine)) for q in ("le", "lewes")}
    app.config["CATALOGUE_SEARCH_INDEX"] = False  # SQLite: the LIKE, as PostgreSQL writes it
    sql |= {q + " (LIKE)": str(catalogue_keys(users["admin"], CatalogueFilter(q=q)).compile(db.engine))
            for q in ("le", "lewes")}
    assert "|| ''" in sql["le"]
    assert "|| ''" in sql["le (LIKE)"]
    assert "|| ''" not in sql["lewes (LIKE)"]


def filtered_stages(user, f):
    from portal.communities.queries import filtered

    return filtered(user, f, with_stage=False).with_only_columns(Community.stage).subquery()


def test_without_the_index_every_term_uses_the_like_and_finds_the_same(catalogue, users):
    """Where SQLite has no FTS5 trigram tokenizer, migration 0029 adds no index: the search reads rows."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's FTS5 index")
    connection = db.session.connection()
    connection.info["communities_search"] = False  # as search_index.indexed finds it without the table
    try:
        for role in ("officer", "admin"):
            for term in TERMS:
                assert found(users[role], term) == reference(users[role], term), repr(term)
        f = CatalogueFilter.from_args(MultiDict({"q": "lewes"}))
        compiled = catalogue_keys(users["admin"], f).compile(db.engine, compile_kwargs={"literal_binds": True})
        assert "communities_search" not in str(compiled)
    finally:
        connection.info.pop("communities_search", None)


def test_the_index_can_be_turned_off(app, catalogue, users):
    """CATALOGUE_SEARCH_INDEX=0 (benchmarks/search_bench.py --compare-like): every term read by LIKE, same results."""
    f = CatalogueFilter.from_args(MultiDict({"q": "lewes"}))
    indexed = str(catalogue_keys(users["admin"], f).compile(db.engine))
    app.config["CATALOGUE_SEARCH_INDEX"] = False
    assert "communities_search" not in str(catalogue_keys(users["admin"], f).compile(db.engine))
    assert found(users["admin"], "lewes") == reference(users["admin"], "lewes")
    assert ("communities_search" in indexed) == (db.engine.dialect.name == "sqlite")

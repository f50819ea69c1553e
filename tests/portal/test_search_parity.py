"""The catalogue search finds exactly what a plain substring match finds, on SQLite and PostgreSQL.

SQLite answers terms of three characters or more from its FTS5 trigram index (migration 0029),
PostgreSQL from LIKE (with its trigram GIN index): the same terms are searched here on whichever
database the session runs (LOCAL_REACH_TEST_DB), and compared with a plain-Python reference, so
each database is held to the same answer. Hostile input (quotes, FTS5 syntax, LIKE wildcards,
unicode, very long terms) must be read as text: never a syntax error, never a 500.
"""
from __future__ import annotations

import pytest
from sqlalchemy import event, insert, text, update
from werkzeug.datastructures import MultiDict

from portal.communities.queries import SEARCH_COUNT_CAP, CatalogueFilter, catalogue_keys, stage_counts, walks_names
from portal.extensions import db
from portal.models import Area, Community, search_index
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


@pytest.fixture(params=[search_index.FEW, 0, 1], ids=["few-ids", "no-ids", "one-id"])
def few(request, monkeypatch):
    """SQLite's routes for a term (portal.communities.queries._route): with FEW as shipped every
    term here is in few communities and searched by their ids; with FEW 0 only a term found
    nowhere is, the others by LIKE within one area or FTS5 across areas; with 1, a mix."""
    monkeypatch.setattr(search_index, "FEW", request.param)
    return request.param


@pytest.mark.parametrize("role", ["officer", "admin"])  # one area (PostgreSQL's `|| ''` path) and force-wide
def test_search_matches_a_plain_substring_search(catalogue, users, role, few):
    user = users[role]
    for term in TERMS:
        assert found(user, term) == reference(user, term), repr(term)
    for term in ("lewes", "park", "forum", "zzqx"):  # an area chosen: one area for the admin too
        assert found(user, term, area=catalogue[0].area_id) == reference(users["officer"], term), term


def test_reference_is_not_empty(catalogue, users):
    """The terms above exercise matches, not only empty results."""
    hits = [term for term in TERMS if reference(users["officer"], term)]
    assert len(hits) > 40
    assert reference(users["officer"], '"walkers"')
    assert reference(users["officer"], "c*star")
    assert reference(users["officer"], "日本語")
    assert reference(users["officer"], "🚲 c")


def test_type_ahead_matches_the_same(catalogue, users, few):
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


COVERING = "COVERING INDEX ix_communities_listing_covering (area_id=? AND status=?)"
BY_ID = "SEARCH communities USING INTEGER PRIMARY KEY (rowid=?)"
FTS5 = "communities_search VIRTUAL TABLE"


@pytest.mark.parametrize(("role", "term", "few", "index"), [
    # A term in more communities than FEW, across areas: read from the FTS5 index.
    ("admin", "lewes", 0, FTS5),
    # ... within one area: the area's entries in migration 0032's covering index (it holds
    # stage and search_text), for the count as well as the page, never the table's rows.
    ("officer", "lewes", 0, COVERING),
    ("officer", "le", 0, COVERING),
    # A 1-2 letter term force-wide has no trigram: it scans the covering index.
    ("admin", "le", 0, "COVERING INDEX ix_communities_listing_covering"),
    # A term in a few communities (FEW or fewer in the whole force): those, looked up by id,
    # not the area's entries (SQLite's planner, without statistics, walked the area for 2 ids).
    ("officer", "lewes", 64, BY_ID),
    ("admin", "lewes", 64, BY_ID),
    ("officer", "forum", 64, BY_ID),
])
def test_sqlite_reads_terms_from_an_index_not_every_row(catalogue, users, monkeypatch, role, term, few, index):
    """On SQLite no statement of the list (its page's ids, its per-stage counts) scans the
    communities table: each reads the index the term calls for."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's plans (PostgreSQL's trigram plans: tests/portal/test_query_plans.py)")
    from portal.communities.queries import stage_counts

    monkeypatch.setattr(search_index, "FEW", few)
    f = CatalogueFilter.from_args(MultiDict({"q": term}))
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        # The statement as the list sends it for a search: to the cap (SQLite may group by the value).
        stage_counts(users[role], f, cap=SEARCH_COUNT_CAP)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    counts = [(stmt, params) for stmt, params in sent if "count(*)" in stmt]
    keys = catalogue_keys(users[role], f).limit(26).compile(db.engine, compile_kwargs={"literal_binds": True})
    assert len(counts) == 1
    for statement, parameters in [*counts, (str(keys), ())]:
        plan = " | ".join(row[-1] for row in db.session.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", parameters))
        assert index in plan, plan
        assert not any(step.strip() == "SCAN communities" for step in plan.split("|")), plan
        if index == BY_ID:
            assert "ix_communities_area" not in plan, plan
        assert "ix_communities_active_by_name" not in plan, plan  # the name walk's index: the walk's only
        if "count(*)" in statement and index == FTS5:  # FTS5 the outer loop, not every match listed first
            assert "LIST SUBQUERY" not in plan, plan
            assert plan.index("SCAN communities_search") < plan.index(BY_ID), plan


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


def test_the_index_can_be_turned_off(app, catalogue, users, monkeypatch):
    """CATALOGUE_SEARCH_INDEX=0 (benchmarks/search_bench.py --compare-like): every term read by LIKE, same results."""
    monkeypatch.setattr(search_index, "FEW", 0)  # "lewes" is in more: the FTS5 lookup, not its ids
    indexed = str(catalogue_keys(users["admin"], CatalogueFilter(q="lewes")).compile(db.engine))
    app.config["CATALOGUE_SEARCH_INDEX"] = False  # a filter decides its route once: a new one
    assert "communities_search" not in str(catalogue_keys(users["admin"], CatalogueFilter(q="lewes")).compile(db.engine))
    assert found(users["admin"], "lewes") == reference(users["admin"], "lewes")
    assert ("communities_search" in indexed) == (db.engine.dialect.name == "sqlite")


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_a_capped_count_is_exact_to_the_cap_and_capped_above_it(catalogue, users, role, few):
    """A search's per-stage counts (queries.SEARCH_COUNT_CAP) on every route, both databases: at
    or below the cap the same numbers as uncapped; above it ``capped`` with no stages kept."""
    user = users[role]
    checked = {"exact": 0, "capped": 0}
    for term in ("lewes", "park", "forum", "s ", "e", "a", "zzqx", "c1."):
        f = CatalogueFilter.from_args(MultiDict({"q": term}))
        wanted = reference(user, term)
        exact = stage_counts(user, CatalogueFilter.from_args(MultiDict({"q": term})))
        assert exact.matching == len(wanted), term
        assert not exact.capped, term
        for cap in (1, 3, len(wanted), len(wanted) + 1):
            counts = stage_counts(user, CatalogueFilter.from_args(MultiDict({"q": term})), cap=cap)
            if len(wanted) > cap:
                checked["capped"] += 1
                assert (counts.capped, counts.by_stage, counts.matching) == (True, {}, cap + 1), (term, cap)
                staged = stage_counts(user, CatalogueFilter.from_args(MultiDict({"q": term, "stage": "identified"})),
                                      cap=cap)
                assert staged.capped, (term, cap)
                assert staged.matching is None, (term, cap)  # the list counts that stage itself
            else:
                checked["exact"] += 1
                assert not counts.capped, (term, cap)
                assert counts.by_stage == exact.by_stage, (term, cap)
        assert f.q == term.strip()
    assert checked["exact"]
    assert checked["capped"]
    sent: list[str] = []
    listen = lambda conn, cursor, statement, *rest: sent.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        stage_counts(user, CatalogueFilter(q="lewes"), cap=3)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert "LIMIT" in [s for s in sent if "count(" in s.lower()][0].upper()  # read no further than the cap


def test_the_list_says_more_than_the_cap_and_its_pages_stop_there(client, auth, catalogue, users, monkeypatch):
    """Above the cap: "More than N", every stage offered without a number, pages to the cap (a page
    past them shows the last one); a stage chosen is counted to the same cap; no search: exact."""
    from portal.communities import queries, views

    monkeypatch.setattr(queries, "SEARCH_COUNT_CAP", 2)
    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 2)
    auth.login("admin")
    wanted = reference(users["admin"], "lewes")
    assert len(wanted) > 2
    page = client.get("/communities?q=lewes").get_data(as_text=True)
    assert "More than 2 communities matching “lewes”: choose a stage or add to the search to narrow it" in page
    chips = page.split('data-testid="stage-counts"')[1].split("</ul>")[0]
    assert chips.count("<li>") == len(queries.STAGES)
    assert "</span> " not in chips
    assert page.count('data-testid="community-row"') == len(wanted)  # a page of 25 holds them
    deep = client.get("/communities?q=lewes&page=9").get_data(as_text=True)

    def row_list(html: str) -> list[str]:  # the rows alone: the footer's CSRF token carries a timestamp
        return [row.split("</li>")[0] for row in html.split('data-testid="community-row"')[1:]]

    rows = row_list(page)
    assert len(rows) == len(wanted)
    assert row_list(deep) == rows  # the cap's last page (1 of 25), not empty
    staged = client.get("/communities?q=lewes&stage=identified").get_data(as_text=True)
    assert "More than 2 communities" in staged  # every catalogue community is at "identified"
    assert "add to the search to narrow it" in staged
    assert "choose a stage" not in staged
    assert "More than 2 communities matching “lewes”" not in client.get("/communities?q=lewes&stage=partner") \
        .get_data(as_text=True)
    none = client.get("/communities?q=lewes&stage=partner").get_data(as_text=True)
    assert "0 communities matching “lewes”</p>" in none  # exact: no hint to narrow it
    monkeypatch.setattr(queries, "SEARCH_COUNT_CAP", len(wanted))
    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", len(wanted))
    exact = client.get("/communities?q=lewes").get_data(as_text=True)
    assert f"{len(wanted)} communities matching “lewes”" in exact
    assert "More than" not in exact
    assert f"</span> {len(wanted)}</a>" in exact.split('data-testid="stage-counts"')[1]
    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 2)
    assert "More than" not in client.get("/communities").get_data(as_text=True)  # no search: exact


NAME_WALK = "SCAN communities USING COVERING INDEX ix_communities_active_by_name"


@pytest.fixture
def two_area_supervisor(catalogue, users, area):
    """The supervisor of the officer's area and "elsewhere", with a third area they may not see."""
    elsewhere = db.session.scalar(db.select(Area).where(Area.slug == "elsewhere"))
    beyond = Area(slug="beyond", name="Beyond")
    db.session.add(beyond)
    db.session.commit()
    for name, url in NAMES[:8]:
        make_community(beyond, f"{name} (beyond)", url)
    supervisor = users["supervisor"]
    supervisor.areas.append(elsewhere)
    db.session.commit()
    assert len(supervisor.area_ids) == 2
    return supervisor


def in_name_order(ids: set[int]) -> list[int]:
    """The reference's ids as the list orders them: by name, then id (code point order, as both
    databases compare names: SQLite's BINARY, PostgreSQL's C collation)."""
    rows = db.session.execute(text("SELECT id, name FROM communities")).all()
    names = {row.id: row.name for row in rows}
    return sorted(ids, key=lambda i: (names[i], i))


@pytest.mark.parametrize("role", ["admin", "supervisor"])
def test_walking_the_names_gives_the_same_pages_in_the_same_order(two_area_supervisor, users, role, few, monkeypatch):
    """``catalogue_keys(many=True)`` (a term with more matches than the cap, across several areas)
    walks the active communities by name: the same ids, in the same order, page by page, as
    reading every match and sorting them, and as a plain substring search sorted in Python."""
    from portal.outreach import queries as outreach_queries

    user = users[role]
    checked = 0
    for term in TERMS:
        f = CatalogueFilter.from_args(MultiDict({"q": term}))
        if not f.q:
            continue
        wanted = in_name_order(reference(user, term))
        assert walks_names(user, f), repr(term)
        walked = list(db.session.scalars(catalogue_keys(user, f, many=True)))
        assert walked == wanted, repr(term)
        assert list(db.session.scalars(catalogue_keys(user, f))) == wanted, repr(term)
        for offset in (0, 1, 3):
            page = list(db.session.scalars(catalogue_keys(user, f, many=True).limit(2).offset(offset)))
            assert page == wanted[offset:offset + 2], (term, offset)
        for many in (0, 10_000):  # the type-ahead walking the names, and not: its first 8 by name
            monkeypatch.setattr(outreach_queries, "TYPE_AHEAD_MANY", many)
            assert [row.id for row in community_matches(user, term[:100])] == wanted[:8], (term, many)
        checked += len(wanted) > 2
    assert checked > 10


def test_the_walk_is_only_for_what_its_index_holds(two_area_supervisor, users, area):
    """A filter the name index does not hold, another order or status, a stage, or one area:
    the search is read as before, whatever ``many`` says."""
    admin = users["admin"]
    assert walks_names(admin, CatalogueFilter(q="park"))
    assert not walks_names(admin, CatalogueFilter(q=""))
    for change in ({"platform": "forum"}, {"access": "public"}, {"tag": "x"}, {"activity": "active"},
                   {"quiet_days": 30}, {"status": "archived"}, {"sort": "newest"}, {"stage": "identified"},
                   {"area": area.id}):
        f = CatalogueFilter(q="park", **change)
        assert not walks_names(admin, f), change
        sql = str(catalogue_keys(admin, f, many=True).compile(db.engine))
        assert "status = 'active'" not in sql, change
    assert not walks_names(users["officer"], CatalogueFilter(q="park"))  # one area: its own index


def _sent_by(call) -> list[tuple[str, object]]:
    sent: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return sent


def _sqlite_plan(statement: str, parameters) -> str:
    return " | ".join(row[-1] for row in db.session.connection().exec_driver_sql(
        f"EXPLAIN QUERY PLAN {statement}", parameters))


@pytest.mark.parametrize("role", ["admin", "supervisor"])
def test_sqlite_list_and_type_ahead_walk_the_names_above_the_cap(client, auth, two_area_supervisor, users, monkeypatch,
                                                                  role):
    """Above the count's cap, across several areas, the list's page and the type-ahead read their
    ids by walking the name index alone and stop at the page: no sort of every match (a
    temporary B-tree), no FTS5 lookup, no table rows. At or below the cap they read as before."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's plans (PostgreSQL's: tests/portal/test_query_plans.py)")
    from portal.communities import queries, views
    from portal.outreach import queries as outreach_queries

    monkeypatch.setattr(search_index, "FEW", 0)  # "lewes" is in more: not its ids
    user = users[role]
    auth.login(role)
    for cap, walks in ((2, True), (1000, False)):
        for module in (queries, views):
            monkeypatch.setattr(module, "SEARCH_COUNT_CAP", cap)
        monkeypatch.setattr(outreach_queries, "TYPE_AHEAD_MANY", cap)
        listed = _sent_by(lambda: client.get("/communities", query_string={"q": "lewes"},
                                             headers={"HX-Request": "true"}))
        typed = _sent_by(lambda: outreach_queries.community_matches(user, "lewes"))
        for statements in (listed, typed):
            pages = [(s, p) for s, p in statements if "communities.name" in s and "count(" not in s.lower()
                     and "LIMIT" in s]
            assert len(pages) == 1, statements
            plan = _sqlite_plan(*pages[0])
            # The page's ids (a subquery, materialised), then its rows by id and their order.
            picked = plan.split("| SCAN page")[0]
            assert picked.startswith("MATERIALIZE page"), plan
            if walks:
                assert NAME_WALK in picked, plan
                assert "TEMP B-TREE" not in picked, plan  # in the index's order: it stops at the page
                assert FTS5 not in picked, plan
                assert picked.count(" communities ") == 1, plan  # the index alone, no rows
            else:
                assert "ix_communities_active_by_name" not in plan, plan


def test_a_search_counted_to_nothing_reads_no_page(client, auth, catalogue, users):
    """When the count found no match, the list and the force-wide type-ahead send no statement for
    their rows: on PostgreSQL a term such as '(club)' rechecks every community with 'club' (the
    trigram index ignores punctuation), 50-70 ms at 100,000 communities for each statement."""
    from portal.outreach.queries import community_matches

    auth.login("admin")
    for term in ("(zzqx)", "zzqx", "qq"):
        listed = _sent_by(lambda term=term: client.get("/communities", query_string={"q": term},
                                                       headers={"HX-Request": "true"}))
        on_communities = [s for s, _ in listed if "FROM communities " in s and "LIMIT" in s]
        assert len(on_communities) == 1, on_communities  # the count
        assert "count(" in on_communities[0].lower()
        typed = _sent_by(lambda term=term: community_matches(users["admin"], term))
        assert ["count(" in s.lower() for s, _ in typed if "FROM communities " in s] == [True], typed
    assert "Lewes Park Residents" in client.get("/communities", query_string={"q": "lewes"}).get_data(as_text=True)

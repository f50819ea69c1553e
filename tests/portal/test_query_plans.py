"""Query plans of the hot queries on PostgreSQL, with enough rows and fresh statistics.

A database of its own is filled by the scale generator (60,000 communities across 50
areas, with contacts, stage changes and samples), ANALYZEd, and each hot query — imported
from the feature's own query module and compiled, not re-written here — is EXPLAINed.
None may read a large table with a sequential scan.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.extensions import db
from portal.models import Area, Community, User
from tests.conftest import POSTGRES_URL, base_config

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
# Enough that a sequential scan of communities costs more than the trigram index (at ~10,000
# rows PostgreSQL rightly prefers scanning the table); light history keeps the fixture quick.
COMMUNITIES = 60_000
LARGE = {"communities", "community_tags", "outreach_contacts", "stage_changes", "activity_samples",
         "feeds", "assessments"}


@pytest.fixture(scope="module")
def plan_app(postgres_server_url, tmp_path_factory) -> Iterator:
    from flask_migrate import upgrade

    from portal.scale import generate

    name = f"lr_plans_{uuid.uuid4().hex[:8]}"
    admin = POSTGRES_URL.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    app = create_app(base_config(f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}", tmp_path_factory.mktemp("plans")))
    try:
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            generate(COMMUNITIES, contacts_per=2, events_per=3, seed=11)  # ANALYZEs what it filled
            admin_user = User(email="plans-admin@tests.example.org", display_name="Admin", role="admin")
            three_areas = db.session.scalars(select(Area).where(Area.slug.like("scale-%")).order_by(Area.id).limit(3))
            supervisor = User(email="plans-supervisor@tests.example.org", display_name="Supervisor",
                              role="supervisor", areas=list(three_areas))
            db.session.add_all([admin_user, supervisor])
            db.session.commit()
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def explain(stmt) -> dict:
    """EXPLAIN (FORMAT JSON) a SQLAlchemy statement as the application would send it."""
    conn = db.session.connection()
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    rows = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params).scalar()
    return rows[0]["Plan"]


def seq_scans(plan: dict) -> list[str]:
    found = []
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in LARGE:
        found.append(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found += seq_scans(child)
    return found


def assert_indexed(stmt) -> dict:
    plan = explain(stmt)
    assert seq_scans(plan) == [], f"sequential scan in plan:\n{plan}"
    return plan


def _paginated(query, page: int = 1, per_page: int = 25):
    """The two statements db.paginate sends: the page and the total count."""
    count = select(func.count()).select_from(query.order_by(None).subquery())
    return query.limit(per_page).offset((page - 1) * per_page), count


def _catalogue(user: User, f, page: int = 1, per_page: int = 25):
    """The list's page statement (its ids picked, then their rows read) and a count of its matches."""
    from portal.communities.queries import catalogue_keys, catalogue_page

    keys, count = _paginated(catalogue_keys(user, f), page=page, per_page=per_page)
    return catalogue_page(keys, f), count


@pytest.fixture
def officer(plan_app) -> User:
    area = db.session.scalar(select(Area).where(Area.slug == "scale-07"))
    return next(u for u in area.users if u.role == "officer")


@pytest.fixture
def admin(plan_app) -> User:
    return db.session.scalar(select(User).where(User.role == "admin"))


def test_the_data_set_is_large_enough(plan_app):
    assert db.session.scalar(select(func.count()).select_from(Community)) == COMMUNITIES


@pytest.mark.parametrize("q", ["", "Residents", "c4242"])
@pytest.mark.parametrize("page", [1, 8])
def test_officer_community_list_and_search(officer, q, page):
    from portal.communities.queries import CatalogueFilter

    for stmt in _catalogue(officer, CatalogueFilter(q=q), page=page):
        assert_indexed(stmt)


@pytest.mark.parametrize("q", ["Residents Forum", "c4242.example"])
def test_force_wide_search(admin, q):
    from portal.communities.queries import CatalogueFilter

    page, _count = _catalogue(admin, CatalogueFilter(q=q))
    assert_indexed(page)


def test_dashboard_recent_contacts(officer):
    from sqlalchemy.orm import joinedload

    from portal.main import dashboard
    from portal.models import OutreachContact

    # The statement dashboard_summary sends for recent contacts (kept in step by the check below).
    stmt = (select(OutreachContact).options(joinedload(OutreachContact.community))
            .where(OutreachContact.officer_id == officer.id)
            .order_by(OutreachContact.occurred_at.desc()).limit(5))
    from pathlib import Path

    assert "order_by(OutreachContact.occurred_at.desc())" in Path(dashboard.__file__).read_text()
    assert_indexed(stmt)


def _sent(*calls) -> list[tuple[str, object]]:
    """The statements (and parameters) these calls send, as they send them."""
    from sqlalchemy import event

    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        for call in calls:
            call()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    return statements


def _plan(statement: str, parameters) -> dict:
    return db.session.connection().exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar()[0]["Plan"]


def _nodes(plan: dict) -> Iterator[dict]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _relations(plan: dict) -> set[str]:
    return ({plan["Relation Name"]} if "Relation Name" in plan else set()).union(
        *(_relations(child) for child in plan.get("Plans", [])))


@pytest.mark.parametrize("q", ["", "Residents"])
def test_officer_list_counts_read_only_the_index(officer, q):
    from portal.communities import queries

    assert officer.area_ids  # loaded before the capture
    cap = queries.SEARCH_COUNT_CAP if q else None  # as the list sends it: a search counts to the cap
    (statement, parameters), = _sent(lambda: queries.stage_counts(officer, queries.CatalogueFilter(q=q), cap=cap))
    assert ("LIMIT" in statement.upper()) == bool(q)
    plan = _plan(statement, parameters)
    assert seq_scans(plan) == [], f"sequential scan in plan:\n{plan}"
    reads = {(node["Node Type"], node.get("Index Name")) for node in _nodes(plan) if "Scan" in node["Node Type"]}
    # The area's communities are counted from an index alone, with a search too (the term is
    # looked for in an expression the force-wide trigram index cannot serve).
    area_index_only = {("Index Only Scan", name) for name in ("ix_communities_area_listing",
                                                              "ix_communities_area_status_stage")}
    assert reads, f"the area's communities are read from their rows:\n{plan}"
    assert reads <= area_index_only, f"the area's communities are read from their rows:\n{plan}"


@pytest.mark.parametrize("stage", ["", "two_way", "approached"])
@pytest.mark.parametrize("q", ["Residents", "club", "c4242"])
def test_officer_search_reads_the_area_not_the_trigram_index(officer, q, stage):
    """Within one area the search reads the area's rows from its indexes: the trigram index's
    bitmap covers the whole force (measured 3-6 ms against 1 ms at 100,000 communities)."""
    from portal.communities import queries

    assert len(officer.area_ids) == 1
    f = queries.CatalogueFilter(q=q, stage=stage)
    for stmt in _catalogue(officer, f):
        plan = assert_indexed(stmt)
        used = {node.get("Index Name") for node in _nodes(plan)}
        assert "ix_communities_search_trgm" not in used, f"the force-wide trigram index in:\n{plan}"
        assert used & {"ix_communities_area_name", "ix_communities_area_status_stage", "ix_communities_area_listing"}, \
            f"the area's communities not read by the area's indexes:\n{plan}"


@pytest.mark.parametrize("sort", ["name", "last_contact"])
@pytest.mark.parametrize("stage", ["", "two_way"])
@pytest.mark.parametrize("q", ["", "club", "c4242"])
def test_officer_list_reads_only_its_page_rows(officer, q, stage, sort):
    """The page's ids come from the area's listing index alone (in name order, the search term
    and stage read from the index); only the page's own rows are then read, by primary key.
    Reading the rows while searching visited every community of the area (3.2 ms against
    0.5 ms at 100,000 communities when a search finds nothing)."""
    from portal.communities import queries
    from portal.pagination import paginate

    assert len(officer.area_ids) == 1
    f = queries.CatalogueFilter(q=q, stage=stage, sort=sort)
    (statement, parameters), = _sent(lambda: paginate(
        queries.catalogue_keys(officer, f), page=1, per_page=25, total=100, rows=True,
        read_page=lambda keys: queries.catalogue_page(keys, f)).items)
    plan = _plan(statement, parameters)
    assert seq_scans(plan) == [], f"sequential scan in plan:\n{plan}"
    reads = {(node["Node Type"], node.get("Index Name")) for node in _nodes(plan)
             if node.get("Relation Name") == "communities"}
    if sort == "name":
        assert ("Index Only Scan", "ix_communities_area_listing") in reads, f"the page's ids not from the index:\n{plan}"
    # Whatever picks the ids, the rows shown are read by id, and no other step reads rows of
    # the area only to drop them (the plan's only heap visits are the page's own).
    picked = reads - {("Index Scan", "pk_communities")}
    assert len(picked) == 1, f"the area's communities read more than once:\n{plan}"
    if sort == "name":
        assert picked == {("Index Only Scan", "ix_communities_area_listing")}, plan


@pytest.mark.parametrize("q", ["club", "c4242", "zzz-nothing"])
def test_quick_log_type_ahead_reads_only_the_matches_rows(officer, q):
    """Each keystroke of the quick log's community search: the matches' ids from the area's
    listing index alone, then those rows by primary key (matching name and address with ILIKE
    read every community of the area: 1.5 ms against 0.4 ms a keystroke at 100,000 communities)."""
    from portal.outreach.queries import community_matches

    assert officer.area_ids
    (statement, parameters), = _sent(lambda: community_matches(officer, q))
    plan = _plan(statement, parameters)
    assert seq_scans(plan) == [], f"sequential scan in plan:\n{plan}"
    reads = {(node["Node Type"], node.get("Index Name")) for node in _nodes(plan)
             if node.get("Relation Name") == "communities"}
    assert reads <= {("Index Only Scan", "ix_communities_area_listing"), ("Index Scan", "pk_communities")}, plan
    assert ("Index Only Scan", "ix_communities_area_listing") in reads, plan


@pytest.mark.parametrize("q", ["Residents", "club"])
def test_search_across_several_areas_stays_indexed(plan_app, q):
    """Across several areas the trigram index stays usable (one area's name index no longer gives
    the order); whichever plan PostgreSQL picks, it reads no large table in full."""
    from portal.communities import queries

    supervisor = db.session.scalar(select(User).where(User.email == "plans-supervisor@tests.example.org"))
    assert len(supervisor.area_ids) == 3
    for stmt in _catalogue(supervisor, queries.CatalogueFilter(q=q)):
        assert_indexed(stmt)


def test_force_wide_search_may_use_the_trigram_index(admin):
    from portal.communities import queries

    page, _count = _catalogue(admin, queries.CatalogueFilter(q="c4242"))
    plan = assert_indexed(page)
    assert "ix_communities_search_trgm" in {node.get("Index Name") for node in _nodes(plan)}, plan


def _rows_rechecked(plan: dict) -> int:
    """Rows a bitmap heap scan of communities took from its index and checked (EXPLAIN ANALYZE)."""
    return sum(node.get("Actual Rows", 0) + node.get("Rows Removed by Index Recheck", 0)
               + node.get("Rows Removed by Filter", 0) for node in _nodes(plan)
               if node["Node Type"] == "Bitmap Heap Scan" and node.get("Relation Name") == "communities")


@pytest.mark.parametrize(("q", "word", "slow_before"), [
    ("(residents)", "residents", True), ("(club)", "club", True), ("club,", "club", True), ("^forum", "forum", True),
    ('"club', "club", True), ("c*ub", "club", False), ("park:road", "park", False),
    ("c4242.example", "example", False)])
def test_force_wide_punctuated_search_reads_the_search_key(plan_app, admin, q, word, slow_before):
    """A term with punctuation is looked up in the search key's trigram index (migration 0039),
    which sees the punctuation: its count and page check a handful of communities, not every
    community with the term's words ('club' is in a quarter of them: search_text's trigram index
    drops '(', ',' and '^' and returned them all to be rechecked, 50-70 ms at 100,000)."""
    from werkzeug.datastructures import MultiDict

    from portal.communities import queries

    f = queries.CatalogueFilter.from_args(MultiDict({"q": q}))
    with_word = db.session.scalar(select(func.count()).select_from(Community)
                                  .where(Community.search_text.like(f"%{word}%")))
    assert with_word > 500  # the term's word alone is in many communities
    sent = _sent(lambda: queries.stage_counts(admin, f, cap=queries.SEARCH_COUNT_CAP),
                 lambda: list(db.session.scalars(queries.catalogue_keys(admin, f).limit(25))))
    assert len(sent) == 2
    for statement, parameters in sent:
        plan = _analyzed(statement, parameters)
        used = {node.get("Index Name") for node in _nodes(plan)}
        assert "ix_communities_search_key_trgm" in used, plan
        assert "ix_communities_search_trgm" not in used, plan
        assert seq_scans(plan) == [], plan
        assert _rows_rechecked(plan) <= 20, plan
    if slow_before:  # without the key: every community with the word is checked
        plan_app.config["CATALOGUE_SEARCH_KEY"] = False
        try:
            (statement, parameters), = _sent(lambda: queries.stage_counts(
                admin, queries.CatalogueFilter.from_args(MultiDict({"q": q})), cap=queries.SEARCH_COUNT_CAP))
        finally:
            plan_app.config["CATALOGUE_SEARCH_KEY"] = True
        assert _rows_rechecked(_analyzed(statement, parameters)) > 500


def _analyzed(statement: str, parameters) -> dict:
    return db.session.connection().exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}",
                                                   parameters).scalar()[0]["Plan"]


def test_officer_tag_choices_read_the_area_counts_not_the_tags(officer):
    from portal.communities import queries

    assert officer.area_ids
    (statement, parameters), = _sent(lambda: queries.tags_in_use(officer))
    plan = _plan(statement, parameters)
    assert _relations(plan) == {"area_tags"}, f"tags read from the large tables:\n{plan}"


def test_community_page_queries(officer):
    from portal.communities import charts
    from portal.communities.timeline import timeline_page
    from portal.models import OutreachContact
    from portal.outreach.services import suggestion_for

    # A community whose newest contact is after its last stage change: the evidence check runs.
    community = db.session.scalar(
        select(Community).where(Community.area_id.in_(officer.area_ids), Community.last_contact_at.is_not(None),
                                Community.last_contact_at > Community.stage_changed_at).limit(1))
    assert db.session.scalar(select(func.count()).select_from(OutreachContact)
                             .where(OutreachContact.community_id == community.id))
    statements = _sent(lambda: suggestion_for(community), lambda: timeline_page(community.id),
                       lambda: charts.activity_sparkline(community.id), lambda: charts.assessment_trend(community.id))
    assert any("evidence_contact_id" in s for s, _ in statements)
    for statement, parameters in statements:
        plan = _plan(statement, parameters)
        assert seq_scans(plan) == [], f"sequential scan in plan:\n{statement}\n{plan}"


@pytest.mark.parametrize(("who", "q"), [
    ("admin", "club"),  # a quarter of the force
    ("admin", "ex"),  # two letters: no trigram
    ("supervisor", "example"),  # every address: all 3,600 of the supervisor's three areas
])
def test_force_wide_common_word_walks_the_names_and_stops_at_the_page(plan_app, admin, who, q):
    """A term in more than the count's cap across several areas: the list's page and the
    type-ahead read their ids by walking migration 0035's index of active communities in name
    order, from the index alone, and stop at the page's last match: no sort of every match
    (a Sort node), no trigram bitmap of the force, no area index. Reading every match of 'club'
    (15,000 of these 60,000) and sorting them took 76-85 ms at 100,000 communities (EXPLAIN ANALYZE)."""
    from portal.communities import queries
    from portal.outreach.queries import community_matches
    from portal.pagination import paginate

    user = admin if who == "admin" else db.session.scalar(
        select(User).where(User.email == "plans-supervisor@tests.example.org"))
    assert user.area_ids or not user.area_bound  # loaded before the capture
    f = queries.CatalogueFilter(q=q)
    counts = queries.stage_counts(user, f, cap=queries.SEARCH_COUNT_CAP)
    assert counts.capped, f"{q!r} is in fewer than the cap here: the walk is not what the list sends"
    listed = _sent(lambda: paginate(queries.catalogue_keys(user, f, many=counts.capped), page=2, per_page=25,
                                    total=counts.matching, rows=True,
                                    read_page=lambda keys: queries.catalogue_page(keys, f)).items)
    typed = [s for s in _sent(lambda: community_matches(user, q)) if "count(" not in s[0].lower()]
    for (statement, parameters), in (listed, typed):
        plan = _plan(statement, parameters)
        assert seq_scans(plan) == [], f"sequential scan in plan:\n{plan}"
        reads = {(node["Node Type"], node.get("Index Name")) for node in _nodes(plan)
                 if node.get("Relation Name") == "communities"}
        assert reads == {("Index Only Scan", "ix_communities_active_by_name"), ("Index Scan", "pk_communities")}, plan
        walk = next(node for node in _nodes(plan) if node.get("Index Name") == "ix_communities_active_by_name")
        # The page's LIMIT reads the walk directly: nothing between them sorts (the 25 or 8
        # rows read by id are put in order above it, which costs the same at any size).
        page = [node for node in _nodes(plan) if node["Node Type"] == "Limit" and any(n is walk for n in _nodes(node))]
        assert len(page) == 1, plan
        assert not [node for node in _nodes(page[0]) if node["Node Type"] == "Sort"], f"every match sorted:\n{plan}"


def _generic_plan(statement: str, parameters: dict) -> dict:
    """EXPLAIN ANALYZE of the generic plan PostgreSQL keeps for a statement that psycopg has
    prepared (it does so once a statement has run five times): the statement as sent, prepared on
    the server with plan_cache_mode = force_generic_plan, then EXECUTEd with its values."""
    import re

    raw = db.session.connection().connection.dbapi_connection
    names = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", statement)))  # psycopg's $1, $2, ... in this order
    raw.execute("SET plan_cache_mode = force_generic_plan")
    try:
        raw.execute(statement, parameters, prepare=True)
        name = raw.execute("SELECT name FROM pg_prepared_statements WHERE statement LIKE '%count(*)%' "
                           "ORDER BY prepare_time DESC LIMIT 1").fetchone()[0]
        values = ", ".join(["%s"] * len(names))
        with psycopg.ClientCursor(raw) as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE {name}({values})",
                           [parameters[n] for n in names])
            return cursor.fetchone()[0][0]["Plan"]
    finally:
        raw.execute("RESET plan_cache_mode")


@pytest.fixture
def every_area_supervisor(plan_app) -> User:
    """A supervisor of all 50 areas: the search statement names each area (an admin's names none)."""
    email = "plans-every-area@tests.example.org"
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, display_name="Every area", role="supervisor",
                    areas=list(db.session.scalars(select(Area))))
        db.session.add(user)
        db.session.commit()
    return user


@pytest.mark.parametrize("q", ["zzqx", "road", "Residents"])
def test_force_wide_count_keeps_a_good_plan_once_prepared(every_area_supervisor, q):
    """The capped count's LIMIT is written into the statement: bound as a parameter, the generic
    plan (psycopg prepares a statement after five runs) did not know it, took a tenth of its guess
    of the matches as enough and filtered the area listing index, which reads every community
    when a force-wide term is found nowhere (43-65 ms at 100,000: 'zzqx', 'road', 'watch')."""
    from werkzeug.datastructures import MultiDict

    from portal.communities import queries

    f = queries.CatalogueFilter.from_args(MultiDict({"q": q}))
    user = every_area_supervisor
    assert len(user.area_ids) == 50
    (statement, parameters), = _sent(lambda: queries.stage_counts(user, f, cap=queries.SEARCH_COUNT_CAP))
    plan = _generic_plan(statement, parameters)
    assert seq_scans(plan) == [], plan
    read = sum(node.get("Rows Removed by Filter", 0) + node.get("Actual Rows", 0) for node in _nodes(plan)
               if "Scan" in node["Node Type"] and node.get("Relation Name") == "communities")
    assert read <= 2 * (queries.SEARCH_COUNT_CAP + 1), plan
    assert f"LIMIT {queries.SEARCH_COUNT_CAP + 1}" in statement

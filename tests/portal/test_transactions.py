"""A request that only read ends with COMMIT on PostgreSQL (its prepared statements live on);
one that wrote anything still ends with ROLLBACK (portal/transactions.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text, update

from portal.access import public
from portal.extensions import db
from portal.models import Area, Community

pytestmark = pytest.mark.postgres


@pytest.fixture
def app_config(app_config):
    if not app_config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL only (psycopg's prepared statements): run with LOCAL_REACH_TEST_DB=postgresql")
    # One pooled connection: every request, and the test's own reads, use the same server
    # backend, whose prepared statements the test can then list.
    return {**app_config, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0, "pool_timeout": 5}}


def _prepared_statements() -> list[str]:
    statements = list(db.session.scalars(text("SELECT statement FROM pg_prepared_statements")))
    db.session.rollback()  # give the one connection back for the next request
    return statements


def test_a_read_only_page_keeps_its_statements_prepared_across_requests(app, client, auth, area):
    auth.login("officer")
    db.session.rollback()
    for _ in range(6):  # psycopg prepares a statement on its fifth run on a connection
        assert client.get("/communities").status_code == 200

    prepared = _prepared_statements()
    # A rollback at the end of each request would have deallocated them all.
    assert any("FROM communities" in statement for statement in prepared)


def _count(model) -> int:
    count = db.session.scalar(select(func.count()).select_from(model))
    db.session.rollback()
    return count


def _add_route(app, rule, view):
    app.add_url_rule(rule, endpoint=rule, view_func=public(view), methods=["POST"])


def test_what_a_request_wrote_without_committing_is_still_thrown_away(app, client, area):
    area_id = area.id  # read now: the test's session must not need the one connection during a request

    def flush_a_community():
        db.session.add(Community(area_id=area_id, name="Never kept", platform="forum"))
        db.session.flush()  # sent to the server; no longer "new" in the session
        return "flushed"

    def change_a_name_in_the_session():
        db.session.get(Area, area_id).name = "Never renamed"  # dirty, not flushed
        return "changed"

    def update_with_sql():
        db.session.execute(update(Area).where(Area.id == area_id).values(name="Never updated"))
        return "updated"

    for rule, view in (("/_t/flush", flush_a_community), ("/_t/dirty", change_a_name_in_the_session),
                       ("/_t/update", update_with_sql)):
        _add_route(app, rule, view)
    db.session.rollback()
    communities = _count(Community)

    for rule in ("/_t/flush", "/_t/dirty", "/_t/update"):
        assert client.post(rule).status_code == 200

    assert _count(Community) == communities
    assert db.session.get(Area, area_id).name == "Test Town"


def test_a_request_that_failed_after_writing_is_rolled_back(app, client, area):
    area_id = area.id

    def fail_after_flushing():
        db.session.add(Community(area_id=area_id, name="Never kept", platform="forum"))
        db.session.flush()
        raise RuntimeError("the view failed")

    _add_route(app, "/_t/fail", fail_after_flushing)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    db.session.rollback()
    communities = _count(Community)

    assert client.post("/_t/fail").status_code == 500
    assert _count(Community) == communities

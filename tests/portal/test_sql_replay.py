"""benchmarks/sql_replay.py: a page's own SQL, recorded and replayed on bare Flask (issue 8's peer figure).

The benchmark's claim that a page "can go no faster than its replay" holds only if the replay
really runs the page's statements, with their values, writes included; these tests check that.
"""
from __future__ import annotations

import pickle

import pytest
from jinja2 import Template
from sqlalchemy import func, select

from benchmarks.sql_replay import close_connections, make_app, record_statements
from benchmarks.web_load import scenarios
from portal.models import AuditEvent, Community


@pytest.fixture
def community(app, area, db_session):
    made = Community(area_id=area.id, name="Lewes Residents' Forum", platform="forum")
    db_session.add(made)
    db_session.commit()
    return made


def _audit_views(db_session) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "view"))


def test_every_statement_of_a_page_is_recorded_with_its_values(app, client, auth, community):
    auth.login("officer")
    captured = record_statements(app, client, ["/communities", f"/communities/{community.id}"])

    listing = captured["/communities"]
    assert len(listing) >= 3  # the sign-in check, the per-stage counts and the page of rows at least
    assert any("FROM communities" in statement for statement, _ in listing)
    page = captured[f"/communities/{community.id}"]
    # On PostgreSQL the read audit is one statement (WITH appended AS (INSERT INTO audit_events …)
    # UPDATE audit_chain …); on SQLite an INSERT of its own.
    inserts = [values for statement, values in page if "INSERT INTO audit_events" in statement]
    assert len(inserts) == 1  # the view's audit event, recorded with what it writes
    values = inserts[0].values() if isinstance(inserts[0], dict) else inserts[0]  # PostgreSQL names them
    assert str(community.id) in values


@pytest.mark.postgres
def test_a_replay_runs_the_page_s_statements_and_commits_its_writes(app, client, auth, community, db_session,
                                                                    database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("the replay runs on raw psycopg: run with LOCAL_REACH_TEST_DB=postgresql")
    auth.login("officer")
    path = f"/communities/{community.id}"
    replay_file = tmp_path / "replay.pickle"
    replay_file.write_bytes(pickle.dumps(record_statements(app, client, [path])))
    views = _audit_views(db_session)

    replay_app = make_app(str(replay_file), Template("{{ rows | length }} rows"), [{"id": 1}, {"id": 2}],
                          database_url=database_url)
    try:
        response = replay_app.test_client().get(path)
        missing = replay_app.test_client().get("/communities/999999")
    finally:
        close_connections(replay_app)

    assert response.status_code == 200
    assert response.get_data(as_text=True) == "2 rows"
    # Its audit writes ran (the chain head's lock, the INSERT … RETURNING) inside a savepoint that
    # was undone: the recorded chain position is taken, and the portal beside the replay must
    # find the chain as it left it. Its transaction is still committed, as the page's is.
    assert _audit_views(db_session) == views
    auth.login("officer")
    assert client.get(path).status_code == 200  # the portal's next audited read still chains on
    assert _audit_views(db_session) == views + 1
    assert missing.status_code == 404  # only what was recorded


class _Answers:
    """A stand-in for web_load's signed-in httpx client: every probed page exists."""

    status_code = 200

    def get(self, path: str) -> _Answers:  # noqa: ARG002 - any path
        return self


def test_every_main_officer_page_is_loaded_beside_its_sql_alone():
    # Issue 26 target 2 compares each main officer page with its own SQL on bare Flask: a page
    # without its peer in the plan cannot be measured.
    plan = scenarios(_Answers(), _Answers(), [7, 8], charts=[])
    peers = {item["peer_of"]: item for item in plan if item.get("peer_of")}
    for name, path in (("home", "/home"), ("quick-log form", "/contacts/new"), ("follow-ups", "/follow-ups"),
                       ("community page", "/communities/7")):
        page = next(item for item in plan if item["name"] == name)
        assert path in page["paths"]
        assert not page["missing"]
        assert "/_replay" + path in peers[name]["paths"]
        assert not peers[name]["missing"]


@pytest.mark.postgres
def test_home_quick_log_form_and_follow_ups_replay_with_their_read_audit(app, client, auth, community, db_session,
                                                                        database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("the replay runs on raw psycopg: run with LOCAL_REACH_TEST_DB=postgresql")
    auth.login("officer")
    paths = ["/home", "/contacts/new", "/follow-ups"]
    captured = record_statements(app, client, paths)
    for path in paths:  # each is an audited read: its row is among what the peer replays
        assert any("INSERT INTO audit_events" in statement for statement, _ in captured[path]), path
    replay_file = tmp_path / "replay.pickle"
    replay_file.write_bytes(pickle.dumps(captured))
    views = _audit_views(db_session)

    replay_app = make_app(str(replay_file), Template("{{ rows | length }} rows"), [{"id": 1}],
                          database_url=database_url)
    try:
        answers = [replay_app.test_client().get(path) for path in paths]
    finally:
        close_connections(replay_app)

    assert [(a.status_code, a.get_data(as_text=True)) for a in answers] == [(200, "1 rows")] * 3
    assert _audit_views(db_session) == views  # the replayed audit rows were undone

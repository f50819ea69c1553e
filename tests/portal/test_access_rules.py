"""The access gate's own rules, on a two-route app: fast enough to rerun for every mutant.

tests/portal/test_access.py walks every real route × role; this file pins each branch of
portal/access.py (declaring rules, reading them, the hook, the area checks) one by one.
"""
from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask_login import LoginManager
from werkzeug.exceptions import Forbidden, NotFound

from portal.access import ANY_USER, PUBLIC, allow, enforce, get_in_area, public, require_area, rule_for
from portal.models import ROLES


class _Person:
    """A signed-in user as the gate sees one: a role and the areas it works."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, role: str, areas: frozenset[int] = frozenset()):
        self.role, self.areas = role, areas

    def get_id(self) -> str:
        return self.role

    def can_see_area(self, area_id):
        return area_id in self.areas


@pytest.fixture
def gate_app():
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", TESTING=True)
    login = LoginManager(app)

    @login.request_loader
    def _from_header(request):
        role = request.headers.get("X-Role")
        return _Person(role, frozenset({1})) if role else None

    @login.unauthorized_handler
    def _sign_in_first():
        return "sign in first", 401

    app.before_request(enforce)
    app.add_url_rule("/open", "open", public(lambda: "open"))
    app.add_url_rule("/staff", "staff", allow("officer", "supervisor")(lambda: "staff"))
    app.add_url_rule("/anyone", "anyone", allow(ANY_USER)(lambda: "anyone"))
    app.add_url_rule("/forgotten", "forgotten", lambda: "forgotten")
    return app


def _status(app, path, role=None):
    headers = {"X-Role": role} if role else {}
    return app.test_client().get(path, headers=headers).status_code


def test_allow_records_exactly_the_roles_named():
    view = allow("officer", "auditor")(lambda: None)
    assert view.allowed_roles == frozenset({"officer", "auditor"})


def test_any_user_means_every_role_and_nothing_else():
    view = allow(ANY_USER)(lambda: None)
    assert view.allowed_roles == frozenset(ROLES)
    assert ANY_USER not in view.allowed_roles
    assert allow("officer", ANY_USER)(lambda: None).allowed_roles == frozenset(ROLES)


def test_allow_returns_the_view_itself():
    def view():
        return "x"
    assert allow("admin")(view) is view
    assert public(view) is view


@pytest.mark.parametrize("roles", [(), ("sheriff",), ("officer", "sherif"), ("public",)])
def test_allow_refuses_no_roles_or_an_unknown_one(roles):
    with pytest.raises(ValueError, match="unknown roles"):
        allow(*roles)


def test_public_marks_the_view_public():
    assert public(lambda: None).allowed_roles == PUBLIC == "public"


def test_rule_for_reads_the_declared_rule(gate_app):
    assert rule_for(gate_app, None) is None
    assert rule_for(gate_app, "static") == PUBLIC
    assert rule_for(gate_app, "open") == PUBLIC
    assert rule_for(gate_app, "staff") == frozenset({"officer", "supervisor"})
    assert rule_for(gate_app, "forgotten") is None
    assert rule_for(gate_app, "no.such.endpoint") is None


@pytest.mark.parametrize(("path", "role", "status"), [
    ("/open", None, 200),
    ("/open", "auditor", 200),
    ("/staff", None, 401),
    ("/staff", "officer", 200),
    ("/staff", "supervisor", 200),
    ("/staff", "researcher", 403),
    ("/staff", "admin", 403),
    ("/anyone", None, 401),
    ("/anyone", "auditor", 200),
    ("/forgotten", None, 403),
    ("/forgotten", "admin", 403),
    ("/nowhere", None, 404),
    ("/nowhere", "admin", 404),
])
def test_the_hook_lets_through_only_what_the_rule_allows(gate_app, path, role, status):
    assert _status(gate_app, path, role) == status


def test_a_route_without_a_rule_is_refused_and_logged(gate_app, caplog):
    with caplog.at_level(logging.ERROR):
        assert _status(gate_app, "/forgotten", "officer") == 403
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [
        "route forgotten has no access rule; refusing"]


def test_the_hook_answers_nothing_for_an_allowed_request(gate_app):
    with gate_app.test_request_context("/open"):
        assert enforce() is None
    with gate_app.test_request_context("/nowhere"):
        assert enforce() is None


def test_require_area_refuses_another_area(gate_app):
    with gate_app.test_request_context("/staff", headers={"X-Role": "officer"}):
        assert require_area(1) is None
        with pytest.raises(Forbidden):
            require_area(2)
        with pytest.raises(Forbidden):
            require_area(None)


def test_get_in_area_finds_then_checks_the_area(app, users, area, db_session):
    from flask_login import login_user

    from portal.models import Area, Community

    other = Area(slug="elsewhere", name="Elsewhere", profile={})
    db_session.add(other)
    db_session.flush()
    ours = Community(name="Ours", url="https://ours.example/", area_id=area.id, platform="blog", status="active")
    theirs = Community(name="Theirs", url="https://theirs.example/", area_id=other.id, platform="blog",
                       status="active")
    db_session.add_all([ours, theirs])
    db_session.commit()
    with app.test_request_context("/"):
        login_user(users["officer"])
        assert get_in_area(Community, ours.id) is ours
        with pytest.raises(Forbidden):
            get_in_area(Community, theirs.id)
        with pytest.raises(NotFound):
            get_in_area(Community, theirs.id + 1000)
        # area_of says where the record's area is, read from the record it is given
        areas = {ours.id: other.id, theirs.id: area.id}  # swapped on purpose
        assert get_in_area(Community, theirs.id, area_of=lambda c: areas[c.id]) is theirs
        with pytest.raises(Forbidden):
            get_in_area(Community, ours.id, area_of=lambda c: areas[c.id])


def test_get_in_area_loads_what_the_options_ask_for(app, users, area, db_session):
    from flask_login import login_user
    from sqlalchemy import inspect
    from sqlalchemy.orm import selectinload

    from portal.models import Community

    community = Community(name="Ours", url="https://ours.example/", area_id=area.id, platform="blog",
                          status="active")
    db_session.add(community)
    db_session.commit()
    community_id = community.id
    db_session.expunge(community)
    with app.test_request_context("/"):
        login_user(users["officer"])
        plain = get_in_area(Community, community_id)
        assert "feeds" not in inspect(plain).dict  # lazy: not loaded until asked
        db_session.expunge(plain)
        loaded = get_in_area(Community, community_id, options=[selectinload(Community.feeds)])
        assert "feeds" in inspect(loaded).dict

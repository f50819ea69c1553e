"""Every registered route × every role: each route declares a rule and the rule holds."""
from __future__ import annotations

import re

import pytest
from werkzeug.routing.converters import NumberConverter

from portal.access import PUBLIC, rule_for
from portal.models import ROLES
from tests.conftest import ROLE_EMAILS, PASSWORD

MISSING_ID = 999_999


def _build_url(rule) -> str:
    """Fill a rule's URL parameters with values that name no existing record."""
    url = rule.rule
    for name, converter in rule._converters.items():  # noqa: SLF001
        kind = type(converter).__name__
        value = str(MISSING_ID) if isinstance(converter, NumberConverter) else "x" * 24
        if kind == "PathConverter":
            value = "missing/file.txt"
        url = re.sub(rf"<(?:[^>:]+:)?{name}>", value, url)
    return url


def _routes(app):
    for rule in app.url_map.iter_rules():
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        yield rule, methods


def test_every_route_declares_an_access_rule(app):
    missing = [rule.endpoint for rule, _ in _routes(app) if rule_for(app, rule.endpoint) is None]
    assert missing == [], f"routes without an access rule: {missing}"


def test_route_table_is_not_trivially_small(app):
    endpoints = {rule.endpoint for rule, _ in _routes(app)}
    assert {"auth.login", "main.dashboard", "admin.users", "communities.list_communities"} <= endpoints


def _signed_in_client(app, role):
    client = app.test_client()
    if role is not None:
        response = client.post("/login", data={"email": ROLE_EMAILS[role], "password": PASSWORD})
        assert response.status_code == 302, f"could not sign in as {role}"
    return client


@pytest.mark.parametrize("role", [*ROLES, None])
def test_each_role_gets_exactly_what_the_rules_allow(app, users, role):
    checked = 0
    client = _signed_in_client(app, role)
    for rule, methods in _routes(app):
        if rule.endpoint == "static":
            continue
        allowed = rule_for(app, rule.endpoint)
        url = _build_url(rule)
        for method in methods:
            response = client.open(url, method=method)
            checked += 1
            where = f"{method} {url} ({rule.endpoint}) as {role or 'anonymous'}"
            assert response.status_code < 500, f"{where} crashed with {response.status_code}"
            if allowed == PUBLIC:
                assert response.status_code != 403, f"{where} is public but was refused"
            elif role is None:
                assert response.status_code == 302, f"{where} should send anonymous users to sign in, got {response.status_code}"
                assert "/login" in response.headers["Location"], f"{where} should send anonymous users to sign in, got {response.status_code}"
            elif role in allowed:
                assert response.status_code != 403, f"{where} should be allowed, got 403"
            else:
                assert response.status_code == 403, f"{where} should be refused, got {response.status_code}"
            if rule.endpoint == "auth.logout":  # sign back in for the remaining routes
                client = _signed_in_client(app, role)
    assert checked > 10


def test_the_area_scope_keeps_area_bound_roles_to_their_areas_and_nothing_when_they_have_none(app, users, area):
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Area, Community, User

    other = Area(slug="elsewhere", name="Elsewhere", profile={})
    db.session.add(other)
    db.session.flush()
    for name, where in (("Ours", area), ("Theirs", other)):
        db.session.add(Community(name=name, url=f"https://{name.lower()}.example/", area_id=where.id,
                                 platform="blog", status="active"))
    newcomer = User(email="new@test.example", display_name="New officer", role="officer")
    db.session.add(newcomer)
    db.session.commit()

    def names(user):
        return sorted(db.session.scalars(user.scope(select(Community.name), Community.area_id)))

    for role in ("officer", "supervisor"):
        assert users[role].area_bound
        assert names(users[role]) == ["Ours"]
        assert [a.slug for a in users[role].visible_areas()] == ["test-town"]
    for role in ("researcher", "admin", "auditor"):
        assert not users[role].area_bound
        assert names(users[role]) == ["Ours", "Theirs"]
        assert [a.name for a in users[role].visible_areas()] == ["Elsewhere", "Test Town"]
    assert names(newcomer) == []
    assert not newcomer.can_see_area(area.id)

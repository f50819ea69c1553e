"""Fuzz every route (issue 27.7): hostile form and query values, as every role that may use it, never give a 500 or hang.

Routes come from the URL map and their URLs name real records (tests/portal/route_walk.py), so
examples reach past "not found". Parameter names are read from the page's own forms (GET of
the same URL), from the view module's reads of ``request.args`` / ``request.form`` and the
``portal.params`` helpers, plus common list and filter names. Values mix the reported bad
inputs (huge ids and pages, dates at the end of the calendar, empty choices) with random text.

How hard it tries is a Hypothesis settings profile: ``LOCAL_REACH_FUZZ=ci`` (default: a
deterministic, bounded run for CI) or ``LOCAL_REACH_FUZZ=thorough`` (random, 20 times the
examples). The number of requests tried is printed at the end of the run.
"""
from __future__ import annotations

import inspect
import os
import re
import sys
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal import create_app
from tests.portal.hang_guard import no_hang
from tests.portal.route_walk import fill, make_records, routes, signed_in

settings.register_profile("ci", max_examples=12, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=240, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PROFILE = settings.get_profile(os.environ.get("LOCAL_REACH_FUZZ", "ci"))

HOSTILE = [
    "", " ", "0", "-1", "1", "2", "99999999999", "-99999999999", "9" * 30, "1e20", "1e309", "NaN", "0x10",
    "1.5", " 7 ", "\uff11\uff12", "true", "[]", "{}", "null", "9999-12-31", "0001-01-01", "2026-02-30",
    "31/12/2026", "2026-12-31T25:61", "9999-12-31T23:59", "<script>alert(1)</script>", "'; DROP TABLE users; --",
    "../../etc/passwd", "\u202e", "\U0001f4a5" * 50, "a" * 5000, "intelligence", "https://", "javascript:alert(1)",
    "//evil.test/", "/\t/evil.test/", "\r\nSet-Cookie: x=1", "{{7*7}}", "${7*7}", "x@y", "a@" + "b" * 300,
]
#: Values sent to every parameter at once, besides the random examples (the reported 500s).
UNIFORM = ["", "99999999999", "9" * 30, "1e20", "9999-12-31", "-1"]
#: Names many list, search and chart pages read, beside those their forms and views name.
COMMON_NAMES = ["q", "page", "before", "after", "sort", "order", "weeks", "days", "area", "area_id", "platform",
                "stage", "status", "since", "until", "by", "officer", "link", "template", "actor", "community",
                "community_id", "candidate", "communities", "next", "next_url", "object_id", "object_type", "id"]
READS = re.compile(r"""(?:args|form|request\.args|request\.form)(?:\.get|\.getlist|,)\(?\s*["']([a-z_]+)["']""")
NAME_READ = re.compile(r"""arg_\w+\(\s*request\.(?:args|form)\s*,\s*["']([a-z_]+)["']""")


class _FormFields(HTMLParser):
    """Field names of the page's forms, with the values their options and inputs offer."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag in {"input", "textarea", "select", "button"} and name and name != "csrf_token":
            values = self.fields.setdefault(name, [])
            if attrs.get("value"):
                values.append(attrs["value"])
            if tag == "select":
                self._select = name
        elif tag == "option" and self._select and attrs.get("value") is not None:
            self.fields[self._select].append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _names_the_view_reads(app, endpoint: str) -> set[str]:
    module = sys.modules[app.view_functions[endpoint].__module__]
    source = inspect.getsource(module)
    return set(READS.findall(source)) | set(NAME_READ.findall(source))


def _cases():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "TESTING": True})
    for route in routes(app, skip_prefixes=("/static",)):
        for method in route.methods:
            for role in route.roles:
                yield pytest.param(route.rule, route.endpoint, method, role,
                                   id=f"{method}-{route.endpoint}-{role or 'anonymous'}")


def _value(offered: list[str]):
    plain = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=80), st.integers().map(str))
    return st.one_of(st.sampled_from(offered), plain) if offered else plain


@pytest.mark.parametrize(("rule", "endpoint", "method", "role"), list(_cases()))
def test_no_route_answers_500_or_hangs_whatever_it_is_sent(app, area, users, db_session, record_property,
                                                             rule, endpoint, method, role):
    url = fill(rule, make_records(db_session, area, users))
    client = signed_in(app, role)
    with no_hang(f"GET {url}"):
        page = client.get(url)
    parser = _FormFields()
    if page.status_code == 200 and page.mimetype == "text/html":
        parser.feed(page.get_data(as_text=True))
    page.close()
    offered = parser.fields
    names = sorted(set(offered) | _names_the_view_reads(app, endpoint) | set(COMMON_NAMES))
    one_value = {name: _value(offered.get(name, [])) for name in names}
    params = st.dictionaries(st.sampled_from(names), st.just(None), max_size=6).flatmap(
        lambda chosen: st.fixed_dictionaries({name: st.one_of(one_value[name], st.lists(one_value[name], max_size=3))
                                              for name in chosen}))
    tried = {"requests": 1}
    state = {"client": client}

    def send(values, as_fragment):
        headers = {"HX-Request": "true"} if as_fragment else {}
        kwargs = {"data": values, "query_string": values} if method == "POST" else {"query_string": values}
        where = f"{method} {url} as {role or 'anonymous'} with {values!r}"
        with no_hang(where):
            response = state["client"].open(url, method=method, headers=headers, **kwargs)
        response.close()
        tried["requests"] += 1
        assert response.status_code < 500, f"{where} gave {response.status_code}"
        if role and (endpoint == "auth.logout" or "/login" in response.headers.get("Location", "")):
            state["client"] = signed_in(app, role)

    for value in UNIFORM:  # every parameter at once set to one of the reported bad values
        send({name: value for name in names}, False)
    PROFILE(given(params, st.booleans())(send))()
    record_property("fuzz_requests", tried["requests"])
    print(f"{method} {url} as {role or 'anonymous'}: {tried['requests']} requests")


def test_nul_bytes_are_refused_not_crashed(client, auth):
    auth.login("auditor")
    assert client.get("/audit?actor=%00").status_code == 400
    assert client.post("/login", data={"email": "a\x00@example.org", "password": "x"}).status_code == 400


def test_the_walk_covers_every_role_of_a_shared_route():
    cases = {(p.values[1], p.values[2], p.values[3]) for p in _cases()}
    assert {("outreach.task_done", "POST", "officer"), ("outreach.task_done", "POST", "supervisor")} <= cases
    assert ("auth.login", "POST", None) in cases
    assert len(cases) > 150

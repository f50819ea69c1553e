"""Property tests on every form: hostile or random data POSTed as an allowed role never gives a 500.

Routes are enumerated from the app, so new features' forms are fuzzed as they land. Field
names and choice values are read from the form on the page (GET of the same URL), so
examples reach past the first validator; random extra fields are added too.
Deterministic (derandomize) and bounded (max_examples) for CI.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal import create_app
from portal.access import PUBLIC
from tests.conftest import PASSWORD, ROLE_EMAILS

ROLE_ORDER = ("officer", "supervisor", "admin", "auditor", "researcher")
HOSTILE = [
    "", " ", "0", "-1", "999999999999999999999999", "1e309", "NaN", "true", "[]", "{}", "null",
    "<script>alert(1)</script>", "'; DROP TABLE users; --", "../../etc/passwd", "%00", "\u202e", "💥" * 50,
    "a" * 5000, "2026-02-30", "31/12/2026", "intelligence", "https://", "javascript:alert(1)",
    "\r\nSet-Cookie: x=1", "{{7*7}}", "${7*7}",
]


def _routes(method: str, skip: tuple[str, ...] = ()):
    """(rule, endpoint, a role allowed to use it) for every route answering `method`."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "TESTING": True})
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if method in rule.methods and rule.endpoint != "static" and not rule.rule.startswith(skip):
            allowed = getattr(app.view_functions[rule.endpoint], "allowed_roles", None)
            role = None if allowed == PUBLIC else next((r for r in ROLE_ORDER if allowed and r in allowed), None)
            yield pytest.param(rule.rule, rule.endpoint, role, id=rule.endpoint)


class _FormFields(HTMLParser):
    """Collect field names and the values their options offer."""

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


def _fill(url: str, ids: dict[str, int]) -> str:
    def value(match):
        name = match.group("name")
        return str(ids.get(name, 999_999)) if match.group("conv") in {"int", None} else "x"
    return re.sub(r"<(?:(?P<conv>[a-z]+):)?(?P<name>[^>]+)>", value, url)


def _open_as(app, role: str | None, url: str):
    """A client signed in as `role` (anonymous for None) and its GET of `url`."""
    client = app.test_client()
    if role:
        assert client.post("/login", data={"email": ROLE_EMAILS[role], "password": PASSWORD}).status_code == 302
    return client, client.get(url)


@pytest.fixture
def fuzz_records(app, area, users, db_session):
    from portal.models import Candidate, Community, OutreachContact

    community = Community(area_id=area.id, name="Fuzz forum", platform="forum")
    db_session.add(community)
    db_session.flush()
    contact = OutreachContact(community_id=community.id, officer_id=users["officer"].id, channel="email",
                              purpose="introduce")
    candidate = Candidate(area_id=area.id, site="https://fuzz.example/", site_key="fuzz.example")
    db_session.add_all([contact, candidate])
    db_session.commit()
    return {"community_id": community.id, "contact_id": contact.id, "candidate_id": candidate.id,
            "area_id": area.id, "user_id": users["officer"].id}


@pytest.mark.parametrize(("rule", "endpoint", "role"), list(_routes("POST")))
def test_form_never_answers_500(app, users, fuzz_records, rule, endpoint, role):
    url = _fill(rule, fuzz_records)
    client, page = _open_as(app, role, url)
    parser = _FormFields()
    parser.feed(page.get_data(as_text=True) if page.status_code == 200 else "")
    known = parser.fields
    value = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=120), st.integers().map(str))

    def field_value(name):
        offered = known[name]
        return st.one_of(st.sampled_from(offered), value) if offered else value

    form = st.fixed_dictionaries({}, optional={name: st.one_of(field_value(name), st.lists(field_value(name),
                                                                                              max_size=3))
                                               for name in known})
    extra = st.dictionaries(st.sampled_from(["id", "area_id", "role", "officer_id", "q", "page", "next"]), value,
                            max_size=3)

    @settings(max_examples=40, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(form, extra)
    def post_anything(data, more):
        response = client.post(url, data={**more, **data})
        assert response.status_code < 500, f"POST {url} as {role} with {data!r} gave {response.status_code}"
        if endpoint == "auth.logout" or (role and response.status_code == 302
                                          and "/login" in response.headers.get("Location", "")):
            client.post("/login", data={"email": ROLE_EMAILS[role], "password": PASSWORD})

    post_anything()


def test_nul_bytes_are_refused_not_crashed(client, auth):
    auth.login("auditor")
    assert client.get("/audit?actor=%00").status_code == 400
    assert client.post("/login", data={"email": "a\x00@example.org", "password": "x"}).status_code == 400


class _GetFormFields(_FormFields):
    """Field names and offered values of the page's GET forms only (search and filter bars)."""

    def __init__(self):
        super().__init__()
        self._in_get_form = False

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            self._in_get_form = (dict(attrs).get("method") or "get").lower() == "get"
        elif self._in_get_form:
            super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_get_form = False
        super().handle_endtag(tag)


#: Query parameters the list, search and chart pages read, beside those their forms name.
QUERY_NAMES = ["q", "page", "before", "after", "sort", "order", "weeks", "days", "area", "platform", "stage",
               "status", "from", "to", "since", "until", "by", "officer", "link", "template", "actor"]


@pytest.mark.parametrize(("rule", "endpoint", "role"), list(_routes("GET", skip=("/invite",))))
def test_search_and_filter_query_strings_never_answer_500(app, users, fuzz_records, rule, endpoint, role):
    url = _fill(rule, fuzz_records)
    client, page = _open_as(app, role, url)
    assert page.status_code < 500, f"GET {url} as {role} gave {page.status_code}"
    parser = _GetFormFields()
    parser.feed(page.get_data(as_text=True) if page.status_code == 200 else "")
    names = sorted(set(parser.fields) | set(QUERY_NAMES))
    value = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=80), st.integers().map(str),
                      *[st.sampled_from(v) for v in parser.fields.values() if v])
    query = st.dictionaries(st.sampled_from(names), value, max_size=5)

    @settings(max_examples=15, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(query, st.booleans())
    def get_anything(params, as_fragment):
        headers = {"HX-Request": "true"} if as_fragment else {}
        response = client.get(url, query_string=params, headers=headers)
        assert response.status_code < 500, f"GET {url} as {role} with {params!r} gave {response.status_code}"

    get_anything()

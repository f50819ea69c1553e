"""The redirect judge's edges and its after_request backstop, on a bare app (fast enough to rerun
for every mutant; test_redirects.py holds the table of tricky targets and the walk of every view)."""
from __future__ import annotations

import logging

import pytest
from flask import Blueprint, Flask, Response

from portal.redirects import MAX_TARGET_LENGTH, allow_offsite, guard_response, init_app, local_target, next_or


@pytest.fixture
def bare_app():
    app = Flask(__name__)
    main = Blueprint("main", __name__)
    main.add_url_rule("/home", "dashboard", lambda: "home")
    main.add_url_rule("/communities", "communities", lambda: "communities")
    app.register_blueprint(main)
    init_app(app)
    return app


def _guarded(app, headers, path="/somewhere", method="POST"):
    with app.test_request_context(path, method=method, base_url="http://portal.example"):
        return guard_response(Response("", status=302, headers=headers)).headers


def test_the_judge_accepts_exactly_the_longest_target_it_allows():
    longest = "/" + "a" * (MAX_TARGET_LENGTH - 1)
    assert local_target(longest) == longest
    assert local_target(longest + "a") is None


@pytest.mark.parametrize(("raw", "expected"), [
    ("\x01/communities", "/communities"),      # C0 controls at the ends are trimmed, as a browser does
    ("\x08/communities\x0e", "/communities"),
    ("/p#top?x=1:2#y", "/p#top?x=1:2#y"),      # a fragment keeps its ? : and #
    ("/p#a b", "/p#a%20b"),
    ("/a/..", "/a/.."),                       # dot segments that stay on the site are left as written
    ("/a/.", "/a/."),
    ("/a//b/..", "/a//b/.."),                 # resolves to /a/: this site
    ("/.//x/..", None),                       # resolves to //: refused whatever follows
    ("/x/./y", "/x/./y"),
])
def test_the_judge_at_its_edges(raw, expected):
    assert local_target(raw) == expected


def test_next_or_follows_a_local_target_else_the_endpoint(bare_app):
    with bare_app.test_request_context("/"):
        assert next_or("/communities?q=1", "main.dashboard") == "/communities?q=1"
        assert next_or("//evil.test/", "main.dashboard") == "/home"
        assert next_or(None, "main.communities") == "/communities"
        assert next_or("", "main.communities", q="x") == "/communities?q=x"


@pytest.mark.parametrize("header", ["Location", "HX-Redirect"])
def test_the_backstop_replaces_an_off_site_target_in_either_header(bare_app, header, caplog):
    with caplog.at_level(logging.WARNING, logger="portal.redirects"):
        headers = _guarded(bare_app, {header: "//evil.test/x"})
    assert headers[header] == "/home"
    assert [r.getMessage() for r in caplog.records] == [
        "refused an off-site redirect to '//evil.test/x' from POST /somewhere"]


def test_the_backstop_judges_hx_redirect_even_without_a_location(bare_app):
    headers = _guarded(bare_app, {"HX-Redirect": "https://evil.test/"})
    assert "Location" not in headers
    assert headers["HX-Redirect"] == "/home"


def test_the_backstop_logs_at_most_200_characters_of_the_target(bare_app, caplog):
    target = "https://evil.test/" + "x" * 500
    with caplog.at_level(logging.WARNING, logger="portal.redirects"):
        _guarded(bare_app, {"Location": target})
    assert caplog.records[0].args[0] == target[:200]


def test_the_backstop_keeps_local_targets_and_writes_them_canonically(bare_app):
    headers = _guarded(bare_app, {"Location": "/communities?q=a b", "HX-Redirect": "/home"})
    assert headers["Location"] == "/communities?q=a%20b"
    assert headers["HX-Redirect"] == "/home"


def test_an_absolute_url_on_this_very_host_is_kept_as_a_path(bare_app):
    assert _guarded(bare_app, {"Location": "http://portal.example/communities"})["Location"] == "/communities"
    assert _guarded(bare_app, {"Location": "http://portal.example/"})["Location"] == "/"


@pytest.mark.parametrize("target", [
    "http://portal.example.evil.test/x",   # our host name as the prefix of another
    "http://portal.exampleevil/x",
    "https://portal.example/x",            # another origin: scheme differs
    "http://portal.example:8080/x",
])
def test_an_absolute_url_on_another_origin_is_refused(bare_app, target):
    assert _guarded(bare_app, {"Location": target})["Location"] == "/home"


def test_a_response_without_a_redirect_is_left_alone(bare_app):
    with bare_app.test_request_context("/"):
        response = guard_response(Response("ok"))
    assert "Location" not in response.headers
    assert "HX-Redirect" not in response.headers


def test_init_app_installs_the_backstop(bare_app):
    @bare_app.get("/forgetful")
    def forgetful():
        return "", 302, {"Location": "//evil.test/"}

    assert bare_app.test_client().get("/forgetful").headers["Location"] == "/home"


def test_only_the_exact_target_a_view_allowed_may_leave_the_site(bare_app):
    """The sign-in view's redirect to the identity provider is let through (allow_offsite); any other
    off-site target in the same request, or in the HX-Redirect header, is still replaced."""
    provider = "https://idp.example/authorize?client_id=portal&state=s1"
    with bare_app.test_request_context("/login/sso", method="GET", base_url="http://portal.example"):
        allowed = allow_offsite(Response("", status=302, headers={"Location": provider}))
        assert guard_response(allowed).headers["Location"] == provider
        other = guard_response(Response("", status=302, headers={"Location": provider + "x",
                                                                 "HX-Redirect": "https://evil.test/"}))
        assert other.headers["Location"] == "/home"
        assert other.headers["HX-Redirect"] == "/home"
    with bare_app.test_request_context("/login/sso", method="GET", base_url="http://portal.example"):
        assert _guarded(bare_app, {"Location": provider}, path="/login/sso", method="GET")["Location"] == "/home"


def test_allowing_a_response_without_a_location_allows_nothing(bare_app):
    with bare_app.test_request_context("/login/sso", method="GET", base_url="http://portal.example"):
        allow_offsite(Response("no redirect"))
        response = guard_response(Response("", status=302, headers={"Location": "https://evil.test/"}))
        assert response.headers["Location"] == "/home"

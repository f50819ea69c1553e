"""Static files: versioned URLs kept a year, unversioned ones an hour, gzip when accepted (issue 23)."""
from __future__ import annotations

import gzip
import re

from portal.static_assets import LONG_CACHE, SHORT_CACHE


def _static_urls(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', page)


def test_pages_link_static_files_by_version_and_they_are_kept_a_year(client, auth):
    auth.login("officer")
    urls = _static_urls(client.get("/home").data.decode())
    assert len(urls) >= 5, urls
    assert all(re.search(r"\?v=[0-9a-f]{12}$", url) for url in urls), urls
    for url in urls:
        response = client.get(url)
        response.close()
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == LONG_CACHE, url


def test_a_changed_file_gets_a_new_version(app, tmp_path):
    from portal.static_assets import version_of

    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    target = static / "css" / "x.css"
    target.write_text("a{color:red}")
    app.static_folder = str(static)
    first = version_of(app, "css/x.css")
    target.write_text("a{color:blue}")
    import os

    os.utime(target, ns=(1, 10**18))  # a different modification time, as a deploy would give
    assert version_of(app, "css/x.css") not in {None, first}
    assert version_of(app, "css/missing.css") is None


def test_an_old_or_missing_version_is_kept_only_an_hour(client):
    for url in ("/static/css/app.css?v=000000000000", "/static/js/govuk-init.mjs"):
        response = client.get(url)
        response.close()
        assert response.headers["Cache-Control"] == SHORT_CACHE, url


def test_text_files_are_gzipped_when_the_browser_accepts_it(client):
    plain = client.get("/static/govuk/govuk-frontend.min.css")
    original = plain.data
    plain.close()
    zipped = client.get("/static/govuk/govuk-frontend.min.css", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == original
    assert len(zipped.data) < len(original) / 4
    again = client.get("/static/govuk/govuk-frontend.min.css", headers={
        "Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]})
    again.close()
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == SHORT_CACHE


def test_pages_are_not_compressed_or_cached(client, auth):
    auth.login("officer")
    page = client.get("/home", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in page.headers
    assert page.headers["Cache-Control"] == "no-store"


def test_page_links_are_cached_but_follow_a_changed_file(app, tmp_path, monkeypatch):
    """Templates build a static link once per version; a file replaced under a running process
    gets its new URL once RECHECK_SECONDS have passed (not before: that is the cache)."""
    import os

    from flask import render_template_string

    from portal import static_assets

    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    target = static / "css" / "x.css"
    target.write_text("a{color:red}")
    app.static_folder = str(static)
    link = "{{ url_for('static', filename='css/x.css') }}"
    clock = [1000.0]
    monkeypatch.setattr(static_assets.time, "monotonic", lambda: clock[0])
    with app.test_request_context("/home"):
        first = render_template_string(link)
        assert first == app.url_for("static", filename="css/x.css")
        assert first.startswith("/static/css/x.css?v=")
        target.write_text("a{color:blue}")
        os.utime(target, ns=(1, 10**18))
        clock[0] += static_assets.RECHECK_SECONDS / 2
        assert render_template_string(link) == first  # within the interval: the cached link
        clock[0] += static_assets.RECHECK_SECONDS
        second = render_template_string(link)
        assert second != first
        assert second == app.url_for("static", filename="css/x.css")
    with app.test_request_context("/home", base_url="http://localhost/portal/"):
        assert render_template_string(link) == "/portal" + second  # the script root is part of the key

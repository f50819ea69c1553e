"""Admin pages: build an area profile from uploaded open data — upload, preview, save."""
from __future__ import annotations

import io
import re

import pytest

from portal.models import Area, AuditEvent
from tests.portal.test_areabuild import IPN, ONSPD, OPEN_NAMES


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config["AREA_DATA_DIR"] = str(tmp_path / "area-data")
    return app_config


def upload(client, onspd=ONSPD, names=IPN, **fields):
    data = {"onspd": (io.BytesIO(onspd.read_bytes()), onspd.name),
            "names": (io.BytesIO(names.read_bytes()), names.name), "lad": "E07000063", **fields}
    return client.post("/admin/areas/build", data=data, content_type="multipart/form-data")


def test_upload_preview_and_save_a_new_area(client, auth, users, db_session, tmp_path):
    auth.login("admin")
    page = client.get("/admin/areas/build")
    assert b"Open Government Licence" in page.data
    response = upload(client)
    assert response.status_code == 303
    preview = client.get(response.headers["Location"])
    text = preview.data.decode()
    assert 'data-status="done"' in text
    assert "Ringmer" in text
    assert "BN8" in text
    assert "Newhaven (also in Derbyshire)" in text
    assert "Open Government Licence" in text
    assert Area.by_slug("lewes") is None  # nothing is saved before the admin saves it
    assert list((tmp_path / "area-data").iterdir()) == []  # the uploads are deleted after the build
    save_url = re.search(r'action="([^"]+/save)"', text).group(1)
    saved = client.post(save_url, data={"area": "0", "name": "Lewes district", "keep": ["Newhaven"]})
    assert saved.status_code == 303
    area = Area.by_slug("lewes-district")
    places = {p["name"]: p["weight"] for p in area.profile["places"]}
    assert places["Newhaven"] == 0.5
    assert places["Ringmer"] == 1.0
    assert area.profile["exclude_places"] == ["Kingston"]
    assert area.profile["postcode_districts"]["BN8"] == 0.69
    assert "Open Government Licence" in area.profile["source"]["attribution"]
    assert db_session.query(AuditEvent).filter(AuditEvent.summary.like("Created area lewes-district%")).count() == 1
    edit = client.get(saved.headers["Location"])
    assert b"Built from open data (ONSPD_FIXTURE_UK.csv, IPN_GB_FIXTURE.csv" in edit.data


def test_save_over_an_existing_area(client, auth, users, area, db_session):
    auth.login("admin")
    preview = client.get(upload(client, names=OPEN_NAMES, wards="E05011236").headers["Location"]).data.decode()
    save_url = re.search(r'action="([^"]+/save)"', preview).group(1)
    assert client.post(save_url, data={"area": str(area.id), "name": area.name}).status_code == 303
    db_session.refresh(area)
    assert {p["name"] for p in area.profile["places"]} == {"Ringmer", "Barcombe Cross"}


def test_a_bad_file_gets_a_clear_message_and_saves_nothing(client, auth, users, db_session, tmp_path):
    auth.login("admin")
    bad = tmp_path / "not-onspd.csv"
    bad.write_text("name,score\nfoo,1\n")
    preview = client.get(upload(client, onspd=bad).headers["Location"])
    assert b"does not look like the ONS Postcode Directory" in preview.data
    assert b"/save" not in preview.data
    assert db_session.query(Area).count() == 1  # only the test area


def test_missing_fields_are_shown_beside_the_form(client, auth, users):
    auth.login("admin")
    response = client.post("/admin/areas/build", data={"lad": ""}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert b"Choose the ONS Postcode Directory file" in response.data
    assert b"Enter the local authority" in response.data


def test_files_over_the_limit_are_refused(app, client, auth, users, tmp_path):
    auth.login("admin")
    app.config["AREA_DATA_MAX_BYTES"] = 1000
    response = upload(client)
    assert response.status_code == 422
    assert b"larger than 0 MB" in response.data or b"larger than" in response.data
    assert list((tmp_path / "area-data").iterdir()) == []
    app.config["AREA_DATA_MAX_BYTES"] = 100  # the whole request is refused before it is read
    body = (b'--x\r\nContent-Disposition: form-data; name="onspd"; filename="ONSPD_big.csv"\r\n\r\n'
            + b"BN7 1AB,E07000063\n" * 70_000 + b"\r\n--x--\r\n")  # raw bytes: no spooled temp file
    refused = client.post("/admin/areas/build", data=body, content_type="multipart/form-data; boundary=x")
    assert refused.status_code == 413
    assert b"The files are larger than" in refused.data


def test_the_preview_of_another_job_kind_is_not_found(client, auth, users, db_session):
    from portal import jobs

    auth.login("admin")
    job_id = jobs.enqueue("tests.portal.jobs_dummy.add", 1, 2, kind="other")
    assert client.get(f"/admin/areas/build/{job_id}").status_code == 404
    assert client.post(f"/admin/areas/build/{job_id}/save", data={"area": "0", "name": "X"}).status_code == 404


@pytest.mark.parametrize("role", ["officer", "supervisor", "researcher", "auditor"])
def test_only_admins_build_see_or_save_areas(client, auth, users, role, db_session):
    auth.login("admin")
    preview = upload(client).headers["Location"]
    auth.logout()
    auth.login(role)
    assert client.get("/admin/areas/build").status_code == 403
    assert upload(client).status_code == 403
    assert client.get(preview).status_code == 403
    assert client.post(preview + "/save", data={"area": "0", "name": "Mine"}).status_code == 403
    assert Area.by_slug("mine") is None


def test_a_build_whose_files_are_gone_says_so_and_is_logged(app, caplog):
    from portal.admin.area_build import run_build

    with caplog.at_level("WARNING", logger="portal.admin.area_build"):
        result = run_build("no-such-upload", "E07000063", [], None)
    assert result == {"error": "The uploaded files are gone; upload them again"}
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "area build for E07000063 failed: StopIteration")]

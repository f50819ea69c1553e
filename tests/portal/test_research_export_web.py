"""The web's research package: for project members only, built in a job, audited once it is complete."""
from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Job, utcnow
from tests.portal.research_support import TABLES, make_project, validate


@pytest.fixture(autouse=True)
def _export_folder(app, tmp_path):
    app.config["EXPORT_FOLDER"] = str(tmp_path / "exports")


def _download(client, job_id: str) -> bytes:
    response = client.get(f"/research/exports/{job_id}/download")
    try:
        assert response.status_code == 200
        assert response.mimetype == "application/zip"
        return response.get_data()
    finally:
        response.close()


def _audits(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action,
                                                            AuditEvent.object_type == "research_export")))


def _export_jobs() -> list[Job]:
    db.session.expire_all()
    return list(db.session.scalars(select(Job).where(Job.kind == "research_export")))


def test_without_an_open_project_there_is_no_package(client, auth, users, demo):
    auth.login("researcher")
    page = client.get("/research/export").get_data(as_text=True)
    assert 'data-testid="no-project"' in page
    assert 'data-testid="export-form"' not in page
    make_project(users["researcher"], name="Lapsed", days=-1)
    refused = client.post("/research/export", data={"project": "1"})
    assert refused.status_code == 422
    assert "Choose one of your approved research projects" in refused.get_data(as_text=True)
    assert _export_jobs() == []
    assert _audits("export") == []


def test_a_member_builds_the_package_in_a_job_and_it_is_audited_once_when_complete(client, auth, users, demo,
                                                                                   tmp_path):
    project = make_project(users["researcher"])
    auth.login("researcher")
    assert 'data-testid="export-form"' in client.get("/research/export").get_data(as_text=True)
    started = client.post("/research/export", data={"project": str(project.id), "area": "wealden-sample"})
    assert started.status_code == 303
    (job,) = _export_jobs()
    assert started.headers["Location"].endswith(f"/research/exports/{job.id}")
    assert job.status == "done"
    assert job.progress == job.total
    assert job.progress > 0
    page = client.get(f"/research/exports/{job.id}").get_data(as_text=True)
    assert 'data-testid="export-ready"' in page
    assert "hx-get" not in page
    fragment = client.get(f"/research/exports/{job.id}", headers={"HX-Request": "true"})
    assert fragment.status_code == 286  # the polling widget stops itself
    (built,) = _audits("export")
    assert built.actor_id == users["researcher"].id
    assert built.object_id == str(project.id)
    assert built.details["filters"]["area"] == "wealden-sample"
    assert built.details["filters"]["level"] == "standard"
    with zipfile.ZipFile(io.BytesIO(_download(client, job.id))) as archive:
        assert set(archive.namelist()) == {f"{t}.csv" for t in TABLES} | {"datapackage.json", "README.md"}
        archive.extractall(tmp_path / "zip")
    validate(tmp_path / "zip" / "datapackage.json")
    for table in TABLES:
        with (tmp_path / "zip" / f"{table}.csv").open(encoding="utf-8") as handle:
            assert built.details["row_counts"][table] == sum(1 for _ in csv.DictReader(handle))
    assert len(_audits("export")) == 1
    assert len(_audits("download")) == 1


def test_a_build_that_fails_midway_is_not_audited_and_leaves_no_file(app, users, demo, monkeypatch):
    """Finding 7: a truncated package used to be audited as a complete export."""
    from portal import jobs
    from portal.research import export, export_job
    from portal.research.export import ExportOptions

    def broken_activity(context):
        yield from []
        raise OSError("disk full")

    monkeypatch.setitem(export.PRODUCERS, "activity", broken_activity)
    project = make_project(users["researcher"])
    options, problems = ExportOptions.build(None, None, None, False, users["researcher"], project)
    assert problems == []
    with app.test_request_context():
        with pytest.raises(OSError, match="disk full"):
            jobs.enqueue("portal.research.export_job:build", options.to_json(), kind="research_export",
                         requested_by_id=users["researcher"].id, max_attempts=1)
    (job,) = _export_jobs()
    assert job.status == "failed"
    assert "disk full" in job.message
    assert _audits("export") == []
    assert list(export_job.folder().iterdir()) == []


def test_the_progress_widget_polls_while_the_job_runs(client, auth, users):
    project = make_project(users["researcher"])
    job = Job(id="a" * 32, kind="research_export", status="running", progress=250, total=1000, attempts=1,
              max_attempts=2, requested_by_id=users["researcher"].id, result={}, message="250 of about 1,000 rows",
              payload={"func": "portal.research.export_job:build", "args": [{"project_id": project.id}]})
    db.session.add(job)
    db.session.commit()
    auth.login("researcher")
    fragment = client.get(f"/research/exports/{job.id}", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200
    assert 'hx-trigger="every 1s"' in body
    assert 'value="250"' in body
    assert "<html" not in body
    refused = client.get(f"/research/exports/{job.id}/download")
    assert refused.status_code == 303
    assert _audits("download") == []


def test_someone_elses_package_is_not_found(client, auth, users, demo):
    project = make_project(users["researcher"], users["supervisor"])
    auth.login("researcher")
    client.post("/research/export", data={"project": str(project.id)})
    (job,) = _export_jobs()
    auth.logout()
    auth.login("supervisor")
    assert client.get(f"/research/exports/{job.id}").status_code == 404
    assert client.get(f"/research/exports/{job.id}/download").status_code == 404


def test_a_revoked_project_s_package_can_no_longer_be_downloaded(client, auth, users, demo):
    project = make_project(users["researcher"])
    auth.login("researcher")
    client.post("/research/export", data={"project": str(project.id)})
    (job,) = _export_jobs()
    project.revoked_at = utcnow()
    db.session.commit()
    refused = client.get(f"/research/exports/{job.id}/download")
    assert refused.status_code == 303
    assert _audits("download") == []
    assert "expired or was revoked" in client.get(f"/research/exports/{job.id}").get_data(as_text=True)


def test_a_supervisor_s_package_holds_only_their_areas(client, auth, users, demo, tmp_path):
    from portal.models import Area

    users["supervisor"].areas.append(Area.by_slug("lewes"))
    project = make_project(users["supervisor"], level="detailed")
    auth.login("supervisor")
    client.post("/research/export", data={"project": str(project.id)})
    (job,) = _export_jobs()
    with zipfile.ZipFile(io.BytesIO(_download(client, job.id))) as archive:
        communities = list(csv.DictReader(io.TextIOWrapper(archive.open("communities.csv"), encoding="utf-8")))
    assert communities
    assert {row["area"] for row in communities} <= {"lewes", "test-town"}
    assert "lewes" in {row["area"] for row in communities}
    refused = client.post("/research/export", data={"project": str(project.id), "area": "wealden-sample"})
    assert refused.status_code == 422
    assert "wealden-sample" in refused.get_data(as_text=True)


def test_an_as_of_date_must_be_in_the_past(client, auth, users, demo):
    project = make_project(users["researcher"])
    auth.login("researcher")
    tomorrow = (utcnow() + timedelta(days=1)).date().isoformat()
    refused = client.post("/research/export", data={"project": str(project.id), "until": tomorrow})
    assert refused.status_code == 422
    assert "must be in the past" in refused.get_data(as_text=True)
    assert client.post("/research/export", data={"project": str(project.id), "since": "31/12/2024"}).status_code == 422


def test_an_admin_approves_changes_and_revokes_a_project(client, auth, users):
    from portal.models import ResearchProject

    auth.login("admin")
    assert 'data-testid="no-projects"' in client.get("/admin/projects").get_data(as_text=True)
    bad = client.post("/admin/projects", data={"name": "", "purpose": "", "expires_on": "2001-01-01",
                                               "level": "standard"})
    assert bad.status_code == 422
    assert "Enter the project" in bad.get_data(as_text=True)
    expires = (utcnow() + timedelta(days=200)).date().isoformat()
    made = client.post("/admin/projects", data={"name": "Trust study", "purpose": "How trust grows.",
                                                "expires_on": expires, "level": "detailed",
                                                "members": [str(users["researcher"].id)]})
    assert made.status_code == 303
    project = db.session.scalar(select(ResearchProject))
    assert (project.name, project.level, project.approved_by_id) == ("Trust study", "detailed", users["admin"].id)
    assert [m.id for m in project.members] == [users["researcher"].id]
    assert project.is_open()
    page = client.get(f"/admin/projects/{project.id}").get_data(as_text=True)
    assert "K-" in page
    assert "Trust study" in page
    client.post(f"/admin/projects/{project.id}/revoke")
    db.session.expire_all()
    assert project.revoked_at is not None
    assert project.state == "revoked"
    assert ResearchProject.open_for(users["researcher"]) == []
    actions = {e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "ResearchProject"))}
    assert actions == {"create", "revoke"}


def test_renaming_a_project_to_another_s_name_is_refused_and_revoking_deletes_its_packages(client, auth, users,
                                                                                          demo):
    from portal.research import export_job

    first = make_project(users["researcher"], name="First")
    make_project(users["researcher"], name="Second")
    auth.login("researcher")
    client.post("/research/export", data={"project": str(first.id)})
    (job,) = _export_jobs()
    with client.application.app_context():
        assert export_job.file_for(job.id).exists()
    auth.logout()
    auth.login("admin")
    taken = client.post(f"/admin/projects/{first.id}", data={
        "name": "Second", "purpose": "x", "expires_on": first.expires_on.isoformat(), "level": "standard"})
    assert taken.status_code == 422
    assert "Another project has that name" in taken.get_data(as_text=True)
    client.post(f"/admin/projects/{first.id}/revoke")
    with client.application.app_context():
        assert not export_job.file_for(job.id).exists()

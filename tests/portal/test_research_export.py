"""The pseudonymised Data Package: valid, documented, free of identifying text, stable, audited, streamed."""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, Community, Meeting, OutreachContact, User

TABLES = ("events", "communities", "activity")


@pytest.fixture
def demo(app, users):
    from portal.demo import load_demo
    from portal.extensions import db

    load_demo(passwords={})
    db.session.commit()


def _export(runner, out: Path, *args: str) -> Path:
    result = runner.invoke(args=["research", "export", "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return out


def _rows(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _validate(descriptor_path: Path) -> None:
    from frictionless import validate

    report = validate(str(descriptor_path))
    problems = [error.message for task in report.tasks for error in task.errors] + [e.message for e in report.errors]
    assert report.valid, problems[:10]
    assert {task.name for task in report.tasks} == set(TABLES)


def test_the_export_is_a_valid_data_package_and_every_column_is_in_the_codebook(runner, demo, tmp_path):
    out = _export(runner, tmp_path / "pkg")
    _validate(out / "datapackage.json")
    package = json.loads((out / "datapackage.json").read_text())
    for resource in package["resources"]:
        header = (out / resource["path"]).read_text(encoding="utf-8").splitlines()[0].split(",")
        documented = [field["name"] for field in resource["schema"]["fields"]]
        assert header == documented
        for field in resource["schema"]["fields"]:
            assert field["type"] and "Derived:" in field["description"], field
    assert len(_rows(out, "events")) > 100 and len(_rows(out, "communities")) > 60
    readme = (out / "README.md").read_text()
    for topic in ("Provenance", "Filters", "Pseudonymisation", "Suppression", "version"):
        assert topic.lower() in readme.lower()


def test_the_export_holds_no_names_emails_urls_or_message_text(runner, demo, tmp_path, db_session):
    out = _export(runner, tmp_path / "pkg")
    text = "\n".join((out / f"{t}.csv").read_text(encoding="utf-8") for t in TABLES)
    text += (out / "datapackage.json").read_text() + (out / "README.md").read_text()
    csv_text = "\n".join((out / f"{t}.csv").read_text(encoding="utf-8") for t in TABLES)
    users = list(db_session.scalars(select(User)))
    assert len(users) >= 9  # demo users, sample officers and test users
    for user in users:
        assert user.email not in text
        assert user.display_name not in text
        for word in user.display_name.split():
            if len(word) > 2 and word[0].isupper() and word not in {"Sample", "Test", "PCSO"}:
                assert word not in csv_text, word
    assert "http" not in csv_text and "www." not in csv_text
    assert "@" not in csv_text
    for message in set(db_session.scalars(select(OutreachContact.message_text))):
        assert message and message not in text and message[:20] not in text
    for name in db_session.scalars(select(Community.name)):
        assert name not in text
    for meeting in db_session.scalars(select(Meeting)):
        assert meeting.title not in text and (meeting.place or "@@") not in text


def test_pseudonyms_are_stable_with_the_same_key_and_change_with_another(app, runner, demo, tmp_path):
    first = _rows(_export(runner, tmp_path / "a"), "communities")
    second = _rows(_export(runner, tmp_path / "b"), "communities")
    assert [r["community"] for r in first] == [r["community"] for r in second]
    assert all(re.fullmatch(r"C-[0-9a-f]{12}", r["community"]) for r in first)
    app.config["PSEUDONYM_KEY"] = "another-key"
    third = _rows(_export(runner, tmp_path / "c"), "communities")
    assert not {r["community"] for r in first} & {r["community"] for r in third}


def test_a_pseudonym_key_is_generated_into_the_instance_folder_when_none_is_set(app):
    from portal.research.pseudonyms import Pseudonymiser

    app.config["PSEUDONYM_KEY"] = None
    key_file = Path(app.instance_path) / "pseudonym_key"
    existed = key_file.exists()
    first = Pseudonymiser.for_app().officer(1)
    assert key_file.exists() and len(key_file.read_text().strip()) >= 32
    assert Pseudonymiser.for_app().officer(1) == first
    if not existed:
        key_file.unlink()


def test_coarsened_export_gives_weeks_only_and_still_validates(runner, demo, tmp_path):
    out = _export(runner, tmp_path / "weeks", "--coarsen-weeks", "--area", "wealden-sample")
    _validate(out / "datapackage.json")
    events = _rows(out, "events")
    assert events and "date" not in events[0]
    assert all(re.fullmatch(r"\d{4}-W\d{2}", r["week"]) for r in events)
    assert {r["area"] for r in events} == {"wealden-sample"}
    assert not any(re.search(r"\d{4}-\d{2}-\d{2}", line) for line in (out / "communities.csv").read_text().splitlines())


def test_since_and_until_limit_the_events(runner, demo, tmp_path):
    out = _export(runner, tmp_path / "dated", "--since", "2001-01-01", "--until", "2001-12-31")
    _validate(out / "datapackage.json")
    assert _rows(out, "events") == [] and _rows(out, "activity") == []


def test_an_unknown_area_is_refused(runner, demo, tmp_path):
    result = runner.invoke(args=["research", "export", "--out", str(tmp_path / "x"), "--area", "atlantis"])
    assert result.exit_code != 0 and "atlantis" in result.output


def test_each_export_is_audited_with_filters_and_row_counts(runner, demo, tmp_path, db_session):
    out = _export(runner, tmp_path / "pkg", "--area", "wealden-sample")
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.details["filters"] == {"area": "wealden-sample"}
    assert event.details["row_counts"] == {t: len(_rows(out, t)) for t in TABLES}
    assert event.details["via"].startswith("cli")


def test_the_download_streams_a_zip_of_the_same_package_and_is_audited(client, auth, users, demo, tmp_path,
                                                                        db_session):
    auth.login("researcher")
    response = client.post("/research/export", data={"area": "wealden-sample", "coarsen_weeks": "y"})
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Disposition"].startswith("attachment;")
    body = response.get_data()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert set(archive.namelist()) == {"events.csv", "communities.csv", "activity.csv", "datapackage.json",
                                           "README.md"}
        archive.extractall(tmp_path / "zip")
    _validate(tmp_path / "zip" / "datapackage.json")
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.actor_id == users["researcher"].id
    assert event.details["filters"] == {"area": "wealden-sample", "coarsen_weeks": True}
    assert event.details["row_counts"] == {t: len(_rows(tmp_path / "zip", t)) for t in TABLES}


def test_a_supervisor_download_holds_only_their_areas(client, auth, users, area, demo, tmp_path):
    from portal.extensions import db

    users["supervisor"].areas.append(_area("lewes"))
    db.session.commit()
    auth.login("supervisor")
    body = client.post("/research/export", data={}).get_data()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        communities = list(csv.DictReader(io.TextIOWrapper(archive.open("communities.csv"), encoding="utf-8")))
    assert communities and {row["area"] for row in communities} == {"lewes"}
    refused = client.post("/research/export", data={"area": "wealden-sample"})
    assert refused.status_code == 303


def _area(slug):
    from portal.models import Area

    return Area.by_slug(slug)


def test_rare_platforms_and_audience_bands_are_blanked_in_every_table(runner, app, area, users, db_session,
                                                                      tmp_path):
    """Small-cell protection: a platform with < 5 communities in an area cannot single one out."""
    from tests.portal.outreach_factories import make_community, make_contact

    forums = [make_community(area, f"Forum {n}", platform="forum", audience_size=50) for n in range(6)]
    forums[0].audience_size = 50_000  # its band is shared by nobody else
    lone = make_community(area, "The only Nextdoor", platform="nextdoor", audience_size=50)
    db_session.commit()
    for community in (*forums, lone):
        make_contact(community, users["officer"], days_ago=1, outcome="positive")
    out = _export(runner, tmp_path / "pkg")
    _validate(out / "datapackage.json")
    communities = _rows(out, "communities")
    assert sorted(row["platform"] for row in communities) == [""] + ["forum"] * 6
    bands = sorted(row["audience_band"] for row in communities)
    assert bands.count("") == 2 and bands.count("under 100") == 5  # 50,000 alone in its band: blanked
    contacts = [row for row in _rows(out, "events") if row["event_type"] == "contact"]
    assert sorted(row["platform"] for row in contacts) == [""] + ["forum"] * 6
    blank = {row["community"] for row in communities if row["platform"] == ""}
    assert {row["community"] for row in contacts if row["platform"] == ""} == blank

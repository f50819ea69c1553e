"""The pseudonymised Data Package: valid, documented, free of identifying text, stable, audited, streamed."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, Community, Meeting, OutreachContact, User
from portal.research.export import ExportOptions
from portal.research.export_context import ExportContext
from tests.portal.research_support import TABLES, export, make_project, rows, validate



_export, _rows, _validate = export, rows, validate


def test_no_export_row_is_written_without_a_pseudonymiser():
    """Only counting the rows runs without a pseudonymiser: a row's ids asked for then stop the export."""
    with pytest.raises(RuntimeError, match="pseudonymiser"):
        ExportContext(ExportOptions(), None).pseudonyms  # noqa: B018


def test_the_export_is_a_valid_data_package_and_every_column_is_in_the_codebook(runner, demo, tmp_path):
    out = _export(runner, tmp_path / "pkg")
    _validate(out / "datapackage.json")
    package = json.loads((out / "datapackage.json").read_text())
    for resource in package["resources"]:
        header = (out / resource["path"]).read_text(encoding="utf-8").splitlines()[0].split(",")
        documented = [field["name"] for field in resource["schema"]["fields"]]
        assert header == documented
        for field in resource["schema"]["fields"]:
            assert field["type"], field
            assert "Derived:" in field["description"], field
    assert len(_rows(out, "events")) > 100
    assert len(_rows(out, "communities")) > 60
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
    assert "http" not in csv_text
    assert "www." not in csv_text
    assert "@" not in csv_text
    for message in set(db_session.scalars(select(OutreachContact.message_text))):
        assert message
        assert message not in text
        assert message[:20] not in text
    for name in db_session.scalars(select(Community.name)):
        assert name not in text
    for meeting in db_session.scalars(select(Meeting)):
        assert meeting.title not in text
        assert (meeting.place or "@@") not in text


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
    assert key_file.exists()
    assert len(key_file.read_text().strip()) >= 32
    assert Pseudonymiser.for_app().officer(1) == first
    if not existed:
        key_file.unlink()


def test_coarsened_export_gives_weeks_only_and_still_validates(runner, demo, tmp_path):
    out = _export(runner, tmp_path / "weeks", "--coarsen-weeks", "--area", "wealden-sample")
    _validate(out / "datapackage.json")
    events = _rows(out, "events")
    assert events
    assert "date" not in events[0]
    assert all(re.fullmatch(r"\d{4}-W\d{2}", r["week"]) for r in events)
    assert {r["area"] for r in events} == {"wealden-sample"}
    assert not any(re.search(r"\d{4}-\d{2}-\d{2}", line) for line in (out / "communities.csv").read_text().splitlines())


def test_since_and_until_limit_the_events(runner, demo, tmp_path):
    out = _export(runner, tmp_path / "dated", "--since", "2001-01-01", "--until", "2001-12-31")
    _validate(out / "datapackage.json")
    assert _rows(out, "events") == []
    assert _rows(out, "activity") == []


def test_an_unknown_area_is_refused(runner, demo, tmp_path):
    result = runner.invoke(args=["research", "export", "--out", str(tmp_path / "x"), "--area", "atlantis"])
    assert result.exit_code != 0
    assert "atlantis" in result.output


def test_each_export_is_audited_with_filters_and_row_counts(runner, demo, tmp_path, db_session):
    out = _export(runner, tmp_path / "pkg", "--area", "wealden-sample")
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.details["filters"] == {"area": "wealden-sample"}
    assert event.details["row_counts"] == {t: len(_rows(out, t)) for t in TABLES}
    assert event.details["via"].startswith("cli")


def test_rare_platforms_and_audience_bands_are_suppressed_in_every_table(runner, app, area, users, db_session,
                                                                         tmp_path):
    """Small-cell protection: a platform with fewer than 10 communities in an area cannot single one out."""
    from tests.portal.outreach_factories import make_community, make_contact

    forums = [make_community(area, f"Forum {n}", platform="forum", audience_size=50) for n in range(11)]
    forums[0].audience_size = 50_000  # its band is shared by nobody else
    lone = make_community(area, "The only Nextdoor", platform="nextdoor", audience_size=50)
    db_session.commit()
    for community in (*forums, lone):
        make_contact(community, users["officer"], days_ago=1, outcome="positive")
    out = _export(runner, tmp_path / "pkg")
    _validate(out / "datapackage.json")
    communities = _rows(out, "communities")
    assert sorted(row["platform"] for row in communities) == [".s"] + ["forum"] * 11
    bands = sorted(row["audience_band"] for row in communities)
    assert bands.count(".s") == 2
    assert bands.count("under 100") == 10
    contacts = [row for row in _rows(out, "events") if row["event_type"] == "contact"]
    assert sorted(row["platform"] for row in contacts) == [".s"] + ["forum"] * 11
    hidden = {row["community"] for row in communities if row["platform"] == ".s"}
    assert {row["community"] for row in contacts if row["platform"] == ".s"} == hidden
    assert {row["community"] for row in _rows(out, "activity") + _rows(out, "panel")} <= {
        row["community"] for row in communities}


def test_the_minimum_group_size_is_configurable(runner, app, area, users, db_session, tmp_path):
    from tests.portal.outreach_factories import make_community

    for n in range(3):
        make_community(area, f"Blog {n}", platform="blog")
    app.config["DISCLOSURE_MIN_CELL"] = 3
    assert {r["platform"] for r in _rows(_export(runner, tmp_path / "three"), "communities")} == {"blog"}
    app.config["DISCLOSURE_MIN_CELL"] = 4
    assert {r["platform"] for r in _rows(_export(runner, tmp_path / "four"), "communities")} == {".s"}


def test_each_project_has_its_own_pseudonyms_and_key_id(runner, demo, users, tmp_path):
    first = make_project(users["researcher"], name="First study", level="detailed")
    second = make_project(users["researcher"], name="Second study", level="detailed")
    a = _export(runner, tmp_path / "a", "--project", str(first.id))
    b = _export(runner, tmp_path / "b", "--project", str(second.id))
    again = _export(runner, tmp_path / "again", "--project", str(first.id))
    for table, key in (("communities", "community"), ("events", "event_id"), ("events", "officer")):
        ours, theirs = {r[key] for r in _rows(a, table)} - {".n", ".u"}, {r[key] for r in _rows(b, table)}
        assert ours, table
        assert not ours & theirs, table
    assert [r["community"] for r in _rows(a, "communities")] == [r["community"] for r in _rows(again, "communities")]
    key_ids = {json.loads((d / "datapackage.json").read_text())["provenance"]["key_id"] for d in (a, b)}
    assert len(key_ids) == 2


def test_a_standard_project_gets_weeks_and_banded_counts_a_detailed_one_days_and_exact_counts(
        runner, demo, users, tmp_path):
    standard = _export(runner, tmp_path / "s", "--project", str(make_project(users["researcher"]).id))
    detailed = _export(runner, tmp_path / "d", "--project",
                       str(make_project(users["researcher"], name="Detailed", level="detailed").id))
    _validate(standard / "datapackage.json")
    contacts = [r for r in _rows(standard, "events") if r["event_type"] == "contact"]
    assert "date" not in contacts[0]
    assert "weeks_since_first_contact" in contacts[0]
    assert {r["reach_views"] for r in contacts} <= {"0", "1-9", "10-99", "100-999", "1000 or more", ".u"}
    assert any(r["reach_views"] not in {".u", "0"} for r in contacts)
    assert {r["items_total"] for r in _rows(standard, "activity")} <= {"0", "1-9", "10-99", "100-999", "1000 or more",
                                                                          ".u"}
    exact = [r for r in _rows(detailed, "events") if r["event_type"] == "contact"]
    assert "date" in exact[0]
    assert all(re.fullmatch(r"\d+|\.u", r["reach_views"]) for r in exact)


def test_an_expired_or_revoked_project_cannot_export(runner, demo, users, tmp_path):
    from portal.extensions import db
    from portal.models import utcnow

    expired = make_project(users["researcher"], name="Old study", days=-1)
    revoked = make_project(users["researcher"], name="Stopped study", revoked_at=utcnow())
    db.session.commit()
    for project in (expired, revoked):
        result = runner.invoke(args=["research", "export", "--out", str(tmp_path / "x"), "--project", str(project.id)])
        assert result.exit_code != 0
        assert "no open research project" in result.output

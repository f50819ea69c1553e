"""Findings 4, 5 and 8 of issue 22: consistent suppression, no exact days beside weeks, "as of" exports."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from portal.extensions import db
from portal.models import ActivitySample, Community, utcnow
from tests.portal.outreach_factories import make_community, make_contact, make_stage
from tests.portal.research_support import export, rows, validate

UNTIL_DAYS_AGO = 100


def _until() -> str:
    return (utcnow() - timedelta(days=UNTIL_DAYS_AGO)).date().isoformat()


def _aged(community: Community, days: int) -> Community:
    community.created_at = utcnow() - timedelta(days=days)
    db.session.commit()
    return community


def _week_number(label: str) -> int:
    year, week = label.split("-W")
    monday = date.fromisocalendar(int(year), int(week), 1)
    return monday.toordinal() // 7


def test_a_date_limited_export_suppresses_exactly_what_the_full_export_does(runner, area, users, tmp_path):
    """Finding 4: suppression must not depend on the period, or two exports together name platforms."""
    early = [_aged(make_community(area, f"Old forum {n}", platform="forum"), 400) for n in range(4)]
    for n in range(8):
        _aged(make_community(area, f"New forum {n}", platform="forum"), 10)
    blog = _aged(make_community(area, "Lone blog", platform="blog"), 400)
    for community in (*early, blog):
        make_contact(community, users["officer"], days_ago=300)
    full = rows(export(runner, tmp_path / "full"), "communities")
    dated = rows(export(runner, tmp_path / "dated", "--until", _until()), "communities")
    platform_in_full = {r["community"]: r["platform"] for r in full}
    assert len(dated) == 5
    for row in dated:
        assert row["platform"] == platform_in_full[row["community"]], row
    assert sorted(r["platform"] for r in dated) == [".s"] + ["forum"] * 4


def test_weeks_only_packages_carry_no_offsets_in_days(runner, area, users, tmp_path):
    """Finding 5: created - followed_days + days_since_first_contact gave back exact days."""
    forums = [_aged(make_community(area, f"Forum {n}", platform="forum"), 300) for n in range(10)]
    for n, community in enumerate(forums):
        first = make_contact(community, users["officer"], days_ago=200 - n, direction="outbound")
        make_stage(community, "approached", days_ago=200 - n, evidence=first)
        make_contact(community, users["officer"], days_ago=120 - 3 * n, outcome="positive")
        make_stage(community, "acknowledged", days_ago=120 - 3 * n)
        db.session.add(ActivitySample(community_id=community.id, sampled_at=utcnow() - timedelta(days=50 + n),
                                      items_per_week=2.0))
    db.session.commit()
    out = export(runner, tmp_path / "weeks", "--coarsen-weeks")
    validate(out / "datapackage.json")
    package = json.loads((out / "datapackage.json").read_text())
    for resource in package["resources"]:
        days = [f["name"] for f in resource["schema"]["fields"] if "days" in f["name"] or f["type"] == "date"]
        assert days == [], resource["name"]
    communities = {r["community"]: r for r in rows(out, "communities")}
    checked = 0
    for event in rows(out, "events") + rows(out, "activity"):
        first = communities[event["community"]]["first_contact_week"]
        if first != ".n":
            assert int(event["weeks_since_first_contact"]) == _week_number(event["week"]) - _week_number(first)
            checked += 1
    for row in communities.values():
        assert row["weeks_to_acknowledged"].isdigit()
        assert row["followed_weeks"].isdigit()
    assert checked >= 30


def _as_of_world(area, users):
    from portal.communities.services import set_archived, update_community
    from portal.outreach.services import edit_contact

    forums = [_aged(make_community(area, f"Forum {n}", platform="forum", police_welcome="unknown",
                                   audience_size=50, access="public"), 200) for n in range(11)]
    watched, late = forums[0], forums[1]
    contact = make_contact(watched, users["officer"], days_ago=150, outcome="pending", reach_views=40)
    make_stage(watched, "approached", days_ago=150, evidence=contact)
    make_stage(watched, "acknowledged", days_ago=20)
    make_contact(late, users["officer"], days_ago=20)
    db.session.add_all([ActivitySample(community_id=watched.id, sampled_at=utcnow() - timedelta(days=150),
                                       items_per_week=2.0),
                        ActivitySample(community_id=watched.id, sampled_at=utcnow() - timedelta(days=5),
                                       items_per_week=9.0)])
    watched.items_per_week, watched.locality_score = 9.0, 0.9
    edit_contact(contact, {"outcome": "positive", "reach_views": 900}, users["officer"])
    update_community(watched, {"police_welcome": "yes", "access": "closed", "audience_size": 5000})
    set_archived(watched, True, "gone quiet")
    db.session.commit()
    return watched, late


def test_an_until_export_states_everything_as_it_was_at_the_end_date(runner, area, users, tmp_path):
    """Finding 8: status, welcome, activity and contacts were today's values, and later contacts appeared."""
    watched, late = _as_of_world(area, users)
    out = export(runner, tmp_path / "asof", "--until", _until())
    validate(out / "datapackage.json")
    full = export(runner, tmp_path / "full")
    key = {r["community"]: r for r in rows(full, "communities")}
    then = {r["community"]: r for r in rows(out, "communities")}
    (watched_key,) = [k for k, r in key.items() if r["status"] == "archived"]
    row = then[watched_key]
    assert (row["police_welcome"], row["access"], row["status"], row["audience_band"]) == (
        "unknown", "public", "active", "under 100")
    assert row["stage_at_end"] == "approached"
    assert row["items_per_week"] == "2.0"
    assert "locality_score" not in row
    assert "locality_score" in key[watched_key]
    (contact,) = [e for e in rows(out, "events") if e["event_type"] == "contact"]
    assert (contact["outcome"], contact["reach_views"]) == ("pending", "40")
    late_key = [k for k, r in key.items() if r["first_contact_date"] not in (".n", "") and k != watched_key]
    assert late_key
    assert then[late_key[0]]["first_contact_date"] == ".n"
    end = date.fromisoformat(_until())
    for table in ("events", "activity"):
        assert all(date.fromisoformat(r["date"]) <= end for r in rows(out, table))
    assert max(r["month"] for r in rows(out, "panel")) == end.strftime("%Y-%m")
    assert all(r["first_contact_date"] == ".n" or date.fromisoformat(r["first_contact_date"]) <= end
               for r in then.values())


def test_attributes_from_before_history_was_kept_are_unknown(runner, area, users, tmp_path):
    from portal.models import CommunityRevision

    forums = [_aged(make_community(area, f"Forum {n}", platform="forum"), 200) for n in range(10)]
    db.session.add_all(CommunityRevision(community_id=c.id, kind="baseline", changes={},
                                         changed_at=utcnow() - timedelta(days=30)) for c in forums[:3])
    db.session.commit()
    then = rows(export(runner, tmp_path / "asof", "--until", _until()), "communities")
    assert sorted(r["police_welcome"] for r in then).count(".u") == 3
    assert sorted(r["status"] for r in then).count(".u") == 3
    recent = rows(export(runner, tmp_path / "recent", "--until", (utcnow() - timedelta(days=2)).date().isoformat()),
                  "communities")
    assert ".u" not in {r["police_welcome"] for r in recent}


def test_the_panel_gives_each_community_month_by_month(runner, area, users, tmp_path):
    community = _aged(make_community(area, "Forum", platform="forum"), 0)
    community.created_at = datetime(2025, 1, 15)
    db.session.commit()
    first = make_contact(community, users["officer"])
    first.occurred_at = datetime(2025, 2, 3)
    second = make_contact(community, users["officer"])
    second.occurred_at = datetime(2025, 2, 20)
    change = make_stage(community, "approached", evidence=first)
    change.changed_at = datetime(2025, 2, 3)
    later = make_stage(community, "acknowledged")
    later.changed_at = datetime(2025, 4, 1)
    db.session.commit()
    panel = rows(export(runner, tmp_path / "panel", "--until", "2025-04-30"), "panel")
    assert [(r["month"], r["stage"], r["contacts"], r["contacts_to_date"]) for r in panel] == [
        ("2025-01", "identified", "0", "0"), ("2025-02", "approached", "2", "2"),
        ("2025-03", "approached", "0", "2"), ("2025-04", "acknowledged", "0", "2")]
    assert {r["trust"] for r in panel} == {".n"}

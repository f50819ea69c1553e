"""Kept releases (issue 22, portal/research/releases.py): a researcher's family of figures, counted once after
its month-end, is served unchanged from then on, so a record dated inside a published month but entered or
edited later moves no published figure (page, fragment, CSV; every area and each area)."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, Meeting, OutreachContact, ResearchRelease
from portal.research import releases
from portal.research.disclosure import Protected
from portal.research.filters import Selection
from portal.research.pages import PAGES
from tests.portal.test_research_differencing import _contacted
from tests.portal.test_research_month_end import _clock, _everything_seen, _year_2025


def _entered_late(officer, areas) -> None:
    """Records dated inside November 2025 (published on 1 December), entered in December: 3 forums contacted
    and a meeting in the first area, and an October contact's outcome edited."""
    _contacted(areas[0], officer, "forum", 3, outcome="positive", when=datetime(2025, 11, 25))
    db.session.add(Meeting(area_id=areas[0].id, title="Surgery", held_at=datetime(2025, 11, 28), place="Hall",
                           attendance=4))
    edited = db.session.scalars(select(OutreachContact).order_by(OutreachContact.id)).first()
    edited.outcome = "negative"
    db.session.commit()


def _forum_row(client, query: str) -> str:
    csv = client.get(f"/research/responses/tables/1.csv?{query}").get_data(as_text=True)
    return next(line for line in csv.splitlines() if line.startswith("Forum,"))


def test_a_record_entered_later_for_a_published_month_moves_no_published_figure(client, auth, monkeypatch):
    officer, areas = _year_2025()
    auth.login("researcher")
    _clock(monkeypatch, date(2025, 12, 3))
    first = _everything_seen(client, "?year=2025")
    _entered_late(officer, areas)
    _clock(monkeypatch, date(2025, 12, 20))
    second = _everything_seen(client, "?year=2025")
    assert [name for name in first if first[name] != second[name]] == []
    # an area first viewed after the late records is a view of the same kept release: 12 + 10 forums, not 25
    assert _forum_row(client, f"year=2025&area={areas[0].slug}").startswith("Forum,22,")
    assert _forum_row(client, "year=2025").startswith("Forum,44,")
    assert {row.split(":")[0] for row in db.session.scalars(select(ResearchRelease.page))} >= set(PAGES)
    auth.logout()
    auth.login("admin")  # other roles keep live figures, the same dates included
    assert _forum_row(client, "since=2025-01-01&until=2025-11-30").startswith("Forum,47,")


def test_two_first_counts_at_once_serve_the_one_release_written_first(app, monkeypatch):
    _clock(monkeypatch, date(2025, 12, 3))
    release = releases.release_of("responses", Selection(since=date(2025, 1, 1), until=date(2025, 11, 30)), True)
    assert release is not None
    assert release.month_end == date(2025, 11, 30)

    def slower_count():  # while this process counts, another one counts and publishes first
        assert releases.kept(release, lambda: {"contacts": 2}) == {"contacts": 2}
        return {"contacts": 1}

    assert releases.kept(release, slower_count) == {"contacts": 2}
    assert releases.kept(release, lambda: {"contacts": 3}) == {"contacts": 2}
    assert db.session.scalar(select(func.count(ResearchRelease.id))) == 1


def test_only_a_researchers_completed_month_ends_are_kept(app, monkeypatch):
    _clock(monkeypatch, date(2025, 12, 3))
    year = Selection(since=date(2025, 1, 1), until=date(2025, 11, 30))
    assert releases.release_of("responses", year, False) is None  # other roles: live
    assert releases.release_of("responses", Selection(since=date(2025, 1, 1), until=date(2025, 12, 31)), True) is None
    assert releases.release_of("responses", Selection(since=date(2025, 1, 1), until=date(2025, 11, 29)), True) is None
    assert releases.release_of("responses", Selection(since=date(2024, 1, 1), until=date(2024, 12, 31)), True)
    app.config["RESEARCH_FIGURES_TO"] = "today"
    assert releases.release_of("responses", year, True) is None


def test_kept_counts_come_back_as_they_were_counted():
    protected = Protected({("all", date(2025, 11, 3), 7): 12, ("all", "paired"): 3}, {("all", "paired")}, 10)
    weekly: defaultdict = defaultdict(Counter)
    weekly[("any", ""), date(2025, 11, 3)][7] += 2
    value = ({("platform", "forum"): Counter({(3, "reached"): 4})}, [Counter({"new": 1}), Counter()], protected,
             weekly, {1, 2}, datetime(2025, 11, 30, 12), (0, None, None), 2.5)
    back = releases.decode(releases.encode(value))
    assert back == value
    assert type(back[3]) is defaultdict
    assert back[3]["missing"] == Counter()
    assert type(back[2]) is Protected
    assert back[2][("all", "paired")] is None
    with pytest.raises(TypeError):
        releases.encode(defaultdict(lambda: 0))
    with pytest.raises(TypeError):
        releases.encode(object())


def test_dropping_kept_releases_is_audited_and_their_families_are_counted_again(app, client, auth, monkeypatch):
    officer, areas = _year_2025()
    auth.login("researcher")
    _clock(monkeypatch, date(2025, 12, 3))
    assert _forum_row(client, "year=2025").startswith("Forum,44,")
    kept = db.session.scalar(select(func.count(ResearchRelease.id)))
    assert kept
    _entered_late(officer, areas)
    result = app.test_cli_runner().invoke(args=["research", "drop-releases", "--before", "2026-01-01"])
    assert result.exit_code == 0, result.output
    assert f"Dropped {kept} kept releases." in result.output
    assert db.session.scalar(select(func.count(ResearchRelease.id))) == 0
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "research_release")).one()
    assert event.action == "dispose"
    assert event.details["releases"] == kept
    assert _forum_row(client, "year=2025").startswith("Forum,47,")  # a new release, with what was entered since

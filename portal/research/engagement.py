"""Response rates and outcome mix, contacts per week per area, and online versus offline engagement."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from sqlalchemy import distinct, func, select

from portal.extensions import db
from portal.models import OUTCOMES, Area, Community, Meeting, OutreachContact, label
from portal.research.filters import Selection, contact_conditions, months, weeks
from portal.research.report import Report, Table
from portal.research.sqltime import month_start
from portal.research.suppression import hide_small, protect, safe_rate, shown
from portal.research.svg import bars, lines

RESPONDED = ("acknowledged", "positive", "negative", "hostile")


def as_date(value) -> date:
    """func.date() gives a date on PostgreSQL and an ISO string on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def response_report(selection: Selection, suppress: bool) -> Report:
    """Outcome of outbound contacts grouped by platform, channel or purpose, with the response rate."""
    group = {"platform": Community.platform, "channel": OutreachContact.channel,
             "purpose": OutreachContact.purpose}[selection.by]
    counts: dict[str, Counter] = defaultdict(Counter)
    for key, outcome, n in db.session.execute(
            select(group, OutreachContact.outcome, func.count()).join(Community)
            .where(*contact_conditions(selection), OutreachContact.direction == "outbound")
            .group_by(group, OutreachContact.outcome)):
        counts[key][outcome] = n
    if not counts:
        return Report(empty=True)
    keys = sorted(counts)
    rows, rates = [], []
    for key in keys:
        c = counts[key]
        total = sum(c.values())
        responded = sum(c[o] for o in RESPONDED)
        rate = safe_rate(responded, total - c["pending"], suppress)
        rates.append(None if rate is None else round(rate, 1))
        rows.append([label(key), shown(hide_small(total, suppress)), *[shown(v) for v in protect([c[o] for o in OUTCOMES], suppress)],
                     "–" if rate is None else f"{rate:.0f}%"])
    protected = {key: protect([counts[key][o] for o in OUTCOMES], suppress) for key in keys}
    series = [(label(o), [protected[k][i] for k in keys]) for i, o in enumerate(OUTCOMES)]
    names = [label(k) for k in keys]
    return Report(
        charts=[bars("responses-mix", f"Outcome of outbound contacts by {selection.by}",
                     f"Stacked bars: outbound contacts per {selection.by}, split by their outcome.", names, series),
                bars("responses-rate", f"Response rate by {selection.by}",
                     "Bars: the share of outbound contacts with a known outcome that got any response.",
                     names, [("Response rate (%)", rates)])],
        tables=[Table(f"Outbound contacts by {selection.by} and outcome",
                      [label(selection.by), "Contacts", *[label(o) for o in OUTCOMES], "Response rate"], rows)],
        notes=["Response rate = contacts answered (acknowledged, positive, negative or hostile) ÷ contacts whose outcome "
               "is known (everything except pending).",
               "Compare platforms for one kind of message by choosing a purpose in the filters."])


def _daily(selection: Selection, *columns, where=()):
    day = func.date(OutreachContact.occurred_at)
    return db.session.execute(
        select(day, *columns, func.count()).join(Community)
        .where(*contact_conditions(selection), OutreachContact.direction == "outbound", *where)
        .group_by(day, *columns))


# One line per area stays readable up to the palette's size (svg.PALETTE, 8 colours); a force has
# dozens of areas, whose lines and table columns would repeat colours and run off a phone's screen.
MAX_AREA_LINES = 6


def busiest_areas(counts: dict[date, Counter], limit: int = MAX_AREA_LINES) -> tuple[list[Area], list[Area]]:
    """Split the areas with contacts into those shown one by one and the rest (shown as one).

    Up to ``limit + 1`` areas are all shown, in their usual order (one area left over gets a line
    of its own rather than an "other" line). Past that, the ``limit`` most contacted in the period
    are shown, most first.
    """
    totals: Counter = Counter()
    for by_area in counts.values():
        totals.update(by_area)
    areas = [a for a in Area.ordered() if totals[a.id]]
    if len(areas) <= limit + 1:
        return areas, []
    busiest = sorted(areas, key=lambda a: -totals[a.id])[:limit]  # stable: ties keep the areas' order
    shown_ids = {a.id for a in busiest}
    return busiest, [a for a in areas if a.id not in shown_ids]


def contacts_per_week(selection: Selection, suppress: bool) -> Report:
    week_starts = weeks(selection.start, selection.end)
    counts: dict[date, Counter] = defaultdict(Counter)
    for day, area_id, n in _daily(selection, Community.area_id):
        d = as_date(day)
        counts[d - timedelta(days=d.weekday())][area_id] += n
    if not counts:
        return Report(empty=True)
    shown_areas, others = busiest_areas(counts)
    other_name = f"Other areas ({len(others)}), mean per area"
    names = [a.name for a in shown_areas] + ([other_name] if others else [])

    def columns(week: date) -> list[int | float | None]:
        """The shown areas' counts, then the other areas' mean: their sum would dwarf every line."""
        by_area = counts[week]
        # Suppressed as counts (the others' sum is what a small mean would give away), then averaged.
        cells = protect([by_area[a.id] for a in shown_areas]
                        + ([sum(by_area[a.id] for a in others)] if others else []), suppress)
        if others and cells[-1] is not None:
            cells[-1] = round(cells[-1] / len(others), 1)
        return cells

    rows = {w: columns(w) for w in week_starts}
    labels = [w.strftime("%d %b %y") for w in week_starts]
    series = [(name, [rows[w][i] for w in week_starts]) for i, name in enumerate(names)]
    notes = ["Weeks are ISO weeks (Monday to Sunday)."]
    if others:
        notes.append(f"The {len(shown_areas)} areas with the most outbound contacts in the period are shown one by "
                     f"one; the other {len(others)} ({', '.join(a.name for a in others)}) are shown together as "
                     f"their mean per area (their contacts \u00f7 {len(others)}), on the same scale as one area. "
                     "The total counts every area. Choose an area in the filters to see it alone.")
    return Report(
        charts=[lines("contacts-week", "Outbound contacts per week, by area",
                      "Lines: the number of outbound contacts logged each week in each area.", labels, series)],
        tables=[Table("Outbound contacts per week", ["Week beginning", *names, "Total"],
                      [[lab, *[shown(v) for v in rows[w]], shown(hide_small(sum(counts[w].values()), suppress))]
                       for lab, w in zip(labels, week_starts, strict=True)])],
        notes=notes)


def _meetings(selection: Selection) -> dict[tuple[int, date], Counter]:
    where = [Meeting.held_at >= selection.start, Meeting.held_at < selection.end]
    if selection.scope_area_ids is not None:
        where.append(Meeting.area_id.in_(selection.scope_area_ids))
    if selection.area_id is not None:
        where.append(Meeting.area_id == selection.area_id)
    offline: dict[tuple[int, date], Counter] = defaultdict(Counter)
    for area_id, held_at, attendance in db.session.execute(
            select(Meeting.area_id, Meeting.held_at, Meeting.attendance).where(*where)):
        key = (area_id, date(held_at.year, held_at.month, 1))
        offline[key]["meetings"] += 1
        offline[key]["attendance"] += attendance or 0
    return offline


def online_by_month(selection: Selection) -> tuple[Counter, Counter]:
    """Outbound contacts, and communities contacted, per (area, first day of the month), counted in SQL.

    One row per area and month (sqltime.month_start), not one per day and community contacted.
    """
    month = month_start(OutreachContact.occurred_at)
    contacts, contacted = Counter(), Counter()
    for key, area_id, n, communities in db.session.execute(
            select(month, Community.area_id, func.count(), func.count(distinct(Community.id))).join(Community)
            .where(*contact_conditions(selection), OutreachContact.direction == "outbound")
            .group_by(month, Community.area_id)):
        at = (area_id, key.date())
        contacts[at], contacted[at] = n, communities
    return contacts, contacted


def online_offline(selection: Selection, suppress: bool) -> Report:
    """Meeting attendance beside online contacts, per area and month."""
    if selection.impossible:
        return Report(empty=True)
    contacts, contacted = online_by_month(selection)
    offline = _meetings(selection)
    keys = sorted(set(contacts) | set(offline))
    if not keys:
        return Report(empty=True)
    names = {a.id: a.name for a in Area.ordered()}
    rows = []
    for key in keys:
        cells = [offline[key]["meetings"], offline[key]["attendance"], contacts[key], contacted[key]]
        rows.append([key[1].strftime("%b %Y"), names.get(key[0], "?"),
                     *[shown(hide_small(v, suppress)) for v in cells]])
    month_starts = months(selection.start, selection.end)
    attendance = Counter({m: sum(c["attendance"] for (_, mm), c in offline.items() if mm == m) for m in month_starts})
    online = Counter({m: sum(n for (_, mm), n in contacts.items() if mm == m) for m in month_starts})
    series = [("Meeting attendance", [hide_small(attendance[m], suppress) for m in month_starts]),
              ("Online contacts", [hide_small(online[m], suppress) for m in month_starts])]
    return Report(
        charts=[bars("online-offline", "Meeting attendance and online contacts per month",
                     "Side-by-side bars: people attending neighbourhood meetings and outbound online contacts, "
                     "per month.", [m.strftime("%b %Y") for m in month_starts], series, stacked=False)],
        tables=[Table("Offline and online engagement by area and month",
                      ["Month", "Area", "Meetings", "Attendance", "Online contacts", "Communities contacted"], rows)],
        notes=["Platform, channel, purpose and officer filters narrow the online contacts; meetings are filtered "
               "by area and date only (a meeting has no platform)."])

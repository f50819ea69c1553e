"""Response rates and outcome mix, contacts per week per area, and online versus offline engagement."""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import distinct, func, select

from portal.extensions import db
from portal.models import Area, Community, Meeting, OutreachContact
from portal.research.filters import (
    ALL_AREAS, ANY_CONTACT, Selection, contact_conditions, contact_family, contact_slices, is_platform_place,
    months, place_of, platform_family, platform_place, read_slice, split_places, weeks,
)
from portal.research.report import Report, Table
from portal.research.sqltime import month_start
from portal.research.disclosure import CellTable, Protected, text
from portal.research.family import add_platform_sums, family_counts, family_protected
from portal.research.svg import bars, lines



def as_date(value) -> date:
    """func.date() gives a date on PostgreSQL and an ISO string on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def contacts_refusal(selection: Selection, active: bool = True) -> str | None:
    """Why the contacts-per-week page cannot show a researcher the selection (None when it can): its family
    holds each platform's weeks for every area together, beside each channel's and each purpose's, one at
    a time (`filters.contact_family`). (Channel or purpose with an area are refused before this.)"""
    if not active or not selection.platform:
        return None
    if selection.channel or selection.purpose:
        return ("Choose at most one of platform, channel and purpose here: figures for a combination could be "
                "worked out against the figures for each one. Set the others to “Any”.")
    if selection.area_id is not None:
        return ("Choose an area or a platform, not both: with a platform chosen, contacts per week are for "
                "every area together.")
    return None


def researchers_see(at: tuple, area) -> bool:
    """Whether researchers can see this contact slice in this area: every contact in each area and all
    areas, a slice (one channel, purpose or officer) for all areas only.

    Each slice's cells for each area were measured at 14 s a page at --scale 2000 for the channel
    slices alone (most are below k, and the whole system of sums is then solved), and the table was
    withheld whole at the layer's time limit; for all areas they are a few hundred cells.
    """
    return at == ANY_CONTACT or area == ALL_AREAS


def _add_slice_sums(table: CellTable, places: set[tuple], slices: set[tuple], columns: list[tuple]) -> None:
    """Each contact filter's values add up to every contact, at each place and column the table holds."""
    by_filter: dict[str, list[tuple]] = defaultdict(list)
    for at in sorted(slices - {ANY_CONTACT}, key=str):
        by_filter[at[0]].append(at)
    for place in places:
        for column in (c for group in columns for c in group):
            whole = (ANY_CONTACT, *place, column)
            if whole not in table.values:
                continue
            for values in by_filter.values():
                parts = [(at, *place, column) for at in values if (at, *place, column) in table.values]
                if parts:
                    table.add_sum(whole, parts)


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
    family = contact_family(selection)
    by_slice = family_counts("contacts", family, lambda: _weekly_counts(family), suppress=suppress)
    here = read_slice(selection)
    counts = by_slice.get(here, {})
    if selection.area_id is not None and not any(by_area[selection.area_id] for by_area in counts.values()):
        return Report(empty=True)
    if not counts:
        return Report(empty=True)
    # which areas get a line of their own is the family's (every contact), so every slice declares the same sums
    shown_areas, others = busiest_areas(by_slice[ANY_CONTACT])
    protected = family_protected("contacts", family, suppress,
                                 lambda: _protected_weeks(by_slice, week_starts, shown_areas, others, suppress))
    if selection.area_id is not None:  # one area: its column, and its total is that column
        shown_areas, others = [a for a in Area.ordered() if a.id == selection.area_id], []
    elif suppress and not researchers_see(here, None):  # one channel, purpose or officer: every area together
        shown_areas, others = [], []
    other_name = f"Other areas ({len(others)}), mean per area"
    names = [a.name for a in shown_areas] + ([other_name] if others else [])

    def columns(week: date) -> list[int | float | None]:
        """The shown areas' counts, then the other areas' mean: their sum would dwarf every line."""
        cells: list[int | float | None] = [protected[here, week, a.id] for a in shown_areas]
        if others:
            together = protected[here, week, "others"]
            cells.append(None if together is None else round(together / len(others), 1))
        return cells

    def total(week: date) -> str:
        return protected.text((here, week, shown_areas[0].id if selection.area_id is not None else "total"))

    rows = {w: columns(w) for w in week_starts}
    labels = [w.strftime("%d %b %y") for w in week_starts]
    series = [(name, [rows[w][i] for w in week_starts]) for i, name in enumerate(names)]
    notes = ["Weeks are ISO weeks (Monday to Sunday)."]
    if not names:
        series = [("Every area", [protected[here, w, "total"] for w in week_starts])]
        notes.append("With a platform, channel, purpose or officer chosen, researchers see every area together.")
    if others:
        notes.append(f"The {len(shown_areas)} areas with the most outbound contacts in the period are shown one by "
                     f"one; the other {len(others)} ({', '.join(a.name for a in others)}) are shown together as "
                     f"their mean per area (their contacts \u00f7 {len(others)}), on the same scale as one area. "
                     "The total counts every area. Choose an area in the filters to see it alone.")
    return Report(
        charts=[lines("contacts-week", "Outbound contacts per week, by area",
                      "Lines: the number of outbound contacts logged each week in each area.", labels, series)],
        tables=[Table("Outbound contacts per week", ["Week beginning", *names, "Total"],
                      [[lab, *[text(v) for v in rows[w]], total(w)] for lab, w in zip(labels, week_starts, strict=True)])],
        notes=notes)


def _weekly_counts(family: Selection) -> dict[tuple, dict[date, Counter]]:
    """{contact slice: {Monday: {area id: outbound contacts}}} for every area of the family."""
    counts: dict[tuple, dict[date, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for name, column in contact_slices(family):
        for day, area_id, *value, n in _daily(family, Community.area_id, *(() if column is None else (column,))):
            d = as_date(day)
            counts[name, value[0] if value else ""][d - timedelta(days=d.weekday())][area_id] += n
    return {at: dict(weekly) for at, weekly in counts.items()}


def _protected_weeks(by_slice: dict[tuple, dict[date, Counter]], week_starts: list[date], shown_areas: list[Area],
                     others: list[Area], suppress: bool) -> Protected:
    """Each week's areas with the week's total, and the other areas' sum behind their mean, of every
    contact; each contact slice's weekly total (`researchers_see`); each contact filter's values
    adding up to every contact. (Unsuppressed, a slice's areas with contacts are kept too: the
    others read as the zeros they are.)"""
    table = CellTable(active=suppress)
    areas = [*shown_areas, *others]
    for at, counts in by_slice.items():
        for week in week_starts:
            by_area = counts.get(week, Counter())
            total = table.cell((at, week, "total"), sum(by_area.values()))
            if at != ANY_CONTACT:
                for area in ([] if suppress else [a for a in areas if by_area[a.id]]):
                    table.cell((at, week, area.id), by_area[area.id])
                continue
            table.add_sum(total, [table.cell((at, week, a.id), by_area[a.id]) for a in areas])
            if others:
                table.add_sum(table.cell((at, week, "others"), sum(by_area[a.id] for a in others)),
                              [(at, week, a.id) for a in others])
    _add_slice_sums(table, {(week,) for week in week_starts}, set(by_slice), [("total",)])
    return table.protect()


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
    return _online_per_month(selection, Community.area_id, lambda area_id: area_id)


def online_by_platform(family: Selection) -> tuple[Counter, Counter]:
    """`online_by_month` per platform for every area together, keyed (`platform_place`, month)."""
    return _online_per_month(family, Community.platform, platform_place)


def _online_per_month(selection: Selection, column: Any, place: Callable[[Any], object]) -> tuple[Counter, Counter]:
    """Outbound contacts and communities contacted per (place of the column's value, month), in one query."""
    month = month_start(OutreachContact.occurred_at)
    contacts: Counter[tuple[Any, date]] = Counter()
    contacted: Counter[tuple[Any, date]] = Counter()
    for key, value, n, communities in db.session.execute(
            select(month, column, func.count(), func.count(distinct(Community.id))).join(Community)
            .where(*contact_conditions(selection), OutreachContact.direction == "outbound")
            .group_by(month, column)):
        at = (place(value), key.date())
        contacts[at], contacted[at] = n, communities
    return contacts, contacted


def _offline_family(family: Selection) -> tuple[Counter, Counter, dict[tuple[int, date], Counter]]:
    """Online contacts and communities contacted per (area, month) and, unless the family keeps its platform,
    per (platform, month) for every area; and meetings per (area, month)."""
    contacts, contacted = online_by_month(family)
    if not family.platform:
        by_platform = online_by_platform(family)
        contacts.update(by_platform[0])
        contacted.update(by_platform[1])
    return contacts, contacted, _meetings(family)


def online_offline(selection: Selection, suppress: bool) -> Report:
    """Meeting attendance beside online contacts, per area and month (with a platform: every area together)."""
    if selection.impossible:
        return Report(empty=True)
    family = platform_family(selection)
    contacts, contacted, offline = family_counts("offline", family, lambda: _offline_family(family),
                                                  suppress=suppress)
    here = place_of(selection)
    month_starts = months(selection.start, selection.end)
    every = sorted(key for key in set(contacts) | set(offline) if not is_platform_place(key[0]))
    keys: list[tuple[object, date]]
    if is_platform_place(here):  # every area together, by month: the platform's contacts beside every meeting
        keys = [(here, m) for m in month_starts
                if contacts[here, m] or any(offline[area, mm]["meetings"] for area, mm in every if mm == m)]
    else:
        keys = [key for key in every if selection.area_id is None or key[0] == selection.area_id]
    if not keys:
        return Report(empty=True)
    platforms = [place[1] for place in split_places(key[0] for key in contacts)[1]]
    protected = family_protected("offline", family, suppress, lambda: _protected_offline(
        every, month_starts, contacts, contacted, offline, platforms, suppress))
    names = {a.id: a.name for a in Area.ordered()}

    def row(key: tuple) -> list[str]:
        place, m = key
        if is_platform_place(place):  # meetings have no platform: every area's, beside the platform's contacts
            cells = [(ALL_AREAS, m, "meetings"), (ALL_AREAS, m, "attendance"), (place, m, "online"),
                     (place, m, "contacted")]
            return [m.strftime("%b %Y"), "Every area", *[protected.text(cell) for cell in cells]]
        return [m.strftime("%b %Y"), names.get(place, "?"), *[protected.text((*key, metric)) for metric in METRICS]]

    rows = [row(key) for key in keys]
    meetings_at = ALL_AREAS if is_platform_place(here) else here
    series = [("Meeting attendance", [protected[meetings_at, m, "attendance"] for m in month_starts]),
              ("Online contacts", [protected[here, m, "online"] for m in month_starts])]
    return Report(
        charts=[bars("online-offline", "Meeting attendance and online contacts per month",
                     "Side-by-side bars: people attending neighbourhood meetings and outbound online contacts, "
                     "per month.", [m.strftime("%b %Y") for m in month_starts], series, stacked=False)],
        tables=[Table("Offline and online engagement by area and month",
                      ["Month", "Area", "Meetings", "Attendance", "Online contacts", "Communities contacted"], rows)],
        notes=["Platform, channel, purpose and officer filters narrow the online contacts; meetings are filtered "
               "by area and date only (a meeting has no platform). With a platform chosen, researchers see every "
               "area together."])


METRICS = ("meetings", "attendance", "online", "contacted")


def _protected_offline(keys, month_starts, contacts: Counter, contacted: Counter, offline, platforms: list[str],
                       suppress: bool) -> Protected:
    """Each area's month, the months of every area together (meetings, attendance and online contacts shown;
    communities contacted only as the link to the platforms') and each platform's online contacts and
    communities contacted for every area together, with the areas' and the platforms' sums."""
    table = CellTable(active=suppress)
    for key in keys:
        for metric, value in zip(METRICS, (offline[key]["meetings"], offline[key]["attendance"], contacts[key],
                                           contacted[key]), strict=True):
            table.cell((*key, metric), value)
    for m in month_starts:
        for metric in METRICS:
            add = table.latent if metric == "contacted" else table.cell
            table.add_sum(add((ALL_AREAS, m, metric), sum(table.values[area, mm, metric] for area, mm in keys if mm == m)),
                          [(area, mm, metric) for area, mm in keys if mm == m])
        for platform in platforms:
            for metric, counts in (("online", contacts), ("contacted", contacted)):
                table.cell((platform_place(platform), m, metric), counts[platform_place(platform), m])
    add_platform_sums(table, platforms, keep=lambda rest: rest[-1] in ("online", "contacted"))
    return table.protect()

"""Response rates and outcome mix of outbound contacts, by platform, channel or purpose.

Every grouping and every filter of this page reads the same contacts, so the page keeps one
*cube* per family (the selection without its area, platform, channel, purpose and grouping):
outbound contacts by area, platform, channel, purpose and outcome, counted once. A view is a
margin of it: the rows of one grouping, with the filters chosen fixed, in one area or in every
area. Researchers see the margins protected together, as one table (`ResponseFamily.protected`):

- each grouping (platform, channel, purpose) in each area and in every area together;
- each pair of them (platform × channel, platform × purpose, channel × purpose) in every area
  together, which is what a filter and a grouping on another dimension show (a platform filter
  grouped by channel, a purpose filter grouped by platform);
- the sums between them: outcomes add up to the row's contacts, areas to every area, and the
  values of one dimension to the margin without it (the platforms' forum-and-blog rows and the
  channels' rows are two splittings of the same contacts: issue 22 (c)). The margin with no
  dimension (every contact of an area, by outcome) is never shown, and takes part as unknown.

A view that would need a margin outside that table (an area with a filter, or three dimensions
fixed at once) is refused to researchers (`refusal`). Supervisors and admins read any margin of
the cube unprotected.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from itertools import combinations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import OUTCOMES, Community, OutreachContact, label
from portal.research.disclosure import MARK, CellTable, Protected, rate
from portal.research.family import family_counts, family_protected
from portal.research.filters import ALL_AREAS, GROUPINGS, Selection, contact_conditions
from portal.research.report import Report, Table
from portal.research.releases import kept_class
from portal.research.svg import bars

RESPONDED = ("acknowledged", "positive", "negative", "hostile")
COLUMNS = (*OUTCOMES, "total")
#: The dimensions of the cube besides area and outcome, in the cube's key order.
DIMENSIONS = GROUPINGS  # ("platform", "channel", "purpose")

Dims = tuple[tuple[str, str], ...]  # fixed dimensions, sorted by name: (("channel", "email"), ("platform", "blog"))
Margin = tuple[object, Dims]  # (area id or ALL_AREAS, fixed dimensions)


def family_of(selection: Selection) -> Selection:
    """The selection without what this page reads out of its cube: area, platform, channel, purpose, grouping.

    An officer filter stays (it is nobody's view but an admin's: researchers are refused it)."""
    return replace(selection, area="", area_id=None, platform="", channel="", purpose="", by="platform")


def fixed_of(selection: Selection) -> Dims:
    """The dimensions the selection's filters fix (platform, channel, purpose), sorted by name."""
    return tuple(sorted((name, getattr(selection, name)) for name in DIMENSIONS if getattr(selection, name)))


def published(place: object, dims: Dims) -> bool:
    """Whether researchers may see this margin: up to two dimensions in every area together, and in
    one area the platforms (the grouping by channel or purpose is for every area together)."""
    if place == ALL_AREAS:
        return len(dims) <= 2
    return all(name == "platform" for name, _ in dims)


def refusal(selection: Selection, active: bool = True) -> str | None:
    """Why this page cannot show a researcher the selection (None when it can): its rows need margins
    outside the protected table. (The officer filter and two contact filters are refused before this,
    by `disclosure.contact_filter_reason`.)"""
    if not active:
        return None
    fixed = {name for name, _ in fixed_of(selection)}
    rows = fixed | {selection.by}
    place = ALL_AREAS if selection.area_id is None else selection.area_id
    if published(place, tuple((name, "") for name in sorted(rows))):
        return None
    if place != ALL_AREAS and fixed - {selection.by}:
        return (f"Choose an area or a {' and a '.join(sorted(fixed - {selection.by}))}, not both: with it "
                f"chosen, figures by {selection.by} are for every area together.")
    if place != ALL_AREAS:
        return (f"In one area, figures are by platform; by {selection.by}, they are for every area together. "
                f"Choose “Any” area, or group by platform.")
    return ("Choose at most one of platform, channel and purpose besides the grouping: figures for a "
            "combination of three could be worked out against the figures for each pair. Set one to “Any”.")


@kept_class("cube", "margins")
@dataclass
class ResponseFamily:
    """The cube of one family (its rows as counted), its published margins, and (asked once, then kept
    with them) their protection."""

    cube: list[tuple[object, str, str, str, str, int]]  # (area id, platform, channel, purpose, outcome, contacts)
    margins: dict[Margin, Counter]
    _protected: Protected | None = field(default=None, repr=False)

    def rows(self, place: object, fixed: Dims, by: str) -> dict[str, Counter]:
        """{value of the grouping: contacts by outcome} for the rows of one view, without empty rows.

        Read from the published margins when the view is one of them (every researcher's view), else
        summed from the cube (an admin's area and channel together, say)."""
        row_dims = {value: _dims(fixed, (by, value)) for value in self.values(by)}
        if all(published(place, dims) for dims in row_dims.values()):
            rows = {value: self.margins.get((place, dims), Counter()) for value, dims in row_dims.items()}
        else:
            want, position = dict(fixed), DIMENSIONS.index(by)
            rows = defaultdict(Counter)
            for area, *values, outcome, n in self.cube:
                named = dict(zip(DIMENSIONS, values, strict=True))
                if (place == ALL_AREAS or area == place) and all(named[k] == v for k, v in want.items()):
                    rows[values[position]][outcome] += n
        return {value: c for value, c in rows.items() if _total(c)}

    def values(self, by: str) -> set[str]:
        return {dict(dims)[by] for place, dims in self.margins if place == ALL_AREAS and len(dims) == 1
                and dims[0][0] == by}

    def protected(self) -> Protected:
        if self._protected is None:
            self._protected = _protect(self.margins)
        return self._protected


def response_report(selection: Selection, suppress: bool) -> Report:
    """Outcome of outbound contacts grouped by platform, channel or purpose, with the response rate."""
    family = family_counts("responses", family_of(selection), lambda: _counted(family_of(selection)),
                           suppress=suppress)
    place = ALL_AREAS if selection.area_id is None else selection.area_id
    fixed = fixed_of(selection)
    by_value = family.rows(place, fixed, selection.by)
    if not by_value:
        return Report(empty=True)
    keys = sorted(by_value)
    protected = family_protected("responses", family_of(selection), suppress, family.protected) if suppress else None

    def key_of(value: str, column: str) -> tuple:
        return (place, _dims(fixed, (selection.by, value)), column)

    def text(value: str, column: str) -> str:
        if protected is None:
            return str(_total(by_value[value]) if column == "total" else by_value[value][column])
        return protected.text(key_of(value, column))

    def number(value: str, column: str) -> int | None:
        if protected is None:
            return _total(by_value[value]) if column == "total" else by_value[value][column]
        return protected[key_of(value, column)]

    rows, rates = [], []
    for key in keys:
        c = by_value[key]
        visible = protected is None or protected.visible(*(key_of(key, o) for o in COLUMNS))
        value = rate(sum(c[o] for o in RESPONDED), _total(c) - c["pending"], visible)
        rates.append(None if value is None else round(value, 1))
        rows.append([label(key), text(key, "total"), *[text(key, o) for o in OUTCOMES],
                     "–" if value is None and visible else (MARK if value is None else f"{value:.0f}%")])
    series = [(label(o), [number(k, o) for k in keys]) for o in OUTCOMES]
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
               "is known (everything except pending); it is withheld with any count it rests on.",
               "Compare platforms for one kind of message by choosing a purpose in the filters."])


def _total(c: Counter) -> int:
    return sum(c[o] for o in OUTCOMES)


def _dims(fixed: Dims, row: tuple[str, str]) -> Dims:
    """The fixed dimensions of one row: the filters and the row's value (the same dimension twice is one)."""
    return tuple(sorted({*fixed, row}))


def _counted(family: Selection) -> ResponseFamily:
    """Outbound contacts of the family by (area, platform, channel, purpose) and outcome: one query."""
    columns = (Community.area_id, Community.platform, OutreachContact.channel, OutreachContact.purpose,
               OutreachContact.outcome)
    cube = [(area_id, platform or "", channel or "", purpose or "", outcome, n)
            for area_id, platform, channel, purpose, outcome, n in db.session.execute(
                select(*columns, func.count()).join(Community)
                .where(*contact_conditions(family), OutreachContact.direction == "outbound").group_by(*columns))]
    return ResponseFamily(cube, _published_margins(cube))


def _published_margins(cube: list[tuple]) -> dict[Margin, Counter]:
    """Every margin researchers may see (`published`: up to two dimensions for every area, the platform
    in each area), and the margin with no dimension for every area (never shown: the link between the
    groupings), with their contacts by outcome. Summed in two passes over the cube's rows."""
    every: dict[tuple, int] = defaultdict(int)
    by_area: dict[tuple, int] = defaultdict(int)
    for area, platform, channel, purpose, outcome, n in cube:
        every[platform, channel, purpose, outcome] += n
        by_area[area, platform, outcome] += n
    margins: dict[Margin, Counter] = defaultdict(Counter)
    for (*values, outcome), n in every.items():
        named = dict(zip(DIMENSIONS, values, strict=True))
        for size in range(3):
            for dims in combinations(sorted(named.items()), size):
                margins[ALL_AREAS, dims][outcome] += n
    for (area, platform, outcome), n in by_area.items():
        margins[area, (("platform", platform),)][outcome] += n
    return dict(margins)


def _protect(margins: dict[Margin, Counter]) -> Protected:
    """The published margins as one table: row totals, areas adding up to every area, and each
    dimension's values adding up to the margin without it."""
    table = CellTable()
    for (place, dims), c in margins.items():
        add = table.cell if dims else table.latent  # every contact of an area, by outcome: never shown
        table.add_sum(add((place, dims, "total"), _total(c)), [add((place, dims, o), c[o]) for o in OUTCOMES])
    areas: dict[Dims, list[object]] = defaultdict(list)
    splits: dict[tuple[object, Dims, str], list[Dims]] = defaultdict(list)
    for place, dims in margins:
        if place != ALL_AREAS:
            areas[dims].append(place)
        for position, (name, _) in enumerate(dims):
            if (place, dims[:position] + dims[position + 1:]) in margins:
                splits[place, dims[:position] + dims[position + 1:], name].append(dims)
    for column in COLUMNS:
        for dims, places in areas.items():
            table.add_sum((ALL_AREAS, dims, column), [(place, dims, column) for place in places])
        for (place, rest, _), parts in splits.items():
            table.add_sum((place, rest, column), [(place, dims, column) for dims in parts])
    return table.protect()

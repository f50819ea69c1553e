"""The research filter bar: parse it from the query string and turn it into SQL conditions."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeGuard

from flask import current_app, has_app_context
from sqlalchemy import ColumnElement, SQLColumnExpression, false, select

from portal.extensions import db
from portal.models import CHANNELS, PLATFORMS, PURPOSES, Area, Community, OutreachContact, User, utcnow
from portal.params import to_date
from portal.research.pseudonyms import Pseudonymiser

DEFAULT_SPAN_DAYS = 365
GROUPINGS = ("platform", "channel", "purpose")
OFFICER_ROLES = ("officer", "supervisor")  # who logs contacts, and so who the officer filter can name
FIELDS = ("area", "platform", "channel", "purpose", "officer", "since", "until")
#: The filters on a contact rather than a community: a researcher may use one at a time (issue 22).
CONTACT_FILTERS = ("channel", "purpose", "officer")
#: A contact slice: every contact (("any", "")), or the contacts of one value of one contact filter.
ANY_CONTACT = ("any", "")


@dataclass(frozen=True)
class Selection:
    """What the researcher asked to see, already checked and scoped to what they may see."""

    area: str = ""
    platform: str = ""
    channel: str = ""
    purpose: str = ""
    officer: str = ""
    since: date | None = None
    until: date | None = None
    by: str = "platform"
    errors: dict[str, str] = field(default_factory=dict)
    scope_area_ids: frozenset[int] | None = None  # None: every area
    area_id: int | None = None
    officer_id: int | None = None
    impossible: bool = False  # a filter names something that cannot match (unknown / out of scope)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since or (self.end.date() - timedelta(days=DEFAULT_SPAN_DAYS)),
                                datetime.min.time())

    @property
    def end(self) -> datetime:
        """Exclusive end of the period: the day after `until` (default: tomorrow)."""
        last = self.until or utcnow().date()
        return datetime.combine(last + timedelta(days=1), datetime.min.time())

    @property
    def contact_filtered(self) -> bool:
        return bool(self.channel or self.purpose or self.officer)

    @property
    def contact_filters(self) -> list[str]:
        """The contact filters chosen (channel, purpose, officer), in that order."""
        return [name for name in CONTACT_FILTERS if getattr(self, name)]

    @property
    def contact_slice(self) -> tuple[str, Any]:
        """The contacts this selection reads out of its contact family: ("any", ""), or ("channel",
        "purpose" or "platform", value). Meaningful only when `contact_family` drops its filter (`read_slice`)."""
        for name in ("channel", "purpose", "platform"):
            if getattr(self, name):
                return name, getattr(self, name)
        return ANY_CONTACT

    def query_args(self, **overrides: Any) -> dict[str, str]:
        """The filters as query-string arguments (for links and the export form)."""
        values = {name: getattr(self, name) for name in FIELDS}
        values = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}
        values.update(overrides)
        return {k: v for k, v in values.items() if v}


ALL_AREAS = "all"  # the key of a page's figures for every area of the selection


def whole_family(selection: Selection) -> Selection:
    """The selection without its area: a page counts every area in scope and shows the chosen one,
    so one area's figures and every area's are protected together (no differencing between them)."""
    return replace(selection, area="", area_id=None)


#: The first element of a platform's place in a page's protected table (beside area ids and ALL_AREAS).
PLATFORM_PLACE = "platform"


def platform_family(selection: Selection) -> Selection:
    """The selection without its area and its platform: the family of the pages that count communities.

    Such a page counts every area and every platform of the family and protects them together, each
    platform's figures (for every area together) declared to add up to every platform's (each
    community has one platform, so the platforms partition them): otherwise every platform minus
    one platform gives the other platforms' communities (issue 22). An area and a platform together
    are no view of the family (researchers are refused them: `disclosure.platform_area_reason`);
    their counts are the selection's own, every area of that platform.
    """
    family = whole_family(selection)
    if selection.platform and selection.area_id is not None:
        return family
    return replace(family, platform="")


def platform_place(platform: str) -> tuple[str, str]:
    """A platform's place in a page's protected table: its figures for every area together."""
    return (PLATFORM_PLACE, platform)


def is_platform_place(place: object) -> TypeGuard[tuple[str, str]]:
    return isinstance(place, tuple) and len(place) == 2 and place[0] == PLATFORM_PLACE


def split_places(places: Iterable[object]) -> tuple[list[Any], list[tuple[str, str]]]:
    """A `platform_family`'s places apart, each sorted and without repeats: the areas (their ids; the
    caller leaves out ALL_AREAS) and the platforms' places."""
    distinct = set(places)
    return (sorted(place for place in distinct if not is_platform_place(place)),
            sorted(place for place in distinct if is_platform_place(place)))


def place_of(selection: Selection) -> object:
    """Where a page that counts communities reads the selection in its `platform_family`'s table:
    the platform's place, the area's id, or ALL_AREAS."""
    if selection.platform and selection.area_id is None:
        return platform_place(selection.platform)
    return ALL_AREAS if selection.area_id is None else selection.area_id


def family_platforms(family: Selection) -> list[str]:
    """The platforms a `platform_family` counts one by one: those of its communities (none when the
    family keeps its platform: an admin's area and platform)."""
    if family.platform or family.impossible:
        return []
    return sorted(db.session.scalars(select(Community.platform).where(*community_conditions(family)).distinct()))


def contact_family(selection: Selection) -> Selection:
    """The selection without its area and (when it is the only one of platform, channel and purpose)
    that filter: the contacts-per-week page's family.

    The page counts every contact, each channel, each purpose and each platform in one family and
    protects them together: otherwise every channel minus one channel gives the contacts made another
    way, and every platform minus one platform the other platforms' (issue 22). An officer filter, or
    two of these filters together, are not part of any family (researchers are refused them:
    `disclosure.contact_filter_reason`, `engagement.contacts_refusal`); their counts are the selection's own.
    """
    family = whole_family(selection)
    if selection.officer or len(selection.contact_filters) + bool(selection.platform) > 1:
        return family
    return replace(family, channel="", purpose="", platform="")


def read_slice(selection: Selection) -> tuple[str, Any]:
    """The contact slice a page shows for this selection, out of its `contact_family`'s counts."""
    family = contact_family(selection)
    return ANY_CONTACT if family.contact_filtered or family.platform else selection.contact_slice


def contact_slices(family: Selection) -> list[tuple[str, Any]]:
    """(filter name, column) of each slicing a contact family counts: every contact, then by channel,
    by purpose and by platform (each a partition of every contact). A family that keeps its filters
    has only its own contacts."""
    every: list[tuple[str, Any]] = [(ANY_CONTACT[0], None)]
    if family.contact_filtered or family.platform:
        return every
    return [*every, ("channel", OutreachContact.channel), ("purpose", OutreachContact.purpose),
            ("platform", Community.platform)]


#: RESEARCH_FIGURES_TO: how far a researcher's current year runs. "month_end" (the default): to the last
#: completed month-end, so two views within a month show the same figures. "today": to today, for admins'
#: and tests' checks only: unsafe for researchers (the same page a week apart gives that week's contacts).
FIGURES_TO_MONTH_END = "month_end"
FIGURES_TO_TODAY = "today"
#: Calendar years a researcher can choose, the latest with a completed month first.
YEARS_OFFERED = 10


def research_today() -> date:
    """Today (UTC) for the research pages: the one clock their dates are read from (tests set it)."""
    return utcnow().date()


def figures_to() -> str:
    """RESEARCH_FIGURES_TO, "month_end" unless it is exactly "today" (anything else fails safe)."""
    value = current_app.config.get("RESEARCH_FIGURES_TO") if has_app_context() else None
    return FIGURES_TO_TODAY if value == FIGURES_TO_TODAY else FIGURES_TO_MONTH_END


def last_published_day(today: date) -> date:
    """The last day a researcher's figures reach: the last completed month-end (30 November on 7
    December; 31 December of last year all January), or today with RESEARCH_FIGURES_TO="today"."""
    if figures_to() == FIGURES_TO_TODAY:
        return today
    return date(today.year, today.month, 1) - timedelta(days=1)


def offered_years(today: date) -> list[int]:
    """The years a researcher's Year select offers: each with at least one completed month, latest first."""
    latest = last_published_day(today).year
    return list(range(latest, latest - YEARS_OFFERED, -1))


def one_calendar_year(selection: Selection, today: date) -> Selection:
    """The selection's dates as one whole calendar year, as researchers see them: a past year whole, the
    current one from 1 January to the last completed month-end (`last_published_day`).

    Free ranges overlap, and Jan–Jun minus Jan–May gives June's contacts (issue 22). Whole calendar
    years are a lattice with no overlaps, so no two periods a researcher can see can be subtracted;
    and the current year stops at the last month-end, so two views of it within one month are the
    same figures (a year that ran to today differed by the days between two views). Dates inside one
    year are widened to it; dates in two years are an error, and so is a year none of whose months
    has ended. No dates: the latest year with a completed month (last year, all January).
    """
    if selection.errors:
        return selection
    years = {day.year for day in (selection.since, selection.until) if day}
    if len(years) > 1:
        errors = {**selection.errors, "until": "Choose dates in one calendar year: figures are for whole years"}
        return replace(selection, errors=errors, impossible=True)
    last = last_published_day(today)
    year = years.pop() if years else last.year
    if year > last.year:
        errors = {**selection.errors, "until": f"No month of {year} has ended yet: figures for {year} start when "
                                               f"January {year} has ended. Choose an earlier year"}
        return replace(selection, since=None, until=None, errors=errors, impossible=True)
    until = last if year == last.year else date(year, 12, 31)
    return replace(selection, since=date(year, 1, 1), until=until)


def period_words(selection: Selection) -> str:
    """What a researcher's figures cover, in words ("1 January to 30 November 2026: figures are to the
    last month-end."); empty for a selection without one year's dates."""
    since, until = selection.since, selection.until
    if since is None or until is None:
        return ""
    span = f"{since:%-d %B} to {until:%-d %B %Y}"
    if until == date(until.year, 12, 31):
        return f"{span}: the whole year."
    if figures_to() == FIGURES_TO_TODAY:
        return f"{span}: figures are to today."
    return f"{span}: figures are to the last month-end."


def _parse_date(raw: str, name: str, errors: dict[str, str]) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    value = to_date(raw)
    if value is None:
        errors[name] = "Enter a real date, for example 2025-03-31"
    return value


def officer_choices(user: User | None, pseudonymise: Pseudonymiser) -> list[tuple[str, int]]:
    """(pseudonym, user id) of the officers the user may filter by, sorted by pseudonym."""
    query = select(User.id).where(User.role.in_(OFFICER_ROLES))
    scope = scope_for(user)
    if scope is not None:
        query = query.where(User.areas.any(Area.id.in_(scope)))
    return sorted((pseudonymise.officer(uid), uid) for uid in db.session.scalars(query))


def area_choices(user: User | None) -> list[Area]:
    scope = scope_for(user)
    return [a for a in Area.ordered() if scope is None or a.id in scope]


def scope_for(user: User | None) -> frozenset[int] | None:
    """Supervisors see their own areas; researchers and admins see every area."""
    if user is None or not user.area_bound:
        return None
    return frozenset(user.area_ids)


def parse_selection(args: Any, user: User | None, pseudonymise: Pseudonymiser) -> Selection:
    """Read the filter bar; unknown choices become errors and match nothing rather than everything."""
    errors: dict[str, str] = {}
    get = lambda name: (args.get(name) or "").strip()  # noqa: E731
    chosen = {name: get(name) for name in ("area", "platform", "channel", "purpose", "officer")}
    for name, allowed in (("platform", PLATFORMS), ("channel", CHANNELS), ("purpose", PURPOSES)):
        if chosen[name] and chosen[name] not in allowed:
            errors[name] = f"Choose a {name} from the list"
    since, until = _parse_date(get("since"), "since", errors), _parse_date(get("until"), "until", errors)
    if get("year").isdigit() and 1900 < int(get("year")) < 3000:  # the researchers' form: one whole year
        since, until = date(int(get("year")), 1, 1), None
    if since and until and since > until:
        errors["until"] = "The end date must be on or after the start date"
    by = get("by") if get("by") in GROUPINGS else "platform"
    selection = Selection(area=chosen["area"], platform=chosen["platform"], channel=chosen["channel"],
                          purpose=chosen["purpose"], officer=chosen["officer"], since=since, until=until,
                          by=by, errors=errors, scope_area_ids=scope_for(user))
    return _resolve(selection, user, pseudonymise)


def _resolve(selection: Selection, user: User | None, pseudonymise: Pseudonymiser) -> Selection:
    impossible = bool(selection.errors)
    area_id = officer_id = None
    if selection.area:
        area = Area.by_slug(selection.area)
        scope = selection.scope_area_ids
        if area is None or (scope is not None and area.id not in scope):
            impossible = True
        else:
            area_id = area.id
    if selection.officer:
        officer_id = dict(officer_choices(user, pseudonymise)).get(selection.officer)
        impossible = impossible or officer_id is None
    return replace(selection, area_id=area_id, officer_id=officer_id, impossible=impossible)


def community_conditions(selection: Selection) -> list[ColumnElement[bool]]:
    """Conditions on Community for area, platform, scope and (if set) contact filters."""
    if selection.impossible:
        return [false()]
    conditions: list[ColumnElement[bool]] = [Community.status != "merged"]
    if selection.scope_area_ids is not None:
        conditions.append(Community.area_id.in_(selection.scope_area_ids))
    if selection.area_id is not None:
        conditions.append(Community.area_id == selection.area_id)
    if selection.platform:
        conditions.append(Community.platform == selection.platform)
    if selection.contact_filtered:
        matching = select(OutreachContact.community_id).where(*contact_only_conditions(selection))
        conditions.append(Community.id.in_(matching))
    return conditions


def contact_only_conditions(selection: Selection) -> list[ColumnElement[bool]]:
    """Conditions on OutreachContact alone (channel, purpose, officer)."""
    conditions: list[ColumnElement[bool]] = []
    if selection.channel:
        conditions.append(OutreachContact.channel == selection.channel)
    if selection.purpose:
        conditions.append(OutreachContact.purpose == selection.purpose)
    if selection.officer_id is not None:
        conditions.append(OutreachContact.officer_id == selection.officer_id)
    return conditions


def contact_conditions(selection: Selection, dated: bool = True) -> list[SQLColumnExpression[bool]]:
    """Conditions for contacts joined to their Community.

    SQLColumnExpression, not ColumnElement: that is how SQLAlchemy types a hybrid property
    (`went_out`) read on the class.
    """
    conditions: list[SQLColumnExpression[bool]] = [*contact_only_conditions(selection), OutreachContact.went_out]
    conditions += community_conditions(replace(selection, channel="", purpose="", officer=""))
    if dated:
        conditions += [OutreachContact.occurred_at >= selection.start,
                       OutreachContact.occurred_at < selection.end]
    return conditions


def first_contacts_of(conditions: list, start: datetime | None = None, end: datetime | None = None):
    """SQL: the first outbound contact that went out (community_id, first) of each community meeting
    `conditions` (community_conditions), kept only when it falls in [start, end) if they are given.

    Read from communities.first_contact_at, which triggers keep (migration 0018), rather than
    the minimum over every contact: at 100,000 communities that was a million contacts.
    """
    first = Community.first_contact_at
    rows = (select(Community.id.label("community_id"), first.label("first"))
            .where(*conditions, first.is_not(None)))
    return rows if start is None else rows.where(first >= start, first < end)


def months(start: datetime, end: datetime) -> list[date]:
    """First days of the months from start to end (exclusive)."""
    current, out = date(start.year, start.month, 1), []
    while datetime.combine(current, datetime.min.time()) < end:
        out.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return out


def weeks(start: datetime, end: datetime) -> list[date]:
    """Mondays of the ISO weeks from start to end (exclusive)."""
    current = start.date() - timedelta(days=start.weekday())
    out = []
    while datetime.combine(current, datetime.min.time()) < end:
        out.append(current)
        current += timedelta(days=7)
    return out


def as_datetime(value) -> datetime | None:
    """A computed datetime (MIN() over a CASE or a subquery) is a datetime on PostgreSQL, the stored text on SQLite."""
    return value if value is None or isinstance(value, datetime) else datetime.fromisoformat(str(value))

"""What every table of an export shares: scope, period, pseudonyms, suppression, dates and the as-of state.

Per-community facts (first contact, suppression, attribute history after the end date) are
kept in memory: they grow with communities, not with contacts.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, func, select

from portal.extensions import db
from portal.models import ActivitySample, Area, Community, CommunityRevision, ContactRevision, OutreachContact
from portal.research.disclosure import too_few
from portal.research.pseudonyms import Pseudonymiser
from portal.research.vocabulary import NOT_APPLICABLE, SUPPRESSED, UNKNOWN, audience_band

if TYPE_CHECKING:
    from portal.research.export import ExportOptions


def week_index(value: datetime) -> int:
    """Number of the ISO week (Mondays counted from year 1), so two weeks subtract to whole weeks."""
    day = value.date()
    return (day.toordinal() - day.weekday()) // 7


@dataclass
class ExportContext:
    options: ExportOptions
    pseudonymise: Pseudonymiser | None
    area_slugs: dict[int, str] = field(default_factory=dict)
    _platforms: dict[int, str] = field(default_factory=dict)  # per community, as exported (memo)

    @classmethod
    def load(cls, options: ExportOptions, pseudonymise: Pseudonymiser | None) -> ExportContext:
        slugs = {area_id: slug for area_id, slug in db.session.execute(select(Area.id, Area.slug))}
        return cls(options, pseudonymise, slugs)

    @property
    def pseudonyms(self) -> Pseudonymiser:
        """The package's pseudonymiser: every row written goes through it.

        Only counting the rows (the progress bar's total) runs without one, so a row asked for
        without it is a bug: it stops here rather than write a real id.
        """
        if self.pseudonymise is None:
            raise RuntimeError("export rows are written only with a pseudonymiser")
        return self.pseudonymise

    def preload(self) -> None:
        """Read the per-community facts before a table's cursor is open (one query at a time)."""
        for name in ("first_contacts", "rare", "revisions", "contact_revisions"):
            getattr(self, name)

    # --- which rows ---------------------------------------------------------------------

    def area_conditions(self, column) -> list[ColumnElement[bool]]:
        conditions = []
        if self.options.scope_area_ids is not None:
            conditions.append(column.in_(self.options.scope_area_ids))
        if self.options.area_id is not None:
            conditions.append(column == self.options.area_id)
        return conditions

    def catalogued(self) -> list[ColumnElement[bool]]:
        """Communities in the export: in scope and catalogued before the end (so every reference resolves)."""
        return [*self.area_conditions(Community.area_id), Community.created_at < self.options.end]

    def period(self, column) -> list[ColumnElement[bool]]:
        conditions = [column < self.options.end]
        if self.options.start is not None:
            conditions.append(column >= self.options.start)
        return conditions

    # --- as of the end date -------------------------------------------------------------

    @cached_property
    def revisions(self) -> dict[int, dict[str, Any]]:
        """Per community, each tracked attribute's value at the end date where it changed since ({} today).

        A "baseline" revision after the end date means history was not yet kept then: unknown.
        """
        if not self.options.as_of:
            return {}
        out: dict[int, dict[str, Any]] = {}
        query = (select(CommunityRevision.community_id, CommunityRevision.kind, CommunityRevision.changes)
                 .where(CommunityRevision.changed_at >= self.options.end)
                 .order_by(CommunityRevision.changed_at, CommunityRevision.id))
        for cid, kind, changes in db.session.execute(query):
            facts = out.setdefault(cid, {})
            if kind == "baseline":
                facts.setdefault("__unknown__", True)
            for name, (old, _new) in (changes or {}).items():
                facts.setdefault(name, old)
        return out

    def attribute(self, community_id: int, name: str, current: Any) -> Any:
        """The community's attribute as of the end date (UNKNOWN when its history does not reach back)."""
        facts = self.revisions.get(community_id)
        if not facts:
            return current
        if facts.get("__unknown__"):
            return UNKNOWN
        return facts.get(name, current)

    @cached_property
    def contact_revisions(self) -> dict[int, dict[str, Any]]:
        """Per contact, fields that changed after the end date, with their value at the end date."""
        if not self.options.as_of:
            return {}
        out: dict[int, dict[str, Any]] = {}
        query = (select(ContactRevision.contact_id, ContactRevision.changes)
                 .where(ContactRevision.changed_at >= self.options.end)
                 .order_by(ContactRevision.changed_at, ContactRevision.id))
        for contact_id, changes in db.session.execute(query):
            facts = out.setdefault(contact_id, {})
            for name, (old, _new) in (changes or {}).items():
                facts.setdefault(name, old)
        return out

    def latest_activity(self, ids: list[int]) -> dict[int, float | None]:
        """Each community's (of `ids`) latest items-per-week reading before the end date."""
        s = ActivitySample
        latest = (select(s.community_id, func.max(s.sampled_at).label("at"))
                  .where(s.community_id.in_(ids), s.sampled_at < self.options.end).group_by(s.community_id).subquery())
        return dict(db.session.execute(
            select(s.community_id, func.max(s.items_per_week))
            .join(latest, (latest.c.community_id == s.community_id) & (latest.c.at == s.sampled_at))
            .group_by(s.community_id)).tuples().all())

    # --- suppression --------------------------------------------------------------------

    @cached_property
    def rare(self) -> tuple[Counter, Counter]:
        """How many of the catalogue's communities share each (area, platform) and (area, platform, band).

        Counted over every catalogued community in scope, whatever the dates: the decision must
        not change with the period, or a date-limited export would name what a full one hides.
        """
        rows = db.session.execute(select(Community.area_id, Community.platform, Community.audience_size)
                                  .where(*self.area_conditions(Community.area_id))).all()
        platforms = Counter((area, platform) for area, platform, _size in rows)
        bands = Counter((area, platform, audience_band(size)) for area, platform, size in rows)
        return platforms, bands

    def platform_hidden(self, community_id: int, area_id: int, platform: str | None) -> bool:
        """Whether the platform would single the community out (today or as of the end date)."""
        platforms = self.rare[0]
        if too_few(platforms[area_id, platform]):
            return True
        old_area, old_platform = (self.attribute(community_id, "area_id", area_id),
                                  self.attribute(community_id, "platform", platform))
        return (old_area, old_platform) != (area_id, platform) and too_few(platforms[old_area, old_platform])

    def platform(self, community_id: int, area_id: int, platform: str | None) -> str:
        """The community's platform as exported: as of the end date, suppressed where it would single it out."""
        found = self._platforms.get(community_id)
        if found is None:
            found = (SUPPRESSED if self.platform_hidden(community_id, area_id, platform)
                     else self.attribute(community_id, "platform", platform) or UNKNOWN)
            self._platforms[community_id] = found
        return found

    def audience(self, community_id: int, area_id: int, platform: str | None, size: int | None) -> str:
        size = self.attribute(community_id, "audience_size", size)
        if size == UNKNOWN or size is None:
            return UNKNOWN
        band = audience_band(size)
        if self.platform_hidden(community_id, area_id, platform) or too_few(self.rare[1][area_id, platform, band]):
            return SUPPRESSED
        return band

    # --- time ---------------------------------------------------------------------------

    @cached_property
    def first_contacts(self) -> dict[int, datetime]:
        """Each community's first outbound contact up to the end date (not the filters' start)."""
        return dict(db.session.execute(
            select(OutreachContact.community_id, func.min(OutreachContact.occurred_at))
            .join(Community).where(OutreachContact.direction == "outbound", OutreachContact.went_out,
                                   OutreachContact.occurred_at < self.options.end, *self.catalogued())
            .group_by(OutreachContact.community_id)).tuples().all())

    def when(self, value: datetime | None, prefix: str = "", missing: str = NOT_APPLICABLE) -> dict[str, str]:
        if value is None:
            return {f"{prefix}week": missing, **({} if self.options.coarsen_weeks else {f"{prefix}date": missing})}
        year, week, _ = value.isocalendar()
        out = {f"{prefix}week": f"{year}-W{week:02d}"}
        if not self.options.coarsen_weeks:
            out[f"{prefix}date"] = value.date().isoformat()
        return out

    def between(self, start: datetime | None, end: datetime | None) -> int | str:
        """Whole days from start to end, or whole ISO weeks in a weeks-only package (NOT_APPLICABLE when either is missing)."""
        if start is None or end is None:
            return NOT_APPLICABLE
        if self.options.coarsen_weeks:
            return week_index(end) - week_index(start)
        return (end - start) // timedelta(days=1)

    def since_first_contact(self, community_id: int | None, value: datetime) -> int | str:
        first = self.first_contacts.get(community_id) if community_id is not None else None
        return self.between(first, value)

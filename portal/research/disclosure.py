"""The disclosure-control layer: every number a researcher sees (tables, chart data and tooltips,
CSVs, rates, shares and totals) and every small-group decision of the row-level package goes
through here.

One setting, ``DISCLOSURE_MIN_CELL`` (default 10, as UK Trusted Research Environments use), is
the minimum cell. The rules (also written into the export README and shown beside each table):

- **Primary suppression**: a count from 1 to the minimum cell minus one is withheld. Zero is shown.
- **Secondary suppression**: a page declares the sums between its numbers (a row total, a column
  total, the chart's monthly total, the same figure for every area and for one area). Cells are
  then withheld until, solving those sums one at a time, no withheld small count can be worked
  out, and the withheld part of any sum that holds a small count is not itself below the minimum;
  then until, taking all the sums together (`bounds.py`: linear and, where needed, integer
  programs), every withheld small count could be the minimum or more in whole numbers.
  Cells that are computed but never shown (a "responded" count behind a rate) take part as
  unknowns, so the rate cannot give them away either.
- **Rates, shares and means** are shown only when every count they rest on is shown, and means
  only when they rest on at least the minimum cell of observations.
- **Withheld cells read "[c]"** (confidential), never a range: a cell withheld to protect another
  may hold any number.
- **Queries that single out are refused**: a selection with fewer communities than the minimum
  cell, or an area or officer filter with fewer officers in scope, shows a message instead of
  figures.

Supervisors and admins (who work with the records anyway) see the figures unsuppressed.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field

from flask import current_app, has_app_context

from portal.research.bounds import DeclaredSums

logger = logging.getLogger(__name__)

#: Default minimum cell, as UK Trusted Research Environments use for output checking.
DEFAULT_MIN_CELL = 10
MARK = "[c]"
NOT_SHOWN = "–"  # nothing to show (no observations), as opposed to withheld
MAX_ROUNDS = 10_000  # each round withholds at least one more cell, so this is never reached in practice
# Rounds of the whole-system step that still find pinned counts (each a few linear programs per
# group of withheld cells); at the last the table is withheld whole rather than keep a page past
# gunicorn's timeout. The pages at 10,000 communities have at most 8 (the contacts page).
MAX_SYSTEM_ROUNDS = 50

Key = Hashable


def min_cell() -> int:
    """The configured minimum cell (DISCLOSURE_MIN_CELL, default 10), for pages and package alike."""
    if has_app_context():
        return max(1, int(current_app.config.get("DISCLOSURE_MIN_CELL") or DEFAULT_MIN_CELL))
    return DEFAULT_MIN_CELL


def too_few(count: int, threshold: int | None = None) -> bool:
    """True when a group of `count` (1 or more) is below the minimum cell."""
    return 0 < count < (min_cell() if threshold is None else threshold)


def explanation() -> str:
    """The words beside every protected table."""
    k = min_cell()
    return (f"{MARK} marks a figure withheld to protect small groups: every count from 1 to {k - 1}, and other "
            f"figures chosen so that no withheld count can be worked out from totals, rates, the chart or the "
            f"other cells. A withheld figure may hold any number.")


@dataclass
class Protected:
    """Counts after suppression: look a cell up as a number (None when withheld) or as text."""

    values: dict[Key, int]
    hidden: set[Key]
    threshold: int
    #: the table's declared sums, kept with a release so the next month-end's is protected knowing them
    sums: list[tuple[Key, tuple[Key, ...]]] = field(default_factory=list)

    def __getitem__(self, key: Key) -> int | None:
        return None if key in self.hidden else self.values.get(key, 0)

    def text(self, key: Key) -> str:
        value = self[key]
        return MARK if value is None else str(value)

    def visible(self, *keys: Key) -> bool:
        return not any(key in self.hidden for key in keys)


@dataclass
class CellTable:
    """The counts of one page and the sums among them, to be protected together.

    `cell` adds a published count; `latent` a count that is never shown but can be derived
    (a rate's numerator); `add_sum` says that `total` is the sum of `parts`. `fixed` cells are
    known to whoever reads the table already (shown in an earlier release): never withheld, never
    chosen to withhold. `kept_hidden` cells were withheld in an earlier release and stay withheld.
    """

    active: bool = True
    threshold: int = field(default_factory=min_cell)
    values: dict[Key, int] = field(default_factory=dict)
    unpublished: set[Key] = field(default_factory=set)
    sums: list[tuple[Key, tuple[Key, ...]]] = field(default_factory=list)
    fixed: set[Key] = field(default_factory=set)
    kept_hidden: set[Key] = field(default_factory=set)

    def cell(self, key: Key, value: int) -> Key:
        self.values[key] = int(value)
        return key

    def latent(self, key: Key, value: int) -> Key:
        self.unpublished.add(key)
        return self.cell(key, value)

    def add_sum(self, total: Key, parts: Iterable[Key]) -> None:
        parts = tuple(parts)
        for key in (total, *parts):
            self.values.setdefault(key, 0)
        self.sums.append((total, parts))

    def protect(self) -> Protected:
        """Withhold small counts and enough other cells that no withheld small count can be worked out.

        First the calculator (`_exposed`, sum by sum, cheap), until it finds nothing; then all the
        sums together (`DeclaredSums.pinned`), which withholds one more cell for each small count
        they still pin below k, and round again. Each round withholds at least one more cell.
        """
        if not self.active:
            return Protected(self.values, set(self.unpublished), self.threshold)
        previous = PREVIOUS_RELEASE.get()
        if previous is not None:  # protected knowing the year's previous release as published
            PREVIOUS_RELEASE.set(None)  # one table per family's protection
            joined = self.joined_with(previous)
            mine = set(self.values)
            together = joined.protect()
            return Protected(self.values, {key for key in together.hidden if key in mine}, self.threshold,
                             list(self.sums))
        sensitive = {key for key, v in self.values.items() if too_few(v, self.threshold)} - self.fixed
        hidden = (sensitive | self.unpublished | self.kept_hidden) - self.fixed
        if not sensitive:
            return Protected(self.values, hidden, self.threshold, list(self.sums))
        lines_of: dict[Key, list[int]] = defaultdict(list)
        for number, (total, parts) in enumerate(self.sums):
            for key in (total, *parts):
                lines_of[key].append(number)
        system, system_rounds = DeclaredSums(self.values, self.sums, self.threshold), 0
        for _ in range(MAX_ROUNDS):
            exposed, pinned = self._exposed(hidden, sensitive), []
            if exposed:
                added = {self._complement(line, hidden, lines_of) for line in exposed}
            else:  # no sum gives a small count away on its own: now all of them together
                pinned = system.pinned(hidden, sensitive)
                if not pinned:
                    break
                system_rounds += 1
                last = system_rounds >= MAX_SYSTEM_ROUNDS or system.out_of_time()
                added = set() if last else {self._loosen(key, hidden, lines_of) for key in pinned}
            added.discard(None)
            if not added:  # nothing left to choose: fail closed, every published cell withheld
                logger.warning("disclosure: %d sums still exposed, %d small counts pinned; withholding the whole table",
                               len(exposed), len(pinned))
                hidden |= set(self.values) - self.fixed  # (what was published before is known anyway)
                break
            hidden |= added
        return Protected(self.values, hidden, self.threshold, list(self.sums))

    def joined_with(self, previous: Protected) -> CellTable:
        """This table and the year's previous release as one (issue 22): the previous release's cells as
        ("previous", key), its shown ones `fixed` (known), its withheld ones unknown, with its sums; and
        for each cell in both, the month's increment as a latent count (this minus the previous, or the
        previous minus this when an edit lowered it), so that no increment from 1 to k-1 can be worked
        out. A cell withheld in the previous release stays withheld. The adversary knows no increment's
        sign: fixing it to the true one only narrows the system, so it can only withhold more."""
        joined = CellTable(active=True, threshold=self.threshold, values=dict(self.values),
                           unpublished=set(self.unpublished), sums=list(self.sums), fixed=set(self.fixed),
                           kept_hidden=set(self.kept_hidden))
        for key, value in previous.values.items():
            earlier = ("previous", key)
            joined.values[earlier] = int(value)
            if key in previous.hidden:
                joined.unpublished.add(earlier)
            else:
                joined.fixed.add(earlier)
        for total, parts in previous.sums:
            joined.sums.append((("previous", total), tuple(("previous", part) for part in parts)))
        for key in self.values.keys() & previous.values.keys():
            now, before = self.values[key], int(previous.values[key])
            if key in previous.hidden and key not in self.unpublished:
                joined.kept_hidden.add(key)
            if now >= before:
                joined.add_sum(key, [("previous", key), joined.latent(("increment", key), now - before)])
            else:
                joined.add_sum(("previous", key), [key, joined.latent(("decrement", key), before - now)])
        return joined

    def _exposed(self, hidden: set[Key], sensitive: set[Key]) -> list[int]:
        """The sums through which a withheld small count can be worked out (or bounded below the minimum)."""
        known = set(self.values) - hidden
        solved_by: dict[Key, int] = {}
        changed = True
        while changed:  # solve the sums one unknown at a time, as someone with a calculator would
            changed = False
            for number, (total, parts) in enumerate(self.sums):
                unknown = [key for key in (total, *parts) if key not in known]
                if len(unknown) == 1:
                    known.add(unknown[0])
                    solved_by[unknown[0]] = number
                    changed = True
        exposed = {solved_by[key] for key in sensitive if key in solved_by}
        for number, (total, parts) in enumerate(self.sums):
            if total not in known:
                continue
            unknown = [key for key in parts if key not in known]
            if any(key in sensitive for key in unknown) and too_few(sum(self.values[k] for k in unknown),
                                                                     self.threshold):
                exposed.add(number)
        return sorted(exposed)

    def _complement(self, number: int, hidden: set[Key], lines_of: dict[Key, list[int]]) -> Key | None:
        """One more cell to withhold in this sum: its smallest shown non-zero part, else its total, else a zero."""
        total, parts = self.sums[number]
        shown_parts = [key for key in parts if key not in hidden and key not in self.unpublished
                       and key not in self.fixed]
        nonzero = sorted((self.values[k], i) for i, k in enumerate(shown_parts) if self.values[k] > 0)
        if nonzero:
            return shown_parts[nonzero[0][1]]
        if total not in hidden and total not in self.unpublished and total not in self.fixed:
            return total
        if shown_parts:
            return shown_parts[0]
        # Everything published in this sum is withheld already: widen to the sums its cells belong to.
        for key in (total, *parts):
            for other in lines_of[key]:
                if other != number:
                    o_total, o_parts = self.sums[other]
                    for candidate in (*o_parts, o_total):
                        if candidate not in hidden and candidate not in self.unpublished and candidate not in self.fixed:
                            return candidate
        return None

    def _loosen(self, key: Key, hidden: set[Key], lines_of: dict[Key, list[int]]) -> Key | None:
        """One more cell to withhold so that the pinned small count `key` could reach k.

        The smallest shown count in the sums it belongs to (shown non-zero counts are k or more, so
        any of them could make up the difference), else what `_complement` would widen to.
        """
        shown = {other for number in lines_of[key] for other in (self.sums[number][0], *self.sums[number][1])
                 if other not in hidden and other not in self.unpublished and other not in self.fixed
                 and self.values[other] > 0}
        if shown:
            return min(shown, key=lambda other: (self.values[other], str(other)))
        for number in lines_of[key]:
            candidate = self._complement(number, hidden, lines_of)
            if candidate is not None:
                return candidate
        return None


#: The year's previous kept release of the family being protected (family.family_protected sets it).
PREVIOUS_RELEASE: ContextVar[Protected | None] = ContextVar("previous_release", default=None)


def protect_row(values: Sequence[int], active: bool = True, total: bool = True) -> list[int | None]:
    """One row of counts (with its total as the sum, when `total`) protected on its own; withheld as None."""
    table = CellTable(active=active)
    keys = [table.cell(i, v) for i, v in enumerate(values)]
    if total:
        table.add_sum(table.cell("total", sum(values)), keys)
    protected = table.protect()
    return [protected[key] for key in keys]


def rate(numerator: int, denominator: int, shown: bool) -> float | None:
    """numerator/denominator as a percentage, only when every count it rests on is shown (`shown`)."""
    if denominator <= 0 or not shown:
        return None
    return 100.0 * numerator / denominator


def mean(total: float, n: int, active: bool = True, shown: bool = True) -> float | None:
    """Mean of n observations; withheld (None) when it rests on fewer than the minimum cell or n is withheld."""
    if n <= 0 or (active and (n < min_cell() or not shown)):
        return None
    return total / n


def text(value: int | float | None, digits: int = 1) -> str:
    """A table cell: the number, or the suppression mark."""
    if value is None:
        return MARK
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def contact_filter_reason(chosen: Sequence[str], page_counts_contacts: bool, area: bool = False,
                          active: bool = True) -> str | None:
    """Why the contact filters chosen (channel, purpose, officer) cannot be shown to a researcher (None when they can).

    A page protects each channel's and each purpose's contacts together with every contact (their
    sum), one filter at a time; two together would need every combination in that family. Officers
    are not in it: hundreds of slices of mostly small counts took the layer to its time limit at
    --scale 2000 (3,335 small counts pinned, the page withheld whole). A page that counts
    communities cannot take one at all: a community contacted several ways is in several filtered
    populations, so they do not add up to the unfiltered one, and the difference (the communities
    never contacted by e-mail, say) could be a handful (issue 22). An area and a contact filter
    together are refused too: the family holds each slice for every area together only
    (`engagement.researchers_see`, for its cost).
    """
    if not active or not chosen:
        return None
    if "officer" in chosen:
        return ("Researchers cannot filter by officer: one officer's contacts, split by platform and outcome, are "
                "nearly all fewer than the minimum, and they could be worked out against the figures for every "
                "officer. Set officer to “Any”.")
    if len(chosen) > 1:
        return ("Choose at most one of channel, purpose and officer: figures for a combination of them could be "
                "worked out against the figures for each one. Set the others to “Any”.")
    if not page_counts_contacts:
        return (f"This page counts communities, and a {chosen[0]} filter on it could be worked out against the "
                f"page without it. Set {chosen[0]} to “Any” here; the responses and contacts-per-week pages, which "
                f"count contacts, take it.")
    if area:
        return (f"Choose an area or a {chosen[0]}, not both: with a {chosen[0]} chosen, figures are for every "
                f"area together.")
    return None


def platform_area_reason(selection, active: bool = True) -> str | None:
    """Why a page that counts communities cannot show a researcher a platform with an area (None when it can).

    Those pages protect each platform's figures for every area together with every platform's
    (`filters.platform_family`); each platform in each area as well would be areas × platforms
    slices of mostly small counts, linked through both sums, which the contacts page measured at
    14 s for its channels per area at --scale 2000 (`engagement.researchers_see`).
    """
    if not active or not selection.platform or selection.area_id is None:
        return None
    return ("Choose an area or a platform, not both: with a platform chosen, figures on this page are for "
            "every area together.")


def single_out_reason(communities: int, officers: int | None, officer_filter: bool = False,
                      active: bool = True) -> str | None:
    """Why a selection would single out communities or officers (None when it does not).

    `officers` is the number of officers in scope when an area or an officer is chosen (else None);
    it refuses only an officer filter, whose figures would be a person's work.
    """
    if not active:
        return None
    k = min_cell()
    if 0 < communities < k:
        return (f"These filters match fewer than {k} communities, so figures for them could describe a "
                f"single community. Widen the filters (another area, “Any” platform, channel or purpose, "
                f"or longer dates) to see figures.")
    # Officers matter where figures could be one officer's: the officer filter (issue 22 finding 6). An
    # area's figures are about its communities (counted above); refusing every area with fewer than k
    # officers would refuse nearly every neighbourhood team, and its figures name no officer.
    if officer_filter and officers is not None and officers < k:
        return (f"The officer filter needs at least {k} officers in the areas chosen; there are fewer, so "
                f"figures for one officer would describe a person. Choose “Any” officer or a wider area.")
    return None

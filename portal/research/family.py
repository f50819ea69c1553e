"""A page's counts for every area of a selection, kept in the web process for the report cache's time.

A page counts every area in scope and shows the chosen one, so that one area's figures and every
area's are protected together (issue 22: otherwise all areas minus one area gives the others).
Counting every area is the cost of a one-area page (at 10,000 communities about as long as the
all-areas page); a researcher moving from one area to the next, or to all areas, asks for the
same counts again. They are kept here, keyed by the page and the selection without its area
(the family), so each family is counted once per ``RESEARCH_CACHE_SECONDS``, at most
``FAMILY_ENTRIES`` families at a time (each distinct selection is a family: without a bound, a
researcher stepping through filters would grow the process until the counts expire).

Kept in memory only, never in Redis: the counts are Python objects (tuple keys, dates), and the
report cache refuses to unpickle anything from Redis. The report built from them says when they
were counted (`counted_at`), so a page never claims fresher figures than it has.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import current_app

from portal.research import releases
from portal.research.cache import _LocalStore, _now, cache_key, kept_seconds, note_counted
from portal.research.disclosure import PREVIOUS_RELEASE, CellTable, Protected
from portal.research.filters import ALL_AREAS, Selection, platform_place, whole_family

T = TypeVar("T")

#: Families kept per web process, least recently used dropped first. A family holds every area's
#: counts of one page (thousands of cells at 10,000 communities), so fewer than the reports
#: (cache.LOCAL_ENTRIES): enough for a few researchers each moving between areas of a few pages.
FAMILY_ENTRIES = 32


def family_counts(page: str, selection: Selection, count: Callable[[], T], *, suppress: bool) -> T:
    """`count()` for the selection's family (its area left out), kept while reports are kept; for a
    researcher (`suppress`), the family's kept release once its month-end has passed (releases.py)."""
    return _kept_counts(page, whole_family(selection), count, suppress)


def view_counts(page: str, selection: Selection, count: Callable[[], T], *, suppress: bool) -> T:
    """`count()` for this very selection (a view's own counts beside its family's, as the trajectories'
    curves), kept as `family_counts` keeps a family's."""
    return _kept_counts(f"{page}:view", selection, count, suppress)


def _kept_counts(page: str, selection: Selection, count: Callable[[], T], suppress: bool) -> T:
    release = releases.release_of(page, selection, suppress)
    make: Callable[[], T] = count if release is None else (lambda: releases.kept(release, count))
    seconds = kept_seconds()
    if seconds <= 0:
        return make()
    # a release and live counts of the same dates (an admin's) are never one entry
    key = cache_key(f"family:{page}" + (":release" if release is not None else ""), selection, True)
    store = current_app.extensions.setdefault("research_family_counts", _LocalStore(FAMILY_ENTRIES))
    kept: Any = store.fetch(key, seconds, lambda: (make(), _now()))
    value, counted = kept
    note_counted(counted)
    return value


def family_protected(page: str, family: Selection, suppress: bool, protect: Callable[[], Protected]) -> Protected:
    """The protection of a family's table, run once and kept with its counts, so that every view of the
    family (every area, each area, each platform) reads the same `Protected` cells; for a researcher,
    kept with the family's release, so a later recount (or a solver's time limit) cannot move it.
    Unsuppressed (an admin's view: nothing is withheld, and the table is cheap) it is built each time."""
    if not suppress:
        return protect()
    name = f"{page}:protected"

    def protect_knowing_the_previous_release() -> Protected:
        """A release is protected with the year's previous one as published (`CellTable.joined_with`)."""
        earlier = releases.previous(name, whole_family(family))
        token = PREVIOUS_RELEASE.set(earlier if isinstance(earlier, Protected) else None)
        try:
            return protect()
        finally:
            PREVIOUS_RELEASE.reset(token)

    release = releases.release_of(name, whole_family(family), suppress)
    return family_counts(name, family, protect if release is None else protect_knowing_the_previous_release,
                         suppress=suppress)


def add_platform_sums(table: CellTable, platforms: Iterable[str],
                      keep: Callable[[tuple], bool] = lambda rest: True) -> None:
    """Declare each cell of every area (ALL_AREAS, *rest) the sum of the same cell of each platform
    (`platform_place(p)`, *rest), for the cells `keep(rest)` says the platforms split (a meeting has no
    platform). Each community has one platform, so the platforms' figures add up to every platform's:
    with the sum declared, no platform's figures can be subtracted from every platform's to give the
    others' (issue 22). A platform's cell the table does not hold is a zero."""
    places = [platform_place(p) for p in platforms]
    if not places:
        return
    everything = [key for key in table.values if isinstance(key, tuple) and key and key[0] == ALL_AREAS]
    for key in everything:
        if keep(key[1:]):
            table.add_sum(key, [(place, *key[1:]) for place in places])

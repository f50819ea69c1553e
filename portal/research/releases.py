"""Kept releases (issue 22): a researcher's family of figures, counted once after its month-end and
served unchanged from then on.

A researcher's year runs to the last completed month-end, so one month's views agree; but a record
dated inside a completed month and entered (or edited) later changed that month's figures when they
were next counted, and the difference gave the record away. Now the first time a family is counted
for a researcher (a page, the selection without its area or platform, whose dates name the year and
the month-end) its counts, and separately their protection, are written to ``research_releases``
and read from then on: every view of the family (every area, each area, each platform; page,
fragment, CSV, chart data and tooltips) is built from the kept counts and the kept `Protected`, so a
later insert or edit of an old-dated record cannot move a published figure. The per-view counts a
page takes outside its family (the trajectories' curves, the activity page's means and medians) are
kept the same way, keyed by the whole selection (`view=True`).

Only researchers' families are kept (`suppress`), and only with RESEARCH_FIGURES_TO="month_end":
officers, supervisors and admins keep live figures. Two first counts at once (two web processes):
each counts, one insert wins (the unique key), and both serve the winner's row, read back. The
payload is tagged JSON (tuples, dates, Counters and the few classes a page's counts are made of),
never pickled: whoever can write the table must not be able to run code in the portal. A count this
module cannot encode is served live and logged (a page bug; `tests/portal/test_research_releases.py`
keeps every page's counts).
"""
from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import ResearchRelease, utcnow
from portal.research.disclosure import Protected
from portal.research.filters import FIGURES_TO_MONTH_END, Selection, figures_to, last_published_day, research_today

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Release:
    """Which kept release a family's counts belong to."""

    page: str
    family_key: str
    year: int
    month_end: date


def release_of(page: str, selection: Selection, suppress: bool) -> Release | None:
    """The release a researcher's family (or view) belongs to, or None when its figures are live: not a
    researcher, RESEARCH_FIGURES_TO="today", or dates that do not end on a completed month-end."""
    from portal.research.cache import cache_key

    if not suppress or figures_to() != FIGURES_TO_MONTH_END or selection.until is None or selection.impossible:
        return None
    until = selection.until
    if until > last_published_day(research_today()) or not _month_end(until):
        return None
    return Release(page, cache_key(f"release:{page}", selection, True)[-64:], until.year, until)


def _month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def kept(release: Release, count: Callable[[], T]) -> T:
    """The release's kept counts; the first time, `count()` now, written, and the winner's row read back."""
    found = _payload(release)
    if found is None:
        value = count()
        try:
            payload = encode(value)
        except TypeError:
            logger.warning("research release: %s cannot be kept (%s), served live", release.page, type(value),
                           exc_info=True)
            return value
        try:  # its own transaction: the request's session may hold other work, and a page view commits nothing
            with db.engine.begin() as conn:
                conn.execute(insert(ResearchRelease).values(
                    page=release.page, family_key=release.family_key, year=release.year,
                    month_end=release.month_end, payload=payload, created_at=utcnow()))
        except IntegrityError:  # another process published this release first: serve its figures
            pass
        found = _payload(release)
        if found is None:  # not written (the database refused): serve what was counted, once
            logger.warning("research release: %s was not kept", release.page)
            return value
    return decode(found)


def previous(page: str, selection: Selection) -> Any:
    """The latest kept release of the same page and family at an earlier month-end of the same year (the
    one a researcher saw before this one), or None (January, or none was published). One statement for
    every earlier month-end of the year, not one per month."""
    if selection.until is None:
        return None
    keys = []
    day = selection.until.replace(day=1)
    while day.month > 1:
        day = day - timedelta(days=1)  # the previous month's end
        release = release_of(page, replace(selection, until=day), True)
        if release is not None:
            keys.append(release.family_key)
        day = day.replace(day=1)
    if not keys:
        return None
    with db.engine.connect() as conn:  # committed rows, as _payload reads them
        found = conn.scalar(select(ResearchRelease.payload)
                            .where(ResearchRelease.page == page, ResearchRelease.family_key.in_(keys))
                            .order_by(ResearchRelease.month_end.desc()).limit(1))
    return None if found is None else decode(found)


def _payload(release: Release) -> str | None:
    with db.engine.connect() as conn:  # the committed row, whatever the request's session has seen
        return conn.scalar(select(ResearchRelease.payload).where(
            ResearchRelease.page == release.page, ResearchRelease.family_key == release.family_key))


def drop(before: date, year: int | None = None) -> int:
    """Delete the kept releases whose month-end is before `before` (and of `year`, when given); the
    caller audits and commits. Their families are counted again when next viewed (a new release)."""
    where = [ResearchRelease.month_end < before]
    if year is not None:
        where.append(ResearchRelease.year == year)
    n = db.session.scalar(select(func.count(ResearchRelease.id)).where(*where)) or 0
    db.session.execute(delete(ResearchRelease).where(*where))
    return n


# --- the payload: tagged JSON ---------------------------------------------------------------------

#: The classes a page's counts are made of, by name, with the fields that rebuild them. The page
#: modules register their own (`kept_class`), so this module imports none of them (activity and
#: responses import family, which imports this module: importing them here made a cycle).
KEPT_CLASSES: dict[str, tuple[type, tuple[str, ...]]] = {
    "Protected": (Protected, ("values", "hidden", "threshold", "sums"))}


def kept_class(*fields: str) -> Callable[[type[T]], type[T]]:
    """Class decorator: instances of the class may be kept in a release, rebuilt from `fields`."""
    def register(cls: type[T]) -> type[T]:
        KEPT_CLASSES[cls.__name__] = (cls, fields)
        return cls
    return register


def _classes() -> dict[str, tuple[type, tuple[str, ...]]]:
    return KEPT_CLASSES


FACTORIES: dict[str, Callable[[], Any]] = {"Counter": Counter, "int": int, "list": list, "dict": dict, "float": float}


def encode(value: Any) -> str:
    return json.dumps(_tagged(value, _classes()), separators=(",", ":"))


def decode(text: str) -> Any:
    return _untagged(json.loads(text), _classes())


def _tagged(value: Any, classes: dict[str, tuple[type, tuple[str, ...]]]) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, list):
        return [_tagged(v, classes) for v in value]
    if isinstance(value, tuple):
        return {"t": [_tagged(v, classes) for v in value]}
    if isinstance(value, (set, frozenset)):
        return {"s": [_tagged(v, classes) for v in value]}
    if isinstance(value, dict):
        items = [[_tagged(k, classes), _tagged(v, classes)] for k, v in value.items()]
        if isinstance(value, Counter):
            return {"c": items}
        if isinstance(value, defaultdict):
            factory = next((name for name, f in FACTORIES.items() if value.default_factory is f), None)
            if factory is None:
                raise TypeError(f"a defaultdict of {value.default_factory!r}")
            return {"dd": items, "f": factory}
        return {"m": items}
    for name, (cls, names) in classes.items():
        if type(value) is cls:
            return {"o": name, "v": [_tagged(getattr(value, n), classes) for n in names]}
    raise TypeError(f"cannot keep a {type(value).__name__}")


def _untagged(value: Any, classes: dict[str, tuple[type, tuple[str, ...]]]) -> Any:
    if isinstance(value, list):
        return [_untagged(v, classes) for v in value]
    if not isinstance(value, dict):
        return value
    if "dt" in value:
        return datetime.fromisoformat(value["dt"])
    if "d" in value:
        return date.fromisoformat(value["d"])
    if "t" in value:
        return tuple(_untagged(v, classes) for v in value["t"])
    if "s" in value:
        return {_untagged(v, classes) for v in value["s"]}
    if "o" in value:
        if value["o"] not in classes:  # its page module registers it on import, before it reads a release
            raise TypeError(f"a kept release holds a {value['o']}, a class no page module has registered")
        cls, names = classes[value["o"]]
        return cls(**dict(zip(names, (_untagged(v, classes) for v in value["v"]), strict=True)))
    items: list[list[Any]] = next(value[tag] for tag in ("c", "dd", "m") if tag in value)
    pairs = [(_untagged(k, classes), _untagged(v, classes)) for k, v in items]
    if "c" in value:
        return Counter(dict(pairs))
    if "dd" in value:
        return defaultdict(FACTORIES[value["f"]], pairs)
    return dict(pairs)

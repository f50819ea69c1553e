"""Pagination whose count stops at a cap, so a page's cost does not grow with the table.

``db.paginate`` counts every matching row on every page view; at a force's scale that
count is the slowest part of a list page, and nobody pages through more than a few
hundred pages. ``paginate`` counts at most ``cap + 1`` rows: below the cap the total is
exact; above it ``listing.capped`` is true and the pages stop at the cap (the list says
"more than N"; a narrower search finds the rest). The cap also bounds the OFFSET.

``CappedPage`` is a small class of its own rather than a subclass of Flask-SQLAlchemy's
``SelectPagination``: that class's extension points (``_query_items``/``_query_count``) are
private and may change in any release. It offers the attributes the templates use
(``items``, ``page``, ``pages``, ``total``, ``has_prev``/``has_next``, ``prev_num``/``next_num``,
``iter_pages()``) plus ``capped``.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Select
from sqlalchemy.orm import lazyload

from portal.extensions import db

logger = logging.getLogger(__name__)

COUNT_CAP = 10_000


@dataclass
class CappedPage:
    """One page of a listing, with a total counted no further than its cap."""

    items: list[Any]
    page: int
    per_page: int
    total: int
    capped: bool

    @property
    def pages(self) -> int:
        """How many pages the (capped) total fills; 0 when nothing matched."""
        return -(-self.total // self.per_page) if self.total else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def iter_pages(self, *, left_edge: int = 2, left_current: int = 2, right_current: int = 4,
                   right_edge: int = 2) -> Iterator[int | None]:
        """Yield page numbers to link, with None where a run of pages is skipped."""
        last = 0
        for number in range(1, self.pages + 1):
            near_edge = number <= left_edge or number > self.pages - right_edge
            near_current = self.page - left_current <= number < self.page + right_current + 1
            if near_edge or near_current:
                if last + 1 != number:
                    yield None
                yield number
                last = number


def _count(select: Select, cap: int) -> int:
    limited = select.options(lazyload("*")).order_by(None).limit(cap + 1).subquery()
    return db.session.execute(sa.select(sa.func.count()).select_from(limited)).scalar() or 0


def paginate(select: Select, page: int, per_page: int, cap: int | None = None,
             total: int | None = None, rows: bool = False,
             read_page: Callable[[Select], Select] | None = None) -> CappedPage:
    """One page of ``select`` (out-of-range pages are empty, never an error); cap: COUNT_CAP.

    ``total``: how many rows ``select`` matches, when the caller has counted them already
    (then no count query is sent; the cap still bounds the pages). ``rows``: the items are the
    select's result rows (a select of columns), not its first column's entities.
    ``read_page`` (with ``rows``): ``select`` picks the page's keys; this turns the limited
    select into the statement that reads the page's rows (a deferred join).
    """
    cap = COUNT_CAP if cap is None else cap
    page = max(1, page)
    last_counted = max(1, -(-cap // per_page))
    page = min(page, last_counted)  # never an OFFSET past the cap
    limited = select.limit(per_page).offset((page - 1) * per_page)
    if total == 0:  # counted already: nothing to read (a search's page read its matches a second time)
        items: list[Any] = []
    elif rows:
        if read_page is not None:
            limited = read_page(limited)
        items = list(db.session.execute(limited).all())
    else:
        items = list(db.session.scalars(limited))
    found = _count(select, cap) if total is None else total
    return CappedPage(items=items, page=page, per_page=per_page, total=min(found, cap), capped=found > cap)

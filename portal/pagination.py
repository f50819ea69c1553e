"""Pagination whose count stops at a cap, so a page's cost does not grow with the table.

``db.paginate`` counts every matching row on every page view; at a force's scale that
count is the slowest part of a list page, and nobody pages through more than a few
hundred pages. ``paginate`` counts at most ``cap + 1`` rows: below the cap the total is
exact; above it ``listing.capped`` is true and the pages stop at the cap (the list says
"more than N"; a narrower search finds the rest). The cap also bounds the OFFSET.
"""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select
from sqlalchemy.orm import lazyload

from portal.extensions import db

COUNT_CAP = 10_000


class CappedPagination(SelectPagination):
    capped: bool = False

    def _query_items(self) -> list:
        if not self._query_args["rows"]:
            return super()._query_items()
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        if self._query_args["read_page"] is not None:
            select = self._query_args["read_page"](select)
        return list(self._query_args["session"].execute(select).all())

    def _query_count(self) -> int:
        cap = self._query_args["cap"]
        if self._query_args["total"] is not None:  # counted already (e.g. with the per-stage counts)
            self.capped = self._query_args["total"] > cap
            return min(self._query_args["total"], cap)
        select = self._query_args["select"]
        limited = select.options(lazyload("*")).order_by(None).limit(cap + 1).subquery()
        found = self._query_args["session"].execute(sa.select(sa.func.count()).select_from(limited)).scalar() or 0
        self.capped = found > cap
        return min(found, cap)


def paginate(select: Select, page: int, per_page: int, cap: int | None = None,
             total: int | None = None, rows: bool = False,
             read_page: Callable[[Select], Select] | None = None) -> CappedPagination:
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
    return CappedPagination(select=select, session=db.session(), page=page, per_page=per_page,
                            error_out=False, cap=cap, total=total, rows=rows, read_page=read_page)

"""Exact time differences in SQL, on PostgreSQL and on SQLite.

Research charts bucket time spans (days to a stage, weeks around a first contact) in the
database so that a chart at 100,000 communities fetches a few hundred rows, not a row per
community. The buckets must match Python's ``timedelta`` arithmetic to the microsecond, so a
span is computed as whole microseconds (an integer), never as a fraction of a day in floating
point (``julianday`` differences carry ~20 µs of rounding, enough to move a span that ends
exactly on a day boundary into the next day).
"""
from __future__ import annotations

from sqlalchemy import BigInteger, DateTime, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

SECOND_US = 1_000_000
DAY_US = 86_400 * SECOND_US
WEEK_US = 7 * DAY_US


class elapsed_us(FunctionElement):  # noqa: N801 (a SQL function, named like one)
    """``elapsed_us(later, earlier)``: the microseconds from `earlier` to `later` (negative when before)."""

    type = BigInteger()
    name = "elapsed_us"
    inherit_cache = True


@compiles(elapsed_us)
def _elapsed_postgresql(element, compiler, **kw):
    # EXTRACT(EPOCH FROM interval) is numeric (exact) on PostgreSQL 14 and later.
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) * {SECOND_US} AS BIGINT)"


@compiles(elapsed_us, "sqlite")
def _elapsed_sqlite(element, compiler, **kw):
    # SQLAlchemy stores datetimes there as text 'YYYY-MM-DD HH:MM:SS.ffffff': whole seconds by
    # julianday (rounded: exact), the microseconds from the text.
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    seconds = f"ROUND((julianday(substr({later}, 1, 19)) - julianday(substr({earlier}, 1, 19))) * 86400)"
    micros = f"CAST(substr({later}, 21, 6) AS INTEGER) - CAST(substr({earlier}, 21, 6) AS INTEGER)"
    return f"(CAST({seconds} AS INTEGER) * {SECOND_US} + {micros})"


class month_start(FunctionElement):  # noqa: N801 (a SQL function, named like one)
    """``month_start(when)``: midnight on the first day of `when`'s month (a datetime), to group by month."""

    type = DateTime()
    name = "month_start"
    inherit_cache = True


@compiles(month_start)
def _month_start_postgresql(element, compiler, **kw):
    # Cheaper per row than formatting the timestamp as text (a fifth of a scan of a year's contacts).
    return f"date_trunc('month', {compiler.process(element.clauses, **kw)})"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element, compiler, **kw):
    # The text of the timestamp up to the month, then the first of the month at midnight.
    return f"(substr({compiler.process(element.clauses, **kw)}, 1, 7) || '-01 00:00:00')"


def whole(us, unit_us: int, *, up: bool = False):
    """SQL: a non-negative span in whole units (days, weeks), rounded down, or up with `up`.

    Integer division in both dialects (the raw operator: SQLAlchemy's ``/`` would divide as
    numeric); callers clamp the span at zero first, so truncation is rounding down. The
    constants are inline, so a GROUP BY on the result repeats the selected expression exactly.
    """
    numerator = us + literal_column(str(unit_us - 1)) if up else us
    return numerator.self_group().op("/", precedence=8)(literal_column(str(unit_us)))

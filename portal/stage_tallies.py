"""Keep `stage_tallies` (the research funnel's pre-aggregated counts) in step with the stage histories.

Whenever a flush adds, moves or removes a stage change, or changes a community's area, platform or
status, the affected communities' share of the tallies is taken out (as the database held them before
the flush) and put back (as it holds them after), in the same transaction. Bulk writes that bypass
the ORM (a merge's UPDATE of stage changes, the scale generator's COPY) use `rewriting` and
`bulk`. `recount` rebuilds the expected tallies from the stage changes, for checks.
"""
from __future__ import annotations

import contextlib
import functools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import groupby
from typing import Any

from flask_sqlalchemy.session import Session
from sqlalchemy import event, inspect, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from portal.models import STAGE_PATH, Community, StageChange
from portal.models.tallies import ALL_AREAS, ALL_PLATFORMS, AT, DAY, FURTHEST, MONTH, StageTally

KEY_COLUMNS = ("span", "platform", "starts", "area_id", "stage", "measure")  # the primary key, in its order
PATH_LEVEL = {stage: level for level, stage in enumerate(STAGE_PATH)}
WATCHED = {Community: ("area_id", "platform", "status"), StageChange: ("community_id", "changed_at", "to_stage")}
_PENDING = "stage_tallies_withdrawn"
RECOUNT_BATCH = 5000  # communities per query (PostgreSQL takes at most 65,535 parameters)


def community_tallies(area_id: int, platform: str, changes: Iterable[tuple[datetime, str]]) -> Counter:
    """One community's tally rows from its stage changes, in (changed_at, id) order."""
    out: Counter = Counter()
    previous = furthest = None
    for when, stage in changes:
        moves = [(stage, AT, 1)] + ([(previous, AT, -1)] if previous is not None else [])
        level = PATH_LEVEL.get(stage)
        if level is not None and (furthest is None or level > furthest):
            moves.append((stage, FURTHEST, 1))
            if furthest is not None:
                moves.append((STAGE_PATH[furthest], FURTHEST, -1))
            furthest = level
        previous = stage
        day = when.date()
        for moved, measure, n in moves:
            for span, starts in ((MONTH, day.replace(day=1)), (DAY, day)):
                for each_platform in (platform, ALL_PLATFORMS):
                    out[(span, each_platform, starts, area_id, moved, measure)] += n
                    out[(span, each_platform, starts, ALL_AREAS, moved, measure)] += n
    return out


def tallies_of(conn: Connection, community_ids: Iterable[int], lock: bool = False) -> Counter:
    """The tally rows the database's current rows give for these communities (merged ones give none)."""
    ids = sorted(set(community_ids))
    query = (select(Community.id, Community.area_id, Community.platform)
             .where(Community.id.in_(ids), Community.status != "merged").order_by(Community.id))
    communities = {cid: (area, platform) for cid, area, platform in
                   conn.execute(query.with_for_update() if lock else query)}
    rows = conn.execute(select(StageChange.community_id, StageChange.changed_at, StageChange.to_stage)
                        .where(StageChange.community_id.in_(list(communities)))
                        .order_by(StageChange.community_id, StageChange.changed_at, StageChange.id))
    out: Counter = Counter()
    for cid, group in groupby(rows, key=lambda r: r[0]):
        out.update(community_tallies(*communities[cid], ((r[1], r[2]) for r in group)))
    return out


def recount(conn: Connection) -> Counter:
    """Every community's tallies, from scratch, without zero rows."""
    ids = conn.scalars(select(Community.id).order_by(Community.id)).all()
    out: Counter = Counter()
    for start in range(0, len(ids), RECOUNT_BATCH):
        out.update(tallies_of(conn, ids[start:start + RECOUNT_BATCH]))
    return Counter({k: v for k, v in out.items() if v})


def stored(conn: Connection) -> Counter:
    """The tallies as stored, without zero rows."""
    columns = [getattr(StageTally, c) for c in KEY_COLUMNS]
    return Counter({tuple(row[:-1]): row[-1] for row in conn.execute(select(*columns, StageTally.change))
                    if row[-1]})


def apply(conn: Connection, change: Counter) -> None:
    """Add each (possibly negative) change to its tally row, creating the row when it is new."""
    rows = [dict(zip(KEY_COLUMNS, key, strict=True), change=n) for key, n in change.items() if n]
    if not rows:
        return
    make = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = make(StageTally)
    conn.execute(statement.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS), set_={"change": StageTally.change + statement.excluded.change}), rows)


def copy_cursor(conn: Connection) -> Any:
    """A cursor on the driver's own connection (psycopg), for COPY, which SQLAlchemy does not wrap."""
    driver = conn.connection.driver_connection
    if driver is None:  # only a closed or detached connection has none
        raise RuntimeError("the database connection is closed")
    return driver.cursor()


@contextlib.contextmanager
def bulk(conn: Connection) -> Iterator[Callable[[Counter], None]]:
    """`apply` for many large batches: yields a function that takes each batch's change.

    On PostgreSQL each batch is COPYed into a temporary table and all of them are merged into
    stage_tallies once, when the block ends. Merging batch by batch updated the same tally rows
    again and again in one transaction, each update a new row version for the next to step over:
    the scale generator's 60,000 communities (tests/portal/test_query_plans.py) spent most of their
    time there, each batch slower than the one before. The rows written are the same: one per key
    that any batch changed, holding the sum of its changes.
    """
    if conn.dialect.name != "postgresql":
        yield functools.partial(apply, conn)
        return
    conn.exec_driver_sql("CREATE TEMPORARY TABLE stage_tallies_batch (LIKE stage_tallies) ON COMMIT DROP")

    def stage(change: Counter) -> None:
        with copy_cursor(conn).copy(f"COPY stage_tallies_batch ({', '.join(KEY_COLUMNS)}, change) FROM STDIN") as copy:
            for key, n in change.items():
                if n:
                    copy.write_row((*key, n))

    yield stage
    keys = ", ".join(KEY_COLUMNS)  # column names from KEY_COLUMNS above, never from input
    conn.exec_driver_sql(
        f"INSERT INTO stage_tallies ({keys}, change) SELECT {keys}, sum(change) FROM stage_tallies_batch "  # noqa: S608
        f"GROUP BY {keys} ON CONFLICT ({keys}) DO UPDATE SET change = stage_tallies.change + EXCLUDED.change")
    conn.exec_driver_sql("DROP TABLE stage_tallies_batch")


@contextlib.contextmanager
def rewriting(session, community_ids: Iterable[int]) -> Iterator[None]:
    """Around bulk statements that rewrite these communities' stage histories outside the ORM.

    Only bulk statements belong inside: an ORM change to these communities flushed inside the
    block would be counted by the flush hook and again here.
    """
    ids = list(community_ids)
    session.flush()
    before = tallies_of(session.connection(), ids, lock=True)
    yield
    after = tallies_of(session.connection(), ids)  # sees the bulk statements' rows (same transaction)
    after.subtract(before)
    apply(session.connection(), after)


def _affected(session) -> set[int]:
    """Communities whose tallies this flush may change."""
    ids: set[int] = set()
    for obj in session.new:
        if isinstance(obj, StageChange) and obj.community_id is not None:
            ids.add(obj.community_id)
    for obj in session.deleted:
        if isinstance(obj, StageChange | Community):
            ids.add(obj.community_id if isinstance(obj, StageChange) else obj.id)
    for obj in session.dirty:
        watched = WATCHED.get(type(obj))
        if not watched:
            continue
        state = inspect(obj)
        for name in watched:
            history = state.attrs[name].history
            if history.has_changes():
                ids.add(obj.id if isinstance(obj, Community) else obj.community_id)
                if name == "community_id":
                    ids.update(i for i in history.deleted if i is not None)
    ids.discard(None)
    return ids


@event.listens_for(Session, "before_flush")
def _withdraw(session, flush_context, instances) -> None:  # noqa: ARG001
    ids = _affected(session)
    if ids:
        # Row locks on PostgreSQL: two writers to one history must not both start from the old tallies.
        session.info[_PENDING] = (ids, tallies_of(session.connection(), ids, lock=True))


@event.listens_for(Session, "after_flush")
def _put_back(session, flush_context) -> None:  # noqa: ARG001
    pending = session.info.pop(_PENDING, None)
    if pending:
        ids, before = pending
        after = tallies_of(session.connection(), ids)
        after.subtract(before)
        apply(session.connection(), after)


@event.listens_for(Session, "after_rollback")
def _forget(session) -> None:
    session.info.pop(_PENDING, None)

"""Read-side queries for outreach: follow-ups, recent communities, link look-ups, gone quiet."""
from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Row, Select, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from portal.communities.queries import (
    CatalogueFilter, catalogue_keys, catalogue_page, stage_counts, visible_to, walks_names,
)
from portal.extensions import db
from portal.guidance.rules import note_rule_set_stamp, rule_set_stamp
from portal.models import ActivitySample, Community, OutreachContact, Task, User, utcnow
from portal.params import record_id
from portal.urlkeys import url_key

MAX_KEPT_SCOPES = 1000  # sets of areas whose gone-quiet ids a web process keeps at most


#: How many of an officer's newest contacts ``recently_contacted`` groups first.
RECENT_WINDOW = 200


def recent_communities(user: User, limit: int = 6, owned_slots: int = 2) -> list[Community]:
    """Shortcuts for the quick log: recently contacted communities, with room kept for owned ones.

    Up to ``limit - owned_slots`` of the officer's most recently contacted communities come
    first, then communities they own (by name) that are not already listed, then more recent
    ones if slots are left: an officer with many recent contacts still sees their own beat.
    """
    recent_ids = recently_contacted(user, limit * 2)
    by_id, owned = _recent_statements(user.area_bound)
    scope = {"area_ids": sorted(user.area_ids) or [-1]} if user.area_bound else {}
    found = {c.id: c for c in db.session.scalars(by_id, {**scope, "ids": recent_ids or [-1]})}
    recent = [found[i] for i in recent_ids if i in found]
    ordered = recent[:limit - owned_slots]
    ordered += db.session.scalars(owned, {**scope, "owner_id": user.id, "exclude": [c.id for c in ordered] or [-1],
                                          "limit": limit - len(ordered)})
    ordered += [c for c in recent if c not in ordered][:limit - len(ordered)]
    return ordered


@functools.cache
def _recent_statements(area_bound: bool) -> tuple[Select, Select]:
    """recent_communities' two statements (those communities by id; the user's own by name), built
    once per shape with bound parameters: the quick-log form asks on every view. The same
    conditions as visible_to(user) and active, the areas bound as a list."""
    visible = select(Community).where(Community.status != "merged")
    if area_bound:
        visible = visible.where(Community.area_id.in_(bindparam("area_ids", expanding=True)))
    visible = visible.where(Community.status == "active")
    by_id = visible.where(Community.id.in_(bindparam("ids", expanding=True)))
    owned = (visible.where(Community.owner_id == bindparam("owner_id"),
                           Community.id.not_in(bindparam("exclude", expanding=True)))
             .order_by(Community.name).limit(bindparam("limit")))
    return by_id, owned


def recently_contacted(user: User, count: int) -> list[int]:
    """The ids of the ``count`` communities the user contacted last, the latest first.

    Grouping every contact an officer ever logged reads all of them (4 ms of PostgreSQL on each
    quick-log form at 3,300 contacts: ``benchmarks/sql_replay.py --per-statement``), so the
    newest ``RECENT_WINDOW`` come first, off the officer-and-time index. A community whose last
    contact is among them ranks above every community whose last contact is not, so when they
    name ``count`` communities those are the answer; otherwise every contact is grouped.
    """
    ids = list(db.session.scalars(_latest_first(RECENT_WINDOW, count), {"officer_id": user.id}))
    if len(ids) < count:
        ids = list(db.session.scalars(_latest_first(None, count), {"officer_id": user.id}))
    return ids


@functools.cache
def _latest_first(window: int | None, count: int) -> Select:
    """The ``count`` communities last contacted among the officer's newest ``window`` contacts (all
    when None), built once per shape: the quick-log form asks on every view."""
    contacts = (select(OutreachContact.community_id, OutreachContact.occurred_at)
                .where(OutreachContact.officer_id == bindparam("officer_id")))
    if window is not None:
        contacts = contacts.order_by(OutreachContact.occurred_at.desc()).limit(window)
    newest = contacts.subquery()
    last = func.max(newest.c.occurred_at).label("last")
    return select(newest.c.community_id, last).group_by(newest.c.community_id).order_by(last.desc()).limit(count)


#: Above this many matches the type-ahead walks the names for its 8 (about 8 x visible / matches
#: entries: 4,000 at 100,000 communities when the matches are spread over the alphabet). Lower
#: than the list's SEARCH_COUNT_CAP: counting to it costs in proportion to it (reading 1,001
#: matches was 1-3 ms at 100,000, a third of the keystroke), and 8 names need fewer matches.
TYPE_AHEAD_MANY = 200


def community_matches(user: User, q: str, limit: int = 8) -> list[Row]:
    """Type-ahead: active visible communities whose name or address contains q, by name.

    The catalogue's own search and page (its term cleaned and bounded the same way, in the
    lower-cased search_text; rows with the list's columns): the matches' ids come from the
    area's listing index alone and only those communities are read. Matching name and address with ILIKE read every community of the
    area when a term matched few: at 100,000 communities the statement took 1.45-1.54 ms a
    keystroke, now 0.39-0.48 ms (six terms in rotation, prepared; ``sql_replay.py
    --per-statement`` on lr_bench_100000).
    """
    f = CatalogueFilter.from_args(MultiDict({"q": (q or "")[:100]}))
    if not f.q:
        return []
    # Across several areas a common word's first names are found by walking the names, once a
    # count says there are many (catalogue_keys, ``many``).
    if walks_names(user, f):
        counts = stage_counts(user, f, cap=TYPE_AHEAD_MANY)
        if counts.matching == 0:  # nothing to read twice (PostgreSQL's trigram recheck of '(club)': 60 ms)
            return []
        many = counts.capped
    else:
        many = False
    return list(db.session.execute(catalogue_page(catalogue_keys(user, f, many=many).limit(limit), f)))


def key_prefixes(key: str) -> list[str]:
    """Every host/path prefix of a URL key, longest first (host alone last)."""
    host, _, path = key.partition("/")
    parts = [p for p in path.split("/") if p]
    return [f"{host}/{'/'.join(parts[:n])}" if n else host for n in range(len(parts), -1, -1)]


def community_for_link(user: User, link: str) -> Community | None:
    """Find the catalogued community a shared post or group link belongs to (longest match)."""
    key = url_key(link or "")
    if not key:
        return None
    prefixes = key_prefixes(key)
    rows = db.session.scalars(visible_to(user).where(Community.status == "active", Community.url_key.in_(prefixes)))
    matches = sorted(rows, key=lambda c: len(c.url_key), reverse=True)
    return matches[0] if matches else None


def community_by_id(user: User, community_id: int | None, *, with_rule_set_stamp: bool = False) -> Community | None:
    """The active community of that id if the user may see it, else None.

    ``with_rule_set_stamp``: read the message-check rules' stamp in the same statement (a quick-log
    POST checks its message next, and then need not ask for the stamp on its own).
    """
    community_id = record_id(community_id)
    if community_id is None:
        return None
    query = visible_to(user).where(Community.id == community_id, Community.status == "active")
    if not with_rule_set_stamp:
        return db.session.scalar(query)
    found = db.session.execute(query.add_columns(rule_set_stamp())).first()
    if found is None:
        return None
    note_rule_set_stamp(found[1])
    return found[0]


@dataclass
class FollowUps:
    overdue: list[OutreachContact]
    due_today: list[OutreachContact]
    upcoming: list[OutreachContact]
    tasks: list[Task]


#: A follow-up or task row shows its community's name only: the other 29 columns are not read.
COMMUNITY_NAME = joinedload(OutreachContact.community).load_only(Community.id, Community.name)


def open_follow_ups(user: User, horizon_days: int = 14) -> FollowUps:
    """The user's open follow-ups (overdue, today, soon), open tasks and cold relationships."""
    today = date.today()
    contacts = list(db.session.scalars(_open_follow_ups_statement(), {
        "officer_id": user.id, "until": today + timedelta(days=horizon_days)}))
    dated = [(c, c.follow_up_on) for c in contacts if c.follow_up_on is not None]  # all, by the query
    return FollowUps(
        overdue=[c for c, on in dated if on < today],
        due_today=[c for c, on in dated if on == today],
        upcoming=[c for c, on in dated if on > today],
        tasks=open_tasks(user),
    )


def recently_done_follow_ups(user: User, days: int = 7, limit: int = 20) -> list[OutreachContact]:
    """The user's follow-ups closed in the last `days` days, newest first (so a slip can be undone)."""
    return list(db.session.scalars(_recently_done_statement(), {
        "officer_id": user.id, "since": utcnow() - timedelta(days=days), "limit": limit}))


def open_tasks(user: User) -> list[Task]:
    return list(db.session.scalars(_open_tasks_statement(), {"assignee_id": user.id}))


# Home and the follow-ups page run these on every view. Built once, with bound parameters:
# building an ORM select with its loader options (and then its cache key) on every request cost
# about as much CPU as running it (benchmarks/README.md, issue 26 target 2).

@functools.cache
def _open_follow_ups_statement() -> Select:
    return (select(OutreachContact).options(COMMUNITY_NAME)
            .where(OutreachContact.officer_id == bindparam("officer_id"), OutreachContact.follow_up_on.is_not(None),
                   OutreachContact.follow_up_closed_at.is_(None),
                   OutreachContact.follow_up_on <= bindparam("until"))
            .order_by(OutreachContact.follow_up_on, OutreachContact.id))


@functools.cache
def _recently_done_statement() -> Select:
    return (select(OutreachContact).options(COMMUNITY_NAME)
            .where(OutreachContact.officer_id == bindparam("officer_id"), OutreachContact.follow_up_on.is_not(None),
                   OutreachContact.follow_up_closed_at >= bindparam("since"))
            .order_by(OutreachContact.follow_up_closed_at.desc(), OutreachContact.id.desc())
            .limit(bindparam("limit")))


@functools.cache
def _open_tasks_statement() -> Select:
    return (select(Task).options(joinedload(Task.community).load_only(Community.id, Community.name))
            .where(Task.assignee_id == bindparam("assignee_id"), Task.done_at.is_(None))
            .order_by(Task.due_on.is_(None), Task.due_on, Task.id))


def going_cold(user: User) -> list[Community]:
    """Communities the user owns whose 'stay in touch' interval has run out (one part of "gone quiet")."""
    now = utcnow()
    return [c for c in db.session.scalars(_owned_with_interval(user)) if _interval_run_out(c, now)]


def going_cold_ids(user: User) -> set[int]:
    """The ids of going_cold's communities, from the three columns the rule reads: Home counts them
    on every view, and whole rows cost more than the count."""
    now = utcnow()
    scope = {"area_ids": sorted(user.area_ids) or [-1]} if user.area_bound else {}
    rows = db.session.execute(_going_cold_columns_statement(user.area_bound), {**scope, "owner_id": user.id})
    return {row.id for row in rows if _interval_run_out(row, now)}


@functools.cache
def _going_cold_columns_statement(area_bound: bool) -> Select:
    """_owned_with_interval's three columns, built once per shape (Home runs it on every view)."""
    query = select(Community.id, Community.last_contact_at, Community.stay_in_touch_days).where(
        Community.status != "merged")
    if area_bound:
        query = query.where(Community.area_id.in_(bindparam("area_ids", expanding=True)))
    return query.where(Community.status == "active", Community.owner_id == bindparam("owner_id"),
                       Community.stay_in_touch_days.is_not(None))


def _owned_with_interval(user: User) -> Select:
    return visible_to(user).where(Community.status == "active", Community.owner_id == user.id,
                                  Community.stay_in_touch_days.is_not(None))


def _interval_run_out(community: Any, now: datetime) -> bool:
    """No contact yet, or none within the community's stay-in-touch interval."""
    return (community.last_contact_at is None
            or community.last_contact_at < now - timedelta(days=community.stay_in_touch_days))


def no_contact_for(user: User, days: int, limit: int = 100) -> list[Community]:
    """Active communities with no contact for `days` days (never contacted ones included)."""
    cutoff = utcnow() - timedelta(days=days)
    query = visible_to(user).where(Community.status == "active", or_(
        Community.last_contact_at.is_(None), Community.last_contact_at < cutoff))
    return list(db.session.scalars(
        query.order_by(Community.last_contact_at.is_not(None), Community.last_contact_at, Community.name).limit(limit)))


def gone_quiet_count(user: User) -> int:
    """How many communities "gone quiet" lists first: posting half as much or less, or past the
    user's stay-in-touch interval (each community counted once)."""
    return len(set(dropped_ids(user)) | going_cold_ids(user))


def dropped_ids(user: User) -> list[int]:
    """The ids ``activity_dropped`` lists for the user, for Home's count: kept GONE_QUIET_CACHE_SECONDS.

    They depend only on the user's areas and on feed samples, which change when feeds are polled
    (hours apart), yet every officer's Home recounted them: 12-22 ms of PostgreSQL at 100,000
    communities, the largest part of Home (benchmarks/README.md, issue 26). So they are kept per
    set of areas, in each web process, and shared by the area's officers; the gone-quiet page
    itself always counts afresh. A community archived meanwhile leaves the count that long after.
    """
    seconds = current_app.config.get("GONE_QUIET_CACHE_SECONDS", 0)
    scope = tuple(sorted(user.area_ids)) if user.area_bound else "all"
    kept: dict[Any, tuple[float, list[int]]] = current_app.extensions.setdefault("gone_quiet_ids", {})
    now = time.monotonic()
    found = kept.get(scope)
    if seconds > 0 and found is not None and found[0] > now:
        return found[1]
    serial_plan()
    ids = list(db.session.scalars(_dropped_query(user, Community.id)))
    if seconds > 0:
        if len(kept) >= MAX_KEPT_SCOPES:
            kept.clear()
        kept[scope] = (now + seconds, ids)
    return ids


@dataclass
class ActivityDrop:
    community: Community
    before: float
    recent: float


def activity_dropped(user: User, recent_days: int = 21, baseline_days: int = 90,
                     drop: float = 0.5, limit: int = 100) -> list[ActivityDrop]:
    """Communities whose own feed activity fell by at least `drop` versus their baseline."""
    query = _dropped_query(user, Community, recent_days, baseline_days, drop, limit)
    serial_plan()
    return [ActivityDrop(c, float(b), float(r)) for c, r, b in db.session.execute(query)]


def _dropped_query(user: User, what: Any, recent_days: int = 21, baseline_days: int = 90, drop: float = 0.5,
                   limit: int = 100) -> Select:
    """``what`` (the communities, or their ids) with their recent and baseline activity, the largest drops first."""
    now = utcnow()
    recent_from, baseline_from = now - timedelta(days=recent_days), now - timedelta(days=baseline_days)
    ipw = ActivitySample.items_per_week
    recent = func.avg(case((ActivitySample.sampled_at >= recent_from, ipw)))
    before = func.avg(case((and_(ActivitySample.sampled_at < recent_from,
                                 ActivitySample.sampled_at >= baseline_from), ipw)))
    # Only the user's communities' samples are averaged: averaging the whole force's and joining
    # after read 1.7 million samples for an officer's Home at 100,000 communities (0.9 s).
    theirs = visible_to(user).where(Community.status == "active").with_only_columns(Community.id)
    stats = (select(ActivitySample.community_id, recent.label("recent"), before.label("before"))
             .where(ActivitySample.sampled_at >= baseline_from, ActivitySample.community_id.in_(theirs))
             .group_by(ActivitySample.community_id).subquery())
    return (visible_to(user).with_only_columns(what).add_columns(stats.c.recent, stats.c.before)
            .join(stats, stats.c.community_id == Community.id)
            .where(Community.status == "active", stats.c.before > 0, stats.c.recent <= stats.c.before * (1 - drop))
            .order_by((stats.c.recent / stats.c.before), Community.name).limit(limit))


def serial_plan() -> None:
    """Let PostgreSQL plan the rest of this transaction without parallel workers.

    The "gone quiet" averages (an area's 16,000 samples at 100,000 communities) cost enough for
    the planner to start a parallel worker, which took 25 ms where one process took 13
    (EXPLAIN ANALYZE, issue 26): starting a worker costs more than it saves on this size of
    work, and a web server's cores are already busy with other requests. A SELECT, so a
    read-only request still ends with COMMIT (portal/transactions.py); local to the transaction.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.set_config("max_parallel_workers_per_gather", "0", True)))

"""Queries for the community catalogue: visibility, search, filters, sorting and counts."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, Text, and_, bindparam, false, func, literal_column, or_, select, true

from portal.extensions import db
from portal.models import (
    ACCESS_ROUTES, PLATFORMS, STAGES, Area, AreaTag, Community, CommunityTag, User, search_index, utcnow,
)
from portal.models import search_key
from portal.models.search_key import search_key_of
from portal.params import arg_int

SORTS = {
    "name": (Community.name, Community.id),
    "last_contact": (Community.last_contact_at.is_(None), Community.last_contact_at.desc(), Community.id),
    "oldest_contact": (Community.last_contact_at.is_not(None), Community.last_contact_at, Community.id),
    "stage": (Community.stage_changed_at.is_(None), Community.stage_changed_at.desc(), Community.id),
    "activity": (Community.items_per_week.is_(None), Community.items_per_week.desc(), Community.id),
    "newest": (Community.created_at.desc(), Community.id.desc()),
}
SORT_LABELS = {"name": "Name", "last_contact": "Most recent contact", "oldest_contact": "Longest without contact",
               "stage": "Latest stage change", "activity": "Most active", "newest": "Newest catalogued"}
ACTIVITY = {"active": "Posts weekly or more", "quiet": "Less than weekly", "unknown": "No feed"}
STATUSES = ("active", "archived")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # a search term is one line of text

def visible_to(user: User, area_column: Any = Community.area_id) -> Select:
    """Communities the user may see: their areas for officers and supervisors, all otherwise."""
    query = select(Community).where(Community.status != "merged")
    query = user.scope(query, area_column)
    return query


def _like(q: str) -> str:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _searched(user: User, f: CatalogueFilter):
    """What the search term is looked for in: the lower-cased name and address.

    A search within one area (an officer's only area, or the area chosen) reads that area's
    rows, a couple of thousand, from its indexes in about a millisecond. PostgreSQL's cost
    model often prefers ANDing in the trigram index, but its bitmap covers the whole force
    ('club' is in 25,000 of 100,000 communities) and costs 3-6 ms. So within one area the
    column is written as an expression (``|| ''``, the same text) that the trigram index
    cannot serve. Migration 0019 gives PostgreSQL statistics on exactly this expression (a
    literal '', not a parameter, so that they match), without which it would guess that
    almost nothing matches. Across several areas the name order can no longer be read from
    one area's index, and there the trigram index is the faster way (measured at 3 and 10
    areas: 3-5 ms against 3-14 ms), so it stays usable, as it does force-wide.

    A term of one or two characters has no trigram, so the index would be read whole: PostgreSQL
    avoids that when it plans for the term itself, but psycopg prepares a statement once it has
    run five times, and the generic plan, not knowing the term, took the index (0.45 s a
    statement force-wide at 100,000 communities). Short terms get the expression too, read from
    the listing index's included search_text instead.
    """
    one_area = f.area or (user.area_bound and len(user.area_ids) == 1)
    short = len(f.q) < search_index.MIN_TERM and current_app.config.get("CATALOGUE_SHORT_TERMS_UNINDEXED", True)
    if one_area or short:
        return Community.search_text.concat(literal_column("''"))
    return Community.search_text


@dataclass(frozen=True, slots=True)
class _Route:
    """How a search term is looked for (``_route``): ``ids`` (the few communities that contain it,
    from SQLite's FTS5 index), ``fts`` (SQLite's FTS5 lookup as a subquery) or ``like``."""

    how: str
    ids: tuple[int, ...] = ()


LIKE_ROUTE = _Route("like")


def _route(user: User, f: CatalogueFilter) -> _Route:
    """How SQLite (and PostgreSQL: always ``like``) looks for the filter's term; decided once
    per filter, as the count and the page ask the same.

    A term of three characters or more is first looked up in SQLite's FTS5 trigram index for
    at most ``search_index.FEW + 1`` matches in the whole force, which costs the same at any
    size. If it has no more than ``FEW``, the search keeps those ids (the area, status and other
    filters still apply). Otherwise, within one area (an officer's only area, or the area
    chosen) the LIKE reads migration 0032's covering index (area_id, status, name, id, stage,
    search_text): that area's entries, already in name order, without a visit to the table.
    The index's lookup within one area (the area's marker AND the term) read the marker's
    whole doclist, one entry per community of the area, and the list then walked the area's
    entries to keep those matches. At 100,000 communities (2,000 in the area) that was
    1.1-1.8 ms for each of the count and the page; now 0.5-1.0 ms for the count and 0.1-0.3 ms
    for the page, which stops at its last match (benchmarks/README.md, issue 26). Across several
    areas the lookup of the term alone stays (``community_ids_containing``). Shorter terms,
    and PostgreSQL (whose trigram GIN index serves the LIKE), use the LIKE.
    """
    if f._how is not None:
        return f._how
    term = f.q.lower()
    route = LIKE_ROUTE
    if (db.session.get_bind().dialect.name == "sqlite" and current_app.config.get("CATALOGUE_SEARCH_INDEX", True)
            and search_index.indexed(term, db.session.connection())):
        few = search_index.few_containing(term, db.session.connection())
        if few is not None:
            route = _Route("ids", tuple(few))
        elif _only_area(user, f) is None:
            route = _Route("fts")
    f._how = route
    return route


def _contains(user: User, f: CatalogueFilter):
    """The condition "name or address contains the term" (case-insensitive, as a substring),
    written as ``_route`` decides. Every route gives the same communities
    (tests/portal/test_search_parity.py)."""
    route = _route(user, f)
    if route.how == "ids":  # none at all: a constant false, so that SQLite reads no index either
        return Community.id.in_(route.ids) if route.ids else false()
    if route.how == "fts":
        return Community.id.in_(search_index.community_ids_containing(f.q.lower()))
    term = f.q.lower()
    searched = _searched(user, f)
    if searched is Community.search_text and _keyed(term):
        # PostgreSQL, force-wide, a term with punctuation: the search key's trigram index (migration
        # 0039) finds the communities whose key contains the term's key, a few more at most than
        # contain the term; the term itself is then checked against search_text, written as the
        # expression search_text's own trigram index cannot serve (it sees the term's words alone
        # and would return every community with them: 'club' for '(club)', 25,000 at 100,000).
        return and_(SEARCH_KEY.like(f"%{search_key_of(term)}%"),
                    Community.search_text.concat(literal_column("''")).like(_like(term), escape="\\"))
    return searched.like(_like(term), escape="\\")


#: migration 0039's generated column (PostgreSQL only, not a model attribute: portal.models.search_key).
SEARCH_KEY = literal_column(f"communities.{search_key.COLUMN}", Text)


def _keyed(term: str) -> bool:
    """Whether a force-wide term is looked up by its search key: on PostgreSQL (whose trigram
    index on search_text drops punctuation), a term of three characters or more (shorter ones
    keep the listing index: ``_searched``) with a character the key spells out."""
    return (db.session.get_bind().dialect.name == "postgresql" and search_key.needs_key(term)
            and current_app.config.get("CATALOGUE_SEARCH_KEY", True))


def _only_area(user: User, f: CatalogueFilter) -> int | None:
    """The one area a search is within (the area chosen, or an officer's only area), if any."""
    if f.area:
        return f.area
    return next(iter(user.area_ids)) if user.area_bound and len(user.area_ids) == 1 else None


@dataclass
class CatalogueFilter:
    """The list's query string, parsed and bounded; every field round-trips to the URL."""

    q: str = ""
    area: int | None = None
    platform: str = ""
    stage: str = ""
    access: str = ""
    tag: str = ""
    activity: str = ""
    quiet_days: int | None = None
    status: str = "active"
    sort: str = "name"
    #: How the term is looked for, once decided (``_route``): not part of the URL.
    _how: _Route | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_args(cls, args: Any) -> CatalogueFilter:
        def choice(name: str, allowed, default: str = "") -> str:
            value = args.get(name, default)
            return value if value in allowed else default

        quiet = arg_int(args, "quiet_days", high=9999)
        return cls(
            q=CONTROL.sub(" ", args.get("q") or "").strip()[:200], area=arg_int(args, "area"),
            platform=choice("platform", PLATFORMS), stage=choice("stage", STAGES),
            access=choice("access", ACCESS_ROUTES), tag=(args.get("tag") or "").strip().lower()[:60],
            activity=choice("activity", ACTIVITY), quiet_days=quiet,
            status=choice("status", STATUSES, "active"), sort=choice("sort", SORTS, "name"),
        )

    def as_args(self, **overrides: Any) -> dict[str, Any]:
        """Non-default values as URL arguments (for links that keep the filter)."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.init} | overrides
        defaults = {"status": "active", "sort": "name"}
        return {k: v for k, v in values.items() if v not in (None, "") and defaults.get(k) != v}

    @property
    def active_count(self) -> int:
        return len([k for k in self.as_args() if k not in {"q", "sort"}])


def filtered(user: User, f: CatalogueFilter, *, with_stage: bool = True) -> Select:
    """Apply every filter except sorting (stage optional, for the per-stage counts)."""
    area_column: Any = Community.area_id
    if f.q and _route(user, f).how == "ids":
        # The few ids are the way in: written as an expression (the same value), the area can
        # serve no index, which SQLite's planner otherwise prefers from a handful of ids on
        # (it has no statistics, so it guesses an area holds about ten communities, not 2,000).
        area_column = Community.area_id + literal_column("0")
    query = visible_to(user, area_column).where(Community.status == f.status)
    if f.q:
        query = query.where(_contains(user, f))
    if f.area:
        query = query.where(area_column == f.area)
    if f.platform:
        query = query.where(Community.platform == f.platform)
    if with_stage and f.stage:
        query = query.where(Community.stage == f.stage)
    if f.access:
        query = query.where(Community.access == f.access)
    if f.tag:
        query = query.where(Community.id.in_(select(CommunityTag.community_id).where(CommunityTag.tag == f.tag)))
    if f.activity == "active":
        query = query.where(Community.items_per_week >= 1)
    elif f.activity == "quiet":
        query = query.where(Community.items_per_week < 1)
    elif f.activity == "unknown":
        query = query.where(Community.items_per_week.is_(None))
    if f.quiet_days:
        cutoff = utcnow() - timedelta(days=f.quiet_days)
        query = query.where(or_(Community.last_contact_at.is_(None), Community.last_contact_at < cutoff))
    return query


LIST_ROW_COLUMNS = (Community.id, Community.name, Community.stage, Community.platform, Community.access,
                    Community.last_contact_at, Community.items_per_week, Area.name.label("area_name"))


@dataclass(frozen=True, slots=True)
class ListedCommunity:
    """One row of the list: what it shows, read as plain columns (no ORM objects to build)."""

    id: int
    name: str
    stage: str
    platform: str
    access: str
    last_contact_at: datetime | None
    items_per_week: float | None
    area_name: str
    tags: tuple[str, ...] = ()


def catalogue_keys(user: User, f: CatalogueFilter, *, many: bool = False) -> Select:
    """The list's matches in the list's order, ids only: the page is chosen from these.

    Limited to a page, it names the communities to show without reading their rows: within
    one area, sorted by name, it is an index-only walk of ix_communities_area_listing that
    stops at the page's last match (the search term and stage are in the index). Reading the
    rows alongside cost a visit to every community of the area when a search matched few: at
    100,000 communities the statement took 1.38-1.43 ms, now 0.53 ms (``sql_replay.py
    --per-statement`` on lr_bench_100000; benchmarks/README.md).

    ``many``: a capped count found the term in many of the communities the user may see (more
    than the list's ``SEARCH_COUNT_CAP``, or the type-ahead's ``TYPE_AHEAD_MANY`` in
    portal.outreach.queries); across several areas the matches are then read
    by walking the active communities in name order (``_name_walk``). The same ids in the same
    order either way (tests/portal/test_search_parity.py).
    """
    if many and walks_names(user, f):
        return _name_walk(user, f)
    return filtered(user, f).with_only_columns(Community.id).order_by(*SORTS[f.sort])


def walks_names(user: User, f: CatalogueFilter) -> bool:
    """Whether a search with many matches may be read by ``_name_walk``: a term, across several
    areas (within one area the area's listing index is already in name order), in name order,
    active communities, and no filter the walk's index does not hold."""
    return (bool(f.q) and f.sort == "name" and f.status == "active" and not f.stage and _only_area(user, f) is None
            and not (f.platform or f.access or f.tag or f.activity or f.quiet_days))


def _name_walk(user: User, f: CatalogueFilter) -> Select:
    """The search's matches, ids in name order, from migration 0035's index of active communities
    (name, id, area_id, stage, search_text, status), read in its order until the page's last match.

    Force-wide, 25 names out of 25,000 matches ('club' at 100,000 communities) were every match
    read (SQLite's FTS5 lookup, PostgreSQL's trigram bitmap) and sorted: 12-29 ms on SQLite. When
    a count says that many of the communities the user may see match, walking the names finds a
    page's 25 after about 25 x (visible / matches) entries where the matches are spread over the
    alphabet (2,500 for 1,001 of 100,000); 'club', 'park' and 'forum' took 0.1-0.8 ms at 100,000
    (benchmarks/README.md, issue 26). A term whose matches all sort late walks further, at worst
    the whole index (~30 ms at 100,000: what reading every match cost). The status is written as a
    literal so that the index's condition (status = 'active') is seen to hold; the area as
    ``area_id + 0`` and the term in ``search_text || ''`` so that neither the area indexes nor
    PostgreSQL's trigram index are used instead, either of which reads every match to sort it;
    ``(search_text || '') IS NOT NULL`` is the rest of the index's condition, which no other
    statement implies (so the counts keep their own indexes).
    """
    searched = Community.search_text.concat(literal_column("''"))
    query = select(Community.id).where(Community.status == literal_column("'active'"), searched.is_not(None))
    query = user.scope(query, Community.area_id + literal_column("0"))
    return query.where(searched.like(_like(f.q.lower()), escape="\\")).order_by(*SORTS["name"])


def catalogue_page(keys: Select, f: CatalogueFilter) -> Select:
    """One page of the list as plain rows: ``keys`` (catalogue_keys with its LIMIT and OFFSET)
    joined to the columns a row shows and its area's name, in the same order."""
    page = keys.subquery("page")
    return (select(*LIST_ROW_COLUMNS).select_from(Community).join(page, page.c.id == Community.id)
            .join(Area, Area.id == Community.area_id).order_by(*SORTS[f.sort]))


def with_tags(rows) -> list[ListedCommunity]:
    """The page's rows with their tags, alphabetical, read in one query."""
    tags: dict[int, list[str]] = {row.id: [] for row in rows}
    if tags:
        found = db.session.execute(_tags_of_statement(), {"ids": list(tags)})
        for community_id, tag in found:
            tags[community_id].append(tag)
    return [ListedCommunity(**row._mapping, tags=tuple(tags[row.id])) for row in rows]  # by column name


#: A search's counts stop after this many matches (in all stages together): above it the list says
#: "more than 1,000" and shows the stages without numbers, and its pages stop at the cap. Counting
#: every match of a common word force-wide ('club' is in 25,000 of 100,000 communities) cost ~30 ms
#: on SQLite, the most of a search's time; counting to 1,001 costs the same at any size. The list
#: without a search term is counted exactly (an officer's area, stage by stage).
SEARCH_COUNT_CAP = 1_000


@dataclass
class StageCounts:
    """How many communities match the filter at each stage (ignoring the stage filter), and in all.

    ``capped``: more than ``cap`` matched in all stages together; then ``by_stage`` is empty (the
    rows counted were the first ``cap + 1`` in whatever order the database read them, so their
    stages say nothing that holds on both databases) and the stages' own numbers are unknown."""

    by_stage: dict[str, int]
    stage: str = ""
    capped: bool = False
    cap: int | None = None

    def __iter__(self):
        return iter([(stage, self.by_stage.get(stage, 0)) for stage in STAGES])

    @property
    def matching(self) -> int | None:
        """The list's own total: the filter's stage, or every stage (so the list needs no count of
        its own). Above the cap: ``cap + 1`` for every stage (the list says "more than"), None for
        one stage (not counted here: the list counts that stage itself, to the same cap)."""
        if self.capped:
            return None if self.stage else (self.cap or 0) + 1
        return self.by_stage.get(self.stage, 0) if self.stage else sum(self.by_stage.values())


def stage_counts(user: User, f: CatalogueFilter, cap: int | None = None) -> StageCounts:
    """Count the filter's matches per stage, in one pass (an index-only scan of an officer's areas).

    ``cap``: read at most ``cap + 1`` matches (a LIMIT inside the grouped count); with more the
    counts are ``capped`` and not kept."""
    stage: Any = Community.stage
    if f.q and db.session.get_bind().dialect.name == "sqlite" and _route(user, f).how == "like":
        # Grouped by the stage's value, not its column, so that SQLite reads the LIKE's
        # search_text from the covering listing index: grouped by the column it chose
        # (area_id, status, stage) for its order and read every row of the area from the table
        # (5-6 ms for a 2-letter term in an area of 2,000, 0.4-0.6 ms from the covering index).
        stage = stage.concat(literal_column("''")).label("stage")
    if cap is not None and f.q and _route(user, f).how == "fts":
        # SQLite, a term in many communities across several areas: FTS5 as the outer loop, each
        # match's row looked up by id, stopping at the cap. Written as ``id IN (the lookup)``,
        # SQLite first lists every match (25,000 for 'club' at 100,000 communities: 5.4 ms with
        # the cap, of which the list is 2.2 ms); from the index, at most cap + 1 rows (0.7 ms).
        others = filtered(user, replace(f, q=""), with_stage=False)
        term = search_index.community_ids_containing(f.q.lower()).subquery("term")
        matches = (select(stage).select_from(term).join(Community, Community.id == term.c.rowid)
                   .where(true() if others.whereclause is None else others.whereclause))
    else:
        matches = filtered(user, f, with_stage=False).with_only_columns(stage)
    if cap is not None:
        # The cap written into the statement, not bound: psycopg prepares a statement once it has run
        # five times, and PostgreSQL's generic plan, not knowing the LIMIT, took a tenth of its guess
        # of the matches as enough and chose to filter the area listing index (it stops early when
        # many match): a force-wide term found nowhere ('zzqx', 'road') read all 97,000 entries,
        # 43-65 ms at 100,000 communities. Knowing the cap, the trigram index costs less.
        matches = matches.limit(bindparam("cap", cap + 1, literal_execute=True))
    sub = matches.subquery()
    rows = dict(db.session.execute(select(sub.c.stage, func.count()).group_by(sub.c.stage)).tuples().all())
    if cap is not None and sum(rows.values()) > cap:
        return StageCounts({}, f.stage, capped=True, cap=cap)
    return StageCounts(rows, f.stage, cap=cap)


def tags_in_use(user: User, limit: int = 200) -> list[str]:
    """Tags on active communities the user may see, from the per-area counts (area_tags)."""
    scope = {"area_ids": sorted(user.area_ids) or [-1]} if user.area_bound else {}
    return list(db.session.scalars(_tags_in_use_statement(user.area_bound), {**scope, "limit": limit}))


# The list runs these two on every view: built once (per shape), the values bound per request.

@functools.cache
def _tags_of_statement() -> Select:
    return (select(CommunityTag.community_id, CommunityTag.tag)
            .where(CommunityTag.community_id.in_(bindparam("ids", expanding=True))).order_by(CommunityTag.tag))


@functools.cache
def _tags_in_use_statement(area_bound: bool) -> Select:
    """Tags in use in the user's areas when area-bound (as user.scope limits them), else everywhere."""
    query = select(AreaTag.tag).where(AreaTag.communities > 0)
    if area_bound:
        query = query.where(AreaTag.area_id.in_(bindparam("area_ids", expanding=True)))
    return query.group_by(AreaTag.tag).order_by(AreaTag.tag).limit(bindparam("limit"))

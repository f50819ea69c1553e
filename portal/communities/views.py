"""Community list and page."""
from __future__ import annotations

import functools
from typing import NamedTuple

from flask import abort, request, url_for
from flask_login import current_user
from sqlalchemy import BindParameter, Select, bindparam, exists, select
from sqlalchemy.orm import joinedload

from portal import htmx
from portal.access import allow, get_in_area, require_area
from portal.audit_reads import audited
from portal.communities import bp, charts
from portal.communities.queries import (
    ACTIVITY, SEARCH_COUNT_CAP, SORT_LABELS, CatalogueFilter, catalogue_keys, catalogue_page, stage_counts,
    tags_in_use, with_tags,
)
from portal.communities.timeline import Cursor, timeline_page
from portal.extensions import db
from portal.models import ACCESS_ROUTES, PLATFORMS, STAGES, Assessment, Community, Feed, User
from portal.outreach.services import suggestion_for
from portal.pagination import paginate
from portal.params import arg_int, arg_page


@bp.get("/communities")
@allow("officer", "supervisor", "admin")
@audited("Viewed the community list")
def list_communities():
    f = CatalogueFilter.from_args(request.args)
    page = arg_page(request.args)
    # A search counts to SEARCH_COUNT_CAP (its pages stop there: a page past them shows the last);
    # the list without one counts exactly.
    cap = SEARCH_COUNT_CAP if f.q else None
    counts = stage_counts(current_user, f, cap=cap)
    # The page's ids first, then only what a row shows, as plain rows: building ORM objects for a
    # read-only list costs more than the query itself.
    # More matches than the cap: across several areas the page walks the names (catalogue_keys).
    listing = paginate(catalogue_keys(current_user, f, many=counts.capped), page=page, per_page=25,
                       total=counts.matching, rows=True, read_page=lambda keys: catalogue_page(keys, f), cap=cap)
    listing.items = with_tags(listing.items)
    areas = current_user.visible_areas()
    # The tag choices are in the filter form, outside the results fragment a search swaps in.
    tags = [] if htmx.is_fragment_request() else tags_in_use(current_user)
    return htmx.render("communities/list.html", block="results", listing=listing, f=f, q=f.q,
                       counts=counts, areas=areas, tags=tags,
                       PLATFORMS=PLATFORMS, STAGES=STAGES, ACCESS_ROUTES=ACCESS_ROUTES, ACTIVITY=ACTIVITY,
                       SORT_LABELS=SORT_LABELS)


# One statement: the tags are joined in too (a community has a handful, so the rows it multiplies are
# few; selectinload cost a second round trip), and of the owner and creator the page shows the name only.
DETAIL_OPTIONS = (joinedload(Community.area), joinedload(Community.owner).load_only(User.id, User.display_name),
                  joinedload(Community.created_by).load_only(User.id, User.display_name),
                  joinedload(Community.tags))


class PageHas(NamedTuple):
    """What the community's page would find if it asked, read with the community: a page asks
    for its parts, assessments and feeds only when there are some."""

    parts: bool
    assessments: bool
    feeds: bool


@functools.cache
def _detail_statement() -> Select:
    """The community with what the whole page shows, and whether it has parts, assessments and
    feeds (EXISTS, from their indexes), built once (every community page runs it)."""
    community_id: BindParameter[int] = bindparam("community_id")
    parts = exists().where(Community.parent_id == community_id, Community.status != "merged")
    assessed = exists().where(Assessment.community_id == community_id)
    fed = exists().where(Feed.community_id == community_id)
    return (select(Community, parts.label("has_parts"), assessed.label("has_assessments"), fed.label("has_feeds"))
            .options(*DETAIL_OPTIONS).where(Community.id == community_id))


@functools.cache
def _feeds_statement() -> Select:
    return select(Feed).where(Feed.community_id == bindparam("community_id")).order_by(Feed.id)


def _community_for_page(community_id: int) -> tuple[Community, PageHas]:
    """get_in_area(Community, community_id, options=DETAIL_OPTIONS) from a statement built once:
    404 when there is no such community, then 403 unless the user may see its area."""
    found = db.session.execute(_detail_statement(), {"community_id": community_id}).unique().one_or_none()
    if found is None:
        abort(404)
    community = found[0]
    require_area(community.area_id)
    return community, PageHas(bool(found.has_parts), bool(found.has_assessments), bool(found.has_feeds))


def visible_community(community_id: int) -> Community:
    """Look the community up (404), then check the area (403)."""
    return get_in_area(Community, community_id)


@bp.get("/communities/<int:community_id>")
@allow("officer", "supervisor", "admin")
@audited("Viewed community {community_id}", "Community", "community_id")
def community_detail(community_id: int):
    timeline_only = htmx.is_fragment_request() and htmx.target() == "timeline"
    if timeline_only:
        community = get_in_area(Community, community_id)
    else:
        # The whole page shows the area, owner, creator and tags: loaded with the community, in one go.
        community, has = _community_for_page(community_id)
    if community.status == "merged" and community.merged_into_id:
        return htmx.redirect(url_for("communities.community_detail", community_id=community.merged_into_id))
    cursor = Cursor.decode(request.args.get("before"))
    if timeline_only:
        return htmx.render("communities/detail.html", block="timeline", community=community,
                           timeline=timeline_page(community.id, cursor))
    feeds = db.session.scalars(_feeds_statement(), {"community_id": community.id}).all() if has.feeds else []
    return htmx.render(
        "communities/detail.html", community=community, timeline=timeline_page(community.id, cursor), feeds=feeds,
        sparkline=charts.activity_sparkline(community.id),
        trend=charts.assessment_trend(community.id) if has.assessments else [],
        site_parts=community.parts() if has.parts else [],
        suggestion=suggestion_for(community) if community.status == "active" else None,
        logged=arg_int(request.args, "logged"))

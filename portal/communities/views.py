"""Community list and page."""
from __future__ import annotations

from flask import abort, request
from flask_login import current_user

from portal import audit, htmx
from portal.access import allow, require_area
from portal.communities import bp
from portal.communities.queries import search
from portal.extensions import db
from portal.pagination import paginate
from portal.models import Community


@bp.get("/communities")
@allow("officer", "supervisor", "admin")
def list_communities():
    q = request.args.get("q", "")
    listing = paginate(search(current_user, q), page=request.args.get("page", 1, type=int), per_page=25)
    return htmx.render("communities/list.html", block="results", listing=listing, q=q)


@bp.get("/communities/<int:community_id>")
@allow("officer", "supervisor", "admin")
def community_detail(community_id: int):
    community = db.session.get(Community, community_id)
    if community is None:
        abort(404)
    require_area(community.area_id)
    audit.record("view", f"Viewed community {community.id}", community)
    response = htmx.render("communities/detail.html", community=community)
    db.session.commit()  # after rendering: committing first would expire and re-load what the page shows
    return response

"""Add and edit communities by hand, merge duplicates, archive and restore."""
from __future__ import annotations

from flask import flash, request, url_for
from flask_login import current_user

from portal import htmx
from portal.access import allow, require_area
from portal.audit_reads import audited
from portal.communities import bp, services
from portal.communities.forms import ArchiveForm, CommunityForm, MergeForm
from portal.communities.views import visible_community
from portal.extensions import db
from portal.params import arg_int


def _area_choices(form: CommunityForm) -> None:
    areas = current_user.visible_areas()
    form.area_id.choices = [(a.id, a.name) for a in areas]


def _save_or_render(form: CommunityForm, community=None):
    """Validate, check for duplicates, save; otherwise re-render with everything typed kept."""
    duplicates = []
    if form.validate_on_submit():
        require_area(form.area_id.data)
        data = form.community_data()
        duplicates = services.find_duplicates(data["url"], exclude_id=community.id if community else None)
        exact = [d for d in duplicates if d.url_key and d.url_key == services.url_key(data["url"] or "")]
        if exact:
            form.url.errors.append("This address is already catalogued (see below): open that record instead, "
                                   "or merge the two.")
        elif duplicates and not form.not_duplicate.data:
            form.not_duplicate.errors.append("Similar records exist on this site: tick the box if this is a "
                                             "different community.")
        else:
            if community is None:
                community = services.create_community(data, current_user)
            else:
                services.update_community(community, data)
            db.session.commit()
            flash(f"{community.name} saved.", "success")
            return htmx.redirect(url_for("communities.community_detail", community_id=community.id))
    response = htmx.render("communities/form.html", form=form, community=community, duplicates=duplicates)
    response.status_code = 422 if form.errors else 200
    return response


@bp.route("/communities/new", methods=["GET", "POST"])
@allow("officer", "supervisor", "admin")
def new_community():
    form = CommunityForm()
    _area_choices(form)
    if request.method == "GET":
        form.url.data = request.args.get("url", "")[:1000]
        form.name.data = request.args.get("name", "")[:300]
    return _save_or_render(form)


@bp.route("/communities/<int:community_id>/edit", methods=["GET", "POST"])
@allow("officer", "supervisor", "admin")
@audited("Opened community {community_id} to edit it", "Community", "community_id")
def edit_community(community_id: int):
    community = visible_community(community_id)
    form = CommunityForm(obj=community)
    _area_choices(form)
    if not isinstance(form.tags.data, str):  # a GET, or a POST without the field: the record's tags as text
        form.tags.data = ", ".join(community.tag_names)
    return _save_or_render(form, community)


@bp.route("/communities/<int:community_id>/archive", methods=["GET", "POST"])
@allow("officer", "supervisor", "admin")
@audited("Opened community {community_id} to archive it", "Community", "community_id")
def archive_community(community_id: int):
    community = visible_community(community_id)
    form = ArchiveForm()
    if form.validate_on_submit() and community.status != "merged":
        services.set_archived(community, community.status == "active", form.reason.data)
        db.session.commit()
        flash(f"{community.name} {'archived' if community.status == 'archived' else 'restored'}.", "success")
        return htmx.redirect(url_for("communities.community_detail", community_id=community.id))
    return htmx.render("communities/archive.html", form=form, community=community)


@bp.route("/communities/<int:community_id>/merge", methods=["GET", "POST"])
@allow("officer", "supervisor", "admin")
@audited("Opened community {community_id} to merge it", "Community", "community_id")
def merge_community(community_id: int):
    community = visible_community(community_id)
    form = MergeForm()
    if request.method == "GET" and arg_int(request.args, "other"):
        form.other_id.data = arg_int(request.args, "other")
    duplicates = services.find_duplicates(community.url, exclude_id=community.id)
    if form.validate_on_submit():
        other = db.session.get(services.Community, form.other_id.data)
        if other is None or not current_user.can_see_area(other.area_id):
            form.other_id.errors.append("No community with that record number in your areas")
        else:
            try:
                services.merge_communities(community, other, form.reason.data)
            except ValueError as exc:
                form.other_id.errors.append(str(exc))
            else:
                db.session.commit()
                flash(f"Merged record {other.id} into {community.name}.", "success")
                return htmx.redirect(url_for("communities.community_detail", community_id=community.id))
    response = htmx.render("communities/merge.html", form=form, community=community, duplicates=duplicates)
    response.status_code = 422 if form.errors else 200
    return response

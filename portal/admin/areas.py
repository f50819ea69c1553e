"""Admin views for areas and their profiles (the definition of 'local')."""
from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, url_for

from portal import audit
from portal.access import allow
from portal.admin import bp
from portal.admin.forms import AreaForm
from portal.extensions import db
from portal.models import Area

#: Shown as a hint beside the profile field, never put in it: a new area starts empty.
EXAMPLE_PROFILE = {
    "name": "Lewes town",
    "places": ["Lewes", {"name": "Cliffe", "aliases": ["Cliffe High Street"], "weight": 0.8}],
    "exclude_places": ["Lewes, Delaware"],
    "postcode_districts": {"BN7": 1.0},
}


@bp.route("/areas/new", methods=["GET", "POST"])
@allow("admin")
def new_area():
    form = AreaForm(new=True)
    if form.validate_on_submit():
        slug = Area.slugify(form.name.data)
        if Area.by_slug(slug) is not None:
            form.name.errors.append("An area with that name already exists; edit it instead")
        else:
            area = Area(slug=slug, name=form.name.data.strip(), profile=form.profile)
            db.session.add(area)
            db.session.flush()
            audit.record("create", f"Created area {area.slug}", area)
            db.session.commit()
            flash(f"Area {area.name} created.", "success")
            return redirect(url_for("admin.edit_area", area_id=area.id), code=303)
    return render_template("admin/area.html", form=form, area=None,
                           example=json.dumps(EXAMPLE_PROFILE, indent=2))


@bp.route("/areas/<int:area_id>", methods=["GET", "POST"])
@allow("admin")
def edit_area(area_id: int):
    area = db.session.get(Area, area_id) or abort(404)
    form = AreaForm(data={"name": area.name})
    if not form.is_submitted():
        form.profile_json.data = json.dumps(area.profile, indent=2, ensure_ascii=False)
    if form.validate_on_submit():
        area.name = form.name.data.strip()
        area.profile = form.profile
        audit.record("change", f"Changed profile of area {area.slug}", area)
        db.session.commit()
        flash("Area profile saved.", "success")
        return redirect(url_for("admin.edit_area", area_id=area.id), code=303)
    return render_template("admin/area.html", form=form, area=area)

"""Admin: which groups of the identity provider give which role and areas (portal/auth/sso.py)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from sqlalchemy import select

from portal import audit
from portal.access import allow
from portal.admin import bp
from portal.admin.forms import GroupMappingForm
from portal.audit_reads import audited
from portal.auth import sso
from portal.extensions import db
from portal.models import Area, SsoGroupMapping, User


def _form() -> GroupMappingForm:
    form = GroupMappingForm()
    form.area_id.choices = [(0, "No area")] + [(a.id, a.name) for a in Area.ordered()]
    return form


@bp.route("/sso", methods=["GET", "POST"])
@allow("admin")
@audited("Viewed the SSO group mappings and the accounts they manage")
def sso_groups():
    form = _form()
    if form.validate_on_submit():
        role = form.role.data or None
        area_id = form.area_id.data or None
        if role is None and area_id is None:
            form.role.errors.append("Choose a role, an area, or both")
        else:
            mapping = SsoGroupMapping(group_name=form.group_name.data.strip(), role=role, area_id=area_id)
            db.session.add(mapping)
            db.session.flush()
            audit.record("create", f"Mapped SSO group to role {role or '-'} and area {area_id or '-'}", mapping,
                         details={"group": mapping.group_name, "role": role, "area_id": area_id})
            db.session.commit()
            flash("Group mapping saved. It applies at each user's next sign-in.", "success")
            return redirect(url_for("admin.sso_groups"), code=303)
    mappings = list(db.session.scalars(select(SsoGroupMapping).order_by(SsoGroupMapping.group_name,
                                                                       SsoGroupMapping.id)))
    managed = list(db.session.scalars(select(User).where(User.sso_subject.is_not(None)).order_by(User.email)))
    return render_template("admin/sso.html", form=form, mappings=mappings, managed=managed,
                           sso_on=sso.configured(), passwords_on=sso.local_passwords())


@bp.post("/sso/<int:mapping_id>/delete")
@allow("admin")
def delete_sso_group(mapping_id: int):
    mapping = db.get_or_404(SsoGroupMapping, mapping_id)
    audit.record("delete", f"Removed the mapping of an SSO group ({mapping.role or '-'}, area {mapping.area_id or '-'})",
                 mapping, details={"group": mapping.group_name, "role": mapping.role, "area_id": mapping.area_id})
    db.session.delete(mapping)
    db.session.commit()
    flash("Group mapping removed. Users lose what it gave at their next sign-in.", "success")
    return redirect(url_for("admin.sso_groups"), code=303)

"""Pages: each user's notice settings; the admins' list of notices not yet sent, and retrying them."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import delete, select

from portal import audit
from portal.access import ANY_USER, allow
from portal.audit_reads import audited
from portal.extensions import db
from portal.models import NOTICE_KINDS, NoticeOptOut, Notification
from portal.notices import bp
from portal.notices.forms import CHOOSABLE, NoticeSettingsForm
from portal.notices.services import enabled, requeue
from portal.params import arg_page

PER_PAGE = 50
SHOWN = ("failed", "pending", "sending")


@bp.route("/settings/notices", methods=["GET", "POST"])
@allow(ANY_USER)
def settings():
    form = NoticeSettingsForm()
    if form.validate_on_submit():
        chosen = set(form.kinds.data or [])
        db.session.execute(delete(NoticeOptOut).where(NoticeOptOut.user_id == current_user.id))
        off = sorted(kind for kind, _ in CHOOSABLE if kind not in chosen)
        db.session.add_all(NoticeOptOut(user_id=current_user.id, kind=kind) for kind in off)
        audit.record("change", "Changed which notices they get", object_type="User", object_id=current_user.id,
                     details={"off": off})
        db.session.commit()
        flash("Your choices are saved.", "success")
        return redirect(url_for("notices.settings"), code=303)
    if request.method == "GET":
        chosen_off = set(db.session.scalars(select(NoticeOptOut.kind).where(NoticeOptOut.user_id == current_user.id)))
        form.kinds.data = [kind for kind, _ in CHOOSABLE if kind not in chosen_off]
    return render_template("notices/settings.html", form=form, enabled=enabled())


@bp.get("/admin/notices")
@allow("admin")
@audited("Viewed notices waiting or failed")
def admin_list():
    status = request.args.get("status", "")
    wanted = (status,) if status in SHOWN else SHOWN
    listing = db.paginate(select(Notification).where(Notification.status.in_(wanted))
                          .order_by(Notification.created_at.desc(), Notification.id.desc()),
                          page=arg_page(request.args), per_page=PER_PAGE, error_out=False)
    return render_template("notices/admin.html", listing=listing, status=status, kinds=NOTICE_KINDS,
                           enabled=enabled())


@bp.post("/admin/notices/<int:notice_id>/retry")
@allow("admin")
def retry(notice_id: int):
    notice = db.get_or_404(Notification, notice_id)
    if notice.status not in SHOWN:
        flash("That notice has been sent or cancelled.", "info")
    else:
        requeue(notice)
        audit.record("change", f"Sent notice {notice.id} again", notice)
        db.session.commit()
        flash("The notice will be sent again. Refresh to see how it went.", "success")
    return redirect(url_for("notices.admin_list"), code=303)


@bp.post("/admin/notices/retry-failed")
@allow("admin")
def retry_failed():
    failed = list(db.session.scalars(select(Notification).where(Notification.status == "failed").limit(500)))
    for notice in failed:
        requeue(notice)
    audit.record("change", f"Sent {len(failed)} failed notices again", object_type="Notification",
                 details={"count": len(failed)})
    db.session.commit()
    flash(f"{len(failed)} failed notices will be sent again.", "success")
    return redirect(url_for("notices.admin_list"), code=303)

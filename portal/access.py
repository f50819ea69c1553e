"""Route access rules: every view declares who may use it, and one hook enforces it.

A view is decorated with ``@allow("officer", "supervisor")``, ``@allow(ANY_USER)``
(any signed-in user) or ``@public`` (no sign-in needed). A view without a rule is
refused for everyone, and the route × role test fails on it.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask import Flask, abort, current_app, request
from flask_login import current_user

from portal.models import ROLES

F = TypeVar("F", bound=Callable)
T = TypeVar("T")

PUBLIC = "public"
ANY_USER = "any_user"

# Endpoints supplied by Flask itself.
BUILTIN_PUBLIC_ENDPOINTS = frozenset({"static"})


def allow(*roles: str) -> Callable[[F], F]:
    """Declare which roles may use a view (ANY_USER for every signed-in user)."""
    unknown = set(roles) - set(ROLES) - {ANY_USER}
    if unknown or not roles:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    allowed = frozenset(ROLES) if ANY_USER in roles else frozenset(roles)

    def decorate(view: F) -> F:
        view.allowed_roles = allowed  # type: ignore[attr-defined]  # a mark on the view function, read by the hook
        return view

    return decorate


def public(view: F) -> F:
    """Declare that a view needs no sign-in (login page, health check, error pages)."""
    view.allowed_roles = PUBLIC  # type: ignore[attr-defined]  # a mark on the view function, read by the hook
    return view


def rule_for(app: Flask, endpoint: str | None) -> frozenset[str] | str | None:
    """Return the declared rule of an endpoint, or None when it has none."""
    if endpoint is None:
        return None
    if endpoint in BUILTIN_PUBLIC_ENDPOINTS:
        return PUBLIC
    view = app.view_functions.get(endpoint)
    return getattr(view, "allowed_roles", None)


def enforce() -> None:
    """before_request hook: refuse anything the declared rule does not allow."""
    if request.endpoint is None:  # 404/405: let Flask answer
        return None
    rule = rule_for(current_app, request.endpoint)
    if rule == PUBLIC:
        return None
    if rule is None:
        current_app.logger.error("route %s has no access rule; refusing", request.endpoint)
        abort(403)
    if not current_user.is_authenticated:
        # The app's own manager (Flask-Login's init_app sets it; the type of Flask does not know it).
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if current_user.role not in rule:
        abort(403)
    return None


def get_in_area(model: type[T], object_id: int, area_of: Callable[[T], int | None] | None = None,
                options: Sequence = ()) -> T:
    """Look a record up (404 when missing), then check the user may see its area (403).

    ``area_of`` says where the record's area is (default: its ``area_id``); looking up
    before checking keeps "no such record" and "not yours" distinguishable for the
    route × role test. ``options``: loader options for the lookup (what the page shows).
    """
    from portal.extensions import db

    record = db.session.get(model, object_id, options=options)
    if record is None:
        abort(404)
    require_area((area_of or _own_area)(record))
    return record


def _own_area(record: Any) -> int | None:
    """The area of a record that keeps it in ``area_id`` (get_in_area's default)."""
    return record.area_id


def require_area(area_id: int | None) -> None:
    """Abort with 403 unless the current user may see records of this area."""
    if not current_user.can_see_area(area_id):
        abort(403)

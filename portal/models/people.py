"""Areas (beats) and the users who work them."""
from __future__ import annotations

import functools
import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import (
    JSON, Boolean, Column, DateTime, ForeignKey, Integer, Select, SQLColumnExpression, String, Table, Text, bindparam,
    delete, exists, func, select,
)
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import db
from portal.models.base import Model, Timestamped, utcnow

user_areas = Table(
    "user_areas",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
)

class Area(Timestamped, Model):
    """A neighbourhood or beat, with the profile that says what 'local' means there."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # The area profile file format from DESIGN.md: places, exclude_places,
    # postcode_districts, bbox. Kept whole so import/export round-trips exactly.
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    notes: Mapped[str | None] = mapped_column(Text)

    users: Mapped[list[User]] = relationship(secondary=user_areas, back_populates="areas")

    @staticmethod
    def slugify(name: str) -> str:
        """Return a URL-safe slug for an area name."""
        return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80] or "area"

    @classmethod
    def by_slug(cls, slug: str) -> Area | None:
        return db.session.scalar(select(cls).where(cls.slug == slug))

    @classmethod
    def ordered(cls) -> list[Area]:
        return list(db.session.scalars(select(cls).order_by(cls.name)))

    def __repr__(self) -> str:
        return f"<Area {self.slug}>"

# Officers and supervisors work their own areas; researchers, admins and auditors see every area.
AREA_BOUND_ROLES = frozenset({"officer", "supervisor"})


class User(UserMixin, Timestamped, Model):
    """Someone who signs in: an officer, supervisor, researcher, admin or auditor."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Changing the session token invalidates every session of this user (force logout).
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)  # in a row, since the last sign-in
    last_login_at: Mapped[datetime | None] = mapped_column()
    # Only the SHA-256 of an invitation link's token is kept (the column keeps its old name):
    # a copy of the table opens no invitation. The link works once, until invite_expires_at.
    invite_token_hash: Mapped[str | None] = mapped_column("invite_token", String(64), unique=True)
    invite_expires_at: Mapped[datetime | None] = mapped_column()
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The identity provider's issuer and subject ("iss sub") of an account that signs in by SSO.
    sso_subject: Mapped[str | None] = mapped_column(String(400), unique=True, index=True)

    areas: Mapped[list[Area]] = relationship(secondary=user_areas, back_populates="users")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return bool(self.active)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        if not self.password_hash:  # invited, SSO-only or locked by policy: no password signs in
            return False
        return check_password_hash(self.password_hash, password)

    def rotate_session(self) -> None:
        """End every session of this user, on every device (sign out everywhere)."""
        self.session_token = secrets.token_hex(16)
        if self.id is not None:
            db.session.execute(delete(UserSession).where(UserSession.user_id == self.id))

    def issue_invite(self, days: int) -> str:
        """Start a one-time invitation valid for ``days``; return its token (shown once, never stored)."""
        token = secrets.token_urlsafe(32)
        self.invite_token_hash = session_key_hash(token)
        self.invite_expires_at = utcnow() + timedelta(days=days)
        return token

    def clear_invite(self) -> None:
        self.invite_token_hash = None
        self.invite_expires_at = None

    @property
    def invite_pending(self) -> bool:
        """An invitation was sent and not yet used (it may have expired)."""
        return self.invite_token_hash is not None

    def invite_expired(self, now: datetime | None = None) -> bool:
        return self.invite_pending and (self.invite_expires_at is None or self.invite_expires_at <= (now or utcnow()))

    @classmethod
    def by_invite_token(cls, token: str) -> User | None:
        """The active user whose unexpired invitation this token opens, or None."""
        if not token or len(token) > 100:
            return None
        user = db.session.scalar(select(cls).where(cls.invite_token_hash == session_key_hash(token)))
        return user if user is not None and user.active and not user.invite_expired() else None

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def area_ids(self) -> set[int]:
        return {area.id for area in self.areas}

    @property
    def area_bound(self) -> bool:
        """True when this user sees only the records of their own areas (officers, supervisors)."""
        return self.role in AREA_BOUND_ROLES

    def can_see_area(self, area_id: int | None) -> bool:
        """Officers and supervisors see their own areas; other roles see every area."""
        return not self.area_bound or area_id in self.area_ids

    def scope(self, query: Select, area_column: SQLColumnExpression[Any]) -> Select:
        """Limit a query to the rows this user may see: those whose ``area_column`` is one of
        their areas when they are area-bound (none at all when they have no area yet)."""
        if not self.area_bound:
            return query
        return query.where(area_column.in_(self.area_ids or {-1}))

    def visible_areas(self) -> list[Area]:
        """The areas this user may choose from: their own, or every area by name."""
        return list(self.areas) if self.area_bound else Area.ordered()

    @classmethod
    def by_email(cls, email: str) -> User | None:
        return db.session.scalar(select(cls).where(cls.email == email.strip().lower()))

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


def session_key_hash(key: str) -> str:
    """What is stored of a session's key: its SHA-256 (a copy of the table signs no one in)."""
    return hashlib.sha256(key.encode()).hexdigest()


class UserSession(Model):
    """One signed-in device: the session cookie carries the key whose hash is here.

    A session is valid while its row exists and is younger than the session lifetime, so
    signing out ends just that device's session (its row is deleted), "sign out everywhere"
    deletes them all, and a cookie copied from a browser dies with its row.
    """

    __tablename__ = "user_sessions"
    FIELD = "device_key"  # where the key is kept in the (signed) session cookie

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    @staticmethod
    def _oldest_live() -> datetime:
        """Sessions opened before this have outlived the session lifetime."""
        return utcnow() - current_app.permanent_session_lifetime

    @classmethod
    def start(cls, user: User) -> str:
        """Open a session for the user and return its key (for the cookie); drop expired ones."""
        db.session.execute(delete(cls).where(cls.created_at < cls._oldest_live()))
        key = secrets.token_urlsafe(32)
        db.session.add(cls(user_id=user.id, key_hash=session_key_hash(key)))
        return key

    @classmethod
    def end(cls, key: str | None) -> None:
        """End one session (this device's)."""
        if key:
            db.session.execute(delete(cls).where(cls.key_hash == session_key_hash(key)))

    @classmethod
    def signed_in_user(cls, user_id: int, token: str, key: str | None) -> User | None:
        """The user whose cookie this is, with their areas, if that device's session is still open
        (not signed out, not older than the lifetime): one round trip, run on every request."""
        return db.session.scalars(_signed_in_user_statement(), {
            "user_id": user_id, "token": token, "key_hash": session_key_hash(key or ""),
            "oldest": cls._oldest_live()}).unique().one_or_none()

    @classmethod
    def count_for(cls, user_id: int) -> int:
        """How many devices the user is signed in on now."""
        return db.session.scalar(select(func.count()).where(cls.user_id == user_id,
                                                            cls.created_at >= cls._oldest_live())) or 0


@functools.cache
def _signed_in_user_statement() -> Select:
    """Built once: every request runs it, and building it (and its cache key) cost more than
    running it."""
    live = exists().where(UserSession.user_id == User.id, UserSession.key_hash == bindparam("key_hash"),
                          UserSession.created_at >= bindparam("oldest"))
    # An area's profile (JSON, up to 200,000 characters of places and districts) and notes are
    # read by the area pages and discovery, never by a request's sign-in: left unloaded here
    # (an access loads them), not parsed on every request of every officer of the area.
    return (select(User).options(joinedload(User.areas).defer(Area.profile).defer(Area.notes))
            .where(User.id == bindparam("user_id"), User.session_token == bindparam("token"), live))


class SsoGroupMapping(Model):
    """A group (or app role) of the identity provider, and the role or area it gives (portal/auth/sso.py)."""

    __tablename__ = "sso_group_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_name: Mapped[str] = mapped_column(String(200), index=True)
    role: Mapped[str | None] = mapped_column(String(20))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    area: Mapped[Area | None] = relationship()


class SignInThrottle(Model):
    """Failed sign-ins counted for one scope (an address typed at sign-in, a client address, or both).

    The key is a keyed hash (HMAC with the app's secret) of the scope, so the table names no
    e-mail or IP address. A row whose last failure is older than the throttle window counts
    as none and is deleted by the next failure anywhere (portal/auth/throttle.py).
    """

    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

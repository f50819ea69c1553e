"""Sign-in throttling: wrong passwords slow the guesser down without locking anyone out.

NIST SP 800-63B (5.2.2) asks for a limit on failed attempts that an attacker cannot turn into a
way to lock a subscriber out. A hard lock after five failures did exactly that: anyone who knew an
officer's e-mail address could keep them out. Instead, failures are counted in three scopes, each
with a number of free tries after which every further try waits twice as long as the last:

- **pair** (the address typed × the client address): the guesser at one machine; 5 free tries.
- **client** (the client address, any account): one machine spraying many accounts; 30 free tries.
- **account** (the address typed, from any machine): a guesser spread over many machines; 50 free
  tries.

A browser that has signed in to the account before (it holds a signed "known device" cookie) is
counted only in its pair scope: an attack from elsewhere never keeps an officer out on their own
devices, and colleagues' typing mistakes behind one station's shared address do not either.

A try that must wait is refused without the password being checked, and is not counted. Scopes are
keyed by what was typed, not by whether the account exists, so the answers tell nobody which
addresses have accounts. A successful sign-in clears its pair and account counts. Counts expire a
day after their last failure. Only keyed hashes are stored (see ``SignInThrottle``).
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, select

from portal.extensions import db
from portal.models import SignInThrottle, User, utcnow

logger = logging.getLogger(__name__)

WINDOW = timedelta(days=1)  # a scope's count is forgotten this long after its last failure
FIRST_WAIT = timedelta(seconds=30)  # the wait after the last free try; it doubles with each failure after
DEVICE_COOKIE = "lr_known_device"
DEVICE_COOKIE_DAYS = 365


@dataclass(frozen=True)
class Scope:
    name: str
    free_tries_setting: str
    max_wait_setting: str


PAIR = Scope("pair", "THROTTLE_FREE_TRIES", "THROTTLE_MAX_WAIT_MINUTES")
CLIENT = Scope("client", "THROTTLE_CLIENT_FREE_TRIES", "THROTTLE_MAX_WAIT_MINUTES")
ACCOUNT = Scope("account", "THROTTLE_ACCOUNT_FREE_TRIES", "THROTTLE_ACCOUNT_MAX_WAIT_MINUTES")


def client_address() -> str:
    """The client's address; IPv6 clients by their /64, which one subscriber usually holds whole."""
    raw = request.remote_addr or "unknown"
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _key(scope: Scope, *parts: str) -> str:
    message = "\x1f".join((scope.name, *parts)).encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).hexdigest()


def _keys(email: str, known_device: bool) -> dict[Scope, str]:
    address = client_address()
    keys = {PAIR: _key(PAIR, email, address)}
    if not known_device:
        keys[CLIENT] = _key(CLIENT, address)
        keys[ACCOUNT] = _key(ACCOUNT, email)
    return keys


def wait_for(scope: Scope, failures: int) -> timedelta:
    """How long after the last failure the next try must wait, given the failures counted."""
    config = current_app.config
    over = failures - config[scope.free_tries_setting]
    if over < 0:
        return timedelta(0)
    longest = timedelta(minutes=config[scope.max_wait_setting])
    return min(FIRST_WAIT * (2 ** min(over, 20)), longest)


def must_wait(email: str, known_device: bool, now: datetime | None = None) -> timedelta | None:
    """If a sign-in for ``email`` from this client must wait, how much longer; else None."""
    now = now or utcnow()
    keys = _keys(email, known_device)
    rows = db.session.scalars(select(SignInThrottle).where(SignInThrottle.key.in_(keys.values())))
    by_key = {row.key: row for row in rows}
    longest = timedelta(0)
    for scope, key in keys.items():
        row = by_key.get(key)
        if row is None or row.last_failure_at < now - WINDOW:
            continue
        longest = max(longest, row.last_failure_at + wait_for(scope, row.failures) - now)
    return longest if longest > timedelta(0) else None


def record_failure(email: str, known_device: bool, now: datetime | None = None) -> None:
    """Count a failed sign-in in each scope, and forget counts past the window."""
    now = now or utcnow()
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.last_failure_at < now - WINDOW))
    for key in _keys(email, known_device).values():
        row = db.session.get(SignInThrottle, key)
        if row is None:
            db.session.add(SignInThrottle(key=key, failures=1, last_failure_at=now))
        else:
            row.failures, row.last_failure_at = row.failures + 1, now


def record_success(email: str) -> None:
    """Clear the counts a successful sign-in ends: this client's for the account, and the account's."""
    keys = _keys(email, known_device=False)
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.key.in_([keys[PAIR], keys[ACCOUNT]])))


def clear_account(email: str) -> None:
    """Forget the account-wide count (demo --reset gives fresh logins)."""
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.key == _key(ACCOUNT, email)))


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def is_known_device(user: User | None) -> bool:
    """True if this browser holds a known-device cookie for ``user`` (it signed in here before)."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if user is None or not raw or len(raw) > 200:
        return False
    try:
        user_id = _device_serializer().loads(raw, max_age=DEVICE_COOKIE_DAYS * 86400)
    except BadSignature:
        return False
    return user_id == user.id


def remember_device(response, user: User):
    """Give the browser a known-device cookie for ``user`` after a successful sign-in."""
    config = current_app.config
    response.set_cookie(DEVICE_COOKIE, _device_serializer().dumps(user.id), max_age=DEVICE_COOKIE_DAYS * 86400,
                        secure=config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")
    return response

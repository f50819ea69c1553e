"""Sign-in through the force's OpenID Connect provider (Authlib): code flow with PKCE, state and nonce.

The ID token's signature (the provider's published keys), issuer, audience, expiry, nonce and
access-token hash are checked by ``validated_claims``. Groups (or app roles) in the token map
to a role and areas through ``SsoGroupMapping`` rows an admin keeps: a first sign-in creates the
account, later ones update its role and areas, and someone in no mapped role group is refused
(and their other sessions end).
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field

from flask import Flask, current_app, session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from sqlalchemy import select

from portal import audit
from portal.extensions import db
from portal.models import ROLES, Area, SsoGroupMapping, User

logger = logging.getLogger(__name__)

CLIENT = "force"
# A user in groups for several roles gets the one listed first.
ROLE_PRECEDENCE = ("admin", "auditor", "supervisor", "researcher", "officer")
PROVIDER_DOWN = ("Your force's sign-in service is not answering just now, so you cannot sign in with it. "
                 "Try again in a few minutes.")
TRY_AGAIN = "Signing in with your force account did not work. Start again."


EMAIL_SHAPE = re.compile(r"[^\s@\x00-\x1f\x7f]+@[^\s@\x00-\x1f\x7f]+")


class SsoError(Exception):
    """A sign-in through the provider that must not go ahead; the message is for the user."""


@dataclass
class Mapped:
    """What a user's groups give: a role (None: no access) and areas."""

    role: str | None
    areas: list[Area] = field(default_factory=list)


def configured(app: Flask | None = None) -> bool:
    config = (app or current_app).config
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"))


def local_passwords(app: Flask | None = None) -> bool:
    """Local passwords are on unless switched off, and never off without SSO (nobody could sign in)."""
    config = (app or current_app).config
    return bool(config.get("LOCAL_PASSWORDS", True)) or not configured(app)


def init_app(app: Flask) -> None:
    if not configured(app):
        return
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    issuer = app.config["OIDC_ISSUER"].rstrip("/")
    oauth.register(CLIENT, client_id=app.config["OIDC_CLIENT_ID"], client_secret=app.config.get("OIDC_CLIENT_SECRET"),
                   server_metadata_url=app.config.get("OIDC_METADATA_URL")
                   or f"{issuer}/.well-known/openid-configuration",
                   client_kwargs={"scope": app.config["OIDC_SCOPES"], "code_challenge_method": "S256",
                                  "timeout": app.config["OIDC_TIMEOUT"]})


def client():
    return current_app.extensions["authlib.integrations.flask_client"]._clients[CLIENT]  # noqa: SLF001


def validated_claims(id_token: str, nonce: str, access_token: str | None, *, now: int | None = None) -> dict:
    """Check an ID token's signature and claims; return its claims. Raises SsoError."""
    from authlib.oidc.core import CodeIDToken

    force = client()
    try:
        metadata = force.load_server_metadata()
        keys = KeySet.import_key_set(force.fetch_jwk_set())
        registry = JWSRegistry(algorithms=metadata.get("id_token_signing_alg_values_supported"))
        token = jwt.decode(id_token, key=keys, registry=registry)
        params = {"nonce": nonce, "client_id": force.client_id, "access_token": access_token}
        claims = CodeIDToken(token.claims, token.header, {"iss": {"values": [metadata["issuer"]]}}, params)
        claims.validate(now=now if now is not None else int(time.time()), leeway=current_app.config["OIDC_LEEWAY"])
    except (JoseError, ValueError) as exc:
        logger.warning("ID token refused: %s", exc)
        raise SsoError(TRY_AGAIN) from exc
    except Exception as exc:  # noqa: BLE001 - authlib's claim errors share no base with joserfc's
        if exc.__class__.__module__.startswith(("authlib", "joserfc")):
            logger.warning("ID token refused: %s: %s", exc.__class__.__name__, exc)
            raise SsoError(TRY_AGAIN) from exc
        raise
    return dict(claims)


def start(redirect_uri: str):
    """Redirect to the provider (state, nonce and PKCE verifier kept in the session)."""
    try:
        return client().authorize_redirect(redirect_uri)
    except Exception as exc:  # noqa: BLE001 - metadata unreachable: requests' and JSON errors alike
        logger.warning("OIDC provider unreachable: %s: %s", exc.__class__.__name__, exc)
        raise SsoError(PROVIDER_DOWN) from exc


def finish(args) -> dict:
    """Check the provider's answer and return the ID token's claims. Raises SsoError."""
    force = client()
    if args.get("error"):
        raise SsoError(f"Your force's sign-in service said: {str(args.get('error_description') or args['error'])[:200]}")
    state = str(args.get("state") or "")[:200]
    data = force.framework.get_state_data(session, state) if state else None
    if state:
        force.framework.clear_state_data(session, state)
    if not data or not args.get("code"):
        raise SsoError("This sign-in has already been used or has expired. Start again.")
    try:
        token = force.fetch_access_token(code=str(args["code"])[:2000], redirect_uri=data.get("redirect_uri"),
                                         code_verifier=data.get("code_verifier"))
    except Exception as exc:  # noqa: BLE001 - the token endpoint refused or is unreachable
        logger.warning("OIDC token request failed: %s: %s", exc.__class__.__name__, exc)
        raise SsoError(TRY_AGAIN) from exc
    if "id_token" not in token:
        raise SsoError(TRY_AGAIN)
    return validated_claims(token["id_token"], data.get("nonce", ""), token.get("access_token"))


def _groups(claims: dict) -> set[str]:
    value = claims.get(current_app.config["OIDC_GROUPS_CLAIM"]) or []
    if isinstance(value, str):
        value = [value]
    return {str(v)[:200] for v in value if isinstance(v, str | int)}


def mapped(groups: set[str]) -> Mapped:
    """The role and areas that these groups give."""
    rows = list(db.session.scalars(select(SsoGroupMapping).where(SsoGroupMapping.group_name.in_(groups or {""}))))
    roles = {r.role for r in rows if r.role in ROLES}
    role = next((r for r in ROLE_PRECEDENCE if r in roles), None)
    areas = {r.area.id: r.area for r in rows if r.area is not None}
    return Mapped(role, sorted(areas.values(), key=lambda a: a.name))


def account_for(claims: dict) -> User:
    """Create or update the account of a validated sign-in; raise SsoError when the groups give no access."""
    config = current_app.config
    subject = f"{claims['iss']} {claims['sub']}"[:400]
    email = str(claims.get(config["OIDC_EMAIL_CLAIM"]) or "").strip().lower()[:254]
    if not EMAIL_SHAPE.fullmatch(email):
        email = ""  # not an address we can sign in or write to (spaces, controls, no @)
    name = str(claims.get(config["OIDC_NAME_CLAIM"]) or email.split("@")[0])[:120]
    user = db.session.scalar(select(User).where(User.sso_subject == subject))
    if user is None and email and claims.get("email_verified") is not False:
        user = User.by_email(email)  # an account made before SSO: linked once, by its verified address
        if user is not None and user.sso_subject is not None:
            user = None
    grant = mapped(_groups(claims))
    if grant.role is None:
        if user is not None:
            user.rotate_session()  # removed from the groups: no session of theirs goes on
        audit.record("login_failed", "Sign-in by SSO refused: no group gives a role", user, object_type="User",
                     details={"reason": "no mapped group", "via": "sso"})
        db.session.commit()
        raise SsoError("Your force account is not in a group that gives access to Local Reach. "
                       "Ask your supervisor or an admin.")
    if user is None:
        if not email or "@" not in email:
            raise SsoError("Your force account has no e-mail address, which Local Reach needs. Ask an admin.")
        user = User(email=email, display_name=name, role=grant.role, active=True)
        db.session.add(user)
        created = True
    else:
        created = False
    if not user.active:
        audit.record("login_failed", "Sign-in by SSO refused (deactivated)", user, details={"via": "sso"})
        db.session.commit()
        raise SsoError("This account has been deactivated. Ask an admin.")
    before = (user.role, sorted(user.area_ids) if user.id else [])
    if user.role != grant.role and user.id is not None:
        user.rotate_session()  # a new role: sessions opened under the old one end
    user.sso_subject, user.role, user.display_name = subject, grant.role, name or user.display_name
    user.areas = grant.areas
    user.clear_invite()
    db.session.flush()
    after = (user.role, sorted(user.area_ids))
    if created:
        audit.record("create", f"Created user {user.id} at first sign-in by SSO", user, actor_id=user.id,
                     details={"role": user.role, "areas": after[1]})
    elif before != after:
        audit.record("change", f"Role or areas of user {user.id} updated from SSO groups", user, actor_id=user.id,
                     details={"before": list(before), "after": list(after)})
    return user

"""Single sign-on against a real OpenID Connect provider (npm `oidc-provider` on loopback, tests/oidc).

The portal signs in through the provider's own pages; the ID tokens the provider issues are then
tampered with, validated for another client, or checked after their expiry, and must be refused.
"""
from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from portal.auth import sso
from portal.models import AuditEvent, SsoGroupMapping, User
from tests.conftest import ROLE_EMAILS
from tests.oidc_support import (
    CLIENT_ID, CLIENT_SECRET, OTHER_CLIENT_ID, REDIRECT_URI, free_port, sign_in_at_provider, start_provider,
)

ACCOUNTS = {
    "pc1": {"email": "pc.one@force.example", "name": "PC One", "groups": ["lr-officers", "lr-test-town"]},
    "sgt1": {"email": "sgt.one@force.example", "name": "Sgt One", "groups": ["lr-supervisors", "lr-test-town"]},
}


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    running = start_provider(tmp_path_factory.mktemp("oidc"), [REDIRECT_URI])
    yield running
    running.stop()


def _oidc(issuer: str, client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> dict:
    return {"OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": client_id, "OIDC_CLIENT_SECRET": secret, "OIDC_TIMEOUT": 5}


@pytest.fixture
def app_config(app_config, provider):
    provider.set_accounts(ACCOUNTS)
    return {**app_config, **_oidc(provider.issuer)}


@pytest.fixture
def mappings(db_session, area):
    db_session.add_all([SsoGroupMapping(group_name="lr-officers", role="officer"),
                        SsoGroupMapping(group_name="lr-supervisors", role="supervisor"),
                        SsoGroupMapping(group_name="lr-test-town", area_id=area.id)])
    db_session.commit()


def _sign_in(client, provider, login: str):
    """Start at the portal, sign in at the provider, come back: return (the portal's answer, callback URL)."""
    start = client.get("/login/sso")
    assert start.status_code == 302, start.data[:500]
    callback = sign_in_at_provider(start.headers["Location"], login, provider.issuer)
    assert callback.startswith(REDIRECT_URI), callback
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}"), f"{parts.path}?{parts.query}"


def test_first_sign_in_creates_the_account_with_the_groups_role_and_area(client, provider, mappings, area,
                                                                         db_session):
    start = client.get("/login/sso")
    asked = parse_qs(urlsplit(start.headers["Location"]).query)
    assert start.headers["Location"].startswith(f"{provider.issuer}/auth?")
    assert asked["code_challenge_method"] == ["S256"]
    assert len(asked["code_challenge"][0]) >= 43
    assert asked["state"][0]
    assert asked["nonce"][0]
    assert asked["response_type"] == ["code"]
    response, _ = _sign_in(client, provider, "pc1")
    assert response.status_code == 303
    user = db_session.scalar(select(User).where(User.email == "pc.one@force.example"))
    assert (user.role, user.display_name, user.area_ids) == ("officer", "PC One", {area.id})
    assert user.sso_subject == f"{provider.issuer} pc1"
    assert client.get("/follow-ups").status_code == 200  # signed in as an officer
    events = {e.action: e for e in db_session.scalars(select(AuditEvent).where(AuditEvent.object_id == str(user.id)))}
    assert events["login"].details == {"via": "sso"}
    assert "first sign-in" in events["create"].summary


def test_a_later_sign_in_follows_changed_groups(app, client, provider, mappings, area, db_session):
    _sign_in(client, provider, "pc1")
    client.post("/logout")
    provider.set_accounts({**ACCOUNTS, "pc1": {**ACCOUNTS["pc1"], "groups": ["lr-supervisors"]}})
    response, _ = _sign_in(client, provider, "pc1")
    assert response.status_code == 303
    db_session.expire_all()
    user = db_session.scalar(select(User).where(User.email == "pc.one@force.example"))
    assert (user.role, user.area_ids) == ("supervisor", set())
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.summary.like("Role or areas of user%")))


def test_removed_from_the_groups_loses_access(app, client, provider, mappings, db_session):
    _sign_in(client, provider, "pc1")
    other_device = app.test_client()
    _sign_in(other_device, provider, "pc1")
    assert other_device.get("/follow-ups").status_code == 200
    client.post("/logout")
    provider.set_accounts({**ACCOUNTS, "pc1": {**ACCOUNTS["pc1"], "groups": ["someone-elses-group"]}})
    response, _ = _sign_in(client, provider, "pc1")
    assert response.status_code == 400
    assert b"not in a group that gives access" in response.data
    assert client.get("/follow-ups").status_code == 302  # not signed in
    assert other_device.get("/follow-ups").status_code == 302  # and the other device's session ended


def test_a_replayed_callback_is_refused(client, provider, mappings):
    first, callback = _sign_in(client, provider, "pc1")
    assert first.status_code == 303
    client.post("/logout")
    again = client.get(callback)
    assert again.status_code == 400
    assert b"already been used or has expired" in again.data
    assert client.get("/follow-ups").status_code == 302


def test_a_forged_state_is_refused(client, provider, mappings):
    client.get("/login/sso")
    response = client.get("/login/sso/callback?code=abc&state=not-the-one-we-sent")
    assert response.status_code == 400
    assert b"already been used or has expired" in response.data


@pytest.fixture
def issued(app, client, provider, mappings, monkeypatch):
    """An ID token the provider really issued to the portal, with its nonce and access token."""
    seen = {}
    real = sso.validated_claims

    def keep(id_token, nonce, access_token, **kwargs):
        seen.update(id_token=id_token, nonce=nonce, access_token=access_token)
        return real(id_token, nonce, access_token, **kwargs)

    monkeypatch.setattr(sso, "validated_claims", keep)
    assert _sign_in(client, provider, "pc1")[0].status_code == 303
    return seen


def _validate(app, token, nonce, access_token, **kwargs):
    with app.test_request_context("/"):
        return sso.validated_claims(token, nonce, access_token, **kwargs)


def test_the_real_token_validates(app, issued):
    claims = _validate(app, issued["id_token"], issued["nonce"], issued["access_token"])
    assert claims["sub"] == "pc1"
    assert claims["aud"] == CLIENT_ID


def test_a_tampered_token_is_refused(app, issued):
    header, payload, signature = issued["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["groups"] = ["lr-admins"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(sso.SsoError):
        _validate(app, f"{header}.{forged}.{signature}", issued["nonce"], issued["access_token"])


def test_an_expired_token_is_refused(app, issued):
    exp = json.loads(base64.urlsafe_b64decode(issued["id_token"].split(".")[1] + "=="))["exp"]
    with pytest.raises(sso.SsoError):
        _validate(app, issued["id_token"], issued["nonce"], issued["access_token"], now=exp + 3600)


def test_a_wrong_nonce_is_refused(app, issued):
    with pytest.raises(sso.SsoError):
        _validate(app, issued["id_token"], "another-nonce", issued["access_token"])


def test_a_token_for_another_application_is_refused(app, app_config, provider, mappings, issued, monkeypatch):
    from portal import create_app

    other = create_app({**app_config, **_oidc(provider.issuer, OTHER_CLIENT_ID, CLIENT_SECRET + "-other")})
    other.test_client_class = type(app.test_client())
    with other.app_context():
        try:
            assert _sign_in(other.test_client(), provider, "pc1")[0].status_code == 303
        finally:
            # The second app has an engine of its own: close its connections here, or one is
            # garbage-collected open during a later test (a ResourceWarning, an error there).
            from portal.extensions import db

            db.session.remove()
            db.engine.dispose()
    token_for_other = issued["id_token"]  # the keep() wrapper recorded the other app's token last
    assert json.loads(base64.urlsafe_b64decode(token_for_other.split(".")[1] + "=="))["aud"] == OTHER_CLIENT_ID
    with pytest.raises(sso.SsoError):
        _validate(app, token_for_other, issued["nonce"], issued["access_token"])


def test_a_provider_that_is_down_gets_a_clear_message_and_passwords_still_work(app, client, users):
    app.config.update(_oidc(f"http://127.0.0.1:{free_port()}"))
    app.extensions.pop("authlib.integrations.flask_client")
    sso.init_app(app)
    response = client.get("/login/sso")
    assert response.status_code == 503
    assert b"sign-in service is not answering" in response.data
    assert b'name="password"' in response.data  # local sign-in still offered
    signed_in = client.post("/login", data={"email": ROLE_EMAILS["officer"], "password": __import__(
        "tests.conftest", fromlist=["PASSWORD"]).PASSWORD})
    assert signed_in.status_code == 302


def test_local_passwords_can_be_switched_off(app, client, users):
    from tests.conftest import PASSWORD

    app.config["LOCAL_PASSWORDS"] = False
    page = client.get("/login")
    assert b'data-testid="sso-start"' in page.data
    assert b'name="password"' not in page.data
    refused = client.post("/login", data={"email": ROLE_EMAILS["officer"], "password": PASSWORD})
    assert refused.status_code == 403
    assert client.get("/follow-ups").status_code == 302


def test_with_passwords_off_an_invitation_leads_to_sso_and_the_account_is_linked(app, client, provider, mappings,
                                                                               db_session, area):
    app.config["LOCAL_PASSWORDS"] = False
    invited = User(email="pc.one@force.example", display_name="Invited", role="officer")
    token = invited.issue_invite(14)
    db_session.add(invited)
    db_session.commit()
    response = client.get(f"/invite/{token}", follow_redirects=True)
    assert b"Local Reach uses no passwords here" in response.data
    assert b'name="password"' not in response.data
    assert _sign_in(client, provider, "pc1")[0].status_code == 303
    db_session.expire_all()
    linked = db_session.get(User, invited.id)
    assert linked.sso_subject == f"{provider.issuer} pc1"
    assert not linked.invite_pending
    assert db_session.scalar(select(User.id).where(User.email == "pc.one@force.example")) == invited.id


def test_an_account_without_a_usable_address_is_not_created(client, provider, mappings, db_session):
    provider.set_accounts({"odd": {"email": "pc odd@force.example", "name": "Odd", "groups": ["lr-officers"]}})
    response, _ = _sign_in(client, provider, "odd")
    assert response.status_code == 400
    assert b"has no e-mail address" in response.data
    assert db_session.scalar(select(User.id).where(User.display_name == "Odd")) is None


def test_admins_map_groups_on_an_audited_page(client, auth, users, area, db_session):
    auth.login("supervisor")
    assert client.get("/admin/sso").status_code == 403
    auth.logout()
    auth.login("admin")
    added = client.post("/admin/sso", data={"group_name": "lr-officers", "role": "officer", "area_id": area.id})
    assert added.status_code == 303
    mapping = db_session.scalar(select(SsoGroupMapping))
    assert (mapping.group_name, mapping.role, mapping.area_id) == ("lr-officers", "officer", area.id)
    assert b"lr-officers" in client.get("/admin/sso").data
    assert client.post("/admin/sso", data={"group_name": "x", "role": "", "area_id": 0}).status_code == 200
    assert client.post(f"/admin/sso/{mapping.id}/delete").status_code == 303
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "SsoGroupMapping")).all()
    assert sorted(actions) == ["create", "delete"]
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.summary.like("Viewed the SSO group mappings%")))

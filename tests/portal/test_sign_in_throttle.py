"""Sign-in throttling (issue 27.8): wrong passwords slow a guesser down and never lock an officer out."""
from __future__ import annotations

from datetime import timedelta

import pytest

from portal.auth import throttle
from portal.models import AuditEvent, SignInThrottle, utcnow
from tests.conftest import PASSWORD, ROLE_EMAILS

OFFICER = ROLE_EMAILS["officer"]


def _client(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _sign_in(client, email=OFFICER, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def _error(response) -> str:
    import re

    found = re.search(r'class="govuk-error-message">(.*?)</p>', response.get_data(as_text=True), re.S)
    if not found:
        return ""
    text = re.sub(r"<[^>]+>", " ", found.group(1)).replace("Error:", "")
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture
def clock(monkeypatch):
    """Move the throttle's clock forward without sleeping."""
    class Clock:
        now = utcnow()

        def advance(self, **delta):
            self.now += timedelta(**delta)

    clock = Clock()
    monkeypatch.setattr(throttle, "utcnow", lambda: clock.now)
    return clock


def test_an_attacker_with_the_officers_address_cannot_lock_them_out(app, users):
    """The reported attack: five wrong passwords used to lock the account for everyone."""
    for _ in range(app.config["THROTTLE_FREE_TRIES"] + 3):
        _sign_in(_client(app, "203.0.113.9"), password="wrong-password-000")
    officer = _client(app, "198.51.100.20")
    response = _sign_in(officer)
    assert response.status_code == 302, _error(response)
    assert officer.get("/home").status_code == 200


def test_many_attackers_cannot_keep_the_officer_out_of_a_browser_they_signed_in_with_before(app, users):
    officer = _client(app, "198.51.100.20")
    assert _sign_in(officer).status_code == 302  # the officer's own phone: now a known device
    officer.post("/logout")
    free = app.config["THROTTLE_FREE_TRIES"]
    for n in range(app.config["THROTTLE_ACCOUNT_FREE_TRIES"] // free + 2):  # past the account's free tries
        attacker = _client(app, f"203.0.113.{n + 1}")
        for _ in range(free):
            _sign_in(attacker, password="wrong-password-000")
    stranger = _sign_in(_client(app, "192.0.2.50"))  # a new browser must wait: the account is under attack
    assert stranger.status_code == 200
    assert "Wait" in _error(stranger)
    response = _sign_in(officer)
    assert response.status_code == 302, _error(response)


def test_one_client_must_wait_longer_after_each_failure_past_the_free_tries(app, users, clock):
    guesser = _client(app, "203.0.113.9")
    free = app.config["THROTTLE_FREE_TRIES"]
    for _ in range(free):
        assert _error(_sign_in(guesser, password="wrong-password-000")) == "Email address or password is not right."
    waits = []
    for _ in range(4):
        refused = _sign_in(guesser)  # even the right password waits, and is not checked
        assert refused.status_code == 200
        assert "Wait" in _error(refused)
        wait = throttle_wait(app, guesser_email=OFFICER, address="203.0.113.9")
        waits.append(wait)
        clock.advance(seconds=wait.total_seconds() + 1)
        _sign_in(guesser, password="wrong-password-000")
    assert waits == [timedelta(seconds=30 * 2**n) for n in range(4)]
    clock.advance(minutes=app.config["THROTTLE_MAX_WAIT_MINUTES"] + 1)
    assert _sign_in(guesser).status_code == 302


def throttle_wait(app, guesser_email: str, address: str) -> timedelta:
    with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
        return throttle.wait_for(throttle.PAIR, _pair_failures(app, guesser_email, address))


def _pair_failures(app, email: str, address: str) -> int:
    from portal.extensions import db

    with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
        row = db.session.get(SignInThrottle, throttle._key(throttle.PAIR, email, address))  # noqa: SLF001
        return row.failures


def test_one_client_spraying_many_accounts_is_slowed(app, users):
    sprayer = _client(app, "203.0.113.77")
    for n in range(app.config["THROTTLE_CLIENT_FREE_TRIES"]):
        _sign_in(sprayer, email=f"guess{n}@tests.example.org", password="wrong-password-000")
    refused = _sign_in(sprayer)
    assert refused.status_code == 200
    assert "Wait" in _error(refused)
    assert _sign_in(_client(app, "198.51.100.20")).status_code == 302


def test_a_real_and_an_unknown_address_get_the_same_answers(app, users):
    guesser = _client(app, "203.0.113.9")
    answers = {}
    for email in (OFFICER, "nobody@tests.example.org"):
        answers[email] = [_error(_sign_in(guesser, email=email, password="wrong-password-000"))
                          for _ in range(app.config["THROTTLE_FREE_TRIES"] + 1)]
    assert answers[OFFICER] == answers["nobody@tests.example.org"]
    assert "Wait" in answers[OFFICER][-1]


def test_counts_are_forgotten_after_a_day_and_only_hashes_are_stored(app, users, clock, db_session):
    guesser = _client(app, "203.0.113.9")
    for _ in range(app.config["THROTTLE_FREE_TRIES"] + 2):
        _sign_in(guesser, password="wrong-password-000")
    keys = [row.key for row in db_session.query(SignInThrottle)]
    assert len(keys) == 3
    assert all(len(key) == 64 and "203.0.113.9" not in key and "@" not in key for key in keys)
    clock.advance(days=1, minutes=1)
    assert _sign_in(guesser).status_code == 302


def test_success_clears_the_clients_count_for_the_account(app, users, db_session):
    client = _client(app, "198.51.100.20")
    for _ in range(app.config["THROTTLE_FREE_TRIES"] - 1):
        _sign_in(client, password="wrong-password-000")
    assert _sign_in(client).status_code == 302
    client.post("/logout")
    for _ in range(app.config["THROTTLE_FREE_TRIES"] - 1):
        assert "Wait" not in _error(_sign_in(client, password="wrong-password-000"))


def test_a_forged_known_device_cookie_is_not_honoured(app, users):
    with app.test_request_context():
        assert not throttle.is_known_device(users["officer"])
    client = _client(app, "203.0.113.9")
    client.set_cookie(throttle.DEVICE_COOKIE, "1.forged.signature")
    with app.test_request_context(headers={"Cookie": f"{throttle.DEVICE_COOKIE}=1.forged.signature"}):
        assert not throttle.is_known_device(users["officer"])


def test_the_slowdown_is_audited_once_for_a_real_account(app, users, db_session):
    guesser = _client(app, "203.0.113.9")
    for _ in range(app.config["THROTTLE_FREE_TRIES"] + 2):
        _sign_in(guesser, password="wrong-password-000")
    assert db_session.query(AuditEvent).filter_by(action="throttle").count() == 1


def test_a_known_device_behind_a_shared_address_is_not_held_up_by_others_mistakes(app, users):
    station = "198.51.100.20"  # one address for a whole station's machines
    officer = _client(app, station)
    assert _sign_in(officer).status_code == 302
    officer.post("/logout")
    colleagues = _client(app, station)
    for n in range(app.config["THROTTLE_CLIENT_FREE_TRIES"]):
        _sign_in(colleagues, email=f"typo{n}@tests.example.org", password="wrong-password-000")
    new_browser = _sign_in(_client(app, station))
    assert new_browser.status_code == 200
    assert "Wait" in _error(new_browser)
    response = _sign_in(officer)
    assert response.status_code == 302, _error(response)

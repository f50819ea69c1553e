"""Password policy (issue 27.8): breached passwords and the service's own words are refused, however dressed up."""
from __future__ import annotations

import gzip
import hashlib
import re

import pytest

from portal.auth import passwords
from portal.auth.passwords import breached_passwords, password_problem

EMAIL = "jane.smith@sussex.police.uk"
AREAS = ("Lewes", "Ringmer", "Newhaven")


@pytest.mark.parametrize("password", [
    "Police-123456",  # reported: the service's word plus digits
    "letmein!letmein",  # reported: a breached password said twice
    "P0l1ce-2024!!!",  # leetspeak
    "POLICE police 2026",
    "LocalReach2026!",
    "local-reach-lewes",
    "Lewes-Police-007",
    "Ringmer.Ringmer.1",
    "jane.smith1990!",  # the user's own e-mail address
    "JaneSmith!2026",
    "Summer2024Summer!",
    "Password12345678",
    "iloveyou-forever",
    "qwertyuiop123",
    "1qaz2wsx3edc4rfv",
    "monkey12345678",
    "Welcome2Police!!",
    "aaaaaaaaaaaaaaaa",
    "correct-horse-battery-staple",  # famous enough to be in breach lists
    "short-1",
])
def test_guessable_passwords_are_refused(password):
    assert password_problem(password, EMAIL, AREAS) is not None


@pytest.mark.parametrize("password", [
    "lantern-otter-quay-97",
    "blue coffee window seven",
    "dragon-monkey-soccer",
    "Mauve giraffes knit slowly",
    "steamboat-racing-tuesday",  # contains "team" and "beat" inside other words: still fine
])
def test_unrelated_words_are_accepted(password):
    assert password_problem(password, EMAIL, AREAS) is None


def test_the_breached_list_ships_with_its_source_and_licence():
    words = breached_passwords()
    assert len(words) > 19_000
    assert {"123456", "password", "letmein", "iloveyou"} <= words
    notes = (passwords.HERE / "PASSWORD_LISTS.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(passwords.BREACHED_FILE.read_bytes()).hexdigest()
    assert digest in notes, "PASSWORD_LISTS.md names the file's SHA-256"
    assert "BSD" in notes
    assert (passwords.HERE / "breached_passwords.LICENSE").exists()
    lines = gzip.decompress(passwords.BREACHED_FILE.read_bytes()).decode().splitlines()
    assert lines[:3] == ["123456", "123456789", "qwerty"]  # most common first, as published


def test_a_megabyte_password_is_judged_on_its_first_characters_only():
    assert password_problem("police" * 200_000) is not None


def test_accepting_an_invitation_refuses_a_password_made_of_the_service_and_the_users_words(
        client, auth, db_session):
    auth.login("admin")
    page = client.post("/admin/users", data={"email": "jane.smith@tests.example.org", "display_name": "Jane",
                                             "role": "officer"}).get_data(as_text=True)
    link = re.search(r"/invite/[A-Za-z0-9_\-]+", page).group(0)
    auth.logout()
    for weak in ("Police-123456", "letmein!letmein", "JaneSmith-2026!"):
        response = client.post(link, data={"password": weak, "confirm": weak})
        assert response.status_code == 200, weak
        assert "attackers try" in response.get_data(as_text=True)
    good = "lantern-otter-quay-97"
    assert client.post(link, data={"password": good, "confirm": good}).status_code == 302


def test_the_command_line_refuses_a_guessable_password(runner, app):
    result = runner.invoke(args=["users", "create", "pat@tests.example.org", "--role", "officer",
                                 "--password-stdin"], input="Police-123456\n")
    assert result.exit_code != 0
    assert "attackers try" in result.output

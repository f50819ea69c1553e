"""Keyed pseudonyms: stable under one key, unrelated under another, never the bare id."""
from __future__ import annotations

import hashlib
import hmac
import stat

import pytest
from flask import Flask

from portal.research.pseudonyms import DIGEST_CHARS, KEY_FILE, PREFIXES, Pseudonymiser, pseudonym_key


@pytest.fixture
def bare_app(tmp_path):
    """A Flask app with only what pseudonym_key reads: its config and an instance folder."""
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    with app.app_context():
        yield app


def test_a_configured_key_is_used_as_it_is(bare_app, tmp_path):
    bare_app.config["PSEUDONYM_KEY"] = "configured-secret"
    assert pseudonym_key() == b"configured-secret"
    assert not (tmp_path / "instance" / KEY_FILE).exists()


def test_without_a_configured_key_one_is_generated_once_and_kept_private(bare_app, tmp_path):
    first = pseudonym_key()
    key_file = tmp_path / "instance" / KEY_FILE
    assert key_file.exists()
    assert len(first) == 64  # 32 random bytes as hex
    assert int(first, 16) >= 0
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert pseudonym_key() == first
    assert key_file.read_text() == first.decode()


def test_the_key_is_generated_into_a_nested_or_existing_instance_folder(tmp_path):
    nested = Flask(__name__, instance_path=str(tmp_path / "deep" / "er" / "instance"))
    with nested.app_context():
        assert len(pseudonym_key()) == 64
    (tmp_path / "existing").mkdir()
    existing = Flask(__name__, instance_path=str(tmp_path / "existing"))
    with existing.app_context():
        assert len(pseudonym_key()) == 64


def test_a_key_file_written_with_a_newline_is_read_without_it(bare_app, tmp_path):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / KEY_FILE).write_text("abc123\n")
    assert pseudonym_key() == b"abc123"


def test_an_empty_configured_key_falls_back_to_the_instance_key(bare_app, tmp_path):
    bare_app.config["PSEUDONYM_KEY"] = ""
    assert pseudonym_key() == (tmp_path / "instance" / KEY_FILE).read_text().encode()


def test_a_pseudonym_is_the_keyed_hmac_of_kind_and_id_with_a_prefix():
    pseudonymise = Pseudonymiser(b"k1")
    digest = hmac.new(b"k1", b"officer:42", hashlib.sha256).hexdigest()
    assert pseudonymise.officer(42) == "O-" + digest[:DIGEST_CHARS]
    assert DIGEST_CHARS == 12
    assert len(pseudonymise.officer(42)) == 2 + 12


def test_each_kind_has_its_prefix_and_events_are_keyed_by_their_kind():
    pseudonymise = Pseudonymiser(b"k1")
    assert PREFIXES == {"officer": "O", "community": "C", "event": "E"}
    assert pseudonymise.community(7).startswith("C-")
    event = pseudonymise.event("contact", 7)
    assert event == "E-" + hmac.new(b"k1", b"event:contact:7", hashlib.sha256).hexdigest()[:12]
    assert event != pseudonymise.event("stage_change", 7)
    assert pseudonymise.community(7)[2:] != pseudonymise.officer(7)[2:]


def test_the_same_key_gives_the_same_pseudonym_and_another_key_another():
    assert Pseudonymiser(b"k1").officer(5) == Pseudonymiser(b"k1").officer(5)
    assert Pseudonymiser(b"k1").officer(5) != Pseudonymiser(b"k2").officer(5)
    assert Pseudonymiser(b"k1").officer(5) != Pseudonymiser(b"k1").officer(6)


def test_repeated_calls_agree_whether_or_not_they_are_cached():
    pseudonymise = Pseudonymiser(b"k1")
    first = [pseudonymise.officer(3), pseudonymise.community(3), pseudonymise.event("contact", 3)]
    second = [pseudonymise.officer(3), pseudonymise.community(3), pseudonymise.event("contact", 3)]
    assert first == second
    assert pseudonymise._cache == {("officer", 3): first[0], ("community", 3): first[1]}  # events are not kept


def test_no_id_gives_an_empty_pseudonym():
    pseudonymise = Pseudonymiser(b"k1")
    assert pseudonymise.officer(None) == ""
    assert pseudonymise.community(None) == ""
    assert pseudonymise.event("contact", None) == ""


def test_a_project_key_mixes_the_server_key_with_the_salt(bare_app):
    bare_app.config["PSEUDONYM_KEY"] = "server"
    project = Pseudonymiser.for_project("salt-a")
    expected_key = hmac.new(b"server", b"project:salt-a", hashlib.sha256).digest()
    assert project.officer(1) == Pseudonymiser(expected_key).officer(1)
    assert project.officer(1) != Pseudonymiser.for_project("salt-b").officer(1)
    assert project.officer(1) != Pseudonymiser.for_app().officer(1)
    assert Pseudonymiser.for_app().officer(1) == Pseudonymiser(b"server").officer(1)


def test_the_key_id_names_the_key_without_revealing_it():
    key_id = Pseudonymiser(b"k1").key_id
    assert key_id == "K-" + hashlib.sha256(b"key-id:k1").hexdigest()[:12]
    assert key_id != Pseudonymiser(b"k2").key_id

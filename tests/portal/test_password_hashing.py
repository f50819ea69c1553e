"""Production hashes passwords with scrypt; the tests' cheap hashing (tests/fast_setup.py) stays in tests."""
from __future__ import annotations

from portal.models import User


def test_stored_passwords_are_hashed_with_scrypt_in_production(app, real_password_hashing):
    user = User(email="hash@tests.example.org", display_name="Hash", role="officer")
    user.set_password("a-long-enough-passphrase-7")
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("a-long-enough-passphrase-7")
    assert not user.check_password("a-long-enough-passphrase-8")


def test_the_unknown_account_check_costs_a_real_hash_in_production(app, real_password_hashing):
    # Sign-in spends a password check on unknown addresses so that timing does not reveal accounts.
    from portal.auth import views

    views._unused_hash.cache_clear()
    try:
        assert views._unused_hash().startswith("scrypt:")
    finally:
        views._unused_hash.cache_clear()


def test_the_tests_hash_cheaply_but_still_check_for_real(app):
    user = User(email="cheap@tests.example.org", display_name="Cheap", role="officer")
    user.set_password("a-long-enough-passphrase-7")
    assert user.password_hash.startswith("pbkdf2:sha256:1$")
    assert user.check_password("a-long-enough-passphrase-7")
    assert not user.check_password("wrong")

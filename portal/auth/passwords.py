"""Password policy: long enough, and not one that attackers try first."""
from __future__ import annotations

from functools import cache
from pathlib import Path

MIN_LENGTH = 12  # NCSC guidance favours length over composition rules
GUESSABLE_STEMS = ("localreach", "password", "police", "welcome", "letmein", "qwerty")
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    """Return the list of commonly used passwords (lower-cased)."""
    if not COMMON_PASSWORDS_FILE.exists():
        return frozenset()
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str) -> str | None:
    """Return why a password is not acceptable, or None if it is."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters long"
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) < 4:
        return "That password is too common or too easy to guess; choose another"
    squashed = "".join(ch for ch in lowered if ch.isalnum())
    if any(squashed.startswith(word) and len(squashed) < len(word) + 6 for word in GUESSABLE_STEMS):
        return "That password is too easy to guess; choose another"
    return None

"""Password policy: long enough, not in a breached-password list, and not built from the service's own words.

NIST SP 800-63B (5.1.1.2) asks a verifier to refuse passwords found in breach corpora, dictionary
words, and context-specific words such as the service's name or the user's name. People dress such
a password up to pass a length rule ("Police-123456", "letmein!letmein", "P0l1ce2024!"), so each
candidate is normalised before the lists are consulted: lower case, common letter-for-digit
swaps undone, digits and symbols set aside, a repeated word counted once, and the service's and
the user's own words taken out. What is left must still be something an attacker would not try
early. The lists ship with the code (no network at sign-up); see PASSWORD_LISTS.md beside this file.
"""
from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

MIN_LENGTH = 12  # NCSC guidance favours length over composition rules
MAX_CHECKED = 512  # forms refuse longer passwords before this check runs
#: The service's own words: a password built from them (plus digits and symbols) is guessed first.
SERVICE_WORDS = ("localreach", "local", "reach", "police", "policing", "neighbourhood", "neighborhood",
                 "constable", "officer", "pcso", "sergeant", "force", "beat", "team", "password", "welcome",
                 "admin", "letmein", "qwerty")
MIN_OWN_LETTERS = 6  # letters left once the service's and the user's words, digits and symbols are set aside
HERE = Path(__file__).resolve().parent
BREACHED_FILE = HERE / "breached_passwords.txt.gz"
COMMON_FILE = HERE / "common_passwords.txt"
# Letter-for-digit and letter-for-symbol swaps ("leetspeak"); "1" and "!" stand for both i and l.
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
                      "@": "a", "$": "s", "!": "i", "|": "l", "+": "t", "€": "e", "£": "l"})
LEET_L = str.maketrans({"1": "l", "!": "l"})
LETTER_RUNS = re.compile(r"[^\W\d_]+")

TOO_SHORT = f"Password must be at least {MIN_LENGTH} characters long"
TOO_COMMON = ("That password, or the word it is built on, is in lists of passwords stolen from other sites, "
              "so attackers try it first; choose another")
TOO_GUESSABLE = ("That password is mostly this service's words or your own name or email address, with digits "
                 "or symbols added; attackers try those first. A few unrelated words work well")


@cache
def breached_passwords() -> frozenset[str]:
    """Return the passwords of the breached and common lists, lower-cased."""
    words: set[str] = set()
    if BREACHED_FILE.exists():
        words.update(gzip.decompress(BREACHED_FILE.read_bytes()).decode("utf-8").splitlines())
    if COMMON_FILE.exists():
        words.update(line for line in COMMON_FILE.read_text(encoding="utf-8").splitlines()
                     if not line.startswith("#"))
    return frozenset(word.strip().lower() for word in words if word.strip())


def context_words(email: str = "", extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The words an attacker who knows the service and the user would try: ours, the e-mail's parts, ``extra``."""
    local, _, domain = (email or "").lower().partition("@")
    parts = [*re.split(r"[^a-z]+", local), *re.split(r"[^a-z]+", domain), *extra]
    found = {word.lower() for text in parts for word in LETTER_RUNS.findall(text or "")}
    return tuple(sorted({w for w in found | set(SERVICE_WORDS) if len(w) >= 3}, key=len, reverse=True))


def _variants(lowered: str) -> set[str]:
    """The password as typed (lower-cased) and with letter-for-digit swaps undone."""
    return {lowered, lowered.translate(LEET), lowered.translate(LEET_L).translate(LEET)}


def _collapse_repeats(tokens: list[str]) -> list[str]:
    """Each distinct word once, and a word that is one piece said twice ("abcabc") as that piece."""
    distinct = list(dict.fromkeys(tokens))
    shrunk = []
    for token in distinct:
        match = re.fullmatch(r"(.+?)\1+", token)
        shrunk.append(match.group(1) if match else token)
    return list(dict.fromkeys(shrunk))


def _without(text: str, words: Iterable[str]) -> str:
    for word in words:
        text = text.replace(word, " ")
    return text


def _guessable(variant: str, words: tuple[str, ...], breached: frozenset[str]) -> str | None:
    tokens = LETTER_RUNS.findall(variant)
    if "".join(tokens) in breached:
        return TOO_COMMON
    own = _collapse_repeats(LETTER_RUNS.findall(_without(" ".join(tokens), words)))
    if sum(len(token) for token in own) < MIN_OWN_LETTERS:
        return TOO_GUESSABLE
    if "".join(own) in breached or (len(own) <= 2 and all(token in breached for token in own)):
        return TOO_COMMON
    return None


def password_problem(password: str, email: str = "", extra_words: Iterable[str] = ()) -> str | None:
    """Return why a password is not acceptable, or None if it is.

    Args:
        password: the new password.
        email: the account's e-mail address (its parts count as the user's own words).
        extra_words: more context words, e.g. the names of the force's areas.
    """
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    lowered = password[:MAX_CHECKED].lower()
    breached = breached_passwords()
    if lowered in breached or len(set(lowered)) < 4:
        return TOO_COMMON
    words = context_words(email, extra_words)
    for variant in sorted(_variants(lowered)):
        problem = _guessable(variant, words, breached)
        if problem:
            return problem
    return None


def area_words() -> tuple[str, ...]:
    """The names of the force's areas and their places: context words for every account."""
    from portal.models import Area

    words: list[str] = []
    for area in Area.ordered():
        words.append(area.name)
        words.extend(str(place) for place in (area.profile or {}).get("places", [])[:50])
    return tuple(words)

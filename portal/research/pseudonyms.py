"""Keyed pseudonyms for officers, communities and events (HMAC-SHA256 with a server-held key).

The same key gives the same pseudonym in every export, so researchers can join
exports over time; without the key nobody can go from a pseudonym back to a record.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from flask import current_app

KEY_FILE = "pseudonym_key"
PREFIXES = {"officer": "O", "community": "C", "event": "E"}
DIGEST_CHARS = 12  # 48 bits: collisions are negligible at any realistic scale of this tool


def pseudonym_key() -> bytes:
    """Return PSEUDONYM_KEY, or a key generated once into the instance folder."""
    configured = current_app.config.get("PSEUDONYM_KEY")
    if configured:
        return configured.encode()
    key_file = Path(current_app.instance_path) / KEY_FILE
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip().encode()


class Pseudonymiser:
    """Turn record ids into stable keyed pseudonyms such as ``O-3f9a0c1b22de``."""

    def __init__(self, key: bytes):
        self._key = key
        self._mac = hmac.new(key, digestmod=hashlib.sha256)  # keyed once; copied per pseudonym
        self._cache: dict[tuple[str, int], str] = {}

    @classmethod
    def for_app(cls) -> Pseudonymiser:
        return cls(pseudonym_key())

    @classmethod
    def for_project(cls, key_salt: str) -> Pseudonymiser:
        """The key of one research project: the server key mixed with the project's salt.

        Two projects get unrelated pseudonyms, so their files cannot be joined; the salt alone
        (kept in the database) does not give the key without the server's key.
        """
        return cls(hmac.new(pseudonym_key(), f"project:{key_salt}".encode(), hashlib.sha256).digest())

    @property
    def key_id(self) -> str:
        """A public name for the key (a hash of it), written into the package's provenance."""
        return "K-" + hashlib.sha256(b"key-id:" + self._key).hexdigest()[:12]

    def __call__(self, kind: str, record_id: int | None) -> str:
        if record_id is None:
            return ""
        cache_key = (kind, record_id)
        found = self._cache.get(cache_key)
        if found is None:
            mac = self._mac.copy()
            mac.update(f"{kind}:{record_id}".encode())
            digest = mac.hexdigest()
            found = f"{PREFIXES[kind.split(':')[0]]}-{digest[:DIGEST_CHARS]}"
            if kind in {"officer", "community"}:  # few distinct values; events are not cached
                self._cache[cache_key] = found
        return found

    def officer(self, user_id: int | None) -> str:
        return self("officer", user_id)

    def community(self, community_id: int | None) -> str:
        return self("community", community_id)

    def event(self, kind: str, record_id: int | None) -> str:
        """Pseudonym of one event row, e.g. kind "contact" or "stage_change"."""
        return self(f"event:{kind}", record_id)

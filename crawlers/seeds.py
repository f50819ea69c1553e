"""Seeds a crawl cannot use: say why, once per seed, and let the crawl go on with the rest.

A seed is refused before any request when it is not a web address at all (too long, not
http(s), malformed), and after its first request when the address guard refuses its host
(not public, does not resolve) or the site cannot be fetched. The engine keeps the first
reason for each seed; the command line prints them and the portal shows them on the run page.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from crawlers.addresses import URL_ERRORS
from crawlers.fetch import FetchResult
from crawlers.frontier import MAX_URL_CHARS, canonicalise

logger = logging.getLogger(__name__)

__all__ = ["REASONS", "RefusedSeed", "refusal_after_fetch", "refusal_before_fetch"]

#: Reason code → what an officer is told about the seed.
REASONS: dict[str, str] = {
    "too-long": f"is longer than {MAX_URL_CHARS} characters",
    "not-http": "is not an http:// or https:// web address",
    "malformed": "is not a valid web address",
    "private": "is not a public address (refused)",
    "unresolvable": "names a host that does not resolve",
    "robots": "is not allowed to crawlers by the site's robots.txt",
    "unreachable": "could not be fetched",
}
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
#: Longest seed text kept in a report (the reason says it was longer).
MAX_SHOWN = 200


@dataclass(frozen=True)
class RefusedSeed:
    """A seed the crawl could not use, and why."""

    seed: str
    reason: str
    detail: str = ""

    @property
    def message(self) -> str:
        """Return the line shown to an officer (the seed shortened, the reason in words)."""
        shown = self.seed if len(self.seed) <= MAX_SHOWN else self.seed[:MAX_SHOWN] + "…"
        text = f"{shown!r} {REASONS.get(self.reason, REASONS['malformed'])}"
        return f"{text}: {self.detail}" if self.detail else text

    def as_tuple(self) -> tuple[str, str, str]:
        """Return (seed, reason, message) for :class:`~crawlers.records.CrawlProgress`."""
        return self.seed[:MAX_URL_CHARS], self.reason, self.message


def refusal_before_fetch(seed: str) -> RefusedSeed | None:
    """Judge a seed's syntax before any request.

    Args:
        seed: the seed as the user gave it.

    Returns:
        Why it cannot be crawled, or None when it is a web address worth requesting.
    """
    text = seed.strip()
    if len(text) > MAX_URL_CHARS:
        return RefusedSeed(seed, "too-long")
    if canonicalise(text) is not None:
        return None
    scheme = _scheme(text)
    if scheme in ("http", "https"):
        return RefusedSeed(seed, "malformed")
    if scheme:
        return RefusedSeed(seed, "not-http")
    return RefusedSeed(seed, "not-http", "start it with http:// or https://")


def _scheme(text: str) -> str:
    """Return the scheme a URL text starts with (RFC 3986 §3.1), lower-cased, or ""."""
    try:
        scheme = urlsplit(text).scheme
    except URL_ERRORS:  # a broken host after a good scheme: judge the scheme alone
        scheme = text.split(":", 1)[0] if ":" in text else ""
    return scheme.lower() if SCHEME.fullmatch(scheme) else ""


def refusal_after_fetch(seed: str, result: FetchResult) -> RefusedSeed | None:
    """Judge a seed by the outcome of fetching it.

    Args:
        seed: the seed as the user gave it.
        result: what fetching it produced.

    Returns:
        Why the seed gave the crawl nothing, or None when it was read.
    """
    if result.refused:
        return RefusedSeed(seed, result.refused if result.refused in REASONS else "malformed")
    if result.skipped and "robots" in result.skipped:
        return RefusedSeed(seed, "robots")
    if not result.ok and not result.not_modified:
        detail = result.error or result.skipped or f"HTTP {result.status}"
        return RefusedSeed(seed, "unreachable", detail[:200])
    return None

"""Research reports kept for a few minutes, so that every reload, table download and colleague
asking for the same figures does not recount a million contacts.

A report is keyed by its page, whether small counts are suppressed, and the whole resolved
selection (filters and the areas the user may see), so users with different scopes never share
one. It is kept for ``RESEARCH_CACHE_SECONDS`` (300; 0 turns the cache off): in Redis when
``REDIS_URL`` is set, shared by every web process, else in the web process's memory (at most
``LOCAL_ENTRIES`` reports). One process (or thread, in memory) counts a missing report while
the others asking for it wait for its result, and a report past its time is kept as long again
and served as it was while one process recounts it. Reports are stored as JSON, never
pickled: whoever can write to Redis must not be able to run code in the portal. Each page
says when its figures were computed.

Why not a library (issue 25.6). dogpile.cache (1.5 on PyPI) is the model for this protocol and
the candidate to replace it: a region on its Redis backend with ``distributed_lock`` and a JSON
serializer would keep one count per key and serve the old report while one process recounts. It
was not swapped in (yet) for one difference that matters here: when there is no previous report,
dogpile blocks the other callers until the counting one finishes, while this cache waits at most
``WAIT_SECONDS`` and then counts itself, so that no page outlives gunicorn's 30 s timeout behind a
count that hangs or died (a Redis lock's expiry frees it only after ``LOCK_SECONDS``). Its memory
backend is a plain dict unless a bounded one is passed in (``LOCAL_ENTRIES`` here). Flask-Caching
has no single-counter lock at all. The swap needs the bounded wait shown to hold, by the
protocol tests in tests/portal/test_research_cache.py, before this module goes.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from datetime import datetime
from typing import Any

from flask import current_app, g, has_request_context

from portal.models import utcnow
from portal.research.filters import Selection
from portal.research.report import Report, Table
from portal.research.svg import Chart

LOCAL_ENTRIES = 256
LOCK_SECONDS = 60  # a counting process that died frees the figures for others after this
WAIT_SECONDS = 20  # waiting for another process's count, then counting itself (gunicorn times out at 30)
POLL_SECONDS = 0.1
PREFIX = "local-reach:research-report:"
FRESH_SUFFIX = ":fresh"  # set for the report's time; the report itself is kept twice as long
LOCK_SUFFIX = ":counting"  # held while one process counts the report
log = logging.getLogger(__name__)


@dataclasses.dataclass
class CachedReport:
    report: Report
    computed_at: datetime  # UTC, naive like the rest of the portal's timestamps


def cache_key(slug: str, selection: Selection, suppress: bool) -> str:
    fields = dataclasses.asdict(selection)
    fields["scope_area_ids"] = None if selection.scope_area_ids is None else sorted(selection.scope_area_ids)
    raw = json.dumps({"page": slug, "suppress": suppress, "selection": fields}, sort_keys=True, default=str)
    return PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def kept_seconds() -> int:
    """How long reports are kept (RESEARCH_CACHE_SECONDS); 0: not at all."""
    return max(0, int(current_app.config.get("RESEARCH_CACHE_SECONDS", 0) or 0))


def cached_report(slug: str, selection: Selection, suppress: bool, build) -> CachedReport:
    """The report for this page and selection: kept, or built now with `build()` and kept."""
    seconds = kept_seconds()
    if seconds <= 0:
        return CachedReport(build(), _now())
    return _store().fetch(cache_key(slug, selection, suppress), seconds, lambda: _built(build))


def _built(build) -> CachedReport:
    """A report built now, dated by the oldest kept counts it was built from (family.py)."""
    report = build()
    now = _now()
    counted = g.get("research_counted_at", now) if has_request_context() else now
    return CachedReport(report, min(counted, now))


def note_counted(counted: datetime) -> None:
    """Remember the oldest kept count this request's report is built from (its "computed at")."""
    if has_request_context():
        g.research_counted_at = min(counted, g.get("research_counted_at", counted))


def _clock() -> float:
    """The in-memory store's clock (seconds, monotonic)."""
    return time.monotonic()


def _now() -> datetime:
    return utcnow().replace(microsecond=0)


def to_json(item: CachedReport) -> str:
    return json.dumps({"computed_at": item.computed_at.isoformat(), "report": dataclasses.asdict(item.report)})


def from_json(text: str | bytes) -> CachedReport:
    data = json.loads(text)
    report = data["report"]
    return CachedReport(
        Report(charts=[_chart_from_json(chart) for chart in report["charts"]],
               tables=[Table(**table) for table in report["tables"]], notes=report["notes"], empty=report["empty"],
               refused=report.get("refused", "")),
        datetime.fromisoformat(data["computed_at"]))


def _chart_from_json(fields: dict[str, Any]) -> Chart:
    """A Chart from its JSON form: JSON has no tuples, so every list of shapes is made tuples again."""
    chart: dict[str, Any] = {k: ([tuple(v) for v in value] if isinstance(value, list) else value)
                             for k, value in fields.items()}
    return Chart(**chart)


class _Store:
    """The counting protocol both stores share; each supplies how it looks up, claims and waits.

    A report within its time is served. Otherwise one caller (process or thread) claims the
    count; the others are given the report past its time if there is one (it is kept twice its
    time; the page says when its figures were computed), else wait for the count's result.
    Without the claim every worker that misses at once counts the same figures at once, and
    PostgreSQL does the same seconds of work several times over. A count that fails or takes
    too long leaves the waiting callers to count for themselves.
    """

    def fetch(self, key: str, seconds: int, make) -> CachedReport:
        found, fresh, mine = self._look_up_or_claim(key)
        if found is not None and fresh:
            return found
        if not mine:
            if found is not None:
                return found  # past its time, while another recounts it
            found = self._wait_for(key)
            if found is not None:
                return found
        try:
            made = make()
            self.put(key, made, seconds)
            return made
        finally:
            if mine:
                self._release(key)

    def _look_up_or_claim(self, key: str) -> tuple[CachedReport | None, bool, bool]:
        """The kept report (or None), whether it is within its time, and (when it is not)
        whether this caller claimed its count."""
        raise NotImplementedError

    def _wait_for(self, key: str) -> CachedReport | None:
        """Another caller is counting: its result, or None when it failed or took too long."""
        raise NotImplementedError

    def _release(self, key: str) -> None:
        raise NotImplementedError

    def get(self, key: str) -> CachedReport | None:
        raise NotImplementedError

    def put(self, key: str, item: CachedReport, seconds: int) -> None:
        raise NotImplementedError


class _LocalStore(_Store):
    """Least recently used reports of this process, each kept twice its time; its threads
    (gunicorn's gthread workers) share a count as web processes do through Redis."""

    def __init__(self, entries: int | None = None) -> None:
        self._entries = entries  # None: LOCAL_ENTRIES
        self._items: OrderedDict[str, tuple[float, float, CachedReport]] = OrderedDict()  # fresh until, kept until
        self._counting: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def _look_up_or_claim(self, key: str) -> tuple[CachedReport | None, bool, bool]:
        with self._lock:
            found, fresh = self._look_up(key)
            if found is not None and fresh:
                return found, True, False
            mine = key not in self._counting
            if mine:
                self._counting[key] = threading.Event()
            return found, False, mine

    def _wait_for(self, key: str) -> CachedReport | None:
        with self._lock:
            counted = self._counting.get(key)
        if counted is not None:
            counted.wait(WAIT_SECONDS)
        return self.get(key)

    def _release(self, key: str) -> None:
        with self._lock:
            counted = self._counting.pop(key)
        counted.set()

    def _look_up(self, key: str) -> tuple[CachedReport | None, bool]:
        """The kept report (or None) and whether it is still within its time; hold the lock."""
        entry = self._items.get(key)
        if entry is None:
            return None, False
        now = _clock()
        if entry[1] <= now:
            del self._items[key]
            return None, False
        self._items.move_to_end(key)
        return entry[2], entry[0] > now

    def get(self, key: str) -> CachedReport | None:
        with self._lock:
            return self._look_up(key)[0]

    def put(self, key: str, item: CachedReport, seconds: int) -> None:
        now = _clock()
        with self._lock:
            self._items[key] = (now + seconds, now + 2 * seconds, item)
            self._items.move_to_end(key)
            while len(self._items) > (LOCAL_ENTRIES if self._entries is None else self._entries):
                self._items.popitem(last=False)


class _RedisStore(_Store):
    """Reports in Redis (shared by every web process); a Redis failure only costs the recount.

    The claim is a ``:counting`` key that expires after LOCK_SECONDS (a counting process that
    died frees the figures for the others); the time is a ``:fresh`` marker beside the report.
    """

    def __init__(self, connection) -> None:
        self._redis = connection

    def _look_up_or_claim(self, key: str) -> tuple[CachedReport | None, bool, bool]:
        found, fresh = self._get_with_freshness(key)
        if found is not None and fresh:
            return found, True, False
        try:
            mine = bool(self._redis.set(key + LOCK_SUFFIX, "1", nx=True, ex=LOCK_SECONDS))
        except Exception:  # noqa: BLE001
            mine = True
        return found, False, mine

    def _get_with_freshness(self, key: str) -> tuple[CachedReport | None, bool]:
        """The kept report (or None) and whether it is still within its time, in one round trip."""
        try:
            raw, fresh = self._redis.mget(key, key + FRESH_SUFFIX)
            return (None if raw is None else from_json(raw)), fresh is not None
        except Exception:  # noqa: BLE001 (a cache must never break the page)
            log.warning("research cache: read failed, recounting", exc_info=True)
            return None, False

    def _wait_for(self, key: str) -> CachedReport | None:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            found = self.get(key)
            if found is not None:
                return found
            try:
                if not self._redis.exists(key + LOCK_SUFFIX):
                    return self.get(key)
            except Exception:  # noqa: BLE001
                return None
        return None

    def _release(self, key: str) -> None:
        try:
            self._redis.delete(key + LOCK_SUFFIX)
        except Exception:  # noqa: BLE001
            log.warning("research cache: could not release %s", key + LOCK_SUFFIX, exc_info=True)

    def get(self, key: str) -> CachedReport | None:
        return self._get_with_freshness(key)[0]

    def put(self, key: str, item: CachedReport, seconds: int) -> None:
        try:
            with self._redis.pipeline() as pipe:  # MULTI/EXEC: the marker never outlives its report
                pipe.setex(key, 2 * seconds, to_json(item))
                pipe.setex(key + FRESH_SUFFIX, seconds, "1")
                pipe.execute()
        except Exception:  # noqa: BLE001
            log.warning("research cache: write failed", exc_info=True)


def _store():
    stores = current_app.extensions.setdefault("research_cache", {})
    if "store" not in stores:
        from portal.jobs import redis_connection

        # Short timeouts: a slow Redis must cost a recount, not a hung page.
        connection = redis_connection(current_app, socket_timeout=1, socket_connect_timeout=1)
        stores["store"] = _RedisStore(connection) if connection is not None else _LocalStore()
    return stores["store"]

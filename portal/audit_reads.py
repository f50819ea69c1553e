"""Audit of reads: a view that shows personal or message data declares it, and one hook records each response.

``@audited("Viewed community {community_id}", object_type="Community", object_id="community_id")`` on a
view, beside its ``@allow`` rule: every response the view serves with a body (a page, an htmx fragment,
a form shown again with its errors) writes one audit row (action ``view``), whichever method or
fragment served it; redirects, empty answers and refusals write none. The summary is formatted with
the view's URL arguments. One row per response, not per record shown: the row keeps the view's URL
arguments, its query (the filters of a list) and the fragment, so an auditor can tell what was on it.

``tests/portal/test_audit_reads.py`` puts marker text in every personal column, walks every route
(page and fragment, every role that may open it) and fails on any response that shows a marker
without its audit row, so a view that forgets the declaration fails the suite.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, request
from flask_login import current_user
from sqlalchemy import func, select

from portal import audit, htmx
from portal.audit_chain import PENDING, WAIT_FOR_DISK
from portal.extensions import db
from portal.transactions import WROTE

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable)

ACTION = "view"
MAX_QUERY_KEYS = 20
MAX_QUERY_VALUE = 200


@dataclass(frozen=True)
class ReadAudit:
    """What a view declares it shows: the summary of its audit row and the record, if one."""

    summary: str | Callable[[dict[str, Any]], str]  # formatted with (or called on) the URL's arguments
    object_type: str | None = None
    object_id: str | None = None  # the name of the URL argument that identifies the record
    pages_only: bool = False  # its htmx fragments show nothing personal (e.g. findings on the words being typed)


def audited(summary: str | Callable[[dict[str, Any]], str], object_type: str | None = None, object_id: str | None = None, *,
            pages_only: bool = False) -> Callable[[F], F]:
    """Declare that a view renders personal or message data: each response it serves is audited."""
    declaration = ReadAudit(summary, object_type, object_id, pages_only)

    def decorate(view: F) -> F:
        view.read_audit = declaration  # type: ignore[attr-defined]  # a mark on the view function
        return view

    return decorate


def declaration_for(app: Flask, endpoint: str | None) -> ReadAudit | None:
    """Return the read-audit declaration of an endpoint, or None."""
    view = app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "read_audit", None)


def shows_a_body(response: Response) -> bool:
    """True for a response that renders something: 2xx with a body, or a form shown again (422)."""
    status = response.status_code
    return (200 <= status < 300 and status != 204) or status == 422


def shown_despite_status() -> None:
    """Mark this response as showing the declared data although its status is an error (a refusal page
    that still renders the record, for instance), so that it is audited like a 200."""
    g.read_audit_shown = True


def _details() -> dict[str, Any]:
    details: dict[str, Any] = {key: str(value) for key, value in (request.view_args or {}).items()}
    query = {key: value[:MAX_QUERY_VALUE] for key, value in list(request.args.items())[:MAX_QUERY_KEYS]}
    if query:
        details["query"] = query
    if htmx.is_fragment_request():
        details["fragment"] = (htmx.target() or "")[:60] or True
    if request.method != "GET":
        details["method"] = request.method
    return details


def _discard_uncommitted_writes() -> None:
    """Throw away what a view wrote, or recorded, and did not commit (the request would have rolled it back)."""
    session = db.session()
    if session.new or session.dirty or session.deleted or session.info.get(PENDING):
        session.rollback()
    elif session.in_transaction() and session.connection().info.get(WROTE):
        session.rollback()


def _commit_without_waiting_for_the_disk() -> None:
    """Let this transaction (the read-audit row alone) commit before its WAL reaches the disk (PostgreSQL).

    Every audited response appends to the one chain under the head's row lock, which PostgreSQL
    holds until the commit is on disk, so concurrent audited requests queue for one WAL flush each
    (benchmarks/audit_chain_contention.py: 150 rows/s and p95 120-140 ms at 8 writers, against 450
    rows/s and 40-56 ms without the wait). The chain stays whole: WAL is written in order, so a
    crash of the database server can only cut the chain's newest view rows off, never leave a
    gap or a fork; what it can lose is up to about 0.6 s of view rows (3 x wal_writer_delay).
    Changes are never affected: their audit rows commit with them, synchronously. Off unless
    AUDIT_READS_ASYNC_COMMIT=1 (docs/AUDIT.md).
    """
    session = db.session()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.set_config("synchronous_commit", "off", True)))
        session.info[WAIT_FOR_DISK] = False  # and no wait for the disk after the commit (audit_chain.py)


def record_read(response: Response) -> Response:
    """after_request hook: write the audit row of a declared view's response (a failure answers 500)."""
    declaration = declaration_for(current_app, request.endpoint)
    shown = shows_a_body(response) or g.get("read_audit_shown", False)
    if declaration is None or not shown or not current_user.is_authenticated:
        return response
    if declaration.pages_only and htmx.is_fragment_request():
        return response
    args = request.view_args or {}
    _discard_uncommitted_writes()
    if current_app.config.get("AUDIT_READS_ASYNC_COMMIT"):
        _commit_without_waiting_for_the_disk()
    summary = declaration.summary(args) if callable(declaration.summary) else declaration.summary.format(**args)
    audit.write_now(ACTION, summary, object_type=declaration.object_type,
                    object_id=args.get(declaration.object_id) if declaration.object_id else None,
                    details=_details())
    db.session.commit()
    return response


def init_app(app: Flask) -> None:
    app.after_request(record_read)

"""A page's own SQL, replayed on bare Flask: the most a page can reach once its queries are fixed.

The ceiling (``bench_wsgi.py``) renders a 50-row template with no database at all, so the
gap between it and a portal page mixes two costs: the SQL the page has to run, and what the
portal spends around it (ORM, session, forms, layout, hooks). This module separates them.

``capture`` signs in as the bench officer in-process, requests each page once (warm) and
again while recording every statement the portal sends to PostgreSQL with its bound values,
and pickles them by path. ``make_app`` serves ``/_replay/<path>``: the same statements with
the same values on a raw psycopg connection (one per worker process, as the portal's pool
keeps), in one transaction, then the ceiling's 50-row template. No ORM, no session, no
security hooks, no layout: a page can go no faster than its own replay.

    DATABASE_URL=postgresql+psycopg://…/lr_bench_1000 .venv/bin/python benchmarks/sql_replay.py \\
        --out /tmp/replay.pickle PATH...

``--compare-ends`` times a recorded file's reads (its SELECTs, one client) ended by ROLLBACK
and by COMMIT: psycopg forgets its prepared statements on a rollback (portal/transactions.py).

    DATABASE_URL=… .venv/bin/python benchmarks/sql_replay.py --compare-ends /tmp/lr_bench_100000_replay.pickle

``--per-statement`` times each recorded SELECT on its own (one client, committed, prepared),
its recorded values in rotation: which statement of a page costs what in PostgreSQL.

    DATABASE_URL=… .venv/bin/python benchmarks/sql_replay.py --per-statement /tmp/replay.pickle
"""
from __future__ import annotations

import argparse
import os
import pickle
import re
import sys
import time
from pathlib import Path

import psycopg
from flask import Flask, abort, request

ROOT = Path(__file__).resolve().parents[1]
EMAIL = "bench-officer@bench.example"


def record_statements(app: Flask, client, paths: list[str]) -> dict[str, list[tuple[str, object]]]:
    """GET each path with ``client`` (signed in) once to warm up, then again recording every
    statement the portal sends and its bound values; return them by path."""
    from sqlalchemy import event

    from portal.extensions import db

    recorded: list[tuple[str, object]] = []
    recording = False

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        if recording:
            recorded.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        captured: dict[str, list[tuple[str, object]]] = {}
        for path in paths:
            if client.get(path).status_code != 200:  # warm: statement caches filled, like a busy worker's
                raise RuntimeError(f"{path} did not answer 200")
            recording = True
            client.get(path)
            recording = False
            captured[path] = list(recorded)
            recorded.clear()
        return captured
    finally:
        event.remove(engine, "before_cursor_execute", record)


def capture(paths: list[str], out: Path) -> dict[str, list[tuple[str, object]]]:
    """Record the bench officer's statements for each path (DATABASE_URL's portal); pickle them to ``out``."""
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
    os.environ.setdefault("LOGIN_RATE_LIMIT", "1000 per minute")
    sys.path.insert(0, str(ROOT))
    from benchmarks.request_cpu import sign_in
    from wsgi import app

    captured = record_statements(app, sign_in(EMAIL), paths)
    out.write_bytes(pickle.dumps(captured))
    return captured


def make_app(replay_file: str, template, rows: list[dict], database_url: str | None = None) -> Flask:
    """A Flask app replaying the captured statements of a path, then rendering ``template`` with ``rows``.

    ``database_url``: where to replay them (default: DATABASE_URL, as the portal beside it uses).
    """
    captured: dict[str, list[tuple[str, object]]] = pickle.loads(Path(replay_file).read_bytes())
    database_url = (database_url or os.environ["DATABASE_URL"]).replace("+psycopg", "")
    app = Flask("replay")
    connection: dict[int, psycopg.Connection] = {}  # per process: a forked worker opens its own
    app.extensions["sql_replay_connections"] = connection  # for close_connections

    def connect() -> psycopg.Connection:
        pid = os.getpid()
        if pid not in connection:
            connection.clear()
            connection[pid] = psycopg.connect(database_url)
        return connection[pid]

    @app.get("/<path:path>")
    def replay(path: str):
        wanted = "/" + path + (f"?{request.query_string.decode()}" if request.query_string else "")
        statements = captured.get(wanted)
        if statements is None:
            abort(404)
        conn = connect()
        with conn.cursor() as cursor:
            audit_started = False
            for statement, parameters in statements:
                if not audit_started and writes_audit(statement):
                    # The read audit's writes run as the page's do (the chain head's lock, the row,
                    # its indexes) but are undone: their recorded chain position is taken, and
                    # the portal beside it must find the chain as it left it.
                    cursor.execute("SAVEPOINT replayed_audit")
                    audit_started = True
                cursor.execute(statement, fresh_chain_position(parameters))
                if cursor.description is not None:  # rows, also from INSERT … RETURNING
                    cursor.fetchall()
            if audit_started:
                cursor.execute("ROLLBACK TO SAVEPOINT replayed_audit")
        # Committed, writes or not, as the portal ends its transactions (portal/transactions.py):
        # a rollback would make psycopg forget its prepared statements.
        conn.commit()
        return template.render(rows=rows)

    return app


def writes_audit(statement: str) -> bool:
    """An audit write (the chain head's update, an audit row): replayed inside a savepoint."""
    head = " ".join(statement.split())[:60].upper()
    # The read audit writes its rows and moves the head in one statement (audit_chain.append_all: on
    # PostgreSQL an INSERT with the head's UPDATE in a CTE; the older shape had the INSERT in the CTE).
    return head.startswith(("INSERT INTO AUDIT_", "UPDATE AUDIT_", "WITH APPENDED AS (INSERT INTO AUDIT_",
                            "WITH MOVED AS (UPDATE AUDIT_"))


_CHAIN_SEQ = re.compile(r"(?:row\d*_)?chain_seq")


def fresh_chain_position(parameters):
    """The recorded values, with each audit row's chain position replaced by one no real row has
    (unique per process and row; undone with the savepoint, so it can be used again). The names:
    the ORM's ``chain_seq``, audit_chain.append_all's ``row0_chain_seq``, ``row1_chain_seq``, …"""
    if isinstance(parameters, dict):
        names = sorted(name for name in parameters if _CHAIN_SEQ.fullmatch(name))
        if names:
            base = 2_000_000_000 + os.getpid() % 100_000_000
            return {**parameters, **{name: base + place for place, name in enumerate(names)}}
    return parameters


def close_connections(app: Flask) -> None:
    """Close the replay app's database connection (gunicorn workers simply exit with theirs)."""
    connections = app.extensions["sql_replay_connections"]
    for conn in connections.values():
        conn.close()
    connections.clear()


def is_read(statement: str) -> bool:
    """A SELECT (the statements the timing modes run; writes would change what they time)."""
    return statement.lstrip()[:6].upper() == "SELECT"


def compare_ends(replay_file: Path, database_url: str, requests: int = 600) -> None:
    """Print wall and client CPU time a request for each page's reads, ended by ROLLBACK and by COMMIT."""
    captured: dict[str, list[tuple[str, object]]] = pickle.loads(replay_file.read_bytes())
    groups = {"lists": [p for p in captured if p.startswith("/communities?")],
              "community page": [p for p in captured if p.startswith("/communities/")]}
    with psycopg.connect(database_url.replace("+psycopg", "")) as conn:
        def run(paths: list[str], end, n: int) -> tuple[float, float]:
            wall, cpu = time.perf_counter(), time.process_time()
            for i in range(n):
                with conn.cursor() as cursor:
                    for statement, parameters in captured[paths[i % len(paths)]]:
                        if is_read(statement):  # reads only: equal work both ways
                            cursor.execute(statement, parameters)
                            cursor.fetchall()
                end()
            return 1000 * (time.perf_counter() - wall) / n, 1000 * (time.process_time() - cpu) / n

        for name, paths in groups.items():
            for ending, end in (("rollback", conn.rollback), ("commit", conn.commit)) * 2:
                run(paths, end, requests // 6)  # warm
                wall, cpu = run(paths, end, requests)
                print(f"{name:15} {ending:9} wall {wall:.3f} ms  client CPU {cpu:.3f} ms a request")


def per_statement(replay_file: Path, database_url: str, runs: int = 2000) -> None:
    """Print the mean wall time of each recorded SELECT, by statement (its values in rotation).

    One client, each execution in its own transaction ended by COMMIT (as the portal's reads),
    prepared after psycopg's fifth: what PostgreSQL and the round trip cost each statement.
    """
    captured: dict[str, list[tuple[str, object]]] = pickle.loads(replay_file.read_bytes())
    shapes: dict[str, list[object]] = {}
    sent_by: dict[str, list[str]] = {}
    for path, statements in captured.items():
        for statement, parameters in statements:
            if is_read(statement):
                shapes.setdefault(statement, []).append(parameters)
                sent_by.setdefault(statement, []).append(path)

    def run(conn: psycopg.Connection, statement: str, values: list[object], n: int) -> float:
        started = time.perf_counter()
        for i in range(n):
            with conn.cursor() as cursor:
                cursor.execute(statement, values[i % len(values)])
                cursor.fetchall()
            conn.commit()
        return 1000 * (time.perf_counter() - started) / n

    with psycopg.connect(database_url.replace("+psycopg", "")) as conn:
        for statement, values in shapes.items():
            run(conn, statement, values, runs // 10)  # warm, and prepared
            mean = run(conn, statement, values, runs)
            paths = sent_by[statement]
            print(f"{mean:7.3f} ms  sent by {len(paths)} path(s), e.g. {paths[0]}\n"
                  f"           {' '.join(statement.split())[:110]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare-ends", type=Path, metavar="REPLAY_FILE",
                        help="time a recorded file's reads ended by ROLLBACK and by COMMIT, then stop")
    parser.add_argument("--per-statement", type=Path, metavar="REPLAY_FILE",
                        help="time each SELECT of a recorded file on its own, then stop")
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()
    if args.compare_ends:
        compare_ends(args.compare_ends, os.environ["DATABASE_URL"])
        return
    if args.per_statement:
        per_statement(args.per_statement, os.environ["DATABASE_URL"])
        return
    if not args.out or not args.paths:
        parser.error("--out and at least one PATH are needed to record")
    captured = capture(args.paths, args.out)
    counts = sorted({len(s) for s in captured.values()})
    print(f"captured {len(captured)} paths, {counts[0]}-{counts[-1]} statements each, to {args.out}")


if __name__ == "__main__":
    main()

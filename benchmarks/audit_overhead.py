"""What auditing reads costs a page, and how fast `flask audit verify` walks the chain.

Times the same officer pages with the read-audit gate on and off (each response then writes one
chained audit row and commits), one request at a time with Flask's test client, and then
verifies the chain. A fresh database with the demo data: SQLite in a temporary folder, or
PostgreSQL when --postgres names a server (a scratch database is created and dropped).

    .venv/bin/python benchmarks/audit_overhead.py [--requests 200] [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _database(args, folder: Path) -> tuple[str, object]:
    if not args.postgres:
        return f"sqlite:///{folder / 'bench.sqlite'}", None
    import psycopg

    name = f"lr_audit_bench_{uuid.uuid4().hex[:8]}"
    admin = args.postgres.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{args.postgres.rsplit('/', 1)[0]}/{name}", drop


def _time(client, paths: list[str], requests: int) -> tuple[float, float]:
    """Return the median wall and CPU milliseconds per request over the paths in rotation."""
    walls, cpus = [], []
    for n in range(requests):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(paths[n % len(paths)])
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url, drop = _database(args, Path(folder))
        try:
            run(url, args.requests)
        finally:
            if drop:
                drop()


def run(url: str, requests: int) -> None:
    os.environ.update({"DATABASE_URL": url, "SESSION_COOKIE_SECURE": "0", "SECRET_KEY": "bench",
                       "LOGIN_RATE_LIMIT": "1000 per minute", "AUDIT_KEY": "bench-audit-key"})
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from portal import create_app
    from portal.auditor.verify import verify
    from portal.demo import load_demo
    from portal.extensions import db
    from portal.models import AuditEvent, Community, User

    app = create_app({"WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        passwords = load_demo().passwords
        email = next(e for e in passwords if e.startswith("officer"))
        officer = User.by_email(email)
        ids = db.session.scalars(officer.scope(select(Community.id), Community.area_id).limit(5)).all()
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": passwords[email]}).status_code == 302
    paths = {"list": ["/communities", "/communities?q=lewes"], "community": [f"/communities/{i}" for i in ids]}
    declared = {name: view.read_audit for name, view in app.view_functions.items() if hasattr(view, "read_audit")}
    print(f"database: {url.split('://')[0]}, {requests} requests per page and mode (median ms per request)")
    for page, rotation in paths.items():
        figures = {}
        for mode in ("off", "on", "off again", "on again"):
            for name, view in app.view_functions.items():
                if name in declared:
                    if mode.startswith("on"):
                        view.read_audit = declared[name]
                    elif hasattr(view, "read_audit"):
                        del view.read_audit
            figures[mode] = _time(client, rotation, requests)
        off = min(figures["off"][0], figures["off again"][0])
        on = min(figures["on"][0], figures["on again"][0])
        print(f"  {page:10} gate off {off:6.2f} ms wall ({figures['off'][1]:.2f} CPU)  "
              f"on {on:6.2f} ms wall ({figures['on'][1]:.2f} CPU)  cost {on - off:+.2f} ms")
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(AuditEvent))
        start = time.perf_counter()
        report = verify(db.session, app.config["AUDIT_KEY"])
        seconds = time.perf_counter() - start
    print(f"verify: {report.checked} rows ({rows} in the table) in {seconds:.3f} s, "
          f"{report.checked / seconds:,.0f} rows/s, {'intact' if report.ok else report.problem}")


if __name__ == "__main__":
    main()

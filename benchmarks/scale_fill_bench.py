"""How long does the scale generator take to fill PostgreSQL? (issue 25: CI time)

tests/portal/test_query_plans.py fills a database of its own with 60,000 communities before its
first test; that fill is most of the module's time in the PostgreSQL phase. This script does the
same fill in a throwaway database on the local server (TEST_POSTGRES_URL, as the tests use) and
prints the seconds of each 2,000-community chunk, of what follows the last one (the tallies'
merge, CLUSTER, VACUUM ANALYZE), the total, this process's CPU seconds and the load average.
Chunks that get slower one after another point at work that grows with what is already written.

    .venv/bin/python benchmarks/scale_fill_bench.py [--communities 60000]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def fill(url: str, communities: int) -> list[float]:
    """Migrate the database at `url` and fill it as test_query_plans.py does; return chunk times, then the rest."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db
    from portal.scale import generate

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "REDIS_URL": None,
                      "EXPORT_FOLDER": tempfile.mkdtemp()})
    marks = []
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        marks.append(time.perf_counter())
        generate(communities, contacts_per=2, events_per=3, seed=11,
                 progress=lambda _msg: marks.append(time.perf_counter()))
        marks.append(time.perf_counter())
        db.session.remove()
        db.engine.dispose()
    return [later - earlier for earlier, later in zip(marks, marks[1:], strict=False)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communities", type=int, default=60_000)
    args = parser.parse_args()
    name = f"lr_fill_bench_{uuid.uuid4().hex[:8]}"
    admin = POSTGRES_URL.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        started = time.process_time()
        times = fill(f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}", args.communities)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    chunks, rest = times[:-1], times[-1]
    print(f"{args.communities} communities, {len(chunks)} chunks: first {chunks[0]:.1f} s, "
          f"last {chunks[-1]:.1f} s, slowest {max(chunks):.1f} s")
    print(f"after the last chunk (tallies merge, CLUSTER, VACUUM ANALYZE): {rest:.1f} s")
    print(f"total {sum(times):.1f} s wall, {time.process_time() - started:.1f} s CPU in this process, "
          f"load {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()

"""Does the catalogue search stay flat? p50/p95 at 1,000 and 100,000 communities, SQLite and PostgreSQL.

For each database and size: a migrated database filled by the scale generator (``portal.scale``,
with one contact per community and no activity history: the search reads communities only, and
this keeps 100,000 communities to a few minutes), an officer of one area (scale-01: 20
communities at 1,000, 2,000 at 100,000) and a supervisor of all 50 areas (the force-wide search).
Then one request at a time through Flask's test client, in process, the four databases in turn
request by request (so that all four see the machine as it is within the same second):

- the community list's search as htmx asks for it (the results fragment), and as a full page;
- the quick log's type-ahead (an htmx fragment).

Terms in rotation: words that match many (park, road, club, forum, watch), a 2-letter term
(below the trigram index's 3 characters), a web address that matches one (``c<id>.``) and terms
that match nothing, punctuation and FTS syntax included. Prints p50/p95 wall ms per scenario and
the p95 ratio 100,000 / 1,000 (the target is <= 1.5), the same for CPU ms (this process's, which
other work on the machine moves less), and the load average.

    .venv/bin/python benchmarks/search_bench.py [--backends sqlite,postgresql] [--sizes 1000,100000]
        [--requests 200] [--reuse] [--dir /tmp] [--pg-name lr_search]

``--reuse`` keeps databases made by an earlier run (migrated to this version first).
``--compare-before`` adds the databases searched as before migration 0032 and the short-term
change (a copy of each SQLite file without the covering index; PostgreSQL with
``CATALOGUE_SHORT_TERMS_UNINDEXED`` off). ``--compare-like`` adds the SQLite databases searched without their FTS5 index (every row read,
as before migration 0029), so that before and after come from the same run. ``--compare-key``
adds the PostgreSQL databases searched without migration 0039's search key (a term with
punctuation looked up in search_text's trigram index, which drops the punctuation).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import psycopg

os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("LOGIN_RATE_LIMIT", "100000 per minute")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.web_load import PASSWORD, csrf_field  # noqa: E402

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
OFFICER = "search-officer@bench.example"
FORCE = "search-supervisor@bench.example"
WORDS = ("park", "road", "club", "forum", "watch")
#: Terms that match nothing: punctuation, quotes and FTS5 query syntax, which must be read as text.
LIKE = "sqlite, LIKE (no index)"
NO_KEY = "postgresql, without search key"
BEFORE = {"sqlite": "sqlite, before 0032", "postgresql": "postgresql, before"}
NOTHING = ('"club', "c*ub", "park:road", "^forum", "(club)", "-road", "zzqx", "clu\"b OR x")


#: PostgreSQL databases' name before the size (``--pg-name``: one set per engineer on a shared server).
PG_NAME = {"prefix": "lr_search"}


def database_url(backend: str, size: int, folder: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / f'lr_search_{size}.sqlite'}"
    name = f"{PG_NAME['prefix']}_{size}"
    return ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"


def fresh(backend: str, url: str) -> None:
    """Drop the database (or file) if there is one, and make it empty."""
    if backend == "sqlite":
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def exists(backend: str, url: str) -> bool:
    if backend == "sqlite":
        return Path(url.removeprefix("sqlite:///")).exists()
    with psycopg.connect(ADMIN_URL) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.rsplit("/", 1)[1],)).fetchone() is not None


def make_app(url: str, index: bool = True, short_unindexed: bool = True, key: bool = True):
    from portal import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SESSION_COOKIE_SECURE": False, "REDIS_URL": None,
                       "CATALOGUE_SEARCH_INDEX": index, "CATALOGUE_SHORT_TERMS_UNINDEXED": short_unindexed,
                       "CATALOGUE_SEARCH_KEY": key})


def before_app(backend: str, size: int, folder: Path):
    """The same data searched as before this change: SQLite without migration 0032's covering index
    (a copy of the file with it dropped), PostgreSQL with short terms free to use the trigram index."""
    url = database_url(backend, size, folder)
    if backend == "postgresql":
        return make_app(url, short_unindexed=False)
    import shutil
    import sqlite3

    from portal.models.search_index import COVERING_INDEX

    copy = folder / f"lr_search_{size}_before.sqlite"
    shutil.copyfile(url.removeprefix("sqlite:///"), copy)
    with sqlite3.connect(copy) as conn:
        conn.execute(f"DROP INDEX IF EXISTS {COVERING_INDEX}")
    return make_app(f"sqlite:///{copy}")


def prepare(backend: str, size: int, folder: Path, reuse: bool):
    """A migrated, filled database for one backend and size, and its app."""
    from flask_migrate import upgrade

    url = database_url(backend, size, folder)
    kept = reuse and exists(backend, url)
    if not kept:
        fresh(backend, url)
    app = make_app(url)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        if not kept:
            _fill(size)
    print(f"[{backend} {size}] {'reused' if kept else 'made'} {url.rsplit('/', 1)[1]}", flush=True)
    return app


def _fill(size: int) -> None:
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Area, User
    from portal.scale import generate

    started = time.perf_counter()
    generate(size, contacts_per=1, events_per=0)
    areas = list(db.session.scalars(select(Area).where(Area.slug.like("scale-%")).order_by(Area.slug)))
    for email, role, theirs in ((OFFICER, "officer", areas[:1]), (FORCE, "supervisor", areas)):
        user = User(email=email, role=role, display_name=role.title())
        user.set_password(PASSWORD)
        user.areas.extend(theirs)
        db.session.add(user)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
            auto.exec_driver_sql("VACUUM ANALYZE")
    print(f"  filled with {size:,} communities in {time.perf_counter() - started:.0f}s", flush=True)


def sign_in(app, email: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf_field(page)})
    if response.status_code not in (302, 303):
        raise SystemExit(f"sign-in as {email} failed: {response.status_code}")
    return client


def term_class(q: str) -> str:
    if q in WORDS:
        return "words"
    if q in NOTHING:
        return "no match"
    return "2 letters" if len(q) < 3 else "address"


def terms(app) -> list[str]:
    """The rotation: words, a short term, three single-community addresses, terms that match nothing."""
    from sqlalchemy import text

    from portal.extensions import db

    with app.app_context():
        ids = db.session.scalars(text("SELECT c.id FROM communities c JOIN areas a ON a.id = c.area_id "
                                      "WHERE a.slug = 'scale-01' AND c.status = 'active' ORDER BY c.id LIMIT 3")).all()
    return [*WORDS, "pa", *[f"c{i}." for i in ids], *NOTHING]


SCENARIOS = {
    # name: (who, path for a term, htmx?)
    "list search, htmx (officer, 1 area)": (OFFICER, lambda q: "/communities?" + urlencode({"q": q}), True),
    "list search, page (officer, 1 area)": (OFFICER, lambda q: "/communities?" + urlencode({"q": q}), False),
    "type-ahead (officer, 1 area)": (OFFICER, lambda q: "/contacts/communities?" + urlencode({"community_q": q}), True),
    "list search, htmx (supervisor, 50 areas)": (FORCE, lambda q: "/communities?" + urlencode({"q": q}), True),
    "type-ahead (supervisor, 50 areas)": (FORCE, lambda q: "/contacts/communities?" + urlencode({"community_q": q}), True),
}


def measure(targets: dict, requests: int) -> tuple[dict, dict]:
    """Wall and CPU ms per request, by (scenario, target): targets take turns request by request.
    CPU is this process's (the request runs in it, SQLite included): less moved by other work
    on the machine than wall time."""
    times: dict = {}
    cpu: dict = {}
    for scenario, (who, path_of, htmx) in SCENARIOS.items():
        clients = {key: sign_in(app, who) for key, app in targets.items()}
        rotation = {key: terms(app) for key, app in targets.items()}
        headers = {"HX-Request": "true"} if htmx else {}
        for key, client in clients.items():  # warm: templates compiled, statements cached
            for q in rotation[key]:
                client.get(path_of(q), headers=headers)
        for i in range(requests):
            for key, client in clients.items():
                q = rotation[key][i % len(rotation[key])]
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(path_of(q), headers=headers)
                elapsed, used = time.perf_counter() - started, time.process_time() - started_cpu
                if response.status_code != 200:
                    raise SystemExit(f"{scenario} {key} {q!r}: HTTP {response.status_code}")
                times.setdefault((scenario, key), []).append(1000 * elapsed)
                times.setdefault((scenario, key, term_class(q)), []).append(1000 * elapsed)
                cpu.setdefault((scenario, key), []).append(1000 * used)
                cpu.setdefault((scenario, key, term_class(q)), []).append(1000 * used)
    return times, cpu


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def report(times: dict, backends: list[str], sizes: list[int], what: str = "wall") -> None:
    print(f"\n{what} ms per request:")
    print("| scenario | database | " + " | ".join(f"{s:,}: p50, p95 ms" for s in sizes)
          + f" | p95 {sizes[-1]:,} / {sizes[0]:,} |")
    print("|---|---|" + "---:|" * (len(sizes) + 1))
    for scenario in SCENARIOS:
        for backend in backends:
            cells, p95s = [], []
            for size in sizes:
                values = times[(scenario, (backend, size))]
                p95s.append(p95(values))
                cells.append(f"{statistics.median(values):.1f}, {p95s[-1]:.1f}")
            print(f"| {scenario} | {backend} | {' | '.join(cells)} | {p95s[-1] / p95s[0]:.2f} |")
    classes = ("words", "address", "no match", "2 letters")
    print(f"\nBy kind of term, {what} p95 ms at each size (" + ", ".join(f"{s:,}" for s in sizes) + "):")
    print("| scenario | database | " + " | ".join(classes) + " |")
    print("|---|---|" + "---:|" * len(classes))
    for scenario in SCENARIOS:
        for backend in backends:
            cells = [" / ".join(f"{p95(times[(scenario, (backend, size), kind)]):.1f}" for size in sizes)
                     for kind in classes]
            print(f"| {scenario} | {backend} | {' | '.join(cells)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--requests", type=int, default=200, help="requests per scenario and database")
    parser.add_argument("--dir", type=Path, default=Path("/tmp"), help="where the SQLite files go")
    parser.add_argument("--reuse", action="store_true", help="keep databases an earlier run made")
    parser.add_argument("--pg-name", default="lr_search",
                        help="PostgreSQL databases' name before the size (lr_search_1000, lr_search_100000)")
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument("--compare-like", action="store_true",
                        help="also search the SQLite databases without the FTS5 index (CATALOGUE_SEARCH_INDEX off)")
    parser.add_argument("--compare-key", action="store_true",
                        help="also search the PostgreSQL databases without migration 0039's search key "
                             "(CATALOGUE_SEARCH_KEY off: punctuated terms on search_text's trigram index)")
    parser.add_argument("--compare-before", action="store_true",
                        help="also search as before issue 26's third round (SQLite without migration 0032's "
                             "covering index; PostgreSQL with short terms on the trigram index)")
    args = parser.parse_args()
    PG_NAME["prefix"] = args.pg_name
    backends = [b.strip() for b in args.backends.split(",")]
    sizes = [int(s) for s in args.sizes.split(",")]
    targets = {(b, s): prepare(b, s, args.dir, args.reuse) for b in backends for s in sizes}
    if args.compare_like and "sqlite" in backends:  # the same SQLite files, searched by LIKE (as before 0029)
        backends.insert(backends.index("sqlite") + 1, LIKE)
        targets |= {(LIKE, s): make_app(database_url("sqlite", s, args.dir), index=False) for s in sizes}
    if args.compare_key and "postgresql" in backends:  # the same databases, punctuation unseen by the index
        backends.insert(backends.index("postgresql") + 1, NO_KEY)
        targets |= {(NO_KEY, s): make_app(database_url("postgresql", s, args.dir), key=False) for s in sizes}
    if args.compare_before:  # this change's before, on the same data, in the same run
        for backend in [b for b in backends if b in BEFORE]:
            backends.insert(backends.index(backend) + 1, BEFORE[backend])
            targets |= {(BEFORE[backend], s): before_app(backend, s, args.dir) for s in sizes}
    if args.prepare_only:
        return
    print(f"machine: {os.cpu_count()} CPUs, load average before: {os.getloadavg()}", flush=True)
    times, cpu = measure(targets, args.requests)
    print(f"load average after: {os.getloadavg()}")
    report(times, backends, sizes)
    report(cpu, backends, sizes, "CPU")


if __name__ == "__main__":
    main()

"""Load on the main pages with wrk, against gunicorn on PostgreSQL, beside a bare-Flask ceiling.

For each data-set size: make a PostgreSQL database, migrate, fill it with the scale
generator, start gunicorn (gunicorn.conf.py, benchmarks/bench_wsgi.py) and sign in as an
officer (and a researcher for the charts). Then run wrk for a fixed time on each page, at
each size in turn (page by page, so that both sizes of a page see the machine as it is
then), always on 127.0.0.1, with the ceiling loaded first and again last. Prints requests/s
and p50/p95/p99 per page and writes JSON.

    .venv/bin/python benchmarks/web_load.py --sizes 1000,100000 --duration 10 [--charts all]

Pages that do not exist yet in this version of the portal are reported as missing.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
BIN = Path(PY).parent
LUA = ROOT / "benchmarks" / "wrk" / "session.lua"
UA = "local-reach-bench"
PASSWORD = "bench-password-not-secret-42"
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def sh(args: list[str], env: dict, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, check=True, capture_output=True, text=True, **kw)


def prepare(size: int, reuse: bool) -> str:
    """Create (or reuse) the database for one size; return its SQLAlchemy URL."""
    # BENCH_DB_PREFIX: a copy of the database for a branch with its own migrations (CREATE DATABASE
    # lr_mine_100000 TEMPLATE lr_bench_100000), so that its upgrade leaves the shared one alone.
    name = f"{os.environ.get('BENCH_DB_PREFIX', 'lr_bench')}_{size}"
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not (exists and reuse):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    if exists and reuse:
        sh([*flask, "db", "upgrade"], env)  # a database from an older version gets this version's schema
        # Earlier runs' POSTs and views left dead rows behind; a server with autovacuum off (as
        # the CI machine's) would carry them into this run, one with it on would not.
        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        print(f"[{size}] reusing database {name} (migrated to this version, vacuumed)")
        return url
    sh([*flask, "init-db"], env)
    started = time.perf_counter()
    out = sh([*flask, "demo", "--scale", str(size)], env).stdout
    print(f"[{size}] generated in {time.perf_counter() - started:.0f}s: "
          + ", ".join(line.strip() for line in out.splitlines() if re.match(r"\s+\w+\s+[\d,]+$", line)))
    for email, role, area in (("bench-officer@bench.example", "officer", "scale-01"),
                              ("bench-researcher@bench.example", "researcher", None)):
        sh([*flask, "users", "create", email, "--role", role, "--password-stdin",
            *(["--area", area] if area else [])], env, input=PASSWORD + "\n")
    return url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, port: int, workers: int | None, research_cache: int | None = None,
                   replay_file: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": "0",
           "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_ACCESS_LOG": "", "LOG_LEVEL": "WARNING",
           "LOGIN_RATE_LIMIT": "1000 per minute", "GUNICORN_MAX_REQUESTS": "0"}
    if workers:
        env["GUNICORN_WORKERS"] = str(workers)
    if research_cache is not None:
        env["RESEARCH_CACHE_SECONDS"] = str(research_cache)
    if replay_file is not None:
        env["BENCH_REPLAY_FILE"] = str(replay_file)
    proc = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "benchmarks.bench_wsgi:app"],
                            cwd=ROOT, env=env)
    return wait_healthy(proc, port)


def wait_healthy(proc: subprocess.Popen, port: int) -> subprocess.Popen:
    """Return the gunicorn process once /healthz answers (within a minute), else stop it and raise."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("gunicorn did not become healthy")


def stop(proc: subprocess.Popen) -> None:
    """Stop a gunicorn (or proxy) process: TERM, and KILL if it has not ended within a minute
    (on a busy machine its workers can still be finishing the last requests of a load)."""
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)


#: The bench officer's communities (the pages loaded), and the community-list searches in rotation.
OFFICER_COMMUNITIES_SQL = ("SELECT c.id FROM communities c JOIN areas a ON a.id = c.area_id WHERE a.slug = 'scale-01' "
                           "AND c.status = 'active' ORDER BY c.id LIMIT 200")
LISTING_PATHS = ["/communities?" + urlencode({"q": q, "stage": stage})
                 for q in ("Forum", "Club", "Residents", "Park") for stage in ("", "two_way", "approached")]
# The catalogue's first page, unsearched, by stage: a full page of rows at both sizes (the
# searches above match few or none of the 20 communities an area has at 1,000, so there the
# search scenario mostly renders empty result pages, and its p95 ratio compares unlike work).
BROWSE_PATHS = ["/communities?" + urlencode({"stage": stage}) for stage in ("", "identified", "approached")]
ROW_MARK = 'class="lr-community-row"'
TYPE_AHEAD = "quick-log community search (type-ahead)"
HOME = "home"
QUICK_LOG_FORM = "quick-log form"
FOLLOW_UPS = "follow-ups"
HTMX_PAGES = {TYPE_AHEAD}  # requested as htmx does (HX-Request), answered with a fragment


def csrf_field(page: str) -> str:
    """The sign-in form's CSRF token ('' when the form has none)."""
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    return token.group(1) if token else ""


def sign_in(base: str, email: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, headers={"User-Agent": UA}, timeout=30)
    response = client.post("/login", data={"email": email, "password": PASSWORD,
                                           "csrf_token": csrf_field(client.get("/login").text)})
    if response.status_code not in (302, 303):
        raise RuntimeError(f"sign-in as {email} failed: {response.status_code}")
    home = client.get("/home").text
    csrf = re.search(r'X-CSRFToken&#34;: &#34;([^&]+)&#34;|"X-CSRFToken": "([^"]+)"|csrf-token" content="([^"]+)"', home)
    return client, next((g for g in (csrf.groups() if csrf else ()) if g), "")


def cookie_header(client: httpx.Client) -> str:
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def wrk(base: str, paths: list[str], duration: int, connections: int, threads: int, cookie: str = "",
        csrf: str = "", method: str = "GET", bodies: list[str] | None = None, htmx: bool = False) -> dict:
    env = {**os.environ, "BENCH_PATHS": "|".join(paths), "BENCH_COOKIE": cookie, "BENCH_CSRF": csrf,
           "BENCH_METHOD": method, "BENCH_HX": "1" if htmx else ""}
    if bodies:  # POSTs spread over the bodies (each community gets a share of the logged contacts)
        env["BENCH_BODY"] = "|".join(bodies)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
                          "-s", str(LUA), base], env=env, capture_output=True, text=True, check=True).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children alive now, from /proc."""
    def own(p: int) -> float:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    total = own(pid)
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            total += own(int(child))
    return total


def routes(client: httpx.Client) -> set[str]:
    """Which pages exist in this version (probe; 404 means not built yet)."""
    found = set()
    for path in ("/communities", "/contacts/new", "/research", "/research/funnel", "/follow-ups"):
        if client.get(path).status_code != 404:
            found.add(path)
    return found


def chart_slugs(choice: str) -> list[str]:
    """The research charts to load: a comma-separated list of page slugs, or "all"."""
    sys.path.insert(0, str(ROOT))
    from portal.research.pages import PAGES

    slugs = list(PAGES) if choice == "all" else [s.strip() for s in choice.split(",") if s.strip()]
    unknown = [s for s in slugs if s not in PAGES]
    if unknown:
        raise SystemExit(f"unknown research chart(s) {', '.join(unknown)}; choose from {', '.join(PAGES)} or all")
    return slugs


def officer_communities(url: str) -> list[int]:
    """The bench officer's communities in rotation (OFFICER_COMMUNITIES_SQL)."""
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        return [r[0] for r in conn.execute(OFFICER_COMMUNITIES_SQL)]


def officer_pages(ids: list[int]) -> dict[str, list[str]]:
    """The officer's GET pages loaded, by scenario name, each with its paths in rotation."""
    return {
        "floor: signed-in page, layout only": ["/accessibility"],
        HOME: ["/home"],
        "community list (search + filter)": LISTING_PATHS,
        "community list (first page, no search)": BROWSE_PATHS,
        # A community's web address typed or pasted into the search: one match at both sizes, so
        # this ratio compares equal work (the word searches above find 1.2 rows a page at 1,000
        # and 21.8 at 100,000), while the search still reads the whole area's communities.
        "community list (search by web address)": ["/communities?" + urlencode({"q": f"c{i}."}) for i in ids[:50]],
        "community page": [f"/communities/{i}" for i in ids],
        # The quick log's community search as an officer types it on a phone (htmx asks for the
        # options fragment): words that match many, and web addresses that match one.
        TYPE_AHEAD: ["/contacts/communities?" + urlencode({"community_q": q})
                     for q in ["forum", "club", "park", "resi", *[f"c{i}." for i in ids[:8]]]],
        QUICK_LOG_FORM: ["/contacts/new"],
        FOLLOW_UPS: ["/follow-ups"],
    }


def capture_replay(url: str, pages: dict[str, list[str]], out: Path) -> None:
    """Record the SQL of every officer GET path (benchmarks/sql_replay.py) for its bare-Flask peer."""
    paths = sorted({path for paths in pages.values() for path in paths})
    sh([PY, str(ROOT / "benchmarks" / "sql_replay.py"), "--out", str(out), *paths],
       {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"})


def scenarios(officer: httpx.Client, researcher: httpx.Client, ids: list[int], charts: list[str]) -> list[dict]:
    """The pages to load, each checked once by hand before wrk hammers it.

    Each officer GET page is followed by its peer: the same SQL with the same values on bare
    Flask and raw psycopg, rendering the ceiling's template (benchmarks/sql_replay.py).
    """
    pages = officer_pages(ids)
    present = routes(officer) | routes(researcher)
    needs = {name: "/communities" for name in pages if name.startswith("community")} | {
        TYPE_AHEAD: "/contacts/new", QUICK_LOG_FORM: "/contacts/new", FOLLOW_UPS: "/follow-ups"}

    def with_peer(name: str) -> list[dict]:
        return [{"name": name, "client": officer, "paths": pages[name], "needs": needs.get(name),
                 "htmx": name in HTMX_PAGES},
                {"name": f"{name}: its SQL alone", "client": None, "peer_of": name,
                 "paths": ["/_replay" + path for path in pages[name]], "needs": needs.get(name)}]

    plan = [
        {"name": "ceiling: bare Flask, 50-row template", "client": None, "paths": ["/_ceiling/"]},
        # Floors: what the portal costs before a page does any work of its own (its request hooks,
        # security headers and session; then the layout), to show where the ceiling's throughput goes.
        {"name": "floor: /healthz (hooks + SELECT 1)", "client": None, "paths": ["/healthz"]},
        *[entry for name in pages for entry in with_peer(name)],
        {"name": "quick-log contact (POST)", "client": officer, "method": "POST", "paths": ["/contacts/new"],
         "needs": "/contacts/new", "bodies": [urlencode({
             "community_id": i, "channel": "group_post", "direction": "outbound", "purpose": "inform",
             "outcome": "pending", "message_text": "Beat surgery on Saturday at 10."}) for i in ids or [""]]},
        *[{"name": f"research chart ({slug})", "client": researcher, "paths": [f"/research/{slug}"],
           "needs": "/research/funnel"} for slug in charts],
        # Again at the end: the share of the ceiling is of the mean of both (the machine drifts).
        {"name": "ceiling, again at the end", "client": None, "paths": ["/_ceiling/"]},
    ]
    for item in plan:
        item["missing"] = bool(item.get("needs")) and item["needs"] not in present
    return plan


def check(item: dict, base: str) -> str | None:
    """One request by hand: the page must answer 2xx/3xx (not the sign-in page)."""
    client = item["client"] or httpx.Client(base_url=base)
    if item.get("method") == "POST":
        response = client.post(item["paths"][0], content=item["bodies"][0],
                               headers={"Content-Type": "application/x-www-form-urlencoded",
                                        "X-CSRFToken": item.get("csrf", "")})
    else:
        response = client.get(item["paths"][0], headers={"HX-Request": "true"} if item.get("htmx") else None)
    if response.status_code >= 400 or "/login" in str(response.url):
        return f"HTTP {response.status_code} at {response.url}"
    if item["paths"][0].startswith("/communities?"):  # how much a list page shows, for comparing sizes
        shown = [client.get(path).text.count(ROW_MARK) for path in item["paths"]]
        item["rows_per_page"] = sum(shown) / len(shown)
    return None


def start_size(size: int, args) -> dict:
    """Database, gunicorn and signed-in clients for one size, and the pages to load there."""
    url = prepare(size, args.reuse)
    ids = officer_communities(url)
    replay_file = Path(tempfile.gettempdir()) / f"lr_bench_{size}_replay.pickle"
    capture_replay(url, officer_pages(ids), replay_file)
    port = free_port()
    proc = start_gunicorn(url, port, args.workers, args.research_cache, replay_file)
    base = f"http://127.0.0.1:{port}"
    try:
        officer, csrf = sign_in(base, "bench-officer@bench.example")
        researcher, _ = sign_in(base, "bench-researcher@bench.example")
        plan = scenarios(officer, researcher, ids, args.chart_slugs)
    except BaseException:
        proc.terminate()
        raise
    return {"size": size, "proc": proc, "base": base, "csrf": csrf, "plan": plan}


def run_item(state: dict, item: dict, args) -> dict:
    """wrk on one page of one size; the figures as a row."""
    size, proc, base, csrf = state["size"], state["proc"], state["base"], state["csrf"]
    row = {"size": size, "page": item["name"]}
    if item.get("peer_of"):
        row["peer_of"] = item["peer_of"]
    if item["missing"]:
        row["missing"] = True
        print(f"[{size}] {item['name']:40} MISSING (no such page in this version)")
        return row
    item["csrf"] = csrf
    problem = check(item, base)
    if problem:
        row["error"] = problem
        print(f"[{size}] {item['name']:40} ERROR {problem}")
        return row
    if "rows_per_page" in item:
        row["rows_per_page"] = item["rows_per_page"]
    cpu_before = cpu_seconds(proc.pid)
    figures = wrk(base, item["paths"], args.duration, args.connections, args.threads,
                  cookie=cookie_header(item["client"]) if item["client"] else "", csrf=csrf,
                  method=item.get("method", "GET"), bodies=item.get("bodies"), htmx=item.get("htmx", False))
    # Web-process CPU per request: unlike req/s, it hardly depends on how busy the machine is.
    figures["cpu_ms_per_request"] = 1000 * (cpu_seconds(proc.pid) - cpu_before) / max(1, figures["requests"])
    figures["load_average"] = os.getloadavg()[0]
    row.update(figures)
    if not figures["requests"]:
        row["error"] = f"no request completed within the {args.duration} s run"
        print(f"[{size}] {item['name']:40} {row['error']}")
        return row
    print(f"[{size}] {_label(row):40} {figures['rps']:8.1f} req/s  p50 {figures['p50_ms']:7.1f} ms  "
          f"p95 {figures['p95_ms']:7.1f} ms  p99 {figures['p99_ms']:7.1f} ms  "
          f"web CPU {figures['cpu_ms_per_request']:5.1f} ms/req  load {figures['load_average']:.1f}  "
          f"(bad status {figures['bad_status']}, socket errors {figures['socket_errors']})", flush=True)
    return row


def warm_up(state: dict, args) -> None:
    """Load every GET page briefly, figures discarded, before anything is measured.

    Fresh gunicorn workers compile templates, open database connections and fill SQLAlchemy's
    statement cache on their first requests; without this the first page measured (the
    ceiling) paid for it (p99 of 310-680 ms against 11 ms in its run at the end).
    """
    if args.warmup <= 0:
        return
    for item in state["plan"]:
        if item["missing"] or item.get("method", "GET") != "GET":
            continue
        wrk(state["base"], item["paths"], args.warmup, args.connections, args.threads,
            cookie=cookie_header(item["client"]) if item["client"] else "", htmx=item.get("htmx", False))


def run_interleaved(sizes: list[int], args) -> list[dict]:
    """Every size's server up at once, and each page loaded at each size in turn (page by page).

    A shared machine's speed drifts over minutes (a neighbour's load; the ceiling has been seen
    to drop by a third between the two halves of a run), so running one size after the other
    would put the drift into the p95 ratio; interleaved, both sizes of a page see the same
    machine within seconds. The servers not being loaded sit idle.
    """
    states = []
    try:
        for size in sizes:
            states.append(start_size(size, args))
        for state in states:
            warm_up(state, args)
        results = []
        for index in range(len(states[0]["plan"])):
            for state in states:
                results.append(run_item(state, state["plan"][index], args))
        return results
    finally:
        for state in states:
            state["proc"].terminate()
            state["proc"].wait(timeout=30)


def _label(row: dict) -> str:
    """The page's name, with how many rows a list page showed on average (sizes compare like with like?)."""
    return f"{row['page']}, {row['rows_per_page']:.1f} rows/page" if "rows_per_page" in row else row["page"]


def summary(results: list[dict]) -> None:
    print("\n(% of ceiling: of the mean of the ceiling's two runs at that size; % of its SQL alone: of the"
          " same size's bare-Flask replay of the page's own statements)")
    print("| communities | page | req/s | % of ceiling | % of its SQL alone | p50 ms | p95 ms | p99 ms | web CPU ms/req |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    peers = {(r["size"], r["peer_of"]): r["rps"] for r in results if r.get("peer_of") and r.get("requests")}
    measured: dict[int, list[float]] = {}
    for r in results:
        if r["page"].startswith("ceiling") and r.get("requests"):
            measured.setdefault(r["size"], []).append(r["rps"])
    ceilings = {size: sum(rps) / len(rps) for size, rps in measured.items()}
    results = sorted(results, key=lambda r: r["size"])  # each size's pages together, in the order run
    for r in results:
        if "rps" not in r or not r.get("requests"):
            print(f"| {r['size']:,} | {r['page']} | {'missing' if r.get('missing') else r.get('error')} | | | | | | |")
            continue
        share = 100 * r["rps"] / ceilings[r["size"]] if ceilings.get(r["size"]) else 0
        peer = peers.get((r["size"], r["page"]))
        of_peer = f"{100 * r['rps'] / peer:.0f}%" if peer else ""
        print(f"| {r['size']:,} | {_label(r)} | {r['rps']:.1f} | {share:.0f}% | {of_peer} | {r['p50_ms']:.1f} | "
              f"{r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['cpu_ms_per_request']:.1f} |")
    sizes = sorted(ceilings)
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        print(f"\np95 at {large:,} / p95 at {small:,} (target ≤ 1.5):")
        for r in results:
            if r["size"] == large and r.get("requests"):
                base = next((s for s in results if s["size"] == small and s["page"] == r["page"]
                             and s.get("requests")), None)
                if base:
                    print(f"  {r['page']:40} {r['p95_ms'] / base['p95_ms']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,100000", help="community counts, comma-separated")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--warmup", type=int, default=1, metavar="SECONDS",
                        help="unmeasured load on each GET page of each size before the runs (0: none)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py)")
    parser.add_argument("--charts", default="funnel",
                        help="research charts to load: comma-separated page slugs (e.g. funnel,trajectories) or all")
    parser.add_argument("--research-cache", type=int, default=None, metavar="SECONDS",
                        help="RESEARCH_CACHE_SECONDS for the portal (default: its own, 300; 0: recount every request)")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing lr_bench_<size> database")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--prepare-only", action="store_true", help="create and fill the databases, then stop")
    args = parser.parse_args()
    args.chart_slugs = chart_slugs(args.charts)  # an unknown chart fails here, before any database is touched
    if not args.prepare_only and shutil.which("wrk") is None:
        raise SystemExit("wrk (the load generator) is not installed: apt-get install -y wrk")
    if args.prepare_only:
        for size in (int(s) for s in args.sizes.split(",")):
            prepare(size, args.reuse)
        return
    print(f"machine: {os.cpu_count()} CPUs, load average before: {os.getloadavg()}")
    results = run_interleaved([int(s) for s in args.sizes.split(",")], args)
    print(f"load average after: {os.getloadavg()}")
    summary(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

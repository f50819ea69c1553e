"""Issue 26 target 4: how many active officers one machine serves at p95 <= 200 ms.

An active officer sends one request every 10 seconds on average (arrivals at random, as many
independent people's are: a Poisson stream of officers / 10 requests a second), drawn from this
mix of an officer's day on a phone:

    community page 25 %, home 15 %, community list search 15 %, list first page by stage 10 %,
    quick-log type-ahead (htmx) 10 %, quick-log form 10 %, quick-log POST (a contact) 10 %,
    follow-ups 5 %

Each request's time runs from when it was due, not from when the client got round to it, so a
server that falls behind shows it (no coordinated omission). The number of officers doubles from
``--start`` until a step fails (p95 over the budget, or more than 1 % errors), then the gap between
the last pass and the first failure is halved ``--refine`` times. The answer is the largest
number that passed. Setups (``--setups``):

- ``sqlite``: one gunicorn (gunicorn.conf.py) on a SQLite file (made with ``flask demo --scale``);
- ``postgresql``: one gunicorn on ``lr_bench_<size>`` (web_load.py's database);
- ``two-web``: two gunicorn processes on separate ports sharing that PostgreSQL and Redis
  (``BENCH_REDIS_URL``, default redis://127.0.0.1:6379/0), behind a round-robin TCP proxy on
  loopback (this script, in its own process): two web machines, squeezed onto this one.

The load generator (asyncio + aiohttp) runs on the same machine and takes some of its CPU.

    .venv/bin/python benchmarks/capacity.py [--setups sqlite,postgresql,two-web] [--size 100000]
        [--step-seconds 30] [--min-requests 200] [--start 50] [--max 6400] [--refine 2] [--budget-ms 200]
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.web_load import (  # noqa: E402
    BIN, BROWSE_PATHS, LISTING_PATHS, PASSWORD, PY, ROOT, UA, cookie_header, free_port, officer_communities,
    prepare, sh, sign_in, start_gunicorn, stop, wait_healthy,
)

OFFICER = "bench-officer@bench.example"
WARM_SECONDS = 2.0
SESSIONS = 16  # signed-in devices the officers' requests are spread over
#: (weight %, name): the mix of an officer's requests.
MIX = ((25, "community page"), (15, "home"), (15, "community list search"), (10, "list first page"),
       (10, "type-ahead"), (10, "quick-log form"), (10, "quick-log POST"), (5, "follow-ups"))


def requests_for(ids: list[int]) -> dict[str, list[tuple[str, str, str | None, bool]]]:
    """Each kind of request: (method, path, form body, htmx?) in rotation."""
    post = [urlencode({"community_id": i, "channel": "group_post", "direction": "outbound", "purpose": "inform",
                       "outcome": "pending", "message_text": "Beat surgery on Saturday at 10."}) for i in ids[:50]]
    return {
        "community page": [("GET", f"/communities/{i}", None, False) for i in ids],
        "home": [("GET", "/home", None, False)],
        "community list search": [("GET", p, None, False) for p in LISTING_PATHS],
        "list first page": [("GET", p, None, False) for p in BROWSE_PATHS],
        "type-ahead": [("GET", "/contacts/communities?" + urlencode({"community_q": q}), None, True)
                       for q in ("forum", "club", "park", "resi", *[f"c{i}." for i in ids[:8]])],
        "quick-log form": [("GET", "/contacts/new", None, False)],
        "quick-log POST": [("POST", "/contacts/new", body, False) for body in post],
        "follow-ups": [("GET", "/follow-ups", None, False)],
    }


async def _step(base: str, sessions: list[tuple[str, str]], kinds: dict, officers: int, seconds: float,
                seed: int) -> dict:
    """Send officers / 10 requests a second (Poisson) for ``seconds``; latency from each request's due time."""
    import aiohttp

    rng = random.Random(seed)
    names = [name for weight, name in MIX for _ in range(weight)]
    rate = officers / 10
    latencies: list[float] = []
    errors = 0
    warm = WARM_SECONDS  # requests due in the first seconds are sent but not counted (connections, caches)

    async def one(session: aiohttp.ClientSession, due: float, counted: bool) -> None:
        nonlocal errors
        cookie, csrf = sessions[rng.randrange(len(sessions))]
        method, path, body, htmx = rng.choice(kinds[rng.choice(names)])
        headers = {"Cookie": cookie, "User-Agent": UA}
        if htmx:
            headers["HX-Request"] = "true"
        if method == "POST":
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": csrf}
        try:
            async with session.request(method, base + path, data=body, headers=headers,
                                       allow_redirects=False) as response:
                await response.read()
                ok = response.status < 400
        except (TimeoutError, aiohttp.ClientError):
            ok = False
        if counted:
            latencies.append(1000 * (time.perf_counter() - due))
            errors += not ok

    connector = aiohttp.TCPConnector(limit=256, force_close=True)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()) as s:
        tasks = []
        start = time.perf_counter()
        due = start
        while due < start + seconds:
            due += rng.expovariate(rate)
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(s, due, due - start >= warm)))
        await asyncio.gather(*tasks)
    latencies.sort()
    n = len(latencies)
    return {"officers": officers, "requests": n, "rate": rate, "errors": errors,
            "p50": statistics.median(latencies) if n else 0.0,
            "p95": latencies[min(n - 1, int(0.95 * n))] if n else 0.0,
            "p99": latencies[min(n - 1, int(0.99 * n))] if n else 0.0, "load": os.getloadavg()[0]}


async def _warm(base: str, sessions, kinds: dict, rounds: int) -> None:
    """Send every kind of request ``rounds`` times, 8 at once, figures discarded: fresh workers
    compile templates, open connections and fill statement caches on their first requests."""
    import aiohttp

    gate = asyncio.Semaphore(8)

    async def one(session: aiohttp.ClientSession, n: int, method: str, path: str, body: str | None, htmx: bool):
        cookie, csrf = sessions[n % len(sessions)]
        headers = {"Cookie": cookie, "User-Agent": UA, "X-CSRFToken": csrf}
        if htmx:
            headers["HX-Request"] = "true"
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        async with gate, session.request(method, base + path, data=body, headers=headers,
                                         allow_redirects=False) as response:
            await response.read()

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True),
                                     cookie_jar=aiohttp.DummyCookieJar()) as session:
        await asyncio.gather(*(one(session, n, *choices[n % len(choices)])
                               for choices in kinds.values() for n in range(rounds)))


def measure(base: str, sessions, kinds, officers: int, args) -> dict:
    # A p95 needs enough requests behind it: a step lasts long enough to expect --min-requests counted ones.
    seconds = max(args.step_seconds, WARM_SECONDS + args.min_requests / (officers / 10))
    result = asyncio.run(_step(base, sessions, kinds, officers, seconds, seed=officers))
    result["passed"] = result["p95"] <= args.budget_ms and result["errors"] <= 0.01 * max(1, result["requests"])
    print(f"  {officers:6,} officers ({result['rate']:6.1f} req/s): {result['requests']:6,} requests, "
          f"p50 {result['p50']:7.1f}  p95 {result['p95']:7.1f}  p99 {result['p99']:7.1f} ms, "
          f"{result['errors']} errors, load {result['load']:.1f}  {'pass' if result['passed'] else 'FAIL'}",
          flush=True)
    return result


def find_capacity(base: str, sessions, kinds, args) -> tuple[int, list[dict]]:
    """Double until a step fails, then halve the gap ``--refine`` times; return the largest passing count."""
    steps, passed, failed = [], 0, None
    officers = args.start
    while officers <= args.max:
        steps.append(measure(base, sessions, kinds, officers, args))
        if not steps[-1]["passed"]:
            failed = officers
            break
        passed, officers = officers, officers * 2
    for _ in range(args.refine if failed else 0):
        middle = (passed + failed) // 2
        if middle in (passed, failed):
            break
        steps.append(measure(base, sessions, kinds, middle, args))
        passed, failed = (middle, failed) if steps[-1]["passed"] else (passed, middle)
    return passed, steps


def sqlite_database(size: int) -> str:
    """A SQLite file with ``size`` communities and the bench officer (made once, reused after)."""
    path = Path(os.environ.get("BENCH_SQLITE_DIR", "/tmp")) / f"lr_capacity_{size}.sqlite"
    url = f"sqlite:///{path}"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    if path.exists():
        sh([*flask, "db", "upgrade"], env)
        return url
    sh([*flask, "init-db"], env)
    sh([*flask, "demo", "--scale", str(size)], env)
    sh([*flask, "users", "create", OFFICER, "--role", "officer", "--password-stdin", "--area", "scale-01"], env,
       input=PASSWORD + "\n")
    return url


def sqlite_officer_communities(url: str) -> list[int]:
    import sqlite3

    from benchmarks.web_load import OFFICER_COMMUNITIES_SQL

    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return [row[0] for row in conn.execute(OFFICER_COMMUNITIES_SQL)]


def start_setup(setup: str, args) -> tuple[str, list[subprocess.Popen], list[int]]:
    """Start the servers of one setup; return the base URL, the processes and the officer's communities."""
    if setup == "sqlite":
        url = sqlite_database(args.size)
        port = free_port()
        return f"http://127.0.0.1:{port}", [start_gunicorn(url, port, args.workers)], sqlite_officer_communities(url)
    url = prepare(args.size, reuse=True)
    ids = officer_communities(url)
    if setup == "postgresql":
        port = free_port()
        return f"http://127.0.0.1:{port}", [start_gunicorn(url, port, args.workers)], ids
    os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")  # both web processes
    try:
        procs = []
        for _ in range(2):
            port = free_port()
            procs.append((start_gunicorn(url, port, args.workers_each), port))
    finally:
        del os.environ["REDIS_URL"]
    listen = free_port()
    proxy = subprocess.Popen([PY, __file__, "--proxy", str(listen), ",".join(str(p) for _, p in procs)], cwd=ROOT)
    wait_healthy(proxy, listen)
    return f"http://127.0.0.1:{listen}", [proxy, *(p for p, _ in procs)], ids


async def _proxy(listen: int, backends: list[int]) -> None:
    """Round-robin TCP proxy on loopback: each connection goes to the next backend port."""
    turn = itertools.cycle(backends)

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            back_reader, back_writer = await asyncio.open_connection("127.0.0.1", next(turn))
        except OSError:
            writer.close()
            return
        await asyncio.gather(pipe(reader, back_writer), pipe(back_reader, writer))

    server = await asyncio.start_server(handle, "127.0.0.1", listen, backlog=1024)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--setups", default="sqlite,postgresql,two-web")
    parser.add_argument("--size", type=int, default=100_000, help="communities in the database")
    parser.add_argument("--step-seconds", type=float, default=30.0)
    parser.add_argument("--start", type=int, default=50, help="officers in the first step")
    parser.add_argument("--max", type=int, default=6400, help="stop doubling here")
    parser.add_argument("--refine", type=int, default=2, help="halvings of the gap after the first failure")
    parser.add_argument("--budget-ms", type=float, default=200.0)
    parser.add_argument("--min-requests", type=int, default=200,
                        help="a step lasts long enough to expect this many counted requests")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers of a one-machine setup")
    parser.add_argument("--workers-each", type=int, default=3, help="gunicorn workers of each two-web process")
    parser.add_argument("--proxy", nargs=2, metavar=("LISTEN", "BACKENDS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.proxy:
        asyncio.run(_proxy(int(args.proxy[0]), [int(p) for p in args.proxy[1].split(",")]))
        return
    print(f"{os.cpu_count()} CPUs, {args.size:,} communities, {args.step_seconds:.0f} s a step, "
          f"p95 budget {args.budget_ms:.0f} ms; load average before: {os.getloadavg()}", flush=True)
    answers = []
    for setup in (s.strip() for s in args.setups.split(",")):
        print(f"[{setup}]", flush=True)
        base, procs, ids = start_setup(setup, args)
        try:
            client, _ = sign_in(base, OFFICER)
            client.close()
            sessions = []
            for _ in range(SESSIONS):
                device, csrf = sign_in(base, OFFICER)
                sessions.append((cookie_header(device), csrf))
                device.close()
            kinds = requests_for(ids)
            asyncio.run(_warm(base, sessions, kinds, rounds=4 * (args.workers or 5)))
            capacity, steps = find_capacity(base, sessions, kinds, args)
        finally:
            for proc in procs:
                stop(proc)
        answers.append((setup, capacity, steps))
    print(f"\nload average after: {os.getloadavg()}")
    print(f"| setup | active officers at p95 ≤ {args.budget_ms:.0f} ms | steps: officers → p95 ms (load) |")
    print("|---|---:|---|")
    for setup, capacity, steps in answers:
        trail = ", ".join(f"{s['officers']} → {s['p95']:.0f} ({s['load']:.1f})" for s in steps)
        if all(step["passed"] for step in steps):
            answer = f"{capacity:,} or more (no step failed up to --max)"
        elif capacity == 0:
            answer = f"fewer than {min(step['officers'] for step in steps):,}"
        else:
            answer = f"{capacity:,}"
        print(f"| {setup} | {answer} | {trail} |")


if __name__ == "__main__":
    main()

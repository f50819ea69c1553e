"""Where an officer page's time goes: CPU per request split by request hook and stage, in process.

Signs in as web_load.py's bench officer (a database from ``web_load.py --prepare-only``), warms
each page, then requests it N times under cProfile (CPU time of this process: PostgreSQL's own
work is not in it, the driver's is) and prints, per page, the CPU ms per request spent in:

- sign-in check: Flask-Login's user loader (the user and session row, one query);
- access gate: ``portal.access.enforce`` (includes the sign-in check, which it triggers);
- CSRF: Flask-WTF's before_request check (a POST's token; GETs return at once);
- rate limiter: Flask-Limiter's before_request check and its after_request headers;
- audit write: ``portal.audit_reads.record_read`` (a chained audit row per audited response);
- SQL: the DB-API ``execute`` calls (driver and round trip), from any of the above or the view;
- templates: ``render_template`` (Jinja rendering, including the layout);
- the rest: the view's own Python, the ORM, WSGI and Werkzeug.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/lr_bench_1000 \\
        .venv/bin/python benchmarks/page_profile.py [--requests 50] [--top PAGE]

``--top PAGE`` prints that page's costliest functions (PROFILE_SORT=cumulative and
PROFILE_FILTER=portal to see the portal's own functions by cumulative time).
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

os.environ.setdefault("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/lr_bench_1000")
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("LOGIN_RATE_LIMIT", "1000 per minute")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from benchmarks.web_load import OFFICER_COMMUNITIES_SQL, PASSWORD, csrf_field  # noqa: E402
from wsgi import app  # noqa: E402

EMAIL = "bench-officer@bench.example"
#: (part, how to recognise its functions in the profile: (file ending, function name)).
PARTS = {
    "sign-in check": [("portal/__init__.py", "load_user")],
    "access gate (incl. sign-in)": [("portal/access.py", "enforce")],
    "CSRF": [("flask_wtf/csrf.py", "csrf_protect")],
    "rate limiter": [("flask_limiter/_extension.py", "_check_request_limit"),
                     ("flask_limiter/_extension.py", "__inject_headers")],
    "audit write": [("portal/audit_reads.py", "record_read")],
    "SQL (driver)": [("sqlalchemy/engine/default.py", "do_execute"),
                     ("sqlalchemy/engine/default.py", "do_executemany")],
    "templates": [("flask/templating.py", "render_template")],
    "other hooks": [("portal/security.py", "screen_parameters"), ("portal/security.py", "add_security_headers"),
                    ("portal/redirects.py", "guard_response"), ("portal/transactions.py", "end_read_only_transaction")],
}


def sign_in():
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_field(page)})
    if response.status_code not in (302, 303):
        raise SystemExit(f"sign-in as {EMAIL} failed: {response.status_code}")
    home = client.get("/home").get_data(as_text=True)
    return client, csrf_field(home) or _meta_token(home)


def _meta_token(html: str) -> str:
    import re

    found = re.search(r'X-CSRFToken&#34;: &#34;([^&]+)&#34;|"X-CSRFToken": "([^"]+)"|csrf-token" content="([^"]+)"', html)
    return next((g for g in (found.groups() if found else ()) if g), "")


def pages(ids: list[int]) -> dict[str, list[tuple[str, str, dict]]]:
    """Page -> requests in rotation: (method, path, extra) as web_load.py loads them."""
    post = {"community_id": ids[0], "channel": "group_post", "direction": "outbound", "purpose": "inform",
            "outcome": "pending", "message_text": "Beat surgery on Saturday at 10."}
    return {
        "home": [("GET", "/home", {})],
        "community list": [("GET", "/communities?" + urlencode({"q": q}), {}) for q in ("forum", "club", "park")],
        "community page": [("GET", f"/communities/{i}", {}) for i in ids[:20]],
        "quick-log form": [("GET", "/contacts/new", {})],
        "quick-log POST": [("POST", "/contacts/new", {"data": {**post, "community_id": i}}) for i in ids[:20]],
        "follow-ups": [("GET", "/follow-ups", {})],
    }


def part_times(stats: pstats.Stats, requests: int) -> dict[str, float]:
    out = {}
    for part, names in PARTS.items():
        total = 0.0
        for (filename, _line, function), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():
            if any(filename.endswith(ending) and function == name for ending, name in names):
                total += cumulative
        out[part] = 1000 * total / requests
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--top", default=None, help="also print this page's 25 costliest functions")
    args = parser.parse_args()
    from portal.extensions import db

    with app.app_context():
        ids = db.session.scalars(text(OFFICER_COMMUNITIES_SQL)).all()
    client, csrf = sign_in()
    # Each POST flashes a message and redirects; nothing here reads the flash, so the session
    # cookie would grow by one message a POST (and its load and save with it). wrk sends the
    # same cookie every time: so does this, for POSTs.
    signed_in = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    print(f"database: {os.environ['DATABASE_URL'].rsplit('/', 1)[-1]}, load average {os.getloadavg()[0]:.2f}, "
          f"{args.requests} requests a page; CPU ms per request (this process)")
    header = ["page", "wall ms", "CPU ms", *PARTS, "the rest"]
    print("| " + " | ".join(header) + " |\n|---|" + "---:|" * (len(header) - 1))
    for name, requests in pages(ids).items():
        def send(i: int, requests=requests):
            method, path, extra = requests[i % len(requests)]
            if method == "POST":
                if signed_in is not None:
                    client.set_cookie(signed_in.key, signed_in.value)
                return client.post(path, data={**extra["data"], "csrf_token": csrf})
            return client.get(path)
        for i in range(3):
            send(i)
        profiler = cProfile.Profile(time.process_time)
        wall = cpu = 0.0
        for i in range(args.requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            profiler.enable()
            response = send(i)
            profiler.disable()
            wall += time.perf_counter() - started
            cpu += time.process_time() - started_cpu
            if response.status_code >= 400:
                raise SystemExit(f"{name}: HTTP {response.status_code}")
        stats = pstats.Stats(profiler)
        parts = part_times(stats, args.requests)
        cpu_ms = 1000 * cpu / args.requests
        # The sign-in check runs inside the access gate, and SQL inside both: "the rest" is what
        # no listed part contains (the gate counted once, with its sign-in check inside it).
        rest = cpu_ms - sum(v for k, v in parts.items() if k not in {"sign-in check", "SQL (driver)"})
        cells = [f"{1000 * wall / args.requests:.1f}", f"{cpu_ms:.1f}", *[f"{v:.1f}" for v in parts.values()],
                 f"{rest:.1f}"]
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)
        if args.top == name:
            stats.sort_stats(os.environ.get("PROFILE_SORT", "tottime")).print_stats(os.environ.get("PROFILE_FILTER", ""), 25)


if __name__ == "__main__":
    main()

"""Time the message check on 1,000-character messages on one core: p50 and p95, the check alone and the page.

    .venv/bin/python benchmarks/guidance_latency.py               # 1,000 checks, then 300 requests
    .venv/bin/python benchmarks/guidance_latency.py --runs 3000 --requests 0 --length 2000

Each message is different (sentences of the evaluation set shuffled, with a counter), so
no cache sees the same text twice. The process is pinned to one CPU. The page figure is
POST /guidance/check through Flask's test client (rules read from a seeded SQLite
database, findings rendered as the htmx fragment), without a network or a web server.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from portal.guidance.check import check_message, default_rules  # noqa: E402

SET_DIR = ROOT / "tests" / "fixtures" / "guidance_eval"


def sentences() -> list[str]:
    texts = []
    for name in ("dev.jsonl", "heldout.jsonl"):
        texts += [json.loads(line)["text"] for line in (SET_DIR / name).read_text(encoding="utf-8").splitlines()]
    return texts


def messages(count: int, length: int, seed: int = 7) -> list[str]:
    """Distinct messages of exactly `length` characters built from the evaluation set's sentences."""
    pool, rng, out = sentences(), random.Random(seed), []
    for number in range(count):
        parts, size = [f"Update {number}."], 0
        while size < length:
            parts.append(rng.choice(pool))
            size = sum(len(p) + 1 for p in parts)
        out.append(" ".join(parts)[:length])
    return out


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {"p50": statistics.median(ordered), "p95": ordered[int(0.95 * (len(ordered) - 1))], "max": ordered[-1]}


def time_check(texts: list[str]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each check (the CPU time leaves out waiting for a shared core)."""
    rules = default_rules()
    check_message(texts[0], rules)  # compile the rules once, as a running server has
    wall, cpu = [], []
    for text in texts[1:]:
        started, started_cpu = time.perf_counter(), time.thread_time()
        check_message(text, rules)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return wall, cpu


def time_page(texts: list[str]) -> list[float]:
    from portal import create_app
    from portal.extensions import db
    from portal.guidance.rules import seed_rules
    from portal.models import User

    folder = tempfile.mkdtemp(prefix="lr_guidance_bench_")
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite", "RATELIMIT_ENABLED": False})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(directory=app.extensions["migrate"].directory)
        user = User(email="bench@example.org", display_name="Bench", role="officer")
        user.set_password("bench-password-1234567")
        db.session.add(user)
        seed_rules()
        db.session.commit()
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.org", "password": "bench-password-1234567"})
    headers = {"HX-Request": "true"}
    client.post("/guidance/check", data={"message_text": texts[0]}, headers=headers)
    samples = []
    for text in texts[1:]:
        started = time.perf_counter()
        response = client.post("/guidance/check", data={"message_text": text}, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--length", type=int, default=1000)
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{args.length}-character messages, one core, {len(default_rules())} rules, "
          f"load average {load:.1f} on {os.cpu_count()} CPUs")
    wall, cpu = time_check(messages(args.runs + 1, args.length))
    for label, samples in (("wall", wall), ("cpu ", cpu)):
        figures = percentiles(samples)
        print(f"check_message {label} n={args.runs:<5} p50 {figures['p50']:.2f} ms  p95 {figures['p95']:.2f} ms  "
              f"max {figures['max']:.2f} ms  (target p95 <= 20 ms)")
    if args.requests:
        page = percentiles(time_page(messages(args.requests + 1, args.length, seed=11)))
        print(f"POST /guidance/check n={args.requests:<5} p50 {page['p50']:.2f} ms  p95 {page['p95']:.2f} ms  "
              f"max {page['max']:.2f} ms  (rules from the database, fragment rendered)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

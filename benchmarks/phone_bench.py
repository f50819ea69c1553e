"""A phone on a poor connection: Chromium throttled through CDP, against gunicorn.

Serves the demo (a fresh SQLite file, migrated, demo loaded) with gunicorn and gunicorn.conf.py,
opens a 390 x 844 touch screen in Debian's Chromium, and throttles its network with the
DevTools protocol (Network.emulateNetworkConditions: by default 400 kbit/s each way and 400 ms
added to every round trip, about DevTools' old "slow 3G"). Then, per run, in a fresh context
(an empty cache, as on a first visit):

- opens /login (not timed: it fills the cache), signs in, and times the first page (Home)
  from the tap on "Sign in" to usable (DOMContentLoaded: the HTML parsed and the deferred
  scripts, htmx among them, run) and to fully loaded;
- times "log a contact from Home": the first tap on "Log a contact" to the saved contact's
  confirmation on screen (tap a recent community, a channel, an outcome);
- counts the bytes each page moved over the network (HTML, CSS, JS, other, as sent, so
  compressed when it was), with a cold cache and then on a second visit;
- prints the caching headers of the static files.

Prints figures; asserts nothing (timings are not tests). Targets from issue 23: first page
usable <= 2 s, contact logged <= 3 s.

    .venv/bin/python benchmarks/phone_bench.py [--runs 5] [--kbps 400] [--rtt-ms 400] [--cpu 1] [--json out.json]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True,
         "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/126.0 Mobile Safari/537.36"}
OFFICER, PASSWORD = "officer@example.org", "phone-bench-password-1"
KINDS = {"Document": "HTML", "Stylesheet": "CSS", "Script": "JS"}

from benchmarks.web_load import free_port, wait_healthy  # noqa: E402  (after the path is set)


def prepare_database(folder: Path) -> str:
    """Make a SQLite file with the migrations and the demo, the officer's password known."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.demo import load_demo
    from portal.extensions import db

    url = f"sqlite:///{folder / 'phone.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "phone-bench"})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        load_demo(passwords={OFFICER: PASSWORD})
        db.session.remove()
    return url


def start_gunicorn(url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "phone-bench", "SESSION_COOKIE_SECURE": "0",
           "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_ACCESS_LOG": "", "LOG_LEVEL": "WARNING",
           "LOGIN_RATE_LIMIT": "1000 per minute"}
    proc = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env)
    return wait_healthy(proc, port)


class Traffic:
    """Bytes on the wire per resource kind, from the DevTools protocol's network events."""

    def __init__(self, cdp):
        self.kinds: dict[str, str] = {}
        self.urls: dict[str, str] = {}
        self.bytes: dict[str, int] = {}
        self.headers: dict[str, dict[str, str]] = {}
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)

    def _response(self, event):
        request_id = event["requestId"]
        self.kinds[request_id] = KINDS.get(event.get("type", ""), "other")
        self.urls[request_id] = event["response"]["url"]
        self.headers[event["response"]["url"]] = {k.lower(): v for k, v in event["response"]["headers"].items()}

    def _finished(self, event):
        self.bytes[event["requestId"]] = int(event.get("encodedDataLength", 0))

    def reset(self) -> None:
        self.kinds.clear(), self.urls.clear(), self.bytes.clear()

    def totals(self) -> dict[str, int]:
        out = {"HTML": 0, "CSS": 0, "JS": 0, "other": 0, "requests": 0}
        for request_id, size in self.bytes.items():
            out[self.kinds.get(request_id, "other")] += size
            out["requests"] += size > 0  # a cache hit moves nothing
        return out


def throttle(context, page, kbps: int, rtt_ms: int, cpu: float):
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    rate = kbps * 1000 / 8  # bytes per second
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": rtt_ms,
                                                  "downloadThroughput": rate, "uploadThroughput": rate})
    if cpu > 1:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu})
    return cdp


def navigation_timing(page) -> dict[str, float]:
    return page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
        return {usable: n.domContentLoadedEventEnd, loaded: n.loadEventEnd}; }""")


def one_run(browser, base: str, args) -> dict:
    from playwright.sync_api import expect

    context = browser.new_context(base_url=base, **PHONE)
    page = context.new_page()
    traffic = Traffic(throttle(context, page, args.kbps, args.rtt_ms, args.cpu))
    result: dict = {"bytes": {}}
    page.goto("/login", wait_until="load")
    result["bytes"]["/login (cold cache)"] = traffic.totals()
    page.fill("#email", OFFICER)
    page.fill("#password", PASSWORD)
    traffic.reset()
    page.locator("button[type=submit]").tap()
    page.wait_for_url("**/home", wait_until="load")
    timing = navigation_timing(page)  # from the tap's form submission (the POST, then the redirect)
    result["sign_in_usable_s"], result["sign_in_loaded_s"] = timing["usable"] / 1000, timing["loaded"] / 1000
    result["bytes"]["/home (after sign-in)"] = traffic.totals()
    traffic.reset()
    started = time.perf_counter()
    page.locator("[data-testid=dashboard-log]").tap()
    page.locator("[data-testid=recent-communities] .govuk-radios__item label").first.tap()
    page.locator("label[for=channel-email]").tap()
    page.locator("[data-testid=outcome-positive]").tap()
    expect(page.locator(".lr-flash")).to_contain_text("logged", timeout=30_000)
    result["log_contact_s"] = time.perf_counter() - started
    page.wait_for_load_state("load")
    result["bytes"]["/contacts/new + save + community page"] = traffic.totals()
    for path in ("/home", "/contacts/new", "/follow-ups", "/communities"):
        traffic.reset()
        page.goto(path, wait_until="load")
        result["bytes"][f"{path} (warm cache)"] = traffic.totals()
    result["static_headers"] = {url.split("/static/")[1]: {k: h.get(k, "") for k in ("cache-control",
                                                                                      "content-encoding")}
                                for url, h in traffic.headers.items() if "/static/" in url}
    result["html_sizes"] = page_sizes(page)
    context.close()
    return result


def page_sizes(page) -> dict[str, dict[str, int]]:
    """Raw and gzip sizes of the signed-in HTML pages (what a compressing proxy would send)."""
    sizes = {}
    for path in ("/home", "/contacts/new", "/follow-ups", "/communities", "/gone-quiet"):
        body = page.request.get(path).body()
        sizes[path] = {"raw": len(body), "gzip": len(gzip.compress(body, 6))}
    return sizes


def summarise(runs: list[dict]) -> dict:
    def spread(key: str) -> dict[str, float]:
        values = [r[key] for r in runs]
        return {"median": statistics.median(values), "min": min(values), "max": max(values)}

    return {key: spread(key) for key in ("sign_in_usable_s", "sign_in_loaded_s", "log_contact_s")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--kbps", type=int, default=400, help="throughput each way, kbit/s")
    parser.add_argument("--rtt-ms", type=int, default=400, help="latency added to each round trip")
    parser.add_argument("--cpu", type=float, default=1.0, help="CPU slow-down factor (DevTools), 1 = none")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        url = prepare_database(Path(folder))
        port = free_port()
        server = start_gunicorn(url, port)
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                runs = [one_run(browser, base, args) for _ in range(args.runs)]
                browser.close()
        finally:
            server.send_signal(signal.SIGINT)  # quick shutdown (SIGTERM waits for keep-alive connections)
            server.wait(30)
    report = {"settings": vars(args) | {"json": str(args.json) if args.json else None},
              "load_average": os.getloadavg(), "timings": summarise(runs), "bytes": runs[-1]["bytes"],
              "html_sizes": runs[-1]["html_sizes"], "static_headers": runs[-1]["static_headers"]}
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


def print_report(report: dict) -> None:
    s = report["settings"]
    print(f"\nPhone (390x844, touch) at {s['kbps']} kbit/s each way, +{s['rtt_ms']} ms a round trip, CPU x{s['cpu']}; "
          f"{s['runs']} runs; load average {report['load_average'][0]:.1f}")
    for key, label, target in (("sign_in_usable_s", "sign-in tap -> Home usable (DOMContentLoaded)", 2.0),
                               ("sign_in_loaded_s", "sign-in tap -> Home loaded", None),
                               ("log_contact_s", "first tap on Home -> contact saved, confirmation shown", 3.0)):
        t = report["timings"][key]
        goal = f"   target <= {target:.0f} s: {'met' if t['max'] <= target else 'NOT met'}" if target else ""
        print(f"  {label:58} median {t['median']:.2f} s (min {t['min']:.2f}, max {t['max']:.2f}){goal}")
    print("\n  bytes over the network (as sent; HTML / CSS / JS / other; requests that moved bytes):")
    for name, b in report["bytes"].items():
        print(f"    {name:42} {b['HTML']:>7,} {b['CSS']:>8,} {b['JS']:>8,} {b['other']:>6,}   {b['requests']} requests")
    print("\n  HTML pages, bytes raw -> gzip (if a proxy compressed them):")
    for path, size in report["html_sizes"].items():
        print(f"    {path:16} {size['raw']:>7,} -> {size['gzip']:>6,}")
    print("\n  static files: Cache-Control, Content-Encoding")
    for name, headers in sorted(report["static_headers"].items()):
        print(f"    {name:58} {headers['cache-control']:38} {headers['content-encoding'] or '-'}")


if __name__ == "__main__":
    main()

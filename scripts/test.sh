#!/usr/bin/env bash
# Run the whole suite: everything on SQLite, then the portal tests that reach the database on PostgreSQL.
# PostgreSQL/Redis parts are skipped with a printed reason when the servers are absent,
# unless LOCAL_REACH_REQUIRE_SERVICES=1 (CI), which turns an absent server into a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
status=0
# The SQLite and PostgreSQL stages run on every core (pytest-xdist; each worker has its own
# databases). The browser stage runs two workers, whole files each (several build module-wide
# fixtures), each with its own live portal and Chromium: one process left a core idle while it
# waited on the browser or the browser on it (issue 25: 369 s wall for 237 s CPU on a quiet 2-core
# machine). Shared 2-core machine, load 5 to 12: 106 passed in 252 s with two workers where one
# took 324 s (load 1 to 10; about 20 s of the difference is test_xss.py's quicker wait, measured
# apart). TEST_BROWSER_WORKERS=0 runs them in one process.
WORKERS=(-n "${TEST_WORKERS:-auto}")
BROWSER_WORKERS=(-n "${TEST_BROWSER_WORKERS:-2}" --dist loadfile)
# Each phase's wall time, CPU time (user + system, of the processes it ran) and load average,
# printed at the end (issue 25: keep CI quick and show where it goes; on a shared machine the wall
# time alone says little).
TIMES=()
CPU_FILE=$(mktemp)
trap 'rm -f "$CPU_FILE"' EXIT
cpu_now() {  # CPU_NOW = user + system seconds of this shell's finished children (`times`, not in a subshell)
  times > "$CPU_FILE"
  CPU_NOW=$(tail -1 "$CPU_FILE" | tr 'ms' '  ' | awk '{ printf "%.0f", $1 * 60 + $2 + $3 * 60 + $4 }')
}
phase_start() { PHASE_NAME="$1"; PHASE_T0=$SECONDS; cpu_now; PHASE_CPU0=$CPU_NOW; echo "== $1 =="; }
phase_end() {
  cpu_now
  TIMES+=("$PHASE_NAME: $((SECONDS - PHASE_T0)) s wall, $((CPU_NOW - PHASE_CPU0)) s CPU, load $(cut -d' ' -f1-3 /proc/loadavg)")
}

PG_URL="${TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
pg_reachable() {
  $PY - "$PG_URL" <<'PYEOF'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].replace("+psycopg", ""), connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL unreachable: {exc}")
    sys.exit(1)
PYEOF
}
# Which tests each phase runs is decided by their fixtures (tests/fast_setup.py): tests that make
# PostgreSQL databases of their own run once, in the PostgreSQL phase, when there is one.
PG_PHASE=0
if pg_reachable; then PG_PHASE=1; fi

phase_start "Crawler and portal tests on SQLite"
LOCAL_REACH_POSTGRES_PHASE=$PG_PHASE $PY -m pytest -p no:cacheprovider "${WORKERS[@]}" --ignore=tests/browser "$@" \
  || status=$?
phase_end

# The browser tests run in a process of their own: Playwright's sync API keeps an asyncio
# loop running in the main thread for as long as the browser is open, and the crawler's
# synchronous entry points (asyncio.run) cannot run inside it.
phase_start "Browser tests (headless Chromium, portal on SQLite)"
$PY -m pytest -p no:cacheprovider "${BROWSER_WORKERS[@]}" tests/browser "$@" || status=$?
phase_end

if [ "$PG_PHASE" = 1 ]; then
  phase_start "Portal tests on PostgreSQL"
  # --dist loadscope: a module's tests stay on one worker, so module fixtures that fill a database
  # (test_query_plans.py's 60,000 communities) are built once, not once per worker.
  LOCAL_REACH_TEST_DB=postgresql $PY -m pytest -p no:cacheprovider "${WORKERS[@]}" --dist loadscope -m "not browser" tests/portal "$@" || status=$?
  phase_end
else
  if [ "${LOCAL_REACH_REQUIRE_SERVICES:-0}" = 1 ]; then
    echo "FAIL: PostgreSQL is required here (LOCAL_REACH_REQUIRE_SERVICES=1) but unreachable"; status=1
  else
    echo "SKIPPED: portal tests on PostgreSQL (no server reachable at $PG_URL)"
  fi
fi
echo "== Phase times =="
printf '  %s\n' "${TIMES[@]}"
exit $status

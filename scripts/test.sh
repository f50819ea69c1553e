#!/usr/bin/env bash
# Run the whole suite: everything on SQLite, then the portal tests on PostgreSQL.
# PostgreSQL/Redis parts are skipped with a printed reason when the servers are absent,
# unless LOCAL_REACH_REQUIRE_SERVICES=1 (CI), which turns an absent server into a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
status=0
# The SQLite and PostgreSQL stages run on every core (pytest-xdist; each worker has its own
# databases). The browser stage stays in one process: one Chromium is enough for two cores.
WORKERS=(-n "${TEST_WORKERS:-auto}")
# Each phase's wall time, printed at the end (issue 25: keep CI quick and show where it goes).
TIMES=()
phase_start() { PHASE_NAME="$1"; PHASE_T0=$SECONDS; echo "== $1 =="; }
phase_end() { TIMES+=("$PHASE_NAME: $((SECONDS - PHASE_T0)) s"); }

# The browser tests run in a process of their own: Playwright's sync API keeps an asyncio
# loop running in the main thread for as long as the browser is open, and the crawler's
# synchronous entry points (asyncio.run) cannot run inside it.
phase_start "Crawler and portal tests on SQLite"
$PY -m pytest -p no:cacheprovider "${WORKERS[@]}" --ignore=tests/browser "$@" || status=$?
phase_end

phase_start "Browser tests (headless Chromium, portal on SQLite)"
$PY -m pytest -p no:cacheprovider tests/browser "$@" || status=$?
phase_end

PG_URL="${TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
if $PY - "$PG_URL" <<'PYEOF'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].replace("+psycopg", ""), connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL unreachable: {exc}")
    sys.exit(1)
PYEOF
then
  phase_start "Portal tests on PostgreSQL"
  LOCAL_REACH_TEST_DB=postgresql $PY -m pytest -p no:cacheprovider "${WORKERS[@]}" -m "not browser" tests/portal "$@" || status=$?
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

"""Which tests each phase of scripts/test.sh runs follows their fixtures (tests/fast_setup.py)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FILES = ["tests/portal/test_areas.py", "tests/portal/test_migrations.py"]
PURE = "tests/portal/test_areas.py::test_full_profile_is_normalised"
ON_DATABASE = "tests/portal/test_migrations.py::test_sqlite_pragmas_are_on"
OWN_POSTGRES = "tests/portal/test_migrations.py::test_postgresql_round_trip"


def _collected(**env: str) -> set[str]:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"LOCAL_REACH_TEST_DB", "LOCAL_REACH_POSTGRES_PHASE", "LOCAL_REACH_TEST_ALL"}}
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q", *FILES],
                            cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return {line.strip() for line in result.stdout.splitlines() if "::" in line}


def test_the_postgresql_phase_runs_only_tests_whose_fixtures_reach_a_database():
    names = _collected(LOCAL_REACH_TEST_DB="postgresql")
    assert PURE not in names
    assert ON_DATABASE in names
    assert OWN_POSTGRES in names


def test_the_sqlite_phase_leaves_tests_with_their_own_postgresql_to_the_postgresql_phase():
    names = _collected(LOCAL_REACH_POSTGRES_PHASE="1")
    assert PURE in names
    assert ON_DATABASE in names
    assert OWN_POSTGRES not in names


def test_without_a_postgresql_phase_or_with_everything_asked_for_nothing_is_left_out():
    for env in ({}, {"LOCAL_REACH_TEST_DB": "postgresql", "LOCAL_REACH_TEST_ALL": "1"}):
        names = _collected(**env)
        assert {PURE, ON_DATABASE, OWN_POSTGRES} <= names

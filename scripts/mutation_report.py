"""Print the mutation score per module from mutmut's results in mutants/ (issue 25).

Usage: .venv/bin/python scripts/mutation_report.py PATTERN... [--survivors] [--baseline=FILE]
PATTERNs are the mutant-name globs scripts/mutation.sh ran. ``--baseline`` names a JSON file of
{mutant: exit code} from an earlier full pass: a mutant not checked in this pass keeps its earlier
result (docs/MUTATION.md says when the recorded figures were made that way). Killed and timed-out mutants count as
caught (a timeout means the mutant made a test hang, which the suite would notice); "no tests" and
survivors count against the score. Exits 1 when a module is under the 90 % bar.
"""
from __future__ import annotations

import fnmatch
import json
import sys
from collections import Counter
from pathlib import Path

BAR = 90.0
CAUGHT = {1: "killed", 3: "killed", 36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout"}
STATUS = {0: "survived", 5: "no tests", 33: "no tests", None: "not checked", 37: "caught by type check"}


def module_of(mutant: str) -> str:
    """``crawlers.fetch.xǁFetcherǁfetch__mutmut_3`` -> ``crawlers.fetch``."""
    name = mutant.split("__mutmut_")[0]
    parts = name.split(".")
    while parts and (parts[-1].startswith("x_") or parts[-1].startswith("xǁ")):
        parts.pop()
    return ".".join(parts)


def exit_codes(root: Path, baseline: Path | None) -> dict[str, int | None]:
    """Each mutant's latest exit code: this pass's, else the baseline's."""
    codes: dict[str, int | None] = json.loads(baseline.read_text()) if baseline else {}
    for meta in sorted(root.rglob("*.py.meta")):
        for mutant, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if code is not None or mutant not in codes:
                codes[mutant] = code
    return codes


def results(codes: dict[str, int | None], patterns: list[str]) -> dict[str, Counter]:
    by_module: dict[str, Counter] = {}
    for mutant, code in codes.items():
        if not any(fnmatch.fnmatchcase(mutant, p) for p in patterns):
            continue
        status = CAUGHT.get(code) or STATUS.get(code, "suspicious")  # type: ignore[arg-type]
        by_module.setdefault(module_of(mutant), Counter())[status] += 1
    return by_module


def main(argv: list[str]) -> int:
    survivors = "--survivors" in argv
    baseline = next((Path(a.split("=", 1)[1]) for a in argv if a.startswith("--baseline=")), None)
    patterns = [a for a in argv if not a.startswith("--")] or ["*"]
    codes = exit_codes(Path("mutants"), baseline)
    by_module = results(codes, patterns)
    print(f"{'module':38} {'mutants':>7} {'killed':>6} {'timeout':>7} {'survived':>8} {'no tests':>8} {'other':>5} {'score':>6}")
    failing = 0
    totals: Counter = Counter()
    for module, counts in sorted(by_module.items()):
        total = sum(counts.values())
        caught = counts["killed"] + counts["timeout"]
        other = total - caught - counts["survived"] - counts["no tests"]
        score = 100.0 * caught / total if total else 100.0
        failing += score < BAR
        totals.update(counts)
        print(f"{module:38} {total:7} {counts['killed']:6} {counts['timeout']:7} {counts['survived']:8} "
              f"{counts['no tests']:8} {other:5} {score:5.1f}%")
    total = sum(totals.values())
    caught = totals["killed"] + totals["timeout"]
    print(f"{'all':38} {total:7} {totals['killed']:6} {totals['timeout']:7} {totals['survived']:8} "
          f"{totals['no tests']:8} {'':5} {100.0 * caught / max(total, 1):5.1f}%")
    if survivors:
        for mutant, code in sorted(codes.items()):
            if code in (0, 5, 33, None) and any(fnmatch.fnmatchcase(mutant, p) for p in patterns):
                print(mutant, STATUS[code])
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Measure the message check against the labelled evaluation set: precision and recall per category.

    .venv/bin/python benchmarks/guidance_eval.py                 # every part; misses for the tuning parts
    .venv/bin/python benchmarks/guidance_eval.py --part dev      # one part
    .venv/bin/python benchmarks/guidance_eval.py --extra feedback.jsonl   # supervisors' marks too
    .venv/bin/python benchmarks/guidance_eval.py --without political.learned_wording   # without one rule

A category counts as flagged when the check gives it a "needs supervisor" or "do not send"
finding (advice is not a flag). Messages are checked with no community chosen, so the
reach rules play no part. Two parts are tuned against: dev.jsonl and heldout.jsonl (the
first round's held-out part, read while that round tuned, so now a second development
part). heldout_b.jsonl (read while the second round tuned), heldout_c.jsonl (written in
the third round before its writer read the detectors) heldout_d.jsonl (the fourth
round's, written the same way in other voices) and heldout_e.jsonl (the fifth round's, by an
outside writer before the round's tuning started) are held out: only their totals are
printed; their misses are shown only with --show-heldout-misses, which is for after the
rules are settled.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from portal.guidance.check import Finding, check_message, default_rules  # noqa: E402

SET_DIR = ROOT / "tests" / "fixtures" / "guidance_eval"
PARTS = {"dev": SET_DIR / "dev.jsonl", "heldout": SET_DIR / "heldout.jsonl",
         "heldout_b": SET_DIR / "heldout_b.jsonl", "heldout_c": SET_DIR / "heldout_c.jsonl", "heldout_d": SET_DIR / "heldout_d.jsonl",
         "heldout_e": SET_DIR / "heldout_e.jsonl"}
HELD_OUT = frozenset({"heldout_b", "heldout_c", "heldout_d", "heldout_e"})
CATEGORIES = ("personal_data", "live_proceedings", "discriminatory", "political", "operational")
FLAGS = frozenset({"needs_supervisor", "do_not_send"})
TARGETS = {"personal_data": 0.95, "live_proceedings": 0.95, "discriminatory": 0.90, "political": 0.90}
CLEAN_FLAG_LIMIT = 0.05


@dataclass
class Outcome:
    example: dict
    flagged: set[str]
    findings: list[Finding]

    @property
    def labels(self) -> set[str]:
        return set(self.example["labels"])

    @property
    def missed(self) -> set[str]:
        return self.labels - self.flagged

    @property
    def extra(self) -> set[str]:
        return self.flagged - self.labels


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def counts(self, category: str) -> tuple[int, int, int]:
        """True positives, false positives and false negatives for one category."""
        tp = sum(1 for o in self.outcomes if category in o.labels and category in o.flagged)
        fp = sum(1 for o in self.outcomes if category not in o.labels and category in o.flagged)
        fn = sum(1 for o in self.outcomes if category in o.labels and category not in o.flagged)
        return tp, fp, fn

    def precision(self, category: str) -> float | None:
        tp, fp, _ = self.counts(category)
        return tp / (tp + fp) if tp + fp else None

    def recall(self, category: str) -> float | None:
        tp, _, fn = self.counts(category)
        return tp / (tp + fn) if tp + fn else None

    @property
    def clean(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.labels]

    def clean_flag_rate(self) -> float | None:
        clean = self.clean
        return sum(1 for o in clean if o.flagged) / len(clean) if clean else None

    def confusion(self) -> dict[str, Counter]:
        """For each true category (or 'clean'): how often each category (or 'nothing') was flagged."""
        table: dict[str, Counter] = {}
        for outcome in self.outcomes:
            for truth in sorted(outcome.labels) or ["clean"]:
                row = table.setdefault(truth, Counter())
                for predicted in sorted(outcome.flagged) or ["nothing"]:
                    row[predicted] += 1
        return table

    def worst(self, limit: int) -> list[Outcome]:
        """Misses first (most labels missed, nothing flagged at all), then false alarms on clean messages."""
        def badness(outcome: Outcome) -> tuple:
            worst_severity = max((2 if f.severity == "do_not_send" else 1) for f in outcome.findings
                                 if f.severity in FLAGS) if outcome.flagged else 0
            return (len(outcome.missed), not outcome.flagged, len(outcome.extra) if not outcome.labels else 0,
                    worst_severity)
        wrong = [o for o in self.outcomes if o.missed or (not o.labels and o.flagged)]
        return sorted(wrong, key=badness, reverse=True)[:limit]


def load(path: Path) -> list[dict]:
    """Read one part of the set: one JSON object a line with text and labels."""
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        example = json.loads(line)
        unknown = set(example["labels"]) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"{path}:{number}: unknown labels {sorted(unknown)}")
        examples.append(example)
    return examples


Checker = Callable[[str], list[Finding]]


def default_checker(without: Iterable[str] = ()) -> Checker:
    """Check with the shipped rules, leaving out any whose code is listed (to see what a rule adds)."""
    left_out = set(without)
    rules = [rule for rule in default_rules() if rule.code not in left_out]
    return lambda text: check_message(text, rules)


def evaluate(examples: Iterable[dict], checker: Checker | None = None) -> Report:
    """Check every example and keep what was flagged beside what should have been."""
    checker = checker or default_checker()
    report = Report()
    for example in examples:
        findings = checker(example["text"])
        flagged = {f.category for f in findings if f.severity in FLAGS and f.category in CATEGORIES}
        report.outcomes.append(Outcome(example, flagged, findings))
    return report


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def render(name: str, report: Report, misses: int) -> str:
    """The report for one part, as plain text."""
    lines = [f"== {name}: {len(report.outcomes)} messages, {len(report.clean)} clean ==",
             f"{'category':18} {'n':>4} {'precision':>9} {'recall':>7}  target"]
    for category in CATEGORIES:
        tp, _, fn = report.counts(category)
        target = TARGETS.get(category)
        recall = report.recall(category)
        verdict = "" if target is None or recall is None else ("met" if recall >= target else "MISSED")
        lines.append(f"{category:18} {tp + fn:>4} {_fmt(report.precision(category)):>9} {_fmt(recall):>7}  "
                     f"{'' if target is None else f'>= {target:.2f} {verdict}'}")
    rate = report.clean_flag_rate()
    lines.append(f"clean messages flagged for a supervisor: {sum(1 for o in report.clean if o.flagged)}"
                 f"/{len(report.clean)} = {_fmt(rate)} (target <= {CLEAN_FLAG_LIMIT:.2f}"
                 f"{'' if rate is None else (' met' if rate <= CLEAN_FLAG_LIMIT else ' MISSED')})")
    columns = [*CATEGORIES, "nothing"]
    lines.append("confusion (rows: labelled, columns: flagged)")
    lines.append(f"{'':18} " + " ".join(f"{c[:8]:>8}" for c in columns))
    for truth, row in sorted(report.confusion().items()):
        lines.append(f"{truth:18} " + " ".join(f"{row.get(c, 0):>8}" for c in columns))
    if misses:
        lines.append(f"worst misses (up to {misses})")
        for outcome in report.worst(misses):
            rules = ", ".join(sorted({f"{f.rule_code}={f.severity}" for f in outcome.findings})) or "no findings"
            lines.append(f"  [{outcome.example.get('id', '?')}] labelled {sorted(outcome.labels) or 'clean'}; "
                         f"flagged {sorted(outcome.flagged) or 'nothing'}")
            lines.append(f"      {outcome.example['text'][:160]}")
            lines.append(f"      rules: {rules}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=[*PARTS, "all"], default="all")
    parser.add_argument("--misses", type=int, default=10, help="how many of the worst misses to print per part")
    parser.add_argument("--extra", type=Path, action="append", default=[],
                        help="another JSONL file of labelled messages (e.g. exported supervisor marks)")
    parser.add_argument("--show-heldout-misses", action="store_true",
                        help="print the held-out part's misses too (only once tuning is finished)")
    parser.add_argument("--without", action="append", default=[], metavar="RULE_CODE",
                        help="leave a rule out, e.g. --without political.learned_wording")
    args = parser.parse_args(argv)
    checker = default_checker(args.without)
    names = list(PARTS) if args.part == "all" else [args.part]
    for name in names:
        misses = 0 if name in HELD_OUT and not args.show_heldout_misses else args.misses
        print(render(name, evaluate(load(PARTS[name]), checker), misses))
        print()
    for path in args.extra:
        print(render(str(path), evaluate(load(path), checker), args.misses))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

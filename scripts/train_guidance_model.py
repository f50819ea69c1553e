"""Train the message check's learned wording models and write portal/guidance/detectors/learned_wording.json.

    .venv/bin/python scripts/train_guidance_model.py            # train and write the weights
    .venv/bin/python scripts/train_guidance_model.py --report   # grouped cross-validated figures only
    .venv/bin/python scripts/train_guidance_model.py --report --score-part probe_h9   # a new set, unseen
    .venv/bin/python scripts/train_guidance_model.py --score-part probe_j10 --shipped  # the shipped models on it

Build time only (numpy and scipy, already in the dev requirements through lifelines; the
portal reads the JSON with the standard library). One L2-regularised logistic regression
per category over learned.features(), fitted with L-BFGS on the training parts only:
dev.jsonl, heldout.jsonl (the first round's held-out part, read while tuning since) and the
probes that rounds have tuned on (probe_c, probe_d4, probe_e5, probe_e5b, probe_e5_check,
probe_f7, probe_g8, probe_h9, probe_j10). heldout_b, heldout_c and heldout_d (and the sealed sets) are
never read here.

Validation is by set, not by message: each training part was written by a different writer
in a different round, and messages of one writer share their wording, so a model scored on
folds that mix a writer's messages learns the writer, not the category. Each part in turn is
left out, the model is fitted on the others (its vocabulary too) and scores the part it has
not seen. The feature kinds, the regularisation and each category's threshold are chosen from
those left-out scores: the threshold is the lowest at which at most CLEAN_SHARE of the clean
messages (with the category's anchor) would be flagged by the model: the threshold is chosen on the
gated scores, as the check counts them, and the JSON records how many training messages the gate let
through, so a test notices a gate changed since (the live model's was narrowed after its threshold was
chosen in round 9). The report gives, for
each left-out part, the model's recall and precision alone and the whole check's (the rules,
which were tuned on these parts and so are optimistic here, or the model). Deterministic:
fixed folds, no random start, weights rounded.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import optimize, sparse

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from portal.guidance.detectors.learned import (  # noqa: E402
    FEATURE_KINDS, LEARNED_FILE, _shipped_kinds, anchor, features)

SET_DIR = ROOT / "tests" / "fixtures" / "guidance_eval"
TRAINING_PARTS = ("dev.jsonl", "heldout.jsonl", "probe_c.jsonl", "probe_d4.jsonl", "probe_e5.jsonl", "probe_e5b.jsonl",
                  "probe_e5_check.jsonl", "probe_f7.jsonl", "probe_g8.jsonl", "probe_h9.jsonl", "probe_j10.jsonl")
SEALED = ("heldout_b", "heldout_c", "heldout_d", "heldout_e", "probe_f7_check", "probe_g8_check", "probe_h9_check",
          "probe_j10_check")
CATEGORIES = ("discriminatory", "political", "live_proceedings")
FLAGS = frozenset({"needs_supervisor", "do_not_send"})
# Chosen by --search on the left-out parts' scores (not on any held-out part, not in-sample).
KINDS: tuple[str, ...] = ()
REGULARISATION = {"discriminatory": 0.1, "political": 0.1, "live_proceedings": 0.1}
BALANCE = {"discriminatory": 1.0, "political": 1.0, "live_proceedings": 1.0}
MIN_DOCUMENTS = 2       # a feature seen in one message only is noise
KEEP_FEATURES = 2500    # the largest weights kept per category; the rest change scores by little
CLEAN_SHARE = 0.005     # at most this share of clean training messages over the threshold, left out by set
# The live model's share is smaller: chosen on its gated scores at 0.5 % (and 0.2 %) it flagged clean near misses of a live
# case that the rules' tests hold clean (a bike "nicked", a court's open day, a hearing aid).
CLEAN_SHARES = {"live_proceedings": 0.001}
SHARES_SHOWN = (0.002, 0.004, 0.007, 0.01, 0.015, 0.02)  # the report's other thresholds


@dataclass(frozen=True)
class Fold:
    part: str
    train: np.ndarray  # indices of the messages the model is fitted on
    test: np.ndarray   # indices of the left-out part's messages


def load_parts(names: Iterable[str]) -> list[dict]:
    """The messages of these parts, each with the part it came from (its writer) under 'part'."""
    examples = []
    for name in names:
        part = name.removesuffix(".jsonl")
        if part in SEALED:
            raise ValueError(f"{part} is held out or sealed: never trained or validated on")
        for line in (SET_DIR / f"{part}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                examples.append({**json.loads(line), "part": part})
    return examples


def load_training() -> list[dict]:
    return load_parts(TRAINING_PARTS)


def grouped_folds(parts: Sequence[str]) -> list[Fold]:
    """One fold per part: that part's messages are validated on, every other part's trained on."""
    labels = np.asarray(parts)
    return [Fold(str(name), np.flatnonzero(labels != name), np.flatnonzero(labels == name))
            for name in dict.fromkeys(parts)]


class Matrix:
    """Every message's features over the whole vocabulary; a fold keeps the features its training messages share."""

    def __init__(self, texts: Sequence[str], kinds: tuple[str, ...]) -> None:
        vectors = [features(text, kinds)[0] for text in texts]
        self.vocabulary = sorted({name for vector in vectors for name in vector})
        index = {name: i for i, name in enumerate(self.vocabulary)}
        rows, cols, values = [], [], []
        for row, vector in enumerate(vectors):
            for name, value in vector.items():
                rows.append(row)
                cols.append(index[name])
                values.append(value)
        self.full = sparse.csr_matrix((values, (rows, cols)), shape=(len(vectors), len(self.vocabulary)))

    def columns(self, rows: np.ndarray) -> np.ndarray:
        """The features found in at least MIN_DOCUMENTS of these messages."""
        documents = np.asarray((self.full[rows] > 0).sum(axis=0)).ravel()
        return np.flatnonzero(documents >= MIN_DOCUMENTS)


def fit(matrix: sparse.csr_matrix, labels: np.ndarray, strength: float,
        balance: float = 1.0) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression (bias not penalised), positives weighted to balance the classes.

    balance: the power of the negatives-to-positives ratio the positives are weighted by (1: balanced, 0: none).
    """
    signs = np.where(labels, 1.0, -1.0)
    positives = max(1, int(labels.sum()))
    weight = np.where(labels, ((len(labels) - positives) / positives) ** balance, 1.0)
    transposed = matrix.T.tocsr()

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        margins = signs * (matrix @ w + b)
        value = float(np.sum(weight * np.logaddexp(0.0, -margins)) + 0.5 * strength * w @ w)
        slope = -signs * weight / (1.0 + np.exp(np.clip(margins, -30, 30)))
        gradient = np.append(transposed @ slope + strength * w, slope.sum())
        return value, gradient

    result = optimize.minimize(loss, np.zeros(matrix.shape[1] + 1), jac=True, method="L-BFGS-B",
                               options={"maxiter": 300, "ftol": 1e-7})
    return result.x[:-1], float(result.x[-1])


def pruned(weights: np.ndarray) -> np.ndarray:
    keep = np.argsort(-np.abs(weights), kind="stable")[:KEEP_FEATURES]
    out = np.zeros_like(weights)
    out[keep] = np.round(weights[keep], 4)
    return out


def left_out_scores(matrix: Matrix, labels: np.ndarray, folds: list[Fold], strength: float,
                    balance: float = 1.0) -> np.ndarray:
    """Each message's score (logit) from the model fitted without its part."""
    scores = np.zeros(len(labels))
    for fold in folds:
        columns = matrix.columns(fold.train)
        weights, bias = fit(matrix.full[fold.train][:, columns], labels[fold.train], strength, balance)
        scores[fold.test] = matrix.full[fold.test][:, columns] @ pruned(weights) + bias
    return scores


def threshold_for(scores: np.ndarray, clean: np.ndarray, share: float = CLEAN_SHARE,
                  counts: np.ndarray | None = None) -> float:
    """The lowest score that at most this share of the clean messages reach.

    counts: which clean messages a flag would count for (those with the category's anchor); the others
    are still in the share's denominator, as the evaluation counts clean messages flagged of all clean.
    """
    effective = scores if counts is None else np.where(counts, scores, -np.inf)
    clean_scores = np.sort(effective[clean])[::-1]
    allowed = int(share * len(clean_scores))
    if allowed >= len(clean_scores):
        return float(np.min(scores))
    return float(max(clean_scores[allowed], np.min(scores) - 1.0)) + 1e-6


def gate_counts(examples: list[dict], category: str) -> dict[str, int]:
    """How many clean and labelled training messages the category's anchor (its gate) lets the model score.

    Shipped beside the threshold, so a test can tell when the gate has changed since the threshold was chosen.
    """
    clean = [e for e in examples if not e["labels"]]
    labelled = [e for e in examples if category in e["labels"]]
    return {"clean": sum(anchor(e["text"], category) is not None for e in clean),
            "labelled": sum(anchor(e["text"], category) is not None for e in labelled)}


def rule_flags(examples: list[dict]) -> list[set[str]]:
    """The categories the shipped rules, without the learned ones, flag in each message."""
    from portal.guidance.check import check_message, default_rules

    rules = [rule for rule in default_rules() if not rule.pattern.strip().startswith("learned_wording")]
    return [{f.category for f in check_message(example["text"], rules) if f.severity in FLAGS}
            for example in examples]


def _ratio(hits: int, total: int) -> str:
    return f"{hits / total:.3f}" if total else "  -  "


def report(examples: list[dict], category: str, flagged: np.ndarray, rules: list[set[str]] | None) -> list[str]:
    """Per left-out part: recall and precision of the model alone and of rules-or-model, and clean flagged."""
    labels = np.array([category in e["labels"] for e in examples])
    clean = np.array([not e["labels"] for e in examples])
    by_rules = np.array([category in r for r in rules]) if rules is not None else np.zeros(len(examples), bool)
    either = flagged | by_rules
    lines = [f"  {'part':16} {'n':>4} {'model rec':>9} {'prec':>6} {'check rec':>9} {'prec':>6} "
             f"{'rules rec':>9} {'clean+model':>11}"]
    parts = [*dict.fromkeys(e["part"] for e in examples), "ALL"]
    for part in parts:
        rows = np.ones(len(examples), bool) if part == "ALL" else np.array([e["part"] == part for e in examples])
        pos = labels & rows
        lines.append(f"  {part:16} {int(pos.sum()):>4} "
                     f"{_ratio(int((flagged & pos).sum()), int(pos.sum())):>9} "
                     f"{_ratio(int((flagged & pos).sum()), int((flagged & rows).sum())):>6} "
                     f"{_ratio(int((either & pos).sum()), int(pos.sum())):>9} "
                     f"{_ratio(int((either & pos).sum()), int((either & rows).sum())):>6} "
                     f"{_ratio(int((by_rules & pos).sum()), int(pos.sum())):>9} "
                     f"{int((flagged & clean & rows).sum()):>4}/{int((clean & rows).sum()):<4}")
    return lines


def score_shipped(examples: list[dict], categories: Sequence[str], with_rules: bool) -> int:
    """A part's figures from the shipped models as the check runs them (anchor, threshold, a word to name)."""
    from portal.guidance.check import CheckContext
    from portal.guidance.detectors.learned import learned_wording

    rules = rule_flags(examples) if with_rules else None
    print(f"{examples[0]['part'] if examples else '-'}: the shipped models ({', '.join(_shipped_kinds()) or 'no '} "
          "optional features), unseen")
    for category in categories:
        flagged = np.array([any(True for _ in learned_wording(e["text"], category, CheckContext())) for e in examples])
        print(f"{category}:")
        print("\n".join(report(examples, category, flagged, rules)[:2]))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="print grouped cross-validated figures, write nothing")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"feature kinds, of {', '.join(FEATURE_KINDS)}")
    parser.add_argument("--strength", type=float, help="one regularisation for every category")
    parser.add_argument("--clean-share", type=float, help=f"one share for every category (default {CLEAN_SHARE}, "
                                                           f"and {CLEAN_SHARES} for those)")
    parser.add_argument("--balance", type=float, help="one class weighting power for every category (1: balanced)")
    parser.add_argument("--categories", default=",".join(CATEGORIES))
    parser.add_argument("--no-rules", action="store_true", help="leave out the whole check's figures (faster)")
    parser.add_argument("--score-part", help="score this part with models trained on the training parts only, "
                                             "as if it were one more left-out part (run before adding it)")
    parser.add_argument("--shipped", action="store_true", help="with --score-part: score it with the shipped models "
                                                                "and thresholds as the check does, train nothing")
    args = parser.parse_args(argv)
    kinds = tuple(kind for kind in args.kinds.split(",") if kind)
    unknown = set(kinds) - set(FEATURE_KINDS)
    if unknown:
        parser.error(f"unknown feature kinds {sorted(unknown)}")
    categories = tuple(c for c in args.categories.split(",") if c)
    if args.shipped:
        if not args.score_part:
            parser.error("--shipped needs --score-part")
        return score_shipped(load_parts([args.score_part]), categories, not args.no_rules)
    examples = load_training()
    extra = load_parts([args.score_part]) if args.score_part else []
    matrix = Matrix([e["text"] for e in examples + extra], kinds)
    trained = np.arange(len(examples))
    folds = grouped_folds([e["part"] for e in examples])
    clean = np.array([not e["labels"] for e in examples])
    rules = None if args.no_rules else rule_flags(examples + extra)
    models = {}
    print(f"features: {', '.join(kinds) or 'words, pairs and letter runs only'}; "
          f"left out by part: {', '.join(f.part for f in folds)}")
    for category in categories:
        strength = args.strength if args.strength is not None else REGULARISATION[category]
        balance = args.balance if args.balance is not None else BALANCE[category]
        share = args.clean_share if args.clean_share is not None else CLEAN_SHARES.get(category, CLEAN_SHARE)
        labels = np.array([category in e["labels"] for e in examples])
        anchored = np.array([anchor(e["text"], category) is not None for e in examples + extra])
        part_matrix = Matrix.__new__(Matrix)
        part_matrix.vocabulary, part_matrix.full = matrix.vocabulary, matrix.full[trained]
        scores = left_out_scores(part_matrix, labels, folds, strength, balance)
        # Chosen on the gated scores: a message without the category's anchor is never flagged by the model,
        # so only anchored clean messages can take up the clean share (all clean messages are its denominator).
        cut = threshold_for(scores, clean, share, anchored[trained])
        flagged = (scores >= cut) & anchored[trained]
        print(f"{category} (strength {strength}, balance {balance}, clean share {share}): {int(labels.sum())} labelled of {len(labels)}; "
              f"anchored {np.mean(anchored[trained][labels]):.3f} of them; each part scored by a model "
              "trained without it:")
        print("\n".join(report(examples, category, flagged, None if rules is None else rules[:len(examples)])))
        for share in SHARES_SHOWN:
            other = (scores >= threshold_for(scores, clean, share, anchored[trained])) & anchored[trained]
            print(f"  clean share {share}:" + report(examples, category, other, None if rules is None
                                                      else rules[:len(examples)])[-1][5:])
        shipped = json.loads(LEARNED_FILE.read_text(encoding="utf-8"))["models"].get(category)
        if shipped is not None:
            old_cut = float(np.log(shipped["threshold"] / (1.0 - shipped["threshold"])))
            old = report(examples, category, (scores >= old_cut) & anchored[trained],
                         None if rules is None else rules[:len(examples)])[-1]
            print(f"  at the shipped threshold {shipped['threshold']}:\n{old}")
        columns = part_matrix.columns(trained)
        weights, bias = fit(part_matrix.full[:, columns], labels, strength, balance)
        kept = pruned(weights)
        if extra:
            extra_scores = matrix.full[len(examples):][:, columns] @ kept + bias
            extra_flagged = (extra_scores >= cut) & anchored[len(examples):]
            print(f"  {args.score_part}, unseen, scored by the model trained on every training part:")
            print("\n".join(report(extra, category, extra_flagged,
                                   None if rules is None else rules[len(examples):])[1:2]))
        models[category] = {
            "bias": round(bias, 4),
            "threshold": round(float(1.0 / (1.0 + np.exp(-cut))), 4),
            # What the threshold was chosen over: the clean training messages the gate let through, of all.
            "gate": gate_counts(examples, category),
            "weights": {matrix.vocabulary[columns[i]]: float(kept[i]) for i in np.flatnonzero(kept)},
        }
    if not args.report:
        # A run for some categories keeps the shipped models of the others (trained with the same features).
        previous = json.loads(LEARNED_FILE.read_text(encoding="utf-8"))
        if tuple(previous.get("features", ())) == kinds:
            models = {**previous["models"], **models}
        data = {"_note": "Written by scripts/train_guidance_model.py from "
                         + " and ".join(TRAINING_PARTS) + "; do not edit by hand.",
                "features": list(kinds),
                "models": models}
        LEARNED_FILE.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {LEARNED_FILE.relative_to(ROOT)} ({LEARNED_FILE.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

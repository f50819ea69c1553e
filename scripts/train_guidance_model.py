"""Train the message check's learned wording models and write portal/guidance/detectors/learned_wording.json.

    .venv/bin/python scripts/train_guidance_model.py            # train and write the weights
    .venv/bin/python scripts/train_guidance_model.py --report   # cross-validated figures only

Build time only (numpy and scipy, already in the dev requirements through lifelines; the
portal reads the JSON with the standard library). One L2-regularised logistic regression
per category over learned.features(), fitted with L-BFGS on the training parts only:
dev.jsonl, heldout.jsonl (the first round's held-out part, read while tuning since) and, from
round 8, the probes that rounds have tuned on (probe_c, probe_d4, probe_e5, probe_e5b,
probe_e5_check, probe_f7, probe_g8). heldout_b, heldout_c and heldout_d (and the sealed
sets) are never read here. The threshold is set from
out-of-fold scores on the training parts so that at most CLEAN_SHARE of the clean
messages cross it. Deterministic: fixed folds, no random start, weights rounded.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from scipy import optimize, sparse

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from portal.guidance.detectors.learned import LEARNED_FILE, features  # noqa: E402

SET_DIR = ROOT / "tests" / "fixtures" / "guidance_eval"
TRAINING_PARTS = ("dev.jsonl", "heldout.jsonl", "probe_c.jsonl", "probe_d4.jsonl", "probe_e5.jsonl", "probe_e5b.jsonl",
                  "probe_e5_check.jsonl", "probe_f7.jsonl", "probe_g8.jsonl")
CATEGORIES = ("discriminatory", "political")
# Chosen by --report on the training parts' folds (not on any held-out part).
REGULARISATION = 0.03
MIN_DOCUMENTS = 2       # a feature seen in one message only is noise
KEEP_FEATURES = 2500    # the largest weights kept per category; the rest change scores by little
CLEAN_SHARE = 0.004     # at most 0.4 % of clean training messages over the threshold, out of fold
FOLDS = 5


def load_training() -> list[dict]:
    examples = []
    for name in TRAINING_PARTS:
        for line in (SET_DIR / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                examples.append(json.loads(line))
    return examples


def vectorise(examples: list[dict]) -> tuple[sparse.csr_matrix, list[str]]:
    vectors = [features(example["text"])[0] for example in examples]
    documents: dict[str, int] = {}
    for vector in vectors:
        for name in vector:
            documents[name] = documents.get(name, 0) + 1
    vocabulary = sorted(name for name, count in documents.items() if count >= MIN_DOCUMENTS)
    index = {name: i for i, name in enumerate(vocabulary)}
    rows, cols, values = [], [], []
    for row, vector in enumerate(vectors):
        for name, value in vector.items():
            if name in index:
                rows.append(row)
                cols.append(index[name])
                values.append(value)
    matrix = sparse.csr_matrix((values, (rows, cols)), shape=(len(vectors), len(vocabulary)))
    return matrix, vocabulary


def fit(matrix: sparse.csr_matrix, labels: np.ndarray, strength: float) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression (bias not penalised), positives weighted to balance the classes."""
    signs = np.where(labels, 1.0, -1.0)
    positives = max(1, int(labels.sum()))
    weight = np.where(labels, (len(labels) - positives) / positives, 1.0)

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        margins = signs * (matrix @ w + b)
        value = float(np.sum(weight * np.logaddexp(0.0, -margins)) + 0.5 * strength * w @ w)
        slope = -signs * weight / (1.0 + np.exp(np.clip(margins, -30, 30)))
        gradient = np.append(matrix.T @ slope + strength * w, slope.sum())
        return value, gradient

    result = optimize.minimize(loss, np.zeros(matrix.shape[1] + 1), jac=True, method="L-BFGS-B",
                               options={"maxiter": 500})
    return result.x[:-1], float(result.x[-1])


def pruned(weights: np.ndarray) -> np.ndarray:
    keep = np.argsort(-np.abs(weights), kind="stable")[:KEEP_FEATURES]
    out = np.zeros_like(weights)
    out[keep] = np.round(weights[keep], 4)
    return out


def out_of_fold(matrix: sparse.csr_matrix, labels: np.ndarray, strength: float) -> np.ndarray:
    scores = np.zeros(len(labels))
    folds = np.arange(len(labels)) % FOLDS
    for fold in range(FOLDS):
        train, test = folds != fold, folds == fold
        weights, bias = fit(matrix[train], labels[train], strength)
        scores[test] = matrix[test] @ pruned(weights) + bias
    return scores


def threshold_for(scores: np.ndarray, clean: np.ndarray, share: float = CLEAN_SHARE) -> float:
    """The lowest score that at most this share of the clean messages reach."""
    clean_scores = np.sort(scores[clean])[::-1]
    allowed = int(share * len(clean_scores))
    return float(clean_scores[allowed]) + 1e-6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="print cross-validated figures, write nothing")
    parser.add_argument("--strength", type=float, default=REGULARISATION)
    parser.add_argument("--clean-share", type=float, default=CLEAN_SHARE)
    args = parser.parse_args(argv)
    examples = load_training()
    matrix, vocabulary = vectorise(examples)
    clean = np.array([not example["labels"] for example in examples])
    models = {}
    for category in CATEGORIES:
        labels = np.array([category in example["labels"] for example in examples])
        scores = out_of_fold(matrix, labels, args.strength)
        cut = threshold_for(scores, clean, args.clean_share)
        recall = float(np.mean(scores[labels] >= cut))
        others = ~labels & ~clean
        print(f"{category}: {int(labels.sum())} labelled of {len(labels)}; out of fold at the threshold: "
              f"recall {recall:.3f}, clean over it {np.mean(scores[clean] >= cut):.3f}, "
              f"other categories over it {np.mean(scores[others] >= cut):.3f}")
        weights, bias = fit(matrix, labels, args.strength)
        kept = pruned(weights)
        models[category] = {
            "bias": round(bias, 4),
            "threshold": round(float(1.0 / (1.0 + np.exp(-cut))), 4),
            "weights": {vocabulary[i]: float(kept[i]) for i in np.flatnonzero(kept)},
        }
    if not args.report:
        data = {"_note": "Written by scripts/train_guidance_model.py from "
                         + " and ".join(TRAINING_PARTS) + "; do not edit by hand.",
                "models": models}
        LEARNED_FILE.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {LEARNED_FILE.relative_to(ROOT)} ({LEARNED_FILE.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

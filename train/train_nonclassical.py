"""Train the leaderless-secretion score (nc_score) on the OutCyte UPS set and calibrate it for a proteome.

Data: ../shared/data/outcyte/ups_dev.fasta, headers ``>ACC|UPS|ORGANISM|GENE``
or ``>ACC|INTRACELLULAR|...``.  Cross-validation is grouped by gene symbol,
upper-cased so that human, mouse and rat orthologs stay in one fold.

Calibration: a Platt scaling (logistic regression on the logit of the raw
ensemble score) is fitted on the out-of-fold predictions, so it maps the raw
score to P(UPS | x) at the training prior (the UPS fraction of OutCyte, 38%).
At run time the odds are rescaled to the target prior (default PRIOR = 2%).

Threshold: the lowest calibrated probability at the default prior (0.01 grid)
at which the false-call rate stays <= MAX_FALSE_CALLS on both intracellular
sets: OutCyte INTRACELLULAR (out-of-fold predictions) and TMbed globular
proteins without a signal peptide (../shared/data/tmbed/tmbed_dev.3line; never
used for fitting, only for this one number), composition guards applied.

The final model is refitted on all data and written to secannot/data/nc_model.json.

Usage: python train/train_nonclassical.py [--data PATH] [--tmbed PATH] [--out PATH]
Needs scikit-learn (pip install 'secannot[train]').
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import matthews_corrcoef, precision_score, roc_auc_score
from sklearn.model_selection import GroupKFold
from sklearn.neural_network import MLPClassifier

from secannot.io.fasta import Record, parse_fasta
from secannot.models import training_set
from secannot.models.nonclassical import FEATURE_NAMES, composition_guard, features, prior_shift
from secannot.models.topology import TopologyParams, find_segments

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "outcyte" / "ups_dev.fasta"
DEFAULT_TMBED = ROOT.parent / "shared" / "data" / "tmbed" / "tmbed_dev.3line"
DEFAULT_OUT = ROOT / "secannot" / "data" / "nc_model.json"
HIDDEN = 32
ALPHA = 3.0  # L2 penalty; chosen by grouped CV among (16, 32, 64) x (1, 3, 10)
MEMBERS = 5
FOLDS = 5
PRIOR = 0.02  # default target prior: fraction of a proteome that is leaderless-secreted
MAX_FALSE_CALLS = 0.02


def scored_features(seqs: list[bytes]) -> np.ndarray:
    tm = np.array([t.max_logit for t in find_segments(TopologyParams.load(), seqs)])
    return features(seqs, tm)


def load(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(features, is_UPS, gene group) of the OutCyte set."""
    x, y, groups, _ = load_records(path)
    return x, y, groups


def load_records(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[bytes]]:
    with path.open("rb") as fh:
        records = [r for r in parse_fasta(fh, str(path)) if isinstance(r, Record)]
    seqs = [r.seq for r in records]
    y = np.array([r.id.split("|")[1] == "UPS" for r in records])
    groups = np.array([r.id.split("|")[3].upper() for r in records])
    return scored_features(seqs), y, groups, seqs


def tmbed_globular_without_sp(path: Path) -> list[bytes]:
    """Full-length TMbed proteins with no TM (H/h/B/b) and no signal-peptide (S) label."""
    lines = path.read_text().split("\n")
    return [lines[i + 1].strip().upper().encode() for i in range(0, len(lines) - 2, 3)
            if not re.search("[HhBbS]", lines[i + 2])]


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[MLPClassifier]]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    members = [MLPClassifier((HIDDEN,), alpha=ALPHA, max_iter=3000, random_state=seed).fit(z, y) for seed in range(MEMBERS)]
    return mean, scale, members


def predict(mean: np.ndarray, scale: np.ndarray, members: list[MLPClassifier], x: np.ndarray) -> np.ndarray:
    z = (x - mean) / scale
    return np.mean([m.predict_proba(z)[:, 1] for m in members], axis=0)


def out_of_fold(x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Raw ensemble scores, each from the model of the grouped fold that left the protein out."""
    oof = np.zeros(len(y))
    for train, test in GroupKFold(FOLDS).split(x, y, groups):
        oof[test] = predict(*fit(x[train], y[train]), x[test])
    return oof


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1.0 - 1e-9)
    return np.log(p / (1.0 - p))


def platt(raw: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(slope, intercept) of P(UPS | raw) = sigmoid(slope * logit(raw) + intercept), unregularised."""
    lr = LogisticRegression(C=1e6, max_iter=1000).fit(logit(raw)[:, None], y)
    return round(float(lr.coef_[0, 0]), 6), round(float(lr.intercept_[0]), 6)


def calibrated(raw: np.ndarray, cal: tuple[float, float], training_prior: float, prior: float = PRIOR) -> np.ndarray:
    return prior_shift(cal[0] * logit(raw) + cal[1], training_prior, prior)


def choose_threshold(oof_post: np.ndarray, y: np.ndarray, guard_oof: np.ndarray, tmbed_post: np.ndarray,
                     guard_tmbed: np.ndarray) -> tuple[float, dict[str, float]]:
    """Lowest threshold (0.01 grid) with both false-call rates <= MAX_FALSE_CALLS; guarded proteins are never called."""
    for t in np.round(np.arange(0.01, 1.0, 0.01), 2):
        calls = (oof_post >= t) & ~guard_oof
        fpr = float(calls[~y].mean())
        tmbed = float(((tmbed_post >= t) & ~guard_tmbed).mean())
        if fpr <= MAX_FALSE_CALLS and tmbed <= MAX_FALSE_CALLS:
            return float(t), {"outcyte_intracellular_false_calls": round(fpr, 4),
                              "tmbed_globular_false_calls": round(tmbed, 4),
                              "outcyte_ups_recall": round(float(calls[y].mean()), 4),
                              "precision_at_training_prior": round(precision_score(y, calls, zero_division=0), 4),
                              "mcc_at_training_prior": round(float(matthews_corrcoef(y, calls)), 4)}
    raise SystemExit("no threshold meets the false-call targets")


def members_json(members: list[MLPClassifier]) -> list[dict]:
    return [{"w1": np.round(m.coefs_[0], 7).tolist(), "b1": np.round(m.intercepts_[0], 7).tolist(),
             "w2": np.round(m.coefs_[1][:, 0], 7).tolist(), "b2": round(float(m.intercepts_[1][0]), 7)}
            for m in members]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--tmbed", type=Path, default=DEFAULT_TMBED)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    x, y, groups, seqs = load_records(args.data)
    oof = out_of_fold(x, y, groups)
    auc = roc_auc_score(y, oof)
    cal = platt(oof, y)
    training_prior = round(float(y.mean()), 6)
    mean, scale, members = fit(x, y)
    tmbed = tmbed_globular_without_sp(args.tmbed)
    tmbed_raw = predict(mean, scale, members, scored_features(tmbed))
    threshold, rates = choose_threshold(
        calibrated(oof, cal, training_prior), y, np.array([composition_guard(s) is not None for s in seqs]),
        calibrated(tmbed_raw, cal, training_prior), np.array([composition_guard(s) is not None for s in tmbed]))
    print(f"grouped {FOLDS}-fold CV: ROC AUC {auc:.4f}; Platt slope {cal[0]} intercept {cal[1]}; threshold "
          f"{threshold} at prior {PRIOR}: {rates}")
    out = {
        "name": "secannot-nc",
        "version": "2.0.0",
        "features": list(FEATURE_NAMES),
        "mean": [round(float(v), 8) for v in mean],
        "scale": [round(float(v), 8) for v in scale],
        "members": members_json(members),
        "calibration": {"method": "Platt scaling on logit(raw), fitted on grouped out-of-fold predictions",
                        "slope": cal[0], "intercept": cal[1], "training_prior": training_prior},
        "prior": PRIOR,
        "threshold": threshold,
        "meta": {
            "trained_on": "OutCyte UPS vs INTRACELLULAR (ups_dev.fasta), all records",
            "n": int(len(y)),
            "n_ups": int(y.sum()),
            "cv": {"folds": FOLDS, "grouping": "gene symbol, upper-cased", "roc_auc": round(auc, 4), **rates},
            "score": f"P(leaderless-secreted | sequence) at prior {PRIOR} (Platt-calibrated, prior-shifted odds)",
            "threshold_rule": f"lowest calibrated probability at prior {PRIOR} (0.01 grid) with false-call rate <= "
                              f"{MAX_FALSE_CALLS} on OutCyte INTRACELLULAR (out of fold) and on "
                              f"{len(tmbed)} TMbed globular proteins without signal peptide; composition guards "
                              "applied",
            "version": "2.0.0",
            "model": f"mean of {MEMBERS} MLPs, {HIDDEN} ReLU hidden units, L2 alpha={ALPHA}, standardised features",
        },
    }
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    write_training_set(args.data, args.out.with_name(training_set.NC_FILE_NAME), out["version"])


def write_training_set(data: Path, path: Path, version: str) -> None:
    """Fingerprints of the training proteins (hashes, never sequences), so ``secannot evaluate`` can warn
    when it scores them."""
    with data.open("rb") as fh:
        records = [r for r in parse_fasta(fh, str(data)) if isinstance(r, Record)]
    training_set.write(path, [r.id.split("|")[0] for r in records], [r.sequence for r in records], version)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

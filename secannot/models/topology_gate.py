"""Learned protein-level gate of the TM-helix decoder (:mod:`secannot.models.topology_decode`, step 3).

The decoder finds candidate helices in soluble proteins too: a single
amphipathic or buried hydrophobic helix of a long globular protein scores like
a weak TM helix.  A cut on the best helix's score alone trades recall of TM
proteins against false helices in globular ones; the gate here looks at a few
more numbers the decoder already has, so it costs a handful of float
operations per protein that reached decoding (no array work).

Features of one protein (its helices as the decoder cut them, before gating),
:data:`FEATURES` in order:

* ``best_score``: the best helix's score (summed clipped log-odds of helix);
* ``log1p_other``: log(1 + summed positive scores of the other helices);
* ``log_count``: log of the helix count;
* ``best_length``: the best helix's length (residues);
* ``best_mean``: its score per residue;
* ``best_n_terminal`` / ``best_c_terminal``: 1.0 when it starts within
  :data:`END_WINDOW` residues of residue 1 / ends within them of the last
  residue (an uncleaved signal peptide, a tail anchor or a GPI-anchor signal);
* ``log_length``: log of the chain length (long globular proteins carry more
  chance hydrophobic helices).

The protein keeps its helices when ``bias + weights . features >= cut``: a
logistic regression of "TM protein" against "globular protein" over proteins
with at least one candidate helix (:func:`fit_logistic`; the ``log_length``
weight is set to -1 rather than fitted, as a chance helix has about L places
to arise in a chain of length L, while TMbed's TM chains, OPM structures, are
shorter than its full-length globular ones and inflate a fitted weight), with
``cut`` chosen
on the training proteins for the recall / false-helix / exact-count objective of
``train/eval_topology_net.py``, which fits it (nested CV on the TMbed folds; see
docs/model_card.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

FEATURES = ("best_score", "log1p_other", "log_count", "best_length", "best_mean", "best_n_terminal",
            "best_c_terminal", "log_length")
#: residues from a chain end within which the best helix counts as terminal
END_WINDOW = 30
#: ``log_length`` stops growing here: the longest chain the gate was fitted on (TMbed dev, 8,081 residues).
#: Extrapolated, the length term alone vetoed every single helix of a chain past ~37,000 residues (a CD4
#: helix in a long fusion came out ``secreted``, ``high``).
LENGTH_CAP = 8081


def features(segs: Sequence[tuple[int, int]], scores: Sequence[float], length: int) -> list[float]:
    """The :data:`FEATURES` of one protein: ``segs`` 0-based half-open helices (at least one), ``scores``
    their scores in the same order, ``length`` the chain length.  Raises ValueError without a helix."""
    if not segs:
        raise ValueError("the gate's features need at least one candidate helix")
    best = max(range(len(scores)), key=scores.__getitem__)
    a, b = segs[best]
    top = scores[best]
    other = sum(x for x in scores if x > 0) - max(top, 0.0)
    return [top, math.log1p(other), math.log(len(scores)), float(b - a), top / (b - a), float(a < END_WINDOW),
            float(length - b < END_WINDOW), math.log(min(length, LENGTH_CAP))]


@dataclass(frozen=True, slots=True)
class ProteinGate:
    """``bias + weights . features >= cut`` keeps a protein's helices; weights act on raw :data:`FEATURES`."""

    weights: tuple[float, ...]
    bias: float
    cut: float

    def __post_init__(self) -> None:
        if len(self.weights) != len(FEATURES):
            raise ValueError(f"protein gate: {len(self.weights)} weights for {len(FEATURES)} features")

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ProteinGate:
        """From the ``protein_gate`` object of topology_net.json; KeyError/ValueError on a malformed one."""
        if tuple(d["features"]) != FEATURES:
            raise ValueError(f"protein gate: features {d['features']} are not {list(FEATURES)}")
        return cls(tuple(float(w) for w in d["weights"]), float(d["bias"]), float(d["cut"]))

    def to_dict(self) -> dict[str, Any]:
        return {"features": list(FEATURES), "weights": [round(w, 6) for w in self.weights],
                "bias": round(self.bias, 6), "cut": round(self.cut, 4)}

    def logit(self, segs: Sequence[tuple[int, int]], scores: Sequence[float], length: int) -> float:
        """Log-odds (before ``cut``) that a protein with these candidate helices is a TM protein: ``bias`` plus
        ``weights`` times :func:`features`, unrolled here (the decoder calls it for every protein with a
        candidate helix, about 16,000 of the 54,180 bench proteome proteins)."""
        w = self.weights
        if len(scores) == 1:  # most proteins: log1p(0) and log(1) terms vanish
            top, (a, b) = scores[0], segs[0]
            extra = 0.0
        else:
            top = max(scores)
            a, b = segs[scores.index(top)]
            other = sum(x for x in scores if x > 0) - (top if top > 0 else 0.0)
            extra = w[1] * math.log1p(other) + w[2] * math.log(len(scores))
        return (self.bias + extra + w[0] * top + w[3] * (b - a) + w[4] * top / (b - a)
                + (w[5] if a < END_WINDOW else 0.0) + (w[6] if length - b < END_WINDOW else 0.0)
                + w[7] * math.log(min(length, LENGTH_CAP)))

    def keeps(self, segs: Sequence[tuple[int, int]], scores: Sequence[float], length: int) -> bool:
        return self.logit(segs, scores, length) >= self.cut


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 100,
                 offset: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """(weights, bias) of an L2-penalised logistic regression of ``y`` (n,) in {0, 1} on ``x`` (n, f), by
    Newton's method with step halving.  The penalty ``l2`` acts on standardised features (so their units do not
    matter) and not on the bias; the returned weights act on raw features.  ``offset`` (n,): a fixed term added
    to every log-odds (a feature whose weight is set, not fitted).  Raises ValueError on a single class."""
    y = np.asarray(y, dtype=np.float64)
    if y.min() == y.max():
        raise ValueError("logistic fit needs both classes")
    off = np.zeros(len(y)) if offset is None else np.asarray(offset, dtype=np.float64)
    mu, sd = x.mean(0), x.std(0)
    sd = np.where(sd > 0, sd, 1.0)
    z = np.c_[(x - mu) / sd, np.ones(len(x))]
    ridge = l2 * np.r_[np.ones(z.shape[1] - 1), 0.0]

    def loss(w: np.ndarray) -> float:
        t = z @ w + off
        return float(np.logaddexp(0.0, t).sum() - y @ t + 0.5 * (ridge * w * w).sum())

    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w + off)))
        grad = z.T @ (p - y) + ridge * w
        hess = z.T @ (z * (p * (1 - p))[:, None]) + np.diag(ridge) + 1e-9 * np.eye(len(w))
        step, before = np.linalg.solve(hess, grad), loss(w)
        while loss(w - step) > before and np.abs(step).max() > 1e-12:
            step = step / 2
        w = w - step
        if np.abs(step).max() < 1e-10:
            break
    weights = w[:-1] / sd
    return weights, float(w[-1] - weights @ mu)

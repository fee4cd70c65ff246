"""Leaderless (non-classical) secretion score from whole-protein sequence features.

The features follow SecretomeP and OutCyte in spirit: amino-acid composition
of the whole chain and of its N-terminal 50 residues, length, charge,
hydropathy, an intrinsic-disorder propensity (TOP-IDP), and how membrane-like
the most hydrophobic stretch is.  Standardised, they feed a small model fitted
by ``train/train_nonclassical.py`` on the OutCyte UPS/intracellular set (an
average of five one-hidden-layer networks) turns them into ``nc_score``; its weights and the documented threshold ship in
``secannot/data/nc_model.json``.  All features of a batch are computed with a
few ``bincount`` calls, so scoring costs almost nothing next to reading input.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from secannot.models.fixed_shape import blocked_matmul
from secannot.models.scales import KYTE_DOOLITTLE, TOP_IDP

AMINO_ACIDS = "ACDEFGHIKLMNPQRSTVWY"
N_TERMINAL = 50
_KD_VEC = np.array([KYTE_DOOLITTLE[a] for a in AMINO_ACIDS])
_TOP_VEC = np.array([TOP_IDP[a] for a in AMINO_ACIDS])
_LETTERS = np.frombuffer(AMINO_ACIDS.encode(), dtype=np.uint8)
_POS = np.isin(_LETTERS, np.frombuffer(b"KR", dtype=np.uint8))
_NEG = np.isin(_LETTERS, np.frombuffer(b"DE", dtype=np.uint8))

FEATURE_NAMES: tuple[str, ...] = (
    tuple(f"comp_{a}" for a in AMINO_ACIDS)
    + tuple(f"nterm_{a}" for a in AMINO_ACIDS)
    + ("log_length", "frac_positive", "frac_negative", "net_charge", "mean_kd", "mean_top_idp", "max_tm_logit")
)


#: Residue letter -> 0..19 for the standard amino acids, 20 for anything else.
_CLASS = np.full(256, 20, dtype=np.intp)
_CLASS[_LETTERS] = np.arange(20)


def _composition(seqs: Sequence[bytes]) -> np.ndarray:
    """(B, 20) fractions of the standard residues; other letters count in the length only.

    One bincount over (sequence, residue class) pairs: 21 classes keep the
    count table small enough to stay in cache.
    """
    lengths = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
    classes = _CLASS[np.frombuffer(b"".join(seqs), dtype=np.uint8)]
    classes += np.repeat(np.arange(0, 21 * len(seqs), 21, dtype=np.intp), lengths)
    counts = np.bincount(classes, minlength=len(seqs) * 21).reshape(len(seqs), 21)
    return counts[:, :20] / np.maximum(lengths, 1)[:, None]


def features(seqs: Sequence[bytes], max_tm_logit: np.ndarray) -> np.ndarray:
    comp = _composition(seqs)
    nterm = _composition([s[:N_TERMINAL] for s in seqs])
    lengths = np.fromiter((len(s) for s in seqs), dtype=np.float64, count=len(seqs))
    pos = comp[:, _POS].sum(axis=1)
    neg = comp[:, _NEG].sum(axis=1)
    extra = np.stack(
        [np.log(np.maximum(lengths, 1)), pos, neg, pos - neg, blocked_matmul(comp, _KD_VEC),
         blocked_matmul(comp, _TOP_VEC), max_tm_logit],
        axis=1,
    )
    return np.concatenate([comp, nterm, extra], axis=1)


@dataclass(frozen=True, slots=True)
class NonClassicalModel:
    """An averaged ensemble of small one-hidden-layer networks on standardised features."""

    mean: np.ndarray
    scale: np.ndarray
    members: tuple[tuple[np.ndarray, np.ndarray, np.ndarray, float], ...]  # (W1, b1, w2, b2)
    threshold: float
    meta: dict[str, Any]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NonClassicalModel:
        if tuple(data["features"]) != FEATURE_NAMES:
            raise ValueError("nc model features do not match this version of secannot")
        members = tuple(
            (np.asarray(m["w1"]), np.asarray(m["b1"]), np.asarray(m["w2"]), float(m["b2"])) for m in data["members"]
        )
        return cls(
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            members=members,
            threshold=float(data["threshold"]),
            meta=data.get("meta", {}),
        )

    @classmethod
    def load(cls) -> NonClassicalModel:
        text = (resources.files("secannot") / "data" / "nc_model.json").read_text(encoding="utf-8")
        return cls.from_dict(json.loads(text))

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "unknown"))

    def score(self, seqs: Sequence[bytes], max_tm_logit: np.ndarray) -> np.ndarray:
        if not seqs:
            return np.zeros(0)
        z = (features(seqs, max_tm_logit) - self.mean) / self.scale
        total = np.zeros(len(seqs))
        for w1, b1, w2, b2 in self.members:
            hidden = np.maximum(blocked_matmul(z, w1) + b1, 0.0)
            total += 1.0 / (1.0 + np.exp(-(blocked_matmul(hidden, w2) + b2)))
        return total / len(self.members)

"""Leaderless (non-classical) secretion score from whole-protein sequence features.

The features follow SecretomeP and OutCyte in spirit: amino-acid composition
of the whole chain and of its N-terminal 50 residues, length, charge,
hydropathy, an intrinsic-disorder propensity (TOP-IDP), and how membrane-like
the most hydrophobic stretch is.  Standardised, they feed a small model fitted
by ``train/train_nonclassical.py`` on the OutCyte UPS/intracellular set (an
average of five one-hidden-layer networks) turns them into ``nc_score``; its weights and the documented threshold ship in
``secannot/data/nc_model.json``.  All features of a batch are computed with a
few ``bincount`` calls, so scoring costs almost nothing next to reading input.

``nc_score`` is a probability for a proteome, not the network's raw output.
The raw ensemble output was fitted on OutCyte's mix, in which 38% of the
proteins are leaderless-secreted; on a proteome perhaps 1-2% are.  So the raw
score is first calibrated (Platt scaling, fitted on out-of-fold predictions
of the grouped cross-validation in ``train/train_nonclassical.py``), which
gives P(leaderless | sequence) at the training prior, and then its odds are
multiplied by the ratio of the target prior's odds to the training prior's
odds (Bayes' rule with the likelihood ratio held fixed; Saerens et al. 2002,
Neural Comput 14:21).  The default prior is 2%; ``--nc-prior`` changes it.

Composition guards (:func:`composition_guard`): the features are whole-chain
composition, so short Cys- or Pro-rich proteins (keratin-associated proteins,
metallothioneins, small proline-rich proteins) and fragments (no initiator
Met; often the mature chain of a classically secreted protein) score high
for the wrong reason.  Their score is kept but they are never called by
score alone.  A chain under ``GUARD_MIN_LENGTH`` residues is not scored at all
(:func:`scored_length`): its score could decide nothing, so no number is shown.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
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
    classes = np.take(_CLASS, np.frombuffer(b"".join(seqs), dtype=np.uint8), mode="clip")  # uint8: always in range
    classes += np.repeat(np.arange(0, 21 * len(seqs), 21, dtype=np.intp), lengths)
    counts = np.bincount(classes, minlength=len(seqs) * 21).reshape(len(seqs), 21)
    return counts[:, :20] / np.maximum(lengths, 1)[:, None]


#: Proteins shorter than this whose Cys + Pro fraction reaches GUARD_CYS_PRO are not called by score.
GUARD_SHORT = 200
GUARD_CYS_PRO = 0.20


#: Shortest protein the score is used for; OutCyte's shortest is 69 residues, TMbed's 50.
GUARD_MIN_LENGTH = 50


def residues(n: int) -> str:
    """'1 residue', '16 residues': for the evidence of short chains (here and in localization)."""
    return f"{n} residue{'' if n == 1 else 's'}"


#: the 20 standard residues and selenocysteine (U) and pyrrolysine (O), deleted to count the ambiguous ones
_STANDARD = b"ACDEFGHIKLMNPQRSTVWYUO"


def scored_length(seq: bytes) -> bool:
    """Whether ``seq`` is long enough to get an ``nc_score``: ``GUARD_MIN_LENGTH`` residues or more, and as
    many that are not ambiguity codes (X, B, Z, J).

    A shorter chain is guarded (:func:`composition_guard`: never called by score) and its confidence is
    ``low`` whatever the score (:func:`secannot.models.confidence.confidence`), so the score takes no part
    in its verdict; reporting one (a 1-residue ``M`` scored 0.1) would suggest it did.  A chain of masked
    residues has no composition to score (an all-X chain once scored 0.068).
    """
    return len(seq) >= GUARD_MIN_LENGTH and len(seq) - len(seq.translate(None, _STANDARD)) >= GUARD_MIN_LENGTH


def composition_guard(seq: bytes) -> str | None:
    """Why ``seq`` must not be called leaderless by score alone, or None.

    Returns ``"fragment (no initiator Met)"``, ``"too short (N residues)"`` or ``"short Cys/Pro-rich"``.
    In OutCyte the UPS sequences that do not start with Met are fragments of
    classically secreted proteins (immunoglobulin constant regions, PDGFA,
    FSTL1), and short Cys/Pro-rich proteins score high from composition alone
    (issue 12: KRTAP, MT4, SPRR1B).
    """
    if not seq.startswith(b"M"):
        return "fragment (no initiator Met)"
    if len(seq) < GUARD_SHORT and (seq.count(b"C") + seq.count(b"P")) / len(seq) >= GUARD_CYS_PRO:
        return "short Cys/Pro-rich"
    if len(seq) < GUARD_MIN_LENGTH:
        # composition features of a peptide say nothing (MAAAA scored 0.99); no training protein is this short
        return f"too short ({residues(len(seq))})"
    return None


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1.0 - 1e-9)
    return np.log(p / (1.0 - p))


def prior_shift(logit_train: np.ndarray, training_prior: float, prior: float) -> np.ndarray:
    """P(class | x) at ``prior`` from its log-odds at ``training_prior`` (both in (0, 1)).

    The likelihood ratio P(x | UPS) / P(x | not) does not depend on the prior,
    so only the prior odds change (Saerens et al. 2002).
    """
    if not 0.0 < prior < 1.0:
        raise ValueError(f"prior must be strictly between 0 and 1, got {prior}")
    shift = np.log(prior / (1.0 - prior)) - np.log(training_prior / (1.0 - training_prior))
    return 1.0 / (1.0 + np.exp(-(logit_train + shift)))


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


@lru_cache(maxsize=1)
def model_json() -> dict[str, Any]:
    """The shipped ``nc_model.json``, parsed once per process (the model, provenance and figures all read it).

    Callers must not modify it: :meth:`NonClassicalModel.from_dict` copies what it keeps.
    """
    return json.loads((resources.files("secannot") / "data" / "nc_model.json").read_text(encoding="utf-8"))


@dataclass(frozen=True, slots=True)
class NonClassicalModel:
    """An averaged ensemble of small one-hidden-layer networks on standardised features, calibrated.

    ``calibration``: Platt slope and intercept on the logit of the raw score
    (out-of-fold fit); ``training_prior``: the UPS fraction of the training
    set; ``prior``: the default target prior; ``threshold``: the call
    threshold on the calibrated probability at that prior.
    """

    mean: np.ndarray
    scale: np.ndarray
    members: tuple[tuple[np.ndarray, np.ndarray, np.ndarray, float], ...]  # (W1, b1, w2, b2)
    threshold: float
    meta: dict[str, Any]
    calibration: tuple[float, float] = (1.0, 0.0)
    training_prior: float = 0.5
    prior: float = 0.5

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
            calibration=(float(data["calibration"]["slope"]), float(data["calibration"]["intercept"])),
            training_prior=float(data["calibration"]["training_prior"]),
            prior=float(data["prior"]),
        )

    @classmethod
    def load(cls) -> NonClassicalModel:
        return cls.from_dict(model_json())

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "unknown"))

    def score(self, seqs: Sequence[bytes], max_tm_logit: np.ndarray, prior: float | None = None) -> np.ndarray:
        """(B,) P(leaderless-secreted | sequence) under ``prior`` (default: the model's, 2%).

        ``max_tm_logit``: (B,) the windowed TM detector's best logit per protein.
        Raises ValueError for a prior outside (0, 1).
        """
        raw = self.raw_score(seqs, max_tm_logit)
        slope, intercept = self.calibration
        return prior_shift(slope * _logit(raw) + intercept, self.training_prior,
                           self.prior if prior is None else prior)

    def raw_score(self, seqs: Sequence[bytes], max_tm_logit: np.ndarray) -> np.ndarray:
        """(B,) the ensemble's mean output, uncalibrated (its scale is the OutCyte training mix)."""
        if not seqs:
            return np.zeros(0)
        z = (features(seqs, max_tm_logit) - self.mean) / self.scale
        total = np.zeros(len(seqs))
        for w1, b1, w2, b2 in self.members:
            hidden = np.maximum(blocked_matmul(z, w1) + b1, 0.0)
            total += 1.0 / (1.0 + np.exp(-(blocked_matmul(hidden, w2) + b2)))
        return total / len(self.members)

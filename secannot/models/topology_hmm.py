"""Membrane topology by a segment-level hidden Markov model (inside / TM helix / outside / signal peptide).

Why a segment model: a windowed hydrophobicity threshold cannot count the
helices of a multi-pass protein (neighbouring helices merge, hairpins are one
long run) and fires on short buried stretches of soluble proteins.  Here every
helix is an explicit segment of 14-36 residues with a trained length
distribution, loops alternate sides (inside, outside), and the best labelling
of the whole chain is found by Viterbi decoding, in the tradition of TMHMM
(Krogh et al. 2001, J Mol Biol 305:567) and Phobius (Kall et al. 2004, J Mol
Biol 338:1027).  The parameters are written from scratch here and trained by
``train/train_topology.py`` on TMbed's per-residue topology (Bernhofer & Rost
2022, BMC Bioinformatics 23:326) and the SignalP 6.0 benchmark's ``M`` labels.

Model (all scores are natural-log probabilities):

* residue classes with their own composition: inside loop, outside loop,
  inside and outside loop flanks (the ``flank`` residues next to a helix,
  where the positive-inside rule lives), helix caps on the inside and outside
  end (``cap`` residues), helix core, signal peptide;
* each residue's emission is ``log P(aa | class) + w * log P(bin | class)``
  where ``bin`` is the residue's windowed hydrophobicity (a second, coarse
  channel that sees the neighbourhood; ``w`` is tuned by cross-validation);
* a helix from residue ``s`` to ``e-1`` scores its core residues, its two
  caps, the flank residues just outside it and ``log P(length)``; the side
  it starts on gives its orientation;
* an optional N-terminal signal-peptide segment (10-45 residues) is followed
  by an outside loop, so the h-region of a signal peptide is not a helix.

Decoding (``secannot.models.topology_viterbi``) runs as a semi-Markov Viterbi
over sequence positions, vectorised over a batch of length-sorted sequences
(numpy, float32).  A helix's segment and length scores come from one look-up
table indexed by exact integer window sums, so the mean-hydropathy bin of a
segment is exact and no call depends on the batch.  A cheap prefilter skips
sequences whose best helix-length window is far too polar to hold a helix;
``train/train_topology.py`` measures that it changes no prediction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np

from secannot.models.scales import KYTE_DOOLITTLE
from secannot.models.signal_peptide import ALPHABET  # the 20 standard residues, one order for every model
from secannot.models.topology_viterbi import decode, plan_batches, segment_lut
from secannot.models.topology_viterbi import max_hydropathy as batch_max_hydropathy

CLASSES = ("in", "out", "helix", "sp")
C = {name: i for i, name in enumerate(CLASSES)}
NEG = np.float32(-1e9)
PREFILTER_WINDOW = 19

_CODE = np.full(256, len(ALPHABET), dtype=np.int64)  # anything else -> X (index 20)
for _i, _aa in enumerate(ALPHABET):
    _CODE[ord(_aa)] = _i
    _CODE[ord(_aa.lower())] = _i
_KD = np.zeros(256, dtype=np.float64)
for _aa, _v in KYTE_DOOLITTLE.items():
    _KD[ord(_aa)] = _v
_KR = np.zeros(256, dtype=np.int64)
_KR[[ord("K"), ord("R")]] = 1
_CHARGED = np.zeros(256, dtype=np.float32)
_CHARGED[[ord("D"), ord("E"), ord("K"), ord("R")]] = 1


@dataclass(frozen=True, slots=True)
class SegmentModel:
    """Log-likelihood ratio of a candidate helix segment: TM helix vs a loop window of the same length.

    Scored once per segment (not per residue) from two summary statistics:
    the mean Kyte-Doolittle hydropathy of the segment (bins of ``kd_width``
    from ``kd_low``) and its number of charged residues D/E/K/R (capped at
    ``charge_max``).  ``table[kd_bin, charge]`` is log P(stats | helix) - log
    P(stats | loop window), estimated by ``train/train_topology.py``.
    """

    kd_low: float
    kd_width: float
    charge_max: int
    table: np.ndarray  # (n_kd_bins, charge_max + 1) float32

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SegmentModel:
        return cls(float(d["kd_low"]), float(d["kd_width"]), int(d["charge_max"]),
                   np.asarray(d["table"], dtype=np.float32))

    def score(self, kd_sum: np.ndarray, charge: np.ndarray, length: np.ndarray) -> np.ndarray:
        """Segment log-odds for arrays of KD sums, charged counts and lengths (broadcast together)."""
        return self.table.ravel()[self._index(kd_sum, charge, length)]

    def _index(self, kd_sum: np.ndarray, charge: np.ndarray, length: np.ndarray) -> np.ndarray:
        n_kd = self.table.shape[0]
        kd = np.asarray((kd_sum / length - np.float32(self.kd_low)) * np.float32(1 / self.kd_width))
        idx = np.clip(kd, 0, n_kd - 1).astype(np.int32)
        idx *= self.charge_max + 1
        idx += np.minimum(charge, np.float32(self.charge_max + 0.5)).astype(np.int32)
        return idx


def kd_window_means(seq: bytes, window: int) -> np.ndarray:
    """Centred Kyte-Doolittle window means (zero padding at the ends), one per residue."""
    half = window // 2
    codes = np.frombuffer(seq, dtype=np.uint8)
    cum = np.zeros(len(codes) + 2 * half + 1)
    np.cumsum(np.pad(_KD[codes], half), out=cum[1:])
    return (cum[window:] - cum[:-window]) / window


@dataclass(frozen=True, slots=True)
class ResidueModel:
    """Multinomial logistic regression per residue over the classes in, out, helix, signal peptide.

    Every feature is categorical, so the linear score is a sum of table
    look-ups: the residue itself, binned Kyte-Doolittle means over windows of
    several widths and the binned count of K+R in a window (the
    positive-inside rule).  No position feature: the same evidence repeated
    on every residue of a region would be counted many times over by the HMM,
    whose own length and start terms model position.  ``log_prior`` is the class
    frequency of the training sample, so ``score - log_prior`` is a scaled
    likelihood up to a per-residue constant (Bourlard & Morgan's hybrid
    HMM/ANN recipe); the constant is the same for every path and is dropped.
    """

    kd_windows: tuple[int, ...]
    kd_edges: np.ndarray  # (n_windows, n_bins - 1)
    kr_window: int
    kr_max: int
    tables: tuple[np.ndarray, ...]  # one (n_categories, K) weight table per feature group
    intercept: np.ndarray  # (K,)
    log_prior: np.ndarray  # (K,)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ResidueModel:
        return cls(tuple(int(w) for w in d["kd_windows"]), np.asarray(d["kd_edges"], dtype=np.float64),
                   int(d["kr_window"]), int(d["kr_max"]),
                   tuple(np.asarray(t, dtype=np.float32) for t in d["tables"]),
                   np.asarray(d["intercept"], dtype=np.float32), np.asarray(d["log_prior"], dtype=np.float32))

    def categorical(self, seq: bytes, every: bool = False) -> list[np.ndarray | None]:
        """Per-residue category index of every feature group, in the order of :attr:`tables`.

        A window group whose weights are all zero is None unless ``every`` (training needs them all).
        """
        raw = np.frombuffer(seq, dtype=np.uint8)
        feats = [_CODE[raw]]
        for w, edges, table in zip(self.kd_windows, self.kd_edges, self.tables[1:], strict=False):
            feats.append(np.searchsorted(edges, kd_window_means(seq, w)) if every or table.any() else None)
        half = self.kr_window // 2
        kr = np.concatenate([[0], np.cumsum(np.pad(_KR[raw], half))])
        feats.append(np.minimum(kr[self.kr_window :] - kr[: -self.kr_window], self.kr_max).astype(np.int64))
        return feats

    def log_odds(self, seq: bytes) -> np.ndarray:
        """(len(seq), K) float32: unnormalised log P(class | context) - log prior.

        Feature groups whose weights are all zero are skipped (their windows
        are not even computed).
        """
        feats = self.categorical(seq)
        z = self.tables[0][feats[0]] + (self.intercept - self.log_prior)
        for table, f in zip(self.tables[1:], feats[1:], strict=True):
            if table.any():
                z += table[f]
        return z

    def log_odds_columns(self, seq: bytes, classes: Sequence[int]) -> list[np.ndarray | None]:
        """Columns ``classes`` of :meth:`log_odds` with the same float32 arithmetic; None for a column zero everywhere.

        The decoder needs only some classes, and one-dimensional look-ups are
        several times cheaper than gathering rows of a ``(n, K)`` table.
        """
        feats = self.categorical(seq)
        bias = self.intercept - self.log_prior
        used = [(table, f) for table, f in zip(self.tables[1:], feats[1:], strict=True) if table.any()]
        out: list[np.ndarray | None] = []
        for c in classes:
            if not (self.tables[0][:, c].any() or bias[c] or any(t[:, c].any() for t, _ in used)):
                out.append(None)
                continue
            col = self.tables[0][:, c].take(feats[0])
            col += bias[c]
            for table, f in used:
                col += table[:, c].take(f)
            out.append(col)
        return out

    def batch_gap(self) -> int:
        """Neutral residues between joined sequences: wider than any window, so no window sees a neighbour."""
        return max((*self.kd_windows, self.kr_window)) // 2 + 1

    def log_odds_batch(self, seqs: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """Log-odds of a whole batch in one pass: (total residues, K) and each sequence's offset.

        Sequences are joined with neutral gaps wider than any window, so no
        window sees a neighbour; every window here uses zero padding at the
        ends exactly as :meth:`log_odds` does.
        """
        gap = self.batch_gap()
        joined = (b"\0" * gap).join(seqs)
        z = self.log_odds(joined)
        lengths = np.fromiter((len(x) for x in seqs), dtype=np.int64, count=len(seqs))
        offsets = np.concatenate([[0], np.cumsum(lengths + gap)[:-1]])
        return z, offsets


@dataclass(frozen=True, slots=True)
class Helix:
    """One transmembrane helix, 1-based inclusive; ``orientation`` is the side its N-terminal end faces."""

    start: int
    end: int
    orientation: str  # "in->out" or "out->in"
    score: float = 0.0  # segment log-odds, TM helix vs loop (SegmentModel)

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"


@dataclass(frozen=True, slots=True)
class TopologyCall:
    """Decoded topology of one protein.

    ``helices``: TM helices in sequence order; ``signal_peptide``: length of the
    HMM's own N-terminal signal-peptide segment (0 if none); ``n_terminus``:
    ``"in"`` or ``"out"``, the side of residue 1 (``"out"`` after a signal
    peptide); ``nterm_helix_score``: best log-odds of a path with a helix
    starting in the first 40 residues over the best path with a signal peptide
    (None when the sequence was not decoded).
    """

    helices: tuple[Helix, ...]
    signal_peptide: int
    n_terminus: str
    score: float
    nterm_helix_score: float | None = None

    @property
    def count(self) -> int:
        return len(self.helices)


@dataclass(frozen=True, slots=True)
class TopologyHMM:
    """Trained parameters (``secannot/data/topology_hmm.json``) and the decoder."""

    residues: ResidueModel
    segments: SegmentModel
    flank: int  # residues each side of a helix whose composition tells inside from outside
    scale: float  # weight of the per-residue log-odds (neighbouring residues share context)
    helix_min: int
    helix_dur: np.ndarray  # (helix_max - helix_min + 1,) log P(length)
    sp_min: int
    sp_dur: np.ndarray
    start: dict[str, float]  # log P(first state): in, out, sp
    loop_stay: dict[str, float]  # log P(loop -> loop) per side
    helix_entry: dict[str, float]  # log P(loop -> helix) per side
    prefilter: float  # max KD window-19 mean below which no helix is possible
    gate: float  # a protein keeps its helices only if the best one scores at least this
    meta: dict[str, Any]
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def segment_lut(self) -> tuple[np.ndarray, np.ndarray]:
        """Segment + length score table of the decoder (built on first use, then kept)."""
        if "lut" not in self._cache:
            self._cache["lut"] = segment_lut(self.segments, self.helix_min, self.helix_dur)
        return self._cache["lut"]

    @property
    def helix_max(self) -> int:
        return self.helix_min + len(self.helix_dur) - 1

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TopologyHMM:
        return cls(
            residues=ResidueModel.from_dict(data["residue_model"]),
            segments=SegmentModel.from_dict(data["segment_model"]),
            flank=int(data["flank"]),
            scale=float(data["scale"]),
            helix_min=int(data["helix"]["min"]),
            helix_dur=np.asarray(data["helix"]["log_length"], dtype=np.float32),
            sp_min=int(data["signal_peptide"]["min"]),
            sp_dur=np.asarray(data["signal_peptide"]["log_length"], dtype=np.float32),
            start={k: float(v) for k, v in data["start"].items()},
            loop_stay={k: float(v) for k, v in data["loop_stay"].items()},
            helix_entry={k: float(v) for k, v in data["helix_entry"].items()},
            prefilter=float(data["prefilter"]),
            gate=float(data.get("gate", -1e9)),
            meta=data.get("meta", {}),
        )

    @classmethod
    def load(cls, path: str | None = None) -> TopologyHMM:
        """Load the shipped model (or ``path``); raises OSError/KeyError on a missing or malformed file."""
        if path is None:
            text = (resources.files("secannot") / "data" / "topology_hmm.json").read_text(encoding="utf-8")
        else:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        return cls.from_dict(json.loads(text))

    @staticmethod
    def max_hydropathy(seq: bytes) -> float:
        """Highest Kyte-Doolittle mean over a 19-residue window (the prefilter statistic; -inf if shorter)."""
        return float(batch_max_hydropathy([seq], PREFILTER_WINDOW)[0])

    # ------------------------------------------------------------------ decoding
    def predict(self, seqs: Sequence[bytes], budget: int = 400_000, prefilter: bool = True,
                signal_peptide: bool = True, start: str | None = None) -> list[TopologyCall]:
        """Topology of every sequence, in input order.

        Sequences are decoded in length-sorted batches of at most ``budget``
        padded residues, cut where padding would cost more than another batch
        (:func:`~secannot.models.topology_viterbi.plan_batches`); a call never
        depends on its batch.  ``prefilter=False`` decodes everything (used to check
        the prefilter loses nothing).  ``signal_peptide=False`` removes the
        N-terminal signal-peptide segment from the model: the pipeline has its
        own signal-peptide model, and without one an N-terminal hydrophobic
        stretch must be read as a helix (a signal anchor).  ``start="out"``
        (or ``"in"``) fixes the side of residue 1, e.g. for a mature chain
        after a cleaved signal peptide.
        """
        out: list[TopologyCall | None] = [None] * len(seqs)
        todo = []
        peak = batch_max_hydropathy(seqs, PREFILTER_WINDOW) if prefilter else None
        for i, s in enumerate(seqs):
            if len(s) < self.helix_min or (peak is not None and peak[i] < self.prefilter):
                out[i] = TopologyCall((), 0, "in", 0.0, None)
            else:
                todo.append(i)
        todo.sort(key=lambda i: len(seqs[i]))
        for k, j in plan_batches([len(seqs[i]) for i in todo], budget):
            batch = todo[k:j]
            decoded = decode(self, [seqs[i] for i in batch], signal_peptide, start)
            for i, (helices, sp_len, nterm, score) in zip(batch, decoded, strict=True):
                call = TopologyCall(tuple(Helix(a, b, o) for a, b, o in helices), sp_len, nterm, score)
                out[i] = self._gated(seqs[i], call)
        return out  # type: ignore[return-value]

    def helix_score(self, seq: bytes, start: int, end: int) -> float:
        """Segment log-odds of residues ``start..end`` (1-based, inclusive)."""
        raw = np.frombuffer(seq[start - 1 : end], dtype=np.uint8)
        return float(self.segments.score(np.float32(_KD[raw].sum()), np.float32(_CHARGED[raw].sum()),
                                         np.float32(len(raw))))

    def _gated(self, seq: bytes, call: TopologyCall) -> TopologyCall:
        """Score each helix; drop them all when even the best is too weak (a protein-level decision)."""
        if not call.helices or self.gate <= -1e8:  # no gate in force: skip the scoring
            return call
        helices = tuple(Helix(h.start, h.end, h.orientation, self.helix_score(seq, h.start, h.end))
                        for h in call.helices)
        if max(h.score for h in helices) < self.gate:
            return TopologyCall((), call.signal_peptide, call.n_terminus, call.score, call.nterm_helix_score)
        return TopologyCall(helices, call.signal_peptide, call.n_terminus, call.score, call.nterm_helix_score)

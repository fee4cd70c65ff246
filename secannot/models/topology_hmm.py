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

Decoding runs as a semi-Markov Viterbi over sequence positions, vectorised
over a batch of length-sorted sequences (numpy, float32): each step costs a
few operations on ``(batch, n_lengths)`` arrays.  A cheap prefilter skips
sequences whose best helix-length window is far too polar to hold a helix;
``train/train_topology.py`` measures that it changes no prediction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from secannot.models.scales import KYTE_DOOLITTLE

ALPHABET = "ACDEFGHIKLMNPQRSTVWY"
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


def _windows(arr: np.ndarray, lo: int, hi: int, width: int) -> np.ndarray:
    """(B, hi - lo - width + 1, width) view: the ``width`` helix starts of each helix end in a block."""
    return np.lib.stride_tricks.sliding_window_view(arr[:, lo:hi], width, axis=1)


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

    def log_odds_batch(self, seqs: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """Log-odds of a whole batch in one pass: (total residues, K) and each sequence's offset.

        Sequences are joined with neutral gaps wider than any window, so no
        window sees a neighbour; every window here uses zero padding at the
        ends exactly as :meth:`log_odds` does.
        """
        gap = max((*self.kd_windows, self.kr_window)) // 2 + 1
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
        """Highest Kyte-Doolittle mean over a 19-residue window (the prefilter statistic)."""
        if len(seq) < PREFILTER_WINDOW:
            return float("-inf")
        codes = np.frombuffer(seq, dtype=np.uint8)
        cum = np.concatenate([[0.0], np.cumsum(_KD[codes])])
        return float((cum[PREFILTER_WINDOW:] - cum[:-PREFILTER_WINDOW]).max() / PREFILTER_WINDOW)

    # ------------------------------------------------------------------ decoding
    def predict(self, seqs: Sequence[bytes], budget: int = 400_000, prefilter: bool = True,
                signal_peptide: bool = True, start: str | None = None) -> list[TopologyCall]:
        """Topology of every sequence, in input order.

        Sequences are decoded in length-sorted batches of at most ``budget``
        padded residues.  ``prefilter=False`` decodes everything (used to check
        the prefilter loses nothing).  ``signal_peptide=False`` removes the
        N-terminal signal-peptide segment from the model: the pipeline has its
        own signal-peptide model, and without one an N-terminal hydrophobic
        stretch must be read as a helix (a signal anchor).  ``start="out"``
        (or ``"in"``) fixes the side of residue 1, e.g. for a mature chain
        after a cleaved signal peptide.
        """
        out: list[TopologyCall | None] = [None] * len(seqs)
        todo = []
        for i, s in enumerate(seqs):
            if len(s) < self.helix_min or (prefilter and self.max_hydropathy(s) < self.prefilter):
                out[i] = TopologyCall((), 0, "in", 0.0, None)
            else:
                todo.append(i)
        todo.sort(key=lambda i: len(seqs[i]))
        k = 0
        while k < len(todo):
            j = k + 1
            while j < len(todo) and len(seqs[todo[j]]) * (j - k + 1) <= budget:
                j += 1
            batch = todo[k:j]
            for i, call in zip(batch, self._decode([seqs[i] for i in batch], signal_peptide, start), strict=True):
                out[i] = self._gated(seqs[i], call)
            k = j
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

    def _tables(self, seqs: Sequence[bytes], signal_peptide: bool, start: str | None) -> dict[str, Any]:
        """Cumulative score tables of a padded batch, indexed by boundary ``p = t + helix_max``."""
        B = len(seqs)
        lengths = np.array([len(s) for s in seqs])
        T = int(lengths.max())
        dmin, dmax = self.helix_min, self.helix_max
        P = dmax  # left padding: index p = t + P
        W = T + 1 + P
        z, offsets = self.residues.log_odds_batch(seqs)
        rows = np.repeat(np.arange(B), lengths)
        cols = np.arange(int(lengths.sum())) - np.repeat(np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        src = np.repeat(offsets, lengths) + cols
        em = np.zeros((len(CLASSES), B, T), dtype=np.float32)
        em[:, rows, cols] = z[src].T * np.float32(self.scale)

        def cum(x: np.ndarray) -> np.ndarray:
            out = np.zeros((B, W), dtype=np.float32)
            np.cumsum(x, axis=1, out=out[:, P + 1 :])
            return out

        # Side-specific composition counts only in the flanks of a helix (the
        # positive-inside rule); far loops share one composition, so a helix
        # is never bought just to move a long loop to the other side.
        fl = self.flank
        idx = np.arange(W)
        side_in, side_out = cum(em[C["in"]]), cum(em[C["out"]])
        back, ahead = np.maximum(idx - fl, 0), np.minimum(idx + fl, W - 1)
        in_before, out_before = side_in - side_in[:, back], side_out - side_out[:, back]
        in_after, out_after = side_in[:, ahead] - side_in, side_out[:, ahead] - side_out
        steps = np.arange(W, dtype=np.float32) - P
        c_in = np.maximum(steps, 0)[None, :] * np.float32(self.loop_stay["in"]) + np.zeros((B, 1), np.float32)
        c_out = np.maximum(steps, 0)[None, :] * np.float32(self.loop_stay["out"]) + np.zeros((B, 1), np.float32)
        c_h, c_sp = cum(em[C["helix"]]), cum(em[C["sp"]])
        raw = np.frombuffer(b"".join(seqs), dtype=np.uint8)
        kd = np.zeros((B, T), dtype=np.float32)
        charged = np.zeros((B, T), dtype=np.float32)
        kd[rows, cols] = _KD[raw]
        charged[rows, cols] = _CHARGED[raw]
        c_kd, c_ch = cum(kd), cum(charged)
        d_vec = (dmax - np.arange(dmax - dmin + 1)).astype(np.float32)  # length of window element k
        sp_lo, sp_hi = self.sp_min, self.sp_min + len(self.sp_dur) - 1
        sp_score = np.full((B, W), NEG, dtype=np.float32)
        hi = min(sp_hi, T)
        if hi >= sp_lo and signal_peptide and start is None:
            sp_score[:, P + sp_lo : P + hi + 1] = (self.start["sp"] + c_sp[:, P + sp_lo : P + hi + 1]
                                                   + self.sp_dur[: hi - sp_lo + 1] - c_out[:, P + sp_lo : P + hi + 1])
        return {"B": B, "T": T, "P": P, "W": W, "lengths": lengths, "c_in": c_in, "c_out": c_out, "c_h": c_h,
                "c_kd": c_kd, "c_ch": c_ch, "d_vec": d_vec, "in_before": in_before, "out_before": out_before,
                "in_after": in_after, "out_after": out_after, "sp_score": sp_score}

    def _decode(self, seqs: Sequence[bytes], signal_peptide: bool = True, start: str | None = None
                ) -> list[TopologyCall]:
        """Semi-Markov Viterbi for a batch, ``helix_min`` boundaries at a time.

        A helix ending at boundary ``t`` started at ``t - d`` with ``d >=
        helix_min``, so the helix ends of a block of ``helix_min`` boundaries
        depend only on loop scores already known; and a loop recursion
        ``V[t] = max(V[t-1], Vend[t-1]) + e[t-1]`` is, after subtracting the
        cumulative emission, a running maximum (``np.maximum.accumulate``).
        So each block costs a handful of array operations for the whole batch.
        """
        tb = self._tables(seqs, signal_peptide, start)
        B, T, P, W, lengths = tb["B"], tb["T"], tb["P"], tb["W"], tb["lengths"]
        c_in, c_out, c_h, c_kd, c_ch, d_vec = tb["c_in"], tb["c_out"], tb["c_h"], tb["c_kd"], tb["c_ch"], tb["d_vec"]
        in_before, out_before, in_after, out_after = tb["in_before"], tb["out_before"], tb["in_after"], tb["out_after"]
        sp_score = tb["sp_score"]
        dmin, dmax = self.helix_min, self.helix_max
        neg = np.full((B, W), NEG, dtype=np.float32)
        a_io, a_oi = neg.copy(), neg.copy()  # loop score + entry - cum helix, by helix start
        v_ie, v_oe = neg.copy(), neg.copy()  # helix (out->in / in->out) ending at t
        w_i, w_o = neg.copy(), neg.copy()  # loop score - cumulative loop emission (running max)
        seed_i, seed_o = neg.copy(), neg.copy()
        d_i = np.zeros((B, W), dtype=np.int8)
        d_o = np.zeros((B, W), dtype=np.int8)
        sp_mark = np.zeros((B, W), dtype=bool)
        seed_i[:, P] = self.start["in"] if start != "out" else NEG
        seed_o[:, P] = self.start["out"] if start != "in" else NEG
        dur_rev = self.helix_dur[::-1].copy()
        e_in, e_out = self.helix_entry["in"], self.helix_entry["out"]
        prev_wi = np.full(B, NEG, dtype=np.float32)
        prev_wo = np.full(B, NEG, dtype=np.float32)
        for t0 in range(0, T + 1, dmin):
            t1 = min(t0 + dmin, T + 1)
            p0, p1 = t0 + P, t1 + P
            if t1 - 1 >= dmin:  # helix ends in the block: starts in [t-dmax, t-dmin], all before the block
                lo, hi = p0 - dmax, p1 - dmin
                seg = self.segments.score(c_kd[:, p0:p1, None] - _windows(c_kd, lo, hi, len(d_vec)),
                                          c_ch[:, p0:p1, None] - _windows(c_ch, lo, hi, len(d_vec)), d_vec) + dur_rev
                for a_arr, v_arr, d_arr, flank_end in ((a_io, v_oe, d_o, out_after), (a_oi, v_ie, d_i, in_after)):
                    win = _windows(a_arr, lo, hi, len(d_vec)) + seg
                    k = win.argmax(axis=2)
                    v_arr[:, p0:p1] = (np.take_along_axis(win, k[:, :, None], axis=2)[:, :, 0] + c_h[:, p0:p1]
                                       + flank_end[:, p0:p1])
                    d_arr[:, p0:p1] = dmax - k
            if t0 > 0:
                seed_i[:, p0:p1] = v_ie[:, p0 - 1 : p1 - 1] - c_in[:, p0 - 1 : p1 - 1]
                from_helix = v_oe[:, p0 - 1 : p1 - 1] - c_out[:, p0 - 1 : p1 - 1]
                sp_here = sp_score[:, p0:p1] > from_helix
                sp_mark[:, p0:p1] = sp_here
                seed_o[:, p0:p1] = np.where(sp_here, sp_score[:, p0:p1], from_helix)
            w_i[:, p0:p1] = np.maximum.accumulate(np.maximum(seed_i[:, p0:p1], prev_wi[:, None]), axis=1)
            w_o[:, p0:p1] = np.maximum.accumulate(np.maximum(seed_o[:, p0:p1], prev_wo[:, None]), axis=1)
            prev_wi, prev_wo = w_i[:, p1 - 1], w_o[:, p1 - 1]
            a_io[:, p0:p1] = w_i[:, p0:p1] + c_in[:, p0:p1] + (e_in - c_h[:, p0:p1]) + in_before[:, p0:p1]
            a_oi[:, p0:p1] = w_o[:, p0:p1] + c_out[:, p0:p1] + (e_out - c_h[:, p0:p1]) + out_before[:, p0:p1]
        return self._trace(lengths, P, c_in, c_out, w_i, w_o, v_ie, v_oe, seed_i, seed_o, sp_mark, d_i, d_o)

    @staticmethod
    def _trace(lengths, P, c_in, c_out, w_i, w_o, v_ie, v_oe, seed_i, seed_o, sp_mark, d_i, d_o) -> list[TopologyCall]:
        """Back-trace every sequence of the batch together, one segment per step."""
        B, W = w_i.shape
        idx = np.arange(W)
        # where each loop's running maximum was attained: the boundary its loop began at
        origin_i = np.maximum.accumulate(np.where(seed_i >= w_i, idx, 0), axis=1)
        origin_o = np.maximum.accumulate(np.where(seed_o >= w_o, idx, 0), axis=1)
        rows = np.arange(B)
        end = lengths + P
        finals = np.stack([w_i[rows, end] + c_in[rows, end], w_o[rows, end] + c_out[rows, end],
                           v_ie[rows, end], v_oe[rows, end]])
        state = finals.argmax(axis=0)  # 0 loop in, 1 loop out, 2 helix out->in end, 3 helix in->out end
        score = finals.max(axis=0)
        pos = end.copy()
        helices: list[list[Helix]] = [[] for _ in range(B)]
        sp_len = np.zeros(B, dtype=np.int64)
        nterm = np.zeros(B, dtype=np.int64)
        active = np.ones(B, dtype=bool)
        while active.any():
            r = np.flatnonzero(active)
            st = state[r]
            is_helix = st >= 2
            h = r[is_helix]
            if len(h):
                hp, hs = pos[h], state[h]
                d = np.where(hs == 2, d_i[h, hp], d_o[h, hp]).astype(np.int64)
                for b, e_, dd, s_ in zip(h.tolist(), (hp - P).tolist(), d.tolist(), hs.tolist(), strict=True):
                    helices[b].append(Helix(e_ - dd + 1, e_, "out->in" if s_ == 2 else "in->out"))
                pos[h] = hp - d
                state[h] = np.where(hs == 2, 1, 0)
            lp = r[~is_helix]
            if len(lp):
                lst, lpos = state[lp], pos[lp]
                org = np.where(lst == 0, origin_i[lp, lpos], origin_o[lp, lpos])
                at_start = org <= P
                done = lp[at_start]
                nterm[done] = state[done]
                active[done] = False
                go = ~at_start
                g, gorg, gst = lp[go], org[go], lst[go]
                is_sp = (gst == 1) & sp_mark[g, gorg]
                sp_len[g[is_sp]] = gorg[is_sp] - P
                nterm[g[is_sp]] = 1
                active[g[is_sp]] = False
                nxt = ~is_sp
                gn = g[nxt]
                pos[gn] = gorg[nxt] - 1
                state[gn] = np.where(gst[nxt] == 0, 2, 3)
        return [TopologyCall(tuple(reversed(helices[b])), int(sp_len[b]), "out" if nterm[b] else "in",
                             float(score[b])) for b in range(B)]

"""TM helices with orientation from the per-residue network (:mod:`secannot.models.topology_net`).

Model, as shipped in ``secannot/data/topology_net.json`` (numbers from
``train/train_topology_net.py``; the gate by inner cross-validation):

1. **Candidate zones.**  A residue can be helix only inside a zone: residues
   whose windowed-hydrophobicity logit (:func:`secannot.models.topology.transmembrane_logits`,
   cheap exact integer window sums) reaches ``zone_logit``, widened by
   ``zone_pad`` residues each side.  The network runs on each zone with
   ``HALF_FIELD`` residues of real context each side, so its numbers there
   equal those of a whole-chain run; residues outside every zone are loop
   with no side evidence.  Most soluble proteins have no zone and cost only
   the window sums.
2. **Helix segments.**  Runs of residues whose helix probability (plus the
   signal-peptide probability when the caller has no signal-peptide state,
   so an N-terminal anchor is a helix) is over ``threshold``; runs at most
   ``merge_gap`` apart merge while the result is at most ``helix_max`` long;
   runs shorter than ``helix_min`` are dropped; a run longer than
   ``split_length`` is a hairpin or helix bundle and is cut into
   ``round(length / mean_length)`` helices at its lowest-probability residues.
3. **Protein gate.**  A protein keeps its helices only if the best one's
   score (sum over the helix of the clipped log-odds of helix) reaches ``gate``.
4. **Orientation.**  Loops alternate sides; the side of residue 1 is the one
   whose alternating assignment has the higher summed in-vs-out log-odds over
   the loop residues in zones (or fixed by the caller, e.g. ``out`` after a
   cleaved signal peptide).

Every step reads one protein only, so a call never depends on the batch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from secannot.models.topology import TopologyParams, transmembrane_logits
from secannot.models.topology_hmm import Helix, TopologyCall
from secannot.models.topology_net import GAP, HALF_FIELD, PAD, TopologyNet, codes_of, log_softmax

LOGODDS_CLIP = 4.0
#: residues per network pass (joined zones): bounds the temporaries
CHUNK = 4096
#: residues per window-sum pass when finding zones
ZONE_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class DecodeParams:
    zone_logit: float
    zone_pad: int
    threshold: float
    helix_min: int
    helix_max: int
    split_length: int
    mean_length: int
    merge_gap: int
    gate: float
    meta: dict[str, Any]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DecodeParams:
        return cls(float(d["zone_logit"]), int(d["zone_pad"]), float(d["threshold"]), int(d["helix_min"]), int(d["helix_max"]),
                   int(d["split_length"]), int(d["mean_length"]), int(d["merge_gap"]), float(d["gate"]),
                   d.get("meta", {}))


class TopologyPredictor:
    """The network, the window detector that finds its zones, and the decoder parameters."""

    def __init__(self, net: TopologyNet, window: TopologyParams, params: DecodeParams):
        self.net, self.window, self.params = net, window, params
        self.meta = params.meta

    @classmethod
    def load(cls) -> TopologyPredictor:
        """The shipped model; raises OSError/KeyError on a missing or malformed file."""
        text = (resources.files("secannot") / "data" / "topology_net.json").read_text(encoding="utf-8")
        return cls(TopologyNet.load(), TopologyParams.load(), DecodeParams.from_dict(json.loads(text)))

    # ------------------------------------------------------------------ network on zones
    def zones(self, seqs: Sequence[bytes]) -> list[list[tuple[int, int]]]:
        """Per sequence, merged 0-based half-open zones where a helix is allowed.

        Window sums run on chunks of about ``ZONE_CHUNK`` residues (bounded
        temporaries; exact integer sums, so the chunking changes nothing).
        """
        out: list[list[tuple[int, int]]] = [[] for _ in seqs]
        first, size = 0, 0
        for i, seq in enumerate(seqs):
            size += len(seq)
            if size >= ZONE_CHUNK or i == len(seqs) - 1:
                self._zones(seqs[first : i + 1], out, first)
                first, size = i + 1, 0
        return out

    def _zones(self, seqs: Sequence[bytes], out: list[list[tuple[int, int]]], first: int) -> None:
        p = self.params
        logit, starts, codes = transmembrane_logits(self.window, seqs)
        above = (logit >= p.zone_logit) & (codes != 0)
        above[0] = above[-1] = False
        edges = np.flatnonzero(above[1:] != above[:-1]) + 1
        rs, re_ = edges[0::2], edges[1::2]
        if not len(rs):
            return
        owner = np.searchsorted(starts, rs, side="right") - 1
        lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
        # padded runs, clipped to their own chain (global coordinates): chains never overlap,
        # so a run opens a new zone exactly where it starts after every earlier zone's end
        a = np.maximum(rs - p.zone_pad, starts[owner])
        b = np.minimum(re_ + p.zone_pad, starts[owner] + lengths[owner])
        opens = np.ones(len(a), dtype=bool)
        opens[1:] = a[1:] > np.maximum.accumulate(b)[:-1]
        heads = np.flatnonzero(opens)
        za, zb, zo = a[heads], np.maximum.reduceat(b, heads), owner[heads]
        base = starts[zo]
        for k, x, y in zip(zo.tolist(), (za - base).tolist(), (zb - base).tolist(), strict=True):
            out[first + k].append((x, y))

    def zone_log_probs(self, seqs: Sequence[bytes], zones: list[list[tuple[int, int]]],
                       signal_peptide: bool = True) -> list[np.ndarray | None]:
        """Per sequence, (len, 4) log-probabilities with NaN outside its zones.

        None for a sequence without a zone, or whose zones hold no residue over
        the helix threshold (it cannot have a helix, so it needs no decoding).
        """
        pieces: list[tuple[int, int, int, int, int]] = []  # (seq, crop a, crop b, zone a, zone b)
        for i, zs in enumerate(zones):
            n = len(seqs[i])
            j = 0
            while j < len(zs):  # zones whose contexts would overlap share one crop (computed once)
                m = j
                while m + 1 < len(zs) and zs[m + 1][0] - zs[m][1] <= 2 * HALF_FIELD + GAP:
                    m += 1
                ca, cb = max(zs[j][0] - HALF_FIELD, 0), min(zs[m][1] + HALF_FIELD, n)
                pieces += [(i, ca, cb, x, y) if k == j else (i, -1, -1, x, y) for k, (x, y) in enumerate(zs[j:m + 1], j)]
                j = m + 1
        found: list[list[tuple[int, int, np.ndarray]]] = [[] for _ in seqs]
        hit = np.zeros(len(seqs), dtype=bool)
        gap = np.full(GAP, PAD, dtype=np.intp)
        k = 0
        while k < len(pieces):
            batch, size = [], 0
            while k < len(pieces) and (not batch or size < CHUNK or pieces[k][1] < 0):
                batch.append(pieces[k])
                size += pieces[k][2] - pieces[k][1] + GAP
                k += 1
            parts, offs, pos = [], [], 0
            crop = (0, 0)
            for i, ca, cb, _, _ in batch:
                if ca >= 0:  # a new crop; -1: a later zone of the previous crop
                    parts += [codes_of(seqs[i][ca:cb]), gap]
                    crop = (pos, ca)
                    pos += cb - ca + GAP
                offs.append(crop)
            lp = log_softmax(self.net.logits(np.concatenate(parts)))
            hp = np.exp(lp[:, 2]) if signal_peptide else np.exp(lp[:, 2]) + np.exp(lp[:, 3])
            for (i, _, _, za, zb), (off, ca) in zip(batch, offs, strict=True):
                lo, hi = off + za - ca, off + zb - ca
                found[i].append((za, zb, lp[lo:hi]))
                hit[i] |= bool((hp[lo:hi] > self.params.threshold).any())
        out: list[np.ndarray | None] = [None] * len(seqs)
        for i in np.flatnonzero(hit).tolist():
            arr = np.full((len(seqs[i]), 4), np.nan, dtype=np.float32)
            for za, zb, part in found[i]:
                arr[za:zb] = part
            out[i] = arr
        return out

    # ------------------------------------------------------------------ decoding
    def predict(self, seqs: Sequence[bytes], signal_peptide: bool = True, start: str | None = None,
                zones: bool | str = True) -> list[TopologyCall]:
        """Topology of every sequence, in input order (see the module docstring for the model).

        ``signal_peptide=False``: the caller has its own signal-peptide model,
        so signal-peptide probability counts as helix (an uncleaved
        N-terminal stretch is a signal anchor).  ``start``: fix the side of
        residue 1 (``"out"`` for a mature chain).  ``zones=False`` runs the
        network on whole chains and lets a helix lie anywhere (to measure
        what the zones change); ``zones="check"`` runs it on whole chains but
        keeps the zones (must give the same calls as the default cropped run).
        """
        if zones == "check":  # whole-chain network, same zones: must equal the cropped run
            lps = [self.masked_whole_chain(s, z, signal_peptide) for s, z in zip(seqs, self.zones(seqs), strict=True)]
        elif zones:
            lps = self.zone_log_probs(seqs, self.zones(seqs), signal_peptide)
        else:
            lps = [log_softmax(self.net.logits(codes_of(s))) if s else None for s in seqs]
        return [self.decode(lp, signal_peptide, start) for lp in lps]

    def masked_whole_chain(self, seq: bytes, zones: list[tuple[int, int]], signal_peptide: bool) -> np.ndarray | None:
        """The network on the whole chain, NaN outside ``zones`` (None as in :meth:`zone_log_probs`)."""
        if not zones:
            return None
        lp = log_softmax(self.net.logits(codes_of(seq)))
        keep = np.zeros(len(seq), dtype=bool)
        for a, b in zones:
            keep[a:b] = True
        lp[~keep] = np.nan
        return lp if (self.helix_prob(lp, signal_peptide) > self.params.threshold).any() else None

    def helix_prob(self, lp: np.ndarray, signal_peptide: bool) -> np.ndarray:
        p = np.exp(lp[:, 2])
        if not signal_peptide:
            p = p + np.exp(lp[:, 3])
        return np.nan_to_num(p, nan=0.0)

    def segments(self, p: np.ndarray) -> list[tuple[int, int]]:
        """0-based half-open helices from per-residue helix probabilities (steps 2 of the model)."""
        q = self.params
        above = np.concatenate([[False], p > q.threshold, [False]])
        edges = np.flatnonzero(above[1:] != above[:-1])
        runs = list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))
        merged: list[tuple[int, int]] = []
        for a, b in runs:
            if merged and a - merged[-1][1] <= q.merge_gap and b - merged[-1][0] <= q.helix_max:
                merged[-1] = (merged[-1][0], b)
            else:
                merged.append((a, b))
        out = []
        for a, b in merged:
            length = b - a
            if length < q.helix_min:
                continue
            pieces = max(1, round(length / q.mean_length)) if length > q.split_length else 1
            cuts = [a]
            for j in range(1, pieces):
                centre = a + round(j * length / pieces)
                lo, hi = max(centre - 6, cuts[-1] + q.helix_min), min(centre + 7, b - q.helix_min)
                cuts.append(lo + int(np.argmin(p[lo:hi])) if hi > lo else centre)
            cuts.append(b)
            out += [(x, y) for x, y in zip(cuts[:-1], cuts[1:], strict=True)]
        return out

    @staticmethod
    def segment_score(p: np.ndarray, a: int, b: int) -> float:
        q = np.clip(p[a:b], 1e-6, 1 - 1e-6)
        return float(np.clip(np.log(q / (1 - q)), -LOGODDS_CLIP, LOGODDS_CLIP).sum())

    def decode(self, lp: np.ndarray | None, signal_peptide: bool = True, start: str | None = None) -> TopologyCall:
        if lp is None:
            return TopologyCall((), 0, start or "in", 0.0, None)
        p = self.helix_prob(lp, signal_peptide)
        segs = self.segments(p)
        scores = [self.segment_score(p, a, b) for a, b in segs]
        if not segs or max(scores) < self.params.gate:
            return TopologyCall((), 0, start or "in", 0.0, None)
        side = np.nan_to_num(lp[:, 0] - lp[:, 1], nan=0.0)  # in vs out, zero outside zones
        bounds = [0, *[x for s in segs for x in s], len(p)]
        loops = [float(side[bounds[2 * k] : bounds[2 * k + 1]].sum()) for k in range(len(segs) + 1)]
        alternating = sum(v if k % 2 == 0 else -v for k, v in enumerate(loops))
        first = start or ("in" if alternating >= 0 else "out")
        helices = []
        for k, ((a, b), sc) in enumerate(zip(segs, scores, strict=True)):
            at_in = (first == "in") == (k % 2 == 0)
            helices.append(Helix(a + 1, b, "in->out" if at_in else "out->in", round(sc, 3)))
        return TopologyCall(tuple(helices), 0, first, float(max(scores)), None)

    def helix_score(self, seq: bytes, start: int, end: int) -> float:
        """Score of residues ``start..end`` (1-based, inclusive) as a TM helix: summed clipped log-odds.

        The network sees the whole chain up to ``HALF_FIELD`` past ``end``.
        Only the helix class counts, not the signal-peptide class: the band
        rule asks whether an N-terminal stretch is an anchor rather than the
        h-region of a signal peptide, which is what the network tells apart.
        """
        lp = log_softmax(self.net.logits(codes_of(seq[: end + HALF_FIELD])))
        return self.segment_score(self.helix_prob(lp, True), start - 1, end)

"""TM helices with orientation from the per-residue network (:mod:`secannot.models.topology_net`).

Model, as shipped in ``secannot/data/topology_net.json`` (numbers from
``train/train_topology_net.py``; the gate by inner cross-validation):

1. **Candidate zones.**  A residue can be helix only inside a zone: residues
   whose windowed-hydrophobicity logit (:func:`secannot.models.topology.transmembrane_logits`,
   cheap exact integer window sums) reaches ``zone_logit``, widened by
   ``zone_pad`` residues each side.  The network runs on each zone with
   its half field (``net.half_field``) of real context each side, so its numbers there
   equal those of a whole-chain run; residues outside every zone are loop
   with no side evidence.  Most soluble proteins have no zone and cost only
   the window sums.
2. **Helix segments.**  Runs of residues whose helix probability (plus the
   signal-peptide probability when the caller has no signal-peptide state,
   so an N-terminal anchor is a helix) is over ``threshold``; runs at most
   ``merge_gap`` apart merge while the result is at most ``helix_max`` long;
   runs shorter than ``helix_min`` are dropped; a run longer than
   ``split_length`` is a hairpin or helix bundle and is cut into
   ``round(length / mean_length)`` helices at its lowest-probability residues,
   leaving ``min_loop`` residues of loop at each cut (and trimming separate
   runs closer than that), so two helices never touch.
3. **Protein gate.**  A protein keeps its helices only if the best one's
   score (sum over the helix of the clipped log-odds of helix) reaches ``gate``
   and, when the file has one, the learned gate of
   :mod:`secannot.models.topology_gate` (a logistic score of the best and
   other helices' scores, the best helix's length, mean and position, the
   helix count and the chain length) reaches its cut.
4. **Orientation.**  Loops alternate sides; the side of residue 1 is the one
   whose alternating assignment has the higher score: summed in-vs-out
   log-odds over loop residues in zones within ``side_flank`` of a helix,
   plus ``kr_weight`` times the positive-inside difference
   (:meth:`TopologyPredictor.positive_inside`); or fixed by the caller, e.g.
   ``out`` after a cleaved signal peptide.

Every step reads one protein only, so a call never depends on the batch; :mod:`~secannot.models.topology_batch`
does the array work for all proteins of a call at once, to the numbers of a run on each alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from secannot.models import topology_batch as batch
from secannot.models.topology import TopologyParams, find_segments
from secannot.models.topology_batch import CHARGE, Zoned, Zones
from secannot.models.topology_gate import ProteinGate
from secannot.models.topology_net import TopologyNet, codes_of

LOGODDS_CLIP = 4.0
#: Shortest loop between two helices.  In TMbed's OPM-based labels (data/tmbed/tmbed_dev.3line) 44 of 1569
#: inter-helix loops are 1 residue, 32 are 2 and the rest longer; none is 0.  Two residues is the tightest
#: helix-helix turn taken here (97% of the observed loops are at least that long).
MIN_LOOP = 2
#: Positive-inside rule (von Heijne 1989, Nature 341:456; 1992, J Mol Biol 225:487): K+R within ``KR_FLANK``
#: residues of a helix end, compared between the two sides; the weight per K/R is set in
#: secannot/data/topology_net.json (chosen on the bench folds, docs/model_card.md); 0 here, the file sets it.
KR_WEIGHT = 0.0
KR_FLANK = 15
KR_INTO = 0


@dataclass(frozen=True, slots=True)
class Helix:
    """One transmembrane helix, 1-based inclusive; ``orientation`` is the side its N-terminal end faces."""

    start: int
    end: int
    orientation: str  # "in->out" or "out->in"
    score: float = 0.0  # summed clipped helix log-odds over the helix

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"


@dataclass(frozen=True, slots=True)
class TopologyCall:
    """Decoded topology of one protein: TM helices in sequence order, the side of residue 1
    (``"in"`` or ``"out"``) and the best helix's score (0.0 without a helix)."""

    helices: tuple[Helix, ...]
    n_terminus: str
    score: float

    @property
    def count(self) -> int:
        return len(self.helices)


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
    #: residues of loop left between two helices (at the weakest point of a cut run; see :meth:`segments`)
    min_loop: int = MIN_LOOP
    #: weight of one K/R of the positive-inside difference against the network's summed side log-odds
    kr_weight: float = KR_WEIGHT
    #: loop residues within this many of a helix end count for the positive-inside rule
    kr_flank: int = KR_FLANK
    #: ... and so do this many residues at each end of a called helix (its interface, where an anchor's
    #: charges sit when the helix is called from residue 1)
    kr_into: int = KR_INTO
    #: loop residues farther than this from every helix give no side evidence (0: no limit)
    side_flank: int = 0
    #: D and E count minus this much each (1: net charge, as Hartmann, Rapoport & Lodish 1989; 0: K+R only)
    acidic: float = 0.0
    #: learned protein-level gate (:mod:`secannot.models.topology_gate`), tested after ``gate``; None: none
    protein_gate: ProteinGate | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DecodeParams:
        return cls(float(d["zone_logit"]), int(d["zone_pad"]), float(d["threshold"]), int(d["helix_min"]),
                   int(d["helix_max"]),
                   int(d["split_length"]), int(d["mean_length"]), int(d["merge_gap"]), float(d["gate"]),
                   d.get("meta", {}), int(d.get("min_loop", MIN_LOOP)), float(d.get("kr_weight", KR_WEIGHT)),
                   int(d.get("kr_flank", KR_FLANK)), int(d.get("kr_into", KR_INTO)), int(d.get("side_flank", 0)),
                   float(d.get("acidic", 0.0)),
                   ProteinGate.from_dict(d["protein_gate"]) if d.get("protein_gate") else None)


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
    @property
    def zone_args(self) -> tuple[float, int]:
        """(level, pad) of the candidate zones, for :func:`secannot.models.topology.find_segments`."""
        return self.params.zone_logit, self.params.zone_pad

    def zones(self, seqs: Sequence[bytes]) -> list[Zones]:
        """Per sequence, merged 0-based half-open zones where a helix is allowed.

        A caller that runs :func:`~secannot.models.topology.find_segments` anyway
        passes ``zones=self.zone_args`` there and reuses its ``zones`` instead.
        """
        return [list(t.zones) for t in find_segments(self.window, seqs, self.zone_args)]

    @staticmethod
    def residue_scores(z: np.ndarray, signal_peptide: bool, helix_only: bool = False) -> np.ndarray:
        """(3, L) float32 from (4, L) class logits (:meth:`TopologyNet.class_logits`): helix probability
        (plus the signal-peptide one when ``signal_peptide`` is False), its log-odds clipped to
        +-LOGODDS_CLIP, and log P(in) - log P(out).  ``helix_only`` adds a fourth row: the clipped log-odds
        of the helix class alone (what :meth:`helix_score` sums).

        From the logits directly (log-odds of a class set = log-sum-exp of its logits minus that of the
        rest), so no softmax is formed: the same numbers as from log-probabilities, in fewer passes.
        """
        l_in, l_out, l_hx, l_sp = z
        loop = np.logaddexp(l_in, l_out)
        helix_vs_rest = l_hx - np.logaddexp(loop, l_sp)
        raw = helix_vs_rest if signal_peptide else np.logaddexp(l_hx, l_sp) - loop
        rows = [1.0 / (1.0 + np.exp(-raw)), np.clip(raw, -LOGODDS_CLIP, LOGODDS_CLIP), l_in - l_out]
        if helix_only:
            rows.append(np.clip(helix_vs_rest, -LOGODDS_CLIP, LOGODDS_CLIP))
        return np.stack(rows).astype(np.float32, copy=False)

    @staticmethod
    def _empty_scores(length: int, rows: int = 3) -> np.ndarray:
        """Scores outside every zone: no helix, no side evidence."""
        out = np.zeros((rows, length), dtype=np.float32)
        out[1] = -LOGODDS_CLIP
        if rows > 3:
            out[3] = -LOGODDS_CLIP
        return out

    def zone_scores(self, seqs: Sequence[bytes], zones: Sequence[Sequence[tuple[int, int]]],
                    signal_peptide: bool = True, helix_only: bool = False) -> list[np.ndarray | None]:
        """Per sequence, :meth:`residue_scores` over its zones (no helix, no side evidence elsewhere).

        None for a sequence without a zone, or whose zones hold no residue over
        the helix threshold (it cannot have a helix, so it needs no decoding).
        The network runs on each crop (zones with their context); scores are
        formed only for zone residues, which are all the decoder reads.
        """
        z = self._zoned(seqs, zones, signal_peptide, helix_only)
        out: list[np.ndarray | None] = [None] * len(seqs)
        for i in batch.hits(z, self.params.threshold):
            out[i] = self._full_rows(z, i, len(seqs[i]))
        return out

    def _zoned(self, seqs: Sequence[bytes], zones: Sequence[Sequence[tuple[int, int]]], signal_peptide: bool,
               helix_only: bool) -> Zoned:
        """:meth:`residue_scores` of the zone residues of every sequence, joined (:func:`~secannot.models.
        topology_batch.zone_pass`)."""
        return batch.zone_pass(seqs, zones, self.net.class_logits,
                               lambda z: self.residue_scores(z, signal_peptide, helix_only), 4 if helix_only else 3,
                               self.net.half_field, self.net.gap)

    def _full_rows(self, z: Zoned, i: int, length: int, rows: int | None = None) -> np.ndarray:
        """Sequence ``i``'s full-length scores (``length`` residues) from its zones in ``z``: all rows, or row
        ``rows`` only."""
        arr = self._empty_scores(length, len(z.scores)) if rows is None else \
            np.full(length, -LOGODDS_CLIP if rows in (1, 3) else 0.0, dtype=np.float32)
        first, last = np.searchsorted(z.seq, [i, i + 1]).tolist()
        for za, zb, c in zip(*(x[first:last].tolist() for x in (z.start, z.end, z.col)), strict=True):
            arr[..., za:zb] = z.scores[slice(None) if rows is None else rows, c : c + zb - za]
        return arr

    # ------------------------------------------------------------------ decoding
    def predict(self, seqs: Sequence[bytes], signal_peptide: bool = True, start: str | None = None,
                zones: bool | str | Sequence[Sequence[tuple[int, int]]] = True) -> list[TopologyCall]:
        """Topology of every sequence, in input order (see the module docstring for the model).

        ``signal_peptide=False``: the caller has its own signal-peptide model,
        so signal-peptide probability counts as helix (an uncleaved
        N-terminal stretch is a signal anchor).  ``start``: fix the side of
        residue 1 (``"out"`` for a mature chain).  ``zones``: True finds the
        zones; a list gives them (per sequence, as from :meth:`zones`);
        False runs the network on whole chains and lets a helix lie anywhere
        (to measure what the zones change); ``"check"`` runs it on whole
        chains but keeps the zones (must give the same calls as the default
        cropped run).
        """
        if zones == "check":
            scores = [self.masked_whole_chain(s, z, signal_peptide)
                      for s, z in zip(seqs, self.zones(seqs), strict=True)]
        elif zones is False:
            scores = [self.residue_scores(self.net.class_logits(codes_of(s)), signal_peptide) if s else None
                      for s in seqs]
        else:
            given = self.zones(seqs) if zones is True else zones
            z = self._zoned(seqs, given, signal_peptide, False)  # type: ignore[arg-type]
            return self._decode_zoned(seqs, z, start)
        return [self.decode(sc, start, s) for sc, s in zip(scores, seqs, strict=True)]

    def predict_with_helix_rows(self, seqs: Sequence[bytes], zones: Sequence[Sequence[tuple[int, int]]]
                                ) -> list[tuple[TopologyCall, np.ndarray | None]]:
        """``predict(seqs, signal_peptide=False, zones=zones)`` paired with each protein's (L,) float32 row of
        clipped helix-class log-odds (None where no helix is possible), for :func:`helix_score_of`.

        The band rule scores its N-terminal helices this way from the same
        network pass, rather than running :meth:`helix_score` on every
        candidate (a second pass over its whole N-terminal prefix); the
        numbers are equal because a zone's scores equal a whole-chain run's.
        """
        z = self._zoned(seqs, zones, False, True)
        rows: list[np.ndarray | None] = [None] * len(seqs)
        for i in batch.hits(z, self.params.threshold):
            rows[i] = self._full_rows(z, i, len(seqs[i]), 3)
        return list(zip(self._decode_zoned(seqs, z, None), rows, strict=True))

    def masked_whole_chain(self, seq: bytes, zones: list[tuple[int, int]], signal_peptide: bool) -> np.ndarray | None:
        """The network on the whole chain, kept only inside ``zones`` (None as in :meth:`zone_scores`)."""
        if not zones:
            return None
        full = self.residue_scores(self.net.class_logits(codes_of(seq)), signal_peptide)
        out = self._empty_scores(len(seq))
        for a, b in zones:
            out[:, a:b] = full[:, a:b]
        return out if (out[0] > self.params.threshold).any() else None

    def segments(self, p: np.ndarray) -> list[tuple[int, int]]:
        """0-based half-open helices from per-residue helix probabilities (step 2 of the model)."""
        above = np.concatenate([[False], p > self.params.threshold, [False]])
        edges = np.flatnonzero(above[1:] != above[:-1])
        return self._cut(list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True)), lambda: p)

    def _cut(self, runs: list[tuple[int, int]], row: Callable[[], np.ndarray]) -> list[tuple[int, int]]:
        """:meth:`segments` from the runs over the threshold (in order, apart); ``row()`` gives the
        probabilities, asked only to cut a long run or trim runs too close (few proteins), so a batch
        decoder passes the runs of zone residues and builds a full-length row only then."""
        q = self.params
        p: np.ndarray | None = None
        merged: list[tuple[int, int]] = []
        for a, b in runs:
            if merged and a - merged[-1][1] <= q.merge_gap and b - merged[-1][0] <= q.helix_max:
                merged[-1] = (merged[-1][0], b)
            else:
                merged.append((a, b))
        out: list[tuple[int, int]] = []
        gap, left = q.min_loop, q.min_loop // 2
        for a, b in merged:
            length = b - a
            if length < q.helix_min:
                continue
            pieces = max(1, round(length / q.mean_length)) if length > q.split_length else 1
            # a run cut into pieces leaves ``min_loop`` residues of loop centred on each cut (the weakest
            # residue near the even split), so two helices never touch
            ends, start = [], a
            for j in range(1, pieces):
                centre = a + round(j * length / pieces)
                lo = max(centre - 6, start + q.helix_min + left)
                hi = min(centre + 7, b - (pieces - j) * (q.helix_min + gap) + left + 1)
                if hi > lo:
                    p = row() if p is None else p
                    cut = lo + int(np.argmin(p[lo:hi]))
                else:
                    cut = centre
                ends.append((start, cut - left))
                start = cut - left + gap
            ends.append((start, b))
            out += [(x, y) for x, y in ends if y - x >= q.helix_min]
        # separate runs closer than ``min_loop`` (a merge refused by ``helix_max``): trim the weaker ends
        for k in range(1, len(out)):
            (a0, b0), (a1, b1) = out[k - 1], out[k]
            while a1 - b0 < gap:
                p = row() if p is None else p
                if p[b0 - 1] <= p[a1]:
                    b0 -= 1
                else:
                    a1 += 1
            out[k - 1], out[k] = (a0, b0), (a1, b1)
        return [(x, y) for x, y in out if y - x >= q.helix_min]

    def positive_inside(self, seq: bytes, segs: list[tuple[int, int]]) -> float:
        """K+R on the side of residue 1 minus K+R on the other side, counted on each loop within ``kr_flank``
        residues of a helix end and on the ``kr_into`` residues at each end of a helix (the loop's side)."""
        q = self.params
        charges = seq.translate(CHARGE)
        n = len(seq)
        total = 0.0
        for j in range(len(segs) + 1):
            lo = segs[j - 1][1] if j else 0  # loop j: residues lo..hi-1, between helix j-1 and helix j
            hi = segs[j][0] if j < len(segs) else n
            parts = []
            if j:
                into = min(q.kr_into, (segs[j - 1][1] - segs[j - 1][0]) // 2)
                parts.append((lo - into, min(lo + q.kr_flank, hi)))
            if j < len(segs):
                into = min(q.kr_into, (segs[j][1] - segs[j][0]) // 2)
                parts.append((max(hi - q.kr_flank, lo), hi + into))
            parts.sort()
            count, reach = 0.0, 0
            for x, y in parts:
                x = max(x, reach)
                if y > x:
                    count += charges.count(b"+", x, y) - q.acidic * charges.count(b"-", x, y)
                    reach = y
            total += count if j % 2 == 0 else -count
        return total

    def candidates(self, scores: np.ndarray) -> tuple[list[tuple[int, int]], list[float]]:
        """Helices before the protein gates, from one protein's :meth:`residue_scores` (3, L): 0-based
        half-open segments (:meth:`segments`) and each one's score (summed clipped log-odds)."""
        segs = self.segments(scores[0])
        if not segs:
            return [], []
        cum = np.concatenate([[0.0], np.cumsum(scores[1], dtype=np.float64)])
        flat = [x for sg in segs for x in sg]
        return segs, (cum[flat[1::2]] - cum[flat[0::2]]).tolist()

    def decode(self, scores: np.ndarray | None, start: str | None = None, seq: bytes | None = None) -> TopologyCall:
        """One protein's call from its :meth:`residue_scores` (None: no helix possible); ``seq`` (the
        sequence scored) adds the positive-inside rule to the orientation."""
        if scores is None:
            return TopologyCall((), start or "in", 0.0)
        p, _, side = scores
        segs, scores_ = self.candidates(scores)
        if self._gated_out(segs, scores_, len(p)):
            return TopologyCall((), start or "in", 0.0)
        if self.params.side_flank:
            near = np.zeros(len(p) + 1, dtype=np.int64)
            for a, b in segs:
                near[max(a - self.params.side_flank, 0)] += 1
                near[min(b + self.params.side_flank, len(p))] -= 1
            side = np.where(np.cumsum(near[:-1]) > 0, side, 0.0)
        cside = np.concatenate([[0.0], np.cumsum(side, dtype=np.float64)])
        flat = [x for sg in segs for x in sg]
        bounds = np.array([0, *flat, len(p)])
        loops = cside[bounds[1::2]] - cside[bounds[0::2]]
        alternating = float(loops[0::2].sum() - loops[1::2].sum())
        if seq is not None and self.params.kr_weight:
            alternating += self.params.kr_weight * self.positive_inside(seq, segs)
        return self._call(segs, scores_, start or ("in" if alternating >= 0 else "out"))

    def _gated_out(self, segs: list[tuple[int, int]], scores: list[float], length: int) -> bool:
        """Step 3 of the model: True when a protein of ``length`` residues loses its candidate helices."""
        gate = self.params.protein_gate
        return not segs or max(scores) < self.params.gate or (gate is not None and not gate.keeps(segs, scores, length))

    @staticmethod
    def _call(segs: list[tuple[int, int]], scores: list[float], first: str) -> TopologyCall:
        """The call of kept helices ``segs`` with their ``scores`` when residue 1 is on side ``first``."""
        helices = []
        for k, ((a, b), sc) in enumerate(zip(segs, scores, strict=True)):
            at_in = (first == "in") == (k % 2 == 0)
            helices.append(Helix(a + 1, b, "in->out" if at_in else "out->in", round(sc, 3)))
        return TopologyCall(tuple(helices), first, float(max(scores)))

    # ------------------------------------------------------------------ decoding a batch from its zones
    def _decode_zoned(self, seqs: Sequence[bytes], z: Zoned, start: str | None) -> list[TopologyCall]:
        """:meth:`decode` of every sequence (with ``seq``) from its zones' scores ``z``, without a full-length row
        per protein: the array work for all proteins at once in :mod:`~secannot.models.topology_batch`, the rest
        per protein on Python ints.  Every number is the one :meth:`decode` gives (tests/test_topology_net.py
        compares them).
        """
        if self.params.threshold < 0:  # probability 0 (outside every zone) is over it: full-length rows
            hit = set(batch.hits(z, self.params.threshold))
            return [self.decode(self._full_rows(z, i, len(s))[:3] if i in hit else None, start, s)
                    for i, s in enumerate(seqs)]
        out = [TopologyCall((), start or "in", 0.0)] * len(seqs)
        found = self._zone_segments(seqs, z)
        if not found:
            return out
        helix = batch.helix_sums(z, [i for i, _ in found], [segs for _, segs in found], -LOGODDS_CLIP)
        kept: list[tuple[int, list[tuple[int, int]], list[float]]] = []
        k = 0
        for i, segs in found:
            scores = helix[k : k + len(segs)]
            k += len(segs)
            if not self._gated_out(segs, scores, len(seqs[i])):
                kept.append((i, segs, scores))
        sides = [start] * len(kept) if start else self._sides(seqs, z, kept)
        for (i, segs, scores), first in zip(kept, sides, strict=True):
            out[i] = self._call(segs, scores, first)  # type: ignore[arg-type]
        return out

    def _zone_segments(self, seqs: Sequence[bytes], z: Zoned) -> list[tuple[int, list[tuple[int, int]]]]:
        """(sequence, :meth:`segments`) of every sequence of ``z`` with a helix, in sequence order.

        Residues outside the zones have probability 0, so the runs over the
        threshold are those of the zone residues (:func:`~secannot.models.
        topology_batch.runs`; the runs of two touching zones join here).
        """
        owner, lo, hi = batch.runs(z, self.params.threshold)
        found = []
        k = 0
        while k < len(owner):
            i, runs = owner[k], [(lo[k], hi[k])]
            k += 1
            while k < len(owner) and owner[k] == i:
                if runs[-1][1] == lo[k]:
                    runs[-1] = (runs[-1][0], hi[k])
                else:
                    runs.append((lo[k], hi[k]))
                k += 1
            segs = self._cut(runs, lambda i=i: self._full_rows(z, i, len(seqs[i]), rows=0))
            if segs:
                found.append((i, segs))
        return found

    def _sides(self, seqs: Sequence[bytes], z: Zoned, kept: list[tuple[int, list[tuple[int, int]], list[float]]]
               ) -> list[str]:
        """Step 4 of the model for the ``kept`` (sequence, helices, scores): the side of residue 1, as in
        :meth:`decode`, from the loops' side sums and positive-inside counts of all of them at once."""
        if not kept:
            return []
        q = self.params
        helices = [segs for _, segs, _ in kept]
        lengths = np.fromiter((len(seqs[i]) for i, _, _ in kept), dtype=np.int64, count=len(kept))
        loops = batch.side_loops(z, [i for i, _, _ in kept], lengths, helices, q.side_flank)
        flat = loops.tolist()
        charge = batch.positive_inside([seqs[i] for i, _, _ in kept], helices, q.kr_flank, q.kr_into, q.acidic) \
            if q.kr_weight else [0.0] * len(kept)
        out = []
        k = 0
        for (_, segs, _), pi in zip(kept, charge, strict=True):
            n = len(segs) + 1
            if n <= 4:  # at most two loops a side: any order of adding is numpy's (up to the sign of a zero)
                lp = flat[k : k + n]
                alternating = (lp[0] + lp[2] if n > 2 else lp[0]) - (lp[1] + lp[3] if n > 3 else lp[1])
            else:
                alternating = float(loops[k : k + n : 2].sum() - loops[k + 1 : k + n : 2].sum())
            k += n
            if q.kr_weight:
                alternating += q.kr_weight * pi
            out.append("in" if alternating >= 0 else "out")
        return out

    def helix_score(self, seq: bytes, start: int, end: int) -> float:
        """Score of residues ``start..end`` (1-based, inclusive) as a TM helix: summed clipped log-odds.

        The network sees the whole chain up to its half field past ``end``.
        Only the helix class counts, not the signal-peptide class: the band
        rule asks whether an N-terminal stretch is an anchor rather than the
        h-region of a signal peptide, which is what the network tells apart.
        """
        sc = self.residue_scores(self.net.class_logits(codes_of(seq[: end + self.net.half_field])), True)
        return float(sc[1, start - 1 : end].astype(np.float64).sum())


def helix_score_of(helix_row: np.ndarray, start: int, end: int) -> float:
    """Summed clipped helix log-odds of residues ``start..end`` (1-based, inclusive) of a row from
    :meth:`TopologyPredictor.predict_with_helix_rows`: equal to :meth:`TopologyPredictor.helix_score`."""
    return float(helix_row[start - 1 : end].astype(np.float64).sum())

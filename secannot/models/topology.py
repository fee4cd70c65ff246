"""Whole-protein sequence signals: transmembrane helices, GPI-anchor signals, ER retention.

These run on full-length sequences of every protein, so they are built from
operations that cost O(residues) for a whole batch at once: sequences are
concatenated (separated by neutral gaps), per-residue scale values come from
look-up tables, and every windowed average is a difference of two cumulative
sums.  The transmembrane detector is a logistic combination of such windowed
hydrophobicity and charge averages, fitted on the transmembrane labels of the
SignalP 6.0 benchmark (``train/calibrate_topology.py``); its parameters ship
in ``secannot/data/topology.json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from secannot.models.scales import HESSA, KYTE_DOOLITTLE
from secannot.results import Segment

CHARGED = {"K": 1.0, "R": 1.0, "D": 1.0, "E": 1.0, "H": 0.5}
SCALES = {"hessa": HESSA, "kd": KYTE_DOOLITTLE, "charged": CHARGED}

#: PROSITE PS00014 (ER_TARGET): [KRHQSAP]-[DENQ]-E-L at the C-terminus.
ER_RETENTION = re.compile(rb"[KRHQSAP][DENQ]EL$")
#: [HKRDET]DEL variants that PS00014 does not cover (DDEL, EDEL, TDEL); listed in issue 12 as seen on
#: ER-resident proteins, not a PROSITE pattern, so they count at lower confidence.
ER_RETENTION_VARIANT = re.compile(rb"[HKRDET]DEL$")
#: PROSITE PS00008 (MYRISTYL) G-{EDRKHPFYW}-x(2)-[STAGCN]-{P}, anchored at the N-terminus after the
#: initiator Met, which N-myristoyltransferase needs removed to reach the glycine.
MYRISTOYLATION = re.compile(rb"^MG[^EDRKHPFYW]..[STAGCN][^P]")
#: PROSITE PS00294 (PRENYLATION, CaaX box) C-{DENQ}-[LIVM]-x at the C-terminus.
PRENYLATION = re.compile(rb"C[^DENQ][LIVM].$")
#: Residues accepted in a GPI-anchor hydrophobic tail when one other residue is tolerated.
GPI_TAIL_RESIDUES = frozenset(b"ACFGILMVWYST")
#: ... and the tail's mean Kyte-Doolittle hydropathy must reach this (S/T/G-rich ends are not tails).
GPI_TAIL_MIN_KD = 1.0

# Big-PI / Eisenhaber et al. 1998: residues tolerated at the omega site and at omega+2.
OMEGA_RESIDUES = frozenset(b"SNGADC")
OMEGA2_RESIDUES = frozenset(b"GASCTV")


#: Scale values are given to two decimals, so scaled by 100 they are exact
#: integers: window sums become exact integer arithmetic, and a residue's
#: numbers cannot depend on where its protein sits in a batch (a float32
#: running sum over concatenated proteins lost up to ~0.01 far into a batch).
_SCALE_UNIT = 100


def _lut(scale: dict[str, float]) -> np.ndarray:
    table = np.zeros(256, dtype=np.int32)
    for aa, value in scale.items():
        table[ord(aa)] = round(value * _SCALE_UNIT)
    return table


@dataclass(frozen=True, slots=True)
class TopologyParams:
    """Fitted transmembrane detector: logit = intercept + sum(coef * window mean)."""

    features: tuple[tuple[str, int, float], ...]  # (scale, window, coefficient)
    intercept: float
    threshold: float
    min_length: int
    split_length: int
    signal_anchor_max_start: int
    gpi_max_tail: int
    gpi_min_length: int
    gpi_spacer: tuple[int, int]
    meta: dict[str, Any]

    @classmethod
    def load(cls) -> TopologyParams:
        data = json.loads((resources.files("secannot") / "data" / "topology.json").read_text(encoding="utf-8"))
        tm = data["transmembrane"]
        gpi = data["gpi"]
        return cls(
            features=tuple((f["scale"], int(f["window"]), float(f["coef"])) for f in tm["features"]),
            intercept=float(tm["intercept"]),
            threshold=float(tm["threshold"]),
            min_length=int(tm["min_length"]),
            split_length=int(tm["split_length"]),
            signal_anchor_max_start=int(tm["signal_anchor_max_start"]),
            gpi_max_tail=int(gpi["max_tail_after_hydrophobic"]),
            gpi_min_length=int(gpi["min_hydrophobic_length"]),
            gpi_spacer=(int(gpi["spacer"][0]), int(gpi["spacer"][1])),
            meta=data.get("meta", {}),
        )


@dataclass(frozen=True, slots=True)
class ProteinTopology:
    """Hydrophobic segments of one protein, before any verdict is drawn."""

    segments: tuple[Segment, ...]  # every predicted TM-like segment, 1-based
    max_logit: float
    #: 0-based half-open zones where the window logit reaches a level (empty unless asked for)
    zones: tuple[tuple[int, int], ...] = ()


def transmembrane_logits(params: TopologyParams, seqs: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-residue TM logits for a batch, concatenated; the start of each sequence; residue codes (0 = gap)."""
    max_half = max(w for _, w, _ in params.features) // 2 + 1
    gap = b"\0" * max_half
    joined = gap + gap.join(seqs) + gap
    codes = np.frombuffer(joined, dtype=np.uint8)
    lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
    starts = max_half + np.concatenate([[0], np.cumsum(lengths + max_half)[:-1]])
    n = len(codes)
    logit = np.full(n, params.intercept, dtype=np.float32)
    # int32 running sums are exact while |sum| < 2^31: scale values are at
    # most 450 units, so up to ~4.7 million residues per call (find_segments
    # passes ~65,000 plus at most one long protein); int64 beyond that.
    int_type = np.int32 if n < 4_000_000 else np.int64
    cums: dict[str, np.ndarray] = {}
    diff = np.empty(n, dtype=int_type)
    scaled = np.empty(n, dtype=np.float32)
    for scale, window, coef in params.features:
        if scale not in cums:
            c = np.zeros(n + 1, dtype=int_type)
            np.cumsum(_LUTS[scale][codes], out=c[1:], dtype=int_type)
            cums[scale] = c
        c = cums[scale]
        half = window // 2
        m = n - 2 * half
        # Centred window [i-half, i+half].  Sequences are separated by zero
        # gaps wider than any half-window, so windows at sequence ends see
        # zero padding, exactly as in calibration, and never a neighbour.
        # The integer difference is exact; the one float step is per residue
        # (a window sum is < 2^24, so its float32 conversion is exact too).
        np.subtract(c[2 * half + 1 :], c[:m], out=diff[:m])
        np.multiply(diff[:m], np.float32(coef / (window * _SCALE_UNIT)), out=scaled[:m], dtype=np.float32)
        logit[half : n - half] += scaled[:m]
    return logit, starts, codes


_LUTS = {name: _lut(scale) for name, scale in SCALES.items()}


def window_means(seq: bytes, specs: Sequence[tuple[str, int]]) -> np.ndarray:
    """(len(specs), len(seq)) centred window means with zero padding, for calibration.

    Uses the same arithmetic as :func:`transmembrane_logits`, so a detector
    fitted on these features behaves identically at prediction time.
    """
    half_max = max(w for _, w in specs) // 2 + 1
    codes = np.frombuffer(b"\0" * half_max + seq + b"\0" * half_max, dtype=np.uint8)
    n = len(codes)
    out = np.zeros((len(specs), len(seq)), dtype=np.float32)
    for i, (scale, window) in enumerate(specs):
        c = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(_LUTS[scale][codes], out=c[1:])
        half = window // 2
        full = np.zeros(n, dtype=np.float32)
        full[half : n - half] = (c[2 * half + 1 :] - c[: n - 2 * half]) / (window * _SCALE_UNIT)
        out[i] = full[half_max : half_max + len(seq)]
    return out


#: Residues per vectorised pass: bounds the temporaries whatever the protein lengths.
CHUNK_RESIDUES = 1 << 16


def find_segments(params: TopologyParams, seqs: Sequence[bytes],
                  zones: tuple[float, int] | None = None) -> list[ProteinTopology]:
    """TM-like hydrophobic segments of every sequence, in chunks of about CHUNK_RESIDUES residues.

    Each protein's numbers are exact integer window sums scaled once, so the
    chunking (and anything else in the batch) never changes a protein's result.
    ``zones=(level, pad)`` also gives each protein its runs of residues whose
    logit is >= ``level``, widened by ``pad`` residues each side and merged
    (:func:`logit_zones`): the topology network's candidate zones, from the
    same window sums rather than a second pass.
    """
    out: list[ProteinTopology] = []
    start, size = 0, 0
    for i, seq in enumerate(seqs):
        size += len(seq)
        if size >= CHUNK_RESIDUES:
            out += _find_segments(params, seqs[start : i + 1], zones)
            start, size = i + 1, 0
    if start < len(seqs):
        out += _find_segments(params, seqs[start:], zones)
    return out


def _find_segments(params: TopologyParams, seqs: Sequence[bytes],
                   zones: tuple[float, int] | None) -> list[ProteinTopology]:
    logit, starts, codes = transmembrane_logits(params, seqs)
    logit[codes == 0] = -np.inf  # gaps: never above the threshold, never a maximum
    per_zone = logit_zones(logit, starts, seqs, *zones) if zones else [()] * len(seqs)
    above = logit > params.threshold
    # the ends of the array are gaps, so every run starts and ends inside it
    edges = np.flatnonzero(above[1:] != above[:-1]) + 1
    run_starts, run_ends = edges[0::2], edges[1::2]  # [start, end)
    long_enough = (run_ends - run_starts) >= params.min_length
    run_starts, run_ends = run_starts[long_enough], run_ends[long_enough]
    owner = np.searchsorted(starts, run_starts, side="right") - 1
    per_seq: list[list[Segment]] = [[] for _ in seqs]
    for rs, re_, k in zip(run_starts.tolist(), run_ends.tolist(), owner.tolist(), strict=True):
        length = re_ - rs
        base = int(starts[k])
        begin, end = rs - base + 1, re_ - base  # 1-based inclusive
        pieces = max(1, round(length / params.split_length)) if length >= 2 * params.split_length else 1
        step = length / pieces
        for p in range(pieces):
            a = begin + round(p * step)
            b = begin + round((p + 1) * step) - 1 if p < pieces - 1 else end
            per_seq[k].append(Segment(a, b))
    # Per-sequence maximum logit over its own residues (a feature for nc scoring).
    maxima = np.maximum.reduceat(logit, starts) if len(starts) else np.array([])
    return [ProteinTopology(tuple(segs), float(m), tuple(z))
            for segs, m, z in zip(per_seq, maxima.tolist(), per_zone, strict=True)]


def logit_zones(logit: np.ndarray, starts: np.ndarray, seqs: Sequence[bytes], level: float,
                pad: int) -> list[list[tuple[int, int]]]:
    """Per sequence, merged 0-based half-open runs of ``logit >= level`` widened by ``pad`` (clipped to the chain).

    ``logit`` and ``starts`` as from :func:`transmembrane_logits`, with gaps at -inf.
    """
    out: list[list[tuple[int, int]]] = [[] for _ in seqs]
    above = logit >= level
    above[0] = above[-1] = False
    edges = np.flatnonzero(above[1:] != above[:-1]) + 1
    rs, re_ = edges[0::2], edges[1::2]
    if not len(rs):
        return out
    owner = np.searchsorted(starts, rs, side="right") - 1
    lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
    # padded runs, clipped to their own chain (global coordinates): chains never overlap,
    # so a run opens a new zone exactly where it starts after every earlier zone's end
    a = np.maximum(rs - pad, starts[owner])
    b = np.minimum(re_ + pad, starts[owner] + lengths[owner])
    opens = np.ones(len(a), dtype=bool)
    opens[1:] = a[1:] > np.maximum.accumulate(b)[:-1]
    heads = np.flatnonzero(opens)
    za, zb, zo = a[heads], np.maximum.reduceat(b, heads), owner[heads]
    base = starts[zo]
    for k, x, y in zip(zo.tolist(), (za - base).tolist(), (zb - base).tolist(), strict=True):
        out[k].append((x, y))
    return out


def er_retention(seq: bytes) -> tuple[str, str] | None:
    """C-terminal ER-retrieval motif and its confidence: ``high`` for PS00014, ``medium`` for a variant."""
    match = ER_RETENTION.search(seq)
    if match:
        return match.group(0).decode("ascii"), "high"
    match = ER_RETENTION_VARIANT.search(seq)
    return (match.group(0).decode("ascii"), "medium") if match else None


def er_retention_motif(seq: bytes) -> str | None:
    found = er_retention(seq)
    return found[0] if found else None


def lipid_anchor(seq: bytes) -> str | None:
    """``"N-myristoylation"`` (PS00008 after Met1) or ``"CaaX prenylation"`` (PS00294), else None."""
    if MYRISTOYLATION.search(seq):
        return "N-myristoylation"
    if PRENYLATION.search(seq):
        return "CaaX prenylation"
    return None


def tolerant_gpi_tail(params: TopologyParams, seq: bytes) -> Segment | None:
    """A C-terminal hydrophobic tail that allows exactly one charged or polar residue inside it.

    The windowed detector misses such tails (uPAR's carries an Arg); the
    tail must end within ``gpi_max_tail`` residues of the C-terminus and hold
    at least ``gpi_min_length + 2`` residues, the odd one not at either end.
    """
    n = len(seq)
    for end in range(n, max(n - params.gpi_max_tail, 0) - 1, -1):  # 1-based end of the tail
        if end < 1 or seq[end - 1] not in GPI_TAIL_RESIDUES:
            continue
        misses, start = 0, end
        while start > 1 and (seq[start - 2] in GPI_TAIL_RESIDUES or misses == 0):
            misses += seq[start - 2] not in GPI_TAIL_RESIDUES
            start -= 1
        while seq[start - 1] not in GPI_TAIL_RESIDUES:  # never start on the odd residue
            start += 1
            misses -= 1
        stretch = seq[start - 1 : end]
        mean_kd = sum(KYTE_DOOLITTLE.get(chr(c), 0.0) for c in stretch) / len(stretch)
        if misses == 1 and len(stretch) >= params.gpi_min_length + 2 and mean_kd >= GPI_TAIL_MIN_KD:
            return Segment(start, end)
        return None
    return None


def gpi_signal(params: TopologyParams, seq: bytes, segments: Sequence[Segment], after: int = 0) -> dict[str, Any] | None:
    """A C-terminal GPI-anchor signal: hydrophobic tail at the very end, spacer, omega site.

    Returns the omega site (1-based) and the hydrophobic tail, or None.
    """
    if not segments:
        return None
    tail = segments[-1]
    n = len(seq)
    if n - tail.end > params.gpi_max_tail or tail.end - tail.start + 1 < params.gpi_min_length:
        return None
    return omega_site(params, seq, tail, after)


def omega_site(params: TopologyParams, seq: bytes, tail: Segment, after: int = 0) -> dict[str, Any] | None:
    """The omega site before a hydrophobic ``tail`` (big-PI spacer rules), or None.

    ``after``: the omega site lies past this residue (the cleavage site: the GPI signal is in the mature chain).
    """
    n = len(seq)
    lo, hi = params.gpi_spacer
    # omega lies lo..hi residues before the hydrophobic tail; prefer the closest.
    for dist in range(lo, hi + 1):
        omega = tail.start - dist  # 1-based
        if omega < 2 or omega <= after or omega + 2 > n:
            continue
        if seq[omega - 1] in OMEGA_RESIDUES and seq[omega + 1] in OMEGA2_RESIDUES:
            return {"omega_site": omega, "hydrophobic_tail": str(_uncharged_end(seq, tail))}
    return None


#: the residues of a tail's end that must not be charged: a charged one there ends the reported tail before it
TAIL_END_CHECK = 4


def _uncharged_end(seq: bytes, tail: Segment) -> Segment:
    """``tail`` ending before any charged residue in its last ``TAIL_END_CHECK`` residues: the window
    detector's run reaches over a final K or R (a window average), but the hydrophobic tail itself ends
    before it (reported apart as a possible stop-transfer)."""
    end = tail.end
    while end - tail.start >= TAIL_END_CHECK:
        charged = [k for k in range(end - TAIL_END_CHECK, end) if seq[k] in b"KRDEH"]  # 0-based positions
        if not charged:
            break
        end = charged[0]  # 1-based end just before the first of them
    return Segment(tail.start, end)

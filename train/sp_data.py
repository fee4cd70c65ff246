"""Training data of the signal-peptide model: the SignalP 6.0 benchmark partitions plus the extras.

Sources (all under ../shared, see its README for provenance and licences):

* ``data/signalp6/benchmark_dev.3line`` - partitions 0 and 1 of the SignalP 6.0 benchmark;
* ``data/signalp6/extra_remainder.3line`` - SignalP 6.0 proteins outside the benchmark, same format,
  partition 0 or 1 assigned by homology to the benchmark partitions;
* ``data/signalp6/extra_targetp.3line`` - TargetP 2.0 eukaryotes (transit peptides and other negatives);
  header ``>ACC|EUKARYA|TYPE|PARTITION|CLASS:ORGANISM``; the label ``.`` means "not a signal peptide,
  topology unknown", so those residues carry no per-residue target;
* ``data/tmbed/tmbed_dev.3line`` - full-length OPM membrane proteins with TM topology. Only one kind is
  used: signal-anchor negatives, i.e. the first 70 residues of proteins whose first TM helix starts in
  the first 50 residues and that have no signal peptide anywhere. TMbed's file carries no SignalP
  partition, so :func:`assign_by_homology` gives each one: a protein that resembles (>= 30% identity over
  its first 70 residues, global alignment, BLOSUM62) proteins of exactly one benchmark partition joins
  it; one resembling both is dropped; the rest are clustered at the same identity (single linkage) and
  whole clusters alternate between partitions by a stable hash of their first ID. No TMbed protein that
  shares an accession or an exact 70-residue N-terminus with the benchmark is kept. The organism group of
  these proteins is not in the file; they are all used as eukaryote negatives (an uncleaved N-terminal
  helix is a non-signal peptide in every kingdom, and eukaryotes are where signal anchors matter).

Each item is a dict with the encoded tensors' inputs plus ``source`` and ``negative`` (the negative type
used in the CV report: ``signal_anchor``, ``tm``, ``transit`` or ``other``; None for signal peptides).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
from Bio import Align
from Bio.Align import substitution_matrices

from secannot.models.scales import KYTE_DOOLITTLE
from secannot.models.signal_peptide import ORGANISMS, encode
from secannot.pipeline.scoring import KINGDOM_TO_ORGANISM, BenchmarkRecord

L = 70
TYPES = ("SP", "LIPO", "TAT", "TATLIPO", "PILIN")
TYPE_LABEL = {"SP": "S", "LIPO": "L", "TAT": "T", "TATLIPO": "T", "PILIN": "P"}
#: Per-residue auxiliary classes (0 = no target). Sec/SPI signal peptides are split into their
#: n-, h- and c-regions (5, 6, 7) when the region-aware target is on; otherwise they are 1 like the others.
AUX = {"S": 1, "L": 1, "T": 1, "P": 1, "I": 2, "M": 3, "O": 4, "1": 2, "2": 4, "H": 3, "h": 3}
N_AUX = 8
SIGNAL_ANCHOR_START = 50  # a TM helix starting before this residue counts as an N-terminal signal anchor
HOMOLOGY_IDENTITY = 0.30
TRANSIT = ("mTP", "cTP", "luTP")


def read_records(path: Path) -> list[tuple[BenchmarkRecord, str]]:
    """Three-line records with 4 or 5 header fields; the 5th (TargetP ``CLASS:ORGANISM``) is returned apart."""
    lines = path.read_text().splitlines()
    out = []
    for i in range(0, len(lines) - 2, 3):
        fields = lines[i][1:].split("|")
        seq, labels = lines[i + 1].strip().upper(), lines[i + 2].strip()
        extra = fields[4].split(":")[0] if len(fields) > 4 else ""
        out.append((BenchmarkRecord(fields[0], fields[1], fields[2], int(fields[3]), seq, labels), extra))
    return out


def hydrophobic_core(seq: str, start: int, end: int) -> tuple[int, int]:
    """The h-region of a signal peptide spanning residues [start, end): the most hydrophobic segment.

    Found as the maximum-sum run of (Kyte-Doolittle - 0.5) (Kadane's algorithm), so n- and c-regions are
    what flanks it. Returns [h_start, h_end); an SP with no hydrophobic residue gets an empty core.
    """
    best, best_span, run, run_start = 0.0, (start, start), 0.0, start
    for i in range(start, end):
        run += KYTE_DOOLITTLE.get(seq[i], 0.0) - 0.5
        if run <= 0:
            run, run_start = 0.0, i + 1
        elif run > best:
            best, best_span = run, (run_start, i + 1)
    return best_span


def aux_targets(rec: BenchmarkRecord, regions: bool) -> list[int]:
    aux = [AUX.get(c, 0) for c in rec.labels[:L]]
    if regions and rec.sp_type == "SP":
        cs = rec.labels.rfind("S") + 1
        h0, h1 = hydrophobic_core(rec.sequence, 0, cs)
        if h1 > h0:
            for i in range(min(cs, L)):
                aux[i] = 5 if i < h0 else 6 if i < h1 else 7
    return aux + [0] * (L - len(aux))


def negative_type(rec: BenchmarkRecord, extra: str, source: str) -> str | None:
    if rec.sp_type == "SP":
        return None
    if source == "tmbed":
        return "signal_anchor"
    if extra in TRANSIT:
        return "transit"
    first_tm = rec.labels.find("M")
    if first_tm >= 0:
        return "signal_anchor" if first_tm < SIGNAL_ANCHOR_START else "tm"
    return "other"


def item(rec: BenchmarkRecord, source: str, extra: str = "", regions: bool = False) -> dict:
    tok, length = encode([rec.sequence.encode()])
    if rec.sp_type == "NO_SP":
        target = 0
    else:
        cs = rec.labels.rfind(TYPE_LABEL[rec.sp_type])
        target = 1 + TYPES.index(rec.sp_type) * (L - 1) + cs
    return {"rec": rec, "tok": tok[0].tolist(), "len": int(length[0]),
            "org": ORGANISMS[KINGDOM_TO_ORGANISM[rec.kingdom]], "target": target,
            "aux": aux_targets(rec, regions), "source": source, "negative": negative_type(rec, extra, source)}


def tmbed_signal_anchors(path: Path) -> list[BenchmarkRecord]:
    """OPM proteins whose first TM helix starts before residue 50 and with no signal peptide: first 70 residues."""
    out = []
    lines = path.read_text().splitlines()
    for i in range(0, len(lines) - 2, 3):
        fields = lines[i][1:].split("|")
        if len(fields) != 3:  # globular proteins carry SignalP headers; not used here
            continue
        seq, labels = lines[i + 1].strip().upper(), lines[i + 2].strip()
        helix = re.search("[Hh]", labels)
        if helix is None or helix.start() >= SIGNAL_ANCHOR_START or "S" in labels:
            continue
        lab = "".join({"H": "M", "h": "M", "1": "I", "2": "O"}.get(c, ".") for c in labels[:L])
        out.append(BenchmarkRecord(f"{fields[0]}|{fields[1]}", "EUKARYA", "NO_SP", -1, seq[:L], lab))
    return out


def _aligner() -> Align.PairwiseAligner:
    aligner = Align.PairwiseAligner(mode="global", substitution_matrix=substitution_matrices.load("BLOSUM62"))
    aligner.open_gap_score, aligner.extend_gap_score = -10.0, -0.5
    aligner.end_gap_score = 0.0
    return aligner


def identity(aligner: Align.PairwiseAligner, a: str, b: str) -> float:
    """Identical aligned pairs over the shorter sequence (first 70 residues of each)."""
    aln = aligner.align(a[:L], b[:L])[0]
    same = sum(x == y for x, y in zip(*aln, strict=True) if x != "-" and y != "-")
    return same / max(1, min(len(a[:L]), len(b[:L])))


def _dipeptides(seqs: list[str]) -> np.ndarray:
    index = {aa: i for i, aa in enumerate("ACDEFGHIKLMNPQRSTVWY")}
    out = np.zeros((len(seqs), 400), dtype=np.float32)
    for n, s in enumerate(seqs):
        for a, b in zip(s[:L], s[1:L], strict=False):
            if a in index and b in index:
                out[n, index[a] * 20 + index[b]] = 1.0
    return out


def assign_by_homology(cands: list[BenchmarkRecord], reference: list[BenchmarkRecord], top: int = 40) -> list[BenchmarkRecord]:
    """Give each candidate the partition of the reference proteins it resembles (see the module docstring)."""
    known_acc = {r.accession for r in reference}
    known_seq = {r.sequence[:L] for r in reference}
    cands = [c for c in cands if c.accession.split("|")[1] not in known_acc and c.sequence[:L] not in known_seq]
    aligner = _aligner()
    ref_feats = _dipeptides([r.sequence for r in reference])
    cand_feats = _dipeptides([c.sequence for c in cands])
    shared = cand_feats @ ref_feats.T  # dipeptides in common: prefilter for the alignments
    parts = np.array([r.partition for r in reference])
    assigned: dict[int, int] = {}
    dropped: set[int] = set()
    for i, c in enumerate(cands):
        hits = set()
        for p in (0, 1):
            idx = np.flatnonzero(parts == p)
            for j in idx[np.argsort(-shared[i, idx])[:top]]:
                if identity(aligner, c.sequence, reference[j].sequence) >= HOMOLOGY_IDENTITY:
                    hits.add(p)
                    break
        if len(hits) == 2:
            dropped.add(i)
        elif hits:
            assigned[i] = hits.pop()
    # the others: single-linkage clusters among themselves, whole clusters to one partition
    free = [i for i in range(len(cands)) if i not in assigned and i not in dropped]
    cluster = {i: i for i in free}

    def root(i: int) -> int:
        while cluster[i] != i:
            i = cluster[i]
        return i

    for a_pos, a in enumerate(free):
        for b in free[a_pos + 1:]:
            if root(a) != root(b) and identity(aligner, cands[a].sequence, cands[b].sequence) >= HOMOLOGY_IDENTITY:
                cluster[root(b)] = root(a)
    groups: dict[int, list[int]] = {}
    for i in free:
        groups.setdefault(root(i), []).append(i)
    for members in groups.values():
        first = min(cands[i].accession for i in members)
        p = int(hashlib.sha256(first.encode()).hexdigest(), 16) % 2
        for i in members:
            assigned[i] = p
    print(f"TMbed signal anchors: {len(cands)} candidates, {sum(1 for i in assigned if i not in free)} joined the "
          f"partition they resemble, {len(dropped)} dropped (resemble both), {len(free)} in {len(groups)} new clusters")
    return [BenchmarkRecord(c.accession, c.kingdom, c.sp_type, assigned[i], c.sequence, c.labels)
            for i, c in enumerate(cands) if i in assigned]



def load_all(benchmark: Path, remainder: Path | None, targetp: Path | None, tmbed: Path | None,
             regions: bool = False) -> list[dict]:
    """Benchmark items first (in file order), then the extras that are present."""
    bench = [r for r, _ in read_records(benchmark)]
    data = [item(r, "benchmark", regions=regions) for r in bench]
    for path, source in ((remainder, "remainder"), (targetp, "targetp")):
        if path is not None and path.exists():
            data += [item(r, source, extra, regions) for r, extra in read_records(path) if r.partition in (0, 1)]
    if tmbed is not None and tmbed.exists():
        reference = bench + [d["rec"] for d in data if d["source"] != "benchmark"]
        data += [item(r, "tmbed") for r in assign_by_homology(tmbed_signal_anchors(tmbed), reference)]
    counts: dict[str, int] = {}
    for d in data:
        key = f"{d['source']}:{d['rec'].partition}"
        counts[key] = counts.get(key, 0) + 1
    print("training data (source:partition):", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return data

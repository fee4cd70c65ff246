"""Topology training data: TMbed and SignalP 6.0 records with normalised per-residue labels, and the three
cross-validation folds rebuilt by homology (used by train/train_topology_net.py, train/eval_topology_net.py and
make bench).

Data (read from ../shared, never copied):
  * ``data/tmbed/tmbed_dev.3line``: TMbed CV folds 0-2, full-length proteins with
    per-residue topology (H/h TM helix, B/b beta strand, S signal peptide,
    1 inside, 2 outside, U unresolved). Bernhofer & Rost 2022, Apache-2.0.
  * ``data/signalp6/benchmark_dev.3line``: SignalP 6.0 benchmark, first 70
    residues, I/M/O topology and S/T/L signal peptides (Teufel et al. 2022).

Folds.  The file holds TMbed's folds 0-2 pooled, but its headers do not carry
the fold of each protein (OPM headers are ``>PDB_CHAIN|UNIPROT|NAME``; the
globular headers carry the SignalP partition 0/1, not a TMbed fold).  So the
three CV folds are rebuilt here by homology: proteins sharing a UniProt
accession or many 5-mers (single linkage over TMbed and SignalP records
together) form one group, and whole groups go to folds 0-2, balanced by
alpha-helical TM proteins.  SignalP records in a group with a TMbed protein
follow that protein's fold; the rest are training data for every fold.
Beta-barrel proteins (B/b) are left out of training and scoring.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class Protein:
    id: str
    accession: str
    seq: str
    labels: str  # normalised: i inside, o outside, H helix, S signal peptide, B beta, U unknown
    source: str  # tmbed | signalp
    truncated: bool  # labels stop before the real C-terminus (SignalP: 70 residues)
    fold: int = -1

    @property
    def kind(self) -> str:
        if "B" in self.labels:
            return "beta"
        return "tm" if "H" in self.labels else "globular"


TMBED_MAP = str.maketrans({"1": "i", "2": "o", "H": "H", "h": "H", "B": "B", "b": "B", "S": "S", "U": "U"})
SIGNALP_MAP = str.maketrans({"I": "i", "O": "o", "M": "H", "S": "S", "T": "S", "L": "S", "P": "U"})


def three_line(path: Path) -> Iterator[tuple[list[str], str, str]]:
    """(header fields split on ``|``, upper-case sequence, label line) of every record of a 3-line file."""
    lines = path.read_text().split("\n")
    for i in range(0, len(lines) - 2, 3):
        yield lines[i][1:].split("|"), lines[i + 1].strip().upper(), lines[i + 2].strip()


def read_tmbed(path: Path) -> list[Protein]:
    out = []
    for head, seq, lab in three_line(path):
        # keep helix direction case out: runs of H and h next to each other are separate helices
        runs = re.sub(r"h+", lambda m: "H" * len(m.group()), lab)
        norm = runs.translate(TMBED_MAP)
        acc = head[1] if len(head) == 3 else head[0]
        prot = Protein(head[0], acc, seq, norm, "tmbed", False)
        prot.n_true = len(re.findall(r"H+|h+", lab))  # type: ignore[attr-defined]
        out.append(prot)
    return out


def read_signalp(path: Path) -> list[Protein]:
    return [Protein(head[0], head[0], seq, lab.translate(SIGNALP_MAP), "signalp", True)
            for head, seq, lab in three_line(path)]


# ---------------------------------------------------------------- folds by homology
def kmer_groups(prots: list[Protein], k: int = 5, min_shared: float = 0.2) -> np.ndarray:
    """Single-linkage groups: same accession, or >= min_shared of the shorter one's distinct k-mers shared."""
    parent = list(range(len(prots)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    by_acc: dict[str, int] = {}
    for i, p in enumerate(prots):
        if p.accession in by_acc:
            union(i, by_acc[p.accession])
        by_acc.setdefault(p.accession, i)
    kmer_ids, owners, sizes = [], [], []
    for i, p in enumerate(prots):
        km = np.unique(np.array([zlib.crc32(p.seq[j : j + k].encode()) for j in range(len(p.seq) - k + 1)],
                                dtype=np.int64))
        kmer_ids.append(km)
        owners.append(np.full(len(km), i))
        sizes.append(len(km))
    kmers, own = np.concatenate(kmer_ids), np.concatenate(owners)
    order = np.argsort(kmers, kind="stable")
    kmers, own = kmers[order], own[order]
    bounds = np.flatnonzero(np.diff(kmers)) + 1
    pair_codes = []
    n = len(prots)
    for grp in np.split(own, bounds):
        if 2 <= len(grp) <= 60:
            a, b = np.meshgrid(grp, grp, indexing="ij")
            m = a < b
            pair_codes.append(a[m] * n + b[m])
    codes, counts = np.unique(np.concatenate(pair_codes), return_counts=True)
    sizes_a = np.array(sizes)
    a, b = codes // n, codes % n
    linked = counts >= np.maximum(8, min_shared * np.minimum(sizes_a[a], sizes_a[b]))
    for x, y in zip(a[linked].tolist(), b[linked].tolist(), strict=True):
        union(x, y)
    return np.array([find(i) for i in range(n)])


def assign_folds(prots: list[Protein], n_folds: int = 3) -> None:
    groups = kmer_groups(prots)
    members: dict[int, list[int]] = {}
    for i, g in enumerate(groups.tolist()):
        members.setdefault(g, []).append(i)
    tm_load, all_load = [0] * n_folds, [0] * n_folds
    ordered = sorted(members.values(), key=lambda m: (-sum(prots[i].kind == "tm" and prots[i].source == "tmbed"
                                                           for i in m), -len(m), m[0]))
    for m in ordered:
        tmbed = [i for i in m if prots[i].source == "tmbed"]
        if not tmbed:
            continue  # SignalP-only group: training data for every fold
        n_tm = sum(prots[i].kind == "tm" for i in tmbed)
        f = min(range(n_folds), key=lambda j: (tm_load[j], all_load[j])) if n_tm else \
            min(range(n_folds), key=lambda j: all_load[j])
        tm_load[f] += n_tm
        all_load[f] += len(tmbed)
        for i in m:
            prots[i].fold = f

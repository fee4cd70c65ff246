"""Train the membrane-topology HMM (secannot/models/topology_hmm.py) and cross-validate it.

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
Beta-barrel proteins (B/b) are left out of training and scored separately.

Training is maximum likelihood on the labelled paths (counts + pseudocounts);
two hyperparameters (helix-entry bias, protein-level gate on the best helix) are
chosen by nested CV: for each outer fold, the grid point with the best
objective over inner two-fold CV on the training folds.  The shipped model is
trained on everything with the hyperparameters most often chosen.

Usage: python train/train_topology.py --shared ../shared [--figures notes.md] [--out secannot/data/topology_hmm.json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from secannot.models.scales import KYTE_DOOLITTLE  # noqa: E402
from secannot.models.topology_hmm import CLASSES, ResidueModel, TopologyHMM  # noqa: E402

C = {c: i for i, c in enumerate(CLASSES)}
HELIX_MIN, HELIX_MAX = 14, 36
SP_MIN, SP_MAX = 10, 45
PREFILTER_MARGIN = 0.3
FLANK = 8
W_AA, W_KD, W_KR = 0.5, 0.0, 0.3
GRID = tuple((b, g) for b in (2.5, 3.0, 3.5, 4.0) for g in (-1e9, 6.0))


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
    def n_helices(self) -> int:
        return len(re.findall(r"H+", self.labels))

    @property
    def kind(self) -> str:
        if "B" in self.labels:
            return "beta"
        return "tm" if "H" in self.labels else "globular"


TMBED_MAP = str.maketrans({"1": "i", "2": "o", "H": "H", "h": "H", "B": "B", "b": "B", "S": "S", "U": "U"})
SIGNALP_MAP = str.maketrans({"I": "i", "O": "o", "M": "H", "S": "S", "T": "S", "L": "S", "P": "U"})


def read_tmbed(path: Path) -> list[Protein]:
    lines = path.read_text().split("\n")
    out = []
    for i in range(0, len(lines) - 2, 3):
        head = lines[i][1:].split("|")
        seq, lab = lines[i + 1].strip().upper(), lines[i + 2].strip()
        # keep helix direction case out: runs of H and h next to each other are separate helices
        runs = re.sub(r"h+", lambda m: "H" * len(m.group()), lab)
        norm = runs.translate(TMBED_MAP)
        acc = head[1] if len(head) == 3 else head[0]
        prot = Protein(head[0], acc, seq, norm, "tmbed", False)
        prot.n_true = len(re.findall(r"H+|h+", lab))  # type: ignore[attr-defined]
        out.append(prot)
    return out


def read_signalp(path: Path) -> list[Protein]:
    lines = path.read_text().split("\n")
    out = []
    for i in range(0, len(lines) - 2, 3):
        head = lines[i][1:].split("|")
        seq, lab = lines[i + 1].strip().upper(), lines[i + 2].strip()
        out.append(Protein(head[0], head[0], seq, lab.translate(SIGNALP_MAP), "signalp", True))
    return out


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


# ---------------------------------------------------------------- training
KD_WINDOWS = (5, 11, 19)
KR_WINDOW, KR_MAX = 15, 6
LABEL_CLASS = {"i": C["in"], "o": C["out"], "H": C["helix"], "S": C["sp"]}


KD_EDGES = (-2.0, -1.5, -1.0, -0.5, 0.0, 0.4, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.2, 2.5, 2.8, 3.2)


def kd_edges(prots: list[Protein]) -> np.ndarray:
    """Fixed Kyte-Doolittle bin edges, fine where TM helices and buried globular segments overlap."""
    del prots
    return np.array([KD_EDGES] * len(KD_WINDOWS))


def feature_model(edges: np.ndarray) -> ResidueModel:
    """A ResidueModel with zero weights: only its feature extraction is used while training."""
    sizes = [21] + [len(KD_EDGES) + 1] * len(KD_WINDOWS) + [KR_MAX + 1]
    return ResidueModel(KD_WINDOWS, edges, KR_WINDOW, KR_MAX,
                        tuple(np.zeros((n, len(CLASSES)), dtype=np.float32) for n in sizes),
                        np.zeros(len(CLASSES), dtype=np.float32), np.zeros(len(CLASSES), dtype=np.float32))


def fit_counts(prots: list[Protein], edges: np.ndarray) -> list[np.ndarray]:
    """Per feature group, (n_categories, K) log P(category | class) from labelled residues (+1 pseudocounts)."""
    fm = feature_model(edges)
    counts = [np.ones_like(t, dtype=np.float64) for t in fm.tables]
    for p in prots:
        if p.kind == "beta":
            continue
        y = np.array([LABEL_CLASS.get(ch, -1) for ch in p.labels])
        keep = y >= 0
        for cnt, f in zip(counts, fm.categorical(p.seq.encode(), every=True), strict=True):
            np.add.at(cnt, (f[keep], y[keep]), 1)
    return [np.log(c / c.sum(axis=0, keepdims=True)) for c in counts]


def residue_tables(logp: list[np.ndarray], edges: np.ndarray, weights: tuple[float, ...]) -> dict:
    """Naive-Bayes emission tables: each feature group's log-likelihood ratio against an average loop, weighted.

    The helix column is zero: a helix is scored once per segment by the
    segment model.  The weights are below 1 where window features of
    neighbouring residues overlap, so that a region does not count the same
    evidence many times.
    """
    tables = []
    for w, lp in zip(weights, logp, strict=True):
        bg = 0.5 * (lp[:, [C["in"]]] + lp[:, [C["out"]]])  # loops on average: only the side is informative
        t = w * (lp - bg)
        t[:, C["helix"]] = 0.0
        tables.append(np.round(t, 5).tolist())
    return {
        "kd_windows": list(KD_WINDOWS), "kd_edges": np.round(edges, 4).tolist(),
        "kr_window": KR_WINDOW, "kr_max": KR_MAX,
        "weights": list(weights),
        "tables": tables,
        "intercept": [0.0] * len(CLASSES),
        "log_prior": [0.0] * len(CLASSES),
    }


SEG_KD_LOW, SEG_KD_WIDTH, SEG_KD_BINS, SEG_CHARGE_MAX = -1.0, 0.1, 46, 5
BACKGROUND_LENGTHS = (16, 20, 24)


def segment_stats(seq: str, s: int, e: int) -> tuple[int, int]:
    kd = sum(KYTE_DOOLITTLE.get(a, 0.0) for a in seq[s:e]) / (e - s)
    kd_bin = min(max(int((kd - SEG_KD_LOW) / SEG_KD_WIDTH), 0), SEG_KD_BINS - 1)
    charge = min(sum(a in "DEKR" for a in seq[s:e]), SEG_CHARGE_MAX)
    return kd_bin, charge


def fit_segments(prots: list[Protein]) -> dict:
    """Segment log-likelihood ratio table: true TM helices vs loop windows of typical helix lengths."""
    helix = np.zeros((SEG_KD_BINS, SEG_CHARGE_MAX + 1))
    loop = np.zeros_like(helix)
    for p in prots:
        if p.kind == "beta":
            continue
        for m in re.finditer(r"H+", p.labels):
            if HELIX_MIN - 2 <= m.end() - m.start() <= HELIX_MAX + 4 and not (p.truncated and m.end() == len(p.labels)):
                helix[segment_stats(p.seq, m.start(), m.end())] += 1
        kd = np.array([KYTE_DOOLITTLE.get(a, 0.0) for a in p.seq])
        ch = np.array([a in "DEKR" for a in p.seq], dtype=float)
        ok = np.array([ch_ in "io" for ch_ in p.labels], dtype=float)
        ck, cc, co = (np.concatenate([[0.0], np.cumsum(x)]) for x in (kd, ch, ok))
        for length in BACKGROUND_LENGTHS:
            if len(p.seq) < length:
                continue
            full = (co[length:] - co[:-length]) == length
            mean = ((ck[length:] - ck[:-length]) / length)[full]
            charge = np.minimum((cc[length:] - cc[:-length])[full], SEG_CHARGE_MAX).astype(int)
            kd_bin = np.clip(((mean - SEG_KD_LOW) / SEG_KD_WIDTH).astype(int), 0, SEG_KD_BINS - 1)
            np.add.at(loop, (kd_bin, charge), 1.0 / length)  # about one count per independent window

    def smooth(h: np.ndarray) -> np.ndarray:
        x = np.arange(SEG_KD_BINS)
        k = np.exp(-0.5 * ((x[:, None] - x[None, :]) / 1.5) ** 2)
        sm = k @ h
        sm += 1e-4 * sm.sum() / sm.size  # a small floor: the tails carry the evidence
        return np.log(sm / sm.sum())

    return {"kd_low": SEG_KD_LOW, "kd_width": SEG_KD_WIDTH, "charge_max": SEG_CHARGE_MAX,
            "table": np.round(smooth(helix) - smooth(loop), 4).tolist()}


def collect(prots: list[Protein]) -> dict:
    """Path statistics of the labelled proteins: lengths, starts, helix entries per loop residue."""
    helix_len: Counter = Counter()
    sp_len: Counter = Counter()
    starts: Counter = Counter()
    entries = {"in": 0, "out": 0}
    loop_res = {"in": 0, "out": 0}
    for p in prots:
        if p.kind == "beta":
            continue
        lab = p.labels
        first = next((ch for ch in lab if ch in "ioSH"), None)
        if first == "S":
            starts["sp"] += 1
        elif first in ("i", "o"):
            starts["in" if first == "i" else "out"] += 1
        for m in re.finditer(r"H+", lab):
            if not (p.truncated and m.end() == len(lab)) and m.start() > 0:
                helix_len[m.end() - m.start()] += 1
            prev = lab[m.start() - 1] if m.start() > 0 else None
            if prev in ("i", "o"):
                entries["in" if prev == "i" else "out"] += 1
        m = re.match(r"S+", lab)
        if m and m.end() < len(lab):
            sp_len[m.end()] += 1
        loop_res["in"] += lab.count("i")
        loop_res["out"] += lab.count("o")
    return {"helix_len": helix_len, "sp_len": sp_len, "starts": starts, "entries": entries, "loop_res": loop_res}


def smooth_log_dist(counts: Counter, lo: int, hi: int, width: float = 1.5) -> list[float]:
    x = np.arange(lo, hi + 1)
    raw = np.array([counts.get(int(v), 0) for v in x], dtype=float)
    # clip the tails into the end bins, then smooth with a Gaussian kernel
    raw[0] += sum(c for v, c in counts.items() if v < lo)
    raw[-1] += sum(c for v, c in counts.items() if v > hi)
    k = np.exp(-0.5 * ((x[:, None] - x[None, :]) / width) ** 2)
    sm = k @ raw + 0.5
    return np.round(np.log(sm / sm.sum()), 5).tolist()


def build(stats: dict, residue_model: dict, segment_model: dict, scale: float, bias: float,
          prefilter: float = -1e9, gate: float = -1e9) -> dict:
    st = stats["starts"]
    tot = sum(st.values()) + 3
    entry = {s: stats["entries"][s] / max(stats["loop_res"][s], 1) for s in ("in", "out")}
    return {
        "format": "secannot-topology-hmm",
        "version": "1.0.0",
        "classes": list(CLASSES),
        "residue_model": residue_model,
        "segment_model": segment_model,
        "scale": scale,
        "flank": FLANK,
        "helix": {"min": HELIX_MIN, "log_length": smooth_log_dist(stats["helix_len"], HELIX_MIN, HELIX_MAX)},
        "signal_peptide": {"min": SP_MIN, "log_length": smooth_log_dist(stats["sp_len"], SP_MIN, SP_MAX, 2.0)},
        "start": {k: round(float(np.log((st.get(k, 0) + 1) / tot)), 5) for k in ("in", "out", "sp")},
        "loop_stay": {s: round(float(np.log1p(-entry[s])), 6) for s in ("in", "out")},
        "helix_entry": {s: round(float(np.log(entry[s]) + bias), 5) for s in ("in", "out")},
        "prefilter": prefilter,
        "gate": gate,
        "hyperparameters": {"entry_bias": bias, "gate": gate, "weights": residue_model.get("weights")},
    }


# ---------------------------------------------------------------- evaluation
def evaluate(model: TopologyHMM, prots: list[Protein], prefilter: bool = True) -> dict:
    test = [p for p in prots if p.source == "tmbed"]
    calls = model.predict([p.seq.encode() for p in test], prefilter=prefilter)
    res = {"tm": 0, "tm_hit": 0, "tm_exact": 0, "tm_topo": 0, "glob": 0, "glob_fp": 0, "glob_nosp": 0, "glob_nosp_fp": 0, "beta": 0, "beta_fp": 0,
           "calls": calls}
    for p, call in zip(test, calls, strict=True):
        if p.kind == "tm":
            res["tm"] += 1
            res["tm_hit"] += call.count > 0
            exact = call.count == p.n_true  # type: ignore[attr-defined]
            res["tm_exact"] += exact
            first = next((ch for ch in p.labels if ch in "io"), None)
            want = ("in->out" if first == "i" else "out->in") if p.labels.find("H") > p.labels.find(first or "H") \
                else None
            res["tm_topo"] += exact and (want is None or call.helices[0].orientation == want)
        elif p.kind == "globular":
            res["glob"] += 1
            res["glob_fp"] += call.count > 0
            if "S" not in p.labels:
                res["glob_nosp"] += 1
                res["glob_nosp_fp"] += call.count > 0
        else:
            res["beta"] += 1
            res["beta_fp"] += call.count > 0
    res["recall"] = res["tm_hit"] / max(res["tm"], 1)
    res["fp"] = res["glob_fp"] / max(res["glob"], 1)
    res["fp_nosp"] = res["glob_nosp_fp"] / max(res["glob_nosp"], 1)
    res["exact"] = res["tm_exact"] / max(res["tm"], 1)
    res["topology"] = res["tm_topo"] / max(res["tm"], 1)
    return res


def objective(r: dict) -> float:
    """Exact count, penalised for missing the recall (>= 0.95) and false-helix (<= 0.02) targets."""
    return r["exact"] - 3 * max(0.0, r["fp_nosp"] - 0.02) - 3 * max(0.0, 0.95 - r["recall"])


_COUNT_CACHE: dict = {}


def counts_for(train: list[Protein], edges: np.ndarray) -> tuple[list[np.ndarray], dict]:
    key = tuple(sorted(id(p) for p in train))
    if key not in _COUNT_CACHE:
        _COUNT_CACHE[key] = (fit_counts(train, edges), collect(train), fit_segments(train))
    return _COUNT_CACHE[key]


def model_dict(train: list[Protein], edges: np.ndarray, hp: tuple, prefilter: float = -1e9) -> dict:
    bias, gate = hp
    logp, stats, seg = counts_for(train, edges)
    weights = (W_AA, *([W_KD / len(KD_WINDOWS)] * len(KD_WINDOWS)), W_KR)
    return build(stats, residue_tables(logp, edges, weights), seg, 1.0, bias, prefilter, gate)


def fit(train: list[Protein], edges: np.ndarray, hp: tuple) -> TopologyHMM:
    return TopologyHMM.from_dict(model_dict(train, edges, hp))


def choose(train_pool: list[Protein], edges: np.ndarray, folds: list[int]) -> tuple[tuple, dict]:
    """Grid point with the best mean objective over CV on ``folds`` of ``train_pool``."""
    scores = {}
    for hp in GRID:
        rs = []
        for f in folds:
            tr = [p for p in train_pool if p.fold != f]
            te = [p for p in train_pool if p.fold == f]
            rs.append(evaluate(fit(tr, edges, hp), te))
        scores[hp] = float(np.mean([objective(r) for r in rs]))
    return max(scores, key=scores.__getitem__), scores


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--out", default=str(ROOT / "secannot" / "data" / "topology_hmm.json"))
    ap.add_argument("--figures", default=None, help="append per-fold figures (markdown) to this file")
    ap.add_argument("--no-nested", action="store_true", help="pick hyperparameters by plain CV (faster)")
    args = ap.parse_args()
    shared = Path(args.shared)
    tmbed_path = shared / "data" / "tmbed" / "tmbed_dev.3line"
    sp_path = shared / "data" / "signalp6" / "benchmark_dev.3line"
    if not tmbed_path.exists():
        sys.exit(f"skip: {tmbed_path} not found (the shared data is needed to train)")
    t0 = time.process_time()
    tmbed = read_tmbed(tmbed_path)
    signalp = read_signalp(sp_path) if sp_path.exists() else []
    prots = tmbed + signalp
    assign_folds(prots)
    edges = kd_edges(prots)
    lines = ["folds (homology groups): " + ", ".join(
        f"{f}: {sum(p.fold == f and p.kind == 'tm' for p in tmbed)} TM / "
        f"{sum(p.fold == f and p.kind == 'globular' for p in tmbed)} globular" for f in range(3))]
    print(lines[0], file=sys.stderr)
    chosen = []
    rows = []
    for f in range(3):
        train = [p for p in prots if p.fold != f]
        test = [p for p in prots if p.fold == f]
        inner = [g for g in range(3) if g != f]
        hp = GRID[0] if args.no_nested else choose(train, edges, inner)[0]
        chosen.append(hp)
        r = evaluate(fit(train, edges, hp), test)
        rows.append((f, hp, r))
        print(f"fold {f}: entry_bias={hp[0]} gate={hp[1]} recall={r['recall']:.3f} fp={r['fp']:.3f} "
              f"fp_nosp={r['fp_nosp']:.3f} exact={r['exact']:.3f} topology={r['topology']:.3f} beta_with_helix={r['beta_fp']}/{r['beta']}",
              file=sys.stderr)
    hp = Counter(chosen).most_common(1)[0][0]
    final = fit(prots, edges, hp)
    # prefilter: below the lowest 19-residue hydropathy of any protein that gets a helix, with a margin
    full = evaluate(final, prots, prefilter=False)
    lo = min((final.max_hydropathy(p.seq.encode()) for p, c in zip([p for p in prots if p.source == "tmbed"],
                                                                    full["calls"], strict=True) if c.count),
             default=0.0)
    data = model_dict(prots, edges, hp, prefilter=round(lo - PREFILTER_MARGIN, 3))
    data["meta"] = {
        "trained_on": ["TMbed CV folds 0-2 (tmbed_dev.3line, Apache-2.0)",
                       "SignalP 6.0 benchmark partitions 0-1, I/M/O/S labels (CC BY-NC-ND 2.0 data)"],
        "folds": "rebuilt by homology (k-mer single linkage); see train/train_topology.py",
        "cv": [{"fold": f, "entry_bias": fhp[0], "gate": fhp[1], "tm_recall": round(r["recall"], 4),
                "globular_false_helix": round(r["fp"], 4),
                "globular_without_sp_false_helix": round(r["fp_nosp"], 4), "exact_count": round(r["exact"], 4),
                "exact_count_and_orientation": round(r["topology"], 4), "n_tm": r["tm"], "n_globular": r["glob"]}
               for f, fhp, r in rows],
        "recipe": "train/train_topology.py",
    }
    Path(args.out).write_text(json.dumps(data, indent=1) + "\n")
    check = TopologyHMM.from_dict(data)
    with_pf = evaluate(check, prots)
    same = all(a.helices == b.helices for a, b in zip(with_pf["calls"], evaluate(check, prots, False)["calls"],
                                                        strict=True))
    print(f"prefilter {data['prefilter']}: same calls with and without: {same}; "
          f"CPU {time.process_time() - t0:.0f} s", file=sys.stderr)
    if args.figures:
        with open(args.figures, "a") as fh:
            fh.write("\n" + lines[0] + "\n\n| fold | entry bias | gate | TM with helix | globular with helix | globular without SP with helix |"
                     " exact count | exact count + orientation |\n|---|---|---|---|---|---|---|---|\n")
            for f, fhp, r in rows:
                fh.write(f"| {f} | {fhp[0]} | {fhp[1]} | {r['recall']:.3f} ({r['tm_hit']}/{r['tm']}) | {r['fp']:.3f} "
                         f"({r['glob_fp']}/{r['glob']}) | {r['fp_nosp']:.3f} ({r['glob_nosp_fp']}/{r['glob_nosp']}) | "
                         f"{r['exact']:.3f} | {r['topology']:.3f} |\n")


if __name__ == "__main__":
    main()

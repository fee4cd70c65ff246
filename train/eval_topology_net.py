"""Cross-validate the topology network's decoder and write secannot/data/topology_net.json.

Needs the per-fold weights of train/train_topology_net.py (its cache): ``f{k}``
(trained without fold k) and ``x{a}{b}`` (trained without folds a and b, the
inner CV).  For each outer fold k, on the inner folds only (model ``x`` without
k and g, scored on fold g, pooled over both g), and for every helix threshold /
minimum length of the grid, the learned protein gate of
secannot/models/topology_gate.py is fitted (logistic weights, then the cut that
maximises :func:`objective`); the grid point with the best inner objective is
kept, and fold k is scored once with the ``f{k}`` model.  The old single
score gate (best helix score >= gate, its value chosen the same way) is scored
beside it for comparison.  The shipped decoder takes the most often chosen grid
point and a gate fitted on all three folds' out-of-fold outputs (``f{k}`` on
fold k, pooled).  All scoring runs the numpy inference of secannot (no torch).

Usage: python train/eval_topology_net.py --shared ../shared [--figures notes.md]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "train"))

from topology_data import Protein  # noqa: E402
from train_topology_net import load  # noqa: E402

from secannot.models.topology import TopologyParams  # noqa: E402
from secannot.models.topology_decode import DecodeParams, TopologyPredictor  # noqa: E402
from secannot.models.topology_gate import ProteinGate, features, fit_logistic  # noqa: E402
from secannot.models.topology_net import TopologyEnsemble, TopologyNet  # noqa: E402

VERSION = "2.2.0"
BASE = {"zone_logit": -1.0, "zone_pad": 10, "threshold": 0.5, "helix_min": 10, "helix_max": 38,
        "split_length": 35, "mean_length": 22, "merge_gap": 2, "gate": -1e9,
        # loop and orientation (2.1.0): set by hand from the bench folds, see docs/model_card.md
        "min_loop": 2, "kr_weight": 3.0, "kr_flank": 15, "kr_into": 6, "acidic": 1.0, "side_flank": 15}
GRID = tuple((t, m) for t in (0.3, 0.35, 0.4, 0.5) for m in (10, 13, 16))
#: the old protein gate's values (best helix score >= gate), kept for the comparison
SCORE_GATES = (-1e9, 0.0, 5.0, 10.0, 15.0, 20.0, 25.0)
#: ridge penalty of the gate's logistic regression (standardised features)
L2 = 1.0
#: the learned gate only sees proteins whose best helix scores at least this (the decoder's ``gate``): a helix
#: whose summed log-odds are negative is no evidence of a TM helix however short the chain.  Without this floor
#: the gate, which leans on chain length (short chains: more often TM in TMbed, whose TM chains are OPM
#: structures), passed such helices in short soluble enzymes of E. coli and human (docs/model_card.md).
FLOOR = 0.0
#: The chain-length weight is set, not fitted: a globular chain of length L offers about L places for a chance
#: helix, so the odds that its best candidate is chance grow about as L (log-odds slope 1).  Fitted freely the
#: slope comes out near 2.7, inflated because TMbed's TM chains are OPM structures (median 360 residues, single-
#: pass 190) and its globular ones full UniProt chains (median 459); see docs/model_card.md.  None: fitted.
LENGTH_SLOPE: float | None = 1.0


@dataclass(frozen=True)
class Row:
    """One protein under one decoder setting, before any protein gate."""

    kind: str  # tm | globular
    signal_peptide: bool
    n_true: int
    count: int  # candidate helices
    feats: tuple[float, ...] | None  # gate features (None without a candidate)

    @property
    def gated(self) -> bool:
        """Whether the learned gate judges this protein (a candidate whose best score reaches :data:`FLOOR`)."""
        return self.feats is not None and self.feats[0] >= FLOOR


def objective(r: dict):
    """Exact count, penalised for missing the recall (>= 0.95) and false-helix (<= 0.02) targets; the values of
    ``r`` may be arrays (one per candidate cut, :func:`fit_gate`), giving an array."""
    return r["exact_rate"] - 3 * np.maximum(0.0, r["fp"] - 0.02) - 3 * np.maximum(0.0, 0.95 - r["recall"])


def load_net(caches: list[Path], name: str) -> TopologyNet | TopologyEnsemble:
    """Model ``name`` (e.g. ``f0``) of the cache, or the logit-averaged ensemble of it over several caches."""
    nets = [TopologyNet.load(str(c / f"{name}.npz")) for c in caches]
    return nets[0] if len(nets) == 1 else TopologyEnsemble(tuple(nets))


def predictor(net: TopologyNet | TopologyEnsemble, hp: tuple[float, int]) -> TopologyPredictor:
    return TopologyPredictor(net, TopologyParams.load(), DecodeParams.from_dict({**BASE, "threshold": hp[0],
                                                                                 "helix_min": hp[1]}))


def rows_for(net: TopologyNet | TopologyEnsemble, prots: list[Protein]) -> dict[tuple[float, int], list[Row]]:
    """Every grid point's ungated candidates (the network runs once); beta-barrel proteins left out."""
    prots = [p for p in prots if p.kind in ("tm", "globular")]
    seqs = [p.seq.encode() for p in prots]
    base = predictor(net, GRID[0])
    scores = base.zone_scores(seqs, base.zones(seqs))  # GRID[0] has the lowest threshold: nothing is skipped early
    out = {}
    for hp in GRID:
        pr = predictor(net, hp)
        rows = []
        for p, sc in zip(prots, scores, strict=True):
            segs, s = pr.candidates(sc) if sc is not None else ([], [])
            rows.append(Row(p.kind, "S" in p.labels, p.n_true, len(segs),  # type: ignore[attr-defined]
                            tuple(features(segs, s, len(p.seq))) if segs else None))
        out[hp] = rows
    return out


def rates(rows: list[Row], keep: np.ndarray) -> dict:
    """Figures when protein i keeps its candidates iff ``keep[i]`` (rows without a candidate have none)."""
    c = Counter()
    for r, k in zip(rows, keep.tolist(), strict=True):
        n = r.count if k else 0
        if r.kind == "tm":
            c["tm"] += 1
            c["tm_hit"] += n > 0
            c["exact"] += n == r.n_true
        else:
            c["glob"] += 1
            c["glob_fp"] += n > 0
            c["nosp"] += not r.signal_peptide
            c["nosp_fp"] += n > 0 and not r.signal_peptide
    return {**c, "recall": c["tm_hit"] / max(c["tm"], 1), "fp": c["glob_fp"] / max(c["glob"], 1),
            "fp_nosp": c["nosp_fp"] / max(c["nosp"], 1), "exact_rate": c["exact"] / max(c["tm"], 1)}


def gate_logits(rows: list[Row], gate: ProteinGate) -> np.ndarray:
    """Each row's gate log-odds (-inf when the gate does not judge it: no candidate, or below :data:`FLOOR`)."""
    w = np.array(gate.weights)
    return np.array([gate.bias + float(np.dot(w, r.feats)) if r.gated else -np.inf for r in rows])


def fit_gate(rows: list[Row]) -> ProteinGate:
    """Logistic weights (TM against globular, over the proteins the gate judges) and the cut that maximises
    :func:`objective` on the same rows (a cut between two neighbouring log-odds, or none)."""
    with_cand = [r for r in rows if r.gated]
    x, y = np.array([r.feats for r in with_cand]), np.array([r.kind == "tm" for r in with_cand])
    if LENGTH_SLOPE is None:
        w, b = fit_logistic(x, y, L2)
    else:  # log_length is the last feature
        w, b = fit_logistic(x[:, :-1], y, L2, offset=-LENGTH_SLOPE * x[:, -1])
        w = np.r_[w, -LENGTH_SLOPE]
    logits = gate_logits(rows, ProteinGate(tuple(w.tolist()), b, 0.0))
    finite = np.unique(logits[np.isfinite(logits)])
    cuts = np.r_[-1e9, (finite[1:] + finite[:-1]) / 2]
    tm = np.array([r.kind == "tm" for r in rows])
    exact = np.array([r.kind == "tm" and r.count == r.n_true for r in rows])
    kept = logits[None, :] >= cuts[:, None]  # (cuts, rows); rows without a candidate are never kept
    # :func:`objective` for every cut at once
    obj = objective({"recall": (kept & tm).sum(1) / max(tm.sum(), 1), "fp": (kept & ~tm).sum(1) / max((~tm).sum(), 1),
                     "exact_rate": (kept & exact).sum(1) / max(tm.sum(), 1)})
    return ProteinGate(tuple(w.tolist()), b, float(cuts[int(np.argmax(obj))]))  # ties: the lowest cut


def score_gate(rows: list[Row]) -> float:
    """The old gate: the best-helix score cut of :data:`SCORE_GATES` with the best :func:`objective`."""
    return max(SCORE_GATES, key=lambda g: (objective(rates(rows, score_keep(rows, g))), g))


def score_keep(rows: list[Row], g: float) -> np.ndarray:
    return np.array([r.feats is not None and r.feats[0] >= g for r in rows])


def outer_fold(f: int, cache: list[Path], tmbed: list[Protein]) -> tuple[dict, dict, dict[tuple[float, int], list[Row]]]:
    """Fold f's figures with the learned gate and with the old score gate, each with its inner-CV choices,
    and the f{f} model's rows on fold f (for the shipped fit)."""
    inner: dict[tuple[float, int], list[Row]] = {hp: [] for hp in GRID}
    for g in (x for x in range(3) if x != f):
        net = load_net(cache, f"x{min(f, g)}{max(f, g)}")
        for hp, rows in rows_for(net, [p for p in tmbed if p.fold == g]).items():
            inner[hp] += rows
    gates = {hp: fit_gate(rows) for hp, rows in inner.items()}
    hp = max(GRID, key=lambda h: objective(rates(inner[h], gate_logits(inner[h], gates[h]) >= gates[h].cut)))
    sg = {h: score_gate(rows) for h, rows in inner.items()}
    hp_old = max(GRID, key=lambda h: objective(rates(inner[h], score_keep(inner[h], sg[h]))))
    outer = rows_for(load_net(cache, f"f{f}"), [p for p in tmbed if p.fold == f])
    new = rates(outer[hp], gate_logits(outer[hp], gates[hp]) >= gates[hp].cut)
    old = rates(outer[hp_old], score_keep(outer[hp_old], sg[hp_old]))
    inner_obj = float(objective(rates(inner[hp], gate_logits(inner[hp], gates[hp]) >= gates[hp].cut)))
    new_entry = {"fold": f, "threshold": hp[0], "helix_min": hp[1], "gate": FLOOR,
                 "protein_gate": gates[hp].to_dict(), "inner_objective": round(inner_obj, 4), **figures(new)}
    old_entry = {"fold": f, "threshold": hp_old[0], "helix_min": hp_old[1], "gate": sg[hp_old], **figures(old)}
    for name, e in (("learned gate", new_entry), ("score gate", old_entry)):
        print(f"fold {f} {name}: threshold {e['threshold']} helix_min {e['helix_min']}: TM with helix "
              f"{e['tm_recall']:.3f} globular with helix {e['globular_false_helix']:.3f} (without SP "
              f"{e['globular_without_sp_false_helix']:.3f}) exact {e['exact_count']:.3f}"
              + (f" inner objective {e['inner_objective']:.4f}" if "inner_objective" in e else ""), file=sys.stderr)
    return new_entry, old_entry, outer


def figures(r: dict) -> dict:
    return {"tm_recall": round(r["recall"], 4), "globular_false_helix": round(r["fp"], 4),
            "globular_without_sp_false_helix": round(r["fp_nosp"], 4), "exact_count": round(r["exact_rate"], 4),
            "n_tm": r["tm"], "n_globular": r["glob"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--cache", default=str(ROOT / "train" / ".net_cache"),
                    help="the training cache; several, comma-separated: their models' logits averaged")
    ap.add_argument("--out", default=str(ROOT / "secannot" / "data" / "topology_net.json"))
    ap.add_argument("--figures", default=None)
    ap.add_argument("--zone-logit", type=float, default=BASE["zone_logit"])
    ap.add_argument("--zone-pad", type=int, default=BASE["zone_pad"])
    args = ap.parse_args()
    BASE.update(zone_logit=args.zone_logit, zone_pad=args.zone_pad)
    tmbed = [p for p in load(Path(args.shared)) if p.source == "tmbed"]
    folds = [outer_fold(f, [Path(c) for c in args.cache.split(",")], tmbed) for f in range(3)]
    hp = Counter((e["threshold"], e["helix_min"]) for e, _, _ in folds).most_common(1)[0][0]
    shipped = fit_gate([r for _, _, outer in folds for r in outer[hp]])
    data = {**BASE, "threshold": hp[0], "helix_min": hp[1], "gate": FLOOR, "protein_gate": shipped.to_dict(),
            "format": "secannot-topology-net", "version": VERSION,
            "meta": {"trained_on": ["TMbed CV folds 0-2 (tmbed_dev.3line, Apache-2.0)",
                                    "SignalP 6.0 benchmark partitions 0-1, I/M/O/S labels (CC BY-NC-ND 2.0 data)"],
                     "folds": "rebuilt by homology (k-mer single linkage); see train/topology_data.py",
                     "recipe": "train/train_topology_net.py (weights), train/eval_topology_net.py (decoder)",
                     "protein_gate_fit": "logistic regression (L2 1.0 on standardised features; log_length "
                                         f"weight set to -{LENGTH_SLOPE}, not fitted) of TM against "
                                         "globular TMbed proteins whose best candidate helix scores >= gate (0), "
                                         "pooled out-of-fold "
                                         "outputs of the fold nets f0-f2; cut maximising the CV objective on the "
                                         "same outputs. Per-fold gates in cv: fitted on the inner folds only.",
                     "cv": [e for e, _, _ in folds],
                     "cv_score_gate": [e for _, e, _ in folds]}}
    Path(args.out).write_text(json.dumps(data, indent=1) + "\n")
    lines = ["| fold | gate | threshold | helix min | TM with helix | globular with helix | without SP | exact count |",
             "|---|---|---|---|---|---|---|---|"]
    for new, old, _ in folds:
        for name, e in (("learned", new), (f"score >= {old['gate']:g}", old)):
            lines.append(f"| {e['fold']} | {name} | {e['threshold']} | {e['helix_min']} | {e['tm_recall']:.3f} | "
                         f"{e['globular_false_helix']:.3f} | {e['globular_without_sp_false_helix']:.3f} | "
                         f"{e['exact_count']:.3f} |")
    print("\n".join(lines))
    if args.figures:
        with open(args.figures, "a") as fh:
            fh.write("\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

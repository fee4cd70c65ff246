"""Cross-validate the topology network's decoder and write secannot/data/topology_net.json.

Needs the per-fold weights of train/train_topology_net.py (its cache): ``f{k}``
(trained without fold k) and ``x{a}{b}`` (trained without folds a and b, the
inner CV).  For each outer fold k the decoder's helix threshold and protein
gate are chosen on the inner folds only (model ``x`` without k and g, scored on
fold g, pooled over both g), then fold k is scored once with the ``f{k}``
model.  The shipped decoder parameters are the most often chosen.  All scoring
runs the numpy inference of secannot (no torch).

Usage: python train/eval_topology_net.py --shared ../shared [--figures notes.md] [--sweep]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "train"))

from topology_data import Protein  # noqa: E402
from train_topology_net import load  # noqa: E402

from secannot.models.topology import TopologyParams  # noqa: E402
from secannot.models.topology_decode import DecodeParams, TopologyPredictor  # noqa: E402
from secannot.models.topology_net import TopologyNet  # noqa: E402

BASE = {"zone_logit": -1.0, "zone_pad": 10, "threshold": 0.5, "helix_min": 10, "helix_max": 38,
        "split_length": 35, "mean_length": 22, "merge_gap": 2, "gate": -1e9,
        # loop and orientation (2.1.0): set by hand from the bench folds, see docs/model_card.md
        "min_loop": 2, "kr_weight": 3.0, "kr_flank": 15, "kr_into": 6, "acidic": 1.0, "side_flank": 15}
GRID = tuple((t, g, m) for t in (0.3, 0.35, 0.4, 0.5) for g in (-1e9, 0.0, 5.0, 10.0, 15.0, 20.0, 25.0)
             for m in (10, 13, 16))


def score(calls, prots: list[Protein]) -> dict:
    r = Counter()
    for c, p in zip(calls, prots, strict=True):
        if p.kind == "tm":
            r["tm"] += 1
            r["tm_hit"] += c.count > 0
            r["exact"] += c.count == p.n_true  # type: ignore[attr-defined]
        elif p.kind == "globular":
            r["glob"] += 1
            r["glob_fp"] += c.count > 0
            if "S" not in p.labels:
                r["nosp"] += 1
                r["nosp_fp"] += c.count > 0
    return {**r, "recall": r["tm_hit"] / max(r["tm"], 1), "fp": r["glob_fp"] / max(r["glob"], 1),
            "fp_nosp": r["nosp_fp"] / max(r["nosp"], 1), "exact_rate": r["exact"] / max(r["tm"], 1)}


def objective(r: dict) -> float:
    """Exact count, penalised for missing the recall (>= 0.95) and false-helix (<= 0.02) targets."""
    return r["exact_rate"] - 3 * max(0.0, r["fp"] - 0.02) - 3 * max(0.0, 0.95 - r["recall"])


def predictor(net: TopologyNet, hp: tuple[float, float, int]) -> TopologyPredictor:
    return TopologyPredictor(net, TopologyParams.load(), DecodeParams.from_dict({**BASE, "threshold": hp[0],
                                                                                 "gate": hp[1], "helix_min": hp[2]}))


def calls_for(net: TopologyNet, prots: list[Protein]) -> dict:
    """Calls of every grid point (the network runs once)."""
    seqs = [p.seq.encode() for p in prots]
    base = predictor(net, GRID[0])
    scores = base.zone_scores(seqs, base.zones(seqs))  # GRID[0] has the lowest threshold: nothing is skipped early
    out = {}
    for hp in GRID:
        pr = predictor(net, hp)
        out[hp] = [pr.decode(sc) for sc in scores]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--cache", default=str(ROOT / "train" / ".net_cache"))
    ap.add_argument("--out", default=str(ROOT / "secannot" / "data" / "topology_net.json"))
    ap.add_argument("--figures", default=None)
    ap.add_argument("--zone-logit", type=float, default=BASE["zone_logit"])
    ap.add_argument("--zone-pad", type=int, default=BASE["zone_pad"])
    args = ap.parse_args()
    BASE.update(zone_logit=args.zone_logit, zone_pad=args.zone_pad)
    prots = load(Path(args.shared))
    tmbed = [p for p in prots if p.source == "tmbed"]
    cache = Path(args.cache)
    rows, chosen, sweep = [], [], {}
    for f in range(3):
        inner = {hp: Counter() for hp in GRID}
        for g in (x for x in range(3) if x != f):
            net = TopologyNet.load(str(cache / f"x{min(f, g)}{max(f, g)}.npz"))
            test = [p for p in tmbed if p.fold == g]
            for hp, calls in calls_for(net, test).items():
                for k, v in score(calls, test).items():
                    if isinstance(v, int):
                        inner[hp][k] += v
        pooled = {hp: score_from_counts(c) for hp, c in inner.items()}
        hp = max(GRID, key=lambda h: (objective(pooled[h]), h[1]))
        chosen.append(hp)
        print(f"fold {f}: inner-CV objective of the chosen point {objective(pooled[hp]):.3f}", file=sys.stderr)
        test = [p for p in tmbed if p.fold == f]
        outer = calls_for(TopologyNet.load(str(cache / f"f{f}.npz")), test)
        sweep[f] = {h: score(c, test) for h, c in outer.items()}
        r = sweep[f][hp]
        rows.append((f, hp, r))
        print(f"fold {f}: threshold {hp[0]} gate {hp[1]} helix_min {hp[2]}: TM with helix {r['recall']:.3f} "
              f"globular with helix {r['fp']:.3f} (without SP {r['fp_nosp']:.3f}) exact {r['exact_rate']:.3f}",
              file=sys.stderr)
    hp = Counter(chosen).most_common(1)[0][0]
    data = {**BASE, "threshold": hp[0], "gate": hp[1], "helix_min": hp[2], "format": "secannot-topology-net",
            "version": "2.1.0",
            "meta": {"trained_on": ["TMbed CV folds 0-2 (tmbed_dev.3line, Apache-2.0)",
                                    "SignalP 6.0 benchmark partitions 0-1, I/M/O/S labels (CC BY-NC-ND 2.0 data)"],
                     "folds": "rebuilt by homology (k-mer single linkage); see train/topology_data.py",
                     "recipe": "train/train_topology_net.py (weights), train/eval_topology_net.py (decoder)",
                     "cv": [{"fold": f, "threshold": h[0], "gate": h[1], "helix_min": h[2],
                             "tm_recall": round(r["recall"], 4),
                             "globular_false_helix": round(r["fp"], 4),
                             "globular_without_sp_false_helix": round(r["fp_nosp"], 4),
                             "exact_count": round(r["exact_rate"], 4), "n_tm": r["tm"], "n_globular": r["glob"]}
                            for f, h, r in rows]}}
    Path(args.out).write_text(json.dumps(data, indent=1) + "\n")
    lines = ["| fold | threshold | gate | helix min | TM with helix | globular with helix | without SP | exact count |",
             "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {f} | {h[0]} | {h[1]:g} | {h[2]} | {r['recall']:.3f} | {r['fp']:.3f} | {r['fp_nosp']:.3f} | "
              f"{r['exact_rate']:.3f} |" for f, h, r in rows]
    lines += ["", "Sweep on the outer folds (for the tradeoff curve only; not used to choose):",
              "| threshold | gate | helix min | " + " | ".join(f"fold {f} TM / glob / exact" for f in range(3)) + " |",
              "|---|---|---|---|---|---|"]
    for h in GRID:
        lines.append(f"| {h[0]} | {h[1]:g} | {h[2]} | " + " | ".join(
            f"{sweep[f][h]['recall']:.3f} / {sweep[f][h]['fp']:.3f} / {sweep[f][h]['exact_rate']:.3f}"
            for f in range(3)) + " |")
    print("\n".join(lines))
    if args.figures:
        with open(args.figures, "a") as fh:
            fh.write("\n" + "\n".join(lines) + "\n")


def score_from_counts(c: Counter) -> dict:
    return {"recall": c["tm_hit"] / max(c["tm"], 1), "fp": c["glob_fp"] / max(c["glob"], 1),
            "exact_rate": c["exact"] / max(c["tm"], 1)}


if __name__ == "__main__":
    main()

"""Experiment (not part of `make bench`): would the topology network's own signal-peptide class improve the
uncertain-band rule (signal peptide vs signal anchor vs neither)?

For each eukaryotic SignalP 6.0 N-terminus in the band (0.35 <= sp_prob < threshold, scored by the SP model
trained on the other partition, bench/models/sp_fold_train*.npz), the network's signal-peptide share of the
N-terminus: summed P(signal peptide) over residues 1..best cleavage site, over P(signal peptide) + P(helix).
The topology network trained on the SignalP benchmark's labels, so only proteins it never saw count: those of
extra_remainder/extra_targetp, and benchmark proteins whose homology fold's net (bench/models/topology_net_fold*)
left them out.  A rule "signal peptide also when the share >= t (and a helix is there)" is fitted on one
partition and scored on the other, beside the shipped BandRule.  Result for README (model 2.2.0): the share
separates signal peptides from anchors but not from transit peptides; out of sample 0.617 either way, not used.

Usage: OPENBLAS_NUM_THREADS=1 python bench/band_sp_share.py --shared ../shared
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "train"))
sys.path.insert(0, str(ROOT / "bench"))

RIGHT = {("S", "SP"), ("M", "SA"), ("O", "neither")}
SHARES = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)


def band_proteins(shared: Path) -> list[dict]:
    from train_topology_net import load
    from verdicts import band_records

    from secannot.models.localization import BandRule
    from secannot.models.topology_decode import TopologyPredictor, helix_score_of
    from secannot.models.topology_net import TopologyNet, codes_of, log_softmax

    fold_of = {p.seq: p.fold for p in load(shared) if p.source == "signalp"}
    shipped = TopologyPredictor.load()
    # each fold's network, scored with the shipped decoder; -1: the shipped network (proteins it may have seen)
    models = {k: TopologyPredictor(TopologyNet.load(str(ROOT / "bench" / "models" / f"topology_net_fold{k}.npz")),
                                   shipped.window, shipped.params) for k in range(3)}
    models[-1] = shipped
    band = band_records(shared)
    for o in band:
        fold = fold_of.get(o["seq"].decode(), -1) if o["src"] == "benchmark_dev" else -1
        o["unseen"] = o["src"] != "benchmark_dev" or fold >= 0
        tp = models[fold]
        net = tp.net
        prob = np.exp(log_softmax(net.logits(codes_of(o["seq"])).astype(np.float64)))
        span = slice(0, min(max(o["site"], 10), len(o["seq"])))
        sp, hx = float(prob[span, 3].sum()), float(prob[span, 2].sum())
        o["share"] = sp / max(sp + hx, 1e-9)
        [(call, row)] = tp.predict_with_helix_rows([o["seq"]], tp.zones([o["seq"]]))
        o["nhs"] = max([helix_score_of(row, h.start, h.end) for h in call.helices  # type: ignore[arg-type]
                        if h.start <= BandRule().nterm_span] or [-99.0])
    return band


def shipped_rule(o: dict) -> str:
    from secannot.models.localization import BandRule

    r = BandRule()
    if o["cs"] >= r.min_cs_prob and r.h_min <= o["h"] <= r.h_max:
        return "SP"
    return "SA" if o["nhs"] >= r.anchor_helix_score else "neither"


def with_share(o: dict, t: float) -> str:
    if shipped_rule(o) == "SP" or (o["share"] >= t and o["nhs"] > -99):
        return "SP"
    return shipped_rule(o)


def accuracy(sub: list[dict], rule, *args) -> float:
    return sum((o["cls"], rule(o, *args)) in RIGHT for o in sub) / max(len(sub), 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    band = band_proteins(Path(ap.parse_args().shared))
    for cls in "SMO":
        v = [o["share"] for o in band if o["cls"] == cls]
        print(f"{cls}: {len(v)} in the band, signal-peptide share median {np.median(v):.2f}")
    for name, sub in (("all band proteins (network in-sample for most)", band),
                      ("band proteins the network never trained on", [o for o in band if o["unseen"]])):
        parts = [[o for o in sub if o["part"] == p] for p in (0, 1)]
        print(f"{name}: {len(sub)} ({dict(collections.Counter(o['cls'] for o in sub))}); shipped rule "
              f"{accuracy(sub, shipped_rule):.3f}")
        for p in (0, 1):
            t = max(SHARES, key=lambda x, q=p: accuracy(parts[1 - q], with_share, x))
            print(f"  share >= {t} fitted on partition {1 - p}: partition {p} {accuracy(parts[p], with_share, t):.3f} "
                  f"(shipped {accuracy(parts[p], shipped_rule):.3f})")
        t = max(SHARES, key=lambda x: min(accuracy(q, with_share, x) - accuracy(q, shipped_rule) for q in parts))
        print(f"  best in both partitions: share >= {t}: {accuracy(sub, with_share, t):.3f}")


if __name__ == "__main__":
    main()

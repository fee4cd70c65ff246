"""Check that cropping the topology network to its zones changes no call: the default (cropped) run vs the
network on whole chains with the same zones, on the TMbed + SignalP dev data and some proteomes, both
signal-peptide settings.  Also counts how many calls the zones themselves change (vs no zones at all).

Usage: OPENBLAS_NUM_THREADS=1 python bench/topology_zone_check.py --shared ../shared
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "train"))
sys.path.insert(0, str(ROOT / "bench"))

from topology_speed import read  # noqa: E402
from train_topology_net import load  # noqa: E402

from secannot.models.topology_decode import TopologyPredictor  # noqa: E402

PROTEOMES = ("ecoli_proteins.faa", "human_UP000005640_first1000.fasta", "pfalciparum_proteins.faa",
             "mjannaschii_proteins.faa")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    args = ap.parse_args()
    shared = Path(args.shared)
    model = TopologyPredictor.load()
    sets = {"TMbed + SignalP dev": [p.seq.encode() for p in load(shared)]}
    for name in PROTEOMES:
        sets[name] = read([str(shared / "data" / "proteomes" / name)])
    for name, seqs in sets.items():
        for sp in (True, False):
            cropped = model.predict(seqs, signal_peptide=sp)
            whole = model.predict(seqs, signal_peptide=sp, zones="check")
            free = model.predict(seqs, signal_peptide=sp, zones=False)
            differ = sum(a != b for a, b in zip(cropped, whole, strict=True))
            by_zones = sum(a.count != b.count for a, b in zip(cropped, free, strict=True))
            print(f"{name} ({len(seqs)} proteins, signal_peptide={sp}): cropped vs whole-chain network with the "
                  f"same zones: {differ} calls differ; helix count changed by the zones themselves: {by_zones}")


if __name__ == "__main__":
    main()

"""CPU time of the topology stage on the proteomes: old (window detector + HMM on flagged proteins) vs new
(window detector + network on zones), alternating in one process, one core.

Usage: OPENBLAS_NUM_THREADS=1 python bench/topology_speed.py --shared ../shared [--rounds 3]
Prints CPU seconds per round and how many proteins get helices under each.
"""

from __future__ import annotations

import argparse
import glob
import sys
import time
from pathlib import Path

from Bio.SeqIO.FastaIO import SimpleFastaParser

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from secannot.models.topology import TopologyParams, find_segments  # noqa: E402
from secannot.models.topology_decode import TopologyPredictor  # noqa: E402
from secannot.models.topology_hmm import TopologyHMM  # noqa: E402


def read(files: list[str]) -> list[bytes]:
    seqs = []
    for f in files:
        with open(f) as fh:
            seqs += [s.replace("*", "").encode() for _, s in SimpleFastaParser(fh)]
    return seqs


def old(window: TopologyParams, hmm: TopologyHMM, seqs: list[bytes]) -> int:
    topo = find_segments(window, seqs)
    flagged = [s for s, t in zip(seqs, topo, strict=True) if t.segments]
    return sum(c.count > 0 for c in hmm.predict(flagged, signal_peptide=False))


def new(window: TopologyParams, net: TopologyPredictor, seqs: list[bytes]) -> int:
    find_segments(window, seqs)  # still needed by the GPI and leaderless rules
    return sum(c.count > 0 for c in net.predict(seqs, signal_peptide=False))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--skip-old", action="store_true")
    args = ap.parse_args()
    files = sorted(glob.glob(str(Path(args.shared) / "data" / "proteomes" / "*.faa")))
    seqs = read(files)
    window, hmm, net = TopologyParams.load(), TopologyHMM.load(), TopologyPredictor.load()
    print(f"{len(files)} files, {len(seqs)} proteins")
    for r in range(args.rounds):
        for name, fn, model in (("old", old, hmm), ("new", new, net)):
            if name == "old" and args.skip_old:
                continue
            t = time.process_time()
            n = fn(window, model, seqs)
            print(f"round {r} {name}: {time.process_time() - t:.2f} CPU-s, {n} proteins with a helix")


if __name__ == "__main__":
    main()

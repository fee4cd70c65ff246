"""CPU time of the topology stage on the proteomes: this tree's network against other source trees (e.g. main's
window detector + HMM, or an earlier network), alternating fresh processes in one run, one core each.

The stage is what the Localizer runs on every protein: the window detector (needed anyway by the GPI and
leaderless rules) and the topology model.  For a tree with ``secannot/models/topology_hmm.py`` and no
``topology_decode.py`` (main before the network) that is the HMM on the window-flagged proteins; otherwise
the network on its zones (reusing the detector's window sums when ``find_segments`` offers zones).

Usage: OPENBLAS_NUM_THREADS=1 python bench/topology_speed.py --shared ../shared [--rounds 3]
           [--compare main=/path/to/main/checkout --compare v1=/path/to/older/tree]
Prints CPU seconds per round and tree, and how many proteins get helices under each.
"""

from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def read(files: list[str]) -> list[bytes]:
    from Bio.SeqIO.FastaIO import SimpleFastaParser

    seqs = []
    for f in files:
        with open(f) as fh:
            seqs += [s.replace("*", "").encode() for _, s in SimpleFastaParser(fh)]
    return seqs


def stage(seqs: list[bytes]):
    """A callable running the topology stage of the ``secannot`` on sys.path over ``seqs``; returns helix proteins."""
    import importlib.util
    import inspect

    from secannot.models.topology import TopologyParams, find_segments

    window = TopologyParams.load()
    if importlib.util.find_spec("secannot.models.topology_decode") is None:
        from secannot.models.topology_hmm import TopologyHMM

        hmm = TopologyHMM.load()

        def run() -> int:
            flagged = [s for s, t in zip(seqs, find_segments(window, seqs), strict=True) if t.segments]
            return sum(c.count > 0 for c in hmm.predict(flagged, signal_peptide=False))
        return run
    from secannot.models.topology_decode import TopologyPredictor

    net = TopologyPredictor.load()
    if "zones" not in inspect.signature(find_segments).parameters:  # the first network: zones found twice
        def run_v1() -> int:
            find_segments(window, seqs)
            return sum(c.count > 0 for c in net.predict(seqs, signal_peptide=False))
        return run_v1

    def run_net() -> int:
        topo = find_segments(window, seqs, net.zone_args)
        return sum(c.count > 0 for c in net.predict(seqs, signal_peptide=False, zones=[list(t.zones) for t in topo]))
    return run_net


def child(tree: str, files: list[str]) -> None:
    """One timed pass in this process (after a warm-up on the first 500 proteins), printed as 'cpu n'."""
    sys.path.insert(0, tree)
    seqs = read(files)
    stage(seqs[:500])()
    run = stage(seqs)
    t = time.process_time()
    n = run()
    print(time.process_time() - t, n)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--compare", action="append", default=[], metavar="NAME=TREE",
                    help="another source tree to time beside this one (repeatable)")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    files = sorted(glob.glob(str(Path(args.shared) / "data" / "proteomes" / "*.faa")))
    if args.child:
        child(args.child, files)
        return
    trees = [tuple(c.split("=", 1)) for c in args.compare] + [("this tree", str(ROOT))]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    print(f"{len(files)} proteome files")
    for r in range(args.rounds):
        for name, tree in trees:
            out = subprocess.run([sys.executable, __file__, "--shared", args.shared, "--child", tree],
                                 capture_output=True, text=True, check=True, env=env).stdout.split()
            print(f"round {r} {name}: {float(out[0]):.2f} CPU-s, {out[1]} proteins with a helix", flush=True)


if __name__ == "__main__":
    main()

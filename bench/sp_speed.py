"""CPU time per protein of two signal-peptide models on the eukaryote path, measured in one run.

The shared 2-core host makes absolute times drift by +-20% between runs, so the two models are timed
alternately on the same sequences (best of ``--repeat`` CPU times each) and only their ratio is reported.

Usage: python bench/sp_speed.py OLD.npz NEW.npz [--shared ../shared] [--repeat 3]
"""

from __future__ import annotations

import argparse
import glob
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from Bio.SeqIO.FastaIO import SimpleFastaParser  # noqa: E402

from secannot.models.signal_peptide import ORGANISMS, SignalPeptideModel  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    files = sorted(glob.glob(str(args.shared / "data" / "proteomes" / "*.fa*")))
    seqs = []
    for f in files:
        with open(f) as fh:
            seqs += [s.encode() for _, s in SimpleFastaParser(fh)]
    models = {"old": SignalPeptideModel.load(args.old), "new": SignalPeptideModel.load(args.new)}
    best = {k: float("inf") for k in models}
    for _ in range(args.repeat):
        for name, model in models.items():
            start = time.process_time()
            for i in range(0, len(seqs), 1024):
                model.predict(seqs[i : i + 1024], ORGANISMS["eukarya"])
            best[name] = min(best[name], time.process_time() - start)
    for name, model in models.items():
        print(f"{name} {model.version}: {best[name]:.2f} s CPU for {len(seqs)} proteins "
              f"({1e6 * best[name] / len(seqs):.1f} us per protein, eukaryote path, best of {args.repeat})")
    print(f"ratio new/old: {best['new'] / best['old']:.2f}")


if __name__ == "__main__":
    main()

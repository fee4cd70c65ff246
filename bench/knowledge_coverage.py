"""Knowledge coverage: how many secreted proteins get at least one annotation (issue 15 target: >= 400 of the
2,082 reviewed human proteins that UniProt annotates as Secreted, SL-0243).

The list of the 2,082 is not available offline, so the figure is an estimate, printed with how it was made:

1. Counts of what the knowledge covers at all: genes with a rule claim, single ligands and receptor
   subunits of the shipped ligand-receptor pairs, and their union.
2. A sample: the Swiss-Prot records of ``../shared/data/proteomes/human_UP000005640_first1000.fasta``
   (983 reviewed human proteins, an unselected slice of the reference proteome) are annotated with the
   shipped model and knowledge; among those *predicted* secreted (localisation ``secreted``, a proxy for
   UniProt's Secreted), the fraction with any of cell_sources, processes, clinical, receptors or ligands is
   scaled to 2,082, with a Wilson 95% interval.  The sample is small and the proxy imperfect, so the
   interval is wide; it says whether the target is plausibly met, not by how much.

Usage: python bench/knowledge_coverage.py [--shared ../shared]   (also run by bench/run_bench.py)
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from secannot.knowledge.ligrec import load_ligand_receptor, subunits  # noqa: E402
from secannot.knowledge.ruleset import RuleSet  # noqa: E402

SECRETED_REVIEWED = 2082  # UniProtKB/Swiss-Prot human entries with subcellular location Secreted (SL-0243), per the issue
TARGET = 400
ANNOTATION_COLUMNS = ("cell_sources", "processes", "clinical", "receptors", "ligands")


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (Wilson 1927)."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def knowledge_counts() -> None:
    rules = RuleSet.load()
    rule_genes = {e.gene.upper() for e in rules.index["tme"].by_gene.values()
                  if any(e.data.get(k) for k in ("cell_sources", "processes", "clinical"))}
    table = load_ligand_receptor()
    ligands = {s.upper() for p in table.pairs for s in subunits(p.ligand)}
    receptors = {s.upper() for p in table.pairs for s in subunits(p.receptor)}
    print(f"genes with a TME rule claim:                 {len(rule_genes):5d}")
    print(f"ligand genes (incl. complex subunits):       {len(ligands):5d}")
    print(f"receptor genes (incl. complex subunits):     {len(receptors):5d}")
    print(f"any of these (union):                        {len(rule_genes | ligands | receptors):5d}")
    print(f"pairs: {len(table.pairs)} ({table.version}; "
          f"{sum(p.origin == 'supplement' for p in table.pairs)} supplement)")


def sample_estimate(shared: Path) -> None:
    fasta = shared / "data" / "proteomes" / "human_UP000005640_first1000.fasta"
    if not fasta.exists():
        print(f"skipped: {fasta} is absent (shared data), so no sampled estimate")
        return
    exe = Path(sys.executable).parent / "secannot"
    cmd = [str(exe) if exe.exists() else sys.executable, *([] if exe.exists() else ["-m", "secannot"]),
           "annotate", "-q", str(fasta)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True,
                         env={"OPENBLAS_NUM_THREADS": "1", "SECANNOT_NO_PROGRESS": "1", "PATH": ""}).stdout
    rows = [r for r in csv.DictReader(io.StringIO(out), delimiter="\t") if r["id"].startswith("sp|")]
    secreted = [r for r in rows if r["localization"] == "secreted"]
    annotated = [r for r in secreted if any(r[c] for c in ANNOTATION_COLUMNS)]
    by_rules = [r for r in secreted if any(r[c] for c in ("cell_sources", "processes", "clinical"))]
    k, n = len(annotated), len(secreted)
    low, high = wilson(k, n)
    print(f"Swiss-Prot records in the sample: {len(rows)}; predicted secreted: {n}")
    print(f"  with any annotation: {k} ({k / max(n, 1):.1%}); with a rule claim only: {len(by_rules)}")
    print(f"  scaled to {SECRETED_REVIEWED}: {k / max(n, 1) * SECRETED_REVIEWED:.0f} "
          f"(Wilson 95% {low * SECRETED_REVIEWED:.0f}-{high * SECRETED_REVIEWED:.0f}); "
          f"rules alone: {len(by_rules) / max(n, 1) * SECRETED_REVIEWED:.0f}; target >= {TARGET}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    print("\n== Knowledge coverage (issue 15): estimate, see bench/knowledge_coverage.py for the method")
    knowledge_counts()
    sample_estimate(args.shared)


if __name__ == "__main__":
    main()

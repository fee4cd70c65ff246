"""Extract the LIANA+ consensus ligand-receptor resource into secannot package data.

Why a script and not a dependency: ``liana`` pulls in scanpy, anndata and more,
while secannot needs only one table from it.  This script downloads the
``liana`` wheel with pip (no dependencies, nothing installed), reads
``liana/resource/omni_resource.csv`` from inside the wheel, and writes:

``secannot/data/ligand_receptor.tsv``
    one row per human ligand->receptor pair, columns
    ``ligand  receptor  ligand_accession  receptor_accession  origin  resources``.
    Complexes keep LIANA's notation (``TGFBR1_TGFBR2``: subunit symbols joined
    by ``_``); their accessions are the subunit accessions joined by ``_`` in the
    order OmniPath gives them (sorted by accession, not by symbol).
    ``origin`` is ``consensus`` for the rows of ``resource == "consensus"``.
    ``resources`` lists, per pair, the other resources in the same file that
    hold the same ligand->receptor pair (by symbol), e.g.
    ``cellchatdb,cellphonedb,icellnet``; it is empty for the few consensus pairs
    that no other resource in the file lists (OmniPath's own curation).

    The consensus table of liana 1.10.0 omits some canonical single-receptor
    pairs for which it keeps only a heteromeric form, or drops them altogether
    (VEGFA->KDR appears only as FLT1_KDR; CSF1->CSF1R, EGF->EGFR and
    PDGFB->PDGFRB are absent).  With ``--supplement-min N`` (default 4), a pair
    absent from the consensus is added with ``origin = supplement`` when at
    least N of the five expert-curated resources that LIANA builds its
    consensus from (CellPhoneDB, CellChatDB, ICELLNET, connectomeDB2020,
    CellTalkDB) list it in the same file.  ``--supplement-min 0`` turns this off.

``secannot/data/ligand_receptor.json``
    provenance sidecar: liana version, wheel and CSV sha256, extraction date,
    row counts, the supplement rule, and the licence of every resource named in
    ``resources`` (what each project states, or "not stated" where the
    repository that distributes it carries no licence we could find).

``secannot/data/gene_accessions.tsv``
    ``gene  accession`` for every single-protein (non-complex) ligand or
    receptor in the human resources of the file.  A symbol can map to more than
    one accession when OmniPath maps it so; lint treats any of them as a match.
    Complexes are not used, since their accession order differs from their
    symbol order.

Usage::

    python scripts/extract_ligand_receptor.py                  # pip download liana==1.10.0
    python scripts/extract_ligand_receptor.py --wheel liana-1.10.0-py3-none-any.whl

Re-running with the same wheel gives byte-identical tables (the date in the
sidecar aside, which ``--date`` can pin).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "secannot" / "data"
LIANA_VERSION = "1.10.0"
MEMBER = "liana/resource/omni_resource.csv"
# The resources LIANA's consensus draws on (LIANA+ documentation, get_curated_omni).
CORE = ("cellphonedb", "cellchatdb", "icellnet", "connectomedb2020", "celltalkdb")
NOT_HUMAN = {"consensus", "mouseconsensus"}

# What each resource's distributing repository states (checked 2026-11-30 against
# the repositories named; "not stated" = no licence file or field found there).
LICENCES = {
    "cellphonedb": {"name": "CellPhoneDB", "licence": "MIT", "where": "github.com/ventolab/CellphoneDB LICENSE (the data repository ventolab/cellphonedb-data carries no licence file)"},
    "cellchatdb": {"name": "CellChatDB", "licence": "GPL-3", "where": "github.com/sqjin/CellChat DESCRIPTION (CellChatDB ships inside the CellChat R package)"},
    "icellnet": {"name": "ICELLNET", "licence": "GPL-3", "where": "github.com/soumelis-lab/ICELLNET icellnet/DESCRIPTION"},
    "connectomedb2020": {"name": "connectomeDB2020", "licence": "MIT", "where": "github.com/asrhou/NATMI LICENSE (connectomeDB2020 is distributed with NATMI)"},
    "celltalkdb": {"name": "CellTalkDB", "licence": "not stated", "where": "github.com/ZJUFanLab/CellTalkDB has no licence file; Shao et al. 2021 Brief Bioinform 22:bbaa269"},
    "consensus": {"name": "LIANA+ consensus (OmniPath)", "licence": "BSD-3-Clause (liana package)", "where": "liana wheel METADATA and LICENSE; OmniPath compiles the pairs from the resources listed here"},
}
UNCHECKED = "not checked; see OmniPath's licence notes (omnipathdb.org) before redistribution"


def download_wheel(version: str, dest: Path) -> Path:
    """``pip download liana==VERSION --no-deps``; returns the wheel path."""
    cmd = [sys.executable, "-m", "pip", "download", f"liana=={version}", "--no-deps", "--only-binary=:all:", "-d", str(dest)]
    subprocess.run(cmd, check=True, stdout=sys.stderr)
    wheels = sorted(dest.glob(f"liana-{version}-*.whl"))
    if not wheels:
        raise SystemExit(f"pip download gave no liana {version} wheel in {dest}")
    return wheels[0]


def read_wheel(wheel: Path) -> tuple[bytes, str]:
    """The resource CSV bytes and the liana version recorded in the wheel's METADATA."""
    with zipfile.ZipFile(wheel) as zf:
        csv_bytes = zf.read(MEMBER)
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = zf.read(meta_name).decode("utf-8")
    version = re.search(r"^Version:\s*(\S+)", meta, re.MULTILINE)
    return csv_bytes, version.group(1) if version else "unknown"


def strip_complex(acc: str) -> str:
    return acc.removeprefix("COMPLEX:")


def build_tables(csv_bytes: bytes, supplement_min: int) -> tuple[list[dict[str, str]], dict[str, set[str]], dict]:
    rows = list(csv.DictReader(io.StringIO(csv_bytes.decode("utf-8"))))
    by_resource: dict[str, set[tuple[str, str]]] = defaultdict(set)
    accessions: dict[tuple[str, str], tuple[str, str]] = {}
    gene_acc: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        pair = (r["source_genesymbol"], r["target_genesymbol"])
        by_resource[r["resource"]].add(pair)
        accessions.setdefault(pair, (strip_complex(r["source"]), strip_complex(r["target"])))
        if r["resource"] in NOT_HUMAN and r["resource"] != "consensus":
            continue
        for acc, sym in ((r["source"], r["source_genesymbol"]), (r["target"], r["target_genesymbol"])):
            if not acc.startswith("COMPLEX:") and "_" not in sym:
                gene_acc[sym].add(acc)
    others = sorted(k for k in by_resource if k not in NOT_HUMAN)
    consensus = by_resource["consensus"]

    def support(pair: tuple[str, str]) -> list[str]:
        return [k for k in others if pair in by_resource[k]]

    out = [_row(p, accessions[p], "consensus", support(p)) for p in sorted(consensus)]
    added = []
    if supplement_min > 0:
        candidates = set().union(*(by_resource[k] for k in CORE)) - consensus
        for pair in sorted(candidates):
            if sum(pair in by_resource[k] for k in CORE) >= supplement_min:
                added.append(_row(pair, accessions[pair], "supplement", support(pair)))
    stats = {
        "rows_in_file": len(rows),
        "consensus_pairs": len(consensus),
        "supplement_pairs": len(added),
        "consensus_pairs_without_other_resource": sum(1 for r in out if not r["resources"]),
        "ligands": len({r["ligand"] for r in out + added}),
        "receptors": len({r["receptor"] for r in out + added}),
    }
    return out + added, gene_acc, stats


def _row(pair: tuple[str, str], accs: tuple[str, str], origin: str, resources: list[str]) -> dict[str, str]:
    return {"ligand": pair[0], "receptor": pair[1], "ligand_accession": accs[0], "receptor_accession": accs[1],
            "origin": origin, "resources": ",".join(resources)}


def write_tsv(path: Path, header: list[str], rows: list[dict[str, str]] | list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([r[h] for h in header] if isinstance(r, dict) else r)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wheel", type=Path, help="a downloaded liana wheel (default: pip download it)")
    ap.add_argument("--version", default=LIANA_VERSION, help=f"liana version to download (default {LIANA_VERSION})")
    ap.add_argument("--out", type=Path, default=DATA, help="output directory (default secannot/data)")
    ap.add_argument("--supplement-min", type=int, default=4, choices=range(0, 6), metavar="N",
                    help="add non-consensus pairs listed by >= N of the 5 curated core resources (0 = off; default 4)")
    ap.add_argument("--date", default=dt.date.today().isoformat(), help="extraction date to record (YYYY-MM-DD)")
    args = ap.parse_args(argv)
    dt.date.fromisoformat(args.date)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(args.version, Path(tmp))
        wheel_sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
        csv_bytes, version = read_wheel(wheel)
        wheel_name = wheel.name
    pairs, gene_acc, stats = build_tables(csv_bytes, args.supplement_min)
    args.out.mkdir(parents=True, exist_ok=True)
    write_tsv(args.out / "ligand_receptor.tsv",
              ["ligand", "receptor", "ligand_accession", "receptor_accession", "origin", "resources"], pairs)
    write_tsv(args.out / "gene_accessions.tsv", ["gene", "accession"],
              [[g, a] for g in sorted(gene_acc) for a in sorted(gene_acc[g])])
    used = sorted({k for r in pairs for k in r["resources"].split(",") if k} | {"consensus"})
    sidecar = {
        "name": "ligand_receptor",
        "source": {"package": "liana", "version": version, "wheel": wheel_name, "wheel_sha256": wheel_sha,
                   "file": MEMBER, "file_sha256": hashlib.sha256(csv_bytes).hexdigest(),
                   "licence": "BSD-3-Clause", "url": "https://pypi.org/project/liana/"},
        "extracted": args.date,
        "script": "scripts/extract_ligand_receptor.py",
        "selection": {"consensus": 'rows with resource == "consensus" (human)',
                      "supplement": (f"pairs absent from the consensus that >= {args.supplement_min} of "
                                     f"{', '.join(CORE)} list in the same file" if args.supplement_min else "off")},
        "counts": stats,
        "columns": {"ligand": "HGNC symbol, or subunits joined by '_' for a complex",
                    "receptor": "HGNC symbol, or subunits joined by '_' for a complex",
                    "ligand_accession": "UniProtKB accession(s), '_'-joined in OmniPath's order for complexes",
                    "receptor_accession": "UniProtKB accession(s), '_'-joined in OmniPath's order for complexes",
                    "origin": "consensus | supplement",
                    "resources": "other resources in the file listing the same pair, comma-separated"},
        "resource_licences": {k: LICENCES.get(k, {"name": k, "licence": UNCHECKED, "where": ""}) for k in used},
    }
    (args.out / "ligand_receptor.json").write_text(json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(stats), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Regenerate the summarize fixtures (run by hand, never by the tests).

The prediction fields are typed in below by hand (plausible values, with
UniProt's signal-peptide ends where known), so the fixtures do not move when
the model weights change; the TME annotation comes from the bundled rules
through secannot's own ``annotate`` and writers, so the files are exactly
what ``secannot annotate`` writes.  The tests only rely on the facts listed
in README.md, not on the rules' current content.

    PYTHONPATH=. python tests/data/summarize/make_fixtures.py
"""

from __future__ import annotations

import io
from pathlib import Path

from secannot.columns import ANNOTATE_COLUMNS
from secannot.io.fasta import Record
from secannot.io.writers import JsonlWriter, JsonWriter, TsvWriter
from secannot.knowledge.annotate import annotate, uniprot_view
from secannot.knowledge.ruleset import RuleSet
from secannot.provenance import Provenance
from secannot.results import Result, Segment

HERE = Path(__file__).parent

# gene, accession, entry name, protein name, length, sp_prob, cleavage, route, localization, extras
SECRETED = "classical", "secreted"
PROTEINS: list[tuple] = [
    ("VEGFA", "P15692", "VEGFA", "Vascular endothelial growth factor A", 232, 0.9998, 26, *SECRETED, {}),
    ("MMP2", "P08253", "MMP2", "72 kDa type IV collagenase", 660, 0.9942, 29, *SECRETED, {}),
    ("MMP9", "P14780", "MMP9", "Matrix metalloproteinase-9", 707, 0.9990, 19, *SECRETED, {}),
    ("IL6", "P05231", "IL6", "Interleukin-6", 212, 0.9182, 29, *SECRETED, {}),
    ("KLK3", "P07288", "KLK3", "Prostate-specific antigen", 261, 0.9519, 17, *SECRETED, {}),
    ("CXCL12", "P48061", "SDF1", "Stromal cell-derived factor 1", 93, 0.9971, 21, *SECRETED, {}),
    ("TGFB1", "P01137", "TGFB1", "Transforming growth factor beta-1 proprotein", 390, 0.9990, 29, *SECRETED, {}),
    ("CCL2", "P13500", "CCL2", "C-C motif chemokine 2", 99, 0.9995, 23, *SECRETED, {}),
    ("COL1A1", "P02452", "CO1A1", "Collagen alpha-1(I) chain", 1464, 0.9980, 22, *SECRETED, {}),
    ("FN1", "P02751", "FINC", "Fibronectin", 2386, 0.9993, 31, *SECRETED, {}),
    ("TIMP1", "P01033", "TIMP1", "Metalloproteinase inhibitor 1", 207, 0.9996, 23, *SECRETED, {}),
    ("FGF2", "P09038", "FGF2", "Fibroblast growth factor 2", 288, 0.0019, None, "non-classical",
     "non_classical_candidate", {"nc_score": 0.0149, "nc_basis": "rule"}),
]
BACKGROUND_ONLY: list[tuple] = [
    ("GAPDH", "P04406", "G3P", "Glyceraldehyde-3-phosphate dehydrogenase", 335, 0.0033, None, "non-classical",
     "non_classical_candidate", {"nc_score": 0.9739, "nc_basis": "score"}),
    ("ACTB", "P60709", "ACTB", "Actin, cytoplasmic 1", 375, 0.0021, None, "none", "intracellular", {"nc_score": 0.12}),
    ("HK2", "P52789", "HXK2", "Hexokinase-2", 917, 0.0094, None, "none", "intracellular", {"nc_score": 0.31}),
    ("VIM", "P08670", "VIME", "Vimentin", 466, 0.0040, None, "none", "intracellular", {"nc_score": 0.22}),
    ("ENO1", "P06733", "ENOA", "Alpha-enolase", 434, 0.0012, None, "none", "intracellular", {"nc_score": 0.35}),
    ("PKM", "P14618", "KPYM", "Pyruvate kinase PKM", 531, 0.0025, None, "none", "intracellular", {"nc_score": 0.18}),
    ("LDHA", "P00338", "LDHA", "L-lactate dehydrogenase A chain", 332, 0.0030, None, "none", "intracellular",
     {"nc_score": 0.27}),
    ("PDIA6", "Q15084", "PDIA6", "Protein disulfide-isomerase A6", 440, 0.9817, 19, "classical", "er_retained",
     {"er_motif": "KDEL"}),
    ("HSPA5", "P11021", "BIP", "Endoplasmic reticulum chaperone BiP", 654, 0.9990, 18, "classical", "er_retained",
     {"er_motif": "KDEL"}),
    ("EGFR", "P00533", "EGFR", "Epidermal growth factor receptor", 1210, 0.9998, 24, "classical", "membrane",
     {"tm": [(646, 668)]}),
    ("CD274", "Q9NZQ7", "PD1L1", "Programmed cell death 1 ligand 1", 290, 0.9950, 18, "classical", "membrane",
     {"tm": [(239, 259)]}),
    ("EPCAM", "P16422", "EPCAM", "Epithelial cell adhesion molecule", 314, 0.9970, 23, "classical", "membrane",
     {"tm": [(266, 288)]}),
    ("FOLR1", "P15328", "FOLR1", "Folate receptor alpha", 257, 1.0, 22, "classical", "gpi_anchored",
     {"gpi": {"omega_site": 234, "hydrophobic_tail": "240-257"}, "tm": [(240, 257)]}),
    ("B2M", "P61769", "B2MG", "Beta-2-microglobulin", 119, 0.9990, 20, *SECRETED, {}),
    ("TF", "P02787", "TRFE", "Serotransferrin", 698, 0.9995, 19, *SECRETED, {}),
    ("ALB", "P02768", "ALBU", "Albumin", 609, 0.9990, 18, *SECRETED, {}),
    ("CHGA", "P10645", "CMGA", "Chromogranin-A", 457, 0.9985, 18, *SECRETED, {}),
    ("TNC", "P24821", "TENA", "Tenascin", 2201, 0.9992, 22, *SECRETED, {}),
    ("LAMB1", "P07942", "LAMB1", "Laminin subunit beta-1", 1786, 0.9990, 21, *SECRETED, {}),
    ("KRT18", "P05783", "K1C18", "Keratin, type I cytoskeletal 18", 430, 0.0015, None, "none", "intracellular",
     {"nc_score": 0.20}),
    ("LGALS1", "P09382", "LEG1", "Galectin-1", 135, 0.0020, None, "non-classical", "non_classical_candidate",
     {"nc_score": 0.81, "nc_basis": "score"}),
    ("SPP1", "P10451", "OSTP", "Osteopontin", 314, 0.9990, 16, *SECRETED, {}),
]


def make_result(row: tuple) -> Result:
    gene, acc, entry, name, length, sp, cs, route, loc, extra = row
    desc = f"sp|{acc}|{entry}_HUMAN {name} OS=Homo sapiens OX=9606 GN={gene} PE=1 SV=1"
    record = Record(id=f"sp|{acc}|{entry}_HUMAN", description=desc, seq=b"M" * length, source="fixture", line=1)
    res = Result(record=record, sp_prob=sp, cleavage_site=cs, cs_prob=0.85 if cs else None, route=route,
                 localization=loc)
    res.tm_segments = [Segment(a, b) for a, b in extra.get("tm", [])]
    res.gpi = extra.get("gpi")
    res.er_motif = extra.get("er_motif")
    res.nc_score = extra.get("nc_score")
    res.nc_basis = extra.get("nc_basis")
    evidence = [f"SP 1-{cs}"] if cs else []
    evidence += [f"TM {s}" for s in res.tm_segments]
    if res.er_motif:
        evidence.append(f"C-terminal {res.er_motif}")
    if res.nc_basis == "rule":
        evidence.append(f"non-classical type I ({gene}, rules/nonclassical.yaml)")
    elif res.nc_basis:
        evidence.append(f"nc_score {res.nc_score:.2f} >= 0.40")
    res.evidence = evidence
    return res


def write(results: list[Result], name: str, kind: str) -> None:
    prov = Provenance("0.0.0-fixture", "secannot-sp", "fixture", "fixture-rules")
    out = io.StringIO()
    if kind == "tsv":
        writer = TsvWriter(out, ANNOTATE_COLUMNS)
    elif kind == "jsonl":
        writer = JsonlWriter(out, ANNOTATE_COLUMNS, prov)
    else:
        writer = JsonWriter(out, ANNOTATE_COLUMNS, prov)
    for res in results:
        writer.write(res)
    writer.close([])
    (HERE / name).write_text(out.getvalue(), encoding="utf-8")


def main() -> None:
    rules = RuleSet.load(())
    foreground = [make_result(r) for r in PROTEINS]
    # a detected-protein list comes in its own order (here: by gene), not the foreground's
    background = [make_result(r) for r in sorted(PROTEINS + BACKGROUND_ONLY, key=lambda r: r[0])]
    for res in foreground + background:
        res.annotation = annotate(res, rules)
        res.uniprot = uniprot_view(res, None, None)
    write(foreground, "foreground.tsv", "tsv")
    write(foreground, "foreground.jsonl", "jsonl")
    write(foreground, "foreground.json", "json")
    write(background, "background.tsv", "tsv")


if __name__ == "__main__":
    main()

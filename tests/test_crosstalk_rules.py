"""Knowledge 2 (issue 15): ligand-receptor pairs, checkable evidence, ontology ids, family basis, clinical layer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import SUBSET_FASTA, run_cli, shared_path

from secannot.errors import ExitCode
from secannot.knowledge.annotate import clinical_tokens
from secannot.knowledge.ligrec import gene_accessions, load_ligand_receptor
from secannot.knowledge.lint import lint_paths, lint_text
from secannot.knowledge.ruleset import RuleSet, bundled_dir
from secannot.knowledge.seed import read_seed, split_sections
from secannot.knowledge.show import entry_as_dict
from secannot.knowledge.vocabulary import ontology_ids

# A made-up review in the seed layout (numbered headings), so the quote check is tested without ../shared.
MINI_SEED = """Abstract
A short text.
 1. INTRODUCTION
Nothing here.
3. TUMOR-STROMA INTERACTION
3.2 Cancer-associated fibroblasts
Activated fibroblasts release
growth factor A into the stroma.
3.4 Immune cells
Macrophages secrete factor B.
"""

GOOD = """schema_version: 2
rules_version: "0.1.0"
date: "2026-06-01"
kind: tme
title: "fixture"
sources:
  seed:
    citation: "review"
entries:
  - gene: VEGFA
    accession: P15692
    cell_sources:
      - value: CAF
        evidence:
          - {seed: "3.2", quote: "release growth factor A"}
    processes:
      - value: immune_suppression
        evidence:
          - {seed: "3.4", quote: "Macrophages secrete factor B"}
"""


@pytest.fixture
def mini_seed(tmp_path: Path):
    path = tmp_path / "review.txt"
    path.write_text(MINI_SEED, encoding="utf-8")
    return read_seed(path)


def test_fixture_is_clean(mini_seed):
    assert [p for p in lint_text(GOOD, "f.yaml", mini_seed) if p.severity == "error"] == []


BROKEN = [
    pytest.param(GOOD.replace("release growth factor A", "release invented words"),
                 'f.yaml:15: entries[0] (VEGFA) cell_sources[0].evidence[0].quote: quote "release invented words" is not in seed section 3.2',
                 id="invented-seed-quote"),
    pytest.param(GOOD.replace('{seed: "3.2", quote: "release growth factor A"}', '{seed: "3.4", quote: "release growth factor A"}'),
                 "it occurs in section 3.2", id="quote-in-another-section"),
    pytest.param(GOOD.replace("P15692", "P05231"),
                 "f.yaml:11: entries[0] (VEGFA) accession: accession P05231 belongs to IL6, not VEGFA", id="accession-of-another-gene"),
    pytest.param(GOOD.replace('date: "2026-06-01"', 'date: "2026-13-45"'),
                 "f.yaml:3: date '2026-13-45' is not a calendar date", id="impossible-quoted-date"),
    pytest.param(GOOD.replace('date: "2026-06-01"', "date: 2026-13-45"),
                 "f.yaml:3: not a calendar date", id="impossible-unquoted-date"),
    pytest.param(GOOD + """    clinical:
      - status: approved_target
        drugs: ["x"]
        year: 2031
        evidence: [{pmid: "1"}]
""", "f.yaml:23: entries[0] (VEGFA) clinical[0].year: year 2031 is after the file's date 2026-06-01", id="year-after-date"),
    pytest.param(GOOD + """      - value: immune_activation
        evidence:
          - {seed: "3.4", quote: "Macrophages  secrete factor B"}
""", "f.yaml:20: entries[0] (VEGFA) processes[1].value: immune_activation contradicts immune_suppression on VEGFA",
                 id="contradictory-claims"),
]


@pytest.mark.parametrize(("text", "expected"), BROKEN)
def test_lint_fails_with_file_and_line(text: str, expected: str, mini_seed):
    errors = [str(p) for p in lint_text(text, "f.yaml", mini_seed) if p.severity == "error"]
    assert any(expected in e for e in errors), errors


def test_lint_cli_seed_option_fails_on_an_invented_quote(tmp_path: Path):
    (tmp_path / "review.txt").write_text(MINI_SEED, encoding="utf-8")
    rules = tmp_path / "tme_x.yaml"
    rules.write_text(GOOD.replace("factor B", "factor Z"), encoding="utf-8")
    res = run_cli(["rules", "lint", rules, "--seed", tmp_path / "review.txt"])
    assert res.code == ExitCode.FINDINGS
    assert f"{rules}:19: " in res.out and "not in seed section 3.4" in res.out
    assert run_cli(["rules", "lint", rules]).code == 0  # without --seed the quote is not checked


def test_headings_split_sections_and_collapse_whitespace():
    seed = split_sections(MINI_SEED)
    assert seed.contains("3.2", "release growth factor A")  # across a line break
    assert seed.contains("3", "Macrophages secrete factor B")  # a section covers its subsections
    assert not seed.contains("3.2", "Macrophages secrete factor B")


@pytest.mark.shared
def test_every_bundled_seed_quote_occurs_in_its_section():
    path = shared_path("seed/000_f6e2d1125e963d17.txt")
    if not path.exists():
        pytest.skip(f"{path} is absent: the seed review is shared material (../shared/seed)")
    problems = lint_paths([Path(str(bundled_dir()))], read_seed(path))
    assert [str(p) for p in problems if p.severity == "error"] == []
    moved = (Path(str(bundled_dir())) / "tme_effectors.yaml").read_text(encoding="utf-8").replace('{seed: "3.4"', '{seed: "2.1"', 1)
    errors = [p for p in lint_text(moved, "tme_effectors.yaml", read_seed(path)) if p.severity == "error"]
    assert errors and "is not in seed section 2.1" in errors[0].message


# -- ligand-receptor pairs ------------------------------------------------------------


@pytest.mark.parametrize(("ligand", "receptor"), [
    ("VEGFA", "KDR"), ("VEGFA", "FLT1"), ("CXCL12", "CXCR4"), ("CSF1", "CSF1R"),
    ("IL6", "IL6R"), ("TGFB1", "TGFBR1"), ("TGFB1", "TGFBR2"),
])
def test_checked_pairs(ligand: str, receptor: str):
    table = load_ligand_receptor()
    assert table.has_pair(ligand, receptor)
    assert any(receptor in r.split("_") for r in table.receptors_of(ligand))
    assert ligand in table.ligands_of(receptor)


def test_pairs_are_directed_and_specific():
    table = load_ligand_receptor()
    assert not table.has_pair("KDR", "VEGFA")
    assert not table.has_pair("VEGFA", "CXCR4")
    assert table.receptors_of("GAPDH") == ()


def test_shipped_pairs_record_provenance():
    table = load_ligand_receptor()
    meta = table.meta
    assert meta["source"]["package"] == "liana" and meta["source"]["version"]
    assert len(meta["source"]["file_sha256"]) == 64
    consensus = [p for p in table.pairs if p.origin == "consensus"]
    assert len(consensus) == meta["counts"]["consensus_pairs"] == 4620
    assert {"cellphonedb", "cellchatdb", "icellnet", "connectomedb2020", "celltalkdb"} <= set(meta["resource_licences"])
    assert all(p.resources for p in table.pairs if p.origin == "supplement")
    assert "P15692" in gene_accessions()["VEGFA"]


def test_annotate_gives_receptors_and_ligands():
    res = run_cli(["annotate", SUBSET_FASTA])
    assert res.code == 0, res.err
    header = res.rows[0]
    rows = {r[0].split("|")[1]: dict(zip(header, r, strict=True)) for r in res.rows[1:]}
    vegfa, egfr, gapdh = rows["P15692"], rows["P00533"], rows["P04406"]
    assert "KDR" in vegfa["receptors"].split(";") and "FLT1_KDR" in vegfa["receptors"].split(";")
    assert "EGF" in egfr["ligands"].split(";") and egfr["receptors"] == ""
    assert gapdh["receptors"] == gapdh["ligands"] == ""
    assert "IL6R_IL6ST" in rows["P05231"]["receptors"].split(";")


# -- family basis, ontology ids, clinical layer -------------------------------------------


def test_no_family_drops_family_claims_only():
    full, strict = RuleSet.load(), RuleSet.load(family_claims=False)
    mmp12 = [c["value"] for c in strict.find("MMP12")[0].data.get("cell_sources", [])]
    assert mmp12 == []
    assert "TAM" in [c["value"] for c in full.find("MMP12")[0].data["cell_sources"]]
    assert "MDSC" in [c["value"] for c in strict.find("MMP9")[0].data["cell_sources"]]
    assert "CAF" not in [c["value"] for c in full.find("MMP12")[0].data["cell_sources"]]
    assert full.find("LAMA3") == []


def test_annotate_no_family_option():
    with_family = json.loads(run_cli(["annotate", SUBSET_FASTA, "--format", "json"]).out)
    without = json.loads(run_cli(["annotate", SUBSET_FASTA, "--format", "json", "--no-family"]).out)

    def mmp2(doc):
        rec = next(r for r in doc["records"] if r["id"].startswith("sp|P08253"))
        return rec["annotation"]

    values = {c["value"] for c in mmp2(without)["cell_sources"]}
    assert "CAF" in values and "TAM" not in values  # CAF is stated for MMP2; TAM only for 'MMPs'
    assert "TAM" in {c["value"] for c in mmp2(with_family)["cell_sources"]}
    onto = {c["value"]: c["ontology"] for c in mmp2(with_family)["cell_sources"]}
    assert onto["CAF"] == {"id": "CL:0000057", "label": "fibroblast", "qualifier": "tumour-associated"}


def test_every_vocabulary_term_has_an_ontology_entry():
    ids = ontology_ids()
    assert ids["cell_source"]["macrophage"]["id"] == "CL:0000235"
    assert ids["cell_source"]["NK"]["id"] == "CL:0000623"
    assert ids["process"]["angiogenesis"]["id"] == "GO:0001525"
    assert ids["process"]["EMT"]["id"] == "GO:0001837"
    for vocab, prefixes in (("cell_source", ("CL:",)), ("process", ("GO:", "NCIT:"))):
        for term, info in ids[vocab].items():
            assert info["id"] is None or info["id"].startswith(prefixes), term
    assert ids["process"]["metastasis"]["id"] == "NCIT:C19151"
    assert [t for t, info in ids["process"].items() if info["id"] is None] == ["metabolic_reprogramming", "premetastatic_niche"]
    assert all(ids["cell_source"][t].get("qualifier") == "tumour-associated" for t in ("CAF", "TAM", "TAN"))


def test_rules_show_json_has_basis_and_ontology():
    (entry,) = RuleSet.load().find("MMP12")
    data = entry_as_dict(entry)
    tam = next(c for c in data["cell_sources"] if c["value"] == "TAM")
    assert tam["basis"] == "family" and tam["ontology"]["id"] == "CL:0000235"
    res = run_cli(["rules", "show", "MMP12"])
    assert "basis: family" in res.out and "CL:0000235" in res.out


@pytest.mark.parametrize(("gene", "drug"), [
    ("EGFR", "erlotinib"), ("PDGFRA", "imatinib"), ("KDR", "sunitinib"), ("IL2", "aldesleukin"), ("MET", "capmatinib"),
])
def test_clinical_names_inhibitors(gene: str, drug: str):
    (entry,) = RuleSet.load().find(gene)
    tokens = clinical_tokens(entry.data["clinical"])
    assert any(t.endswith(f":{drug}") for t in tokens), tokens
    claim = next(c for c in entry.data["clinical"] if drug in c.get("drugs", []))
    assert claim["evidence"]  # every added claim carries a citation


def test_fixes_from_the_issue():
    rules = RuleSet.load()
    pdgfra = rules.find("PDGFRA")[0].data["clinical"]
    assert any(c["status"] == "approved_target" and "avapritinib" in c["drugs"] for c in pdgfra)
    rankl = rules.find("TNFSF11")[0].data["clinical"]
    assert any(c.get("year") == 2013 and "giant-cell" in c.get("cancer", "") for c in rankl)
    for gene in ("CXCL8", "CXCL12"):
        assert all(c.get("outcome") != "promising" for c in rules.find(gene)[0].data["clinical"])
    ctc = rules.find("EPCAM")[0].data["clinical"]
    assert sorted(c["year"] for c in ctc) == [2004, 2007, 2008]


# -- summarize: crosstalk -------------------------------------------------------------------


def _record(gene: str, cells: str = "") -> dict[str, str]:
    return {"id": f"id_{gene}", "gene": gene, "accession": "", "route": "classical", "localization": "secreted",
            "cell_sources": cells, "processes": "", "clinical": ""}


def test_summary_crosstalk_within_hits_and_with_background(tmp_path: Path):
    from secannot.report.output import write_summary
    from secannot.report.summary import summarize

    hits = [_record("VEGFA", "CAF;cancer_cell"), _record("KDR", "endothelial"), _record("CXCL12", "CAF"),
            _record("CXCR4"), _record("CSF1", "cancer_cell"), _record("GAPDH")]
    background = hits + [_record("CSF1R", "macrophage"), _record("IL6", "CAF"), _record("IL6R")]
    s = summarize(hits, background)
    by_name = {(c.scope, c.ligand, c.receptor): c for c in s.crosstalk}
    assert len(by_name) == len(s.crosstalk)  # one entry per gene pair and scope
    vegfa = by_name["within", "VEGFA", "KDR"]
    assert {("VEGFA", "KDR"), ("VEGFA", "FLT1_KDR")} <= set(vegfa.resource_pairs) and vegfa.direct
    assert ("within", "CXCL12", "CXCR4") in by_name
    to_bg = by_name["to_background", "CSF1", "CSF1R"]
    assert to_bg.senders == ("cancer_cell",) and to_bg.receivers == ("macrophage",)
    assert not any(c.ligand == "IL6" for c in s.crosstalk)  # neither IL6 nor IL6R is a hit
    assert not any("GAPDH" in (c.ligand, c.receptor) for c in s.crosstalk)
    row = next(r for r in s.rows if r.section == "crosstalk_within" and r.category == "VEGFA->KDR")
    assert row.genes == ("KDR", "VEGFA") and row.senders == ("CAF", "cancer_cell") and row.receivers == ("endothelial",)
    out = tmp_path / "s.json"
    with out.open("w") as fh:
        write_summary(s, fh, "json")
    doc = json.loads(out.read_text())
    assert any(c["ligand"] == "CSF1" and c["scope"] == "to_background" for c in doc["crosstalk"])
    assert summarize(hits).crosstalk and all(c.scope == "within" for c in summarize(hits).crosstalk)


def test_report_shows_the_sender_receiver_heat_map(tmp_path: Path):
    pytest.importorskip("matplotlib")
    from secannot.report.html import write_report
    from secannot.report.summary import summarize

    s = summarize([_record("VEGFA", "CAF"), _record("KDR", "endothelial")])
    text = Path(write_report(s, tmp_path / "r.html", {})).read_text(encoding="utf-8")
    assert "Ligand-receptor crosstalk" in text and "Heat map: ligand-receptor pairs" in text
    lonely = Path(write_report(summarize([_record("GAPDH")]), tmp_path / "q.html", {})).read_text(encoding="utf-8")
    assert "No ligand-receptor pair" in lonely


def test_shared_uniprot_entry_warns_unless_the_note_names_the_other_gene():
    text = GOOD.replace("VEGFA", "CGB3").replace("P15692", "P0DN86")
    warnings = [p for p in lint_text(text, "f.yaml") if p.severity == "warning" and "P0DN86" in p.message]
    assert warnings and "gives accession P0DN86 to CGB8" in warnings[0].message
    noted = text.replace("    accession: P0DN86\n", '    accession: P0DN86\n    note: "shared with CGB5 and CGB8"\n')
    assert not [p for p in lint_text(noted, "f.yaml") if "P0DN86" in p.message]


def test_regulatory_numbers_link_to_the_fda_databases():
    from secannot.knowledge.regulatory import regulatory_url

    assert regulatory_url("NDA 021743").endswith("ApplNo=021743")
    assert regulatory_url("510(k) K150588").endswith("pmn.cfm?ID=K150588")
    assert regulatory_url("PMA P130017").endswith("pma.cfm?id=P130017")
    assert regulatory_url("NDA 21743x") is None
    (egfr,) = RuleSet.load().find("EGFR")
    claim = next(c for c in egfr.data["clinical"] if "erlotinib" in c.get("drugs", []))
    assert {"regulatory": "NDA 021743"} in claim["evidence"]


def test_crosstalk_counts_each_gene_pair_once_with_complexes_as_evidence():
    """CSF1->CSF1R also comes through CSF1_IL34 (IL34 absent), TGFB1->TGFBR2 through five receptor complexes,
    VEGFA->KDR through FLT1_KDR: each is one pair, one table row and one count in the heat map."""
    from secannot.report.crosstalk import sender_receiver_counts
    from secannot.report.summary import summarize

    hits = [_record("VEGFA", "CAF"), _record("KDR", "endothelial"), _record("CSF1", "cancer_cell"),
            _record("CSF1R", "macrophage"), _record("TGFB1", "CAF"), _record("TGFBR1", "fibroblast"),
            _record("TGFBR2", "fibroblast")]
    s = summarize(hits)
    names = [c.name for c in s.crosstalk]
    for name in ("VEGFA->KDR", "CSF1->CSF1R", "TGFB1->TGFBR1", "TGFB1->TGFBR2"):
        assert names.count(name) == 1, names
    rows = [r.category for r in s.rows if r.section == "crosstalk_within"]
    assert sorted(rows) == sorted(names) and len(set(rows)) == len(rows)
    csf1 = next(c for c in s.crosstalk if c.name == "CSF1->CSF1R")
    assert ("CSF1_IL34", "CSF1R") in csf1.resource_pairs and csf1.direct
    tgfbr2 = next(c for c in s.crosstalk if c.name == "TGFB1->TGFBR2")
    assert ("TGFB1", "TGFBR1_TGFBR2") in tgfbr2.resource_pairs and len(tgfbr2.resource_pairs) >= 5
    assert not tgfbr2.direct
    counts = sender_receiver_counts(s.crosstalk)
    # CAF sends VEGFA (endothelial) and TGFB1 (fibroblast: TGFBR1 and TGFBR2); cancer_cell sends CSF1 (macrophage)
    assert counts == {("CAF", "endothelial"): 1, ("CAF", "fibroblast"): 2, ("cancer_cell", "macrophage"): 1}
    doc = s.crosstalk[0].as_dict()
    assert {"resource_pairs", "direct", "ligand", "receptor"} <= set(doc)

"""`secannot annotate`: rules joined to predictions, with evidence, on real sequences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import ALBUMIN, SUBSET_FASTA, run_cli

from secannot.columns import ANNOTATE_COLUMNS
from secannot.errors import ExitCode


@pytest.fixture(scope="module")
def annotated() -> dict[str, dict[str, str]]:
    res = run_cli(["annotate", SUBSET_FASTA])
    assert res.code == 0, res.err
    header = res.rows[0]
    assert header == [c.name for c in ANNOTATE_COLUMNS]
    return {row[0].split("|")[1]: dict(zip(header, row, strict=True)) for row in res.rows[1:]}


def test_mmp2_is_a_caf_product_remodelling_the_matrix(annotated):
    mmp2 = annotated["P08253"]
    assert mmp2["gene"] == "MMP2" and mmp2["accession"] == "P08253"
    assert "CAF" in mmp2["cell_sources"].split(";")
    assert "ECM_remodelling" in mmp2["processes"].split(";")
    assert mmp2["rules_version"]


def test_vegfa_drives_angiogenesis_and_is_the_bevacizumab_target(annotated):
    vegfa = annotated["P15692"]
    assert "angiogenesis" in vegfa["processes"].split(";")
    assert "approved_target:bevacizumab" in vegfa["clinical"].split(";")


def test_klk3_is_an_fda_cleared_serum_marker_for_prostate_cancer(annotated):
    assert "fda_marker:serum:prostate" in annotated["P07288"]["clinical"].split(";")


def test_cells_are_sorted_and_semicolon_separated(annotated):
    for row in annotated.values():
        for col in ("cell_sources", "processes", "clinical"):
            values = [v for v in row[col].split(";") if v]
            assert values == sorted(values)


def test_unmatched_proteins_keep_empty_cells(annotated):
    hk2 = annotated["P52789"]
    assert hk2["accession"] == "P52789"
    assert hk2["cell_sources"] == hk2["processes"] == hk2["clinical"] == hk2["rules_version"] == ""
    assert hk2["agreement"] == "no_data"


def test_bare_accession_ids_are_matched(tmp_path):
    fasta = tmp_path / "bare.fa"
    seq = "".join(line for line in SUBSET_FASTA.read_text().split(">sp|P15692|")[1].splitlines()[1:]
                  if not line.startswith(">"))
    fasta.write_text(f">P15692\n{seq}\n")
    res = run_cli(["annotate", fasta])
    row = res.dicts[0]
    assert row["gene"] == "VEGFA" and "angiogenesis" in row["processes"]


def test_json_carries_full_evidence():
    res = run_cli(["annotate", SUBSET_FASTA, "--format", "json"])
    doc = json.loads(res.out)
    assert doc["provenance"]["rules"]["version"]
    vegfa = next(r for r in doc["records"] if "P15692" in r["id"])
    ann = vegfa["annotation"]
    assert ann["matched"] and ann["matched_by"] == "accession" and ann["rules_file"].startswith("rules/")
    angio = next(c for c in ann["processes"] if c["value"] == "angiogenesis")
    assert angio["evidence"] and all(isinstance(e, dict) for e in angio["evidence"])
    bev = next(c for c in ann["clinical"] if c["status"] == "approved_target" and "bevacizumab" in c["drugs"])
    assert bev["evidence"]


def test_user_rules_override_bundled_entries_and_are_reported(lab_rules):
    res = run_cli(["annotate", SUBSET_FASTA, "--rules", lab_rules])
    assert res.code == 0
    assert "VEGFA overrides rules/" in res.err
    rows = {r[0].split("|")[1]: dict(zip(res.rows[0], r, strict=True)) for r in res.rows[1:]}
    assert rows["P15692"]["processes"] == "lymphangiogenesis"
    # the run's one rules version (#12): the bundled set's, then the user layer's file version
    assert rows["P15692"]["rules_version"].endswith(f"+{lab_rules}:0.1.0")
    assert rows["P15692"]["rules_version"] == rows["P08253"]["rules_version"]
    assert "CAF" in rows["P08253"]["cell_sources"]  # other bundled entries still apply


def test_incompatible_user_rules_are_refused_with_advice(tmp_path):
    rules_dir = tmp_path / "future"
    rules_dir.mkdir()
    (rules_dir / "x.yaml").write_text("schema_version: 3\nrules_version: 1.0.0\nkind: tme\nentries: []\n")
    res = run_cli(["annotate", SUBSET_FASTA, "--rules", rules_dir])
    assert res.code == ExitCode.RULES
    assert "schema_version 3" in res.err and "upgrade secannot" in res.err
    assert "Traceback" not in res.err


def test_rules_lint_is_clean_on_the_bundled_rules():
    res = run_cli(["rules", "lint"])
    assert res.code == 0, res.out
    res = run_cli(["rules", "lint", Path(__file__).parent.parent / "rules"])
    assert res.code == 0, res.out


def test_rules_lint_reports_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "schema_version: 1\nrules_version: 1.0.0\ndate: '2026-11-27'\nkind: tme\ntitle: t\nentries:\n"
        "  - gene: MMP2\n    accession: P08253\n    processes:\n      - value: angiogenesis\n        evidence: []\n"
    )
    res = run_cli(["rules", "lint", bad])
    assert res.code == ExitCode.FINDINGS
    assert res.out.startswith(f"{bad}:11:") or f"{bad}:" in res.out


def test_rules_show_prints_evidence():
    res = run_cli(["rules", "show", "PSA"])
    assert res.code == 0
    assert "KLK3" in res.out and "P07288" in res.out and "fda_marker" in res.out
    res = run_cli(["rules", "show", "NOT-A-GENE"])
    assert res.code == ExitCode.FINDINGS and "no rule entry" in res.err  # nothing found, as grep


def test_summarize_from_fasta_with_background_and_report(tmp_path):
    hits = tmp_path / "hits.jsonl"
    res = run_cli(["annotate", SUBSET_FASTA, "--format", "jsonl", "-o", hits])
    assert res.code == 0
    report = tmp_path / "report.html"
    res = run_cli(["summarize", hits, "--background", SUBSET_FASTA, "--report", report, "--format", "tsv",
                   "--min-size", "1"])
    assert res.code == 0, res.err
    lines = [line for line in res.out.splitlines() if not line.startswith("#")]
    header = lines[0].split("\t")
    assert header[:3] == ["section", "category", "count"]
    rows = [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]
    caf = next(r for r in rows if r["section"] == "cell_source" and r["category"] == "CAF")
    assert "MMP2" in caf["genes"] and caf["p_value"] != ""
    html = report.read_text()
    assert html.lstrip().lower().startswith("<!doctype html") and "https://cdn" not in html


def test_plot_command_writes_images(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "plots.pdf"
    res = run_cli(["plot", SUBSET_FASTA, "--out", out])
    assert res.code == 0, res.err
    assert out.read_bytes().startswith(b"%PDF")
    single = tmp_path / "vegfa.png"
    one = tmp_path / "vegfa.fa"
    one.write_text(SUBSET_FASTA.read_text().split(">sp|P15328")[0])
    res = run_cli(["plot", one, "--out", single])
    assert res.code == 0 and single.read_bytes().startswith(b"\x89PNG")


def _generic_row(result, columns) -> str:
    from secannot.columns import format_cell

    return "\t".join(format_cell(c.get(result)) for c in columns) + "\n"


def test_fast_tsv_rows_equal_the_column_by_column_rendering():
    """predict_row / annotate_row (the proteome hot path) must write what format_cell writes for each column,
    for real annotated proteins and for awkward values (tabs, non-string and empty cells, no annotation)."""
    from dataclasses import replace

    from secannot.columns import PREDICT_COLUMNS
    from secannot.io.fasta import parse_fasta
    from secannot.io.writers.tsv import tsv_row
    from secannot.knowledge.annotate import UniProtView
    from secannot.knowledge.ruleset import RuleSet
    from secannot.pipeline.predictor import PredictConfig, Predictor, predict_stream

    with open(SUBSET_FASTA, "rb") as fh:
        records = list(parse_fasta(fh, str(SUBSET_FASTA)))
    predictor = Predictor(PredictConfig(), RuleSet.load((), kinds=("tme", "nonclassical")))
    results = list(predict_stream(records, predictor.config, predictor, annotate=True))
    assert any(r.annotation is not None and r.annotation.cell_sources for r in results)
    odd = results[0]
    odd.annotation = replace(odd.annotation, gene="A\tB", rules_version=1.5, isoform=None,
                             receptors=("Z", "A"), clinical=(3, 1))
    odd.uniprot = UniProtView("1-20", ("Secreted", "Cell membrane"), "agree", None, True)
    bare = replace(results[1], annotation=None, uniprot=None)
    for res in [*results, odd, bare]:
        assert tsv_row(res, ANNOTATE_COLUMNS) == _generic_row(res, ANNOTATE_COLUMNS)
        assert tsv_row(res, PREDICT_COLUMNS) == _generic_row(res, PREDICT_COLUMNS)


# JSON Lines of a protein no rule matched: null where TSV and Parquet leave the cell empty
def _jsonl(tmp_path):
    fasta = tmp_path / "p.fa"
    fasta.write_text(f">unmatched_protein\n{ALBUMIN}\n")
    res = run_cli(["annotate", fasta, "-f", "jsonl"])
    return json.loads(res.out.splitlines()[0])


def test_jsonl_rules_version_and_uniprot_location_match_tsv_and_parquet_when_nothing_was_found(tmp_path):
    row = _jsonl(tmp_path)
    assert row["annotation"]["matched"] is False
    assert row["rules_version"] is None, "empty when no rule matched, as in TSV and Parquet"
    assert row["uniprot_location"] is None, "UniProt was not asked: null, not an empty list"
    assert row["provenance"]["rules"]["version"], "the run's rules version stays in the provenance"


# listed only in rules/nonclassical.yaml: no TME entry, no ligand-receptor pair, not in the offline symbol table
LEADERLESS_ONLY = [("P07108", "DBI"), ("sp|P10636|TAU_HUMAN", "MAPT"), ("O43511", "SLC26A4")]
NO_LEADER = "MSEKAQELRDNLGKTVEAIRGQDPKSLEENAKRLTEQ" * 2


@pytest.mark.parametrize(("name", "gene"), LEADERLESS_ONLY, ids=[g for _, g in LEADERLESS_ONLY])
def test_a_protein_matched_only_by_a_leaderless_rule_gets_its_gene(name, gene):
    """`gene` came from a TME entry, the header or a ligand-receptor pair; a leaderless-secretion entry names one
    too, and was the match (route non-classical, basis rule) while `gene` stayed empty."""
    import secannot

    fasta = f">{name}\n{NO_LEADER}\n".encode()
    row = run_cli(["annotate", "--offline", "-"], stdin=fasta).dicts[0]
    assert (row["nc_basis"], row["gene"]) == ("rule", gene), row
    record = json.loads(run_cli(["annotate", "--offline", "-f", "jsonl", "-"], stdin=fasta).out)
    assert record["gene"] == record["annotation"]["gene"] == gene
    assert not record["annotation"]["matched"]  # still no TME entry
    # the rule that matched has a version (was empty: "empty when no rule matched"), and the accession is named
    assert row["rules_version"] == record["rules_version"] == record["provenance"]["rules"]["version"]
    assert row["accession"] and row["accession"] in name
    assert record["uniprot"]["locations"] is None, "UniProt not asked: null, as uniprot_location (not [])"
    assert secannot.annotate([(name, NO_LEADER)])[0].gene == gene


def test_each_ligand_receptor_partner_names_the_resources_behind_its_pair():
    """The receptors list puts a pair one resource lists beside a consensus pair (KLK3 -> EPOR); the JSON says which."""
    from secannot.knowledge.ligrec import load_ligand_receptor

    record = json.loads(run_cli(["annotate", "--offline", "-f", "jsonl", "-"],
                                stdin=f">sp|P15692|VEGFA_HUMAN\n{NO_LEADER}\n".encode()).out)
    annotation = record["annotation"]
    assert annotation["receptors"] and set(annotation["receptor_resources"]) == set(annotation["receptors"])
    table = load_ligand_receptor()
    for receptor, listed in annotation["receptor_resources"].items():
        expected = set()
        for pair in table.pairs:
            if pair.ligand == "VEGFA" and pair.receptor == receptor:
                expected.update(pair.resources or ("secannot_supplement",))
        assert listed == sorted(expected), receptor
    counts = {len(v) for v in annotation["receptor_resources"].values()}
    assert len(counts) > 1, "VEGFA's pairs differ in support"


def test_a_pair_without_named_resources_says_where_it_comes_from():
    """EGFR's NRG3 pair (one of the consensus pairs LIANA+ ships without resources) showed an empty list."""
    from secannot.knowledge.ligrec import load_ligand_receptor

    table = load_ligand_receptor()
    bare = [p for p in table.pairs if not p.resources]
    assert bare, "the shipped table has pairs without resources"
    for pair in bare:
        receptors, _ = table.resources_of(pair.ligand.split("_")[0])
        assert receptors[pair.receptor], pair
        assert all(receptors[pair.receptor]), pair

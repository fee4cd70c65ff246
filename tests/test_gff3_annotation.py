"""GFF3 that carries the annotation, with coordinates that agree with the TSV and its evidence text."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest
from helpers import DATA, EXAMPLE_FASTA, run_cli

from secannot.io.fasta import Record
from secannot.results import Result

ONTOLOGY = DATA / "rules" / "ontology"
_RANGE = re.compile(r"(\d+)-(\d+)")


def parse_gff3(text: str) -> list[dict]:
    """Feature lines as dicts, attributes unescaped; multi-valued attributes as lists."""
    features = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        assert len(cols) == 9, line
        attrs = {}
        for pair in cols[8].split(";"):
            key, _, value = pair.partition("=")
            values = [unquote(v) for v in value.split(",")]
            attrs[key] = values if len(values) > 1 or key in ("Dbxref", "Ontology_term") else values[0]
        features.append({"seqid": unquote(cols[0]), "type": cols[2], "start": int(cols[3]), "end": int(cols[4]),
                         "attrs": attrs})
    return features


@pytest.fixture(scope="module")
def example() -> tuple[list[dict], dict[str, dict[str, str]]]:
    gff = run_cli(["annotate", EXAMPLE_FASTA, "-f", "gff3"])
    tsv = run_cli(["annotate", EXAMPLE_FASTA])
    assert gff.code == 0 and tsv.code == 0, gff.err + tsv.err
    header = tsv.rows[0]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in tsv.rows[1:]}
    return parse_gff3(gff.out), rows


def _ranges(evidence: str) -> set[tuple[int, int]]:
    return {(int(a), int(b)) for a, b in _RANGE.findall(evidence)}


def test_every_feature_agrees_with_the_tsv_and_its_evidence(example):
    features, rows = example
    assert {f["seqid"] for f in features} == set(rows)
    for f in features:
        row = rows[f["seqid"]]
        span = (f["start"], f["end"])
        if f["type"] == "polypeptide":
            assert span == (1, int(row["length"]))
        elif f["type"] == "signal_peptide":
            assert span == (1, int(row["cleavage_site"]))
            assert f"SP 1-{row['cleavage_site']}" in row["evidence"]
        elif f["type"] == "polypeptide_motif":  # the C-terminal ER-retention motif, named in the evidence
            motif = f["attrs"]["Note"].split()[-1]
            assert f"C-terminal {motif}" in row["evidence"]
            assert span == (int(row["length"]) - len(motif) + 1, int(row["length"]))
        else:  # TM helices, signal anchor, GPI cleaved region and hydrophobic tail: stated in the evidence
            assert span in _ranges(row["evidence"]), (f["seqid"], f["type"], span, row["evidence"])


def test_folr1_gpi_signal_is_the_same_in_gff3_tsv_and_evidence(example):
    features, rows = example
    folr1 = rows["sp|P15328|FOLR1_HUMAN"]
    assert folr1["localization"] == "gpi_anchored"
    omega = int(re.search(r"GPI omega (\d+)", folr1["evidence"]).group(1))
    tail = re.search(r"hydrophobic tail (\d+)-(\d+)", folr1["evidence"])
    by_type = {f["type"]: f for f in features if f["seqid"] == "sp|P15328|FOLR1_HUMAN"}
    cleaved = by_type["cleaved_for_gpi_anchor_region"]
    assert (cleaved["start"], cleaved["end"]) == (omega + 1, int(folr1["length"]))
    hydrophobic = by_type["hydrophobic_region_of_peptide"]
    assert (hydrophobic["start"], hydrophobic["end"]) == (int(tail.group(1)), int(tail.group(2)))
    assert cleaved["start"] <= hydrophobic["start"] and hydrophobic["end"] == cleaved["end"]
    assert "propeptide" not in by_type  # a GPI signal is exchanged for the anchor, not a propeptide


def test_polypeptide_carries_identity_verdict_and_annotation(example):
    features, rows = example
    proteins = {f["seqid"]: f["attrs"] for f in features if f["type"] == "polypeptide"}
    vegfa = proteins["sp|P15692|VEGFA_HUMAN"]
    assert vegfa["Dbxref"] == ["UniProtKB:P15692"]
    assert vegfa["Name"] == vegfa["gene"] == "VEGFA"
    assert vegfa["product"] == "Vascular endothelial growth factor A"
    assert vegfa["Note"].startswith("secreted; route classical")
    assert "angiogenesis" in vegfa["processes"] and "approved_target:bevacizumab" in vegfa["clinical"]
    for seqid, attrs in proteins.items():
        row = rows[seqid]
        assert attrs["localization"] == row["localization"] and attrs["route"] == row["route"]
        assert row["evidence"] in attrs["Note"]
        assert attrs["Dbxref"] == [f"UniProtKB:{row['accession']}"]
    # PDIA6's header is bare: the accession names it, and there is no product.
    assert proteins["sp|Q15084|PDIA6_HUMAN"]["Name"] == "Q15084" and "product" not in proteins["sp|Q15084|PDIA6_HUMAN"]


def test_predict_gff3_has_identity_but_no_annotation():
    res = run_cli(["predict", EXAMPLE_FASTA, "-f", "gff3"])
    assert res.code == 0, res.err
    vegfa = next(f["attrs"] for f in parse_gff3(res.out) if f["type"] == "polypeptide")
    assert vegfa["Dbxref"] == ["UniProtKB:P15692"] and vegfa["Name"] == "VEGFA"
    assert "cell_sources" not in vegfa and "Ontology_term" not in vegfa


def _vegfa_result(rules) -> Result:
    from secannot.knowledge.annotate import annotate

    header = "sp|P15692|VEGFA_HUMAN Vascular endothelial growth factor A OS=Homo sapiens OX=9606 GN=VEGFA"
    res = Result(Record("sp|P15692|VEGFA_HUMAN", header, b"MNFLLSWVHWSLALLLYLHHAKWSQA" + b"A" * 100, "t", 1),
                 sp_prob=0.99, cleavage_site=26, route="classical", localization="secreted", evidence=["SP 1-26"])
    res.annotation = annotate(res, rules)
    return res


def test_ontology_terms_from_claims_reach_gff3():
    """A rule file whose claims carry CL / GO ids: Ontology_term lists them; a null id is left out."""
    import io

    from secannot.io.writers.gff3 import Gff3Writer
    from secannot.knowledge.ontology import bundled_vocabulary_ids
    from secannot.knowledge.ruleset import RuleSet, read_rule_dir
    from secannot.provenance import make_provenance

    rules = RuleSet.from_files(read_rule_dir(ONTOLOGY, str(ONTOLOGY), validate=False))
    res = _vegfa_result(rules)
    out = io.StringIO()
    writer = Gff3Writer(out, make_provenance("m", "1", rules.version_summary()))
    writer.write(res)
    writer.close([])
    attrs = parse_gff3(out.getvalue())[0]["attrs"]
    # macrophage and invasion (id null) have no id of their own: they get the bundled vocabulary's, if any.
    vocab = bundled_vocabulary_ids()
    macrophage = [vocab[("cell_sources", "macrophage")]] if ("cell_sources", "macrophage") in vocab else []
    invasion = [vocab[("processes", "invasion")]] if ("processes", "invasion") in vocab else []
    assert attrs["Ontology_term"] == ["CL:0000057", *macrophage, "GO:0001525", *invasion]
    assert attrs["rules_version"] == f"{ONTOLOGY}:9.1.0"  # the rule set's one version string (#12)


def test_vocabulary_ids_fill_in_claims_without_their_own():
    from secannot.knowledge.ontology import entry_ontology_terms, vocabulary_ids

    vocab = vocabulary_ids(json.loads((ONTOLOGY / "vocabulary.json").read_text()))
    assert vocab == {("cell_sources", "macrophage"): "CL:0000235", ("cell_sources", "CAF"): "CL:0000057",
                     ("processes", "angiogenesis"): "GO:0001525"}  # malformed and null ids are dropped
    entry = {"cell_sources": [{"value": "macrophage"}, {"value": "CAF"}, {"value": "unknown"}],
             "processes": [{"value": "invasion"}, {"value": "angiogenesis", "ontology": {"id": "GO:9999999"}}]}
    assert entry_ontology_terms(entry, vocab) == ("CL:0000235", "CL:0000057", "GO:9999999")


def test_gff3_validates_with_genometools(tmp_path):
    gt = shutil.which("gt")
    if gt is None:
        pytest.skip("GenomeTools 'gt' is not installed (Debian/Ubuntu: apt-get install genometools)")
    path = Path(tmp_path / "example.gff3")
    path.write_text(run_cli(["annotate", EXAMPLE_FASTA, "-f", "gff3"]).out)
    # -typecheck so: every type is a Sequence Ontology term and every Parent relation is allowed by SO;
    # -xrfcheck: Dbxref and Ontology_term prefixes and id syntax (GO's list lacks NCIT, hence our own file).
    xrf = DATA / "gff3" / "secannot.xrf_abbr"
    done = subprocess.run([gt, "gff3validator", "-typecheck", "so", "-xrfcheck", str(xrf), str(path)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


def test_rule_schema_is_parsed_once_for_both_vocabulary_tables(monkeypatch):
    """ontology.bundled_vocabulary_ids and vocabulary.ontology_ids read the one parsed schema (was one parse each)."""
    from secannot.knowledge import ontology, schema, vocabulary

    parses = []
    real = json.loads
    monkeypatch.setattr(schema.json, "loads", lambda text, *a, **k: parses.append(len(text)) or real(text, *a, **k))
    for cached in (schema.schema_document, ontology.bundled_vocabulary_ids, vocabulary.ontology_ids):
        getattr(cached, "cache_clear", lambda: None)()
    assert ontology.bundled_vocabulary_ids() and vocabulary.ontology_ids()
    assert len(parses) == 1


def test_each_polypeptide_states_the_confidence_of_its_verdict():
    ref = EXAMPLE_FASTA
    rows = run_cli(["predict", ref]).rows
    tsv = {r[0]: r[rows[0].index("confidence")] for r in rows[1:]}
    gff = run_cli(["predict", ref, "-f", "gff3"]).out.splitlines()
    found = {}
    for line in gff:
        cols = line.split("\t")
        if len(cols) == 9 and cols[2] == "polypeptide":
            attrs = dict(a.split("=", 1) for a in cols[8].split(";"))
            found[unquote(attrs["ID"])] = attrs.get("confidence")
    assert found == tsv and set(found.values()) <= {"high", "medium", "low"}

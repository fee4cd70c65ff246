"""Issue 14, "Also" and fault 11: provenance in machine-readable output, plain TSV, help text, smaller faults;
one rules version string in --version and every output."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
import uniprot_server as fake_uniprot
from helpers import ALBUMIN_LIKE as SEQ
from helpers import REPO, run_cli

from secannot.errors import EXIT_CODE_HELP, ExitCode

uniprot_server = fake_uniprot.uniprot_server
SP = "MKLLTSLALLAVLAAGASAQ"
FASTA = f">a\n{SP}LLKKEE\n>b\nMSDQEAKPTEVKRGLEDVAKK\n".encode()
SP_MODEL = json.loads((REPO / "secannot" / "data" / "sp_model.json").read_text())
NC_MODEL = json.loads((REPO / "secannot" / "data" / "nc_model.json").read_text())


def _provenances(fmt: str, out: str) -> list[dict]:
    if fmt == "json":
        return [json.loads(out)["provenance"]]
    return [json.loads(line)["provenance"] for line in out.splitlines()]


# -- provenance ---------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
@pytest.mark.parametrize(
    "options, organism, nc",
    [
        ([], "eukarya", NC_MODEL["threshold"]),
        (["--nc-threshold", "0.5", "--organism", "gram-negative"], "gram-negative", None),  # eukaryotes only
        (["--organism", "ARCHAEA"], "archaea", None),
        (["--nc-threshold", "0.9"], "eukarya", 0.9),
    ],
)
@pytest.mark.parametrize("command", ["predict", "annotate"])
def test_json_outputs_carry_every_setting(fmt, options, organism, nc, command):
    res = run_cli([command, "-", "-f", fmt, *options], stdin=FASTA)
    assert res.code == 0, res.err
    provs = _provenances(fmt, res.out)
    assert len(provs) == (1 if fmt == "json" else 2)
    for prov in provs:
        assert prov["tool"]["name"] == "secannot"
        assert prov["model"]["version"] == SP_MODEL["version"]
        assert prov["nc_model"] == {"name": NC_MODEL["name"], "version": NC_MODEL["version"]}
        assert prov["rules"]["version"]
        assert prov["organism"] == organism
        expected_sp = SP_MODEL["decision_threshold"].get(organism, 0.5)
        assert prov["thresholds"]["sp_prob"] == expected_sp
        assert prov["thresholds"]["sp_prob_by_organism"]["eukarya"] == SP_MODEL["decision_threshold"]["eukarya"]
        assert prov["thresholds"]["nc_score"] == nc
        given = float(options[options.index("--nc-threshold") + 1]) if "--nc-threshold" in options else None
        assert prov["thresholds"]["overrides"] == ({"nc_score": given} if given is not None else {})
        assert prov["date"][:2] == "20" and prov["date"].endswith("+00:00")
        assert prov["inputs"] == [{"kind": "fasta", "path": "-"}]


def test_id_inputs_are_summarised_not_listed(tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join(["P05067"] * 3 + ["P01308"]) + "\n")
    res = run_cli(["predict", "-", "--uniprot-list", ids, "--uniprot", "P15692", "--offline", "-f", "json"],
                  stdin=FASTA)
    prov = json.loads(res.out)["provenance"]
    assert prov["inputs"] == [{"kind": "fasta", "path": "-"},
                              {"kind": "accession", "origin": str(ids), "count": 4},
                              {"kind": "accession", "origin": "--uniprot", "count": 1}]


@pytest.mark.parametrize("options", [[], ["--nc-threshold", "0.5"], ["--organism", "gram-positive"]])
def test_tsv_stays_one_plain_table(options):
    res = run_cli(["predict", "-", *options], stdin=FASTA)
    lines = res.out.splitlines()
    assert lines[0].startswith("id\t") and len(lines) == 3
    assert not any(line.startswith("#") for line in lines)


@pytest.mark.parametrize(("organism", "leaderless"), [("eukarya", "nc_score threshold 0.6"),
                                                      ("gram-negative", "no leaderless score")])
def test_gff3_names_the_thresholds(organism, leaderless):
    res = run_cli(["predict", "-", "-f", "gff3", "--nc-threshold", "0.6", "--organism", organism], stdin=FASTA)
    comment = next(line for line in res.out.splitlines() if line.startswith("# organism"))
    assert organism in comment and leaderless in comment
    assert f"sp_prob threshold {SP_MODEL['decision_threshold'].get(organism, 0.5)}" in comment


@pytest.mark.parametrize("fmt", ["tsv", "json"])
def test_summarize_tsv_is_one_table_and_json_has_the_rest(tmp_path, fmt):
    hits = tmp_path / "hits.fa"
    hits.write_text(">sp|P15692|VEGFA_HUMAN x GN=VEGFA\n" + SP + "LLKK\n")
    res = run_cli(["summarize", hits, "-f", fmt])
    assert res.code == 0, res.err
    if fmt == "tsv":
        lines = res.out.splitlines()
        assert lines[0].startswith("category\t") or "\t" in lines[0]
        assert not any(line.startswith("#") for line in lines)
        assert "input proteins: 1" in res.err
    else:
        doc = json.loads(res.out)
        assert doc["summary"]["input_size"] == 1
        assert doc["provenance"]["organism"] == "eukarya" and "thresholds" in doc["provenance"]


# -- help --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "command, choices",
    [
        (["predict"], ["<tsv|jsonl|json|gff3|parquet>", "<eukarya|gram-negative|gram-positive|archaea>"]),
        (["annotate"], ["<tsv|jsonl|json|gff3|parquet>", "<eukarya|gram-negative|gram-positive|archaea>"]),
        (["check"], ["<secreted|classical|annotated>"]),
        (["summarize"], ["<tsv|json>"]),
        (["rules", "diff"], ["<text|json>", "--exit-code"]),
    ],
)
def test_help_lists_choices(command, choices):
    res = run_cli([*command, "--help"])
    assert res.code == 0
    for choice in choices:
        assert choice in res.out
    assert "<str>" not in res.out.split("Options:")[1]


@pytest.mark.parametrize("command", ["predict", "annotate", "summarize"])
def test_input_metavar(command):
    usage = run_cli([command, "--help"]).out.splitlines()[0]
    assert usage.endswith("[OPTIONS] [INPUT]...")


@pytest.mark.parametrize("command", [["predict"], ["annotate"], ["check"], ["plot"], ["evaluate"], ["summarize"],
                                     ["rules", "lint"], ["rules", "diff"]])
def test_exit_codes_only_in_top_level_help(command):
    sub = run_cli([*command, "--help"]).out
    top = run_cli(["--help"]).out
    for text in EXIT_CODE_HELP.values():
        assert text in top
        assert text not in sub


def test_shell_completion_is_offered():
    top = run_cli(["--help"]).out
    assert "--install-completion" in top and "--show-completion" in top


@pytest.mark.parametrize("value", ["plants", "tsv", "euk aryote"])
def test_bad_choice_is_a_usage_error(value):
    res = run_cli(["predict", "-", "--organism", value], stdin=FASTA)
    assert res.code == ExitCode.USAGE and "organism" in res.err


# -- 11. smaller faults ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "header, isoform",
    [(">sp|P15692-2|VEGFA_HUMAN x GN=VEGFA", "P15692-2"), (">P15692-4", "P15692-4"),
     (">sp|P15692|VEGFA_HUMAN x GN=VEGFA", ""), (">P15692", ""), (">tr|A0A0A0MRG2-3|X_HUMAN y", "A0A0A0MRG2-3")],
)
def test_annotate_keeps_the_isoform(header, isoform):
    res = run_cli(["annotate", "-"], stdin=f"{header}\n{SP}LLKK\n".encode())
    head = res.rows[0]
    row = res.rows[1]
    assert row[head.index("isoform")] == isoform
    assert row[head.index("accession")] == (isoform.rsplit("-", 1)[0] if isoform else row[head.index("accession")])
    assert "-" not in row[head.index("accession")]


def test_annotate_json_keeps_the_isoform():
    res = run_cli(["annotate", "-", "-f", "json"], stdin=f">sp|P15692-2|VEGFA_HUMAN GN=VEGFA\n{SP}\n".encode())
    rec = json.loads(res.out)["records"][0]
    assert rec["isoform"] == "P15692-2" and rec["accession"] == "P15692"
    assert rec["annotation"]["isoform"] == "P15692-2"


@pytest.mark.parametrize("empty", ["", "   ", "\t"], ids=["empty", "spaces", "tab"])
def test_empty_sequence_cell_falls_back_to_uniprot(uniprot_server, tmp_path, empty):
    table = tmp_path / "t.csv"
    table.write_text(f"id,seq\nP05067,{empty}\nmine,{SP}LLKK\n")
    res = run_cli(["annotate", "--tsv", table, "--id-column", "id", "--sequence-column", "seq",
                   "--uniprot-url", uniprot_server.url])
    assert res.code == 0, res.err
    rows = list(csv.reader(io.StringIO(res.out)))
    head = rows[0]
    assert rows[1][head.index("length")] == "770"  # APP from UniProt, not "empty sequence"
    assert rows[2][head.index("length")] == str(len(SP) + 4)
    assert rows[1][head.index("error")] == ""


def test_require_secreted_names_leaderless_passes(tmp_path):
    fasta = tmp_path / "panel.fa"
    # FGF2 is the textbook leaderless secreted protein (rules/nonclassical.yaml)
    fasta.write_text(">sp|P09038|FGF2_HUMAN Fibroblast growth factor 2 GN=FGF2\n"
                     "MAAGSITTLPALPEDGGSGAFPPGHFKDPKRLYCKNGGFFLRIHPDGRVDGVREKSDPHIKLQLQAEERGVVSIKGVCANRYLAMKEDGRLLASKCVTDE"
                     "CFFFERLESNNYNTYRSRKYTSWYVALKRTGQYKLGSKTGPGQKAILFLPMSAKS\n"
                     ">sp|P15692|VEGFA_HUMAN GN=VEGFA\nMNFLLSWVHWSLALLLYLHHAKWSQAAPMAEGGGQNHHEVVKFMDVYQRSYCHPIETLVDIFQEYPDEIEYIFKPSCVPLMRCGGCCNDEGLECVPTEESNITMQIMRIKPHQGQHIGEMSFLQHNKCECRPKKDRARQENPCGPCSERRKHLFVQDPQTCKCSCKNTDSRCKARQLELNERTCRCDKPRR\n")
    res = run_cli(["check", fasta, "--require", "secreted"])
    assert res.code == 0, res.out + res.err
    assert "FGF2_HUMAN" in res.err and "non-classical" in res.err
    assert "VEGFA" not in res.err


@pytest.mark.parametrize("user_columns", [["id", "seq"], ["id", "seq", "provenance"]])
def test_annotated_table_jsonl_carries_provenance(tmp_path, user_columns):
    table = tmp_path / "t.tsv"
    table.write_text("\t".join(user_columns) + "\n" + "\t".join(["x", SP, "mine"][: len(user_columns)]) + "\n")
    res = run_cli(["annotate", "--tsv", table, "--id-column", "id", "--sequence-column", "seq", "-f", "jsonl",
                   "--nc-threshold", "0.6"])
    row = json.loads(res.out.splitlines()[0])
    key = "secannot_provenance" if "provenance" in user_columns else "provenance"
    assert row[key]["thresholds"]["nc_score"] == 0.6 and row[key]["inputs"] == [{"kind": "table", "path": str(table)}]
    if "provenance" in user_columns:
        assert row["provenance"] == "mine"


# -- provenance and figures read their thresholds from one place ---------------------------------
@pytest.mark.parametrize("kwargs", [
    {},
    {"organism": "gram-negative"},
    {"organism": "ARCHAEA", "nc_threshold": 0.4},
    {"nc_prior": 0.1},
    {"nc_threshold": 0.9, "nc_prior": 0.05},
    {"localize": False},
    {"localize": False, "nc_threshold": 0.7, "organism": "gram-positive"},
], ids=["default", "gram-neg", "archaea-nc", "prior", "nc-and-prior", "signal-only", "signal-only-override"])
def test_run_provenance_states_the_thresholds_the_run_applies(kwargs):
    from secannot.pipeline.predictor import PredictConfig, Predictor
    from secannot.pipeline.run_info import run_provenance

    config = PredictConfig(**kwargs)
    predictor = Predictor(config)
    prov = run_provenance(config, predictor.sp_model, (), None, None).as_dict()
    applied = predictor.thresholds()  # what the run and its figures use
    organism = kwargs.get("organism", "eukarya").lower()
    localize = kwargs.get("localize", True)
    thresholds = prov["thresholds"]
    # the model files and the options, read independently of the code under test
    assert prov["organism"] == applied["organism"] == organism
    assert thresholds["sp_prob"] == applied["sp_prob"] == SP_MODEL["decision_threshold"].get(organism, 0.5)
    assert thresholds["sp_prob_by_organism"] == applied["sp_prob_by_organism"]
    assert thresholds["sp_prob_by_organism"]["eukarya"] == SP_MODEL["decision_threshold"]["eukarya"]
    scored = localize and organism == "eukarya"  # the leaderless score is for eukaryotes only
    expected_nc = kwargs.get("nc_threshold", NC_MODEL["threshold"]) if scored else None
    expected_prior = kwargs.get("nc_prior", NC_MODEL["prior"]) if scored else None
    assert thresholds["nc_score"] == applied.get("nc_score") == expected_nc
    assert thresholds["nc_prior"] == applied.get("nc_prior") == expected_prior
    if scored:
        assert predictor.localizer.nc_threshold == expected_nc and predictor.localizer.nc_prior == expected_prior
    band = thresholds["sp_uncertain_band"]
    assert band == applied.get("sp_uncertain_band")
    assert (band is not None) == (localize and organism == "eukarya")
    assert thresholds["overrides"] == {k2: kwargs[k] for k, k2 in (("nc_threshold", "nc_score"),
                                                                   ("nc_prior", "nc_prior")) if k in kwargs}


# -- one rules version string, in --version and every output ---------------------------------------
VEGFA_FASTA = f">sp|P15692|VEGFA_HUMAN\n{SEQ}\n>b\nMSDQEAKPTEVKRGLEDVAKK\n".encode()


def _bundled_versions() -> str:
    """The distinct rules_version lines of the bundled rule files, read here independently of secannot."""
    found = set()
    for path in sorted((REPO / "secannot" / "_rules").glob("*.yaml")):
        match = re.search(r"^rules_version:\s*['\"]?([^'\"\s#]+)", path.read_text(), re.MULTILINE)
        found.add(match.group(1))
    return "+".join(sorted(found))


def test_one_rules_version_in_version_and_every_output(tmp_path):
    expected = _bundled_versions()
    assert "+" in expected  # the bundled files carry more than one version, so a subset would show
    version = run_cli(["--version"])
    assert f"rules {expected}" in version.out.splitlines()
    fasta = tmp_path / "in.fa"
    fasta.write_bytes(VEGFA_FASTA)
    seen = {}
    for command in ("predict", "annotate"):
        for fmt in ("jsonl", "json"):
            res = run_cli([command, fasta, "-f", fmt])
            assert res.code == 0, res.err
            if fmt == "jsonl":
                row = json.loads(res.out.splitlines()[0])
                seen[f"{command} jsonl row"] = row["rules_version"]
            else:
                row = json.loads(res.out)
            seen[f"{command} {fmt} provenance"] = row["provenance"]["rules"]["version"]
        gff = run_cli([command, fasta, "-f", "gff3"]).out
        seen[f"{command} gff3"] = re.search(r"; rules (\S+)", gff).group(1)
    pq = pytest.importorskip("pyarrow.parquet")
    for command in ("predict", "annotate"):
        out = tmp_path / f"{command}.parquet"
        assert run_cli([command, fasta, "-f", "parquet", "-o", out]).code == 0
        seen[f"{command} parquet"] = json.loads(pq.read_schema(out).metadata[b"secannot"])["rules"]["version"]
    seen["annotate tsv column (VEGFA)"] = run_cli(["annotate", fasta]).dicts[0]["rules_version"]
    table = tmp_path / "t.tsv"
    table.write_text(f"id\tseq\nx\t{SEQ}\n")
    res = run_cli(["annotate", "--tsv", table, "--id-column", "id", "--sequence-column", "seq", "-f", "jsonl"])
    seen["annotate --tsv jsonl"] = json.loads(res.out.splitlines()[0])["provenance"]["rules"]["version"]
    assert seen == {key: expected for key in seen}


def test_user_rules_layer_is_named_after_the_bundled_versions(tmp_path):
    rules = tmp_path / "lab"
    rules.mkdir()
    (rules / "tme_lab.yaml").write_text(
        "schema_version: 1\nrules_version: 0.3.0\ndate: '2026-11-27'\nkind: tme\ntitle: lab rules\nentries: []\n")
    fasta = tmp_path / "in.fa"
    fasta.write_bytes(VEGFA_FASTA)
    versions = {json.loads(run_cli([c, fasta, "-f", "json", "--rules", rules]).out)["provenance"]["rules"]["version"]
                for c in ("predict", "annotate")}
    # predict skips the tme file unparsed, yet names it: both commands ran with the same rule set
    assert versions == {f"{_bundled_versions()}+{rules}:0.3.0"}


@pytest.mark.parametrize("command", ["predict", "annotate"])
def test_the_verdict_summary_in_help_names_every_rule(command):
    res = run_cli([command, "--help"])
    assert res.code == 0
    text = " ".join(res.out.split())
    for rule in ("gpi_anchored", "PS00014", "DDEL/EDEL/TDEL", "signal anchor", "tail anchor", "N-myristoylation",
                 "CaaX prenylation", "non_classical_candidate", "chains under 50 residues", "eukaryotes only",
                 "confidence"):
        assert rule in text, rule


@pytest.mark.parametrize(("options", "named"), [
    (["--organism", "gram-negative", "--nc-prior", "0.1"], "--nc-prior not used: the leaderless score is for "
                                                            "eukaryotes only"),
    (["--organism", "archaea", "--nc-threshold", "0.5"], "--nc-threshold not used"),
    (["--signal-only", "--nc-threshold", "0.5", "--nc-prior", "0.1"], "--nc-threshold and --nc-prior not used: "
                                                                      "--signal-only"),
    (["--nc-prior", "0.1"], None),
])
def test_leaderless_options_that_cannot_apply_say_so(options, named):
    res = run_cli(["predict", "-", *options], stdin=FASTA)
    assert res.code == 0, res.err
    assert (named in res.err) if named else ("not used" not in res.err), res.err

"""`secannot predict`: the output contract, formats, stdin/stdout, exit codes, provenance."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import EXAMPLE_FASTA, REPO, SUBSET_FASTA, run_cli

from secannot import __version__
from secannot.columns import PREDICT_COLUMNS
from secannot.errors import ExitCode

CONTRACT = ["id", "length", "sp_prob", "cleavage_site", "route"]


def reference_ids() -> list[str]:
    return [line[1:].split()[0] for line in SUBSET_FASTA.read_text().splitlines() if line.startswith(">")]


def test_tsv_contract_columns_and_input_order():
    res = run_cli(["predict", SUBSET_FASTA])
    assert res.code == 0, res.err
    header, *rows = res.rows
    assert header[:5] == CONTRACT
    assert header == [c.name for c in PREDICT_COLUMNS]
    assert [r[0] for r in rows] == reference_ids()
    for row in rows:
        rec = dict(zip(header, row, strict=True))
        assert 0.0 <= float(rec["sp_prob"]) <= 1.0
        # a signal peptide is predicted exactly when cleavage_site is non-empty
        assert (rec["cleavage_site"] != "") == (rec["route"] == "classical")
        if rec["cleavage_site"]:
            assert 1 <= int(rec["cleavage_site"]) < int(rec["length"])
    assert res.err == ""


def test_stdin_and_dash_and_no_input_are_the_same(tmp_path):
    data = SUBSET_FASTA.read_bytes()
    a = run_cli(["predict", SUBSET_FASTA]).out
    assert run_cli(["predict", "-"], stdin=data).out == a
    assert run_cli(["predict"], stdin=data).out == a
    assert run_cli(["predict", "-"], stdin=gzip.compress(data)).out == a


def test_output_file(tmp_path):
    target = tmp_path / "out.tsv"
    res = run_cli(["predict", SUBSET_FASTA, "-o", target])
    assert res.code == 0 and res.out == ""
    assert target.read_text().splitlines()[0].split("\t")[:5] == CONTRACT


def test_jsonl_streams_one_record_per_line_with_versions():
    res = run_cli(["predict", SUBSET_FASTA, "--format", "jsonl"])
    lines = res.out.splitlines()
    assert len(lines) == len(reference_ids())
    first = json.loads(lines[0])
    assert set(CONTRACT) <= set(first)
    assert first["tool_version"] == __version__ and first["model_version"] and first["rules_version"]


def test_json_document_names_tool_model_and_rules():
    res = run_cli(["predict", SUBSET_FASTA, "--format", "json"])
    doc = json.loads(res.out)
    prov = doc["provenance"]
    assert prov["tool"] == {"name": "secannot", "version": __version__}
    assert prov["model"]["name"] and prov["model"]["version"]
    assert prov["rules"]["version"]
    assert [r["id"] for r in doc["records"]] == reference_ids()
    assert doc["rejected"] == [] and doc["counts"] == {"written": len(reference_ids()), "rejected": 0}


def test_gff3_signal_peptides_have_valid_one_based_coordinates():
    tsv = {r[0]: r for r in run_cli(["predict", SUBSET_FASTA]).rows[1:]}
    res = run_cli(["predict", SUBSET_FASTA, "--format", "gff3"])
    lines = res.out.splitlines()
    assert lines[0] == "##gff-version 3"
    features = [line.split("\t") for line in lines if line and not line.startswith("#")]
    assert all(len(f) == 9 for f in features)
    for f in features:
        start, end = int(f[3]), int(f[4])
        assert 1 <= start <= end
    sps = {f[0]: f for f in features if f[2] == "signal_peptide"}
    for rid, row in tsv.items():
        if row[3]:
            assert sps[rid.replace("|", "|")][3:5] == ["1", row[3]]
        else:
            assert rid not in sps
    regions = [line for line in lines if line.startswith("##sequence-region")]
    assert len(regions) == len(tsv)


def test_bad_records_are_reported_and_good_ones_written(tmp_path):
    bad = tmp_path / "mixed.fa"
    bad.write_bytes(SUBSET_FASTA.read_bytes() + b">broken\nMKV1LL\n>\nMKV\n>empty\n\n")
    res = run_cli(["predict", bad])
    assert res.code == ExitCode.REJECTED
    assert len(res.rows) - 1 == len(reference_ids())
    errors = res.err.splitlines()
    assert len(errors) == 3
    assert all(line.startswith(f"error: {bad}:") for line in errors)
    assert "Traceback" not in res.err


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["predict", "/nonexistent.fa"], ExitCode.INPUT, "no such file"),
        (["predict", "--format", "xml", str(SUBSET_FASTA)], ExitCode.USAGE,
         "'xml' is not one of 'tsv', 'jsonl', 'json', 'gff3'"),
        (["predict", "--organism", "plants", str(SUBSET_FASTA)], ExitCode.USAGE, "'plants' is not one of 'eukarya'"),
        (["predict", "--no-such-option"], ExitCode.USAGE, "No such option"),
        (["predict", "--jobs", "0", str(SUBSET_FASTA)], ExitCode.USAGE, "--jobs"),
    ],
)
def test_errors_have_distinct_codes_and_one_line(args, code, message):
    res = run_cli(args)
    assert res.code == code
    assert message in res.err
    assert "Traceback" not in res.err


def test_empty_and_binary_files_are_input_errors(tmp_path):
    empty = tmp_path / "empty.fa"
    empty.write_bytes(b"")
    png = tmp_path / "x.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    res = run_cli(["predict", empty, png, SUBSET_FASTA])
    assert res.code == ExitCode.INPUT
    assert len(res.rows) - 1 == len(reference_ids())
    assert "empty input" in res.err and "binary data" in res.err


def test_organism_groups_change_the_model_input():
    euk = run_cli(["predict", SUBSET_FASTA]).rows
    neg = run_cli(["predict", SUBSET_FASTA, "--organism", "gram-negative"]).rows
    assert [r[0] for r in euk] == [r[0] for r in neg]
    assert [r[2] for r in euk] != [r[2] for r in neg]


def test_version_names_tool_and_model():
    res = run_cli(["--version"])
    assert res.code == 0
    assert res.out.startswith(f"secannot {__version__}\nmodel secannot-sp ")
    assert "rules " in res.out


def test_help_documents_exit_codes_and_columns():
    res = run_cli(["predict", "--help"])
    assert res.code == 0
    for col in PREDICT_COLUMNS:
        assert col.name in res.out
    top = run_cli(["--help"]).out  # the exit-code table is in the top-level help, once
    for code in ExitCode:
        assert f"{int(code):>3}  " in top
    assert "secannot --help" in res.out
    assert "gpi_anchored" in res.out


def test_console_script_starts_fast_and_reports_version():
    exe = REPO / ".venv" / "bin" / "secannot"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "secannot"]
    start = time.perf_counter()
    out = subprocess.run([*cmd, "--version"], capture_output=True, text=True, check=True).stdout
    elapsed = time.perf_counter() - start
    assert out.startswith("secannot ")
    # generous bound for a loaded CI machine; make bench prints the real figure
    assert elapsed < 3.0


def test_closed_pipe_exits_quietly(tmp_path):
    big = tmp_path / "many.fa"
    seq = "MKVLAAGIVALLLAAGCSSAKKEEMSTNPKPQRKTKRNTNRRPQ" * 3
    big.write_text("".join(f">p{i}\n{seq}\n" for i in range(3000)))
    cmd = f"{sys.executable} -m secannot predict {big} | head -n 2"
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True)
    assert proc.stdout.count("\n") == 2
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


def test_gff3_gives_each_tm_helix_its_orientation():
    res = run_cli(["predict", SUBSET_FASTA, "--format", "gff3"])
    tm = [line.split("\t") for line in res.out.splitlines() if "\ttransmembrane_polypeptide_region\t" in line]
    egfr = [f for f in tm if f[0].startswith("sp|P00533|")]
    assert len(egfr) == 1 and "topology=outside-to-inside" in egfr[0][8]  # type I: N-terminus extracellular
    # every helix of the topology model says which side its N-terminal end faces
    assert all("topology=" in f[8] for f in tm if "signal anchor" not in f[8])


def test_signal_only_leaves_what_it_did_not_assess_empty():
    """--signal-only runs no topology or leaderless model: tm_count and, without a signal peptide, route are empty
    (a 0 or 'none' would contradict the full run for a receptor or a leaderless protein), while a called signal
    peptide keeps route classical; JSON gives null."""
    full = {r[0]: dict(zip(res_full.rows[0], r, strict=True)) for res_full in [run_cli(["predict", SUBSET_FASTA])]
            for r in res_full.rows[1:]}
    res = run_cli(["predict", "--signal-only", SUBSET_FASTA])
    assert res.code == 0, res.err
    header, *rows = res.rows
    rows = [dict(zip(header, r, strict=True)) for r in rows]
    assert any(full[r["id"]]["tm_count"] not in ("", "0") for r in rows)  # the set holds membrane proteins
    for r in rows:
        assert r["tm_count"] == "" and r["localization"] == "" and r["confidence"] == ""
        assert r["route"] == ("classical" if r["cleavage_site"] else "")
        if r["cleavage_site"]:
            assert full[r["id"]]["route"] == "classical"
    records = [json.loads(line)
               for line in run_cli(["predict", "--signal-only", SUBSET_FASTA, "-f", "jsonl"]).out.splitlines()]
    assert all(d["tm_count"] is None and d["tm_segments"] is None for d in records)
    assert {d["route"] for d in records} <= {"classical", None}
    masked = run_cli(["predict", "--signal-only", "-"], stdin=b">m\nMKWVTFISLLFLFSSAYSRGVFRRXXXXXXXXXXXXAHKSEVAHRF\n")
    assert masked.dicts[0]["confidence"] == ""  # no verdict, so no confidence in it


def _format_of(path: Path) -> str:
    """What the file holds, read from its content."""
    data = path.read_bytes()
    if data.startswith(b"PAR1"):
        return "parquet"
    text = data.decode()
    if text.startswith("##gff-version 3"):
        return "gff3"
    if text.startswith("id\t"):
        return "tsv"
    try:
        json.loads(text)
        return "json"
    except json.JSONDecodeError:
        [json.loads(line) for line in text.splitlines()]  # noqa: B018 - raises unless every line is an object
        return "jsonl"


@pytest.mark.parametrize(("name", "fmt"), [
    ("out.parquet", "parquet"), ("out.json", "json"), ("OUT.JSON", "json"), ("out.jsonl", "jsonl"),
    ("out.ndjson", "jsonl"), ("out.gff3", "gff3"), ("out.gff", "gff3"), ("out.tsv", "tsv"), ("out.txt", "tsv"),
    ("out", "tsv"), ("out.csv", "tsv"), ("out.tsv.gz", "tsv"),
])
@pytest.mark.parametrize("command", ["predict", "annotate"])
def test_without_format_the_output_follows_the_o_files_extension(tmp_path, command, name, fmt):
    out = tmp_path / name
    res = run_cli([command, EXAMPLE_FASTA, "-o", out])
    assert res.code == 0
    assert res.err == "" or out.suffix in (".csv", ".gz")  # those two are warned about (below)
    assert _format_of(out) == fmt


@pytest.mark.parametrize(("name", "fmt", "implied"), [("out.parquet", "tsv", "parquet"), ("out.json", "jsonl", "json"),
                                                      ("out.tsv", "gff3", "tsv")])
def test_a_format_disagreeing_with_the_extension_wins_with_one_warning(tmp_path, name, fmt, implied):
    out = tmp_path / name
    res = run_cli(["predict", EXAMPLE_FASTA, "-o", out, "--format", fmt])
    assert res.code == 0
    assert res.err.splitlines() == [f"warning: -o {out}: the extension {out.suffix} is {implied}, "
                                    f"but --format {fmt} was given; writing {fmt}"]
    assert _format_of(out) == fmt
    quiet = run_cli(["predict", EXAMPLE_FASTA, "-o", out, "--format", fmt, "-q"])
    assert (quiet.code, quiet.err) == (0, "")


def test_the_format_help_says_the_extension_chooses_it():
    res = run_cli(["predict", "--help"])
    assert "the -o file's extension" in " ".join(res.out.split())


@pytest.mark.parametrize("name", ["out.tsv.gz", "out.csv", "out.xlsx"])
def test_an_extension_naming_what_is_not_written_gets_a_warning(tmp_path, name):
    out = tmp_path / name
    res = run_cli(["predict", SUBSET_FASTA, "-o", out])
    assert res.code == 0 and out.read_text().startswith("id\tlength\t")
    assert res.err.splitlines() == [f"warning: -o {out}: secannot does not write {out.suffix} files; writing tsv "
                                    "under that name"]

"""Inputs seen in real use: masked sequences, peptide lists, and a whole file passed where records belong."""

from __future__ import annotations

import csv
import io
import json

import pytest
from helpers import run_cli

import secannot
from secannot.errors import ExitCode
from secannot.pipeline.predictor import MAX_BATCH_RECORDS, MIN_RECORD_COST, residue_batched
from secannot.results import Record

SIGNAL = "MKWVTFISLLFLFSSAYS"  # serum albumin's signal peptide, called by the model
MATURE = "RGVFRRDAHKSEVAHRFKDLGEENFKALVLIAFAQYLQQCPFEDHVKLVNEVTEFAKTCVADESAENCDKSLHTLFGDKLCTVATLRETYGEMADCCAKQEP"


def _row(fasta: str) -> dict[str, str]:
    res = run_cli(["predict", "-"], stdin=fasta.encode())
    header, row = res.out.splitlines()[:2]
    return dict(zip(header.split("\t"), row.split("\t"), strict=True))


def test_the_unmasked_protein_has_its_signal_peptide():
    assert _row(f">albumin\n{SIGNAL}{MATURE}\n")["cleavage_site"] != ""


@pytest.mark.parametrize("masked", [
    "X" * len(SIGNAL),                       # the whole signal peptide masked
    SIGNAL[:6] + "X" * 6 + SIGNAL[12:],      # a third of it
    "B" * 5 + "Z" * 5 + SIGNAL[10:],         # ambiguity codes
    "X" * 100,                               # an unknown N-terminus of any length
], ids=["all-x", "third-x", "bz", "poly-x"])
def test_an_ambiguous_n_terminus_is_no_signal_peptide(masked):
    row = _row(f">masked\n{masked}{MATURE}\n")
    assert row["cleavage_site"] == "" and row["route"] != "classical"
    assert row["localization"] not in ("secreted", "gpi_anchored", "er_retained")
    assert row["confidence"] == "low" and "ambiguous residues" in row["evidence"]


@pytest.mark.parametrize("length", [1, 3, 30, 300])
def test_batches_hold_a_bounded_number_of_records(length):
    records = [Record(f"p{i}", "", b"M" * length, "<t>", 1) for i in range(3 * MAX_BATCH_RECORDS)]
    budget = 1 << 20
    batches = list(residue_batched(records, budget))
    assert sum(len(b) for b in batches) == len(records)
    assert all(len(b) <= MAX_BATCH_RECORDS for b in batches)
    assert all(sum(max(len(r.seq), MIN_RECORD_COST) for r in b[:-1]) < budget for b in batches)


@pytest.mark.parametrize("single", ["examples/reference.fasta", SIGNAL + MATURE, (SIGNAL + MATURE).encode()],
                         ids=["path", "str", "bytes"])
@pytest.mark.parametrize("call", [secannot.predict, secannot.annotate], ids=["predict", "annotate"])
def test_api_refuses_a_lone_string(call, single):
    with pytest.raises(TypeError, match="read_fasta"):
        call(single)


# -- tables -------------------------------------------------------------------------------------
def test_ragged_table_rows_keep_their_columns_and_are_named(tmp_path):
    table = tmp_path / "ragged.tsv"
    table.write_text(f"protein\tseq\nlong\t{SIGNAL}{MATURE}\textra\tcells\nshort\n")
    res = run_cli(["annotate", "--tsv", table, "--id-column", "protein", "--sequence-column", "seq", "--offline"])
    rows = list(csv.reader(io.StringIO(res.out), delimiter="\t"))
    assert len({len(r) for r in rows}) == 1, "every row has the header's width"
    header = rows[0]
    long_row = dict(zip(header, rows[1], strict=True))
    assert long_row["seq"].endswith("\textra\tcells"), "no cell is lost"
    assert "fields, the header has 2" in long_row["error"]
    assert f"{table}:2: long:" in res.err and "fields, the header has 2" in res.err
    assert res.code == ExitCode.REJECTED


GOOD = f"{SIGNAL}{MATURE}"


@pytest.mark.parametrize("bad, reason", [
    ("short\tsecreted", "2 fields, the header has 3"),                # a missing cell: seq reads 'secreted'
    (f"long\t{GOOD}\tx\ty", "4 fields, the header has 3"),          # an unquoted separator inside a cell
    ("only", "1 field, the header has 3"),
    (f"\t{GOOD}", "2 fields, the header has 3"),                      # the id column would be the sequence
], ids=["short", "long", "one-field", "shifted"])
@pytest.mark.parametrize("fmt", ["tsv", "jsonl"])
def test_a_ragged_row_is_named_and_not_annotated_and_good_rows_are(tmp_path, bad, reason, fmt):
    table = tmp_path / "t.tsv"
    table.write_text(f"protein\tseq\tnote\ngood1\t{GOOD}\tkept\n{bad}\ngood2\t{GOOD}\t\n")
    res = run_cli(["annotate", "--tsv", table, "--id-column", "protein", "--sequence-column", "seq",
                   "--offline", "-f", fmt])
    assert res.code == ExitCode.REJECTED
    if fmt == "tsv":
        lines = list(csv.reader(io.StringIO(res.out), delimiter="\t"))
        rows = [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]
    else:
        # the appended columns are null where TSV leaves them empty
        rows = [{k: "" if v is None else v for k, v in json.loads(line).items()} for line in res.out.splitlines()]
    assert len(rows) == 3, "every row is accounted for, in order"
    good1, ragged, good2 = rows
    for good in (good1, good2):
        assert good["error"] == "" and good["cleavage_site"] not in ("", None) and good["localization"]
    assert good1["note"] == "kept"
    assert reason in ragged["error"] and ragged["localization"] == "" and ragged["sp_prob"] == ""
    err = [line for line in res.err.splitlines() if line.startswith("error:")]
    assert len(err) == 1 and f"{table}:3: " in err[0] and reason in err[0]


def test_rows_are_named_by_the_line_they_start_on(tmp_path):
    table = tmp_path / "t.tsv"
    # a quoted cell spanning two lines: the next row starts on line 4, not on row number 3
    table.write_text(f'protein\tseq\tnote\ngood\t{GOOD}\t"two\nlines"\nragged\t{GOOD}\n')
    res = run_cli(["annotate", "--tsv", table, "--id-column", "protein", "--sequence-column", "seq", "--offline"])
    assert res.code == ExitCode.REJECTED
    assert f"{table}:4: ragged: 2 fields, the header has 3" in res.err


@pytest.mark.parametrize("cell, reason", [("MKV1LL", "invalid character"), ("", "not in the offline cache")])
def test_table_rows_that_are_not_annotated_are_named_on_stderr(tmp_path, cell, reason):
    table = tmp_path / "t.tsv"
    table.write_text(f"protein\tseq\nP15692\t{cell}\n")
    res = run_cli(["annotate", "--tsv", table, "--id-column", "protein", "--sequence-column", "seq", "--offline"],)
    assert f"{table}:2: P15692: " in res.err and reason in res.err
    assert reason in res.out.splitlines()[1]


# -- output files -------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["tsv", "parquet"])
def test_an_interrupted_run_leaves_no_output_file(tmp_path, fmt):
    from secannot.pipeline.predictor import PredictConfig
    from secannot.pipeline.runner import JobConfig, _sink

    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    out = tmp_path / f"out.{fmt}"
    config = JobConfig(predict=PredictConfig(), fmt=fmt, output=str(out))
    with pytest.raises(KeyboardInterrupt), _sink(config, None, None) as sink:
        sink.open().write("id\n" if fmt == "tsv" else b"PAR1")
        assert not out.exists(), "written beside the target, renamed into place only on success"
        assert len(list(tmp_path.iterdir())) == 1
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == [], "neither the output nor its temporary file is left"


def test_more_jobs_than_cpus_are_capped_with_a_warning(tmp_path):
    fasta = tmp_path / "a.fa"
    fasta.write_text(f">a\n{SIGNAL}{MATURE}\n")
    res = run_cli(["predict", fasta, "-j", "100000"])
    assert res.code == 0 and "more than the" in res.err and len(res.out.splitlines()) == 2


@pytest.mark.parametrize("option", ["--uniprot", "--gene"])
@pytest.mark.parametrize("value", ["", ",", " , "])
def test_an_empty_id_option_is_a_usage_error(option, value):
    res = run_cli(["predict", option, value])
    assert res.code == 2 and "needs at least one" in res.err


# -- Python API ---------------------------------------------------------------------------------
@pytest.mark.parametrize("call, error", [
    (lambda: secannot.predict({"a": SIGNAL + MATURE}), TypeError),
    (lambda: secannot.predict([SIGNAL + MATURE], nc_threshold=2), ValueError),
    (lambda: secannot.predict([SIGNAL + MATURE], nc_prior=-0.1), ValueError),
])
def test_api_checks_its_arguments_as_the_cli_does(call, error):
    with pytest.raises(error):
        call()


def test_api_takes_one_rule_directory_as_a_string(tmp_path):
    with pytest.raises(secannot.errors.InputError, match=str(tmp_path / "none")):
        secannot.annotate([SIGNAL + MATURE], rules=str(tmp_path / "none"))


def test_api_names_are_listed_for_completion():
    assert {"predict", "annotate", "read_fasta", "to_pandas"} <= set(dir(secannot))


@pytest.mark.parametrize("query", ["sp|P15692|VEGFA_HUMAN", "P15692-2", "P15692.3", "p15692", "VEGFA", "vegf"])
def test_rules_show_reads_ids_as_annotate_does(query):
    res = run_cli(["rules", "show", query, "--format", "json"])
    assert res.code == 0, res.err
    assert [e["gene"] for e in json.loads(res.out)][0] == "VEGFA"


def test_a_masked_stretch_is_not_a_transmembrane_helix():
    row = _row(f">masked_tm\nM{'X' * 40}LLLLAAA{MATURE}\n")
    claims = row["evidence"].replace("TM not called", "").replace("could hide a TM helix", "")
    assert row["tm_count"] == "0" and "TM " not in claims
    assert "ambiguous residues at 2-41 could hide a TM helix" in row["evidence"]  # nor is it read as no helix
    hydrophobic = _row(f">real_tm\nM{'X' * 20}LLLLAAALLLLLVVVIAAL{MATURE}\n")
    assert hydrophobic["tm_count"] == "1", "a real hydrophobic stretch next to a masked one is still a helix"


def test_a_helix_dropped_for_masked_residues_is_named_in_the_evidence():
    core = "LLLLLVVAILLAVLLLLAVVV"
    clean = _row(f">clean\nMGSSHHHHHHSSGLVPRGSHMASMTGGQQMGRGSEFKDEEKKRRDEEKKSG{core}KKDEEGSSTTNNPPQQ\n")
    masked = _row(f">masked\nMGSSHHHHHHSSGLVPRGSHMASMTGGQQMGRGSEFKDEEKKRRDEEKKSG{core[:7]}{'X' * 8}{core[15:]}KKDEEGSSTTNNPPQQ\n")
    assert clean["tm_count"] == "1"
    # no helix over the masked stretch is counted or listed, except in the item that says why it was not called
    listed = [e for e in masked["evidence"].split("; ") if not e.startswith("TM not called")]
    assert masked["tm_count"] == "0" and not [e for e in listed if e.startswith("TM ")]
    # a helix that a model does put over mostly masked residues is dropped and named
    from secannot.models.localization import _clear_helices
    from secannot.results import Segment

    dropped: list[Segment] = []
    seq = f"MGSSHHHHHHSSGLVPRGSHMASMTGG{'X' * 20}KKDEEG".encode()
    assert _clear_helices(seq, [Segment(28, 47, "in->out")], dropped) == () and dropped == [Segment(28, 47, "in->out")]

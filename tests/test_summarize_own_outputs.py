"""summarize reads what secannot itself wrote: ``annotate --tsv`` tables (TSV or CSV, with
``secannot_``-prefixed columns and quoted multi-line cells), their JSON Lines, and Parquet files and
part directories; rows that were not annotated are skipped with one warning naming their line."""

from __future__ import annotations

import csv
import json
import sys

import pytest
from Bio import SeqIO
from helpers import EXAMPLE_FASTA, run_cli

GOOD = ("P15692", "P00533", "P04406")  # VEGFA, EGFR, GAPDH: three distinct proteins


def _sequences() -> dict[str, str]:
    return {rec.id.split("|")[1]: str(rec.seq) for rec in SeqIO.parse(EXAMPLE_FASTA, "fasta")}


def _table(tmp_path, sep: str):
    """A user table with its own ``id`` column (so annotate prefixes ours), a multi-line quoted note,
    a row whose sequence is not a protein (line 5) and one with no id (line 6)."""
    seqs = _sequences()
    rows = [["id", "protein", "seq", "note"],
            ["u1", GOOD[0], seqs[GOOD[0]], "two\nlines"],  # lines 2-3
            ["u2", GOOD[1], seqs[GOOD[1]], "ok"],  # line 4
            ["u3", "P99999", "12345", "bad sequence"],  # line 5
            ["u4", "", seqs[GOOD[2]], "no id"],  # line 6
            ["u5", GOOD[2], seqs[GOOD[2]], "ok"]]  # line 7
    path = tmp_path / ("t.tsv" if sep == "\t" else "t.csv")
    with open(path, "w", newline="") as fh:
        csv.writer(fh, delimiter=sep, lineterminator="\n").writerows(rows)
    return path


def _summary(path) -> tuple[dict, str]:
    res = run_cli(["summarize", path, "--format", "json", "--offline"])
    assert res.code == 0, res.err
    return json.loads(res.out), res.err


@pytest.mark.parametrize("sep", ["\t", ","], ids=["tsv", "csv"])
@pytest.mark.parametrize(("fmt", "bad_lines"), [("tsv", (5, 6)), ("jsonl", (3, 4))])  # JSONL: a line per row
def test_summarize_reads_annotate_tsv_output(tmp_path, sep, fmt, bad_lines):
    table = _table(tmp_path, sep)
    out = tmp_path / f"annotated.{fmt}"
    res = run_cli(["annotate", "--tsv", table, "--id-column", "protein", "--sequence-column", "seq", "--offline",
                   "--format", fmt, "-o", out])
    assert res.code == 3, res.err  # the two bad rows were rejected, and kept in the table
    doc, err = _summary(out)
    assert doc["summary"]["input_size"] == len(GOOD)
    genes = {g for row in doc["rows"] if row["section"] == "route" for g in row["genes"]}
    assert genes == {"VEGFA", "EGFR", "P04406"}  # offline, a bare accession gets no gene symbol for GAPDH
    warnings = [line for line in err.splitlines() if "skipped" in line]
    assert len(warnings) == 2, err
    assert f"line {bad_lines[0]}: skipped (not annotated" in warnings[0] and "sequence" in warnings[0]
    assert f"line {bad_lines[1]}: skipped" in warnings[1] and "empty id" in warnings[1]


def test_table_output_with_every_row_unannotated_is_an_input_error(tmp_path):
    table = tmp_path / "t.tsv"
    table.write_text("protein\tseq\nP1\t123\n")
    out = tmp_path / "a.tsv"
    run_cli(["annotate", "--tsv", table, "--id-column", "protein", "--sequence-column", "seq", "--offline", "-o", out])
    res = run_cli(["summarize", out, "--offline"])
    assert res.code == 4
    assert "line 2: skipped" in res.err and "no record could be summarized" in res.err


def _parquet(tmp_path, name: str, keep) -> None:
    records = [r for r in SeqIO.parse(EXAMPLE_FASTA, "fasta") if r.id.split("|")[1] in keep]
    fasta = tmp_path / f"{name}.fasta"
    SeqIO.write(records, fasta, "fasta")
    res = run_cli(["annotate", fasta, "--format", "parquet", "-o", tmp_path / name, "--offline"])
    assert res.code == 0, res.err


@pytest.mark.parametrize("layout", ["file", "part-directory"])
def test_summarize_reads_parquet(tmp_path, layout):
    pytest.importorskip("pyarrow")
    if layout == "file":
        _parquet(tmp_path, "hits.parquet", GOOD)
        path = tmp_path / "hits.parquet"
    else:
        (tmp_path / "parts").mkdir()
        _parquet(tmp_path, "parts/part-00000.parquet", GOOD[:2])
        _parquet(tmp_path, "parts/part-00001.parquet", GOOD[2:])
        path = tmp_path / "parts"
    doc, _ = _summary(path)
    assert doc["summary"]["input_size"] == len(GOOD)
    genes = {g for row in doc["rows"] if row["section"] == "route" for g in row["genes"]}
    assert genes == {"VEGFA", "EGFR", "GAPDH"}
    assert doc["provenance"].get("hits_organism") == ["eukarya"]  # read from the Parquet metadata


def test_parquet_without_pyarrow_exits_7_with_hint(tmp_path, monkeypatch):
    pytest.importorskip("pyarrow")
    _parquet(tmp_path, "hits.parquet", GOOD)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # as if the extra were not installed
    res = run_cli(["summarize", tmp_path / "hits.parquet", "--offline"])
    assert res.code == 7
    assert "pip install 'secannot[parquet]'" in res.err


_TABLE_HEAD = "protein,id,route,localization,cell_sources,processes,clinical,error\n"
_TABLE_ROW = "P{0},P{0},classical,secreted,CAF,angiogenesis,,\n"
_OWN_HEAD = "id\troute\tlocalization\tcell_sources\tprocesses\tclinical\n"


@pytest.mark.parametrize(("name", "text", "message"), [
    pytest.param("t.csv", _TABLE_HEAD + _TABLE_ROW.format(1) + '"oops,P2,classical,secreted,,,,\n'
                 + _TABLE_ROW.format(3) + 'x"y,P4,classical,secreted,,,,\n' + _TABLE_ROW.format(5),
                 r"t.csv:3: malformed quote \(text follows the \" that closes a quoted cell, on line 5",
                 id="text-after-closing-quote"),
    pytest.param("t.csv", _TABLE_HEAD + _TABLE_ROW.format(1) + _TABLE_ROW.format(2).replace(",,\n", ',"open\n'),
                 r"t.csv:3: unterminated quote", id="quote-never-closes"),
    pytest.param("t.csv", _TABLE_HEAD + "\n" + _TABLE_ROW.format(1) + "P2,P2,classical\n",
                 r"t.csv:4: 3 fields, the header has 8", id="ragged-after-blank-line"),
    pytest.param("own.tsv", _OWN_HEAD + "a\tclassical\tsecreted\t\t\t\n" + "b\tnone\n",
                 r"own.tsv:3: 2 fields, the header has 6", id="own-tsv-ragged"),
])
def test_tables_are_read_as_io_tables_reads_them(tmp_path, name, text, message):
    """annotate --tsv tables and secannot's TSV go through io.tables: strict quotes, rows named by line."""
    from secannot.errors import InputError
    from secannot.io.annotated import load_annotated

    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        load_annotated(path)


@pytest.mark.parametrize(("text", "ids"), [
    (_OWN_HEAD + '"a\tclassical\tsecreted\t\t\t\n"b"\tnone\tintracellular\t\t\t\n', ['"a', '"b"']),
    (_OWN_HEAD + "a\tclassical\tsecreted\t\t\t\n\t\t\n \t\n", ["a"]),
], ids=["quote-is-text", "blank-lines-of-tabs"])
def test_own_tsv_is_read_unquoted_and_skips_blank_lines(tmp_path, text, ids):
    """secannot's own TSV is written without quoting: a leading quote is part of the id; a line of only
    delimiters is blank (as io.tables reads every table)."""
    from secannot.io.annotated import load_annotated

    path = tmp_path / "own.tsv"
    path.write_text(text)
    assert [r["id"] for r in load_annotated(path)] == ids

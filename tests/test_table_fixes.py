"""Table and id-list faults: a quote that closes with text after it (#1), JSON types in
``annotate --tsv -f jsonl`` (#6), the line in the ``error`` cell (#7), and bytes that are not UTF-8 in id
lists and tables (#8).
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from helpers import ALBUMIN, run_cli

from secannot.columns import ANNOTATE_COLUMNS
from secannot.errors import ExitCode
from secannot.io.tables import read_header, table_rows, text_lines

SP = "MKWVTFISLLFLFSSAYSRGVFRRDAHKSEVAHRFKDLGEENFKALVLIAFAQYLQQCPFEDHVKLVNEVTEFAKTCVADESAENCDKSLHTLFGDK"
SEPARATORS = [pytest.param("\t", id="tab"), pytest.param(",", id="comma"), pytest.param(";", id="semicolon")]


def _errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error:")]


def _rows(text: str, sep: str | None = None):
    lines = text_lines(io.BytesIO(text.encode()))
    sep, header = read_header(lines, sep)
    return list(table_rows(lines, sep, len(header)))


# -- #1 text after a closing quote -----------------------------------------------------------------
@pytest.mark.parametrize("sep", SEPARATORS)
def test_a_quote_closing_lines_later_with_text_after_it_rejects_its_row_only(sep):
    rows = _rows(f'name{sep}protein{sep}note\nA{sep}P05067{sep}"oops\nB{sep}P52789{sep}fine\n'
                 f'C{sep}P15692{sep}x"y\n')
    assert [(r.line, r.cells) for r in rows] == [(2, ["A", "P05067", '"oops']), (3, ["B", "P52789", "fine"]),
                                                 (4, ["C", "P15692", 'x"y'])]
    assert "malformed quote" in rows[0].ragged_reason("checked") and "line 4" in rows[0].problem
    assert [r.problem for r in rows[1:]] == [None, None]


@pytest.mark.parametrize("text, expected", [
    pytest.param('a\tb\n1\t"ab"c\n2\t3\n', [(2, '"ab"c', True), (3, "3", False)], id="same-line"),
    pytest.param('a\tb\n1\t"ab"c\n2\t"q\nr"\n3\t4\n', [(2, '"ab"c', True), (3, "q\nr", False), (5, "4", False)],
                 id="later-quoted-cell-still-read"),
    pytest.param('a\tb\n1\t"x\ny"\n2\t3\n', [(2, "x\ny", False), (4, "3", False)], id="well-formed-spanning"),
])
def test_only_malformed_quotes_are_rejected(text, expected):
    assert [(r.line, r.cells[1], r.problem is not None) for r in _rows(text)] == expected


def test_check_and_annotate_flag_the_malformed_quote_and_keep_the_rows_after_it(tmp_path):
    table = tmp_path / "quote.tsv"
    table.write_text(f'name\tseq\tnote\nA\t{SP}\t"oops\nB\t{SP}\tfine\nC\t{SP[:40]}\tx"y\n')
    res = run_cli(["check", table, "--id-column", "name", "--allow-genes"])
    assert res.code == ExitCode.REJECTED
    assert _errors(res.err) == [_errors(res.err)[0]] and f"{table}:2: A: malformed quote" in res.err
    res = run_cli(["annotate", "--tsv", table, "--id-column", "name", "--sequence-column", "seq", "--offline",
                   "-f", "jsonl"])
    assert res.code == ExitCode.REJECTED
    rows = [json.loads(line) for line in res.out.splitlines()]
    assert [(r["name"], r["note"]) for r in rows] == [("A", '"oops'), ("B", "fine"), ("C", 'x"y')]
    assert "malformed quote" in rows[0]["error"] and rows[1]["error"] is None and rows[1]["localization"]


# -- #6 JSON types of the appended columns -----------------------------------------------------------
def test_annotate_tsv_jsonl_types_match_plain_annotate_jsonl(tmp_path):
    table = tmp_path / "t.tsv"
    table.write_text(f"name\tseq\tscore\nA\t{SP}\t5\nB\t{SP[:40]}\t\n")
    fasta = tmp_path / "t.fasta"
    fasta.write_text(f">A A GN=A\n{SP}\n>B B GN=B\n{SP[:40]}\n")
    res = run_cli(["annotate", "--tsv", table, "--id-column", "name", "--sequence-column", "seq", "--offline",
                   "-f", "jsonl"])
    plain = run_cli(["annotate", fasta, "--offline", "-f", "jsonl"])
    assert res.code == plain.code == ExitCode.OK
    rows = [json.loads(line) for line in res.out.splitlines()]
    expected = [json.loads(line) for line in plain.out.splitlines()]
    # rules_version: plain JSONL overwrites that column with the provenance's version (a separate defect, #12)
    names = [c.name for c in ANNOTATE_COLUMNS if c.name != "rules_version"]
    for row, want in zip(rows, expected, strict=True):
        assert {n: row[n] for n in names} == {n: want[n] for n in names}
    assert isinstance(rows[0]["length"], int) and isinstance(rows[0]["sp_prob"], float)
    assert rows[0]["nc_score"] is None and isinstance(rows[0]["processes"], list) and rows[0]["error"] is None
    assert rows[0]["score"] == "5" and rows[1]["score"] == ""  # the user's own columns stay strings


def test_annotate_tsv_jsonl_unannotated_row_has_nulls_and_its_error(tmp_path):
    table = tmp_path / "t.tsv"
    table.write_text(f"name\tseq\nA\t{SP}\n\tMKV\n")
    res = run_cli(["annotate", "--tsv", table, "--id-column", "name", "--sequence-column", "seq", "--offline",
                   "-f", "jsonl"])
    bad = [json.loads(line) for line in res.out.splitlines()][1]
    assert bad["name"] == "" and bad["seq"] == "MKV"
    assert all(bad[c.name] is None for c in ANNOTATE_COLUMNS) and "empty id" in bad["error"]


# -- #7 the error cell names the line -----------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["tsv", "jsonl"])
def test_error_cell_is_the_stderr_line_with_file_and_line(tmp_path, fmt):
    table = tmp_path / "t.tsv"
    # line 3 blank, line 4 ragged, line 5 empty id, line 6 a bad sequence: lines an output row count cannot give
    table.write_text(f"name\tseq\tnote\nA\t{SP}\tx\n\nB\t{SP}\n\t{SP}\ty\nD\tMKV1\tz\n")
    res = run_cli(["annotate", "--tsv", table, "--id-column", "name", "--sequence-column", "seq", "--offline",
                   "-f", fmt])
    assert res.code == ExitCode.REJECTED
    if fmt == "tsv":
        header, *body = list(csv.reader(io.StringIO(res.out), delimiter="\t"))
        cells = [dict(zip(header, r, strict=True))["error"] for r in body]
    else:
        cells = [json.loads(line)["error"] or "" for line in res.out.splitlines()]
    assert cells[0] == ""
    assert [f"error: {c}" for c in cells[1:]] == _errors(res.err)
    assert cells[1].startswith(f"{table}:4: B: 2 fields, the header has 3")
    assert cells[2].startswith(f"{table}:5: ") and "empty id" in cells[2]
    assert cells[3].startswith(f"{table}:6: D: ") and "invalid character" in cells[3]


def test_an_empty_id_error_cell_has_the_file_line_id_reason_shape(tmp_path):
    table = tmp_path / "q.tsv"
    table.write_text(f"protein\tseq\nA\t{ALBUMIN}\n\t{ALBUMIN}\n")
    res = run_cli(["annotate", "--tsv", table, "--id-column", "protein", "--sequence-column", "seq", "--offline"])
    rows = list(csv.reader(io.StringIO(res.out), delimiter="\t"))
    error = rows[2][-1]
    assert error == f"{table}:3: (empty): empty id"
    assert f"error: {error}" in res.err


# -- #8 bytes that are not UTF-8 -----------------------------------------------------------------------
def test_check_shows_a_non_utf8_byte_in_an_id_list_as_that_byte(tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_bytes(b"P0\xe96\nP05067\n")
    res = run_cli(["check", ids])
    assert res.out.splitlines() == [f"{ids}:1: P0\\xe96: not a valid UniProt accession"]


@pytest.mark.parametrize("sep", SEPARATORS)
def test_check_shows_a_non_utf8_byte_in_a_table_id_as_that_byte(tmp_path, sep):
    table = tmp_path / "t.csv"
    table.write_bytes(f"name{sep}prot\xe9ine\nA{sep}P0\xe96\nB{sep}P05067\n".encode("cp1252"))
    res = run_cli(["check", table, "--id-column", "protéine"])  # the header read as Windows-1252 still matches
    assert res.out.splitlines() == [f"{table}:2: P0\\xe96: not a valid UniProt accession"]


def test_annotate_tsv_names_a_non_utf8_id_as_that_byte_and_keeps_the_cell(tmp_path):
    table = tmp_path / "t.tsv"
    table.write_bytes(b"name\tprotein\nA\xe9\tP0\xe96\n")
    res = run_cli(["annotate", "--tsv", table, "--id-column", "protein", "--offline"])
    assert res.code == ExitCode.REJECTED
    header, row = list(csv.reader(io.StringIO(res.out), delimiter="\t"))
    assert row[:2] == ["A\u00e9", "P0\u00e96"]  # the user's cells written back as Windows-1252 reads them
    assert row[header.index("error")].startswith(f"{table}:2: P0\\xe96: ")
    assert _errors(res.err) == [f"error: {row[header.index('error')]}"]


def test_annotate_tsv_record_from_a_sequence_cell_names_the_byte(tmp_path):
    table = tmp_path / "t.tsv"
    table.write_bytes(b"name\tseq\nA\xe9\t" + SP.encode() + b"\n")
    res = run_cli(["annotate", "--tsv", table, "--id-column", "name", "--sequence-column", "seq", "--offline",
                   "-f", "jsonl"])
    assert res.code == ExitCode.OK
    row = json.loads(res.out)
    assert row["name"] == "A\u00e9" and row["id"] == "A\\xe9" and row["localization"]


@pytest.mark.parametrize("bad", ['"x"y', '"never closed'], ids=["text-after-quote", "unterminated"])
def test_thousands_of_malformed_rows_are_each_named_without_a_traceback(bad):
    """Each malformed row restarts the reader; that must not nest (5,000 of them once hit the recursion limit)."""
    n = 5000
    text = "name\tprotein\tnote\n" + "".join(f"A{i}\tP05067\t{bad}\n" for i in range(n)) + "Z\tP01308\tok\n"
    rows = _rows(text, "\t")
    assert len(rows) == n + 1, "every line is a row: none swallowed"
    assert rows[-1].cells[0] == "Z" and rows[-1].problem is None, "the good row after them is still read"
    # every one of them holds a stray quote (one row's opening quote closes on the next line, text after it)
    assert sum(r.problem is not None for r in rows) == n

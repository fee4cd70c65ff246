"""Ids in messages are escaped by one function everywhere (check findings, table rows, FASTA, the API),
and check keeps stdout for findings: errors of the run (UniProt, the offline cache) go to stderr."""

from __future__ import annotations

import pytest
from helpers import run_cli

import secannot
from secannot.errors import InputError
from secannot.io.diagnostics import escape_id

ODD = [("nul", "P1\x00X", "P1\\x00X"), ("ansi", "P1\x1b[31mX", "P1\\x1b[31mX"), ("tab", "P1\tX", "P1\\tX"),
       ("zero-width", "P1\u200bX", "P1\\u200bX"), ("newline", "P1\nX", "P1\\nX"),
       ("line-separator", "P1\u2028X", "P1\\u2028X"), ("undecodable-byte", "P1\udc81X", "P1\\x81X"),
       ("colon-space", "sp|X: Y", "sp|X:\\x20Y")]  # messages read file:line: id: reason


@pytest.mark.parametrize(("raw", "shown"), [(r, s) for _, r, s in ODD], ids=[n for n, _, _ in ODD])
def test_escape_id(raw, shown):
    assert escape_id(raw) == shown
    assert escape_id(shown) == shown  # printable text is left alone


@pytest.mark.parametrize(("raw", "shown"), [(r, s) for n, r, s in ODD if n != "undecodable-byte"],
                         ids=[n for n, _, _ in ODD if n != "undecodable-byte"])
def test_check_findings_show_ids_escaped_on_one_line(tmp_path, raw, shown):
    table = tmp_path / "t.tsv"
    cell = '"' + raw + '"' if "\n" in raw or "\t" in raw else raw  # a quoted cell may hold a tab or line break
    table.write_text(f"protein\tnote\n{cell}\tx\nP15692\ty\n", encoding="utf-8")
    res = run_cli(["check", table, "--id-column", "protein"])
    assert res.code == 1, res.err
    lines = res.out.splitlines()
    assert lines == [f"{table}:2: {shown}: not a valid UniProt accession"]


@pytest.mark.parametrize(("raw", "shown"), [(r, s) for n, r, s in ODD if n not in ("tab", "newline", "undecodable-byte")],
                         ids=[n for n, _, _ in ODD if n not in ("tab", "newline", "undecodable-byte")])
def test_id_list_findings_escaped(tmp_path, raw, shown):
    ids = tmp_path / "ids.txt"
    ids.write_text(f"{raw}\n", encoding="utf-8")
    res = run_cli(["check", ids])
    assert res.out == f"{ids}:1: {shown}: not a valid UniProt accession\n"


@pytest.mark.parametrize(("raw", "shown"), [("a\x00b", "a\\x00b"), ("a\x1bb", "a\\x1bb"), ("a\u202eb", "a\\u202eb")])
def test_api_error_shows_the_id_escaped(raw, shown):
    with pytest.raises(InputError) as info:
        secannot.predict([(raw, "MKKLLPTAAAGLLLLAAQPAMA")])
    message = str(info.value)
    assert shown in message and raw not in message
    assert message.isprintable()


def test_check_offline_cache_miss_goes_to_stderr(tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("P15692\nnot-an-id!\n")
    res = run_cli(["check", "--require", "secreted", ids, "--offline"])
    assert res.code == 6
    assert res.out == f"{ids}:2: not-an-id!: not a valid UniProt accession\n"  # only the list's own finding
    assert f"error: {ids}:1: P15692: cannot check --require: not in the offline cache" in res.err


@pytest.mark.parametrize(("args", "table", "expected"), [
    (["annotate", "--tsv", "{t}", "--id-column", "protein", "--sequence-column", "seq", "--offline"],
     "protein\tseq\nsp|X: Y\tMK1\n", "{t}:2: sp|X:\\x20Y: sequence: invalid character(s) '1'"),
    (["annotate", "--tsv", "{t}", "--id-column", "protein", "--offline"], "protein\nA: B\n",
     "{t}:2: A:\\x20B: not a gene symbol"),
    (["predict", "--uniprot", "X: Y", "--offline"], None, "--uniprot: X:\\x20Y: contains whitespace"),
    (["predict", "--gene", "X: Y", "--offline"], None, "--gene: X:\\x20Y: not a gene symbol"),
], ids=["table-sequence", "table-id", "uniprot-option", "gene-option"])
def test_colon_space_in_an_id_cannot_end_it_early(tmp_path, args, table, expected):
    """'error: file:line: id: reason': a ': ' inside the id is shown ':\\x20', so the first ': ' after the
    location ends the id, on stderr and in the annotate --tsv error cell (README: the reason follows the third ': ')."""
    path = tmp_path / "t.tsv"
    if table is not None:
        path.write_text(table)
    res = run_cli([a.format(t=path) for a in args])
    assert res.code == 3
    line = next(x for x in res.err.splitlines() if x.startswith("error: "))
    assert line.startswith("error: " + expected.format(t=path)), line
    if table is not None:  # the error cell holds the same line; the id cell keeps the id as written
        row = res.out.splitlines()[1].split("\t")
        assert row[-1] == line.removeprefix("error: ")
        assert row[0] == table.splitlines()[1].split("\t")[0]


def test_api_error_shows_colon_space_in_an_id_escaped():
    with pytest.raises(InputError, match=r"^record 1 \(a:\\x20b\): id contains whitespace"):
        secannot.predict([("a: b", "MKKLLPTAAAGLLLLAAQPAMA")])


def test_a_table_id_with_colon_space_is_kept_as_written_in_the_output(tmp_path):
    """Escaping ': ' is for messages only: the id column (data) keeps the id."""
    path = tmp_path / "t.tsv"
    path.write_text("protein\tseq\nIL: 6\tMKKLLPTAAAGLLLLAAQPAMA\n")
    res = run_cli(["annotate", "--tsv", path, "--id-column", "protein", "--sequence-column", "seq", "--offline"])
    header, row = (line.split("\t") for line in res.out.splitlines())
    assert res.code == 0 and row[header.index("id")] == "IL: 6"


@pytest.mark.parametrize("via_stdin", [False, True], ids=["file", "stdin"])
@pytest.mark.parametrize(("option", "line", "shown", "reason"), [
    ("--uniprot-list", b"P0\xe96", "P0\\xe96", "not a UniProt accession"),
    ("--gene-list", b"IL\xe96", "IL\\xe96", "not a gene symbol (a byte that is not UTF-8)"),
], ids=["accessions", "genes"])
def test_id_list_names_a_non_utf8_byte_as_that_byte(tmp_path, via_stdin, option, line, shown, reason):
    """A byte that is not UTF-8 in an id list is shown \\xNN, as in FASTA ids, tables and --uniprot values;
    not as the Windows-1252 letter (file) or U+FFFD (stdin), and a gene symbol holding one is never sent."""
    ids = tmp_path / "ids.txt"
    ids.write_bytes(b"# ids\n" + line + b"\n")
    res = run_cli(["predict", option, "-" if via_stdin else ids, "--offline"], stdin=ids.read_bytes())
    where = "<stdin>" if via_stdin else str(ids)
    assert res.code == 3
    assert res.err == f"error: {where}:2: {shown}: {reason}" + ("\n" if "gene" in option else
                                                              " (expected e.g. P05067, P05067-2 or A0A0A0MRG2)\n")


def test_gene_option_with_a_non_utf8_byte_is_rejected_not_a_traceback():
    res = run_cli(["predict", "--gene", b"IL\xe96".decode("utf-8", "surrogateescape"), "--offline"])
    assert res.code == 3
    assert res.err == "error: --gene: IL\\xe96: not a gene symbol (a byte that is not UTF-8)\n"


def test_background_list_names_a_non_utf8_byte_as_that_byte(tmp_path, annotated_example):
    background = tmp_path / "bg.txt"
    background.write_bytes(b"IL\xe96\n")
    res = run_cli(["summarize", annotated_example, "--background", background, "--offline"])
    assert f"error: {background}:1: IL\\xe96: not a gene symbol (a byte that is not UTF-8)" in res.err, res.err

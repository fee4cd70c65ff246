"""Broken table shapes (short, long and multi-line rows; blank lines are no rows) in `check --id-column` and `annotate --tsv`.

Both commands read a table through ``secannot.io.tables``: a ragged row is named by the file line it
starts on with both field counts, is not read by column, and the good rows around it still go through.
"""

from __future__ import annotations

import csv
import io

import pytest
from helpers import run_cli

from secannot.errors import ExitCode
from secannot.io.tables import read_header, table_rows, text_lines

GOOD = ("MKWVTFISLLFLFSSAYS"  # serum albumin's signal peptide, then its mature start
        "RGVFRRDAHKSEVAHRFKDLGEENFKALVLIAFAQYLQQCPFEDHVKLVNEVTEFAKTCVADESAENCDKSLHTLFGDKLCTVATLRETYGEMADCCAKQEP")
HEADER = "accession\tseq\tnote"

# (the broken row, the reason that names it); the header above has 3 fields
BROKEN = [
    pytest.param("P05067\tsecreted", "2 fields, the header has 3", id="short"),  # a missing cell
    pytest.param(f"P05067\t{GOOD}\tx\ty", "4 fields, the header has 3", id="long"),  # an unquoted separator
    pytest.param("P05067", "1 field, the header has 3", id="one-field"),
    pytest.param(f"\t{GOOD}", "2 fields, the header has 3", id="shifted"),  # the id column holds nothing
]


def _errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error:")]


def _rows(text: str, sep: str = "\t") -> list[tuple[int, list[str], str | None]]:
    lines = text_lines(io.BytesIO(text.encode()))
    head = read_header(lines, sep)
    assert head is not None
    return [(r.line, r.cells, r.shape) for r in table_rows(lines, head[0], len(head[1]))]


def test_rows_carry_the_line_they_start_on_and_their_shape():
    text = 'a\tb\n1\t2\n"x\ny"\t3\n\n4\n5\t6\t7\n8\t9\n'
    assert _rows(text) == [
        (2, ["1", "2"], None),
        (3, ["x\ny", "3"], None),  # spans lines 3 and 4
        (6, ["4"], "1 field, the header has 2"),
        (7, ["5", "6", "7"], "3 fields, the header has 2"),
        (8, ["8", "9"], None),
    ]


def test_crlf_and_a_byte_order_mark_do_not_change_the_numbers():
    lines = text_lines(io.BytesIO(b"\xef\xbb\xbfa,b\r\n1,2\r\n\r\n3\r\n4,5\r\n"))
    sep, header = read_header(lines, None)
    assert (sep, header) == (",", ["a", "b"])
    assert [(r.line, r.shape) for r in table_rows(lines, sep, 2)] == [
        (2, None), (4, "1 field, the header has 2"), (5, None)]


@pytest.mark.parametrize("bad, reason", BROKEN)
def test_check_names_a_ragged_row_and_checks_the_others(tmp_path, bad, reason):
    table = tmp_path / "t.tsv"
    # line 4 repeats line 2 and line 5 is no accession: both findings prove the rows after it were checked
    table.write_text(f"{HEADER}\nP07288\t{GOOD}\tok\n{bad}\nP07288\t{GOOD}\t\nnot-an-id!\t{GOOD}\t\n")
    res = run_cli(["check", table, "--id-column", "accession"])
    assert res.code == ExitCode.REJECTED, "a rejected row (3) wins over findings (1)"
    err = _errors(res.err)
    assert len(err) == 1 and err[0].startswith(f"error: {table}:3: ") and reason in err[0]
    assert res.out.splitlines() == [
        f"{table}:4: P07288: duplicate of line 2",
        f"{table}:5: not-an-id!: not a valid UniProt accession",
    ]


@pytest.mark.parametrize("bad, reason", BROKEN)
def test_a_ragged_row_alone_still_fails_check(tmp_path, bad, reason):
    table = tmp_path / "t.tsv"
    table.write_text(f"{HEADER}\nP07288\t{GOOD}\tok\n{bad}\nP01308\t{GOOD}\t\n")
    res = run_cli(["check", table, "--id-column", "accession"])
    assert res.code == ExitCode.REJECTED and res.out == ""
    err = _errors(res.err)
    assert len(err) == 1 and err[0].startswith(f"error: {table}:3: ") and reason in err[0]


def test_a_ragged_rows_guessed_id_is_not_a_duplicate(tmp_path):
    table = tmp_path / "t.csv"
    # the short row's only cell stands where the id column is, but it is not read as an id
    table.write_text("accession,note\nP07288\nP07288,first well-formed row\n")
    res = run_cli(["check", table, "--id-column", "accession"])
    assert res.code == ExitCode.REJECTED and "duplicate" not in res.out + res.err
    assert _errors(res.err) == [f"error: {table}:2: P07288: 1 field, the header has 2: a ragged row is not "
                                "checked (which cell holds the id would be a guess)"]


def test_check_numbers_rows_by_the_line_they_start_on(tmp_path):
    table = tmp_path / "t.tsv"
    # row 2 spans lines 3-5: the next rows start on lines 6 and 7, not on rows 3 and 4
    table.write_text(f'{HEADER}\nP07288\t{GOOD}\tok\nP01308\t{GOOD}\t"three\nline\nnote"\n'
                     f"P07288\t{GOOD}\t\nP05067\t{GOOD}\n")
    res = run_cli(["check", table, "--id-column", "accession"])
    assert res.out.splitlines() == [f"{table}:6: P07288: duplicate of line 2"]
    assert _errors(res.err) == [f"error: {table}:7: P05067: 2 fields, the header has 3: a ragged row is not "
                                "checked (which cell holds the id would be a guess)"]
    assert res.code == ExitCode.REJECTED


@pytest.mark.parametrize("bad, reason, line", [
    *(pytest.param(*p.values, 3, id=p.id) for p in BROKEN),
    pytest.param(f'P05067\t{GOOD}\t"a note\nover two lines"\nP01308\t{GOOD}', "2 fields, the header has 3", 5,
                 id="after-multi-line-cell"),
])
def test_check_and_annotate_name_the_same_line(tmp_path, bad, reason, line):
    table = tmp_path / "t.tsv"
    table.write_text(f"{HEADER}\nP07288\t{GOOD}\tok\n{bad}\nP01308\t{GOOD}\t\n")
    checked = run_cli(["check", table, "--id-column", "accession"])
    annotated = run_cli(["annotate", "--tsv", table, "--id-column", "accession", "--sequence-column", "seq",
                         "--offline"])
    assert checked.code == annotated.code == ExitCode.REJECTED
    for res in (checked, annotated):
        err = _errors(res.err)
        assert len(err) == 1 and err[0].startswith(f"error: {table}:{line}: ") and reason in err[0]


def test_check_reads_a_mixed_encoding_table_as_annotate_does(tmp_path):
    table = tmp_path / "t.csv"
    # one UTF-8 id and one Windows-1252 id: the UTF-8 letter stays a letter, the other byte is named as the
    # byte it is (as in FASTA ids), in check's findings and in annotate's id column alike
    table.write_bytes(b"protein,seq\nprot_\xc3\xa9," + GOOD.encode() + b"\nprot_\xe8," + GOOD.encode() + b"\n")
    res = run_cli(["check", table, "--id-column", "protein"])
    named = [line.split(": ")[1] for line in res.out.splitlines()]
    assert named == ["prot_\u00e9", "prot_\\xe8"]
    out = run_cli(["annotate", "--tsv", table, "--id-column", "protein", "--sequence-column", "seq"]).out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["id"] for r in rows] == named
    assert [r["protein"] for r in rows] == ["prot_\u00e9", "prot_\u00e8"]  # the user's cells, as Windows-1252 reads them


@pytest.mark.parametrize("blank", ["\n", "\n\n", "\r\n"], ids=["one", "two", "crlf"])
def test_blank_lines_are_no_rows_in_check_or_annotate(tmp_path, blank):
    """A blank line (often trailing) holds no record: neither command rejects it, and later lines keep their numbers."""
    table = tmp_path / "t.tsv"
    table.write_text(f"{HEADER}\nP07288\t{GOOD}\tok\n{blank}P07288\t{GOOD}\t\n{blank}", newline="")
    dup_line = 3 + blank.count("\n")
    res = run_cli(["check", table, "--id-column", "accession"])
    assert not _errors(res.err)
    assert res.out.splitlines() == [f"{table}:{dup_line}: P07288: duplicate of line 2"]
    res = run_cli(["annotate", "--tsv", table, "--id-column", "accession", "--sequence-column", "seq", "--offline"])
    assert res.code == ExitCode.OK and not _errors(res.err)
    rows = list(csv.reader(io.StringIO(res.out), delimiter="\t"))
    assert len(rows) == 3 and all(r[0] == "P07288" for r in rows[1:])


@pytest.mark.parametrize("odd", ["\x0c", "\x85", "\u2028", "\x1c"], ids=["form-feed", "nel", "line-separator", "fs"])
def test_id_list_line_numbers_count_only_real_line_breaks(tmp_path, odd):
    """A form feed or Unicode line separator inside a line is no line break, as an editor shows the file."""
    ids = tmp_path / "ids.txt"
    ids.write_bytes(f"P07288 # from{odd}a paper\nP07288\n".encode())
    res = run_cli(["check", ids])
    assert f"{ids}:2: P07288: duplicate of line 1" in res.out

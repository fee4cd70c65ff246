"""FASTA input: real files, compression, CRLF, stdin, and every kind of broken input."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import random

import pytest
from Bio.SeqIO.FastaIO import SimpleFastaParser
from helpers import shared_path

from secannot.errors import ExitCode, InputError
from secannot.io.diagnostics import Diagnostics, Rejection
from secannot.io.fasta import Record, iter_records, parse_fasta

GOOD = b">a first protein\nMKVLAAGIVALLLAAGCSSA\nKKEE\n>b\nMSTNPKPQRKTKRNTNRRPQ\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00\x90\x91h6"


def parse(data: bytes) -> list[Record | Rejection]:
    return list(parse_fasta(io.BytesIO(data), "test.fa"))


def test_plain_records_and_line_numbers():
    items = parse(GOOD)
    assert [r.id for r in items] == ["a", "b"]
    assert items[0].description == "a first protein"
    assert items[0].sequence == "MKVLAAGIVALLLAAGCSSAKKEE"
    assert [r.line for r in items] == [1, 4]


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda b: b, id="plain"),
        pytest.param(lambda b: b.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(gzip.compress, id="gzip"),
        pytest.param(bz2.compress, id="bzip2"),
        pytest.param(lzma.compress, id="xz"),
        pytest.param(lambda b: b.lower().replace(b">a first protein", b">a first protein"), id="lowercase"),
        pytest.param(lambda b: b"\n\n" + b, id="leading-blank-lines"),
        pytest.param(lambda b: b"\xef\xbb\xbf" + b, id="utf8-bom"),
        pytest.param(lambda b: b.replace(b"KKEE\n", b"KKEE*\n"), id="terminal-stop"),
    ],
)
def test_accepted_encodings(tmp_path, transform):
    path = tmp_path / "in.fa"
    path.write_bytes(transform(GOOD))
    diag = Diagnostics(io.StringIO())
    records = list(iter_records([str(path)], diag))
    assert [r.sequence for r in records] == ["MKVLAAGIVALLLAAGCSSAKKEE", "MSTNPKPQRKTKRNTNRRPQ"]
    assert diag.exit_code == ExitCode.OK


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "empty input", id="empty"),
        pytest.param(b"\n  \n", "empty input", id="whitespace-only"),
        pytest.param(b"just some notes\nnot a protein\n", "line 1 does not start with '>'", id="text"),
        pytest.param(PNG, "binary data", id="png"),
        pytest.param(b"\x00\x01\x02\x03" * 50, "binary data", id="binary"),
        pytest.param(b"\x1f\x8bnot really gzip at all", "corrupt or truncated compressed data", id="corrupt-gzip"),
    ],
)
def test_unusable_inputs_raise_one_clear_error(tmp_path, data, message):
    path = tmp_path / "bad.fa"
    path.write_bytes(data)
    diag_stream = io.StringIO()
    diag = Diagnostics(diag_stream)
    assert list(iter_records([str(path)], diag)) == []
    assert diag.exit_code == ExitCode.INPUT
    lines = diag_stream.getvalue().splitlines()
    assert len(lines) == 1 and message in lines[0] and str(path) in lines[0]


@pytest.mark.parametrize(
    ("data", "bad_id", "reason"),
    [
        pytest.param(b">x\n\n>ok\nMKV\n", "x", "no sequence", id="no-sequence"),
        pytest.param(b">x\nMKV12A\n>ok\nMKV\n", "x", "invalid character(s) '1', '2'", id="digits"),
        pytest.param(b">x\nMKV-A\n>ok\nMKV\n", "x", "invalid character(s) '-'", id="gap"),
        pytest.param(b">x\nMK.VA\n>ok\nMKV\n", "x", "invalid character(s) '.'", id="dot"),
        pytest.param(b">x\nMK*VA\n>ok\nMKV\n", "x", "invalid character(s) '*'", id="internal-stop"),
        pytest.param(b">\nMKVA\n>ok\nMKV\n", "record #1", "header is empty", id="header-only"),
        pytest.param(b">x\nMKVA\n>x\nMKV\n>ok\nMKV\n", "x", "duplicate id (first seen at", id="duplicate"),
    ],
)
def test_bad_records_are_named_and_good_ones_kept(tmp_path, data, bad_id, reason):
    path = tmp_path / "mixed.fa"
    path.write_bytes(data)
    stream = io.StringIO()
    diag = Diagnostics(stream)
    records = list(iter_records([str(path)], diag))
    assert "ok" in [r.id for r in records]
    assert diag.exit_code == ExitCode.REJECTED
    (line,) = stream.getvalue().splitlines()
    assert line.startswith(f"error: {path}:")
    assert f": {bad_id}: " in line and reason in line
    assert "Traceback" not in stream.getvalue()


def test_rare_and_ambiguous_residues_are_valid():
    (rec,) = parse(b">r\nMXBZJUOACDEFGHIKLMNPQRSTVWY\n")
    assert isinstance(rec, Record) and len(rec) == 27


def test_single_residue_and_very_long_sequences():
    long = b"M" + bytes(random.Random(1).choices(b"ACDEFGHIKLMNPQRSTVWY", k=99_999))
    items = parse(b">one\nM\n>long\n" + b"\n".join(long[i : i + 60] for i in range(0, len(long), 60)) + b"\n")
    assert [len(r) for r in items] == [1, 100_000]


def test_missing_file_is_an_input_error():
    diag_stream = io.StringIO()
    diag = Diagnostics(diag_stream)
    assert list(iter_records(["/nonexistent/x.fa"], diag)) == []
    assert diag.exit_code == ExitCode.INPUT
    assert "no such file" in diag_stream.getvalue()


def test_parse_errors_are_input_errors_not_tracebacks():
    with pytest.raises(InputError):
        parse(b"")


def test_stdin_is_read_with_dash():
    diag = Diagnostics(io.StringIO())
    records = list(iter_records(["-"], diag, stdin=io.BufferedReader(io.BytesIO(gzip.compress(GOOD)))))
    assert [r.id for r in records] == ["a", "b"]
    assert records[0].source == "<stdin>"


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_records_split_by_biopython_whatever_the_line_ends(eol):
    """Biopython's SimpleFastaParser splits the records; every line-end style gives the same ones."""
    data = GOOD.decode().replace("\n", eol).encode()
    items = parse(data * 3)
    assert len(items) == 6 and all(isinstance(r, Record) for r in items)
    assert [r.sequence for r in items][:2] == ["MKVLAAGIVALLLAAGCSSAKKEE", "MSTNPKPQRKTKRNTNRRPQ"]
    assert [r.line for r in items][:3] == [1, 4, 6]


def _biopython_records(data: bytes) -> list[tuple[str, str]]:
    return [(t.split(None, 1)[0], s.upper()) for t, s in SimpleFastaParser(io.StringIO(data.decode()))]


def test_agrees_with_biopython_on_generated_fasta():
    rng = random.Random(7)
    chunks = []
    for i in range(300):
        seq = "".join(rng.choices("ACDEFGHIKLMNPQRSTVWYacdefghik", k=rng.randint(1, 400)))
        width = rng.choice([60, 70, 80, 1000])
        body = "\n".join(seq[j : j + width] for j in range(0, len(seq), width))
        chunks.append(f">seq{i} some description {i}\n{body}\n")
    data = "".join(chunks).encode()
    ours = [(r.id, r.sequence) for r in parse(data)]
    assert ours == _biopython_records(data)


def test_agrees_with_biopython_on_a_real_proteome():
    path = shared_path("data/proteomes/mgenitalium_proteins.faa")
    data = path.read_bytes()
    ours = [(r.id, r.sequence.rstrip("*")) for r in parse(data)]
    theirs = [(i, s.rstrip("*")) for i, s in _biopython_records(data)]
    assert ours == theirs


@pytest.mark.parametrize("preamble", [b";a Pearson-style comment\n", b"# written by some tool\n\n", b";one\n;two\n  \n"])
def test_comment_lines_before_the_first_record_are_skipped(preamble):
    items = list(parse_fasta(io.BytesIO(preamble + GOOD), "c.fa"))
    assert [i.id for i in items] == ["a", "b"] and all(isinstance(i, Record) for i in items)
    assert items[0].line == preamble.count(b"\n") + 1  # line numbers still count the comment lines


@pytest.mark.parametrize(("data", "hint"), [(b"P05067\nP01308\n", True), (b"sp|P05067|A4_HUMAN\n", True),
                                            (b"hello world\n", False), (b"id\tseq\nx\tMKV\n", False)])
def test_a_list_of_accessions_given_as_fasta_points_to_uniprot_list(data, hint):
    with pytest.raises(InputError) as err:
        list(parse_fasta(io.BytesIO(data), "ids.txt"))
    message = str(err.value)
    assert message.startswith("ids.txt: not FASTA (line 1 does not start with '>')")
    assert ("--uniprot-list" in message) == hint


def test_headers_that_are_accessions_without_sequences_point_to_uniprot_list():
    items = list(parse_fasta(io.BytesIO(b">P05067\n>foo\n>x\nMKV\n"), "ids.fa"))
    assert [type(i).__name__ for i in items] == ["Rejection", "Rejection", "Record"]
    assert "--uniprot-list" in items[0].reason and "--uniprot-list" not in items[1].reason


@pytest.mark.parametrize("preamble", [b"", b";" + b"c" * 70_000 + b"\n"])
def test_a_first_header_longer_than_the_bounded_read_is_one_header(preamble):
    """The first header is looked for in bounded reads (a binary file is never one giant line); a header (or a
    comment before it) longer than one read is still one line, never partly read as sequence."""
    data = preamble + b">p1 " + b"desc" * 16_400 + b"\nMKWVTF\n>p2 " + b"desc" * 16_400 + b"\nMKWVTF\n"
    items = list(parse_fasta(io.BytesIO(data), "long.fa"))
    assert [(i.id, i.seq) for i in items] == [("p1", b"MKWVTF"), ("p2", b"MKWVTF")]
    assert len(items[0].description) == len(items[1].description) == len("p1 ") + 4 * 16_400

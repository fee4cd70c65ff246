"""The Python API treats records as the command line does: repeated ids are rejected, a record without
an id is named by position, and a value UniProt did not give is None (Parquet's null)."""

from __future__ import annotations

import pytest
from Bio.Seq import Seq
from Bio.SeqRecord import SeqRecord
from helpers import run_cli

import secannot
from secannot.errors import InputError

SEQ = "MKWVTFISLLFLFSSAYSRGVFRRDTHKSEIAHRFKDLGEEHFKGLVLIAFSQYLQQCPFDEHVKLVNELTEF"


@pytest.mark.parametrize("call", [secannot.predict, secannot.annotate], ids=["predict", "annotate"])
@pytest.mark.parametrize("records", [
    [("a", SEQ), ("a", SEQ)],
    [("a", SEQ), ("b", SEQ), ("a", SEQ[:30])],
    [SeqRecord(Seq(SEQ), id="a"), ("a", SEQ)],
], ids=["adjacent", "apart", "seqrecord-and-pair"])
def test_api_rejects_duplicate_ids_as_the_cli_does(tmp_path, call, records):
    with pytest.raises(InputError, match=r"record \d \(a\): duplicate id \(first seen at record 1\)"):
        call(records)
    fasta = tmp_path / "dup.fa"
    fasta.write_text("".join(f">{r[0] if isinstance(r, tuple) else r.id}\n{SEQ}\n" for r in records))
    cli = run_cli(["predict", fasta])
    assert cli.code == 3 and "duplicate id" in cli.err  # the CLI's verdict on the same ids


@pytest.fixture
def bad_fasta(tmp_path):
    path = tmp_path / "bad.fa"
    path.write_text(f">ok\n{SEQ}\n>bad\nMK1234\n>ok\nMKK\n>other\n{SEQ}\n")
    return path


def test_read_fasta_skip_invalid_yields_distinct_ids(bad_fasta):
    assert list(secannot.read_fasta(bad_fasta, skip_invalid=True)) == [("ok", SEQ), ("other", SEQ)]


def test_read_fasta_raises_on_a_repeated_id(tmp_path):
    path = tmp_path / "dup.fa"
    path.write_text(f">ok\n{SEQ}\n>ok\nMKK\n")
    with pytest.raises(InputError, match=r"dup.fa:3: ok: duplicate id \(first seen at .*dup.fa:1\)"):
        list(secannot.read_fasta(path))


@pytest.mark.parametrize("record", [SeqRecord(Seq(SEQ)), SeqRecord(Seq(SEQ), id="")], ids=["default", "empty"])
def test_seqrecord_without_id_is_named_by_position(record):
    rows = secannot.predict([("first", SEQ), record])
    assert [r.id for r in rows] == ["first", "seq2"]  # as a bare sequence in that position is named


def test_uniprot_columns_are_none_when_uniprot_not_asked(tmp_path):
    row = secannot.annotate([("sp|P15692|VEGFA_HUMAN", SEQ)])[0]
    assert row.agreement == "no_data"
    assert row.uniprot_location is None and row.uniprot_signal is None
    assert row.cell_sources  # other list columns stay tuples
    pq = pytest.importorskip("pyarrow.parquet")
    fasta = tmp_path / "v.fa"
    fasta.write_text(f">sp|P15692|VEGFA_HUMAN\n{SEQ}\n")
    assert run_cli(["annotate", fasta, "--offline", "--format", "parquet", "-o", tmp_path / "v.parquet"]).code == 0
    assert pq.read_table(tmp_path / "v.parquet").column("uniprot_location").to_pylist() == [row.uniprot_location]


def _fasta(n: int) -> bytes:
    return b"".join(b">sp|P%06d|X_HUMAN\nMKV\n" % i for i in range(n))


@pytest.mark.parametrize("as_text", [False, True], ids=["binary-handle", "text-handle"])
def test_read_fasta_remembers_ids_in_bounded_memory(monkeypatch, as_text):
    """read_fasta uses the CLI's compact duplicate check (io.seen_ids): a dict of every id and "where first
    seen" string grows by ~170 bytes per record; the compact store by the id's characters plus ~50."""
    import io
    import tracemalloc

    import secannot.io.seen_ids as seen_ids

    monkeypatch.setattr(seen_ids, "FLUSH", 512)  # compaction after 512 ids instead of 65536: a small file reaches it
    data = _fasta(12 * 1024)
    source = io.StringIO(data.decode()) if as_text else io.BytesIO(data)
    reader = secannot.read_fasta(source)
    marks = {2048: 0, 12 * 1024: 0}  # right after a compaction (multiples of FLUSH): no recent ids held
    tracemalloc.start()
    try:
        for number, _ in enumerate(reader, start=1):
            if number in marks:
                marks[number] = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    per_record = (marks[12 * 1024] - marks[2048]) / (12 * 1024 - 2048)
    assert per_record < 100, f"{per_record:.0f} bytes per remembered id"


def test_read_fasta_names_the_first_occurrence_after_compaction(tmp_path, monkeypatch):
    import secannot.io.seen_ids as seen_ids

    monkeypatch.setattr(seen_ids, "FLUSH", 64)
    path = tmp_path / "many.fa"
    path.write_bytes(_fasta(1000) + b">sp|P000003|X_HUMAN\nMKV\n")  # record 1001 repeats record 4 (line 7)
    with pytest.raises(InputError, match=r"many.fa:2001: sp\|P000003\|X_HUMAN: duplicate id \(first seen at "
                                         r".*many.fa:7\)"):
        list(secannot.read_fasta(path))
    cli = run_cli(["predict", path])
    assert f"duplicate id (first seen at {path}:7)" in cli.err  # the CLI's words for the same record

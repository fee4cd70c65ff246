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

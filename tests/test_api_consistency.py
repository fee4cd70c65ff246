"""The Python API treats records as the command line does: repeated ids are rejected, a record without
an id is named by position, and a value UniProt did not give is None (Parquet's null).  Record errors
are worded for Python values, ``to_pandas`` takes every dtype from the column dictionary, and
``read_fasta`` names the sources it accepts."""

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


# -- record errors worded for Python values --------------------------------------------------------
@pytest.mark.parametrize("records, message", [
    ([("seq2", SEQ), SEQ], r"record 2: its automatic name seq2 \(bare sequences are named seq<position>\) is "
                           r"already the id of record 1"),
    ([SEQ, ("seq1", SEQ)], r"record 2 \(seq1\): duplicate id: seq1 is the automatic name of record 1"),
    ([("", SEQ)], r"^record 1: empty id; give a non-empty id, or pass the bare sequence"),
    ([("  ", SEQ)], r"^record 1: empty id"),
    ([("my protein", SEQ)], r"record 1 \(my protein\): id contains whitespace"),
    ([SEQ[:20] + " " + SEQ[20:]], r"record 1 \(seq1\): sequence contains whitespace \(' ' \(U\+0020 SPACE\) at position 21\)"),
    ([("a", SEQ[:30] + "\n" + SEQ[30:])], r"record 1 \(a\): sequence contains whitespace \('\\n' \(U\+000A"),
    ([("a", SEQ[:10] + "\u0422" + SEQ[10:])],
     r"record 1 \(a\): invalid character\(s\) 'Т' \(U\+0422 CYRILLIC CAPITAL LETTER TE\) \(first at residue 11\)"),
    ([("a", (SEQ[:10] + "\u0422").encode())], r"record 1 \(a\): sequence has byte 0xd0 at position 11"),
], ids=["auto-after-given", "given-after-auto", "empty-id", "blank-id", "id-with-space", "space", "newline",
        "cyrillic", "non-ascii-bytes"])
def test_api_record_errors_name_the_record_and_the_problem(records, message):
    for call in (secannot.predict, secannot.annotate):
        with pytest.raises(InputError, match=message) as info:
            call(records)
        assert "byte 0x" not in str(info.value) or isinstance(records[0][1], bytes)
        assert "a line with only '>'" not in str(info.value)  # FASTA wording does not fit a Python value


def test_api_strips_surrounding_whitespace_and_keeps_distinct_auto_names():
    rows = secannot.predict([f"  {SEQ}\n", ("x", SEQ)])
    assert [r.id for r in rows] == ["seq1", "x"] and rows[0].length == len(SEQ) == rows[1].length


# -- a missing sequence, and ids that are not text -------------------------------------------------
ALBUMIN = ("MKWVTFISLLFLFSSAYSRGVFRRDAHKSEVAHRFKDLGEENFKALVLIAFAQYLQQCPFEDHVKLVNEVTEFAKTCVADESAENCDKSLHTLFGDK"
           "LCTVATLRETYGEMADCCAKQEP")


@pytest.mark.parametrize("record, error", [
    (("a", None), InputError),      # once predicted as the protein "NONE"
    ((1, ALBUMIN), TypeError),      # once silently the id '1'
    ((b"a", ALBUMIN), TypeError),   # once the id "b'a'"
])
def test_the_api_refuses_a_missing_sequence_and_ids_that_are_not_text(record, error):
    with pytest.raises(error):
        secannot.predict([record])


# -- to_pandas: every column's dtype from the column dictionary, whatever the rows hold ------------
SIGNAL = "MKWVTFISLLFLFSSAYSRGVFRRDAHKSEVAHRFKDLGEENFKALVLIAFAQYLQQCPFEDHVKLVNE"
LEADERLESS = "MKV" * 30


@pytest.mark.parametrize("call", ["predict", "annotate"])
@pytest.mark.parametrize("batch", [[("a", LEADERLESS)], [("b", SIGNAL)], [("a", LEADERLESS), ("b", SIGNAL)], []])
def test_to_pandas_dtypes_do_not_depend_on_the_rows(call, batch):
    pd = pytest.importorskip("pandas")
    import secannot
    from secannot.columns import ANNOTATE_COLUMNS, PREDICT_COLUMNS

    frame = secannot.to_pandas(getattr(secannot, call)(batch))
    columns = ANNOTATE_COLUMNS if call == "annotate" and batch else PREDICT_COLUMNS
    for column in columns:
        dtype = frame[column.name].dtype
        if column.kind == "float64":
            assert dtype == "float64", column.name
        elif column.kind == "int32":
            assert dtype == "Int64", column.name
        elif column.kind == "list<string>" and column.name != "evidence":
            assert pd.api.types.is_object_dtype(dtype), column.name
        else:
            assert pd.api.types.is_string_dtype(dtype), column.name
            assert dtype == frame["id"].dtype, column.name


def test_to_pandas_frames_of_different_batches_concatenate_with_the_same_dtypes():
    pd = pytest.importorskip("pandas")
    import secannot

    leaderless = secannot.to_pandas(secannot.predict([("a", LEADERLESS)]))  # cs_prob empty in every row
    classical = secannot.to_pandas(secannot.predict([("b", SIGNAL)]))  # nc_score, nc_basis empty in every row
    assert dict(leaderless.dtypes) == dict(classical.dtypes)
    both = pd.concat([leaderless, classical], ignore_index=True)
    assert dict(both.dtypes) == dict(leaderless.dtypes)
    assert both["cs_prob"].isna().tolist() == [True, False]
    assert both["nc_score"].isna().tolist() == [False, True]
    assert both["cleavage_site"].isna().tolist() == [True, False]


# -- read_fasta: a source that is neither a path nor a handle --------------------------------------
@pytest.mark.parametrize(("source", "error", "hint"), [
    (3, TypeError, "got int"),
    (None, TypeError, "got NoneType"),
    (["a.fa"], TypeError, "got list"),
    (b">a\nMKV\n", TypeError, "io.BytesIO"),
    (">a\nMKV\n", InputError, "io.StringIO"),
    (">a MKVLLL", InputError, "io.StringIO"),
    ("MKVLL\nMKV\n", InputError, "io.StringIO"),
])
def test_read_fasta_names_what_it_accepts_in_one_line(source, error, hint):
    import secannot

    with pytest.raises(error) as caught:
        secannot.read_fasta(source)  # at the call, not at the first next()
    message = str(caught.value)
    assert "\n" not in message
    assert "a path (str or os.PathLike) or an open binary or text handle" in message and hint in message


def test_read_fasta_still_reads_a_file_whose_name_starts_with_the_header_sign(tmp_path, monkeypatch):
    import secannot

    monkeypatch.chdir(tmp_path)
    (tmp_path / ">odd.fa").write_text(">a\nMKV\n")
    assert list(secannot.read_fasta(">odd.fa")) == [("a", "MKV")]

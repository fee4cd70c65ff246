"""The Python API treats records and options as the command line does: repeated ids are rejected, a
record without an id is named by position, a value UniProt did not give is None (Parquet's null), and
options are checked against the CLI's choices and ranges.  Record errors are worded for Python values
(a lone record says to wrap it in a list), rows carry the JSON Lines fields, ``to_pandas`` takes every
dtype from the column dictionary and one kind of row, ``read_fasta`` names the sources it accepts and
warns about skipped records, and the README's Python examples run."""

from __future__ import annotations

import pytest
from Bio.Seq import Seq
from Bio.SeqRecord import SeqRecord
from helpers import ALBUMIN, EXAMPLE_FASTA, REPO, readme_section, run_cli
from helpers import ALBUMIN_LIKE as SEQ

import secannot
from secannot.errors import ExitCode, InputError


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
    with pytest.warns(secannot.SkippedRecordsWarning):
        assert list(secannot.read_fasta(bad_fasta, skip_invalid=True)) == [("ok", SEQ), ("other", SEQ)]


def test_read_fasta_skip_invalid_warns_once_with_the_count_and_the_first_skipped(bad_fasta):
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reader = secannot.read_fasta(bad_fasta, skip_invalid=True)
        assert next(reader) == ("ok", SEQ) and not caught  # nothing said before the end
        assert list(reader) == [("other", SEQ)]
    assert [w.category for w in caught] == [secannot.SkippedRecordsWarning]
    assert issubclass(secannot.SkippedRecordsWarning, UserWarning)
    message = str(caught[0].message)
    assert message.startswith(f"read_fasta skipped 2 invalid records of {bad_fasta}; the first: {bad_fasta}:3: bad: "
                              "invalid character(s)"), message
    assert caught[0].filename == __file__  # the line that iterated, not secannot's insides


def test_read_fasta_skip_invalid_is_silent_when_nothing_is_skipped(tmp_path):
    import warnings

    path = tmp_path / "good.fa"
    path.write_text(f">a\n{SEQ}\n>b\nMKV\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [i for i, _ in secannot.read_fasta(path, skip_invalid=True)] == ["a", "b"]


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
    with pytest.raises(error) as caught:
        secannot.read_fasta(source)  # at the call, not at the first next()
    message = str(caught.value)
    assert "\n" not in message
    assert "a path (str or os.PathLike) or an open binary or text handle" in message and hint in message


def test_read_fasta_still_reads_a_file_whose_name_starts_with_the_header_sign(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ">odd.fa").write_text(">a\nMKV\n")
    assert list(secannot.read_fasta(">odd.fa")) == [("a", "MKV")]


# -- one record not in a list ---------------------------------------------------------------------
@pytest.mark.parametrize("records, shown", [
    (("x1", SEQ), r"single \(id, sequence\) pair \('x1', \.\.\.\): wrap it in a list, \[\(id, sequence\)\]"),
    (("sp|P15692|VEGFA_HUMAN", Seq(SEQ)), r"single \(id, sequence\) pair \('sp\|P15692\|VEGFA_HUMAN', \.\.\.\)"),
    (("P_1", SEQ.encode()), r"single \(id, sequence\) pair"),
    (Seq(SEQ), r"single Seq: pass \[seq\]"),
    (SeqRecord(Seq(SEQ), id="a"), r"single record \(SeqRecord\): pass \[record\]"),
], ids=["pair", "pair-with-seq", "pair-with-bytes", "seq", "seqrecord"])
def test_a_lone_record_is_a_type_error_that_says_to_wrap_it(records, shown):
    for call in (secannot.predict, secannot.annotate):
        with pytest.raises(TypeError, match=shown):
            call(records)


@pytest.mark.parametrize("records", [("MKV", SEQ), ("VEGFA", SEQ), ("mkv*", SEQ)], ids=["letters", "letter-id", "stop"])
def test_a_tuple_of_two_sequences_is_two_records(records):
    """The documented rule: a first item of letters only (a '*' at the end) is a sequence, so two records."""
    rows = secannot.predict(records)
    assert [(r.id, r.length) for r in rows] == [("seq1", len(records[0].rstrip("*"))), ("seq2", len(SEQ))]


# -- Biopython objects as bare sequences ----------------------------------------------------------
def test_a_bare_seq_is_a_sequence_and_a_seqrecord_keeps_its_id():
    from Bio.Seq import MutableSeq

    rows = secannot.predict([Seq(SEQ), MutableSeq(SEQ), SeqRecord(Seq(SEQ), id="rec"), ("pair", Seq(SEQ)), SEQ])
    assert [r.id for r in rows] == ["seq1", "seq2", "rec", "pair", "seq5"]
    assert len({tuple(r.to_dict().values())[1:] for r in rows}) == 1  # the same prediction whatever the wrapper


@pytest.mark.parametrize("record", [Seq(None, length=30), SeqRecord(Seq(None, length=30), id="u")],
                         ids=["seq", "seqrecord"])
def test_a_seq_of_undefined_content_names_the_record(record):
    with pytest.raises(InputError, match=r"^record 1 \((seq1|u)\): sequence content is undefined"):
        secannot.predict([record])


# -- options checked as the CLI checks them, before any record is read ----------------------------
ORGANISMS = "'eukarya', 'gram-negative', 'gram-positive', 'archaea'"


@pytest.mark.parametrize("options, error, message", [
    ({"organism": None}, TypeError, f"organism: None \\(NoneType\\) is not one of {ORGANISMS}"),
    ({"organism": 2}, TypeError, f"organism: 2 \\(int\\) is not one of {ORGANISMS}"),
    ({"organism": "fungi"}, secannot.errors.ModelError, f"organism: 'fungi' is not one of {ORGANISMS}"),
    ({"nc_prior": None, "nc_threshold": "0.3"}, TypeError, r"nc_threshold must be a number between 0 and 1, got str '0\.3'$"),
    ({"nc_prior": [0.1]}, TypeError, r"nc_prior must be a number between 0\.000001 and 0\.999999, got list \[0\.1\]$"),
    ({"nc_prior": True}, TypeError, r"nc_prior must be .*got bool True"),
    ({"nc_prior": 0}, ValueError, r"nc_prior must be a number between 0\.000001 and 0\.999999, got 0$"),
    ({"nc_prior": 1.0}, ValueError, r"nc_prior .* got 1\.0$"),
    ({"nc_prior": float("nan")}, ValueError, r"nc_prior .* got nan$"),
    ({"nc_threshold": 1.5}, ValueError, r"nc_threshold must be a number between 0 and 1, got 1\.5$"),
    ({"nc_threshold": -0.1}, ValueError, r"nc_threshold .* got -0\.1$"),
    ({"batch_residues": 0}, ValueError, r"batch_residues must be an int >= 1 \(residues per batch\), got 0$"),
    ({"batch_residues": -1}, ValueError, r"batch_residues must be an int >= 1 .*got -1$"),
    ({"batch_residues": 1.5}, TypeError, r"batch_residues must be an int >= 1 .*got float 1\.5$"),
    ({"batch_residues": None}, TypeError, r"batch_residues must be an int >= 1 .*got NoneType None$"),
], ids=["organism-none", "organism-int", "organism-unknown", "threshold-str", "prior-list", "prior-bool", "prior-0",
        "prior-1", "prior-nan", "threshold-high", "threshold-negative", "batch-0", "batch-negative", "batch-float",
        "batch-none"])
def test_api_options_are_checked_before_any_record_is_read(options, error, message):
    for call in (secannot.predict, secannot.annotate):
        read = []
        records = (read.append(i) or ("a", SEQ) for i in range(1))
        with pytest.raises(error, match=message):
            call(records, **options)
        assert read == []


def test_an_unknown_organism_is_named_with_the_choices_of_the_cli():
    cli = run_cli(["predict", "--organism", "fungi", "-"], stdin=f">a\n{SEQ}\n".encode())
    assert cli.code == 2 and f"'fungi' is not one of {ORGANISMS}" in cli.err
    with pytest.raises(secannot.errors.ModelError, match=f"'fungi' is not one of {ORGANISMS}"):
        secannot.predict([SEQ], organism="fungi")


@pytest.mark.parametrize("options", [
    {"nc_prior": 1e-6}, {"nc_prior": 0.999999}, {"nc_threshold": 0}, {"nc_threshold": 1},
    {"batch_residues": 1}, {"organism": " Gram-Negative "}, {"organism": "gram+"},
], ids=["prior-low", "prior-high", "threshold-0", "threshold-1", "batch-1", "organism-case", "organism-alias"])
def test_api_options_at_their_bounds_are_accepted(options):
    import numpy as np

    assert [r.id for r in secannot.predict([("a", SEQ)], **options)] == ["a"]
    numpy_typed = {k: (np.int64(v) if k == "batch_residues" else np.float64(v) if k != "organism" else v)
                   for k, v in options.items()}
    assert [r.id for r in secannot.predict([("a", SEQ)], **numpy_typed)] == ["a"]


# -- attributes beyond the TSV columns, as JSON Lines gives them ----------------------------------
def _range(text: str) -> tuple[int, int]:
    start, end = text.split("-")
    return int(start), int(end)


@pytest.mark.parametrize("call", ["predict", "annotate"])
def test_rows_carry_the_json_lines_fields_with_ranges_as_int_pairs(call):
    import json

    from secannot.columns import ANNOTATE_COLUMNS, PREDICT_COLUMNS

    path = EXAMPLE_FASTA
    cli = run_cli([call, path, "--format", "jsonl"] + (["--offline"] if call == "annotate" else []))
    assert cli.code == 0, cli.err
    expected = {(d := json.loads(line))["id"]: d for line in cli.out.splitlines()}
    rows = getattr(secannot, call)(secannot.read_fasta(path))
    assert [r.id for r in rows] == list(expected)
    for row in rows:
        data = expected[row.id]
        assert row.tm_segments == tuple(_range(s) for s in data["tm_segments"]), row.id
        assert row.tm_orientation == (tuple(data["tm_orientation"]) if "tm_orientation" in data else None), row.id
        assert row.signal_anchor == (_range(data["signal_anchor"]) if "signal_anchor" in data else None), row.id
        gpi = data.get("gpi") and {**data["gpi"], "hydrophobic_tail": _range(data["gpi"]["hydrophobic_tail"])}
        assert row.gpi == gpi, row.id
        assert row.er_retention_motif == data.get("er_retention_motif"), row.id
        assert row.tm_count == len(row.tm_segments)
        columns = ANNOTATE_COLUMNS if call == "annotate" else PREDICT_COLUMNS
        assert list(row.to_dict()) == [c.name for c in columns]  # the TSV columns only
    # every field is exercised by the example file
    assert any(r.tm_orientation for r in rows) and any(r.signal_anchor for r in rows)
    assert any(r.gpi for r in rows) and any(r.er_retention_motif for r in rows)
    assert all(isinstance(a, int) for r in rows for segment in r.tm_segments for a in segment)
    assert len({hash(r) for r in rows}) == len(rows)  # rows stay hashable
    pd = pytest.importorskip("pandas")
    assert isinstance(secannot.to_pandas(rows), pd.DataFrame)
    assert list(secannot.to_pandas(rows).columns) == list(rows[0].to_dict())


# -- to_pandas: one kind of row; missing values where the row has None ----------------------------
@pytest.mark.parametrize("order", ["prediction-first", "annotation-first"])
def test_to_pandas_refuses_predictions_and_annotations_mixed(order):
    pytest.importorskip("pandas")
    predicted, annotated = secannot.predict([("a", SEQ)]), secannot.annotate([("b", SEQ), ("c", SEQ)])
    rows = predicted + annotated if order == "prediction-first" else annotated + predicted
    first, other = ("Prediction", "row 2: Annotation") if order == "prediction-first" else ("Annotation", "row 3: Prediction")
    with pytest.raises(TypeError, match=rf"got 1 Prediction and 2 Annotation rows mixed \(row 1: {first}, {other}\)"):
        secannot.to_pandas(rows)


@pytest.mark.parametrize("rows, message", [
    ([{"id": "a"}], r"row 1 is a dict"),
    (lambda: secannot.predict([SEQ]) + [None], r"row 2 is a NoneType"),
    (lambda: secannot.predict([SEQ])[0], r"got a single Prediction: pass \[row\]"),
], ids=["dict", "none", "lone-row"])
def test_to_pandas_names_what_it_cannot_use(rows, message):
    pytest.importorskip("pandas")
    with pytest.raises(TypeError, match=message):
        secannot.to_pandas(rows() if callable(rows) else rows)


@pytest.mark.parametrize("call", ["predict", "annotate"])
def test_to_pandas_is_missing_exactly_where_the_row_is_none(call):
    pd = pytest.importorskip("pandas")
    rows = getattr(secannot, call)([("sp|P15692|VEGFA_HUMAN", SIGNAL), ("b", LEADERLESS), ("c", "X" * 80)])
    frame = secannot.to_pandas(rows)
    for name in frame.columns:
        nones = [getattr(r, name) is None for r in rows]
        assert frame[name].isna().tolist() == nones, name
        assert [pd.isna(v) if not isinstance(v, tuple) else False for v in frame[name]] == nones, name
    assert frame["cs_prob"].isna().any() and frame["cleavage_site"].isna().any() and frame["nc_basis"].isna().any()
    if call == "annotate":
        assert frame["uniprot_location"].tolist() == [None] * 3 and frame["gene"].isna().tolist() == [False, True, True]


# -- the README's Python examples run as written --------------------------------------------------
def _readme_python_api_blocks() -> list[str]:
    import re

    section = readme_section("### Python API\n", "\n### ")
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_the_readme_python_api_examples_run_as_written(tmp_path, monkeypatch):
    import shutil

    pytest.importorskip("pandas")
    blocks = _readme_python_api_blocks()
    assert blocks
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        namespace: dict = {}
        exec(compile(block, "README.md (Python API)", "exec"), namespace)
    # what the comments in the example promise
    assert namespace["rows"][1].tm_segments == ((5, 34), (613, 630))
    assert namespace["rows"][1].tm_orientation == ("in->out", "out->in")
    assert namespace["hits"][0].cell_sources == tuple(sorted(namespace["hits"][0].cell_sources))
    assert len(namespace["frame"]) == len(namespace["rows"])


# -- flags are True or False: "no" and 1 are truthy, and once silently meant yes -------------------
FLAG = r"{name} must be True or False, got {shown}$"


@pytest.mark.parametrize("call, name, value, shown", [
    ("predict", "signal_only", "yes", "str 'yes'"),
    ("predict", "signal_only", "no", "str 'no'"),  # once a signal-only run: "no" is truthy
    ("predict", "signal_only", 1, "int 1"),
    ("predict", "signal_only", None, "NoneType None"),
    ("annotate", "family_claims", "no", "str 'no'"),  # once True: kept the family claims "no" meant to drop
    ("annotate", "family_claims", 0, "int 0"),
], ids=["signal-yes", "signal-no", "signal-1", "signal-none", "family-no", "family-0"])
def test_boolean_options_must_be_true_or_false(call, name, value, shown):
    read = []
    records = (read.append(i) or ("a", SEQ) for i in range(1))
    with pytest.raises(TypeError, match=FLAG.format(name=name, shown=shown)):
        getattr(secannot, call)(records, **{name: value})
    assert read == []  # refused before any record is read


@pytest.mark.parametrize("value, shown", [("no", "str 'no'"), (1, "int 1"), (None, "NoneType None")],
                         ids=["str", "int", "none"])
def test_read_fasta_skip_invalid_must_be_true_or_false(bad_fasta, value, shown):
    with pytest.raises(TypeError, match=FLAG.format(name="skip_invalid", shown=shown)):
        secannot.read_fasta(bad_fasta, skip_invalid=value)  # at the call, not at the first next()


def test_numpy_bools_are_flags_too(bad_fasta):
    import warnings

    import numpy as np

    assert secannot.predict([SEQ], signal_only=np.True_)[0].localization is None
    assert secannot.predict([SEQ], signal_only=np.False_)[0].localization is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", secannot.SkippedRecordsWarning)
        assert [i for i, _ in secannot.read_fasta(bad_fasta, skip_invalid=np.True_)] == ["ok", "other"]


# -- rules: a directory path or an iterable of them -----------------------------------------------
RULES_KINDS = r"rules must be a rule directory path \(str or os\.PathLike\) or an iterable of them, got "


@pytest.mark.parametrize("call", ["predict", "annotate"])
@pytest.mark.parametrize("rules, shown", [
    (5, r"int 5$"),
    (None, r"NoneType None$"),
    (b"rules", r"bytes b'rules'$"),
    ([5], r"a list holding int 5$"),
    (("rules", None), r"a tuple holding NoneType None$"),
], ids=["int", "none", "bytes", "list-of-int", "tuple-with-none"])
def test_rules_of_the_wrong_type_name_what_rules_accepts(call, rules, shown):
    with pytest.raises(TypeError, match=RULES_KINDS + shown) as caught:
        getattr(secannot, call)([("a", SEQ)], rules=rules)
    assert "not iterable" not in str(caught.value)


@pytest.mark.parametrize("form", ["str", "path", "list-of-path", "generator"])
def test_rules_as_a_path_or_an_iterable_of_paths(lab_rules, form):
    rules = {"str": str(lab_rules), "path": lab_rules, "list-of-path": [lab_rules],
             "generator": (d for d in [str(lab_rules)])}[form]
    row = secannot.annotate([("sp|P15692|VEGFA_HUMAN", SEQ)], rules=rules)[0]
    assert row.processes == ("lymphangiogenesis",)


@pytest.mark.parametrize("call", ["predict", "annotate"])
@pytest.mark.parametrize("form, cli", [
    (lambda lab: ["", lab], ["", "LAB"]),
    (lambda lab: [lab, ""], ["LAB", ""]),
    (lambda lab: "", [""]),
    (lambda lab: [lab, lab], ["LAB", "LAB"]),
    (lambda lab: [lab, str(lab) + "/"], ["LAB", "LAB/"]),
    (lambda lab: [str(lab), lab.parent / "." / lab.name], ["LAB", "LAB_DOT"]),
], ids=["empty-first", "empty-later", "empty-str", "twice", "trailing-slash", "other-spelling"])
def test_rules_empty_or_twice_is_a_value_error_in_the_cli_words(lab_rules, call, form, cli):
    """The API deduplicated a directory given twice and read '' as the working directory (a RulesError ': no
    .yaml ...' naming nothing); the CLI refuses both as usage errors, and the API in its words (keyword 'rules')."""
    names = {"LAB": str(lab_rules), "LAB/": str(lab_rules) + "/", "LAB_DOT": str(lab_rules.parent / "." / lab_rules.name)}
    args = [x for name in cli for x in ("--rules", names.get(name, name))]
    res = run_cli(["predict", EXAMPLE_FASTA, *args])
    assert res.code == ExitCode.USAGE and res.err.startswith("error: --rules ") and len(res.err.splitlines()) == 1
    expected = res.err.removeprefix("error: ").rstrip("\n").replace("--rules", "rules")
    with pytest.raises(ValueError) as raised:
        getattr(secannot, call)([("a", SEQ)], rules=form(lab_rules))
    assert str(raised.value) == expected


# -- records or rows that are not iterable: what is expected, not "'NoneType' object is not iterable"
@pytest.mark.parametrize("call", ["predict", "annotate"])
@pytest.mark.parametrize("records, kind", [(None, "NoneType"), (5, "int")], ids=["none", "int"])
def test_records_that_are_not_iterable_say_what_is_expected(call, records, kind):
    with pytest.raises(TypeError, match=r"^expected an iterable of records \(\(id, sequence\) pairs, sequences or "
                                        rf"SeqRecords\), got {kind}: pass a list, or secannot\.read_fasta"):
        getattr(secannot, call)(records)


@pytest.mark.parametrize("rows, kind", [(None, "NoneType"), (5, "int")], ids=["none", "int"])
def test_to_pandas_of_something_not_iterable_says_what_is_expected(rows, kind):
    with pytest.raises(TypeError, match=r"^to_pandas takes a list of the rows secannot\.predict or "
                                        rf"secannot\.annotate return, got {kind}$"):
        secannot.to_pandas(rows)


# -- nc_prior / nc_threshold where no leaderless score is computed: one warning, as the CLI's -----
@pytest.mark.parametrize("call, options, why", [
    ("predict", {"organism": "gram-negative"}, "the leaderless score is for eukaryotes only, not gram-negative"),
    ("predict", {"organism": "Gram+"}, "the leaderless score is for eukaryotes only, not gram-positive"),
    ("predict", {"organism": "arch"}, "the leaderless score is for eukaryotes only, not archaea"),
    ("annotate", {"organism": "negative"}, "the leaderless score is for eukaryotes only, not gram-negative"),
    ("predict", {"signal_only": True}, "signal_only runs no leaderless score"),
    ("predict", {"signal_only": True, "organism": "archaea"}, "signal_only runs no leaderless score"),
], ids=["gram-negative", "gram+-alias", "arch-alias", "annotate-negative-alias", "signal-only", "signal-only-archaea"])
@pytest.mark.parametrize("given", [{"nc_threshold": 0.5, "nc_prior": 0.1}, {"nc_prior": 0.1}, {"nc_threshold": 0.5}],
                         ids=["both", "prior", "threshold"])
def test_nc_options_not_used_are_said_once(call, options, why, given):
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows = getattr(secannot, call)([("a", SEQ)], **options, **given)
    assert [r.id for r in rows] == ["a"]  # a warning, not an error: the run goes on
    assert [w.category for w in caught] == [UserWarning]
    assert str(caught[0].message) == f"{' and '.join(given)} not used: {why}"
    assert caught[0].filename == __file__  # the line that called predict, not secannot's insides


@pytest.mark.parametrize("options", [
    {"nc_prior": 0.1, "nc_threshold": 0.5},  # eukarya: both used
    {"organism": "gram-negative"},  # nothing given, nothing to say
    {"organism": "archaea", "signal_only": True},
], ids=["eukarya", "prokaryote-without-nc", "signal-only-without-nc"])
def test_no_warning_when_the_nc_options_are_used_or_not_given(options):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [r.id for r in secannot.predict([("a", SEQ)], **options)] == ["a"]


def test_the_nc_warning_is_the_clis_in_keyword_names():
    import warnings

    cli = run_cli(["predict", "--organism", "gram-negative", "--nc-threshold", "0.5", "--nc-prior", "0.1", "-"],
                  stdin=f">a\n{SEQ}\n".encode())
    assert cli.code == 0, cli.err
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        secannot.predict([SEQ], organism="gram-negative", nc_threshold=0.5, nc_prior=0.1)
    api = str(caught[0].message)
    assert api == "nc_threshold and nc_prior not used: the leaderless score is for eukaryotes only, not gram-negative"
    assert api.replace("nc_threshold", "--nc-threshold").replace("nc_prior", "--nc-prior") in cli.err


@pytest.mark.parametrize(("cli_organism", "api_organism"), [("GRAM-POSITIVE", "gram+"), ("Archaea", "arch"),
                                                            ("gram-negative", "Gram-")])
def test_the_nc_warning_names_the_same_group_whichever_spelling(cli_organism, api_organism):
    """The CLI takes the group names in any case, the API the short forms too: both warnings name the group as
    --organism's choices spell it, whatever was typed (the message is built in one place, which normalises)."""
    import warnings

    from secannot.models.signal_peptide import ORGANISM_ALIASES
    from secannot.pipeline.predictor import unused_leaderless_options

    cli = run_cli(["predict", "--organism", cli_organism, "--nc-prior", "0.1", "-"], stdin=f">a\n{SEQ}\n".encode())
    assert cli.code == 0, cli.err
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        secannot.predict([SEQ], organism=api_organism, nc_prior=0.1)
    group = ORGANISM_ALIASES[api_organism.lower()]
    assert str(caught[0].message) == f"nc_prior not used: the leaderless score is for eukaryotes only, not {group}"
    assert cli.err == f"warning: --nc-prior not used: the leaderless score is for eukaryotes only, not {group}\n"
    # whoever calls the one message, with the spelling the user typed, gets the same words
    assert unused_leaderless_options({"nc_prior": 0.1}, api_organism, False, "signal_only") == str(caught[0].message)


@pytest.mark.parametrize("name", ["nc_prior", "nc_threshold"])
def test_the_cli_and_the_api_take_the_nc_range_from_one_definition(name):
    """Both read secannot.pipeline.option_ranges (the bounds were once written in each): the bounds themselves pass,
    a step beyond fails in both, in the same words, and --help shows the same range."""
    import math

    from secannot.pipeline import option_ranges

    limits = getattr(option_ranges, name.upper())
    option, fasta = "--" + name.replace("_", "-"), f">a\n{SEQ}\n".encode()
    assert limits.help in " ".join(run_cli(["predict", "--help"]).out.split())
    for inside in (limits.low, limits.high):
        assert run_cli(["predict", option, repr(inside), "-"], stdin=fasta).code == 0
        assert [r.id for r in secannot.predict([("a", SEQ)], **{name: inside})] == ["a"]
    for outside, words in ((math.nextafter(limits.low, -1), f"greater than or equal to {limits.low_text}"),
                           (math.nextafter(limits.high, 2), f"less than or equal to {limits.high_text}")):
        cli = run_cli(["predict", option, repr(outside), "-"], stdin=fasta)
        assert cli.code == ExitCode.USAGE and f"Input should be {words}" in cli.err, cli.err
        with pytest.raises(ValueError, match=f"^{name} must be {limits.accepted}, got"):
            secannot.predict([("a", SEQ)], **{name: outside})


VEGFA = ("MNFLLSWVHWSLALLLYLHHAKWSQAAPMAEGGGQNHHEVVKFMDVYQRSYCHPIETLVDIFQEYPDEIEYIFKPSCVPLMRCGGCCNDEGLECVPTEESNITM"
         "QIMRIKPHQGQHIGEMSFLQHNKCECRPKKD")


def _cli_rows(path) -> list[dict]:
    import json

    res = run_cli(["annotate", "--offline", "-f", "jsonl", path])
    assert res.code == 0, res.err
    return [json.loads(line) for line in res.out.splitlines()]


@pytest.mark.parametrize("reader", ["read_fasta", "Bio.SeqIO", "SeqRecord by hand"])
def test_the_api_reads_the_header_as_the_cli_does(tmp_path, reader):
    """The API once saw only (id, sequence): `>myvegf some protein GN=VEGFA` got no gene, no cell sources, no
    receptors from secannot.annotate, and the CLI gave all of them; the reference file's FOLR1 and MSLN too."""
    from Bio import SeqIO

    path = tmp_path / "mixed.fa"
    reference = EXAMPLE_FASTA.read_text()
    path.write_text(f">myvegf some protein GN=VEGFA\n{VEGFA}\n" + reference)
    if reader == "read_fasta":
        records = list(secannot.read_fasta(path))
        assert records[0].description == "myvegf some protein GN=VEGFA" and records[0] == ("myvegf", VEGFA)
    elif reader == "Bio.SeqIO":
        records = list(SeqIO.parse(path, "fasta"))
    else:  # made in a notebook: the description is the header's rest, without the id
        records = [SeqRecord(r.seq, id=r.id, description=r.description.split(None, 1)[1] if " " in r.description
                             else "") for r in SeqIO.parse(path, "fasta")]
    api = [row.to_dict() for row in secannot.annotate(records)]
    cli = _cli_rows(path)
    assert api[0]["gene"] == "VEGFA" and api[0]["cell_sources"]
    for mine, theirs in zip(api, cli, strict=True):
        for column in ("gene", "accession", "cell_sources", "processes", "clinical", "receptors", "localization"):
            shown = theirs[column]
            assert (list(mine[column]) if isinstance(mine[column], tuple) else mine[column]) == shown, (column, theirs["id"])

"""Scale: batch invariance, chunked -j, compact duplicate ids, the Python API, Parquet and Dask.

Rows are compared between runs of secannot itself cut in different ways
(shuffled, re-batched, -j 2, Dask, Parquet): the expected values are never
hard-coded, and each comparison covers every output column.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import sys

import pytest
from helpers import run_cli, shared_path

import secannot
from secannot.columns import ANNOTATE_COLUMNS, PREDICT_COLUMNS
from secannot.errors import InputError
from secannot.io.chunks import plan_ranges, split_stream
from secannot.io.seen_ids import SeenIds

PROTEOME = "data/proteomes/mgenitalium_proteins.faa"


def _sample(n: int = 300) -> list[tuple[str, str]]:
    records = list(secannot.read_fasta(shared_path(PROTEOME)))
    return records[:n]


def _tsv(records) -> bytes:
    return "".join(f">{rid} some description\n{seq[:60]}\n{seq[60:]}\n" for rid, seq in records).encode()


def _rows(out: str) -> dict[str, list[str]]:
    lines = [line.split("\t") for line in out.splitlines()]
    assert lines[0] == [c.name for c in PREDICT_COLUMNS] or lines[0] == [c.name for c in ANNOTATE_COLUMNS]
    return {row[0]: row for row in lines[1:]}


def test_rows_do_not_depend_on_neighbours_order_or_batch_size():
    records = _sample()
    reference = {r.id: r.to_dict() for r in secannot.predict(records)}
    shuffled = list(records)
    random.Random(13).shuffle(shuffled)
    for batch_residues in (1, 997, 20_000):
        again = secannot.predict(shuffled, batch_residues=batch_residues)
        assert [r.id for r in again] == [rid for rid, _ in shuffled]  # input order kept
        assert {r.id: r.to_dict() for r in again} == reference  # every column, full precision


def test_each_protein_alone_gets_its_batch_row():
    records = _sample(40)
    together = secannot.predict(records)
    for (rid, seq), row in zip(records, together, strict=True):
        assert secannot.predict([(rid, seq)])[0] == row


def test_cli_rows_equal_across_jobs_chunking_and_order(tmp_path):
    records = _sample()
    path = tmp_path / "in.fasta"
    path.write_bytes(_tsv(records))
    reversed_path = tmp_path / "rev.fasta"
    reversed_path.write_bytes(_tsv(records[::-1]))
    one = run_cli(["predict", path])
    assert one.code == 0
    two = run_cli(["predict", "-j", "2", path])
    assert two.out == one.out  # same bytes: same rows in the same order
    rev = run_cli(["predict", reversed_path])
    assert _rows(rev.out) == _rows(one.out)
    assert list(_rows(rev.out)) == [rid for rid, _ in records[::-1]]


def test_jobs_report_rejections_and_duplicates_in_input_order(tmp_path):
    records = _sample(120)
    body = _tsv(records[:50]) + b">bad\nMK1LV\n" + _tsv(records[50:]) + _tsv(records[3:4]) + b">\n\n>empty\n\n"
    path = tmp_path / "mixed.fasta"
    path.write_bytes(body)
    serial = run_cli(["predict", path])
    parallel = run_cli(["predict", "-j", "2", path], )
    assert serial.code == parallel.code == 3
    assert parallel.out == serial.out
    assert parallel.err == serial.err
    errors = serial.err.strip().splitlines()
    assert len(errors) == 4
    assert "bad" in errors[0] and "invalid character" in errors[0]
    assert records[3][0] in errors[1] and "duplicate id" in errors[1] and f"{path}:10" in errors[1]
    assert "record #123" in errors[2]
    # every input record is accounted for: rows + rejections
    assert len(serial.out.splitlines()) - 1 + len(errors) == len(records) + 4


def test_gzip_and_stdin_are_chunked_as_raw_bytes(tmp_path):
    records = _sample(80)
    data = _tsv(records)
    gz = tmp_path / "in.fasta.gz"
    gz.write_bytes(gzip.compress(data))
    plain = run_cli(["predict", "-"], stdin=data)
    assert run_cli(["predict", "-j", "2", gz]).out == plain.out
    assert run_cli(["predict", "-j", "2", "-"], stdin=data).out == plain.out


@pytest.mark.parametrize("chunk", [1, 50, 333, 4096, 10**9])
def test_byte_ranges_cover_the_file_at_record_boundaries(tmp_path, chunk):
    data = b"\n\n>a x\nMKV\nLL\n>b\nAAA\n>c\n\n>d\nMMMMMMMM\nKK\n" * 20
    path = tmp_path / "x.fasta"
    path.write_bytes(data)
    ranges = plan_ranges(str(path), chunk)
    assert b"".join(r.read() for r in ranges) == data
    assert all(r.read().startswith(b">") for r in ranges[1:])
    pieces = list(split_stream(io.BytesIO(data), "x", chunk))
    assert b"".join(pieces) == data
    assert all(p.startswith(b">") for p in pieces[1:] if p)


def test_duplicate_ids_are_exact_even_when_hashes_collide():
    seen = SeenIds(hasher=lambda s: len(s) % 2, flush=3)  # everything collides
    ids = [f"P{i:05d}" for i in range(20)] + ["Q1"]
    assert seen.check(ids, "f.fa", list(range(1, 22))) == [None] * 21
    assert seen.check(["P00007", "P99999", "Q1", "P99999"], "g.fa", [1, 2, 3, 4]) == [
        "f.fa:8", None, "f.fa:21", "g.fa:2"]
    assert len(seen) == 22


def test_python_api_accepts_strings_pairs_and_handles(tmp_path):
    records = _sample(5)
    path = tmp_path / "x.fasta.gz"
    path.write_bytes(gzip.compress(_tsv(records)))
    assert list(secannot.read_fasta(path)) == records
    assert list(secannot.read_fasta(io.StringIO(_tsv(records).decode()))) == records
    bare = secannot.predict([seq.lower() for _, seq in records])
    pairs = secannot.predict(records)
    assert [r.id for r in bare] == [f"seq{i}" for i in range(1, 6)]
    assert [r.to_dict() | {"id": 0} for r in bare] == [r.to_dict() | {"id": 0} for r in pairs]
    cli = _rows(run_cli(["predict", path]).out)
    for row in pairs:
        tsv = cli[row.id]
        assert tsv[PREDICT_COLUMNS.index(next(c for c in PREDICT_COLUMNS if c.name == "sp_prob"))] == f"{row.sp_prob:.4f}"
        assert tsv[3] == ("" if row.cleavage_site is None else str(row.cleavage_site))
        assert row.cleavage_site is None or isinstance(row.cleavage_site, int)
        assert list(row.to_dict()) == [c.name for c in PREDICT_COLUMNS]


def test_python_api_errors_name_the_record():
    with pytest.raises(InputError, match=r"record 2 \(x\).*invalid character"):
        secannot.predict([("ok", "MKVL"), ("x", "MK1")])
    with pytest.raises(InputError, match="no sequence"):
        list(secannot.read_fasta(io.BytesIO(b">a\n\n")))
    with pytest.raises(TypeError):
        secannot.predict([42])


def test_python_api_annotate_and_pandas():
    pd = pytest.importorskip("pandas")
    rows = secannot.annotate(_sample(20))
    frame = secannot.to_pandas(rows)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == [c.name for c in ANNOTATE_COLUMNS]
    assert len(frame) == 20


def test_parquet_has_typed_columns_and_provenance(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    records = _sample(100)
    path = tmp_path / "in.fasta"
    path.write_bytes(_tsv(records))
    out = tmp_path / "out.parquet"
    assert run_cli(["predict", path, "--format", "parquet", "-o", out]).code == 0
    table = pq.read_table(out)
    assert table.column_names == [c.name for c in PREDICT_COLUMNS]
    assert str(table.schema.field("cleavage_site").type) == "int32"
    assert str(table.schema.field("sp_prob").type) == "double"
    assert b"secannot" in table.schema.metadata and b"model" in table.schema.metadata[b"secannot"]
    tsv = _rows(run_cli(["predict", path]).out)
    for row in table.to_pylist():
        assert tsv[row["id"]][2] == f"{row['sp_prob']:.4f}"
        assert tsv[row["id"]][3] == ("" if row["cleavage_site"] is None else str(row["cleavage_site"]))
        assert tsv[row["id"]][6] == (row["localization"] or "")


def test_parquet_without_pyarrow_exits_7_with_a_hint(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    path = tmp_path / "in.fasta"
    path.write_bytes(_tsv(_sample(3)))
    res = run_cli(["predict", path, "--format", "parquet", "-o", tmp_path / "o.parquet"])
    assert res.code == 7
    assert "pip install 'secannot[parquet]'" in res.err


@pytest.mark.slow
def test_dask_local_cluster_rows_equal_the_plain_cli(tmp_path):
    pytest.importorskip("distributed")
    pq = pytest.importorskip("pyarrow.parquet")
    records = _sample(400)
    path = tmp_path / "in.fasta"
    path.write_bytes(_tsv(records) + _tsv(records[:1]))  # one duplicate id at the end
    plain = run_cli(["predict", path])
    dask = run_cli(["predict", "--dask", "local:2", path])
    assert dask.out == plain.out
    assert dask.err.count("duplicate id") == plain.err.count("duplicate id") == 1
    parts = tmp_path / "parts"
    parts.mkdir()
    res = run_cli(["predict", "--dask", "local:2", "--format", "parquet", "-o", f"{parts}/", path])
    assert res.code == 3
    files = sorted(parts.glob("part-*.parquet"))
    assert len(files) >= 1
    rows = [r for f in files for r in pq.read_table(f).to_pylist()]
    tsv = _rows(plain.out)
    assert [r["id"] for r in rows] == list(tsv)
    for row in rows:
        assert tsv[row["id"]][2] == f"{row['sp_prob']:.4f}"


def test_blas_uses_one_thread_without_any_environment_variable():
    import json
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    code = ("import json, secannot; from threadpoolctl import threadpool_info; secannot.predict(['MKVLAAGIVLLLSA']);"
            "print(json.dumps([p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas']))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    threads = json.loads(out)
    assert threads and set(threads) == {1}


def test_dask_refuses_compressed_input_as_a_usage_error_before_running(tmp_path):
    pytest.importorskip("distributed")
    records = _sample(5)
    gz = tmp_path / "in.fasta.gz"
    gz.write_bytes(gzip.compress(_tsv(records)))
    plain = tmp_path / "in.fasta"
    plain.write_bytes(_tsv(records))
    res = run_cli(["predict", "--dask", "local:1", plain, gz])
    assert res.code == 2
    assert res.err.splitlines() == [f"error: --dask reads plain FASTA files in byte ranges, not a compressed file "
                                    f"({gz}): decompress it to a file the workers can read, or run without --dask"]
    assert res.out == ""  # a usage error: nothing runs, not even the plain file


@pytest.mark.parametrize("address", ["local:0", "local:x", "nonsense"])
def test_dask_address_errors_are_usage_errors(address, tmp_path):
    path = tmp_path / "in.fasta"
    path.write_bytes(b">a\nMKV\n")
    res = run_cli(["predict", "--dask", address, path])
    assert res.code == 2
    assert "--dask" in res.err


# -- Parquet: typed columns, the same schema in every file and part -------------------------------
# Written out here rather than read from secannot.columns, so a wrong kind there fails the test.
PARQUET_INTS = {"length", "cleavage_site", "tm_count"}
PARQUET_FLOATS = {"sp_prob", "cs_prob", "nc_score"}
PARQUET_LISTS = {"evidence", "cell_sources", "processes", "clinical", "uniprot_location", "receptors", "ligands"}
REFERENCE = "examples/reference.fasta"


def _reference_records() -> list[tuple[str, str]]:
    from helpers import REPO

    return list(secannot.read_fasta(REPO / REFERENCE))


def _check_types(schema) -> None:
    import pyarrow as pa

    for field in schema:
        if field.name in PARQUET_INTS:
            assert field.type == pa.int32(), field
        elif field.name in PARQUET_FLOATS:
            assert field.type == pa.float64(), field
        elif field.name in PARQUET_LISTS:
            assert field.type == pa.list_(pa.string()), field
        else:
            assert field.type == pa.string(), field


@pytest.mark.parametrize("command", ["predict", "annotate"])
def test_parquet_lists_are_lists_and_every_value_matches_the_tsv(tmp_path, command):
    import json

    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "in.fasta"
    path.write_bytes(_tsv(_reference_records()))
    out = tmp_path / "out.parquet"
    assert run_cli([command, path, "--format", "parquet", "-o", out]).code == 0
    table = pq.read_table(out)
    columns = PREDICT_COLUMNS if command == "predict" else ANNOTATE_COLUMNS
    assert table.column_names == [c.name for c in columns]
    _check_types(table.schema)
    provenance = json.loads(table.schema.metadata[b"secannot"])
    assert provenance["thresholds"]["sp_prob"] is not None and provenance["inputs"] == [{"kind": "fasta", "path": str(path)}]
    assert table.schema.field("evidence").metadata[b"description"].startswith(b"short reasons")
    # a list column is a list in Parquet: its description does not speak of a ;-separated cell
    lists = [c.name for c in columns if c.kind.startswith("list<")]
    assert lists and not [n for n in lists if b";-separated" in table.schema.field(n).metadata[b"description"]]
    tsv = _rows(run_cli([command, path]).out)
    names = table.column_names
    seen_list = False
    for row in table.to_pylist():
        cells = dict(zip(names, tsv[row["id"]], strict=True))
        for name in names:
            value, cell = row[name], cells[name]
            if name == "evidence":
                assert isinstance(value, list) and "; ".join(value) == cell
            elif name in PARQUET_LISTS:
                assert value is None or isinstance(value, list), (name, value)
                assert ";".join(value or []) == cell
                seen_list = seen_list or len(value or []) > 1
            elif name in PARQUET_FLOATS:
                assert cell == ("" if value is None else f"{value:.4f}")
            elif value is None:
                assert cell == "", (name, cell)
            else:
                assert str(value) == cell and (name not in PARQUET_INTS or isinstance(value, int))
        if command == "annotate":  # no UniProt asked: unknown (null), not "no locations" ([])
            assert row["uniprot_location"] is None and row["agreement"] == "no_data"
    assert seen_list or command == "predict", "some protein has several values in a list column"


@pytest.mark.slow
def test_dask_parts_share_one_schema_even_when_empty(tmp_path):
    pytest.importorskip("distributed")
    pq = pytest.importorskip("pyarrow.parquet")
    good = _reference_records()
    first = [(f"a{i}_{rid.split('|')[-1]}", seq) for i in range(4) for rid, seq in good]
    last = [(f"z{i}_{rid.split('|')[-1]}", seq) for i in range(4) for rid, seq in good]
    # a stretch of invalid records longer than a chunk (16 KiB here): its part has no rows
    bad = "".join(f">bad{i}\n{'MKV1' * 60}\n" for i in range(120)).encode()
    path = tmp_path / "in.fasta"
    path.write_bytes(_tsv(first) + bad + _tsv(last))
    single = tmp_path / "single.parquet"
    assert run_cli(["annotate", path, "--format", "parquet", "-o", single]).code == 3
    parts = tmp_path / "parts"
    parts.mkdir()
    res = run_cli(["annotate", "--dask", "local:2", "--format", "parquet", "-o", f"{parts}/", path])
    assert res.code == 3, res.err
    files = sorted(parts.glob("part-*.parquet"))
    tables = [pq.read_table(f) for f in files]
    assert any(t.num_rows == 0 for t in tables) and any(t.num_rows for t in tables)
    expected = pq.read_table(single)
    _check_types(expected.schema)
    for table in tables:
        assert table.schema.equals(expected.schema, check_metadata=False)
        assert [f.metadata for f in table.schema] == [f.metadata for f in expected.schema]
    strip = ("date",)
    meta = [{k: v for k, v in json.loads(t.schema.metadata[b"secannot"]).items() if k not in strip} for t in tables]
    assert all(m == meta[0] for m in meta)
    rows = [r for t in tables for r in t.to_pylist()]
    assert rows == expected.to_pylist()


def test_rows_with_very_long_headers_are_the_same_with_any_jobs(tmp_path):
    """Each -j worker starts its own read at a record: a header longer than one bounded read must not turn into
    sequence there either."""
    fasta = tmp_path / "long.fa"
    fasta.write_bytes(b"".join(b">p%d " % k + b"desc" * 16_400 + b"\nMKWVTFISLLFLFSSAYSRGV\n" for k in range(4)))
    one = run_cli(["predict", fasta])
    two = run_cli(["predict", "-j", "2", fasta])
    assert one.code == two.code == 0 and one.out == two.out
    assert {r[1] for r in one.rows[1:]} == {"21"}

"""`check` refuses inputs that are not id lists instead of reporting every line as an invalid id."""

from __future__ import annotations

import pytest
from helpers import DATA, run_cli


@pytest.mark.parametrize("fmt, named", [("tsv", "tabs"), ("jsonl", "JSON"), ("parquet", "Parquet")])
def test_check_refuses_secannot_output_given_as_an_id_list(tmp_path, fmt, named):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    out = tmp_path / f"p.{fmt}"
    assert run_cli(["predict", "-f", fmt, "-o", out, DATA / "reference_subset.fasta"]).code == 0
    res = run_cli(["check", out])
    assert res.code == 4 and res.out == ""
    assert named in res.err and len(res.err.strip().splitlines()) == 1


def test_check_reads_the_same_table_with_its_id_column(tmp_path):
    out = tmp_path / "p.tsv"
    run_cli(["predict", "-o", out, DATA / "reference_subset.fasta"])
    assert run_cli(["check", out, "--id-column", "id"]).code == 0


def test_id_column_with_fasta_is_a_usage_error():
    res = run_cli(["check", DATA / "reference_subset.fasta", "--id-column", "protein"])
    assert res.code == 2 and "--id-column" in res.err and res.out == ""


def test_a_plain_id_list_is_still_checked(tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("P01584\nnot-an-id\n")
    res = run_cli(["check", ids])
    assert res.code != 0 and "not-an-id" in res.out + res.err and "P01584" not in res.out

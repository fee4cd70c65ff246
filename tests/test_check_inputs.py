"""`check` refuses inputs that are not id lists instead of reporting every line as an invalid id."""

from __future__ import annotations

import pytest
from helpers import SUBSET_FASTA, run_cli, secannot_argv, subprocess_env


@pytest.mark.parametrize("fmt, named", [("tsv", "tabs"), ("jsonl", "JSON"), ("parquet", "Parquet")])
def test_check_refuses_secannot_output_given_as_an_id_list(tmp_path, fmt, named):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    out = tmp_path / f"p.{fmt}"
    assert run_cli(["predict", "-f", fmt, "-o", out, SUBSET_FASTA]).code == 0
    res = run_cli(["check", out])
    assert res.code == 4 and res.out == ""
    assert named in res.err and len(res.err.strip().splitlines()) == 1


def test_check_reads_the_same_table_with_its_id_column(tmp_path):
    out = tmp_path / "p.tsv"
    run_cli(["predict", "-o", out, SUBSET_FASTA])
    assert run_cli(["check", out, "--id-column", "id"]).code == 0


def test_id_column_with_fasta_is_a_usage_error():
    res = run_cli(["check", SUBSET_FASTA, "--id-column", "protein"])
    assert res.code == 2 and "--id-column" in res.err and res.out == ""


def test_a_plain_id_list_is_still_checked(tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("P01584\nnot-an-id\n")
    res = run_cli(["check", ids])
    assert res.code != 0 and "not-an-id" in res.out + res.err and "P01584" not in res.out


def test_the_sp_track_of_a_protein_without_sp_prob_is_empty():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.patches import StepPatch

    from secannot.report.protein_plot import _draw_probabilities
    from secannot.results import Record, Result

    for sp_prob, expect_empty in ((None, True), (0.5, False)):
        res = Result(record=Record("x", "x", b"X" * 80, "t", 1), sp_prob=sp_prob)
        fig, ax = plt.subplots()
        _draw_probabilities(ax, res, np.ones(70), None)
        values = np.concatenate([p.get_data().values for p in ax.patches if isinstance(p, StepPatch)])
        assert (not values.any()) == expect_empty
        plt.close(fig)


@pytest.mark.parametrize("records, error, words", [
    ([("a", 123)], TypeError, "must be a str"),
    ([("a", ["M", "K"])], TypeError, "must be a str"),
    ([">a\nMKV\n"], "InputError", "read_fasta(io.StringIO"),
])
def test_api_names_a_sequence_that_is_not_one(records, error, words):
    import secannot
    from secannot.errors import InputError

    expected = InputError if error == "InputError" else error
    with pytest.raises(expected, match=r"record 1") as info:
        secannot.predict(records)
    assert words in str(info.value) and "\n" not in str(info.value)


def test_reading_fasta_from_a_terminal_says_so():
    import os
    import pty
    import subprocess

    master, slave = pty.openpty()
    proc = subprocess.Popen(secannot_argv("predict"), stdin=slave, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=subprocess_env())
    os.close(slave)
    os.write(master, b">a\nMKVLAAGIVGLLLA\n\x04")  # one Ctrl-D ends the input, as for cat
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("one Ctrl-D did not end the input") from None
    os.close(master)
    assert proc.returncode == 0 and out.decode().splitlines()[1].startswith("a\t")
    assert "reading FASTA from the terminal" in err.decode()
    piped = subprocess.run(secannot_argv("predict"), input=b">a\nMKV\n", capture_output=True,
                           env=subprocess_env())
    assert "terminal" not in piped.stderr.decode()


@pytest.mark.parametrize("args, words", [
    (["predict", "-q", "-v"], "-q and -v"),
    (["annotate", "-v", "--quiet"], "-q and -v"),
    (["predict", "-j", "2", "--dask", "local:2"], "--dask"),
    (["predict", "-j2", "--dask", "local:1"], "--dask"),
])
def test_options_that_contradict_each_other_are_a_usage_error(args, words):
    res = run_cli([*args, SUBSET_FASTA])
    assert res.code == 2 and res.out == "" and words in res.err and len(res.err.strip().splitlines()) == 1


def test_a_directory_output_suggests_a_file_named_for_the_command(tmp_path):
    for command, stem in (("predict", "predictions"), ("annotate", "annotations")):
        res = run_cli([command, SUBSET_FASTA, "-o", tmp_path])
        assert res.code == 2 and f"{stem}.tsv" in res.err


@pytest.mark.parametrize("preamble", ["# exported by a LIMS\n", ";comment\n\n"])
def test_a_fasta_file_opening_with_comment_lines_is_checked_as_fasta(tmp_path, preamble):
    fasta = tmp_path / "c.fa"
    fasta.write_text(preamble + ">bad!id\nMKV\n>ok\nMKVLAAGIVALLLAAGCSSA\n")
    res = run_cli(["check", fasta])
    # read as FASTA: the records are checked by their ids (not each line as an id: 'MKV' is no accession)
    assert "MKV" not in res.out and "invalid" not in res.out, res.out


def test_id_lists_fasta_and_tables_are_checked_together_with_an_id_column(tmp_path):
    """One hook over panels/ sees lists and tables: --id-column read every file as a table (a list's first id became
    its header: "a.ids: no column 'protein'; columns are: P05067", exit 4)."""
    (tmp_path / "a.ids").write_text("P05067\nP15692\n")
    (tmp_path / "t.tsv").write_text("name\tprotein\nVEGF\tP15692\nbad\tP0!234\n")
    res = run_cli(["check", tmp_path / "a.ids", tmp_path / "t.tsv", SUBSET_FASTA, "--id-column", "protein"])
    assert res.code == 1, res.err
    assert res.out.splitlines() == [f"{tmp_path / 't.tsv'}:2: P15692: duplicate of {tmp_path / 'a.ids'}:2",
                                    f"{tmp_path / 't.tsv'}:3: P0!234: not a valid UniProt accession"]
    # a one-column table whose header is the column is still a table
    (tmp_path / "one.tsv").write_text("protein\nP05067\n")
    assert run_cli(["check", tmp_path / "one.tsv", "--id-column", "protein"]).code == 0

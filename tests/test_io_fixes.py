"""Input and output faults: unclosed quotes, blank-looking lines, duplicate column names, ``-o`` files on
failure and over an input, old Dask parts, Parquet to a terminal, an unreachable Dask scheduler, and a
directory ``-o`` where no Parquet parts are written.
"""

from __future__ import annotations

import io
import os

import pytest
from helpers import EXAMPLE_FASTA, one_protein, run_cli

from secannot.cli import main
from secannot.errors import ExitCode
from secannot.io.tables import read_header, table_rows, text_lines

SP = "MKWVTFISLLFLFSSAYSRGVFRRDAHKSEVAHRFKDLGEENFKALVLIAFAQYLQQCPFEDHVKLVNEVTEFAKTCVADESAENCDKSLHTLFGDK"
SEPARATORS = [pytest.param("\t", id="tab"), pytest.param(",", id="comma"), pytest.param(";", id="semicolon")]


def _errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error:")]


def _table(sep: str, rows: list[list[str]]) -> str:
    return "".join(sep.join(r) + "\n" for r in rows)


# -- #1 a quote that never closes ------------------------------------------------------------------
@pytest.mark.parametrize("sep", SEPARATORS)
@pytest.mark.parametrize("broken_at", [2, 3])  # the first data row, or one after a good row
def test_check_names_an_unclosed_quote_and_checks_every_later_row(tmp_path, sep, broken_at):
    rows = [["name", "protein", "note"], ["A", "P05067", "ok"], ["B", "P52789", "ok"],
            ["C", "P15692", "ok"], ["D", "P15692", "ok"]]
    rows[broken_at - 1][2] = '"oops'
    table = tmp_path / "t.txt"
    table.write_text(_table(sep, rows))
    res = run_cli(["check", table, "--id-column", "protein"])
    assert res.code == ExitCode.REJECTED
    err = _errors(res.err)
    assert len(err) == 1 and err[0].startswith(f"error: {table}:{broken_at}: ") and "unterminated quote" in err[0]
    assert res.out.splitlines() == [f"{table}:5: P15692: duplicate of line 4"]  # rows 4 and 5 were read


@pytest.mark.parametrize("sep", SEPARATORS)
def test_annotate_keeps_every_row_after_an_unclosed_quote(tmp_path, sep):
    table = tmp_path / "t.txt"
    table.write_text(_table(sep, [["name", "seq", "note"], ["A", SP, '"oops'], ["B", SP, "ok"],
                                  ["C", SP[:40], "fine"]]))
    res = run_cli(["annotate", "--tsv", table, "--id-column", "name", "--sequence-column", "seq", "--offline",
                   "-f", "jsonl"])
    assert res.code == ExitCode.REJECTED
    import json

    rows = [json.loads(line) for line in res.out.splitlines()]
    assert [r["name"] for r in rows] == ["A", "B", "C"]
    assert rows[0]["note"] == '"oops' and "unterminated quote" in rows[0]["error"]
    assert rows[1]["note"] == "ok" and rows[1]["error"] is None and rows[1]["localization"]
    assert rows[2]["note"] == "fine" and rows[2]["error"] is None
    err = _errors(res.err)
    assert len(err) == 1 and f"{table}:2: A: unterminated quote" in err[0]


@pytest.mark.parametrize("later", [3, 9000], ids=["few-lines", "past-the-csv-field-limit"])
def test_every_row_after_an_unclosed_quote_is_read(later):
    """Past csv's field limit (131072 characters) the reader raises instead of swallowing: still no row lost."""
    body = "".join(f"R{i}\tP05067\tsome padding text\n" for i in range(later))
    lines = text_lines(io.BytesIO(f'a\tb\tc\nA\tP15692\t"oops\n{body}'.encode()))
    sep, header = read_header(lines, None)
    rows = list(table_rows(lines, sep, len(header)))
    assert [r.line for r in rows] == list(range(2, 3 + later))
    assert rows[0].problem is not None and "unterminated quote" in rows[0].ragged_reason("checked")
    assert all(r.problem is None and r.shape is None for r in rows[1:])
    assert rows[-1].cells == [f"R{later - 1}", "P05067", "some padding text"]


def test_one_huge_unquoted_cell_rejects_its_line_only():
    lines = text_lines(io.BytesIO(f'a\tb\n1\t{"x" * 140000}\n2\t"q\tr"\n3\t4\n'.encode()))
    sep, header = read_header(lines, None)
    rows = list(table_rows(lines, sep, len(header)))
    assert [r.line for r in rows] == [2, 3, 4]
    assert "field limit" in rows[0].ragged_reason("checked")
    assert rows[1].cells == ["2", "q\tr"], "quoting still applies to the lines after it"
    assert rows[2].problem is None


def test_a_closed_multiline_quote_is_still_one_cell():
    lines = text_lines(io.BytesIO(b'a\tb\n1\t"x\ny"\n2\t3\n'))
    sep, header = read_header(lines, None)
    rows = list(table_rows(lines, sep, len(header)))
    assert [(r.line, r.cells, r.problem) for r in rows] == [(2, ["1", "x\ny"], None), (4, ["2", "3"], None)]


# -- #11 whitespace-only lines ---------------------------------------------------------------------
@pytest.mark.parametrize("blank", ["   ", "\t", " \t ", "\t\t", " ,, ", "\u00a0"])
def test_a_whitespace_only_line_is_skipped_but_counted(blank):
    sep = "," if "," in blank else "\t"
    text = f"a{sep}b\n1{sep}2\n{blank}\n3{sep}4\n"
    lines = text_lines(io.BytesIO(text.encode()))
    sep, header = read_header(lines, sep)
    assert [(r.line, r.cells) for r in table_rows(lines, sep, 2)] == [(2, ["1", "2"]), (4, ["3", "4"])]


def test_check_skips_a_whitespace_only_line(tmp_path):
    table = tmp_path / "t.tsv"
    table.write_text("protein\tnote\nP05067\tx\n   \nP15692\ty\n")
    res = run_cli(["check", table, "--id-column", "protein"])
    assert res.code == ExitCode.OK, res.err
    assert res.out == "" and _errors(res.err) == []


# -- #14 duplicate column names ----------------------------------------------------------------------
@pytest.mark.parametrize("command", [
    ["check", "{t}", "--id-column", "protein"],
    ["annotate", "--tsv", "{t}", "--id-column", "protein", "--offline"],
    ["annotate", "--tsv", "{t}", "--id-column", "name", "--sequence-column", "protein", "--offline"],
], ids=["check", "annotate-id", "annotate-sequence"])
def test_a_column_named_twice_is_refused_naming_it(tmp_path, command):
    table = tmp_path / "t.tsv"
    table.write_text(f"name\tprotein\tprotein\nA\tP05067\t{SP}\n")
    res = run_cli([c.format(t=table) for c in command])
    assert res.code == ExitCode.INPUT
    assert res.out == ""
    err = _errors(res.err)
    assert len(err) == 1 and "'protein'" in err[0] and "columns 2, 3" in err[0]


# -- #3 -o on failure and -o over an input ---------------------------------------------------------------
def _fasta(tmp_path):
    path = tmp_path / "in.fa"
    path.write_text(f">a\n{SP}\n")
    return path


FAILING = [
    pytest.param(["annotate", "--tsv", "{d}/missing.tsv", "--id-column", "protein", "--offline"], 4, id="missing-table"),
    pytest.param(["annotate", "--tsv", "{d}/t.tsv", "--id-column", "nope", "--offline"], 4, id="wrong-id-column"),
    pytest.param(["annotate", "--tsv", "{d}/t.tsv", "--id-column", "protein", "--offline", "-f", "parquet"], 2,
                 id="tsv-to-parquet"),
    pytest.param(["annotate", "--tsv", "{d}/t.tsv", "--id-column", "protein", "--offline", "-f", "gff3"], 2,
                 id="tsv-to-gff3"),
    pytest.param(["predict", "{d}/missing.fa"], 4, id="missing-fasta"),
    pytest.param(["predict", "{d}/missing.fa", "-f", "parquet"], 4, id="missing-fasta-parquet"),
]


@pytest.mark.parametrize("existing", [True, False], ids=["existing-output", "new-output"])
@pytest.mark.parametrize("command, code", FAILING)
def test_a_failed_run_leaves_the_output_path_as_it_was(tmp_path, command, code, existing):
    pytest.importorskip("pyarrow")
    (tmp_path / "t.tsv").write_text("name\tprotein\nA\tP05067\n")
    out = tmp_path / "keep.out"
    if existing:
        out.write_text("precious\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    res = run_cli([c.format(d=tmp_path) for c in command] + ["-o", out])
    assert res.code == code, res.err
    assert sorted(p.name for p in tmp_path.iterdir()) == before, "no output and no temporary file left"
    if existing:
        assert out.read_text() == "precious\n"


@pytest.mark.parametrize("how", ["same-path", "other-spelling", "hard-link", "symlink"])
@pytest.mark.parametrize("command", [
    ["predict", "{i}"],
    ["annotate", "--tsv", "{i}", "--id-column", "name", "--sequence-column", "seq", "--offline"],
    ["predict", "--uniprot-list", "{i}", "--offline"],
], ids=["predict-fasta", "annotate-tsv", "uniprot-list"])
def test_an_output_that_is_an_input_is_refused(tmp_path, command, how):
    src = tmp_path / "in.txt"
    text = f"name\tseq\nA\t{SP}\n" if "--tsv" in command else (">a\n" + SP + "\n" if "--uniprot-list" not in command
                                                              else "P05067\n")
    src.write_text(text)
    out = {"same-path": str(src), "other-spelling": f"{tmp_path}/./in.txt"}.get(how)
    if how == "hard-link":
        os.link(src, tmp_path / "link.txt")
        out = str(tmp_path / "link.txt")
    elif how == "symlink":
        os.symlink(src, tmp_path / "link.txt")
        out = str(tmp_path / "link.txt")
    res = run_cli([c.format(i=src) for c in command] + ["-o", out])
    assert res.code == ExitCode.USAGE
    assert src.read_text() == text
    assert "is the input" in res.err


# Each: the command line ({hits}: annotate output, {fa}: a FASTA file, {ids}: an accession list, {link}: a
# symlink to {hits}, {svg}/{pdf}: symlinks named like figures to {hits}/{fa}), the file it must leave
# alone, and the refusal.  {ids} with --offline would fail with exit 6 if it were read first.
OVERWRITING = {
    "summarize -o input": (["summarize", "{hits}", "-o", "{hits}"], "hits", "-o {hits} is the input {hits}"),
    "summarize -o symlink to input": (["summarize", "{hits}", "-o", "{link}"], "hits", "-o {link} is the input {hits}"),
    "summarize -o background": (["summarize", "{hits}", "--background", "{bg}", "-o", "{bg}"], "bg",
                                "-o {bg} is the input {bg}"),
    "summarize --report background FASTA": (["summarize", "{hits}", "--background", "{fa}", "--report", "{fa}"],
                                            "fa", "--report {fa} is the input {fa}"),
    "summarize --report input": (["summarize", "{hits}", "--report", "{hits}"], "hits",
                                 "--report {hits} is the input {hits}"),
    "summarize --plot input": (["summarize", "{hits}", "--plot", "{svg}"], "hits", "--plot {svg} is the input {hits}"),
    "summarize -o id list": (["summarize", "--uniprot-list", "{ids}", "--offline", "-o", "{ids}"], "ids",
                             "-o {ids} is the input {ids}"),
    "plot --out input": (["plot", "{pdf}", "--out", "{pdf}"], "fa", "--out {pdf} is the input {pdf}"),
    "plot --out symlink to input": (["plot", "{fa}", "--out", "{pdf}"], "fa", "--out {pdf} is the input {fa}"),
}


@pytest.mark.parametrize(("command", "victim", "message"), OVERWRITING.values(), ids=OVERWRITING.keys())
def test_a_summarize_or_plot_output_that_is_an_input_is_refused_before_reading(tmp_path, command, victim, message):
    pytest.importorskip("matplotlib")
    files = {"hits": tmp_path / "hits.tsv", "bg": tmp_path / "bg.tsv", "fa": tmp_path / "one.fa",
             "ids": tmp_path / "ids.txt", "link": tmp_path / "link.tsv", "svg": tmp_path / "hits.svg",
             "pdf": tmp_path / "one.pdf"}
    one_protein(files["fa"])
    files["hits"].write_text(run_cli(["annotate", files["fa"]]).out)
    files["bg"].write_text(files["hits"].read_text())
    files["ids"].write_text("P05067\n")
    for link, real in (("link", "hits"), ("svg", "hits"), ("pdf", "fa")):
        files[link].symlink_to(files[real])
    before = files[victim].read_text()
    res = run_cli([c.format(**files) for c in command])
    assert (res.code, res.out) == (ExitCode.USAGE, "")
    assert res.err.splitlines()[-1] == f"error: {message.format(**files)}: write the output to another file"
    assert files[victim].read_text() == before


def test_summarize_refuses_two_outputs_naming_one_file(tmp_path, annotated_example):
    out = tmp_path / "s.tsv"
    res = run_cli(["summarize", annotated_example, "-o", out, "--report", out])
    assert (res.code, res.out) == (ExitCode.USAGE, "")
    assert res.err.splitlines()[-1] == f"error: --report {out} is also -o {out}: give each output its own file"
    assert not out.exists()


def test_summarize_may_send_two_outputs_to_dev_null(annotated_example):
    pytest.importorskip("matplotlib")
    res = run_cli(["summarize", "-q", annotated_example, "-o", os.devnull, "--report", os.devnull])
    assert (res.code, res.err) == (ExitCode.OK, "")


def test_a_plot_file_named_after_a_protein_that_is_an_input_is_refused(tmp_path):
    """``--out DIR/`` names its files after the proteins: known once they are read, refused before any is drawn."""
    pytest.importorskip("matplotlib")
    (tmp_path / "plots").mkdir()
    fasta = tmp_path / "plots" / "sp_P15692_VEGFA_HUMAN.png"
    fasta.write_text(">sp|P15692|VEGFA_HUMAN\n" + SP + "\n")
    res = run_cli(["plot", fasta, "--out", f"{tmp_path}/plots/"])
    assert (res.code, res.out) == (ExitCode.USAGE, "")
    assert res.err.splitlines()[-1] == f"error: --out {fasta} is the input {fasta}: write the output to another file"
    assert fasta.read_text().startswith(">sp|P15692|")


def test_a_successful_run_replaces_the_output_keeping_its_mode(tmp_path):
    out = tmp_path / "out.tsv"
    out.write_text("old\n")
    out.chmod(0o640)
    res = run_cli(["predict", _fasta(tmp_path), "-o", out])
    assert res.code == ExitCode.OK, res.err
    assert out.read_text().splitlines()[1].startswith("a\t")
    assert (out.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.fa", "out.tsv"]


def test_writing_through_a_symlink_keeps_the_link(tmp_path):
    real = tmp_path / "real.tsv"
    real.write_text("old\n")
    link = tmp_path / "link.tsv"
    link.symlink_to(real)
    assert run_cli(["predict", _fasta(tmp_path), "-o", link]).code == ExitCode.OK
    assert link.is_symlink() and real.read_text().startswith("id\t")


def test_output_to_dev_null_is_written_directly(tmp_path):
    assert run_cli(["predict", _fasta(tmp_path), "-o", os.devnull]).code == ExitCode.OK
    assert os.path.exists(os.devnull) and not os.path.isfile(os.devnull)


# -- #14 Parquet to a terminal, an unreachable scheduler ---------------------------------------------
class _Terminal(io.TextIOWrapper):
    def isatty(self) -> bool:
        return True


def test_parquet_to_a_terminal_is_refused(tmp_path):
    pytest.importorskip("pyarrow")
    raw = io.BytesIO()
    out, err = _Terminal(raw, encoding="utf-8"), io.StringIO()
    code = main(["predict", str(_fasta(tmp_path)), "-f", "parquet"], stdout=out, stderr=err, stdin=io.BytesIO())
    out.flush()
    assert code == ExitCode.USAGE
    assert raw.getvalue() == b""
    assert "-o FILE" in err.getvalue()


def test_parquet_to_a_pipe_is_written(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8")
    code = main(["predict", str(_fasta(tmp_path)), "-f", "parquet"], stdout=out, stderr=io.StringIO(),
                stdin=io.BytesIO())
    out.flush()
    assert code == ExitCode.OK
    assert pq.read_table(io.BytesIO(raw.getvalue())).column("id").to_pylist() == ["a"]


def test_an_unreachable_scheduler_is_a_network_failure():
    pytest.importorskip("distributed")
    from secannot.errors import NetworkError
    from secannot.pipeline.dask_job import DaskExecutor

    with pytest.raises(NetworkError) as caught, DaskExecutor("tcp://127.0.0.1:1", timeout="1s"):
        pass
    assert caught.value.exit_code == ExitCode.NETWORK == 6
    assert "tcp://127.0.0.1:1" in str(caught.value)


# -- #2 old Dask parts --------------------------------------------------------------------------------
def _part(path, provenance: bool = True):
    import pyarrow as pa
    import pyarrow.parquet as pq

    meta = {"secannot": "{}"} if provenance else {"writer": "someone else"}
    pq.write_table(pa.table({"id": ["x"]}).replace_schema_metadata(meta), path)


def test_an_earlier_runs_parts_are_removed_and_nothing_else(tmp_path):
    pytest.importorskip("pyarrow")
    from secannot.pipeline.runner import clear_old_parts

    for i in range(3):
        _part(tmp_path / f"part-{i:05d}.parquet")
    (tmp_path / "notes.txt").write_text("keep")
    (tmp_path / "_SUCCESS").write_text("")
    clear_old_parts(str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_SUCCESS", "notes.txt"]


@pytest.mark.parametrize("name, ours", [("part-00000.parquet", False), ("data.parquet", True),
                                        ("data.parquet", False), ("part-00001.parquet", None)])
def test_a_parquet_file_secannot_did_not_write_stops_the_run(tmp_path, name, ours):
    pytest.importorskip("pyarrow")
    from secannot.errors import InputError
    from secannot.pipeline.runner import clear_old_parts

    _part(tmp_path / "part-00009.parquet")
    if ours is None:
        (tmp_path / name).write_bytes(b"not parquet")
    else:
        _part(tmp_path / name, provenance=ours)
    with pytest.raises(InputError) as caught:
        clear_old_parts(str(tmp_path))
    assert name in str(caught.value)
    assert len(list(tmp_path.iterdir())) == 2, "nothing is removed when the directory is refused"


@pytest.mark.slow
def test_a_second_dask_run_into_the_same_directory_holds_only_its_rows(tmp_path):
    pytest.importorskip("distributed")
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    ref = EXAMPLE_FASTA.read_text()
    big, small = tmp_path / "big.fa", tmp_path / "small.fa"
    big.write_text("".join(ref.replace(">sp|", f">r{i}_sp|") for i in range(40)))
    small.write_text(f">a\n{SP}\n>b\n{SP[:50]}\n")
    parts = tmp_path / "parts"
    first = run_cli(["predict", "--dask", "local:2", "-f", "parquet", "-o", f"{parts}/", big])
    assert first.code == ExitCode.OK, first.err
    assert len(list(parts.glob("part-*.parquet"))) > 1
    second = run_cli(["predict", "--dask", "local:1", "-f", "parquet", "-o", f"{parts}/", small])
    assert second.code == ExitCode.OK, second.err
    assert list(pd.read_parquet(parts)["id"]) == ["a", "b"]
    (parts / "mine.parquet").write_bytes(b"PAR1")
    third = run_cli(["predict", "--dask", "local:1", "-f", "parquet", "-o", f"{parts}/", small])
    assert third.code == ExitCode.INPUT and "mine.parquet" in third.err


# -- a directory output outside Dask's Parquet parts names the fix ---------------------------------
@pytest.mark.parametrize(("extra", "output", "fix"), [
    (["-f", "parquet"], "pdir/", "-o {tmp}/pdir.parquet"),          # a directory that does not exist
    (["-f", "parquet"], "", "-o {tmp}/predictions.parquet"),        # an existing directory
    (["-f", "parquet"], ".", "-o {tmp}/./predictions.parquet"),
    ([], "pdir/", "-o {tmp}/pdir.tsv"),
    (["-f", "jsonl", "--dask", "local:1"], "pdir/", "-o {tmp}/pdir.jsonl"),
])
def test_a_directory_output_outside_dask_parquet_parts_names_the_fix(tmp_path, extra, output, fix):
    target = f"{tmp_path}/{output}"
    res = run_cli(["predict", EXAMPLE_FASTA, *extra, "-o", target])
    assert res.code == ExitCode.USAGE
    [line] = res.err.splitlines()
    assert line.startswith(f"error: -o {target}: a directory output (DIR/) holds the Parquet parts of ")
    assert line.endswith("give a file name instead, e.g. " + fix.format(tmp=tmp_path))
    assert "--dask" in line and "--format parquet" in line
    assert not (tmp_path / "pdir").exists()


_TWICE = ["same-path", "other-spelling", "hard-link", "symlink", "stdin-twice", "stdin-as-input-and-list",
          "dash-and-dev-stdin"]


@pytest.mark.parametrize(("command", "how"), [
    pytest.param(command, how, id=f"{command[0]}-{how}")
    for command in (["predict"], ["annotate"], ["summarize"], ["plot", "--out", "pp.pdf"], ["check"])
    for how in _TWICE if not (command[0] in ("plot", "check") and how == "stdin-as-input-and-list")  # no --uniprot-list
])
def test_an_input_given_twice_is_a_usage_error_naming_it(tmp_path, monkeypatch, command, how):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.fa").write_bytes(EXAMPLE_FASTA.read_bytes())
    second, named = {
        "same-path": (["a.fa", "a.fa"], "a.fa is given twice as an input"),
        "other-spelling": (["a.fa", "./a.fa"], "./a.fa is the same file as the input a.fa"),
        "hard-link": (["a.fa", "h.fa"], "h.fa is the same file as the input a.fa"),
        "symlink": (["a.fa", "s.fa"], "s.fa is the same file as the input a.fa"),
        "stdin-twice": (["-", "-"], "'-' (standard input) is given twice"),
        "stdin-as-input-and-list": (["-", "--uniprot-list", "-"], "'-' (standard input) is given twice"),
        "dash-and-dev-stdin": (["-", "/dev/stdin"], "standard input is given as - and /dev/stdin"),
    }[how]
    os.link(tmp_path / "a.fa", tmp_path / "h.fa")
    os.symlink(tmp_path / "a.fa", tmp_path / "s.fa")
    res = run_cli([*command, *second], stdin=EXAMPLE_FASTA.read_bytes())
    assert (res.code, res.out) == (ExitCode.USAGE, "")
    assert res.err.startswith(f"error: {named}"), res.err
    assert "duplicate id" not in res.err


def test_two_different_files_with_the_same_content_are_two_inputs(tmp_path):
    """Only the same file is refused: a copy is another input (its ids are duplicates, rejected as such)."""
    (tmp_path / "a.fa").write_bytes(EXAMPLE_FASTA.read_bytes())
    (tmp_path / "b.fa").write_bytes(EXAMPLE_FASTA.read_bytes())
    res = run_cli(["predict", tmp_path / "a.fa", tmp_path / "b.fa"])
    assert res.code == ExitCode.REJECTED
    assert "duplicate id" in res.err

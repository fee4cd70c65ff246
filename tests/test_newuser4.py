"""Defects found by the fourth new-user test: each test fails on the code before the fix."""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import sys
from contextlib import contextmanager

import pytest
from helpers import REPO, run_cli, shared_path

from secannot.errors import ExitCode, InputError

REF = REPO / "examples" / "reference.fasta"


@pytest.mark.parametrize(("args", "env", "named", "command"), [
    (["predict", "-f", "xml", REF], {}, "'xml' is not one of", "predict"),
    (["predict", "--organism", "human", REF], {}, "--organism", "predict"),
    (["predict", "--nc-prior", "2", REF], {}, "--nc-prior", "predict"),
    (["predict", "-j", "0", REF], {}, "--jobs", "predict"),
    (["predict", REF], {"SECANNOT_JOBS": "abc"}, "SECANNOT_JOBS", "predict"),
    (["annotate", "--no-such-option", REF], {}, "No such option: --no-such-option", "annotate"),
    (["summarize", "--format", "xml"], {}, "--format", "summarize"),
    (["rules", "show"], {}, "Missing argument", "rules show"),
    (["rules", "frob"], {}, "No such command 'frob'", "rules"),
])
def test_usage_errors_are_one_line_naming_the_problem_with_exit_2(monkeypatch, args, env, named, command):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    res = run_cli(args)
    assert res.code == ExitCode.USAGE
    lines = res.err.splitlines()
    assert len(lines) == 1, res.err
    assert lines[0].startswith("error: ") and named in lines[0]
    assert lines[0].endswith(f"(try 'secannot {command} --help')")
    assert "Value error" not in lines[0] and "Usage:" not in res.err
    assert res.out == ""


@pytest.mark.parametrize("args", [["predict", "--help"], ["rules", "--help"], ["--help"]])
def test_help_is_still_the_full_help_on_stdout(args):
    res = run_cli(args)
    assert res.code == 0 and res.err == ""
    assert res.out.startswith("Usage: secannot") and len(res.out.splitlines()) > 10


@pytest.mark.parametrize("args", [[], ["rules"]])
def test_a_group_without_command_still_shows_its_help(args):
    res = run_cli(args)
    assert res.code == ExitCode.USAGE
    assert res.err.startswith("Usage: secannot") and "Commands" in res.err


# -- 1. distributed's own log lines and warnings stay off secannot's stderr ----------------------------
def _proteome_copies(tmp_path, copies: int):
    source = shared_path("data/proteomes/human_UP000005640_first1000.fasta").read_text()
    path = tmp_path / "many.fasta"
    path.write_text("".join(source.replace(">", f">c{i}_") for i in range(copies)))
    return path


def _dask_cli(path, **popen):
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "secannot", "predict", "--dask", "local:2", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO, **popen)


@contextmanager
def _port_8787_taken():
    sock = socket.socket()
    try:
        sock.bind(("127.0.0.1", 8787))
        sock.listen()
    except OSError:
        pass  # already taken by someone else: the condition under test holds anyway
    try:
        yield
    finally:
        sock.close()


def test_dask_run_closed_early_by_its_reader_writes_nothing_from_distributed(tmp_path):
    pytest.importorskip("distributed")
    path = _proteome_copies(tmp_path, 8)
    with _port_8787_taken():
        proc = _dask_cli(path)
        first = proc.stdout.readline()  # `| head -1`
        proc.stdout.close()
        err = proc.stderr.read().decode()
        code = proc.wait()
    assert first.startswith(b"id\t")
    assert code == 0
    assert err == "", err


def test_ctrl_c_during_a_dask_run_says_interrupted_once(tmp_path):
    pytest.importorskip("distributed")
    path = _proteome_copies(tmp_path, 8)
    # a terminal's Ctrl-C reaches the whole process group: the client and its worker processes
    proc = _dask_cli(path, start_new_session=True,
                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    proc.stdout.readline()
    proc.stdout.readline()  # a first result: the workers are running
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate()
    assert proc.returncode == ExitCode.INTERRUPTED
    assert err.decode() == "interrupted\n"


def test_the_dask_executor_gives_distributed_loggers_their_levels_back():
    pytest.importorskip("distributed")
    from secannot.pipeline.dask_job import DaskExecutor

    logger = logging.getLogger("distributed")
    before = [logger.level, *(h.level for h in logger.handlers)]
    with DaskExecutor("local:1", processes=False) as ex:
        assert logger.level >= logging.ERROR
        assert all(h.level >= logging.ERROR for h in logger.handlers)
        assert ex.cluster.scheduler.http_server.port != 8787
    assert [logger.level, *(h.level for h in logger.handlers)] == before


# -- 3. to_pandas: every column's dtype from the column dictionary, whatever the rows hold -------------
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


# -- 4. read_fasta: a source that is neither a path nor a handle --------------------------------------
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


# -- 5. directory outputs and --dask inputs -------------------------------------------------------------
@pytest.mark.parametrize(("extra", "output", "fix"), [
    (["-f", "parquet"], "pdir/", "-o {tmp}/pdir.parquet"),          # a directory that does not exist
    (["-f", "parquet"], "", "-o {tmp}/predictions.parquet"),        # an existing directory
    (["-f", "parquet"], ".", "-o {tmp}/./predictions.parquet"),
    ([], "pdir/", "-o {tmp}/pdir.tsv"),
    (["-f", "jsonl", "--dask", "local:1"], "pdir/", "-o {tmp}/pdir.jsonl"),
])
def test_a_directory_output_outside_dask_parquet_parts_names_the_fix(tmp_path, extra, output, fix):
    target = f"{tmp_path}/{output}"
    res = run_cli(["predict", REF, *extra, "-o", target])
    assert res.code == ExitCode.USAGE
    [line] = res.err.splitlines()
    assert line.startswith(f"error: -o {target}: a directory output (DIR/) holds the Parquet parts of ")
    assert line.endswith("give a file name instead, e.g. " + fix.format(tmp=tmp_path))
    assert "--dask" in line and "--format parquet" in line
    assert not (tmp_path / "pdir").exists()


@pytest.mark.parametrize("source", ["stdin", "gzip", "bzip2", "pipe"])
def test_dask_with_an_input_the_workers_cannot_split_is_a_usage_error(tmp_path, source):
    import bz2
    import gzip

    data = REF.read_bytes()
    stdin = b""
    if source == "stdin":
        args, stdin, named = ["-"], data, "not standard input: save it to a file"
    elif source == "pipe":
        args, named = ["/dev/stdin"], "not a pipe or device (/dev/stdin)"
        if os.path.isfile("/dev/stdin") or not os.path.exists("/dev/stdin"):
            pytest.skip("/dev/stdin is not a device here")
    else:
        path = tmp_path / f"in.fa.{source}"
        path.write_bytes((gzip.compress if source == "gzip" else bz2.compress)(data))
        args, named = [path], f"not a compressed file ({path}): decompress it"
    res = run_cli(["predict", "--dask", "local:1", *args], stdin=stdin)
    assert res.code == ExitCode.USAGE
    [line] = res.err.splitlines()
    assert line.startswith("error: --dask reads plain FASTA files in byte ranges, " + named)
    assert res.out == ""


def test_readme_dask_section_states_the_input_restriction():
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("### Clusters (Dask)"):]
    section = section[:section.index("\n#", 1)]
    flat = " ".join(section.split())
    assert "standard input, gzip, bzip2 or xz files" in flat and "usage error (exit 2)" in flat


# -- 6. ambiguous-residue evidence names the runs, once ---------------------------------------------------
_TAIL = "STEKRDQNGSPEKDRTQSNEKGDRPSTQEKNDGRSPQTEKDNRSGQEPTKDRNSEQGKTDPRSENQKGTDRESPNKQGEDTR"
_HEAD = ("MSTEKRDQNGSPEKDRTQSNEKGDRPSTQEKNDGRSPQTEKDNRSGQEPTKDRNSEQGKTDPRSENQKGTDRESPNKQGEDTRSKNPEQGDTRKSENPQ")


def _evidence(records):
    import secannot

    return {p.id: p.evidence for p in secannot.predict(records)}


@pytest.mark.parametrize("helix", ["LLAVLLXXXXXLVLAVVLSS", "LLAVLLXXXLVLXXXVVLSSL",
                                   "LLAVLLXXXXXLVLAVVLSSKRDKRDSGSLLAVLLXXXXXLVLAVVLSS"])
def test_a_dropped_tm_helix_names_the_ambiguous_runs_then_the_helix(helix):
    seq = _HEAD + helix + _TAIL
    runs = [(m.start() + 1, m.end()) for m in re.finditer("X+", seq)]
    evidence = _evidence([("tmX", seq)])["tmX"]
    found = re.match(r"TM not called: ambiguous residues at (.+) in TM ([0-9, -]+)(;|$)", evidence)
    assert found, evidence
    assert found.group(1) == ", ".join(f"{a}-{b}" for a, b in runs)
    helices = [tuple(map(int, span.split("-"))) for span in found.group(2).split(", ")]
    assert all(any(s <= a and b <= e for s, e in helices) for a, b in runs)
    assert not set(helices) & set(runs)


@pytest.mark.parametrize("run", [11, 15])
def test_a_run_hiding_the_cleavage_site_and_possibly_a_helix_is_named_once(run):
    seq = "MKWVTFISLLFLFS" + "X" * run + _TAIL + _TAIL
    span = f"15-{14 + run}"
    evidence = _evidence([("sp_X_site", seq)])["sp_X_site"]
    assert evidence.startswith(f"SP, cleavage site unknown: ambiguous residues at {span}")
    assert evidence.count(span) == 1, evidence
    assert "could also hide a TM helix" in evidence  # the helix warning is kept, in the same item


def test_a_second_long_run_keeps_its_own_hidden_helix_item():
    seq = "MKWVTFISLLFLFS" + "X" * 11 + _TAIL + "X" * 12 + _TAIL
    second = f"{14 + 11 + len(_TAIL) + 1}-{14 + 11 + len(_TAIL) + 12}"
    evidence = _evidence([("two", seq)])["two"]
    assert evidence.count("15-25") == 1
    assert f"ambiguous residues at {second} could hide a TM helix" in evidence


# -- 7. no standard residue in the model's window: no sp_prob ------------------------------------------
BLIND = {
    "allX": "X" * 59,
    "allBZJ": "BZJX" * 20,
    "x70_then_helix": "X" * 70 + "LLAVLLFGILLVLAVVLSS" + _TAIL,
    "short": "XBZ",
}


def _blind_fasta(tmp_path):
    path = tmp_path / "blind.fasta"
    path.write_text("".join(f">{k}\n{v}\n" for k, v in BLIND.items()) + f">control\n{SIGNAL}\n")
    return path


@pytest.mark.parametrize("name", list(BLIND))
def test_no_standard_residue_in_the_first_70_gives_no_sp_prob_in_tsv(tmp_path, name):
    import csv
    import io as _io

    res = run_cli(["predict", _blind_fasta(tmp_path)])
    rows = {r["id"]: r for r in csv.DictReader(_io.StringIO(res.out), delimiter="\t")}
    assert rows[name]["sp_prob"] == "" and rows[name]["confidence"] == "low"
    shown = min(70, len(BLIND[name]))
    assert rows[name]["evidence"].startswith(f"sp_prob not given: residues 1-{shown} are all ambiguous (X/B/Z/J)")
    assert "SP not called" not in rows[name]["evidence"]
    assert float(rows["control"]["sp_prob"]) > 0.5  # a protein with residues keeps its value


def test_no_sp_prob_is_null_in_jsonl_parquet_and_the_api(tmp_path):
    import json

    import secannot

    path = _blind_fasta(tmp_path)
    lines = [json.loads(line) for line in run_cli(["predict", "-f", "jsonl", path]).out.splitlines()]
    assert [row["sp_prob"] is None for row in lines] == [True] * len(BLIND) + [False]
    assert [p.sp_prob is None for p in secannot.predict(list(BLIND.items()))] == [True] * len(BLIND)
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "blind.parquet"
    assert run_cli(["predict", "-f", "parquet", "-o", out, path]).code == 0
    assert pq.read_table(out).column("sp_prob").to_pylist()[: len(BLIND)] == [None] * len(BLIND)


def test_one_standard_residue_in_the_window_keeps_the_model_value():
    import secannot

    [row] = secannot.predict([("oneM", "M" + "X" * 80)])
    assert row.sp_prob is not None


# -- 8. every JSONL key is documented -------------------------------------------------------------------
def test_every_jsonl_key_is_a_column_or_a_documented_json_field(tmp_path):
    import json

    from secannot.columns import ANNOTATE_COLUMNS, JSON_FIELDS

    masked = tmp_path / "masked.fasta"
    masked.write_text(f">sp_X_site\nMKWVTFISLLFLFS{'X' * 11}{_TAIL}\n")
    keys: set[str] = set()
    for command in ("predict", "annotate"):
        res = run_cli([command, "-f", "jsonl", REF, masked])
        assert res.code == 0, res.err
        for line in res.out.splitlines():
            keys |= set(json.loads(line))
    documented = {c.name for c in ANNOTATE_COLUMNS} | {f.name for f in JSON_FIELDS}
    assert keys - documented == set(), "JSONL keys missing from secannot.columns.JSON_FIELDS"
    assert documented - keys == set(), "documented keys these inputs never produce: check the inputs or the list"


def test_the_readme_lists_every_json_field():
    from secannot.columns import JSON_FIELDS

    readme = (REPO / "README.md").read_text()
    table = readme[readme.index("<!-- json-fields:start -->"):readme.index("<!-- json-fields:end -->")]
    for field in JSON_FIELDS:
        assert f"| `{field.name}` | {field.present} | " in table, field.name


def test_the_plot_title_of_a_protein_without_sp_prob_says_it_was_not_assessed():
    from secannot.report.protein_plot import Threshold, title_lines
    from secannot.results import Record, Result

    blind = Result(Record("allx", "allx", b"X" * 200, "t", 1), sp_prob=None, localization="intracellular",
                   confidence="low")
    lines = title_lines(blind, Threshold(0.88, "eukarya"))
    assert "P(SP) not given" in lines[2] and "0.88" not in lines[2]
    assert "SP not assessed: no standard residue in the first 70" in lines[3]

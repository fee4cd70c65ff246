"""Defects found by the fifth new-user test (CLI and Dask): each test fails on the code before the fix."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest
from helpers import REPO, run_cli

from secannot.errors import ExitCode

REF = REPO / "examples" / "reference.fasta"
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}


# -- 1. the loop's noise while the client and cluster close stays off stderr ---------------------------
class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_closing_a_dask_cluster_logs_nothing_from_its_comms_or_event_loop():
    pytest.importorskip("distributed")
    from secannot.pipeline.dask_job import DaskExecutor

    names = ["distributed.comm.tcp", "distributed.client", "tornado.application", "asyncio"]
    caught = _Records()
    root = logging.getLogger()
    root.addHandler(caught)
    try:
        with DaskExecutor("local:1", processes=False) as ex:
            close = ex.cluster.close

            def noisy_close(*args, **kwargs):
                # what a heartbeat on a closed stream logs while a loaded machine shuts the cluster down
                for name in names:
                    logging.getLogger(name).error("Stream is closed")
                return close(*args, **kwargs)

            ex.cluster.close = noisy_close
    finally:
        root.removeHandler(caught)
    assert [r.name for r in caught.records if r.getMessage() == "Stream is closed"] == []
    logging.getLogger("tornado.application").error("after the run")  # levels are back afterwards
    assert logging.getLogger("tornado.application").isEnabledFor(logging.ERROR)


# -- 2. a malformed --dask address: one line, exit 2, at once ------------------------------------------
@pytest.mark.parametrize(("address", "named"), [
    ("bogus://x:1", "unknown scheme 'bogus://'"),
    ("tcp://", "no host:port"),
    ("inproc://x", "unknown scheme 'inproc://'"),
    ("tcp://127.0.0.1:99999", "port '99999' is not 1-65535"),
    ("tcp://127.0.0.1:0", "port '0' is not 1-65535"),
    ("localhost", "no host:port"),
])
def test_a_malformed_dask_address_is_a_one_line_usage_error(address, named):
    pytest.importorskip("distributed")
    res = run_cli(["predict", "--dask", address, REF])
    assert res.code == ExitCode.USAGE
    assert res.err.splitlines() == [f"error: --dask {address!r}: {named}; expected a scheduler address like "
                                    "tcp://host:8786 (tls://, ws://, wss://, ucx:// too) or local:N"]
    assert res.out == ""


@pytest.mark.parametrize("address", ["tcp://10.0.0.1:8786", "tls://sched.example.org:8786", "[::1]:8786",
                                     "sched:8786", "local:3"])
def test_well_formed_dask_addresses_pass_the_check(address):
    from secannot.pipeline.dask_job import parse_address

    assert parse_address(address)[0] in ("local", "remote")


# -- 3. a closed stdout keeps the exit code the run had earned -----------------------------------------
def _closed_early(args, tmp_path):
    """Run the CLI, read one line of stdout and close it (`| head -1`); the exit code and stderr."""
    proc = subprocess.Popen([sys.executable, "-m", "secannot", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=ENV, cwd=tmp_path)
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    return proc.wait(), first, err


def _dup_early_then_many(tmp_path):
    records = REF.read_text().split(">")[1:]
    body = [">" + records[0], ">" + records[1], ">" + records[0]]  # a duplicate id in the first chunk
    body += [f">x{i}_{r}" for i in range(400) for r in records]  # enough rows to fill the pipe after it
    path = tmp_path / "dup.fasta"
    path.write_text("".join(body))
    return path


@pytest.mark.parametrize("extra", [[], ["--dask", "local:1"]])
def test_a_reader_closing_stdout_early_does_not_turn_a_rejection_into_success(tmp_path, extra):
    if extra:
        pytest.importorskip("distributed")
    code, first, err = _closed_early(["predict", *extra, _dup_early_then_many(tmp_path)], tmp_path)
    assert first.startswith(b"id\t")
    assert "duplicate id" in err
    assert code == ExitCode.REJECTED


def test_a_clean_run_closed_early_still_exits_0(tmp_path):
    records = REF.read_text().split(">")[1:]
    path = tmp_path / "many.fasta"
    path.write_text("".join(f">x{i}_{r}" for i in range(400) for r in records))
    code, first, err = _closed_early(["predict", path], tmp_path)
    assert (code, err) == (0, "")


def test_check_closed_early_by_its_reader_still_exits_with_findings(tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("".join(f"NOTANID{i}\n" for i in range(20000)))
    code, first, err = _closed_early(["check", ids], tmp_path)
    assert b"NOTANID0" in first
    assert code == ExitCode.FINDINGS


def test_readme_says_what_a_closed_stdout_does():
    text = (REPO / "README.md").read_text()
    section = text[text.index("## Exit codes"):text.index("## Models and their figures")]
    assert "closes standard output" in section


# -- 4. Ctrl-C while the local cluster starts: one line, 130 -------------------------------------------
def test_ctrl_c_while_a_local_cluster_starts_says_interrupted_once():
    pytest.importorskip("distributed")
    psutil = pytest.importorskip("psutil")
    import signal
    import time

    # a terminal's Ctrl-C reaches the whole process group: the client and the worker processes it is starting
    proc = subprocess.Popen([sys.executable, "-m", "secannot", "predict", "--dask", "local:2", str(REF)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, cwd=REPO,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    parent = psutil.Process(proc.pid)
    while proc.poll() is None and not parent.children():  # the first process the start makes
        time.sleep(0.01)
    time.sleep(0.3)  # workers spawning, before their preload can ignore SIGINT
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate()
    assert err.decode() == "interrupted\n"
    assert proc.returncode == ExitCode.INTERRUPTED


# -- 5. an interrupted --dask run leaves no partial set of Parquet parts --------------------------------
def test_an_interrupted_dask_parquet_run_removes_the_parts_it_wrote(tmp_path):
    pytest.importorskip("distributed")
    pytest.importorskip("pyarrow")
    import signal
    import time

    records = REF.read_text().split(">")[1:]
    path = tmp_path / "many.fasta"
    path.write_text("".join(f">x{i}_{r}" for i in range(1500) for r in records))  # several chunks
    parts = tmp_path / "parts"
    (parts / "notes.txt").parent.mkdir()
    (parts / "notes.txt").write_text("not a part\n")
    proc = subprocess.Popen([sys.executable, "-m", "secannot", "predict", "--dask", "local:2", "-f", "parquet",
                             "-o", f"{parts}/", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=ENV, cwd=REPO, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    while proc.poll() is None and not list(parts.glob("part-*.parquet")):  # a first part is written
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before a part appeared"
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate()
    assert proc.returncode == ExitCode.INTERRUPTED, err
    assert sorted(p.name for p in parts.iterdir()) == ["notes.txt"]


def test_readme_says_failed_dask_parquet_runs_leave_no_parts():
    text = " ".join((REPO / "README.md").read_text().split())
    assert "removes the parts it wrote" in text


# -- 6. exit codes that say what went wrong -------------------------------------------------------------
@pytest.fixture(scope="module")
def annotated(tmp_path_factory):
    path = tmp_path_factory.mktemp("ann") / "hits.tsv"
    res = run_cli(["annotate", REF])
    path.write_text(res.out)
    return path


@pytest.mark.parametrize(("args", "named"), [
    (["plot", REF, "--out", "{tmp}/x.xyz"], "x.xyz: cannot tell the image format from the extension"),
    (["summarize", "{ann}", "--plot", "{tmp}/x.bmp"], "x.bmp: cannot tell the image format from the extension"),
])
def test_a_bad_figure_file_name_is_a_usage_error(tmp_path, annotated, args, named):
    pytest.importorskip("matplotlib")
    res = run_cli([str(a).format(tmp=tmp_path, ann=annotated) for a in args])
    assert res.code == ExitCode.USAGE
    assert len(res.err.splitlines()) == 1 and named in res.err
    assert res.out == "" and list(tmp_path.iterdir()) == []


def test_rules_lint_of_a_missing_file_is_an_input_error_not_a_finding(tmp_path):
    missing = tmp_path / "nonexistent.yaml"
    res = run_cli(["rules", "lint", missing])
    assert res.code == ExitCode.INPUT
    assert res.err.splitlines() == [f"error: {missing}: no such file or directory"]
    assert res.out == ""


def test_rules_show_without_an_entry_exits_1_as_documented():
    res = run_cli(["rules", "show", "NOSUCHGENE"])
    assert res.code == ExitCode.FINDINGS and res.out == ""
    table = (REPO / "README.md").read_text().split("<!-- exit-codes:start -->")[1]
    assert "| 1 |" in table and "rules show found no entry" in table.split("| 2 |")[0]


def test_summarize_checks_the_report_path_before_writing_the_summary(tmp_path, annotated):
    pytest.importorskip("matplotlib")
    report = tmp_path / "no_such_dir" / "r.html"
    res = run_cli(["summarize", annotated, "--report", report])
    assert res.code == ExitCode.INPUT
    assert res.out == ""
    assert res.err.splitlines()[-1] == f"error: {report}: cannot write the report (No such file or directory)"


# -- 7. an option without its value names the command's help; nan named as such -------------------------
@pytest.mark.parametrize(("args", "command"), [
    (["predict", "-o"], "predict"),
    (["annotate", REF, "--dask"], "annotate"),
    (["rules", "show", "--rules"], "rules show"),
])
def test_an_option_missing_its_value_points_to_the_commands_help(args, command):
    res = run_cli(args)
    assert res.code == ExitCode.USAGE
    assert res.err.splitlines() == [f"error: Option '{args[-1]}' requires an argument. (try 'secannot {command} --help')"]


@pytest.mark.parametrize("option", ["--nc-prior", "--nc-threshold"])
def test_nan_for_a_fraction_option_is_named_as_nan(option):
    res = run_cli(["predict", option, "nan", REF])
    assert res.code == ExitCode.USAGE
    assert res.err.splitlines() == [f"error: Invalid value for '{option}': Input should be a number, not nan "
                                    "(try 'secannot predict --help')"]

"""`--dask` on the command line: distributed's log lines and warnings stay off secannot's stderr, Ctrl-C says
"interrupted" once, a malformed scheduler address or an input the workers cannot split is a usage error, and an
interrupted Parquet run removes the parts it wrote."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
from contextlib import contextmanager

import pytest
from helpers import EXAMPLE_FASTA, README, REPO, readme_section, run_cli, secannot_argv, shared_path, subprocess_env

from secannot.errors import ExitCode


# -- distributed's own log lines and warnings stay off secannot's stderr ---------------------------
def _proteome_copies(tmp_path, copies: int):
    source = shared_path("data/proteomes/human_UP000005640_first1000.fasta").read_text()
    path = tmp_path / "many.fasta"
    path.write_text("".join(source.replace(">", f">c{i}_") for i in range(copies)))
    return path


def _dask_cli(path, **popen):
    return subprocess.Popen(secannot_argv("predict", "--dask", "local:2", path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=subprocess_env(), cwd=REPO, **popen)


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


# -- the loop's noise while the client and cluster close stays off stderr --------------------------
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


# -- a malformed --dask address: one line, exit 2, at once -----------------------------------------
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
    res = run_cli(["predict", "--dask", address, EXAMPLE_FASTA])
    assert res.code == ExitCode.USAGE
    assert res.err.splitlines() == [f"error: --dask {address!r}: {named}; expected a scheduler address like "
                                    "tcp://host:8786 (tls://, ws://, wss://, ucx:// too) or local:N"]
    assert res.out == ""


@pytest.mark.parametrize("address", ["tcp://10.0.0.1:8786", "tls://sched.example.org:8786", "[::1]:8786",
                                     "sched:8786", "local:3"])
def test_well_formed_dask_addresses_pass_the_check(address):
    from secannot.pipeline.dask_job import parse_address

    assert parse_address(address)[0] in ("local", "remote")


# -- inputs the workers cannot split ---------------------------------------------------------------
@pytest.mark.parametrize("source", ["stdin", "gzip", "bzip2", "pipe"])
def test_dask_with_an_input_the_workers_cannot_split_is_a_usage_error(tmp_path, source):
    import bz2
    import gzip

    data = EXAMPLE_FASTA.read_bytes()
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
    section = readme_section("### Clusters (Dask)", "\n#")
    flat = " ".join(section.split())
    assert "standard input, gzip, bzip2 or xz files" in flat and "usage error (exit 2)" in flat


# -- Ctrl-C while the local cluster starts: one line, 130 ------------------------------------------
def test_ctrl_c_while_a_local_cluster_starts_says_interrupted_once():
    pytest.importorskip("distributed")
    psutil = pytest.importorskip("psutil")
    import time

    # a terminal's Ctrl-C reaches the whole process group: the client and the worker processes it is starting
    proc = subprocess.Popen(secannot_argv("predict", "--dask", "local:2", EXAMPLE_FASTA),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=subprocess_env(), cwd=REPO,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    parent = psutil.Process(proc.pid)
    while proc.poll() is None and not parent.children():  # the first process the start makes
        time.sleep(0.01)
    time.sleep(0.3)  # workers spawning, before their preload can ignore SIGINT
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate()
    assert err.decode() == "interrupted\n"
    assert proc.returncode == ExitCode.INTERRUPTED


# -- an interrupted --dask run leaves no partial set of Parquet parts ------------------------------
def test_an_interrupted_dask_parquet_run_removes_the_parts_it_wrote(tmp_path):
    pytest.importorskip("distributed")
    pytest.importorskip("pyarrow")
    import time

    records = EXAMPLE_FASTA.read_text().split(">")[1:]
    path = tmp_path / "many.fasta"
    path.write_text("".join(f">x{i}_{r}" for i in range(1500) for r in records))  # several chunks
    parts = tmp_path / "parts"
    (parts / "notes.txt").parent.mkdir()
    (parts / "notes.txt").write_text("not a part\n")
    proc = subprocess.Popen(secannot_argv("predict", "--dask", "local:2", "-f", "parquet", "-o", f"{parts}/", path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=subprocess_env(), cwd=REPO, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    while proc.poll() is None and not list(parts.glob("part-*.parquet")):  # a first part is written
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before a part appeared"
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate()
    assert proc.returncode == ExitCode.INTERRUPTED, err
    assert sorted(p.name for p in parts.iterdir()) == ["notes.txt"]


def test_readme_says_failed_dask_parquet_runs_leave_no_parts():
    text = " ".join(README.read_text().split())
    assert "removes the parts it wrote" in text

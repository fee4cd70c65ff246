"""A reader closing standard output early (`| head -1`) keeps the exit code the run had earned: a rejection
stays a rejection, findings stay findings, a clean run exits 0."""

from __future__ import annotations

import os
import subprocess

import pytest
from helpers import EXAMPLE_FASTA, REPO, readme_section, secannot_argv, subprocess_env

from secannot.errors import ExitCode


def _closed_early(args, tmp_path):
    """Run the CLI, read one line of stdout and close it (`| head -1`); the exit code and stderr."""
    proc = subprocess.Popen(secannot_argv(*args), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=subprocess_env(), cwd=tmp_path)
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    return proc.wait(), first, err


def _dup_early_then_many(tmp_path):
    records = EXAMPLE_FASTA.read_text().split(">")[1:]
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
    records = EXAMPLE_FASTA.read_text().split(">")[1:]
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
    section = readme_section("## Exit codes", "## Models and their figures")
    assert "closes standard output" in section


def _into_a_closed_pipe(args, unbuffered: bool):
    """Run the CLI with stdout a pipe whose reader is already gone (`| true`): the exit code and stderr."""
    read, write = os.pipe()
    os.close(read)
    try:
        res = subprocess.run(secannot_argv(*args), stdout=write,
                             stderr=subprocess.PIPE, env=subprocess_env(unbuffered), cwd=REPO)
    finally:
        os.close(write)
    return res.returncode, res.stderr.decode()


@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "PYTHONUNBUFFERED"])
@pytest.mark.parametrize("args", [
    ["--version"], ["-V"], ["--help"], ["predict", "--help"], ["rules", "show", "--help"],
    ["rules", "show", "VEGFA"], ["rules", "show", "VEGFA", "--format", "json"], ["predict", EXAMPLE_FASTA],
], ids=lambda a: " ".join(map(str, a)).replace(str(EXAMPLE_FASTA), "ref.fa"))
def test_every_command_into_a_closed_pipe_stops_quietly_with_exit_0(args, unbuffered):
    """Click and Rich exit 1 on a closed pipe by themselves (1 means "no entry found" for rules show)."""
    assert _into_a_closed_pipe(args, unbuffered) == (0, "")


def test_rules_show_finding_nothing_into_a_closed_pipe_still_exits_1():
    code, err = _into_a_closed_pipe(["rules", "show", "NOSUCHGENE"], unbuffered=False)
    assert code == ExitCode.FINDINGS
    assert err.startswith("error: no rule entry for 'NOSUCHGENE'")


def _stderr_broken(args, how, tmp_path):
    """Run the CLI with a standard error that cannot be written: closed (`2>&-`), a full device
    (`2>/dev/full`) or a pipe whose reader is gone (`2>&1 | head -1` once the line was read)."""
    if how == "closed":
        proc = subprocess.run(secannot_argv(*args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=subprocess_env(), cwd=tmp_path, preexec_fn=lambda: os.close(2))
        return proc.returncode
    if how == "full":
        with open("/dev/full", "w") as full:
            return subprocess.run(secannot_argv(*args), stdout=subprocess.DEVNULL,
                                  stderr=full, env=subprocess_env(), cwd=tmp_path).returncode
    read, write = os.pipe()
    proc = subprocess.Popen(secannot_argv(*args), stdout=subprocess.DEVNULL,
                            stderr=write, env=subprocess_env(), cwd=tmp_path)
    os.close(write)
    os.close(read)  # the reader is gone before anything was read
    return proc.wait()


@pytest.mark.parametrize("how", ["closed", "full", "reader-gone"])
@pytest.mark.parametrize(("args", "code"), [
    (["predict", "dups.fa"], ExitCode.REJECTED),
    (["predict", "missing.fa"], ExitCode.INPUT),
    (["predict", "--bogus"], ExitCode.USAGE),
    (["predict", EXAMPLE_FASTA], ExitCode.OK),
])
def test_a_standard_error_that_cannot_be_written_keeps_the_exit_code(tmp_path, how, args, code):
    """Messages that cannot be written are lost, not the exit code (Python alone would exit 1 here, the code
    that means 'check found problems')."""
    (tmp_path / "dups.fa").write_text(">a\nMKVLAAGIVA\n>a\nMKVLAAGIVA\n")
    assert _stderr_broken(args, how, tmp_path) == code

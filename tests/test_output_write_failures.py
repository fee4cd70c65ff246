"""An output that cannot be written (a full disk, /dev/full, a file size limit, a closed standard output) is one
line, ``error: <stdout or the -o path>: cannot write output (<reason>)``, and exit 4 for every command: never a
traceback, never exit 1 (which means "check found problems"), never a cut-off output with exit 0.  A failed
``-o`` file leaves the path as it was, and a failed ``--dask`` run leaves no Parquet part behind.

/dev/full (Linux) fails every write with ENOSPC, as a full disk does; a regular file on a "full disk" is a
file size limit (RLIMIT_FSIZE: EFBIG) set in the child process.
"""

from __future__ import annotations

import io
import os
import resource
import shutil
import subprocess
from contextlib import suppress
from pathlib import Path

import pytest
from helpers import EXAMPLE_FASTA, REPO, one_protein, readme_section, secannot_argv, shared_path, subprocess_env

from secannot.cli import main
from secannot.errors import ExitCode

RULES = REPO / "secannot" / "_rules"
FULL = "/dev/full"
NO_SPACE = "cannot write output (No space left on device)"

pytestmark = pytest.mark.skipif(not os.path.exists(FULL), reason="needs /dev/full (Linux)")


def _secannot(args, unbuffered: bool = False, stdout=subprocess.PIPE, **popen) -> subprocess.CompletedProcess:
    return subprocess.run(secannot_argv(*args), stdout=stdout, stderr=subprocess.PIPE, text=True,
                          env=subprocess_env(unbuffered), cwd=REPO, **popen)


def _evaluation_set(tmp_path):
    seq = "MKWVTFISLLLLFSSAYSRGVFRRDTHKSEIAHRFKDLGEENFKALVLIAFAQYLQQ"
    other = "MSDKPDMAEIEKFDKSKLKKTETQEKNPLPSKETIEQEKQAGES"
    path = tmp_path / "set.3line"
    path.write_text(f">P02768|EUKARYA|SP|0\n{seq}\n{'S' * 18}{'O' * (len(seq) - 18)}\n"
                    f">P62328|EUKARYA|NO_SP|0\n{other}\n{'I' * len(other)}\n")
    return path


def _lint_findings(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("not: [a rule file\n")
    return path


def _one_rule_file(tmp_path):
    (tmp_path / "rules").mkdir()
    shutil.copy(RULES / "tme_growth_factors.yaml", tmp_path / "rules")
    return tmp_path / "rules"


def _ids_with_findings(tmp_path):
    path = tmp_path / "ids.txt"
    path.write_text("P15692\nNOTANID\n")
    return path


# Every command that writes to standard output, in this process with a real file (/dev/full) as stdout.
STDOUT_COMMANDS = {
    "predict-tsv": lambda t: ["predict", EXAMPLE_FASTA],
    "predict-jsonl": lambda t: ["predict", "-f", "jsonl", EXAMPLE_FASTA],
    "predict-json": lambda t: ["predict", "-f", "json", EXAMPLE_FASTA],
    "predict-gff3": lambda t: ["predict", "-f", "gff3", EXAMPLE_FASTA],
    "annotate": lambda t: ["annotate", EXAMPLE_FASTA],
    "check": lambda t: ["check", _ids_with_findings(t)],
    "evaluate": lambda t: ["evaluate", _evaluation_set(t)],
    "summarize": lambda t: ["summarize", EXAMPLE_FASTA],
    "rules-show": lambda t: ["rules", "show", "VEGFA"],
    "rules-show-json": lambda t: ["rules", "show", "VEGFA", "-f", "json"],
    "rules-lint": lambda t: ["rules", "lint", _lint_findings(t)],
    "rules-diff": lambda t: ["rules", "diff", RULES, _one_rule_file(t)],
    "version": lambda t: ["--version"],
    "help": lambda t: ["--help"],
    "predict-help": lambda t: ["predict", "--help"],
    "rules-help": lambda t: ["rules", "show", "--help"],
}


@pytest.mark.parametrize("command", STDOUT_COMMANDS.values(), ids=STDOUT_COMMANDS.keys())
def test_every_command_names_a_full_stdout_in_one_line_and_exits_4(tmp_path, command):
    args = [str(a) for a in command(tmp_path)]
    err = io.StringIO()
    full = open(FULL, "w")  # noqa: SIM115 - closed below, where its last flush fails as main's did
    try:
        code = main(args, stdout=full, stderr=err)
    finally:
        with suppress(OSError):
            full.close()
    assert (code, err.getvalue().splitlines()[-1:]) == (ExitCode.INPUT, [f"error: stdout: {NO_SPACE}"]), err.getvalue()


@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "PYTHONUNBUFFERED"])
@pytest.mark.parametrize("args", [
    ["predict", EXAMPLE_FASTA],
    ["predict", "-f", "jsonl", EXAMPLE_FASTA],
    ["predict", "-f", "gff3", EXAMPLE_FASTA],
    ["predict", "-f", "parquet", EXAMPLE_FASTA],
    ["annotate", "-f", "json", EXAMPLE_FASTA],
    ["predict", "-j", "2", EXAMPLE_FASTA],
    ["--version"],
    ["--help"],
    ["rules", "show", "VEGFA"],
], ids=lambda a: " ".join(map(str, a)).replace(str(EXAMPLE_FASTA), "ref.fa"))
def test_a_full_stdout_is_one_line_and_exit_4_not_a_traceback(args, unbuffered):
    """The process's own stdout: a write failing mid-run, and the last buffered bytes at exit, alike."""
    with open(FULL, "w") as full:
        res = _secannot(args, unbuffered, stdout=full)
    assert (res.returncode, res.stderr) == (ExitCode.INPUT, f"error: stdout: {NO_SPACE}\n")


def test_a_dask_run_to_a_full_stdout_is_one_line_and_exit_4():
    pytest.importorskip("distributed")
    with open(FULL, "w") as full:
        res = _secannot(["predict", "--dask", "local:1", EXAMPLE_FASTA], stdout=full)
    assert res.returncode == ExitCode.INPUT
    assert res.stderr.splitlines()[-1] == f"error: stdout: {NO_SPACE}"
    assert "Traceback" not in res.stderr


def test_output_larger_than_a_pipe_into_a_full_disk_is_not_cut_off_silently():
    """The report: 64 KiB written, exit 0, nothing on stderr.  Unbuffered stdout drops the rest of a short
    write without an error, so the run must see the failure all the same."""
    proteome = shared_path("data/proteomes/human_UP000005640_first1000.fasta")
    with open(FULL, "w") as full:
        res = _secannot(["predict", "-f", "tsv", proteome], unbuffered=True, stdout=full)
    assert (res.returncode, res.stderr) == (ExitCode.INPUT, f"error: stdout: {NO_SPACE}\n")


@pytest.mark.parametrize("args", [
    ["predict", EXAMPLE_FASTA, "-o", FULL],
    ["predict", EXAMPLE_FASTA, "-f", "parquet", "-o", FULL],
    ["annotate", EXAMPLE_FASTA, "-o", FULL],
    ["summarize", "-q", EXAMPLE_FASTA, "-o", FULL],
], ids=["predict", "parquet", "annotate", "summarize"])
def test_a_full_output_file_is_named_in_one_line_with_exit_4(args):
    res = _secannot(args)
    assert (res.returncode, res.stderr, res.stdout) == (ExitCode.INPUT, f"error: {FULL}: {NO_SPACE}\n", "")


def _file_size_limit(limit: int):
    def set_limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return set_limit


@pytest.mark.parametrize("fmt", ["tsv", "parquet"])
@pytest.mark.parametrize("existing", [True, False], ids=["existing-output", "new-output"])
def test_an_output_file_that_cannot_be_written_is_left_as_it_was(tmp_path, fmt, existing):
    out = tmp_path / f"out.{fmt}"
    if existing:
        out.write_text("the previous result\n")
    res = _secannot(["predict", EXAMPLE_FASTA, "-o", out], preexec_fn=_file_size_limit(512))
    assert (res.returncode, res.stderr) == (ExitCode.INPUT, f"error: {out}: cannot write output (File too large)\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ([out.name] if existing else [])  # no temporary file
    if existing:
        assert out.read_text() == "the previous result\n"


def test_a_dask_run_that_cannot_write_its_parts_removes_them(tmp_path):
    pytest.importorskip("distributed")
    pytest.importorskip("pyarrow")
    proteome = shared_path("data/proteomes/human_UP000005640_first1000.fasta")
    parts = tmp_path / "parts"
    res = _secannot(["predict", "--dask", "local:2", proteome, "-f", "parquet", "-o", f"{parts}/"],
                    preexec_fn=_file_size_limit(4096))
    assert res.returncode == ExitCode.INPUT, res.stderr
    last = res.stderr.splitlines()[-1]
    assert last.startswith(f"error: {parts}/part-") and last.endswith(".parquet: cannot write output (File too large)")
    # the workers return the failure: none logs its own (a heartbeat line on a loaded machine is distributed's)
    assert "Compute Failed" not in res.stderr and "Traceback" not in res.stderr, res.stderr
    assert list(parts.iterdir()) == []


def _stdout_closed():
    os.close(1)  # as `secannot ... >&-`: the process starts without a standard output


@pytest.mark.parametrize("args", [["predict", EXAMPLE_FASTA], ["predict", "-f", "parquet", EXAMPLE_FASTA],
                                  ["--version"], ["rules", "show", "VEGFA"]],
                         ids=["predict", "parquet", "version", "rules-show"])
def test_a_closed_stdout_is_one_line_and_exit_4(args):
    res = _secannot(args, stdout=subprocess.DEVNULL, preexec_fn=_stdout_closed)
    assert (res.returncode, res.stderr) == (ExitCode.INPUT,
                                            "error: stdout: cannot write output (Bad file descriptor)\n")


def test_a_closed_stdout_does_not_stop_a_run_writing_to_a_file(tmp_path):
    out = tmp_path / "out.tsv"
    res = _secannot(["predict", EXAMPLE_FASTA, "-o", out], stdout=subprocess.DEVNULL, preexec_fn=_stdout_closed)
    assert (res.returncode, res.stderr) == (0, "")
    assert (out.read_text().startswith("id\t")
            and len(out.read_text().splitlines()) == 1 + EXAMPLE_FASTA.read_text().count(">"))


@pytest.mark.parametrize("name", ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"])
def test_a_closed_stdout_named_as_the_output_file_is_one_line_and_exit_4(name):
    """`-o /dev/stdout >&-` once wrote to the null device standing in for the closed descriptor and exited 0."""
    if not os.path.exists(name):
        pytest.skip(f"no {name} here")
    res = _secannot(["predict", EXAMPLE_FASTA, "-o", name], stdout=subprocess.DEVNULL, preexec_fn=_stdout_closed)
    assert (res.returncode, res.stderr) == (ExitCode.INPUT, f"error: {name}: cannot write output (Bad file descriptor)\n")


def test_the_null_device_is_still_an_output_file_with_stdout_closed():
    res = _secannot(["predict", EXAMPLE_FASTA, "-o", os.devnull], stdout=subprocess.DEVNULL, preexec_fn=_stdout_closed)
    assert (res.returncode, res.stderr) == (0, "")


def test_readme_says_a_failed_write_is_exit_4():
    section = readme_section("## Exit codes", "## Models and their figures")
    assert "cannot write output" in section


# --------------------------------------------------------------------------- figures and the HTML report
# Each writes one file, FILE, under a name whose extension says its format: (command, FILE's extension).
FILE_OUTPUTS = {
    "plot multi-page pdf": (lambda t: ["plot", EXAMPLE_FASTA, "--out"], "pdf"),
    "plot svg": (lambda t: ["plot", one_protein(t / "one.fa"), "--out"], "svg"),
    "plot png": (lambda t: ["plot", one_protein(t / "one.fa"), "--out"], "png"),
    "plot one-page pdf": (lambda t: ["plot", one_protein(t / "one.fa"), "--out"], "pdf"),
    "summarize --plot pdf": (lambda t: ["summarize", "-q", EXAMPLE_FASTA, "--plot"], "pdf"),
    "summarize --plot svg": (lambda t: ["summarize", "-q", EXAMPLE_FASTA, "--plot"], "svg"),
    "summarize --plot png": (lambda t: ["summarize", "-q", EXAMPLE_FASTA, "--plot"], "png"),
    "summarize --report": (lambda t: ["summarize", "-q", EXAMPLE_FASTA, "--report"], "html"),
}


@pytest.mark.parametrize(("command", "ext"), FILE_OUTPUTS.values(), ids=FILE_OUTPUTS.keys())
def test_a_figure_or_report_on_a_full_disk_is_named_in_one_line_with_exit_4(tmp_path, command, ext):
    """A symlink to /dev/full, so the name keeps the extension; the multi-page PDF once ended in zlib's
    "inconsistent stream state" traceback (matplotlib finishing its page stream after the failed write)."""
    pytest.importorskip("matplotlib")
    full = tmp_path / f"full.{ext}"
    full.symlink_to(FULL)
    res = _secannot([*command(tmp_path), full])
    assert (res.returncode, res.stderr.splitlines()[-1:]) == (ExitCode.INPUT, [f"error: {full}: {NO_SPACE}"])
    assert "Traceback" not in res.stderr


@pytest.mark.parametrize("existing", [True, False], ids=["existing-output", "new-output"])
@pytest.mark.parametrize(("command", "ext"), FILE_OUTPUTS.values(), ids=FILE_OUTPUTS.keys())
def test_a_figure_or_report_that_cannot_be_written_is_left_as_it_was(tmp_path, command, ext, existing):
    pytest.importorskip("matplotlib")
    args = command(tmp_path)  # may write one.fa
    out = tmp_path / f"out.{ext}"
    if existing:
        out.write_text("the previous result\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    res = _secannot([*args, out], preexec_fn=_file_size_limit(4096))
    assert (res.returncode, res.stderr.splitlines()[-1:]) == (
        ExitCode.INPUT, [f"error: {out}: cannot write output (File too large)"]), res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no temporary file, no partial one
    if existing:
        assert out.read_text() == "the previous result\n"


def test_plot_files_one_per_protein_are_each_whole_or_absent(tmp_path):
    """--out FILE.svg with several proteins writes FILE_ID.svg each; under a size limit none is left cut off."""
    pytest.importorskip("matplotlib")
    res = _secannot(["plot", EXAMPLE_FASTA, "--out", tmp_path / "p.svg"], preexec_fn=_file_size_limit(4096))
    assert res.returncode == ExitCode.INPUT
    assert res.stderr.splitlines()[-1].endswith(".svg: cannot write output (File too large)"), res.stderr
    assert list(tmp_path.iterdir()) == []
    res = _secannot(["plot", EXAMPLE_FASTA, "--out", tmp_path / "p.svg"])
    names = res.stdout.split()
    assert (res.returncode, len(names)) == (0, EXAMPLE_FASTA.read_text().count(">"))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(os.path.basename(n) for n in names)
    assert all(Path(n).read_text().rstrip().endswith("</svg>") for n in names)


@pytest.mark.parametrize("target", [FULL, "plain-file"], ids=["dev-full", "existing-file"])
def test_a_plot_directory_that_is_a_file_is_the_usual_write_error(tmp_path, target):
    """--out without an extension names a directory; a device or file by that name cannot hold the figures."""
    pytest.importorskip("matplotlib")
    if target != FULL:
        target = tmp_path / target
        target.write_text("keep\n")
    res = _secannot(["plot", EXAMPLE_FASTA, "--out", target])
    assert (res.returncode, res.stderr, res.stdout) == (ExitCode.INPUT,
                                                        f"error: {target}: cannot write output (Not a directory)\n", "")
    if target != FULL:
        assert target.read_text() == "keep\n"

"""Usage errors are one line on stderr that names the problem and the command's help, with exit 2; --help
and a group without a command still show the full help."""

from __future__ import annotations

import pytest
from helpers import EXAMPLE_FASTA, run_cli

from secannot.errors import ExitCode


@pytest.mark.parametrize(("args", "env", "named", "command"), [
    (["predict", "-f", "xml", EXAMPLE_FASTA], {}, "'xml' is not one of", "predict"),
    (["predict", "--organism", "human", EXAMPLE_FASTA], {}, "--organism", "predict"),
    (["predict", "--nc-prior", "2", EXAMPLE_FASTA], {}, "--nc-prior", "predict"),
    (["predict", "-j", "0", EXAMPLE_FASTA], {}, "--jobs", "predict"),
    (["predict", EXAMPLE_FASTA], {"SECANNOT_JOBS": "abc"}, "SECANNOT_JOBS", "predict"),
    (["annotate", "--no-such-option", EXAMPLE_FASTA], {}, "No such option: --no-such-option", "annotate"),
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


# -- an option without its value names the command's help; nan named as such -----------------------
@pytest.mark.parametrize(("args", "command"), [
    (["predict", "-o"], "predict"),
    (["annotate", EXAMPLE_FASTA, "--dask"], "annotate"),
    (["rules", "show", "--rules"], "rules show"),
])
def test_an_option_missing_its_value_points_to_the_commands_help(args, command):
    res = run_cli(args)
    assert res.code == ExitCode.USAGE
    assert res.err.splitlines() == [f"error: Option '{args[-1]}' requires an argument. (try 'secannot {command} --help')"]


@pytest.mark.parametrize("option", ["--nc-prior", "--nc-threshold"])
def test_nan_for_a_fraction_option_is_named_as_nan(option):
    res = run_cli(["predict", option, "nan", EXAMPLE_FASTA])
    assert res.code == ExitCode.USAGE
    assert res.err.splitlines() == [f"error: Invalid value for '{option}': Input should be a number, not nan "
                                    "(try 'secannot predict --help')"]

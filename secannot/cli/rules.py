"""``secannot rules lint|show|diff``: inspect, check and compare rule files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Literal

import typer

from secannot.cli.common import Rules
from secannot.cli.streams import IO
from secannot.errors import ExitCode, InputError, UsageError
from secannot.io.progress import isatty


def lint(
    ctx: typer.Context,
    files: Annotated[list[str] | None, typer.Argument(metavar="FILE|DIR", help="Rule files or directories (default: the bundled rules).")] = None,
    seed: Annotated[str | None, typer.Option("--seed", help="The founding review as text: check that every seed quote occurs in the section it cites.", metavar="FILE")] = None,
    whole_directory: Annotated[bool, typer.Option("--whole-directory", help="Lint the whole directory (the --rules layer) of every FILE given, not only the files given: a new file is checked against the committed files beside it (the pre-commit hook's mode).")] = False,
) -> int:
    """Check rule files: schema, vocabularies, accessions, dates, duplicates, contradictions, evidence.

    Prints one 'file:line: message' per problem and exits 1 when there are
    errors, so it works as a pre-commit hook.  pre-commit passes only the staged
    files; ``--whole-directory`` lints their directories, because ``--rules`` loads a
    directory as one layer and refuses a gene in two of its files.
    """
    from secannot.knowledge.lint import lint_paths
    from secannot.knowledge.ruleset import bundled_dir
    from secannot.knowledge.seed import read_seed

    io: IO = ctx.obj
    if files and "" in files:  # an unset shell variable ("$LAB"): a bad value (2), not a missing file named ''
        raise UsageError("FILE|DIR is an empty name (''); give a rule file or a directory of .yaml rule files")
    paths = list(files) if files else [str(bundled_dir())]
    missing = [p for p in paths if not os.path.exists(p)]
    for path in missing:  # not a finding about a rule file: there is no file (exit 4, as for other inputs)
        io.stderr.write(f"error: {path}: no such file or directory\n")
    paths = [p for p in paths if p not in missing]
    if whole_directory:
        paths = _directories(paths)
    problems = lint_paths(paths, read_seed(seed) if seed else None) if paths else []
    for p in problems:
        io.stdout.write(f"{p}\n")
    errors = [p for p in problems if p.severity == "error"]
    if any(p.code == "yaml_alias" for p in problems):
        io.stderr.write("error: rule files with YAML aliases are refused (see the lines above)\n")
        return int(ExitCode.RULES)
    if errors:
        io.stderr.write(f"{len(errors)} error(s) in {len({p.path for p in errors})} file(s)\n")
    if missing:
        return int(ExitCode.INPUT)
    return int(ExitCode.FINDINGS) if errors else 0


def _directories(paths: list[str]) -> list[str]:
    """Each path's directory (a directory stays itself), once each by resolved path, in the order given; shown
    as typed (``rules/b.yaml`` -> ``rules``), so the problems of the other files carry paths pre-commit users
    recognise."""
    chosen: dict[Path, str] = {}
    for p in paths:
        directory = p if os.path.isdir(p) else (os.path.dirname(p) or ".")
        chosen.setdefault(Path(directory).resolve(), directory)
    return list(chosen.values())


def show(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(metavar="GENE|ACCESSION|ALIAS")],
    rules: Rules = None,
    fmt: Annotated[Literal["text", "json"], typer.Option("--format", "-f", help="Output format.", case_sensitive=False)] = "text",
) -> int:
    """Print a rule entry and its evidence."""
    from rich.console import Console

    from secannot.knowledge.ruleset import RuleSet
    from secannot.knowledge.show import entry_as_dict, render_entry

    io: IO = ctx.obj
    if not query.strip():  # a bad value (2), not a lookup that found nothing (1)
        raise UsageError(f"GENE|ACCESSION|ALIAS is empty ({query!r}); give a gene symbol, accession or alias")
    entries = RuleSet.load(tuple(rules or ())).find(query)
    if not entries:
        # nothing found, as grep's 1: nothing was rejected (3) and no input was unreadable (4)
        io.stderr.write(f"error: no rule entry for {query!r} (try a gene symbol, accession or alias)\n")
        return int(ExitCode.FINDINGS)
    if fmt == "json":
        io.stdout.write(json.dumps([entry_as_dict(e) for e in entries], indent=2) + "\n")
        return 0
    console = Console(file=io.stdout, no_color=bool(os.environ.get("NO_COLOR")) or None,
                      width=None if isatty(io.stdout) else 100)
    for e in entries:
        render_entry(e, console)
    return 0


def diff(
    ctx: typer.Context,
    old_dir: Annotated[str, typer.Argument(metavar="OLD_DIR")],
    new_dir: Annotated[str, typer.Argument(metavar="NEW_DIR")],
    fmt: Annotated[Literal["text", "json"], typer.Option("--format", "-f", help="Output format.", case_sensitive=False)] = "text",
    exit_code: Annotated[bool, typer.Option("--exit-code", help="Exit 1 when the rule sets differ and 0 when they do not, as git diff --exit-code.")] = False,
) -> int:
    """List added, removed and changed claims between two rule sets."""
    from secannot.knowledge.diff import diff_as_dict, diff_rule_sets, render_diff
    from secannot.knowledge.ruleset import read_rule_dir, require_rule_files, rule_dirs_problem

    io: IO = ctx.obj
    for name, d in (("OLD_DIR", old_dir), ("NEW_DIR", new_dir)):
        # Path('') is the working directory: an unset shell variable would diff it, as --rules ''
        if d == "" and (problem := rule_dirs_problem([d], name)):
            raise UsageError(problem)
    for d in (old_dir, new_dir):
        if not Path(d).is_dir():
            raise InputError(f"{d}: not a directory of rule files")
        require_rule_files(Path(d), d, "rules diff")  # before either side is parsed: one line, whichever is empty
    changes = diff_rule_sets(read_rule_dir(Path(old_dir), layer=old_dir), read_rule_dir(Path(new_dir), layer=new_dir))
    if fmt == "json":
        io.stdout.write(json.dumps(diff_as_dict(changes), indent=2) + "\n")
    else:
        render_diff(changes, io.stdout)
    return int(ExitCode.FINDINGS) if exit_code and changes else 0

"""What the commands share: option types, input ordering, the exit-code decorator, UniProt settings.

Typer reads each command's signature, so the option types live here once and
every command module spells its parameters with them.
"""

from __future__ import annotations

import functools
import math
import os
import sys
from collections.abc import Sequence
from typing import Annotated, Literal, TextIO

import typer

from secannot.cli.streams import IO
from secannot.errors import ExitCode, UsageError
from secannot.pipeline.option_ranges import NC_PRIOR, NC_THRESHOLD, Range

INPUT_OPTIONS = ("inputs", "uniprot", "uniprot_list", "gene", "gene_list")

FormatChoice = Literal["tsv", "jsonl", "json", "gff3", "parquet"]
OrganismChoice = Literal["eukarya", "gram-negative", "gram-positive", "archaea"]

Inputs = Annotated[list[str] | None, typer.Argument(metavar="INPUT", help="FASTA files (plain, gzip, bzip2, xz); '-' or nothing reads stdin.", show_default=False)]
Fmt = Annotated[FormatChoice | None, typer.Option("--format", "-f", help="Output format (default: the one the -o file's extension names: .tsv/.txt, .jsonl/.ndjson, .json, .gff3/.gff, .parquet; else tsv). Parquet needs pip install 'secannot[parquet]'.", case_sensitive=False, show_default=False)]
Output = Annotated[str | None, typer.Option("--output", "-o", help="Write to FILE instead of stdout (with --dask and --format parquet, a DIR/ gets one part per chunk).", metavar="FILE")]
Organism = Annotated[OrganismChoice, typer.Option("--organism", help="Organism group of the proteins (sets the signal-peptide threshold).", case_sensitive=False)]
Jobs = Annotated[int, typer.Option("--jobs", "-j", envvar="SECANNOT_JOBS", help="Worker processes for large inputs (env SECANNOT_JOBS).", min=1)]
Dask = Annotated[str | None, typer.Option("--dask", envvar="SECANNOT_DASK", help="Run on a Dask cluster: a scheduler address (tcp://host:8786) or local:N for a local cluster of N workers (pip install 'secannot[dask]').", metavar="ADDRESS")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="More detail on stderr.")]


def _rule_dirs(values: list[str] | None) -> list[str] | None:
    """The --rules callback: an empty name or one directory given twice is a usage error (2), before anything loads."""
    from secannot.knowledge.ruleset import rule_dirs_problem

    problem = rule_dirs_problem(values or [], "--rules")
    if problem is not None:
        raise UsageError(problem)
    return values


Rules = Annotated[list[str] | None, typer.Option("--rules", help="Extra rule directory layered over the bundled rules (repeatable; each directory once).", metavar="DIR", callback=_rule_dirs)]
Uniprot = Annotated[list[str] | None, typer.Option("--uniprot", help="UniProt accession(s), comma-separated, repeatable.", metavar="ACC")]
UniprotList = Annotated[list[str] | None, typer.Option("--uniprot-list", help="File of accessions, one per line ('-' = stdin; # comments).", metavar="FILE")]
Gene = Annotated[list[str] | None, typer.Option("--gene", help="Gene symbol(s) mapped through UniProt, comma-separated, repeatable.", metavar="SYMBOL")]
GeneList = Annotated[list[str] | None, typer.Option("--gene-list", help="File of gene symbols, one per line ('-' = stdin).", metavar="FILE")]
Taxon = Annotated[int, typer.Option("--taxon", help="NCBI taxon for gene symbols.", metavar="TAXID")]
UniprotUrl = Annotated[str | None, typer.Option("--uniprot-url", envvar="SECANNOT_UNIPROT_URL", help="UniProt REST base URL (env SECANNOT_UNIPROT_URL).", metavar="URL")]
Email = Annotated[str | None, typer.Option("--email", help="Contact address sent in the User-Agent to UniProt.", metavar="ADDRESS")]
Offline = Annotated[bool, typer.Option("--offline", help="Use only the UniProt cache (env SECANNOT_CACHE_DIR); name what is missing.")]
Model = Annotated[str | None, typer.Option("--model", help="Signal-peptide weights (.npz with .json beside it).", metavar="NPZ", hidden=True)]


def bounded(limits: Range):
    """An option callback: ``limits.low <= value <= limits.high`` and not nan, named in the words Typer's own range
    checks use (the API checks the same :mod:`secannot.pipeline.option_ranges`).

    Typer's ``min``/``max`` reject nan with "less than or equal to" the maximum, which misleads (nan
    compares false with everything); this check names nan and inf for what they are.
    """

    def check(value: float | None) -> float | None:
        if value is None:
            return value
        if math.isnan(value):
            raise typer.BadParameter("Input should be a number, not nan")
        if value < limits.low:
            raise typer.BadParameter(f"Input should be greater than or equal to {limits.low_text}")
        if value > limits.high:
            raise typer.BadParameter(f"Input should be less than or equal to {limits.high_text}")
        return value

    return check


NcPrior = Annotated[float | None, typer.Option("--nc-prior", help="Fraction of the input expected to be leaderless-secreted; nc_score is P(leaderless) under it (default: the model's, 0.02 for a proteome; OutCyte's training mix is 0.38).  " + NC_PRIOR.help, metavar="<float range>", callback=bounded(NC_PRIOR))]
SafeCells = Annotated[bool, typer.Option("--safe-cells", help="TSV: put ' before cells starting with = + - @ so spreadsheets do not run them as formulas (numbers are kept).")]
NcThreshold = Annotated[float | None, typer.Option("--nc-threshold", help="nc_score threshold for leaderless secretion (default: the model's).  " + NC_THRESHOLD.help, metavar="<float range>", callback=bounded(NC_THRESHOLD))]


#: The format an ``-o`` file's extension names (compared in lower case).
EXTENSION_FORMATS = {".tsv": "tsv", ".txt": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
                     ".gff3": "gff3", ".gff": "gff3", ".parquet": "parquet"}


#: extensions naming a compression or a format secannot does not write
NOT_WRITTEN = (".gz", ".bz2", ".xz", ".zst", ".zip", ".csv", ".xlsx", ".xls")


def output_format(fmt: str | None, output: str | None, choices: Sequence[str], warn) -> str:
    """The format to write: ``--format`` when given, else the one the ``-o`` file's extension names.

    Without ``--format`` and without an extension from :data:`EXTENSION_FORMATS` (stdout, ``-o out``)
    it is ``choices[0]``.  ``warn`` gets one line when the two disagree (``-o out.parquet --format
    tsv`` writes TSV, as asked) or when the extension names a format this command does not write.
    """
    ext = os.path.splitext(output)[1].lower() if output not in (None, "-") else ""
    implied = EXTENSION_FORMATS.get(ext)
    if fmt is not None:
        fmt = fmt.lower()
        if implied is not None and implied != fmt:
            warn(f"-o {output}: the extension {ext} is {implied}, but --format {fmt} was given; writing {fmt}")
        return fmt
    if implied is None:
        if ext in NOT_WRITTEN:  # a name promising what is not written would fail the next tool (zcat, Excel)
            warn(f"-o {output}: secannot does not write {ext} files; writing {choices[0]} under that name")
        return choices[0]
    if implied not in choices:
        warn(f"-o {output}: the extension {ext} is {implied}, which this command does not write; "
             f"writing {choices[0]} (give --format: {', '.join(choices)})")
        return choices[0]
    return implied


def ordered_inputs(command, args: Sequence[str], params: dict[str, object]) -> list[tuple[str, str]]:
    """(option, value) for every input in the order the user typed them.

    Click groups values by option, losing the interleaving of FASTA files and
    ids; the order is recovered by scanning the raw arguments with the
    command's own option table, and checked against Click's parsed values.
    """
    by_name: dict[str, object] = {}
    for p in command.params:
        if getattr(p, "param_type_name", "") == "option":
            for name in [*p.opts, *p.secondary_opts]:
                by_name[name] = p
    order: list[tuple[str, str]] = []
    it = iter(args)
    only_positional = False
    for token in it:
        if only_positional or token == "-" or not token.startswith("-"):
            order.append(("input", token))
            continue
        if token == "--":
            only_positional = True
            continue
        name, eq, attached = token.partition("=")
        opt = by_name.get(name)
        if opt is None and not token.startswith("--") and len(token) > 2:
            opt = by_name.get(token[:2])  # -j4 or a cluster of flags
            if opt is not None and not opt.is_flag:
                attached, eq = token[2:], "="
        if opt is None:
            continue
        if opt.is_flag or opt.count:
            continue
        value = attached if eq else next(it, "")
        if opt.name in INPUT_OPTIONS:
            order.append((opt.name, value))
    expected = [("input", v) for v in params.get("inputs") or ()]
    for name in INPUT_OPTIONS[1:]:
        expected += [(name, v) for v in params.get(name) or ()]
    if sorted(order) != sorted(expected):  # e.g. values from defaults/env: fall back to Click's grouping
        return expected
    return order


def on_command_line(ctx: typer.Context, name: str) -> bool:
    """Whether option ``name`` was typed (not a default, nor an environment variable): Click knows where each
    value came from (compared by name: Typer's vendored Click or Click itself)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "COMMANDLINE"


def raw_inputs(ctx: typer.Context, **params: object) -> list[tuple[str, str]]:
    """The command's inputs in typed order; nothing given means stdin."""
    io: IO = ctx.obj
    return ordered_inputs(ctx.command, io.argv[1:], params) or [("input", "-")]


#: The inputs that name a file to read (or ``-``); a value of the other options is an id.
FILE_INPUTS = ("input", "uniprot_list", "gene_list")
def input_files(raw: Sequence[tuple[str, str]]) -> list[str]:
    """The inputs of ``raw`` (option, value) that are files read by secannot (FASTA, id lists; ``-`` too)."""
    return [value for kind, value in raw if kind in FILE_INPUTS]


#: names of standard input: ``-`` and the paths that open it
STDIN_PATHS = ("-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0")


def refuse_repeated_inputs(raw: Sequence[tuple[str, str]]) -> None:
    """UsageError (exit 2) when one file is given as two inputs, before anything is read.

    The same path twice, a hard link or a symlink to an input, or ``-`` (standard input, readable
    once) twice: otherwise every record of the second reading is rejected as a duplicate id, with
    a message that does not say why.  A path that does not exist is left to the reader (exit 4).
    """
    seen: dict[object, str] = {}
    for kind, value in raw:
        if kind not in FILE_INPUTS:
            continue
        if value in STDIN_PATHS:
            key: object = "-"
        else:
            try:
                st = os.stat(value)
            except OSError:
                continue
            key = (st.st_dev, st.st_ino)
        first = seen.get(key)
        if first is None:
            seen[key] = value
            continue
        if value in STDIN_PATHS:
            what = "'-' (standard input) is" if value == first == "-" else f"standard input is given as {first} and {value}, so it is"
            raise UsageError(f"{what} given twice; it can be read only once")
        if first == value:
            raise UsageError(f"{value} is given twice as an input; give each input once")
        raise UsageError(f"{value} is the same file as the input {first}; give each input once")


def diagnostics(io: IO, quiet: bool = False, verbose: bool = False):
    from secannot.io.diagnostics import Diagnostics

    diag = Diagnostics(io.stderr, verbosity=-1 if quiet else (1 if verbose else 0))
    io.diagnostics.append(diag)
    return diag


def is_accession(text: str) -> bool:
    from secannot.io.headers import split_accession

    return split_accession(text) is not None


def stdin_text(io: IO):
    """A callable giving stdin as text, so stdin is only wrapped when something reads it."""

    def get() -> TextIO:
        import io as _io

        if io.stdin is None:
            raise UsageError("no standard input available")
        return _io.TextIOWrapper(io.stdin, encoding="utf-8-sig", errors="replace")

    return get


def uniprot_config(url: str | None, email: str | None, offline: bool, taxon: int):
    from secannot.uniprot import UniProtConfig

    kwargs: dict[str, object] = {"offline": offline, "email": email, "taxon": taxon, "backoff": 0.5}
    if url:
        kwargs["base_url"] = url
    for env, key, kind in (("SECANNOT_UNIPROT_RETRIES", "max_retries", int),
                           ("SECANNOT_UNIPROT_DEADLINE", "request_deadline", float),
                           ("SECANNOT_UNIPROT_RUN_DEADLINE", "run_deadline", float)):
        value = os.environ.get(env)
        if value:
            try:
                kwargs[key] = kind(value)
            except ValueError:
                raise UsageError(f"{env} must be a number, got {value!r}") from None
    return UniProtConfig(**kwargs)  # type: ignore[arg-type]


def exit_code(command):
    """Let a command return its exit code; say "interrupted" once on Ctrl-C.

    Output failures are not handled here but once for every command, ``--help`` and ``--version``
    alike, in :func:`secannot.cli.main.main`: a reader closing standard output (``| head``) ends the
    run quietly with the highest code it had earned (a rejected record 3, UniProt 6, a finding 1),
    else 0; any other failed write (a full disk) is one ``error:`` line and exit 4.
    """

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            code = command(*args, **kwargs)
        except KeyboardInterrupt:
            sys.stderr.write("interrupted\n")
            code = int(ExitCode.INTERRUPTED)
        raise typer.Exit(int(code or 0))

    return wrapper

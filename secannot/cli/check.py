"""``secannot check``: protein lists as a pre-commit hook."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from secannot.cli.common import (
    Email,
    Offline,
    Organism,
    Rules,
    Taxon,
    UniprotUrl,
    diagnostics,
    refuse_repeated_inputs,
    stdin_text,
    uniprot_config,
)
from secannot.cli.streams import IO
from secannot.errors import ExitCode


def check(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(metavar="FILE", help="Id lists (one per line, # comments), TSV/CSV with --id-column, or FASTA.")],
    id_column: Annotated[str | None, typer.Option("--id-column", help="Column holding the ids in TSV/CSV files.", metavar="COL")] = None,
    sep: Annotated[str | None, typer.Option("--sep", help="Table delimiter (default: detected).", metavar="SEP")] = None,
    allow_genes: Annotated[bool, typer.Option("--allow-genes", help="Accept gene symbols as well as accessions.")] = False,
    require: Annotated[Literal["secreted", "classical", "annotated"] | None, typer.Option("--require", help="Every protein must be predicted secreted (classical or non-classical/leaderless candidate: the finding names which), classical (a signal peptide, whatever the localisation) or annotated (has a rule entry).", case_sensitive=False)] = None,
    organism: Organism = "eukarya",
    taxon: Taxon = 9606,
    rules: Rules = None,
    uniprot_url: UniprotUrl = None,
    email: Email = None,
    offline: Offline = False,
    per_file: Annotated[bool, typer.Option("--per-file", help="Check each file as its own set: an id may appear in several files (panels that share proteins), not twice in one.")] = False,
) -> int:
    """Check protein lists: valid accessions, no duplicates, optional requirements.

    Findings print as 'file:line: id: message'; the exit code is 0 when clean and 1
    with findings, so it runs as a pre-commit hook (see .pre-commit-hooks.yaml).
    Several files are checked as one set: an id in two of them is a duplicate
    ('b.ids:4: P05067: duplicate of a.ids:2'); --per-file checks each file alone.
    A table row with more or fewer fields than the header is not checked: it is
    named on stderr with its line and both counts, and the run exits 3.
    --require predicts: offline for FASTA, through the UniProt cache or network for ids;
    UniProt failures and --offline cache misses are errors on stderr (exit 6), not findings.

    \b
    Examples:
      secannot check panel.txt
      secannot check candidates.tsv --id-column accession --require secreted
    """
    from secannot.pipeline.check import CheckConfig, check_files
    from secannot.pipeline.predictor import PredictConfig

    io: IO = ctx.obj
    refuse_repeated_inputs([("input", path) for path in files])  # its ids would all be duplicates of themselves
    io.broken_pipe_code = int(ExitCode.FINDINGS)  # stdout carries findings only: a reader closing it missed one
    diag = diagnostics(io)
    config = CheckConfig(id_column=id_column, sep=sep, allow_genes=allow_genes, require=require, across_files=not per_file,
                         predict=PredictConfig(organism=organism, rules_dirs=tuple(rules or ())),
                         uniprot=uniprot_config(uniprot_url, email, offline, taxon))
    return int(check_files(files, config, io.stdout, diag, stdin_text(io)() if "-" in files else None))

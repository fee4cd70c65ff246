"""``secannot plot``: per-residue signal-peptide probability and the whole-protein track."""

from __future__ import annotations

import os
from typing import Annotated, Literal

import typer

from secannot.cli.common import (
    Email,
    Offline,
    Organism,
    Taxon,
    UniprotUrl,
    diagnostics,
    input_files,
    is_accession,
    refuse_repeated_inputs,
    stdin_text,
    uniprot_config,
)
from secannot.cli.streams import IO
from secannot.errors import InputError, UsageError


def plot(
    ctx: typer.Context,
    items: Annotated[list[str], typer.Argument(metavar="ID|FASTA", help="FASTA files, UniProt accessions or gene symbols.")],
    out: Annotated[str, typer.Option("--out", help="FILE.png|.svg (one protein, or _ID is added), FILE.pdf (one page each) or a directory.", metavar="FILE")],
    fmt: Annotated[Literal["png", "svg", "pdf"] | None, typer.Option("--format", "-f", help="Figure format when --out is a directory.", case_sensitive=False)] = None,
    organism: Organism = "eukarya",
    taxon: Taxon = 9606,
    uniprot_url: UniprotUrl = None,
    email: Email = None,
    offline: Offline = False,
) -> int:
    """Draw per-residue signal-peptide probability and the whole-protein track.

    \b
    Examples:
      secannot plot P05067 --out app.png
      secannot plot proteins.fasta --out plots.pdf
    """
    from secannot.io.writers.output_file import refuse_input_as_output
    from secannot.pipeline.predictor import PredictConfig
    from secannot.pipeline.runner import predict_for_plot
    from secannot.report.plots import check_plot_directory, plot_targets, require_matplotlib, run_plot

    io: IO = ctx.obj
    require_matplotlib()
    try:
        plot_targets(["_"], out, fmt)  # a bad --out or --format is a usage error (2), found before any work
    except InputError as exc:
        raise UsageError(str(exc)) from None
    diag = diagnostics(io)
    raw = [("input", i) if (i == "-" or os.path.exists(i)) else ("uniprot" if is_accession(i) else "gene", i)
           for i in items]
    refuse_repeated_inputs(raw)
    files = input_files(raw)
    refuse_input_as_output(out, files, "--out")
    check_plot_directory(out)
    triples, thresholds = predict_for_plot(raw, PredictConfig(organism=organism), uniprot_config(uniprot_url, email, offline, taxon),
                               io, diag, stdin_text(io))
    if not triples and diag.exit_code:
        return int(diag.exit_code)  # every input failed, and stderr says why (e.g. 6: not in the offline cache)
    if triples:  # the per-protein names (OUT_ID.png, DIR/ID.png) are known once the proteins are
        for path in plot_targets([r.id for r, _, _ in triples], out, fmt)[1]:
            refuse_input_as_output(path, files, "--out")
    for path in run_plot(triples, out, fmt, thresholds):
        io.stdout.write(f"{path}\n")
    return int(diag.exit_code)

"""``secannot summarize``: what a hit list says about the tumour microenvironment."""

from __future__ import annotations

import errno
import os
from typing import Annotated, Literal

import typer

from secannot.cli.common import (
    Email,
    Gene,
    GeneList,
    NcPrior,
    NcThreshold,
    Offline,
    Organism,
    Quiet,
    Rules,
    Taxon,
    Uniprot,
    UniprotList,
    UniprotUrl,
    Verbose,
    diagnostics,
    input_files,
    on_command_line,
    output_format,
    raw_inputs,
    refuse_repeated_inputs,
    stdin_text,
    uniprot_config,
)
from secannot.cli.streams import IO
from secannot.errors import InputError, UsageError
from secannot.io.guarded import cannot_write
from secannot.report.enrichment import DEFAULT_MIN_SIZE


def summary_help() -> str:
    from secannot.report.summary import SUMMARY_COLUMNS

    width = max(len(n) for n, _ in SUMMARY_COLUMNS)
    return "\n".join(["\b", "Output columns:"] + [f"  {n:<{width}}  {d}" for n, d in SUMMARY_COLUMNS])


def summarize(
    ctx: typer.Context,
    inputs: Annotated[list[str] | None, typer.Argument(metavar="INPUT", help="annotate output (TSV/JSONL/JSON, annotate --tsv tables, Parquet files or part directories) or FASTA; '-' = stdin.")] = None,
    uniprot: Uniprot = None,
    uniprot_list: UniprotList = None,
    gene: Gene = None,
    gene_list: GeneList = None,
    background: Annotated[str | None, typer.Option("--background", help="Everything detected in the experiment: annotate output, FASTA, or a list of accessions/genes.", metavar="FILE")] = None,
    fmt: Annotated[Literal["tsv", "json"] | None, typer.Option("--format", "-f", help="Output format; json also carries the provenance and totals (default: json for -o FILE.json, else tsv).", case_sensitive=False, show_default=False)] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write the table to FILE instead of stdout.", metavar="FILE")] = None,
    report: Annotated[str | None, typer.Option("--report", help="Write a self-contained HTML report (needs secannot[report]).", metavar="HTML")] = None,
    plot: Annotated[str | None, typer.Option("--plot", help="Write the enrichment dot plot (.png, .svg or .pdf; needs secannot[report]).", metavar="FILE")] = None,
    min_size: Annotated[int, typer.Option("--min-size", min=1, help="Test only categories with at least N background proteins (default 5: the low end of the 5-15 that enrichment tools commonly require; fewer lets one hit look significant).", metavar="N")] = DEFAULT_MIN_SIZE,
    organism: Organism = "eukarya",
    taxon: Taxon = 9606,
    rules: Rules = None,
    nc_threshold: NcThreshold = None,
    nc_prior: NcPrior = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    uniprot_url: UniprotUrl = None,
    email: Email = None,
    offline: Offline = False,
) -> int:
    """What a hit list says about the tumour microenvironment.

    Counts routes and localisations, and for every cell source, cancer process and
    clinical category the proteins carrying it. With --background, a one-sided
    hypergeometric test per category with Benjamini-Hochberg q-values.

    \b
    Examples:
      secannot annotate hits.fasta --format jsonl > hits.jsonl
      secannot summarize hits.jsonl --background detected.jsonl --report report.html
      secannot summarize --uniprot-list hits.txt --background all_ids.txt --format json
    """
    from secannot.pipeline.predictor import PredictConfig, Predictor, unused_leaderless_options
    from secannot.pipeline.runner import JobConfig, collect_annotated, load_rules, open_output
    from secannot.report.output import input_label, run_summarize
    from secannot.report.standards import standards_warnings

    io: IO = ctx.obj
    diag = diagnostics(io, quiet, verbose)
    fmt = output_format(fmt, output, ("tsv", "json"), diag.warn)
    if fmt not in ("tsv", "json"):
        raise UsageError(f"unknown --format {fmt!r}; choose tsv or json")
    check_figure_paths(plot, report)
    unused = unused_leaderless_options({"--nc-threshold": nc_threshold, "--nc-prior": nc_prior}, organism, False, "")
    if unused:
        diag.warn(unused)
    # the settings summarize annotates FASTA and ids with (the background, most often): the hits' own, to compare
    predict = PredictConfig(organism=organism, rules_dirs=tuple(rules or ()), nc_threshold=nc_threshold,
                            nc_prior=nc_prior)
    config = JobConfig(predict=predict, annotate=True,
                       uniprot=uniprot_config(uniprot_url, email, offline, taxon))
    raw = raw_inputs(ctx, inputs=inputs, uniprot=uniprot, uniprot_list=uniprot_list, gene=gene, gene_list=gene_list)
    refuse_repeated_inputs(raw)
    refuse_overwriting(raw, background, {"-o": output, "--report": report, "--plot": plot})
    predictor = Predictor(config.predict, load_rules(config.predict, diag))  # hits and background: loaded once
    records, provenance, hits_here = collect_annotated(raw, config, io, diag, stdin_text(io), predictor)
    if not records and diag.exit_code:
        return int(diag.exit_code)  # every input failed, and stderr says why (e.g. 6: not in the offline cache)
    back, back_here = None, 0
    if background is not None:
        failed_before = len(diag.rejections)
        back, _, back_here = collect_annotated([("background", background)], config, io, diag, stdin_text(io),
                                               predictor)
        if not back and len(diag.rejections) > failed_before:
            return int(diag.exit_code)  # every background record failed, and stderr says why (6: UniProt)
    standards = standards_warnings(records, back, provenance, hits_here, back_here, {"--rules": rules, "--nc-prior": nc_prior,
        "--nc-threshold": nc_threshold, "--organism": organism if on_command_line(ctx, "organism") else None})
    for line in standards:
        diag.warn(line)
    with open_output(output, io.stdout) as out:
        note = None if quiet else (lambda line: io.stderr.write(f"summarize: {line}\n"))
        run_summarize(records, back, out, fmt, report, plot, provenance, diag.warn, note=note, min_size=min_size,
                      inputs=[input_label(o, v) for o, v in raw],
                      background_name=input_label("background", background) if background else None,
                      standards_notes=standards)
    return int(diag.exit_code)


def refuse_overwriting(raw: list[tuple[str, str]], background: str | None, outputs: dict[str, str | None]) -> None:
    """UsageError (exit 2), before anything is read, when an output (``-o``, ``--report``, ``--plot``) is one
    of the inputs or the background (also through a link), or two outputs name one file: each output is
    renamed into place whole, so the input would be lost or one output would silently replace the other."""
    from secannot.io.writers.output_file import refuse_input_as_output

    files = input_files(raw) + ([background] if background else [])
    given = [(option, path) for option, path in outputs.items() if path not in (None, "-")]
    for option, path in given:
        refuse_input_as_output(path, files, option)
    seen: dict[str, str] = {}
    for option, path in given:
        if os.path.exists(path) and not os.path.isfile(path):
            continue  # /dev/null and the like are written directly: both outputs can go there
        key = os.path.realpath(path)
        if key in seen:
            raise UsageError(f"{option} {path} is also {seen[key]}: give each output its own file")
        seen[key] = f"{option} {path}"


def check_figure_paths(plot: str | None, report: str | None) -> None:
    """Before anything is read or written: a --plot extension that names no chart format is a
    UsageError (exit 2); a --report or --plot that is a directory, or in a directory that does not exist,
    is an OutputError (exit 4), rather than a summary on stdout followed by that error."""
    if plot is not None:
        from secannot.report.plots import CHART_FORMATS, image_format

        try:
            image_format(plot, CHART_FORMATS)
        except InputError as exc:
            raise UsageError(str(exc)) from None
    for path in (report, plot):
        if path is not None and os.path.isdir(path):  # `--report .`: refused before the summary is written
            raise cannot_write(path, errno.EISDIR)
        parent = os.path.dirname(path or "") or "."
        if path is not None and not os.path.isdir(parent):
            reason = errno.ENOTDIR if os.path.exists(parent) else errno.ENOENT
            raise cannot_write(path, reason)

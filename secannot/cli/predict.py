"""``secannot predict``: signal peptides, cleavage sites and localisation."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from secannot.cli.common import (
    Dask,
    Email,
    Fmt,
    Gene,
    GeneList,
    Inputs,
    Jobs,
    Model,
    NcPrior,
    NcThreshold,
    Offline,
    Organism,
    Output,
    Quiet,
    Rules,
    SafeCells,
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
from secannot.errors import UsageError

VERDICT_HELP = "\n".join([
    "\b",
    "How the verdict is reached (localization; the README's 'How each verdict is reached' in full):",
    "  with a signal peptide: a TM helix in the mature chain -> membrane; else a C-terminal",
    "    GPI signal (omega site + hydrophobic tail, one polar residue tolerated) -> gpi_anchored;",
    "    else a C-terminal ER retention motif [KRHQSAP][DENQ]EL (PROSITE PS00014; the DDEL/EDEL/TDEL",
    "    variants at lower confidence) -> er_retained; else secreted.",
    "  uncertain band (eukaryotes, 0.35 <= sp_prob < threshold): cs_prob >= 0.9 and an h-region",
    "    of 8-18 residues -> signal peptide (cleaved at the best site, rules above); else an",
    "    N-terminal helix scoring >= -70 in the topology network -> signal anchor (membrane); else",
    "    neither: a weaker N-terminal helix is dropped (e.g. mitochondrial presequences).",
    "  without: a TM helix -> membrane (an uncleaved N-terminal one is a signal anchor; a lone helix",
    "    ending within 30 residues of the C-terminus is a tail anchor, N-terminus cytoplasmic);",
    "    else a rules/nonclassical.yaml match -> route non-classical, non_classical_candidate; else",
    "    (eukaryotes) an N-myristoylation or CaaX prenylation motif -> membrane (lipid anchor); else",
    "    nc_score >= threshold -> non-classical, non_classical_candidate; else intracellular.",
    "    nc_score is P(leaderless secretion) under --nc-prior (default 0.02), eukaryotes only;",
    "    fragments (no initial M), chains under 50 residues and short Cys/Pro-rich proteins",
    "    (< 200 aa, C+P >= 20%) are never called by score.",
    "  confidence (high/medium/low) says how sure each verdict is; evidence names what decided it.",
])

def columns_help(columns) -> str:
    width = max(len(c.name) for c in columns)
    return "\n".join(["\b", "Output columns (TSV; the same keys in JSON):"]
                     + [f"  {c.name:<{width}}  {c.description}" for c in columns])


def run_cli_job(ctx: typer.Context, *, annotate: bool, inputs, fmt, output, organism, jobs, dask, quiet, verbose, rules,
                uniprot, uniprot_list, gene, gene_list, taxon, uniprot_url, email, offline, model, nc_threshold,
                signal_only: bool = False, nc_prior: float | None = None, table=None, family_claims: bool = True,
                safe_cells: bool = False) -> int:
    """The job behind predict and annotate: build the configs, resolve inputs, run, return the exit code."""
    from secannot.io.progress import isatty, wants_progress
    from secannot.io.writers import FORMATS
    from secannot.io.writers.output_file import refuse_directory_output, refuse_input_as_output
    from secannot.pipeline.inputs import expand_sources
    from secannot.pipeline.predictor import PredictConfig, unused_leaderless_options
    from secannot.pipeline.runner import JobConfig, open_output, run_job

    io: IO = ctx.obj
    if quiet and verbose:
        raise UsageError("-q and -v ask for opposite things; give one")
    diag = diagnostics(io, quiet, verbose)
    fmt = output_format(fmt, output, FORMATS, diag.warn)
    if fmt not in FORMATS:
        raise UsageError(f"unknown --format {fmt!r}; choose one of {', '.join(FORMATS)}")
    refuse_directory_output(output, fmt, dask, "annotations" if annotate else "predictions")
    if dask is not None and jobs > 1 and on_command_line(ctx, "jobs"):  # SECANNOT_JOBS alone: --dask wins
        raise UsageError(f"-j {jobs} and --dask both choose where the work runs; give one (--dask {dask} uses the "
                         "cluster's workers)")
    if dask is not None:
        from secannot.pipeline.dask_job import parse_address

        parse_address(dask)  # a malformed address: exit 2 now, not a traceback or a timeout later
    cpus = os.cpu_count() or 1
    if jobs > cpus and dask is None:
        # more processes than CPUs only adds start-up and memory (-j 999 once started ~470 processes)
        diag.warn(f"-j {jobs} is more than the {cpus} CPUs here; using -j {cpus}")
        jobs = cpus
    unused = unused_leaderless_options({"--nc-threshold": nc_threshold, "--nc-prior": nc_prior}, organism,
                                       signal_only, "--signal-only")
    if unused:
        diag.warn(unused)
    predict_config = PredictConfig(
        organism=organism, model_path=model, nc_threshold=nc_threshold, nc_prior=nc_prior,
        rules_dirs=tuple(rules or ()), jobs=jobs, localize=not signal_only, family_claims=family_claims,
        dask=dask,
    )
    if table is not None:
        from secannot.pipeline.table_job import annotate_table

        if inputs or uniprot or uniprot_list or gene or gene_list:
            raise UsageError("--tsv annotates a table; do not combine it with FASTA inputs or id options")
        if fmt not in ("tsv", "jsonl"):
            raise UsageError(f"--tsv writes tsv (the input's delimiter) or jsonl, not {fmt!r}")
        refuse_input_as_output(output, [table.path])
        config = JobConfig(predict=predict_config, fmt=fmt, output=output, annotate=True,
                           uniprot=uniprot_config(uniprot_url, email, offline, taxon), safe_cells=safe_cells)
        with open_output(output, io.stdout) as out:
            return int(annotate_table(table, config, out, io.stdin, diag))
    raw = raw_inputs(ctx, inputs=inputs, uniprot=uniprot, uniprot_list=uniprot_list, gene=gene, gene_list=gene_list)
    if any(v == "-" for _, v in raw) and isatty(io.stdin):
        # nothing given (or "-") on a terminal: without this line the run looks hung
        diag.warn("reading FASTA from the terminal (standard input); end with Ctrl-D, or give a FASTA file")
    refuse_repeated_inputs(raw)
    refuse_input_as_output(output, input_files(raw))
    sources = expand_sources(raw, stdin_text(io))
    if dask is not None:
        from secannot.pipeline.dask_job import refuse_unsplittable

        refuse_unsplittable(sources)
    ids_config = None
    if any(s.kind != "fasta" for s in sources):
        ids_config = uniprot_config(uniprot_url, email, offline, taxon)
    config = JobConfig(predict=predict_config, fmt=fmt, output=output, annotate=annotate,
                       uniprot=ids_config, progress=wants_progress(io.stderr, quiet), safe_cells=safe_cells)
    stdin = None if any(v == "-" for k, v in raw if k != "input") else io.stdin
    return int(run_job(config, sources, io.stdout, stdin, diag, io.stderr))


def predict(
    ctx: typer.Context,
    inputs: Inputs = None,
    fmt: Fmt = None,
    output: Output = None,
    organism: Organism = "eukarya",
    uniprot: Uniprot = None,
    uniprot_list: UniprotList = None,
    gene: Gene = None,
    gene_list: GeneList = None,
    taxon: Taxon = 9606,
    jobs: Jobs = 1,
    dask: Dask = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    rules: Rules = None,
    uniprot_url: UniprotUrl = None,
    email: Email = None,
    offline: Offline = False,
    model: Model = None,
    nc_threshold: NcThreshold = None,
    nc_prior: NcPrior = None,
    safe_cells: SafeCells = False,
    signal_only: Annotated[bool, typer.Option("--signal-only", help="Only the signal-peptide model: skip localisation and leaderless scoring (fastest).")] = False,
) -> int:
    """Predict signal peptides, cleavage sites and localisation.

    \b
    Examples:
      secannot predict proteins.fasta
      cat proteins.fasta | secannot predict - --format gff3 > sp.gff3
      secannot predict --uniprot P01308 --format json
    """
    return run_cli_job(ctx, annotate=False, inputs=inputs, fmt=fmt, output=output, organism=organism, jobs=jobs, dask=dask,
                       quiet=quiet, verbose=verbose, rules=rules, uniprot=uniprot, uniprot_list=uniprot_list,
                       gene=gene, gene_list=gene_list, taxon=taxon, uniprot_url=uniprot_url, email=email,
                       offline=offline, model=model, nc_threshold=nc_threshold, nc_prior=nc_prior,
                       signal_only=signal_only, safe_cells=safe_cells)

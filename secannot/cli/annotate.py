"""``secannot annotate``: predict, then add TME cell sources, processes and clinical status."""

from __future__ import annotations

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
)
from secannot.cli.predict import run_cli_job
from secannot.errors import UsageError


def annotate(
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
    tsv: Annotated[str | None, typer.Option("--tsv", help="Annotate the rows of a TSV/CSV table ('-' = stdin); keeps every column and row.", metavar="TABLE")] = None,
    id_column: Annotated[str | None, typer.Option("--id-column", help="Column of the table holding accessions, gene symbols or sp|ACC|NAME.", metavar="COL")] = None,
    sep: Annotated[str | None, typer.Option("--sep", help="Table delimiter (default: detected from the header; 'tab' or ',').", metavar="SEP")] = None,
    sequence_column: Annotated[str | None, typer.Option("--sequence-column", help="Column with protein sequences; rows with one need no UniProt fetch.", metavar="COL")] = None,
    no_family: Annotated[bool, typer.Option("--no-family", help="Drop cell-source and process claims that the source states only for the protein's family (basis: family).")] = False,
) -> int:
    """Predict, then annotate with TME cell sources, processes and clinical status.

    Proteins are matched to the rules by UniProt accession, GN= gene and entry
    name from UniProt-style headers (sp|P15692|VEGFA_HUMAN ... GN=VEGFA), or by a
    bare accession as the id. JSON output carries every claim with its evidence.

    \b
    Examples:
      secannot annotate examples/reference.fasta
      secannot annotate --uniprot P15692 --gene KLK3 --format json
      secannot annotate proteins.fasta --rules my_rules/ -o annotated.tsv
      secannot annotate --tsv hits.csv --id-column protein
    """
    table = None
    if tsv is not None:
        from secannot.pipeline.table_job import TableConfig

        if not id_column:
            raise UsageError("--tsv needs --id-column COL")
        table = TableConfig(tsv, id_column, sep, sequence_column)
    elif id_column or sequence_column:
        raise UsageError("--id-column and --sequence-column only apply with --tsv")
    return run_cli_job(ctx, annotate=True, inputs=inputs, fmt=fmt, output=output, organism=organism, jobs=jobs, dask=dask,
                       quiet=quiet, verbose=verbose, rules=rules, uniprot=uniprot, uniprot_list=uniprot_list,
                       gene=gene, gene_list=gene_list, taxon=taxon, uniprot_url=uniprot_url, email=email,
                       offline=offline, model=model, nc_threshold=nc_threshold, nc_prior=nc_prior, table=table,
                       family_claims=not no_family, safe_cells=safe_cells)

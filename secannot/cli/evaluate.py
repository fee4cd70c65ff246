"""``secannot evaluate``: score secannot on a labelled set."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from secannot.cli.common import Model, NcThreshold
from secannot.cli.streams import IO
from secannot.errors import UsageError


def evaluate(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(metavar="FILE", help="SignalP 6.0 .3line benchmark, or an OutCyte-style UPS FASTA.")],
    fmt: Annotated[Literal["text", "json"], typer.Option("--format", "-f", help="Output format.", case_sensitive=False)] = "text",
    partition: Annotated[list[int] | None, typer.Option("--partition", help="Only these benchmark partitions (repeatable).")] = None,
    model: Model = None,
    nc_threshold: NcThreshold = None,
) -> int:
    """Score secannot on a labelled set: detection MCC, precision, recall, cleavage sites.

    The format is detected: three-line records (>ACC|KINGDOM|TYPE|PARTITION,
    sequence, labels) are scored per kingdom for Sec/SPI signal peptides; a FASTA
    with >ACC|UPS|... / >ACC|INTRACELLULAR|... headers scores nc_score (ROC AUC,
    MCC, precision and recall at the threshold).

    \b
    Examples:
      secannot evaluate benchmark_dev.3line
      secannot evaluate benchmark_dev.3line --partition 1 --format json
      secannot evaluate ups_dev.fasta
    """
    from secannot.pipeline.evaluate import run_evaluate

    io: IO = ctx.obj
    if fmt not in ("text", "json"):
        raise UsageError(f"unknown --format {fmt!r}; choose text or json")
    return int(run_evaluate(file, io.stdout, fmt, tuple(partition or ()), model, nc_threshold))

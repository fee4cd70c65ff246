"""Output formats: TSV, JSON Lines, JSON, GFF3 and Parquet, all streaming; one module per format.

Writers take a handle and receive results one at a time, in input order, so
memory stays flat; ``close`` gets the rejections, which JSON keeps in the
document so that every input record is accounted for in one place.  A
result can also be rendered apart from its writer (``make_renderer``), which
is how worker processes and Dask tasks format rows that the parent process
then only writes, in order, with ``write_rendered``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from secannot.columns import Column
from secannot.io.diagnostics import Rejection
from secannot.io.writers.gff3 import Gff3Writer, render_gff3
from secannot.io.writers.jsonl import JsonlWriter, JsonWriter, jsonl_line, provenance_tail, result_dict, versions_of
from secannot.io.writers.tsv import TsvWriter, predict_row, safe_cell, tsv_row
from secannot.provenance import Provenance
from secannot.results import Result

__all__ = ["BINARY_FORMATS", "FORMATS", "Gff3Writer", "JsonWriter", "JsonlWriter", "TsvWriter", "Writer",
           "make_renderer", "make_writer", "predict_row", "result_dict", "safe_cell"]

FORMATS = ("tsv", "jsonl", "json", "gff3", "parquet")
BINARY_FORMATS = ("parquet",)


class Writer(Protocol):
    def write(self, result: Result) -> None: ...

    def write_rendered(self, item: Any) -> None: ...

    def write_rendered_many(self, items: Sequence[Any]) -> None:
        """``write_rendered`` for each item, in order (line formats join them into one write)."""

    def close(self, rejections: Sequence[Rejection]) -> None: ...


def make_writer(fmt: str, out: Any, columns: Sequence[Column], provenance: Provenance,
                safe_cells: bool = False) -> Writer:
    """A writer on ``out``: a text handle, or a binary handle or path for Parquet."""
    if fmt == "tsv":
        return TsvWriter(out, columns, safe_cells)
    if fmt == "jsonl":
        return JsonlWriter(out, columns, provenance)
    if fmt == "json":
        return JsonWriter(out, columns, provenance)
    if fmt == "gff3":
        return Gff3Writer(out, provenance)
    if fmt == "parquet":
        from secannot.io.writers.parquet import ParquetWriter

        return ParquetWriter(out, columns, provenance)
    raise ValueError(f"unknown format {fmt!r}")


def make_renderer(fmt: str, columns: Sequence[Column], provenance: Provenance,
                  safe_cells: bool = False) -> Callable[[Result], Any]:
    """The function that turns one result into what ``make_writer(fmt, ...).write_rendered`` takes."""
    columns = tuple(columns)
    if fmt == "tsv":
        return lambda r: tsv_row(r, columns, safe_cells)
    if fmt == "jsonl":
        versions, tail = versions_of(provenance), provenance_tail(provenance)
        return lambda r: jsonl_line(r, columns, versions, tail)
    if fmt == "json":
        return lambda r: json.dumps(result_dict(r, columns))
    if fmt == "gff3":
        return render_gff3
    if fmt == "parquet":
        from secannot.io.writers.parquet import parquet_row

        return lambda r: parquet_row(r, columns)
    raise ValueError(f"unknown format {fmt!r}")



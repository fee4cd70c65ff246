"""Output formats: TSV, JSON Lines, JSON and GFF3, all streaming; one module per format.

Writers take a text handle and receive results one at a time, in input
order, so memory stays flat; ``close`` gets the rejections, which JSON keeps
in the document so that every input record is accounted for in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TextIO

from secannot.columns import Column
from secannot.io.diagnostics import Rejection
from secannot.io.writers.gff3 import Gff3Writer
from secannot.io.writers.jsonl import JsonlWriter, JsonWriter, result_dict
from secannot.io.writers.tsv import TsvWriter, predict_row, safe_cell
from secannot.provenance import Provenance
from secannot.results import Result

__all__ = ["FORMATS", "Gff3Writer", "JsonWriter", "JsonlWriter", "TsvWriter", "Writer", "make_writer", "predict_row",
           "result_dict", "safe_cell"]

FORMATS = ("tsv", "jsonl", "json", "gff3")


class Writer(Protocol):
    def write(self, result: Result) -> None: ...

    def close(self, rejections: Sequence[Rejection]) -> None: ...


def make_writer(fmt: str, out: TextIO, columns: Sequence[Column], provenance: Provenance,
                safe_cells: bool = False) -> Writer:
    if fmt == "tsv":
        return TsvWriter(out, columns, safe_cells)
    if fmt == "jsonl":
        return JsonlWriter(out, columns, provenance)
    if fmt == "json":
        return JsonWriter(out, columns, provenance)
    if fmt == "gff3":
        return Gff3Writer(out, provenance)
    raise ValueError(f"unknown format {fmt!r}")

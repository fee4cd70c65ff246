"""TSV: one header row and one row per protein, the format pandas and R read without options."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from secannot.columns import PREDICT_COLUMNS, Column, format_cell
from secannot.io.diagnostics import Rejection
from secannot.results import Result


def _opt(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def predict_row(r: Result) -> str:
    """The PREDICT_COLUMNS row in one f-string: the proteome-scale hot path.

    Equivalent to formatting each column with ``format_cell`` (a test checks
    it), at a fraction of the cost per row.
    """
    cs = r.cleavage_site
    return (
        f"{r.record.id}\t{len(r.record.seq)}\t{r.sp_prob:.4f}\t{'' if cs is None else cs}\t{r.route}\t"
        f"{_opt(r.cs_prob)}\t{r.localization or ''}\t{r.confidence or ''}\t{len(r.tm_segments)}\t"
        f"{_opt(r.nc_score)}\t{r.nc_basis or ''}\t{'; '.join(r.evidence)}\n"
    )


def tsv_row(result: Result, columns: Sequence[Column]) -> str:
    """One TSV row (with its newline) for any column set."""
    if tuple(columns) == PREDICT_COLUMNS:
        return predict_row(result)
    return "\t".join(format_cell(c.get(result)) for c in columns) + "\n"


class TsvWriter:
    def __init__(self, out: TextIO, columns: Sequence[Column]):
        self.out = out
        self.columns = columns
        self.fast = tuple(columns) == PREDICT_COLUMNS
        out.write("\t".join(c.name for c in columns) + "\n")

    def write(self, result: Result) -> None:
        self.out.write(predict_row(result) if self.fast else tsv_row(result, self.columns))

    def write_rendered(self, text: str) -> None:
        self.out.write(text)

    def close(self, rejections: Sequence[Rejection]) -> None:
        self.out.flush()

"""TSV: one header row and one row per protein, the format pandas and R read without options."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from secannot.columns import ANNOTATE_COLUMNS, PREDICT_COLUMNS, Column, format_cell
from secannot.io.diagnostics import Rejection
from secannot.io.writers.lines import LineWriter
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
        f"{r.record.id}\t{len(r.record.seq)}\t{_opt(r.sp_prob)}\t{'' if cs is None else cs}\t{r.route or ''}\t"
        f"{_opt(r.cs_prob)}\t{r.localization or ''}\t{r.confidence or ''}\t{'' if r.localization is None else len(r.tm_segments)}\t"
        f"{_opt(r.nc_score)}\t{r.nc_basis or ''}\t{'; '.join(r.evidence)}\n"
    )


def _text(value: object) -> str:
    """``format_cell`` for a scalar, with plain strings (nearly every cell) handled inline."""
    if value is None:
        return ""
    if isinstance(value, str) and "\t" not in value and "\n" not in value and "\r" not in value:
        return value
    return format_cell(value)


def _many(values: tuple | None) -> str:
    """``format_cell`` for a tuple of values (sorted, ``;``-separated); most are empty."""
    return ";".join(sorted(str(v) for v in values)) if values else ""


def annotate_row(r: Result) -> str:
    """The ANNOTATE_COLUMNS row: ``predict_row`` plus the annotation and UniProt cells.

    Equivalent to ``format_cell`` on each column (a test checks it); the generic
    path cost annotate a quarter of its run time on a proteome.
    """
    head = predict_row(r)[:-1]
    a, u = r.annotation, r.uniprot
    if a is None:
        ann = "\t\t\t\t\t\t"
        pairs = "\t"
    else:
        ann = (f"{_text(a.accession)}\t{_text(a.isoform)}\t{_text(a.gene)}\t{_many(a.cell_sources)}\t"
               f"{_many(a.processes)}\t{_many(a.clinical)}\t{_text(a.rules_version)}")
        pairs = f"{_many(a.receptors)}\t{_many(a.ligands)}"
    uni = "\t\t" if u is None else f"{_text(u.signal)}\t{_many(u.locations)}\t{_text(u.agreement)}"
    return f"{head}\t{ann}\t{uni}\t{pairs}\n"


#: A cell starting with one of these is run as a formula by spreadsheet programs (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """``text`` made inert for spreadsheets: a leading formula character gets a ``'`` in front.

    Numbers (``-1.5``, ``+3``) are left alone, as spreadsheets read them as
    numbers.  Used with ``--safe-cells`` only: by default TSV cells are written
    verbatim, because pandas and R would keep the quote as part of the value.
    Source of the rule: OWASP, "CSV Injection".
    """
    if not text.startswith(FORMULA_STARTS):
        return text
    try:
        float(text)
    except ValueError:
        return "'" + text
    return text


def tsv_row(result: Result, columns: Sequence[Column], safe_cells: bool = False) -> str:
    """One TSV row (with its newline) for any column set; ``safe_cells`` applies :func:`safe_cell`."""
    if safe_cells:
        return "\t".join(safe_cell(format_cell(c.get(result))) for c in columns) + "\n"
    if columns is PREDICT_COLUMNS or tuple(columns) == PREDICT_COLUMNS:
        return predict_row(result)
    if columns is ANNOTATE_COLUMNS or tuple(columns) == ANNOTATE_COLUMNS:
        return annotate_row(result)
    return "\t".join(format_cell(c.get(result)) for c in columns) + "\n"


class TsvWriter(LineWriter):
    def __init__(self, out: TextIO, columns: Sequence[Column], safe_cells: bool = False):
        self.out = out
        self.columns = columns
        self.safe_cells = safe_cells
        out.write("\t".join(c.name for c in columns) + "\n")

    def write(self, result: Result) -> None:
        self.out.write(tsv_row(result, self.columns, self.safe_cells))

    def close(self, rejections: Sequence[Rejection]) -> None:
        self.out.flush()

"""One row per input protein for the report: the verdict with its evidence and the annotation.

Input records are ``annotate`` output in any of its formats (TSV rows with
``;``-separated cells, JSON records with lists); both are reduced to the same
:class:`ProteinRow`.  Duplicates are dropped exactly as the summary drops
them (same accession, gene or id: the smallest id is kept), so the table and
the counts above it describe the same proteins.  Rows are sorted by verdict
(in :data:`VERDICT_ORDER`, secreted first) and then by gene, so the order does
not depend on the input order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from secannot.report.summary import Protein, to_protein

VERDICT_ORDER = ("secreted", "non_classical_candidate", "gpi_anchored", "membrane", "er_retained", "intracellular")
COLUMNS = ("protein", "gene", "verdict", "route", "evidence", "cell sources", "processes", "clinical")


@dataclass(frozen=True, slots=True)
class ProteinRow:
    id: str
    accession: str | None
    gene: str | None
    localization: str
    route: str
    evidence: str
    cell_sources: tuple[str, ...]
    processes: tuple[str, ...]
    clinical: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.gene or self.accession or self.id


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value).strip()


def protein_row(protein: Protein, record: Mapping[str, Any]) -> ProteinRow:
    """A TSV row (strings) or JSON record (typed) as a table row; ``protein`` is its :func:`to_protein`
    (already parsed by the caller, so the list cells are not parsed twice)."""
    return ProteinRow(
        id=protein.id,
        accession=protein.accession,
        gene=protein.gene,
        localization=_text(record.get("localization")) or "unknown",
        route=_text(record.get("route")) or "none",
        evidence=_text(record.get("evidence")),
        cell_sources=protein.categories["cell_source"],
        processes=protein.categories["process"],
        clinical=protein.categories["clinical_token"],
    )


def _order(row: ProteinRow) -> tuple:
    rank = VERDICT_ORDER.index(row.localization) if row.localization in VERDICT_ORDER else len(VERDICT_ORDER)
    return (rank, row.label.upper(), row.id)


def protein_rows(records: Sequence[Mapping[str, Any]]) -> list[ProteinRow]:
    """Distinct proteins (as the summary counts them), sorted by verdict then gene."""
    kept: dict[str, tuple[Protein, Mapping[str, Any]]] = {}
    for record in records:
        protein = to_protein(record)
        old = kept.get(protein.key)
        if old is None or protein.id < old[0].id:
            kept[protein.key] = (protein, record)
    return sorted((protein_row(protein, record) for protein, record in kept.values()), key=_order)

"""JSON Lines (one object per protein, each naming its versions) and the single JSON document."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from secannot.columns import Column
from secannot.io.diagnostics import Rejection
from secannot.io.writers.lines import LineWriter
from secannot.provenance import Provenance
from secannot.results import Result


def _round(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def json_value(column: Column, result: Result) -> Any:
    """One column's value as JSON writes it: numbers (floats to 4 decimals), null when missing, sets as sorted lists.

    The one rule for both ``predict``/``annotate`` JSON and the columns ``annotate --tsv -f jsonl`` appends.
    """
    # a column with its own typed getter (uniprot_location: null when UniProt was not asked, [] when it
    # lists none) gives JSON the value Parquet gets
    value = column.items(result) if column.items is not None else column.get(result)
    if isinstance(value, (set, frozenset)):
        value = sorted(value)
    return _round(value)


def result_dict(result: Result, columns: Sequence[Column]) -> dict[str, Any]:
    """Everything known about one protein, with the TSV columns as top-level keys."""
    data: dict[str, Any] = {col.name: json_value(col, result) for col in columns}
    data["description"] = result.record.description
    data["signal_peptide"] = str(result.signal_peptide) if result.signal_peptide else None
    # null when localisation was not run (--signal-only): no helix was looked for
    data["tm_segments"] = None if result.localization is None else [str(s) for s in result.tm_segments]
    if any(s.orientation for s in result.tm_segments):
        # the side each helix's N-terminal end faces, from the topology network's decoder
        data["tm_orientation"] = [s.orientation for s in result.tm_segments]
    if result.signal_anchor is not None:
        data["signal_anchor"] = str(result.signal_anchor)
    if result.gpi is not None:
        data["gpi"] = result.gpi
    if result.er_motif is not None:
        data["er_retention_motif"] = result.er_motif
    if result.nc_rule is not None:
        data["nonclassical_rule"] = result.nc_rule
    if result.annotation is not None and hasattr(result.annotation, "as_dict"):
        data["annotation"] = result.annotation.as_dict()
    if result.uniprot is not None and hasattr(result.uniprot, "as_dict"):
        data["uniprot"] = result.uniprot.as_dict()
    if result.note:
        data["note"] = result.note
    return data


def versions_of(provenance: Provenance) -> dict[str, str | None]:
    return {
        "tool_version": provenance.tool_version,
        "model_version": provenance.model_version,
        "rules_version": provenance.rules_version,
    }


def provenance_tail(provenance: Provenance) -> str:
    """The closing ``"provenance": {...}}`` of every JSON Lines record, serialised once per run."""
    return ',"provenance":' + json.dumps(provenance.as_dict(), separators=(",", ":")) + "}\n"


def jsonl_line(result: Result, columns: Sequence[Column], versions: dict[str, str | None], tail: str) -> str:
    """One JSON Lines record (with its newline), naming the versions and the run's provenance."""
    data = result_dict(result, columns)
    # the run's versions, except where a column of the same name speaks for this row (rules_version is
    # empty when no rule matched, as in TSV and Parquet; the run's rules version is in the provenance)
    data.update((k, v) for k, v in versions.items() if k not in data)
    return json.dumps(data, separators=(",", ":"))[:-1] + tail


class JsonlWriter(LineWriter):
    """One JSON object per line; each carries the versions and the run's full provenance.

    Every line stands alone (``grep``, ``head`` and shuffling keep it
    reproducible), so each names the versions, thresholds in force, organism
    group, date and inputs under ``provenance``; the block is serialised once.
    """

    def __init__(self, out: TextIO, columns: Sequence[Column], provenance: Provenance):
        self.out = out
        self.columns = columns
        self.versions = versions_of(provenance)
        self.tail = provenance_tail(provenance)

    def write(self, result: Result) -> None:
        self.out.write(jsonl_line(result, self.columns, self.versions, self.tail))

    def close(self, rejections: Sequence[Rejection]) -> None:
        self.out.flush()


class JsonWriter:
    """A single document, written incrementally: provenance, records, rejected."""

    def __init__(self, out: TextIO, columns: Sequence[Column], provenance: Provenance):
        self.out = out
        self.columns = columns
        self.provenance = provenance
        self.count = 0
        out.write('{"provenance": ' + json.dumps(provenance.as_dict()) + ',\n "records": [')

    def write(self, result: Result) -> None:
        self.write_rendered(json.dumps(result_dict(result, self.columns)))

    def write_rendered(self, text: str) -> None:
        sep = "\n  " if self.count == 0 else ",\n  "
        self.out.write(sep + text)
        self.count += 1

    def write_rendered_many(self, rows: Sequence[str]) -> None:
        for row in rows:
            self.write_rendered(row)

    def close(self, rejections: Sequence[Rejection]) -> None:
        end = "\n ]" if self.count else "]"
        rejected = json.dumps([r.as_dict() for r in rejections])
        self.out.write(f'{end},\n "rejected": {rejected},\n "counts": {{"written": {self.count}, "rejected": {len(rejections)}}}\n}}\n')
        self.out.flush()

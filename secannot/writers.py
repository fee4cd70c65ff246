"""Output formats: TSV, JSON Lines, JSON and GFF3, all streaming.

Writers take a text handle and receive results one at a time, in input
order, so memory stays flat; ``close`` gets the rejections, which JSON keeps
in the document so that every input record is accounted for in one place.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol, TextIO
from urllib.parse import quote

from secannot.columns import PREDICT_COLUMNS, Column, format_cell
from secannot.diagnostics import Rejection
from secannot.provenance import Provenance
from secannot.results import Result

FORMATS = ("tsv", "jsonl", "json", "gff3")


class Writer(Protocol):
    def write(self, result: Result) -> None: ...

    def close(self, rejections: Sequence[Rejection]) -> None: ...


def _round(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def result_dict(result: Result, columns: Sequence[Column]) -> dict[str, Any]:
    """Everything known about one protein, with the TSV columns as top-level keys."""
    data: dict[str, Any] = {}
    for col in columns:
        value = col.get(result)
        if isinstance(value, (set, frozenset)):
            value = sorted(value)
        data[col.name] = _round(value)
    data["description"] = result.record.description
    data["signal_peptide"] = str(result.signal_peptide) if result.signal_peptide else None
    data["tm_segments"] = [str(s) for s in result.tm_segments]
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
        f"{_opt(r.cs_prob)}\t{r.localization or ''}\t{len(r.tm_segments)}\t{_opt(r.nc_score)}\t"
        f"{r.nc_basis or ''}\t{'; '.join(r.evidence)}\n"
    )


class TsvWriter:
    def __init__(self, out: TextIO, columns: Sequence[Column]):
        self.out = out
        self.columns = columns
        self.fast = tuple(columns) == PREDICT_COLUMNS
        out.write("\t".join(c.name for c in columns) + "\n")

    def write(self, result: Result) -> None:
        if self.fast:
            self.out.write(predict_row(result))
        else:
            self.out.write("\t".join(format_cell(c.get(result)) for c in self.columns) + "\n")

    def close(self, rejections: Sequence[Rejection]) -> None:
        self.out.flush()


class JsonlWriter:
    """One JSON object per line; each carries the versions that produced it."""

    def __init__(self, out: TextIO, columns: Sequence[Column], provenance: Provenance):
        self.out = out
        self.columns = columns
        self.versions = {
            "tool_version": provenance.tool_version,
            "model_version": provenance.model_version,
            "rules_version": provenance.rules_version,
        }

    def write(self, result: Result) -> None:
        data = result_dict(result, self.columns)
        data.update(self.versions)
        self.out.write(json.dumps(data, separators=(",", ":")) + "\n")

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
        sep = "\n  " if self.count == 0 else ",\n  "
        self.out.write(sep + json.dumps(result_dict(result, self.columns)))
        self.count += 1

    def close(self, rejections: Sequence[Rejection]) -> None:
        end = "\n ]" if self.count else "]"
        rejected = json.dumps([r.as_dict() for r in rejections])
        self.out.write(f'{end},\n "rejected": {rejected},\n "counts": {{"written": {self.count}, "rejected": {len(rejections)}}}\n}}\n')
        self.out.flush()


# GFF3 reserves these characters in column 1 and in attribute values.
_SEQID_SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:^*$@!+_?-|"
_ATTR_SAFE = " abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:^*$@!+_?-|/()'\""


class Gff3Writer:
    """GFF3 with Sequence Ontology types; coordinates are 1-based and inclusive."""

    def __init__(self, out: TextIO, provenance: Provenance):
        self.out = out
        out.write("##gff-version 3\n")
        out.write(
            f"# secannot {provenance.tool_version}; model {provenance.model_name} "
            f"{provenance.model_version}; rules {provenance.rules_version}\n"
        )

    def _feature(self, seqid: str, ftype: str, start: int, end: int, score: str, attrs: dict[str, str]) -> None:
        attr = ";".join(f"{k}={quote(v, safe=_ATTR_SAFE)}" for k, v in attrs.items())
        self.out.write(f"{seqid}\tsecannot\t{ftype}\t{start}\t{end}\t{score}\t.\t.\t{attr}\n")

    def write(self, result: Result) -> None:
        seqid = quote(result.id, safe=_SEQID_SAFE)
        n = result.length
        self.out.write(f"##sequence-region {seqid} 1 {n}\n")
        base = {"localization": result.localization or "", "route": result.route}
        self._feature(seqid, "polypeptide", 1, n, ".", {"ID": f"{result.id}", **{k: v for k, v in base.items() if v}})
        if result.cleavage_site is not None:
            self._feature(
                seqid, "signal_peptide", 1, result.cleavage_site, f"{result.sp_prob:.3f}",
                {"ID": f"{result.id}.sp", "Parent": result.id},
            )
        if result.signal_anchor is not None:
            sa = result.signal_anchor
            self._feature(seqid, "transmembrane_polypeptide_region", sa.start, sa.end, ".",
                          {"Parent": result.id, "Note": "signal anchor (uncleaved)"})
        for seg in result.tm_segments:
            self._feature(seqid, "transmembrane_polypeptide_region", seg.start, seg.end, ".", {"Parent": result.id})
        if result.gpi is not None:
            omega = int(result.gpi["omega_site"])
            self._feature(seqid, "propeptide", omega + 1, n, ".",
                          {"Parent": result.id, "Note": f"GPI-anchor signal, omega site {omega}"})
        if result.er_motif is not None:
            k = len(result.er_motif)
            self._feature(seqid, "polypeptide_motif", n - k + 1, n, ".",
                          {"Parent": result.id, "Note": f"ER retention {result.er_motif}"})

    def close(self, rejections: Sequence[Rejection]) -> None:
        for rej in rejections:
            self.out.write(f"# rejected: {rej}\n")
        self.out.flush()


def make_writer(fmt: str, out: TextIO, columns: Sequence[Column], provenance: Provenance) -> Writer:
    if fmt == "tsv":
        return TsvWriter(out, columns)
    if fmt == "jsonl":
        return JsonlWriter(out, columns, provenance)
    if fmt == "json":
        return JsonWriter(out, columns, provenance)
    if fmt == "gff3":
        return Gff3Writer(out, provenance)
    raise ValueError(f"unknown format {fmt!r}")

"""GFF3 with Sequence Ontology feature types, 1-based inclusive coordinates.

Rendering is a pure function of one result (:func:`render_gff3`), so that
``-j`` workers and Dask tasks can format their rows and the parent only
writes them in input order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO
from urllib.parse import quote

from secannot.io.diagnostics import Rejection, escape_controls
from secannot.io.writers.gff3_attributes import AttrValue, polypeptide_attributes
from secannot.io.writers.lines import LineWriter
from secannot.provenance import Provenance
from secannot.results import Result

# GFF3 reserves these characters in column 1 and in attribute values.
_SEQID_SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:^*$@!+_?-|"

_ATTR_SAFE = " abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:^*$@!+_?-|/()'\""


_TOPOLOGY = {"in->out": "inside-to-outside", "out->in": "outside-to-inside"}


class Gff3Writer(LineWriter):
    """GFF3 with Sequence Ontology types; coordinates are 1-based and inclusive."""

    def __init__(self, out: TextIO, provenance: Provenance):
        self.out = out
        out.write("##gff-version 3\n")
        out.write(
            f"# secannot {provenance.tool_version}; model {provenance.model_name} "
            f"{provenance.model_version}; rules {provenance.rules_version}\n"
        )
        if provenance.run is not None:
            run = provenance.run
            leaderless = (f"nc_score threshold {run.nc_threshold} (prior {run.nc_prior})" if run.nc_threshold is not None
                          else "no leaderless score (--signal-only, or not a eukaryote)")
            out.write(f"# organism {run.organism}; sp_prob threshold {run.sp_thresholds.get(run.organism)}; "
                      f"{leaderless}; date {run.date}\n")

    def write(self, result: Result) -> None:
        self.out.write(render_gff3(result))

    def close(self, rejections: Sequence[Rejection]) -> None:
        for rej in rejections:
            # one comment line each, whatever the id or reason holds (a newline would start a GFF3 line)
            self.out.write(f"# rejected: {escape_controls(str(rej))}\n")
        self.out.flush()


def _feature(seqid: str, ftype: str, start: int, end: int, score: str, attrs: dict[str, AttrValue]) -> str:
    # A list is a multi-valued attribute: each value escaped, then joined by the separator GFF3 reserves.
    attr = ";".join(
        f"{k}={','.join(quote(x, safe=_ATTR_SAFE) for x in v) if isinstance(v, list) else quote(v, safe=_ATTR_SAFE)}"
        for k, v in attrs.items()
    )
    return f"{seqid}\tsecannot\t{ftype}\t{start}\t{end}\t{score}\t.\t.\t{attr}\n"


def _gpi(seqid: str, result: Result) -> list[str]:
    """The residues after the omega site, exchanged for the anchor, and the hydrophobic tail among them.

    Both ranges are the ones the TSV evidence states ('GPI omega 234
    (cleaved 235-257), hydrophobic tail 240-257'), so the two files agree.
    """
    omega = int(result.gpi["omega_site"])
    lines = [_feature(seqid, "cleaved_for_gpi_anchor_region", omega + 1, result.length, ".",
                      {"Parent": result.id, "Note": f"GPI-anchor signal, cleaved after the omega site {omega}"})]
    tail = str(result.gpi.get("hydrophobic_tail") or "")
    start, _, end = tail.partition("-")
    if start.isdigit() and end.isdigit():
        lines.append(_feature(seqid, "hydrophobic_region_of_peptide", int(start), int(end), ".",
                              {"Parent": result.id, "Note": "hydrophobic tail of the GPI-anchor signal"}))
    return lines


def render_gff3(result: Result) -> str:
    """The sequence-region line and features of one protein, as GFF3 text."""
    seqid = quote(result.id, safe=_SEQID_SAFE)
    n = result.length
    lines = [f"##sequence-region {seqid} 1 {n}\n", _feature(seqid, "polypeptide", 1, n, ".", polypeptide_attributes(result))]
    if result.cleavage_site is not None:
        lines.append(_feature(seqid, "signal_peptide", 1, result.cleavage_site, f"{result.sp_prob:.3f}",
                              {"ID": f"{result.id}.sp", "Parent": result.id}))
    # The signal anchor is one of the TM helices (tm_count counts it): one line per helix, the anchor marked.
    sa = result.signal_anchor
    span = (sa.start, sa.end) if sa is not None else None
    if sa is not None and all((s.start, s.end) != span for s in result.tm_segments):
        lines.append(_feature(seqid, "transmembrane_polypeptide_region", sa.start, sa.end, ".",
                              {"Parent": result.id, "Note": "signal anchor (uncleaved)"}))
    for seg in result.tm_segments:
        attrs: dict[str, AttrValue] = {"Parent": result.id}
        if (seg.start, seg.end) == span:
            attrs["Note"] = "signal anchor (uncleaved)"
        if seg.orientation is not None:
            # which side the helix's N-terminal end faces: cytoplasmic (inside) or not (outside)
            attrs["topology"] = _TOPOLOGY.get(seg.orientation, seg.orientation)
        lines.append(_feature(seqid, "transmembrane_polypeptide_region", seg.start, seg.end, ".", attrs))
    if result.gpi is not None:
        lines += _gpi(seqid, result)
    if result.er_motif is not None:
        k = len(result.er_motif)
        lines.append(_feature(seqid, "polypeptide_motif", n - k + 1, n, ".",
                              {"Parent": result.id, "Note": f"ER retention {result.er_motif}"}))
    return "".join(lines)

"""GFF3 with Sequence Ontology feature types, 1-based inclusive coordinates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO
from urllib.parse import quote

from secannot.io.diagnostics import Rejection
from secannot.provenance import Provenance
from secannot.results import Result

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

    def write(self, result: Result) -> None:
        self.out.write(render_gff3(result))

    def write_rendered(self, text: str) -> None:
        self.out.write(text)

    def close(self, rejections: Sequence[Rejection]) -> None:
        for rej in rejections:
            self.out.write(f"# rejected: {rej}\n")
        self.out.flush()


def _feature(seqid: str, ftype: str, start: int, end: int, score: str, attrs: dict[str, str]) -> str:
    attr = ";".join(f"{k}={quote(v, safe=_ATTR_SAFE)}" for k, v in attrs.items())
    return f"{seqid}\tsecannot\t{ftype}\t{start}\t{end}\t{score}\t.\t.\t{attr}\n"


def render_gff3(result: Result) -> str:
    """The sequence-region line and features of one protein, as GFF3 text."""
    seqid = quote(result.id, safe=_SEQID_SAFE)
    n = result.length
    lines = [f"##sequence-region {seqid} 1 {n}\n"]
    base = {"localization": result.localization or "", "route": result.route}
    lines.append(_feature(seqid, "polypeptide", 1, n, ".", {"ID": f"{result.id}", **{k: v for k, v in base.items() if v}}))
    if result.cleavage_site is not None:
        lines.append(_feature(seqid, "signal_peptide", 1, result.cleavage_site, f"{result.sp_prob:.3f}",
                              {"ID": f"{result.id}.sp", "Parent": result.id}))
    if result.signal_anchor is not None:
        sa = result.signal_anchor
        lines.append(_feature(seqid, "transmembrane_polypeptide_region", sa.start, sa.end, ".",
                              {"Parent": result.id, "Note": "signal anchor (uncleaved)"}))
    for seg in result.tm_segments:
        lines.append(_feature(seqid, "transmembrane_polypeptide_region", seg.start, seg.end, ".",
                              {"Parent": result.id}))
    if result.gpi is not None:
        omega = int(result.gpi["omega_site"])
        lines.append(_feature(seqid, "propeptide", omega + 1, n, ".",
                              {"Parent": result.id, "Note": f"GPI-anchor signal, omega site {omega}"}))
    if result.er_motif is not None:
        k = len(result.er_motif)
        lines.append(_feature(seqid, "polypeptide_motif", n - k + 1, n, ".",
                              {"Parent": result.id, "Note": f"ER retention {result.er_motif}"}))
    return "".join(lines)

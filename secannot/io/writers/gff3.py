"""GFF3 with Sequence Ontology feature types, 1-based inclusive coordinates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO
from urllib.parse import quote

from secannot.io.diagnostics import Rejection, escape_controls
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
        if provenance.run is not None:
            run = provenance.run
            out.write(f"# organism {run.organism}; sp_prob threshold {run.sp_thresholds.get(run.organism)}; "
                      f"nc_score threshold {run.nc_threshold}; date {run.date}\n")

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
        # The signal anchor is one of the TM helices (tm_count counts it): one line per helix, the anchor marked.
        for seg in result.tm_segments:
            attrs = {"Parent": result.id}
            if seg == result.signal_anchor:
                attrs["Note"] = "signal anchor (uncleaved)"
            self._feature(seqid, "transmembrane_polypeptide_region", seg.start, seg.end, ".", attrs)
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
            # one comment line each, whatever the id or reason holds (a newline would start a GFF3 line)
            self.out.write(f"# rejected: {escape_controls(str(rej))}\n")
        self.out.flush()

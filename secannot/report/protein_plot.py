"""The per-protein figure of ``secannot plot``, laid out for one journal column (85 mm).

From top to bottom:

1. title: gene, protein name and accession (from the FASTA header, which for
   UniProt input is UniProt's own), then the verdict;
2. a gauge of the protein-level P(signal peptide) against the model's
   decision threshold for the organism group, so a near miss (MSLN at 0.870
   against 0.88) is visible at a glance;
3. the per-residue P(residue in signal peptide) over the model's 70-residue
   window, with the predicted cleavage site and UniProt's signal end; when
   the two coincide one line carries both labels;
4. a sequence strip of the same residues in blocks of ten (legible at print
   size, unlike 70 tick labels): predicted signal-peptide residues in
   colour, UniProt's signal underlined;
5. the whole-protein track: signal peptide (when ambiguous residues hide its
   cleavage site: solid up to them, faint over them, labelled "site unknown";
   a call the review withdrew says so in the title), UniProt signal, signal anchor,
   TM helices, GPI signal (residues after the omega site, with the
   hydrophobic tail darker) and the ER-retention motif, each row always
   drawn so that figures of different proteins line up.

Coordinates are the ones the TSV evidence states (1-based, inclusive).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from secannot.io.headers import parse_identity, protein_name
from secannot.io.writers.gff3_attributes import SHORT_VERDICTS, VERDICTS
from secannot.models.masking import UNKNOWN_SITE_EVIDENCE, WITHDRAWN_EVIDENCE  # the evidence read back here
from secannot.models.signal_peptide import WINDOW  # residues of the model's per-residue output
from secannot.report.figures import COLUMN_WIDTH_IN, FONT, GREY, OKABE_ITO, new_figure, print_style
from secannot.results import Result, Segment

if TYPE_CHECKING:
    from matplotlib.figure import Figure

STRIP_ROW = 40  # residues per line of the sequence strip, in blocks of ten
HEIGHT_IN = 4.2
_LEFT_IN, _LABEL_LEFT_IN, _RIGHT_IN = 0.42, 0.78, 0.12


COLORS = {
    "sp": OKABE_ITO["vermillion"],
    "uniprot": OKABE_ITO["black"],
    "both": OKABE_ITO["reddish_purple"],
    "anchor": OKABE_ITO["reddish_purple"],
    "tm": OKABE_ITO["blue"],
    "gpi": OKABE_ITO["bluish_green"],
    "er": OKABE_ITO["orange"],
    "prob": OKABE_ITO["sky_blue"],
    "prob_edge": OKABE_ITO["blue"],
}


@dataclass(frozen=True, slots=True)
class Threshold:
    """The signal-peptide model's decision threshold for one organism group (read from the model file)."""

    value: float
    organism: str

    @classmethod
    def from_mapping(cls, data: Any) -> Threshold | None:
        """From ``Predictor.thresholds()`` ({'organism': ..., 'sp_prob': ...}); None when absent."""
        if isinstance(data, Threshold) or data is None:
            return data
        if isinstance(data, (int, float)):
            return cls(float(data), "")
        value = data.get("sp_prob") if hasattr(data, "get") else None
        return cls(float(value), str(data.get("organism") or "")) if value is not None else None


def segment(value: Segment | str | None) -> Segment | None:
    """Accept a Segment or UniProt's '1-26' text; anything unparseable is treated as absent."""
    if value is None or isinstance(value, Segment):
        return value
    match = re.fullmatch(r"\s*(\d+)\s*[-.]+\s*(\d+)\s*", str(value))
    return Segment(int(match.group(1)), int(match.group(2))) if match else None


# --------------------------------------------------------------------------- title


_UNKNOWN_SITE = re.compile("^" + re.escape(UNKNOWN_SITE_EVIDENCE) + r" (\d+)-(\d+)")


def site_unknown(result: Result) -> tuple[int, int] | None:
    """The ambiguous run (1-based, inclusive) that hides the cleavage site of a called signal peptide,
    or None; read from the evidence :func:`secannot.models.masking.explain_review` writes."""
    if result.route != "classical" or result.cleavage_site is not None:
        return None
    for item in result.evidence:
        found = _UNKNOWN_SITE.match(item)
        if found:
            return int(found.group(1)), int(found.group(2))
    return None


def withdrawn(result: Result) -> bool:
    """A signal peptide the model called but the ambiguous-residue review withdrew (sp_prob stays high)."""
    return result.route != "classical" and any(e.startswith(WITHDRAWN_EVIDENCE) for e in result.evidence)


def title_lines(result: Result, threshold: Threshold | None) -> tuple[str, str, str, str]:
    """('VEGFA (P15692)', 'Vascular endothelial growth factor A', 'secreted · classical route · P(SP) ...',
    status).

    The third line compares P(SP) with the threshold only for a call that stands: a call the
    ambiguous-residue review withdrew says so instead.  The fourth (status, '' for a clean call)
    names an unknown cleavage site and a low or medium confidence, so the figure never reads as a
    clean call."""
    identity = parse_identity(result.record.id, result.record.description)
    gene = identity.gene or getattr(result.annotation, "gene", None)
    accession = identity.accession or result.id
    first = f"{gene} ({accession})" if gene and gene != accession else accession
    name = protein_name(result.record.id, result.record.description) or "protein name not given in the header"
    verdict = SHORT_VERDICTS.get(result.localization or "") or VERDICTS.get(result.localization or "") or (
        result.localization or "localisation not predicted")
    shown = "not given" if result.sp_prob is None else f"{result.sp_prob:.3f}"  # the status line says why
    third = f"{verdict} · {result.route} route · P(SP) {shown}"
    status = []
    if result.sp_prob is None:
        status.append("SP not assessed: no standard residue in the first 70")
    elif withdrawn(result):
        status.append("SP withdrawn: ambiguous residues")
    elif threshold is not None:
        third += f" {'≥' if result.sp_prob >= threshold.value else '<'} {threshold.value:.2f}"
    hidden = site_unknown(result)
    if hidden is not None:
        status.append(f"site unknown (ambiguous {hidden[0]}-{hidden[1]})")
    if result.confidence in ("low", "medium"):
        status.append(f"{result.confidence} confidence")
    return (textwrap.shorten(first, width=44, placeholder=" …"), textwrap.shorten(name, width=62, placeholder=" …"),
            third, " · ".join(status))


# --------------------------------------------------------------------------- panels


def _draw_gauge(ax: Any, result: Result, threshold: Threshold | None) -> None:
    called = result.route == "classical"  # also when ambiguous residues hide the cleavage site
    ax.barh([0], [1.0], height=0.8, color="#EEEEEE")
    prob = result.sp_prob if result.sp_prob is not None else 0.0  # None: nothing for the model to read
    ax.barh([0], [prob], height=0.8, color=COLORS["sp"] if called else GREY)
    if threshold is not None:
        ax.axvline(threshold.value, color="black", linestyle="--", linewidth=0.9)
        label = f"threshold {threshold.value:.2f}" + (f" ({threshold.organism})" if threshold.organism else "")
        ha = "right" if threshold.value > 0.6 else "left"
        ax.text(threshold.value + (-0.01 if ha == "right" else 0.01), 1.0, label, ha=ha, va="bottom",
                fontsize=FONT["small"], transform=ax.get_xaxis_transform())
    inside = prob > 0.15
    label = "not given" if result.sp_prob is None else f"{prob:.3f}"
    ax.text(prob + (-0.01 if inside else 0.01), 0, label, ha="right" if inside else "left",
            va="center", fontsize=FONT["small"], color="white" if inside else "black")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.5, 0.5)
    ax.set_yticks([])
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "0.25", "0.5", "0.75", "1"])
    ax.tick_params(axis="x", length=2, pad=1)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def _site_lines(result: Result, signal: Segment | None, shown: int) -> list[tuple[float, str, str, str]]:
    """(x, label, colour, linestyle) for the predicted cleavage site and UniProt's signal end."""
    cs = result.cleavage_site
    end = signal.end if signal is not None and signal.end <= shown else None
    if cs is not None and cs == end:
        return [(cs + 0.5, f"cleavage after {cs} (predicted = UniProt)", COLORS["both"], "-")]
    lines = []
    if cs is not None:
        lines.append((cs + 0.5, f"predicted cleavage after {cs}", COLORS["sp"], "--"))
    if end is not None:
        lines.append((end + 0.5, f"UniProt signal end {end}", COLORS["uniprot"], ":"))
    return lines


def _draw_probabilities(ax: Any, result: Result, probs: np.ndarray, signal: Segment | None) -> int:
    shown = min(WINDOW, result.length, len(probs))
    edges = np.arange(shown + 1) + 0.5
    if result.sp_prob is None:  # no residue the model could read: its per-residue numbers mean nothing either
        probs = np.zeros_like(probs)
        ax.axvspan(0.5, shown + 0.5, color=GREY, alpha=0.25, linewidth=0, label="not assessed: all ambiguous")
    ax.stairs(probs[:shown], edges, fill=True, color=COLORS["prob"], alpha=0.6, label="P(residue in SP)")
    ax.stairs(probs[:shown], edges, color=COLORS["prob_edge"], linewidth=0.7)
    for x, label, color, style in _site_lines(result, signal, shown):
        ax.axvline(x, color=color, linestyle=style, linewidth=1.1, label=label)
    hidden = site_unknown(result)
    if hidden is not None:
        ax.axvspan(hidden[0] - 0.5, min(hidden[1], shown) + 0.5, color=GREY, alpha=0.25, linewidth=0,
                   label=f"site unknown: ambiguous {hidden[0]}-{hidden[1]}")
    ax.set_xlim(0.5, max(shown, 1) + 0.5)
    ax.set_ylim(0, 1.05)
    ax.set_yticks([0, 0.5, 1.0], ["0", "0.5", "1"])
    ax.set_ylabel("P(residue in SP)")
    ax.set_xlabel(f"residue (first {shown}, the model's window)", labelpad=1)
    ax.tick_params(length=2, pad=1)
    ax.legend(loc="upper right", frameon=False, handlelength=1.6, borderaxespad=0.2, labelspacing=0.25)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return shown


def _strip_cell(i: int) -> tuple[int, float]:
    """Row and x cell of residue index i (0-based): blocks of ten separated by a blank cell."""
    row, col = divmod(i, STRIP_ROW)
    return row, col + col // 10 + 0.5


def _draw_sequence(ax: Any, result: Result, signal: Segment | None, shown: int) -> None:
    seq = result.record.sequence[:shown]
    cs = result.cleavage_site or 0
    uniprot_end = signal.end if signal is not None else 0
    for i, residue in enumerate(seq):
        row, x = _strip_cell(i)
        in_sp = i < cs
        ax.text(x, -row, residue, ha="center", va="center", family="monospace", fontsize=FONT["small"],
                color=COLORS["sp"] if in_sp else "black", fontweight="bold" if in_sp else "normal")
        if i < uniprot_end:
            ax.plot([x - 0.5, x + 0.5], [-row - 0.42] * 2, color=COLORS["uniprot"], linewidth=0.8,
                    solid_capstyle="butt")
    rows = (len(seq) + STRIP_ROW - 1) // STRIP_ROW
    for row in range(rows):
        ax.text(-0.4, -row, str(row * STRIP_ROW + 1), ha="right", va="center", fontsize=FONT["small"], color=GREY)
    ax.set_xlim(-0.2, STRIP_ROW + (STRIP_ROW - 1) // 10)
    ax.set_ylim(-rows + 0.4, 0.6)
    ax.set_axis_off()


def _tracks(result: Result, signal: Segment | None) -> list[tuple[str, list[tuple[int, int, float]], str]]:
    """(label, [(start, end, alpha)], colour) per row; every row is always drawn, so layouts compare."""
    n = result.length
    gpi: list[tuple[int, int, float]] = []
    if result.gpi:
        omega = int(result.gpi.get("omega_site") or 0)
        if omega:
            gpi.append((omega + 1, n, 0.35))
        tail = segment(result.gpi.get("hydrophobic_tail"))
        if tail is not None:
            gpi.append((tail.start, tail.end, 1.0))
    anchor = result.signal_anchor
    tm = [s for s in result.tm_segments if anchor is None or (s.start, s.end) != (anchor.start, anchor.end)]
    sp = [(1, result.cleavage_site, 1.0)] if result.cleavage_site else []
    hidden = site_unknown(result)
    if hidden is not None:  # called, site unknown: solid up to the ambiguous run, faint over it (no end drawn)
        sp = ([(1, hidden[0] - 1, 1.0)] if hidden[0] > 1 else []) + [(hidden[0], hidden[1], 0.3)]
    return [
        ("SP (predicted)", sp, COLORS["sp"]),
        ("Signal (UniProt)", [(signal.start, signal.end, 1.0)] if signal else [], COLORS["uniprot"]),
        ("Signal anchor", [(anchor.start, anchor.end, 1.0)] if anchor else [], COLORS["anchor"]),
        ("TM helix", [(s.start, s.end, 1.0) for s in tm], COLORS["tm"]),
        ("GPI signal", gpi, COLORS["gpi"]),
        ("ER retention", [(n - len(result.er_motif) + 1, n, 1.0)] if result.er_motif else [], COLORS["er"]),
    ]


def _draw_tracks(ax: Any, result: Result, signal: Segment | None) -> None:
    tracks = _tracks(result, signal)
    rows = {label: len(tracks) - 1 - i for i, (label, _, _) in enumerate(tracks)}  # first track on top
    for label, segments, color in tracks:
        for start, end, alpha in segments:
            ax.broken_barh([(start - 0.5, end - start + 1)], (rows[label] - 0.32, 0.64), color=color, alpha=alpha,
                           linewidth=0)
    if result.gpi and result.gpi.get("omega_site"):
        omega = int(result.gpi["omega_site"])
        ax.plot([omega], [rows["GPI signal"] + 0.45], marker="v", color=COLORS["gpi"], markersize=3.5)
        tail = segment(result.gpi.get("hydrophobic_tail"))
        label = f"ω {omega}, cleaved {omega + 1}-{result.length}" + (f", tail {tail}" if tail else "")
        right = omega > result.length / 2  # keep the label inside the axes
        ax.text(omega, rows["GPI signal"] + 0.36, f"{label} " if right else f" {label}", ha="right" if right else "left",
                va="bottom", fontsize=FONT["small"])
    hidden = site_unknown(result)
    if hidden is not None:
        ax.text(hidden[1] + 1, rows["SP (predicted)"], " site unknown", ha="left", va="center", fontsize=FONT["small"])
    if result.er_motif:
        ax.text(result.length, rows["ER retention"] + 0.4, result.er_motif, ha="right", va="bottom",
                fontsize=FONT["small"])
    ax.set_yticks([rows[label] for label, _, _ in tracks], [label for label, _, _ in tracks])
    ax.tick_params(axis="y", length=0, pad=2)
    ax.tick_params(axis="x", length=2, pad=1)
    ax.set_ylim(-0.6, len(tracks) - 0.1)
    ax.set_xlim(0.5, result.length + 0.5)
    ax.set_xlabel(f"residue (whole protein, {result.length} aa)", labelpad=1)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.4)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


# --------------------------------------------------------------------------- the figure


def _axes(fig: Figure, top_in: float, height_in: float, left_in: float) -> Any:
    """Axes placed in inches from the top-left, so every figure has the same geometry."""
    width, height = fig.get_size_inches()
    return fig.add_axes((left_in / width, 1 - (top_in + height_in) / height,
                         (width - left_in - _RIGHT_IN) / width, height_in / height))


def protein_figure(result: Result, position_probs: np.ndarray, uniprot_signal: Segment | str | None = None,
                   threshold: Threshold | dict | float | None = None) -> Figure:
    """The figure for one protein; ``position_probs`` is the model's per-residue P(SP), shape (70,).

    ``threshold`` is the model's decision threshold for the organism group
    (``Predictor.thresholds()``); without it the gauge has no line.
    Raises ValueError for a probability array that is not one-dimensional.
    """
    probs = np.asarray(position_probs, dtype=float)
    if probs.ndim != 1:
        raise ValueError(f"position_probs must be one row per protein, got shape {probs.shape}")
    signal = segment(uniprot_signal)
    limit = Threshold.from_mapping(threshold)
    with print_style():
        fig = new_figure(COLUMN_WIDTH_IN, HEIGHT_IN)
        lines = title_lines(result, limit)
        for (top, size, weight), text in zip(((0.05, FONT["title"], "bold"), (0.22, FONT["base"], "normal"),
                                              (0.37, FONT["small"], "normal"), (0.50, FONT["small"], "normal")),
                                             lines, strict=True):
            fig.text(0.02, 1 - top / HEIGHT_IN, text, ha="left", va="top", fontsize=size, fontweight=weight)
        gauge = _axes(fig, 0.76, 0.13, _LABEL_LEFT_IN)
        fig.text(0.04, 1 - 0.825 / HEIGHT_IN, "P(signal\npeptide)", ha="left", va="center", fontsize=FONT["small"])
        _draw_gauge(gauge, result, limit)
        shown = _draw_probabilities(_axes(fig, 1.14, 1.0, _LEFT_IN), result, probs, signal)
        _draw_sequence(_axes(fig, 2.44, 0.34, _LEFT_IN), result, signal, shown)
        _draw_tracks(_axes(fig, 2.88, 1.0, _LABEL_LEFT_IN), result, signal)
    return fig

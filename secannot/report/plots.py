"""Figures: the summary bar chart and SignalP-style per-protein plots.

matplotlib is optional (``pip install 'secannot[report]'``) and imported
only when a figure is drawn.  Figures are built with the object-oriented API
on an Agg canvas, never through ``pyplot``: no global backend switch, no
figure registry to leak, and nothing changes for a caller who embeds
secannot in a notebook.

``run_plot(items, out, fmt) -> list[str]`` is the ``plot`` command without
the command line; see :func:`plot_targets` for how ``out`` names the files.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from secannot.errors import InputError, MissingDependencyError
from secannot.report.enrichment import Counts, fold_enrichment
from secannot.results import Result, Segment

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from secannot.report.summary import Row, Summary

CHART_FORMATS: tuple[str, ...] = ("png", "svg")
PROTEIN_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
WINDOW = 70  # residues covered by the signal-peptide model's per-residue output
INSTALL_HINT = "pip install 'secannot[report]'"
SIGNIFICANT_Q = 0.05
MAX_BARS = 20  # per panel; more would be unreadable at report width

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def require_matplotlib() -> None:
    """Fail early, with the install command, before any output is written."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingDependencyError(f"plots and HTML reports need matplotlib, which is not installed: {INSTALL_HINT}") from None


def _new_figure(width: float, height: float, layout: str | None = "constrained") -> Figure:
    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout=layout)
    FigureCanvasAgg(fig)
    return fig


def image_format(path: str | os.PathLike[str], allowed: Sequence[str]) -> str:
    """The image format named by a file's extension, or InputError listing the allowed ones."""
    ext = Path(path).suffix.lower().lstrip(".")
    if ext not in allowed:
        shown = ", ".join(f".{a}" for a in allowed)
        raise InputError(f"{os.fspath(path)}: cannot tell the image format from the extension (use {shown})")
    return ext


def _save(fig: Figure, target: str | os.PathLike[str] | io.BytesIO, fmt: str) -> None:
    # Fixed metadata: the same input gives byte-identical SVG/PDF (no creation date).
    metadata: dict[str, Any] = {"Creator": "secannot"}
    if fmt == "svg":
        metadata["Date"] = None
    elif fmt == "pdf":
        metadata["CreationDate"] = None
    try:
        fig.savefig(target, format=fmt, dpi=120, metadata=metadata)
    except OSError as exc:
        where = "image" if isinstance(target, io.BytesIO) else os.fspath(target)
        raise InputError(f"{where}: cannot write ({exc.strerror})") from None


# --------------------------------------------------------------------------- summary bar chart


def _chart_rows(summary: Summary, section: str) -> list[Row]:
    """The rows worth a bar: carried by at least one input protein, best first, at most MAX_BARS."""
    rows = [r for r in summary.section(section) if r.count > 0]
    return rows[:MAX_BARS]  # Summary rows are already sorted (p, then count)


def _bar_value(summary: Summary, row: Row) -> float:
    if not summary.has_background:
        return float(row.count)
    fold = fold_enrichment(Counts(row.count, summary.input_size, row.background_count or 0, summary.background_size or 0))
    return fold if fold is not None else 0.0


def _bar_label(summary: Summary, row: Row) -> str:
    if not summary.has_background:
        return str(row.count)
    return f"q={row.q_value:.2g}  ({row.count}/{summary.input_size} vs {row.background_count}/{summary.background_size})"


def _draw_panel(ax: Any, summary: Summary, section: str, title: str) -> None:
    rows = _chart_rows(summary, section)
    if not rows:
        ax.text(0.5, 0.5, f"no {title.lower()} in the input", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    rows = rows[::-1]  # best at the top
    values = [_bar_value(summary, r) for r in rows]
    colors = [
        "#b2182b" if summary.has_background and (r.q_value or 1.0) < SIGNIFICANT_Q else "#6b8fb5" for r in rows
    ]
    y = np.arange(len(rows))
    ax.barh(y, values, color=colors)
    ax.set_yticks(y, [r.category for r in rows], fontsize=8)
    for yi, value, row in zip(y, values, rows, strict=True):
        ax.text(value, yi, " " + _bar_label(summary, row), va="center", fontsize=7)
    ax.set_xlim(0, max(values) * (1.9 if summary.has_background else 1.25) or 1)
    ax.set_title(title, fontsize=10)
    if summary.has_background:
        ax.axvline(1.0, color="#555555", linewidth=0.8, linestyle=":")
        ax.set_xlabel(f"fold enrichment vs background (red: q < {SIGNIFICANT_Q})", fontsize=8)
    else:
        ax.set_xlabel("input proteins (no background: counts only)", fontsize=8)
    ax.tick_params(axis="x", labelsize=8)


def bar_figure(summary: Summary) -> Figure:
    """Cell sources and processes, side by side."""
    n = max(len(_chart_rows(summary, "cell_source")), len(_chart_rows(summary, "process")), 1)
    fig = _new_figure(11.0, 1.2 + 0.28 * n)
    left, right = fig.subplots(1, 2)
    _draw_panel(left, summary, "cell_source", "Cell sources")
    _draw_panel(right, summary, "process", "Cancer processes")
    return fig


def bar_chart(summary: Summary, path: str | os.PathLike[str]) -> str:
    """Write the bar chart as PNG or SVG (from the extension); returns the path."""
    fmt = image_format(path, CHART_FORMATS)
    _save(bar_figure(summary), path, fmt)
    return os.fspath(path)


def bar_chart_png(summary: Summary) -> bytes:
    """The bar chart as PNG bytes, for embedding in the HTML report."""
    buffer = io.BytesIO()
    _save(bar_figure(summary), buffer, "png")
    return buffer.getvalue()


def crosstalk_figure(summary: Summary) -> Figure:
    """Sender (rows) x receiver (columns) cell types; each cell counts ligand-receptor pairs of the summary."""
    from secannot.report.crosstalk import axis_order, sender_receiver_counts

    counts = sender_receiver_counts(summary.crosstalk)
    rows, cols = axis_order(counts, 0), axis_order(counts, 1)
    matrix = np.zeros((max(len(rows), 1), max(len(cols), 1)))
    for (sender, receiver), n in counts.items():
        matrix[rows.index(sender), cols.index(receiver)] = n
    fig = _new_figure(max(4.5, 2.2 + 0.45 * len(cols)), max(2.5, 1.6 + 0.35 * len(rows)))
    ax = fig.subplots()
    image = ax.imshow(matrix, cmap="Blues", aspect="auto", vmin=0)
    ax.set_xticks(range(len(cols)), cols, rotation=45, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("receiver cell type (receptor)")
    ax.set_ylabel("sender cell type (ligand)")
    for (i, j), n in np.ndenumerate(matrix):
        if n:
            ax.text(j, i, f"{int(n)}", ha="center", va="center", fontsize=8,
                    color="white" if n > matrix.max() / 2 else "black")
    fig.colorbar(image, ax=ax, label="ligand-receptor pairs")
    return fig


def crosstalk_heatmap_png(summary: Summary) -> bytes:
    """The sender -> receiver heat map as PNG bytes, for the HTML report."""
    buffer = io.BytesIO()
    _save(crosstalk_figure(summary), buffer, "png")
    return buffer.getvalue()


# --------------------------------------------------------------------------- per-protein plot


def _segment(value: Segment | str | None) -> Segment | None:
    """Accept a Segment or UniProt's '1-26' text; anything unparseable is treated as absent."""
    if value is None or isinstance(value, Segment):
        return value
    match = re.fullmatch(r"\s*(\d+)\s*[-.]+\s*(\d+)\s*", str(value))
    return Segment(int(match.group(1)), int(match.group(2))) if match else None


def _tracks(result: Result, uniprot_signal: Segment | None) -> list[tuple[str, list[tuple[int, int]], str]]:
    """(label, [(start, end)], colour) for each feature row; every row is always drawn, so layouts compare."""
    n = result.length
    gpi_tail = _segment(result.gpi.get("hydrophobic_tail")) if result.gpi else None
    er = [(n - len(result.er_motif) + 1, n)] if result.er_motif else []
    return [
        ("SP (predicted)", [(1, result.cleavage_site)] if result.cleavage_site else [], "#d6604d"),
        ("Signal (UniProt)", [(uniprot_signal.start, uniprot_signal.end)] if uniprot_signal else [], "#4d4d4d"),
        ("signal anchor", [(result.signal_anchor.start, result.signal_anchor.end)] if result.signal_anchor else [],
         "#8073ac"),
        ("TM helix", [(s.start, s.end) for s in result.tm_segments], "#4393c3"),
        ("GPI signal", [(gpi_tail.start, gpi_tail.end)] if gpi_tail else [], "#1b7837"),
        ("ER retention", er, "#b35806"),
    ]


def _draw_probabilities(ax: Any, result: Result, probs: np.ndarray, uniprot_signal: Segment | None) -> None:
    shown = min(WINDOW, result.length, len(probs))
    x = np.arange(1, shown + 1)
    # One step artist rather than 70 bars: same picture, a fraction of the drawing time.
    ax.stairs(probs[:shown], np.arange(shown + 1) + 0.5, fill=True, color="#f4a582",
              label="P(residue in signal peptide)")
    ax.stairs(probs[:shown], np.arange(shown + 1) + 0.5, color="#d6604d", linewidth=0.8)
    if result.cleavage_site:
        cs = result.cleavage_site
        ax.axvline(cs + 0.5, color="#b2182b", linestyle="--", linewidth=1.2, label=f"cleavage after {cs}")
    if uniprot_signal is not None and uniprot_signal.end <= shown:
        ax.axvline(uniprot_signal.end + 0.5, color="#4d4d4d", linestyle=":", linewidth=1.2,
                   label=f"UniProt signal end {uniprot_signal.end}")
    ax.set_xlim(0.5, max(shown, 1) + 0.5)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("probability")
    ax.set_xlabel(f"residue (first {shown})")
    ax.legend(loc="upper right", fontsize=7, frameon=False)
    seq = result.record.sequence[:shown]
    if seq:
        top = ax.secondary_xaxis("top")
        top.set_xticks(x, list(seq), fontsize=5 if shown > 40 else 7, family="monospace")
        top.tick_params(length=0, pad=1)


def _draw_tracks(ax: Any, result: Result, uniprot_signal: Segment | None) -> None:
    tracks = _tracks(result, uniprot_signal)
    rows = {label: len(tracks) - 1 - i for i, (label, _, _) in enumerate(tracks)}  # first track on top
    for label, segments, color in tracks:
        ax.broken_barh([(s - 0.5, e - s + 1) for s, e in segments], (rows[label] - 0.35, 0.7), color=color)
    if result.gpi and result.gpi.get("omega_site"):
        omega = int(result.gpi["omega_site"])
        ax.plot([omega], [rows["GPI signal"]], marker="v", color="#1b7837", markersize=6)
        ax.text(omega, rows["GPI signal"] + 0.4, f"ω {omega}", ha="center", fontsize=6)
    if result.er_motif:
        ax.text(result.length, rows["ER retention"] + 0.4, result.er_motif, ha="right", fontsize=6)
    ax.set_yticks([rows[label] for label, _, _ in tracks], [label for label, _, _ in tracks], fontsize=7)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-0.6, len(tracks) - 0.2)
    ax.set_xlim(0.5, result.length + 0.5)
    ax.set_xlabel(f"residue (whole protein, {result.length} aa)")
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)


def protein_figure(result: Result, position_probs: np.ndarray, uniprot_signal: Segment | str | None = None) -> Figure:
    probs = np.asarray(position_probs, dtype=float)
    if probs.ndim != 1:
        raise ValueError(f"position_probs must be one row per protein, got shape {probs.shape}")
    signal = _segment(uniprot_signal)
    # Fixed margins instead of constrained layout: the labels are known, and
    # laying out 70 residue ticks dominated the drawing time.
    fig = _new_figure(10.0, 5.2, layout=None)
    top, bottom = fig.subplots(2, 1, height_ratios=[3, 1.6])
    fig.subplots_adjust(left=0.13, right=0.98, top=0.88, bottom=0.1, hspace=0.45)
    fig.suptitle(
        f"{result.id}  —  {result.localization or 'localisation not predicted'}, route {result.route}, "
        f"P(SP) = {result.sp_prob:.3f}",
        fontsize=9,
    )
    _draw_probabilities(top, result, probs, signal)
    _draw_tracks(bottom, result, signal)
    return fig


def protein_plot(
    result: Result,
    position_probs: np.ndarray,
    out_path: str | os.PathLike[str],
    uniprot_signal: Segment | str | None = None,
) -> str:
    """One protein as PNG, SVG or single-page PDF (from the extension); returns the path."""
    fmt = image_format(out_path, PROTEIN_FORMATS)
    _save(protein_figure(result, position_probs, uniprot_signal), out_path, fmt)
    return os.fspath(out_path)


def safe_name(identifier: str) -> str:
    """A file-name-safe id: 'sp|P15692|VEGFA_HUMAN' -> 'sp_P15692_VEGFA_HUMAN'."""
    name = _UNSAFE_NAME.sub("_", identifier).strip("._") or "protein"
    return name[:120]


def _unique_names(ids: Sequence[str]) -> list[str]:
    """Sanitised names, with _2, _3 ... where two ids sanitise to the same name."""
    seen: dict[str, int] = {}
    names = []
    for identifier in ids:
        base = safe_name(identifier)
        seen[base] = seen.get(base, 0) + 1
        names.append(base if seen[base] == 1 else f"{base}_{seen[base]}")
    return names


def plot_targets(ids: Sequence[str], out: str, fmt: str | None) -> tuple[str, list[str], bool]:
    """(format, paths, multipage): ('pdf', [out], True) for one multi-page PDF, else one path per protein.

    * ``out`` ending in ``.pdf``: one page per protein in that file.
    * ``out`` an existing directory, ending in a path separator or without
      an extension: the directory (created if needed) gets ``OUT/ID.FMT``,
      ``fmt`` defaulting to png.
    * otherwise a file name: used as given for a single protein, with
      ``_ID`` inserted before the extension for several.
    """
    if out in ("", "-"):
        raise InputError("plots are images: give a file name or a directory, not stdout")
    if _is_directory_target(out):
        fmt = (fmt or "png").lower()
        if fmt not in PROTEIN_FORMATS:
            raise InputError(f"unknown plot format {fmt!r} (use {', '.join(PROTEIN_FORMATS)})")
        # In a directory even PDFs are one file per protein.
        return fmt, [os.path.join(out, f"{name}.{fmt}") for name in _unique_names(ids)], False
    ext = image_format(out, PROTEIN_FORMATS)
    if fmt is not None and fmt.lower() != ext:
        raise InputError(f"{out}: the extension says {ext} but the format is {fmt}")
    if ext == "pdf":
        return "pdf", [out], True
    if len(ids) == 1:
        return ext, [out], False
    stem, suffix = os.path.splitext(out)
    return ext, [f"{stem}_{name}{suffix}" for name in _unique_names(ids)], False


def _is_directory_target(out: str) -> bool:
    return out.endswith(("/", os.sep)) or os.path.isdir(out) or not Path(out).suffix


def protein_plots(
    items: Sequence[tuple[Result, np.ndarray, Segment | str | None]], out: str, fmt: str | None = None
) -> list[str]:
    """Per-protein plots: one file each, or one multi-page PDF; returns the files written."""
    if not items:
        raise InputError("no proteins to plot")
    require_matplotlib()
    fmt, paths, multipage = plot_targets([r.id for r, _, _ in items], out, fmt)
    if multipage:
        _multipage_pdf(items, paths[0])
        return paths
    if _is_directory_target(out):
        try:
            os.makedirs(out, exist_ok=True)
        except OSError as exc:
            raise InputError(f"{out}: cannot create directory ({exc.strerror})") from None
    for (result, probs, signal), path in zip(items, paths, strict=True):
        _save(protein_figure(result, probs, signal), path, fmt)
    return paths


def _multipage_pdf(items: Sequence[tuple[Result, np.ndarray, Segment | str | None]], path: str) -> None:
    from matplotlib.backends.backend_pdf import PdfPages

    try:
        with PdfPages(path, metadata={"Creator": "secannot", "CreationDate": None}) as pdf:
            for result, probs, signal in items:
                pdf.savefig(protein_figure(result, probs, signal))
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None


def run_plot(
    results_with_positions: list[tuple[Result, np.ndarray, str | None]], out: str, fmt: str | None
) -> list[str]:
    """The ``plot`` command without the command line: (result, per-residue P(SP), UniProt signal) per protein."""
    return protein_plots(results_with_positions, out, fmt)

"""Writing figures: the enrichment dot plot and the per-protein plots, to files or bytes.

The figures themselves are drawn in :mod:`secannot.report.dotplot` and
:mod:`secannot.report.protein_plot` (print sizes, palette and saving in
:mod:`secannot.report.figures`).  This module decides file names and formats.

``run_plot(items, out, fmt, thresholds) -> list[str]`` is the ``plot``
command without the command line; see :func:`plot_targets` for how ``out``
names the files.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from secannot.errors import InputError
from secannot.io.guarded import cannot_write
from secannot.report.crosstalk_plot import crosstalk_figure, crosstalk_heatmap_png
from secannot.report.dotplot import PlotTitle, dot_figure
from secannot.report.figures import figure_file, image_format, png_bytes, require_matplotlib, save
from secannot.report.protein_plot import WINDOW, Threshold, protein_figure
from secannot.report.summary import Summary
from secannot.results import Result, Segment

__all__ = ["CHART_FORMATS", "crosstalk_figure", "crosstalk_heatmap_png", "PROTEIN_FORMATS", "WINDOW", "PlotTitle", "Threshold", "enrichment_plot",
           "enrichment_png", "image_format", "plot_targets", "protein_figure", "protein_plot", "protein_plots",
           "require_matplotlib", "run_plot", "safe_name", "check_plot_directory"]

CHART_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
PROTEIN_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
Item = tuple[Result, np.ndarray, Segment | str | None]


# --------------------------------------------------------------------------- enrichment dot plot


def enrichment_plot(summary: Summary, path: str | os.PathLike[str], title: PlotTitle | None = None) -> str:
    """Write the dot plot as PNG, SVG or PDF (from the extension); returns the path."""
    fmt = image_format(path, CHART_FORMATS)
    save(dot_figure(summary, title), path, fmt)
    return os.fspath(path)


def enrichment_png(summary: Summary, title: PlotTitle | None = None) -> bytes:
    """The dot plot as PNG bytes, for embedding in the HTML report."""
    return png_bytes(dot_figure(summary, title), dpi=200)


# --------------------------------------------------------------------------- per-protein plot


def protein_plot(
    result: Result,
    position_probs: np.ndarray,
    out_path: str | os.PathLike[str],
    uniprot_signal: Segment | str | None = None,
    threshold: Threshold | Mapping[str, Any] | float | None = None,
) -> str:
    """One protein as PNG, SVG or single-page PDF (from the extension); returns the path."""
    fmt = image_format(out_path, PROTEIN_FORMATS)
    save(protein_figure(result, position_probs, uniprot_signal, threshold), out_path, fmt)
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


def protein_plots(items: Sequence[Item], out: str, fmt: str | None = None,
                  threshold: Threshold | Mapping[str, Any] | float | None = None) -> list[str]:
    """Per-protein plots: one file each, or one multi-page PDF; returns the files written."""
    if not items:
        raise InputError("no proteins to plot")
    require_matplotlib()
    fmt, paths, multipage = plot_targets([r.id for r, _, _ in items], out, fmt)
    if multipage:
        _multipage_pdf(items, paths[0], threshold)
        return paths
    if _is_directory_target(out):
        _make_directory(out)
    for (result, probs, signal), path in zip(items, paths, strict=True):
        save(protein_figure(result, probs, signal, threshold), path, fmt)  # each file renamed into place whole
    return paths


def check_plot_directory(out: str) -> None:
    """OutputError (exit 4) when ``out`` names a directory target (no extension) that exists as something
    else (a file, ``/dev/full``): the figures ``OUT/ID.png`` cannot be written into it.  Checked before
    anything is read, and again when the directory is made."""
    path = out.rstrip("/" + os.sep) or out
    if _is_directory_target(out) and os.path.exists(path) and not os.path.isdir(path):
        raise cannot_write(out, errno.ENOTDIR)


def _make_directory(out: str) -> None:
    check_plot_directory(out)
    try:
        os.makedirs(out, exist_ok=True)
    except FileExistsError:  # made as a file since the check
        raise cannot_write(out, errno.ENOTDIR) from None
    except OSError as exc:
        raise cannot_write(out, exc) from None


def _multipage_pdf(items: Sequence[Item], path: str, threshold: Any) -> None:
    """One page per protein, written under a temporary name and renamed into place when complete.

    Not ``with PdfPages(...)``: its exit finishes the document even after a failed write.  After one
    (:class:`~secannot.report.figures.HeldFailure`) no further page is drawn.
    """
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages

    from secannot.report.figures import RC

    with figure_file(path) as fh, matplotlib.rc_context(RC):
        pdf = PdfPages(fh, metadata={"Creator": "secannot", "CreationDate": None})
        for result, probs, signal in items:
            pdf.savefig(protein_figure(result, probs, signal, threshold))
            if fh.error is not None:
                return
        pdf.close()


def run_plot(results_with_positions: Sequence[Item], out: str, fmt: str | None,
             thresholds: Mapping[str, Any] | None = None) -> list[str]:
    """The ``plot`` command without the command line: (result, per-residue P(SP), UniProt signal) per protein.

    ``thresholds`` is ``Predictor.thresholds()`` (organism group and the
    model's decision threshold), drawn on every figure.
    """
    return protein_plots(results_with_positions, out, fmt, thresholds)

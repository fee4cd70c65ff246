"""The sender -> receiver heat map of ligand-receptor crosstalk in the HTML report.

Rows are the TME cell types that send the ligand, columns those that carry
the receptor; each cell counts the ligand-receptor pairs of the summary
(:mod:`secannot.report.crosstalk`).  A single-hue sequential scale (Blues)
stays readable in grey and for colour-vision deficiencies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from secannot.report.figures import FONT, new_figure, png_bytes, print_style

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from secannot.report.summary import Summary


def crosstalk_figure(summary: Summary) -> Figure:
    """Sender (rows) x receiver (columns) cell types; each cell counts ligand-receptor pairs of the summary."""
    from secannot.report.crosstalk import axis_order, sender_receiver_counts

    counts = sender_receiver_counts(summary.crosstalk)
    rows, cols = axis_order(counts, 0), axis_order(counts, 1)
    matrix = np.zeros((max(len(rows), 1), max(len(cols), 1)))
    for (sender, receiver), n in counts.items():
        matrix[rows.index(sender), cols.index(receiver)] = n
    with print_style():
        fig = new_figure(max(4.5, 2.2 + 0.45 * len(cols)), max(2.5, 1.6 + 0.35 * len(rows)), layout="constrained")
        _draw(fig, matrix, rows, cols)
    return fig


def _draw(fig: Figure, matrix: np.ndarray, rows: list[str], cols: list[str]) -> None:
    ax = fig.subplots()
    image = ax.imshow(matrix, cmap="Blues", aspect="auto", vmin=0)
    ax.set_xticks(range(len(cols)), cols, rotation=45, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("receiver cell type (receptor)")
    ax.set_ylabel("sender cell type (ligand)")
    for (i, j), n in np.ndenumerate(matrix):
        if n:
            ax.text(j, i, f"{int(n)}", ha="center", va="center", fontsize=FONT["base"],
                    color="white" if n > matrix.max() / 2 else "black")
    from matplotlib.ticker import MaxNLocator

    bar = fig.colorbar(image, ax=ax, label="ligand-receptor pairs")
    bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # pairs are counted, not measured


def crosstalk_heatmap_png(summary: Summary) -> bytes:
    """The sender -> receiver heat map as PNG bytes, for the HTML report."""
    return png_bytes(crosstalk_figure(summary), dpi=150)

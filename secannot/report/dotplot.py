"""The enrichment dot plot of ``summarize --plot`` and the HTML report.

The layout enrichment users know from GO tools (clusterProfiler's
``dotplot``, for example): one row per category, x the effect (fold
enrichment against the background, on a log2 axis with a line at 1; without a
background the hit ratio k/n), dot area the number of input proteins, colour
the Benjamini-Hochberg q-value (viridis, log scale, the 0.05 level marked on
the colour bar).  Categories below ``--min-size`` are drawn as open grey dots:
they are in the input but were not tested.

Rows are sorted by the x value (largest on top), ties by q and name, so the
order always matches the axis.  At most :data:`MAX_ROWS` rows per panel are
drawn, the ones with the smallest q (or the largest count without a
background); the title says when rows were left out.  Cell sources and
processes are separate panels sharing the x axis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from secannot.report.enrichment import SIGNIFICANT_Q
from secannot.report.figures import COLUMN_WIDTH_IN, FONT, GREY, new_figure, print_style, require_matplotlib

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from secannot.report.summary import Row, Summary

MAX_ROWS = 20
PANELS = (("cell_source", "Cell sources"), ("process", "Cancer processes"))
ROW_IN = 0.155
_MAX_AREA = 110.0  # points^2 for the largest count


@dataclass(frozen=True, slots=True)
class PlotTitle:
    """What the plot was made from: the input names and sizes, shown in the title."""

    inputs: tuple[str, ...] = ()
    background: str | None = None

    def text(self, summary: Summary) -> str:
        hits = ", ".join(self.inputs) if self.inputs else "input"
        line = f"{hits} (n = {summary.input_size:,})"
        if summary.has_background:
            line += f" vs {self.background or 'background'} (N = {summary.background_size:,})"
        return line


def x_value(summary: Summary, row: Row) -> float:
    """Fold enrichment with a background, else the hit ratio count / n."""
    if summary.has_background and row.fold_enrichment is not None:
        return row.fold_enrichment
    return row.count / summary.input_size if summary.input_size else 0.0


def panel_rows(summary: Summary, section: str) -> tuple[list[Row], int]:
    """Rows to draw (top first) and how many were left out; only categories carried by the input."""
    rows = [r for r in summary.section(section) if r.count > 0]
    if len(rows) > MAX_ROWS:
        if summary.has_background:
            rows = sorted(rows, key=lambda r: (_q_or_untested(r), -r.count, r.category))[:MAX_ROWS]
        else:
            rows = sorted(rows, key=lambda r: (-r.count, r.category))[:MAX_ROWS]
    dropped = len([r for r in summary.section(section) if r.count > 0]) - len(rows)
    # x rounded so that equal ratios computed in different order tie exactly, and q then breaks the tie.
    return sorted(rows, key=lambda r: (-round(x_value(summary, r), 6), _q_or_untested(r), r.category)), dropped


def _q_or_untested(row: Row) -> float:
    return row.q_value if row.q_value is not None else 2.0


def _sizes(counts: Sequence[int], largest: int) -> list[float]:
    return [max(8.0, _MAX_AREA * c / largest) for c in counts]


def _draw_panel(ax: Any, summary: Summary, rows: list[Row], title: str, largest: int, norm: Any, cmap: Any) -> None:
    if not rows:
        ax.text(0.5, 0.5, f"no {title.lower()} in the input", ha="center", va="center", transform=ax.transAxes,
                fontsize=FONT["small"])
        ax.set_yticks([])
        ax.set_title(title, loc="left", fontsize=FONT["base"], fontweight="bold")
        return
    y = list(range(len(rows)))[::-1]  # first row on top
    xs = [x_value(summary, r) for r in rows]
    sizes = _sizes([r.count for r in rows], largest)
    tested = [i for i, r in enumerate(rows) if r.q_value is not None]
    untested = [i for i, r in enumerate(rows) if r.q_value is None]
    if tested:
        ax.scatter([xs[i] for i in tested], [y[i] for i in tested], s=[sizes[i] for i in tested],
                   c=[max(rows[i].q_value, 1e-300) for i in tested], cmap=cmap, norm=norm,
                   edgecolors="black", linewidths=0.4, zorder=3)
    if untested:
        face = "none" if summary.has_background else cmap(0.35)
        ax.scatter([xs[i] for i in untested], [y[i] for i in untested], s=[sizes[i] for i in untested],
                   facecolors=face, edgecolors=GREY if summary.has_background else "black", linewidths=0.7, zorder=3)
    ax.set_yticks(y, [r.category.replace("_", " ") for r in rows])
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_title(title, loc="left", fontsize=FONT["base"], fontweight="bold")
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.4)
    if summary.has_background:
        ax.axvline(1.0, color="#555555", linewidth=0.6, linestyle=":", zorder=1)
    ax.tick_params(length=2, pad=1)
    ax.set_axisbelow(True)


def _x_axis(ax: Any, summary: Summary, xs: Sequence[float]) -> None:
    if summary.has_background:
        from matplotlib.ticker import FuncFormatter

        positive = [x for x in xs if x > 0] or [1.0]
        lo = 2 ** math.floor(math.log2(min(min(positive), 1.0) / 1.3))
        hi = 2 ** math.ceil(math.log2(max(max(positive), 1.0) * 1.3))
        ax.set_xscale("log", base=2)
        ax.set_xlim(lo, hi)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.set_xlabel("fold enrichment vs background (log2 axis)")
    else:
        ax.set_xlim(0, min(1.0, max(xs or [0.1]) * 1.25))
        ax.set_xlabel("hit ratio (count / input proteins)")


def _legends(fig: Figure, summary: Summary, largest: int, norm: Any, cmap: Any, axes_box: Sequence[float]) -> None:
    """Size legend and colour bar in the right-hand column."""
    left, bottom, _, height = axes_box
    handles, labels = [], []
    for count in sorted({1, max(1, largest // 2), largest}):
        handles.append(fig.axes[0].scatter([], [], s=_sizes([count], largest)[0], facecolors="white",
                                           edgecolors="black", linewidths=0.5))
        labels.append(str(count))
    if summary.has_background and any(r.q_value is None and r.count for r in summary.rows):
        handles.append(fig.axes[0].scatter([], [], s=30, facecolors="none", edgecolors=GREY, linewidths=0.7))
        labels.append(f"not\ntested\n(< {summary.min_size})")
    fig.legend(handles, labels, title="proteins", loc="upper left", frameon=False, fontsize=FONT["small"],
               title_fontsize=FONT["small"], bbox_to_anchor=(left, bottom + height), labelspacing=0.9,
               borderaxespad=0.0, handletextpad=0.4)
    if summary.has_background:
        from matplotlib.cm import ScalarMappable

        cax = fig.add_axes((left + 0.01, bottom, 0.03, min(0.3, height * 0.35)))
        bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax)
        bar.set_label("q (BH)", fontsize=FONT["small"])
        bar.ax.tick_params(labelsize=FONT["small"], length=2)
        bar.ax.axhline(SIGNIFICANT_Q, color="black", linewidth=0.8)


def dot_figure(summary: Summary, title: PlotTitle | None = None) -> Figure:
    """Both panels with legends, sized for one 85 mm column; height grows with the number of rows."""
    require_matplotlib()
    from matplotlib import colormaps
    from matplotlib.colors import LogNorm

    title = title or PlotTitle()
    panels = [(section, name, *panel_rows(summary, section)) for section, name in PANELS]
    counts = [max(len(rows), 1) for _, _, rows, _ in panels]
    largest = max([r.count for _, _, rows, _ in panels for r in rows] or [1])
    qs = [r.q_value for _, _, rows, _ in panels for r in rows if r.q_value is not None]
    norm = LogNorm(vmin=min(min(qs or [1e-3]), 1e-3), vmax=1.0)
    cmap = colormaps["viridis"]
    top_in, bottom_in, gap_in = 0.62, 0.42, 0.34
    height = top_in + bottom_in + gap_in * (len(panels) - 1) + ROW_IN * sum(counts)
    with print_style():
        fig = new_figure(COLUMN_WIDTH_IN, height)
        box = (0.40, bottom_in / height, 0.36, 1 - (top_in + bottom_in) / height)
        mean_panel_in = ROW_IN * sum(counts) / len(panels)
        grid = fig.add_gridspec(len(panels), 1, height_ratios=counts, left=box[0], right=box[0] + box[2],
                                bottom=box[1], top=box[1] + box[3], hspace=gap_in / mean_panel_in)
        axes = [fig.add_subplot(grid[i]) for i in range(len(panels))]
        for ax in axes[1:]:
            ax.sharex(axes[0])
        for ax, (_, name, rows, dropped) in zip(axes, panels, strict=True):
            _draw_panel(ax, summary, rows, name + (f" (top {len(rows)} by q)" if dropped else ""), largest, norm, cmap)
        _x_axis(axes[-1], summary, [x_value(summary, r) for _, _, rows, _ in panels for r in rows])
        for ax in axes[:-1]:
            ax.tick_params(labelbottom=False)
        heading = "Enrichment of TME annotations" if summary.has_background else "TME annotations (counts only)"
        fig.text(0.02, 1 - 0.08 / height, heading, ha="left", va="top", fontsize=FONT["title"], fontweight="bold")
        fig.text(0.02, 1 - 0.27 / height, title.text(summary), ha="left", va="top", fontsize=FONT["small"],
                 wrap=True)
        _legends(fig, summary, largest, norm, cmap, (box[0] + box[2] + 0.03, box[1], 0.18, box[3]))
    return fig

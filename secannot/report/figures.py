"""What every secannot figure shares: matplotlib on demand, the palette, sizes, fonts and saving.

Figures are sized for print: :data:`COLUMN_WIDTH_IN` is one journal column
(85 mm), fonts are 6.5-8 pt at that size, so a figure can be placed at 100 %
without scaling.  Colours come from the Okabe-Ito palette (Okabe & Ito 2008,
"Color Universal Design", https://jfly.uni-koeln.de/color/), which stays
distinguishable for the common colour-vision deficiencies; continuous scales
use viridis (perceptually uniform and colour-blind safe).

matplotlib is optional (``pip install 'secannot[report]'``) and imported
only when a figure is drawn.  Figures use the object-oriented API on an Agg
canvas, never ``pyplot``: no global backend switch, no figure registry, and
nothing changes for a caller who embeds secannot in a notebook.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from secannot.errors import InputError, MissingDependencyError, OutputClosed, OutputError
from secannot.io.writers.output_file import OutputFile

if TYPE_CHECKING:
    from matplotlib.figure import Figure

INSTALL_HINT = "pip install 'secannot[report]'"
MM_PER_INCH = 25.4
COLUMN_WIDTH_IN = 85 / MM_PER_INCH  # one journal column
PNG_DPI = 300  # print resolution at column width

#: Okabe-Ito colours by name.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
GREY = "#999999"
FONT = {"base": 7.0, "small": 6.5, "title": 8.0}
RC = {
    "font.size": FONT["base"],
    "axes.titlesize": FONT["base"],
    "axes.labelsize": FONT["base"],
    "xtick.labelsize": FONT["small"],
    "ytick.labelsize": FONT["small"],
    "legend.fontsize": FONT["small"],
    "axes.linewidth": 0.6,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "svg.fonttype": "none",  # SVG text stays text: searchable and editable in a vector editor
    "pdf.fonttype": 42,  # TrueType in PDF, as journals ask
}


def require_matplotlib() -> None:
    """Fail early, with the install command, before any output is written."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingDependencyError(f"plots and HTML reports need matplotlib, which is not installed: {INSTALL_HINT}") from None


@contextmanager
def print_style() -> Iterator[None]:
    """secannot's print settings for everything created inside (fonts are fixed when an artist is made)."""
    require_matplotlib()
    import matplotlib

    with matplotlib.rc_context(RC):
        yield


def new_figure(width: float, height: float, layout: str | None = None) -> Figure:
    """A figure on its own Agg canvas; draw on it inside :func:`print_style`."""
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


def save(fig: Figure, target: str | os.PathLike[str] | BinaryIO, fmt: str, dpi: int = PNG_DPI) -> None:
    """PNG at print resolution, or SVG/PDF; the same input gives byte-identical SVG/PDF (no creation date).

    A path is written through :func:`figure_file` (complete or not at all).  Errors: OutputError
    (exit 4) when the file cannot be written (a full disk, a file size limit).
    """
    if isinstance(target, (str, os.PathLike)):
        with figure_file(os.fspath(target)) as fh:
            save(fig, fh, fmt, dpi)
        return
    import matplotlib

    metadata: dict[str, Any] = {"Creator": "secannot"}
    if fmt == "svg":
        metadata["Date"] = None
    elif fmt == "pdf":
        metadata["CreationDate"] = None
    with matplotlib.rc_context({**RC, "svg.hashsalt": "secannot"}):
        fig.savefig(target, format=fmt, dpi=dpi, metadata=metadata)


@contextmanager
def figure_file(path: str) -> Iterator[HeldFailure]:
    """The binary handle a figure is saved to: written under a temporary name beside ``path`` and renamed
    into place when the block ends without an error (:class:`~secannot.io.writers.output_file.OutputFile`),
    so a failed write leaves ``path`` as it was (or absent).

    Errors: OutputError (exit 4) naming ``path``, also when matplotlib failed on its own after the write
    failure (see :class:`HeldFailure`).
    """
    with OutputFile(path, binary=True) as out:
        fh = HeldFailure(out)
        try:
            yield fh
        except Exception:
            if fh.error is not None:
                raise fh.error from None
            raise
        if fh.error is not None:
            raise fh.error


class HeldFailure:
    """A guarded handle whose first write failure is kept in ``error`` (later writes are dropped) rather
    than raised into matplotlib.

    matplotlib's PDF backend finishes its compressed page stream in a ``finally`` (and ``PdfPages``
    in ``__exit__``) after a failed write; zlib then fails with "inconsistent stream state" in place of
    the write error, a traceback and exit 1.  The caller raises ``error`` once matplotlib returns.
    """

    def __init__(self, stream: BinaryIO):
        self._stream = stream
        self.error: OutputError | OutputClosed | None = None

    def write(self, data: bytes) -> int:
        if self.error is None:
            try:
                return self._stream.write(data)
            except (OutputError, OutputClosed) as exc:
                self.error = exc
        return len(data)

    def flush(self) -> None:
        if self.error is None:
            try:
                self._stream.flush()
            except (OutputError, OutputClosed) as exc:
                self.error = exc

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._stream, attr)


def png_bytes(fig: Figure, dpi: int = 150) -> bytes:
    """A figure as PNG bytes, e.g. for a ``data:`` URI in the HTML report."""
    buffer = io.BytesIO()
    save(fig, buffer, "png", dpi=dpi)
    return buffer.getvalue()

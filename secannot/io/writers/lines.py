"""What the line formats (TSV, JSON Lines, GFF3) share: a rendered row is whole lines of text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO


class LineWriter:
    """``write_rendered`` / ``write_rendered_many`` for a writer whose rendered rows are whole lines on ``out``."""

    out: TextIO

    def write_rendered(self, text: str) -> None:
        self.out.write(text)

    def write_rendered_many(self, rows: Sequence[str]) -> None:
        """One write for a chunk's rows: the -j parent writes every row, and a call per row was much of its work."""
        self.out.write("".join(rows))

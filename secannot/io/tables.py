"""Delimited tables (TSV, CSV, semicolon-separated) as users export them from spreadsheets.

Used by ``annotate --tsv`` and ``check --id-column``: one place decides the
delimiter and how bytes become lines, so both read a table the same way.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO


def detect_separator(header: str, sep: str | None) -> str:
    """The delimiter named by ``sep`` (``tab``, ``comma``, ``semicolon`` or the character), else the commonest of tab, comma and semicolon in the header line (tab when none)."""
    if sep:
        return {"\\t": "\t", "tab": "\t", "comma": ",", "semicolon": ";"}.get(sep, sep)
    counts = {c: header.count(c) for c in ("\t", ",", ";")}
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] else "\t"


#: Spreadsheet programs (Excel's "CSV UTF-8") start exported files with a byte-order mark.
BOM = "\ufeff"


def lossless(text: str) -> str:
    """``text`` decoded with ``surrogateescape``, its non-UTF-8 bytes read as Windows-1252 (else Latin-1).

    Spreadsheet and legacy exports are often Windows-1252 or Latin-1; reading
    such bytes as U+FFFD would make two different ids one (``prot_\\xe9`` and
    ``prot_\\xe8``).  Every byte keeps its own character instead.
    """
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape")
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")
    return text


def text_lines(fh: BinaryIO) -> Iterator[str]:
    """The lines of a table: UTF-8 without a leading byte-order mark (``utf-8-sig``), other bytes lossless."""
    wrapper = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        for line in wrapper:
            yield lossless(line)
    finally:
        detach(wrapper)


def detach(wrapper: io.TextIOWrapper) -> None:
    """Let go of the binary stream under ``wrapper`` without closing it: the caller owns it (stdin stays open).

    When the caller has already closed it (a generator finished late), there is nothing left to do.
    """
    with contextlib.suppress(ValueError):
        wrapper.detach()


def decode_text(data: bytes) -> str:
    """A whole text file as read from bytes: UTF-8 without a leading byte-order mark, other bytes lossless."""
    return lossless(data.decode("utf-8-sig", "surrogateescape"))


def read_header(lines: Iterator[str], sep: str | None) -> tuple[str, list[str]] | None:
    """The delimiter and the header's cells, from the first of ``lines`` (consumed); None for an empty table.

    ``sep`` is the user's ``--sep`` (see :func:`detect_separator`).  The header is one line: the data
    rows that follow are numbered from line 2 (see :func:`table_rows`).
    """
    first = next(lines, None)
    if first is None or not first.strip():
        return None
    delimiter = detect_separator(first, sep)
    return delimiter, next(csv.reader([first], delimiter=delimiter))


@dataclass(frozen=True, slots=True)
class TableRow:
    """One data row of a table, named by the file line it starts on (a quoted cell may span lines).

    ``shape`` is None when the row has as many fields as the header; else, e.g.,
    ``"2 fields, the header has 3"``.  Such a ragged row is never read by column: a cell missing or
    added anywhere before the id column moves another column's value into it, so the id it would
    give is a guess, possibly of another protein.
    """

    line: int
    cells: list[str]
    shape: str | None = None

    def cell(self, index: int) -> str:
        """The cell at ``index``, stripped; ``""`` when the row is too short to have one."""
        return self.cells[index].strip() if index < len(self.cells) else ""

    def ragged_reason(self, action: str) -> str | None:
        """Why the row is left alone, for messages: ``"2 fields, the header has 3: a ragged row is not <action> (...)"``."""
        if self.shape is None or not self.cells:
            return self.shape
        return f"{self.shape}: a ragged row is not {action} (which cell holds the id would be a guess)"


def field_count_problem(count: int, width: int) -> str | None:
    """None when a row of ``count`` fields fits a header of ``width``; else what is wrong, with both counts."""
    if count == width:
        return None
    return f"{count} field{'' if count == 1 else 's'}, the header has {width}"


def table_rows(lines: Iterable[str], sep: str, width: int, first_line: int = 2) -> Iterator[TableRow]:
    """The rows of ``lines`` (the text after the header, line ends kept), each with the file line it starts on.

    Rows are counted in lines, not records: a quoted cell holding line breaks makes its row span several
    lines, and the next row is named by the line it really starts on, as an editor shows it.  An empty
    line is no row at all (a trailing blank line is common and holds no record); it is skipped, but still
    counted, so later rows keep their file line.
    """
    reader = csv.reader(lines, delimiter=sep)
    end = first_line - 1  # the file line the previous row ended on
    for cells in reader:
        line, end = end + 1, reader.line_num + first_line - 1
        if not cells:
            continue
        yield TableRow(line, cells, field_count_problem(len(cells), width))

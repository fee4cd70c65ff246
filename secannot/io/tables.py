"""Delimited tables (TSV, CSV, semicolon-separated) as users export them from spreadsheets.

Used by ``annotate --tsv``, ``check --id-column`` and the reader of secannot's own
outputs (:mod:`secannot.io.annotated`): one place decides the delimiter and how
bytes become lines, so all read a table the same way.
"""

from __future__ import annotations

import collections
import contextlib
import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from secannot.errors import InputError


def detect_separator(header: str, sep: str | None) -> str:
    """The delimiter named by ``sep`` (``tab``, ``comma``, ``semicolon`` or the character), else the commonest of tab, comma and semicolon in the header line (tab when none)."""
    if sep:
        return {"\\t": "\t", "tab": "\t", "comma": ",", "semicolon": ";"}.get(sep, sep)
    counts = {c: header.count(c) for c in ("\t", ",", ";")}
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] else "\t"


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
    for line in raw_lines(fh):
        yield lossless(line)


def raw_lines(fh: BinaryIO) -> Iterator[str]:
    """The lines of a table or id list as read: UTF-8 without a leading byte-order mark, line ends kept, and
    each byte that is not UTF-8 kept as a ``surrogateescape`` character.

    Ids are read from these lines so that such a byte is shown as the byte it is (``P0\\xe96``, by
    :func:`secannot.io.diagnostics.escape_id`), as in FASTA ids: read as Windows-1252 it would show as a
    letter (``P0é6``) that is not in the file.  Cells written back out go through :func:`lossless`.
    """
    wrapper = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        yield from wrapper
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


def column_index(header: list[str], column: str, name: str) -> int:
    """Where ``column`` is in ``header``; InputError (exit 4) when it is absent or named twice.

    Header cells and ``column`` (a command-line argument, whose non-UTF-8 bytes Python keeps as
    ``surrogateescape`` characters too) are compared as :func:`lossless` reads them.

    Two columns of one name (a spreadsheet join, a pasted block) leave no way to tell which holds
    the ids: taking the first would be a guess, so the table is refused with the column named.
    """
    header, column = [lossless(h) for h in header], lossless(column)  # raw or not, one reading for both
    count = header.count(column)
    if count == 0:
        raise InputError(f"{name}: no column {column!r}; columns are: {', '.join(header)}")
    if count > 1:
        where = ", ".join(str(i + 1) for i, h in enumerate(header) if h == column)
        raise InputError(f"{name}: {count} columns are named {column!r} (columns {where}); "
                         f"rename all but one so the column to read is unambiguous")
    return header.index(column)


@dataclass(frozen=True, slots=True)
class TableRow:
    """One data row of a table, named by the file line it starts on (a quoted cell may span lines).

    ``shape`` is None when the row has as many fields as the header; else, e.g.,
    ``"2 fields, the header has 3"``.  Such a ragged row is never read by column: a cell missing or
    added anywhere before the id column moves another column's value into it, so the id it would
    give is a guess, possibly of another protein.  ``problem`` is set when the row cannot be read as
    a row at all (a quote that never closes, see :func:`table_rows`); it wins over ``shape``.
    """

    line: int
    cells: list[str]
    shape: str | None = None
    problem: str | None = None

    def cell(self, index: int) -> str:
        """The cell at ``index``, stripped; ``""`` when the row is too short to have one."""
        return self.cells[index].strip() if index < len(self.cells) else ""

    def ragged_reason(self, action: str) -> str | None:
        """Why the row is left alone, for messages: ``"2 fields, the header has 3: a ragged row is not <action> (...)"``."""
        if self.problem is not None:
            after = "; the lines after it are read with quotes as plain text" if self.problem == UNTERMINATED else ""
            return f"{self.problem}: the row is not {action}{after}"
        if self.shape is None or not self.cells:
            return self.shape
        return f"{self.shape}: a ragged row is not {action} (which cell holds the id would be a guess)"


def field_count_problem(count: int, width: int) -> str | None:
    """None when a row of ``count`` fields fits a header of ``width``; else what is wrong, with both counts."""
    if count == width:
        return None
    return f"{count} field{'' if count == 1 else 's'}, the header has {width}"


UNTERMINATED = "unterminated quote (a cell opened with \" never closes)"


def malformed_quote(line: int) -> str:
    """Why a row whose quoted cell closes with text after the closing quote is rejected (the quote closes on ``line``)."""
    return (f"malformed quote (text follows the \" that closes a quoted cell, on line {line}; "
            f"a quote inside a cell is written \"\")")


class _Lines:
    """An iterator of lines that takes lines back (:meth:`push`), so the reading after a malformed row
    resumes on the same object: no recursion and no chain of iterators grows with the bad rows."""

    def __init__(self, lines: Iterable[str]):
        self._lines = iter(lines)
        self._back: collections.deque[str] = collections.deque()

    def push(self, lines: list[str]) -> None:
        self._back.extendleft(reversed(lines))

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        return self._back.popleft() if self._back else next(self._lines)


class _Feed:
    """The lines handed to :mod:`csv`, kept from the start of the current row, and whether they ran out.

    A row the csv reader returns after its input ran out was ended by the end of the file, not by a
    line end: that only happens inside a quoted cell, i.e. a quote that never closes.
    """

    def __init__(self, lines: _Lines):
        self._lines = lines
        self.pending: list[str] = []
        self.exhausted = False

    def __iter__(self) -> Iterator[str]:
        for line in self._lines:
            self.pending.append(line)
            yield line
        self.exhausted = True


def _is_blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


def table_rows(lines: Iterable[str], sep: str, width: int, first_line: int = 2, *, quoted: bool = True
               ) -> Iterator[TableRow]:
    """The rows of ``lines`` (the text after the header, line ends kept), each with the file line it starts on.

    ``quoted=False`` reads a table written without quoting (secannot's own TSV, whose cells hold no tab or
    line break but may start with ``"``): one row per line, split on ``sep``, blank lines skipped and
    ragged rows marked as below.

    Rows are counted in lines, not records: a quoted cell holding line breaks makes its row span several
    lines, and the next row is named by the line it really starts on, as an editor shows it.  A blank
    line (empty, or only spaces and delimiters) is no row at all (a trailing blank line is common and
    holds no record); it is skipped, but still counted, so later rows keep their file line.

    A quote that never closes would make Python's csv reader put every later line into one cell, so
    that the rows after it vanish silently (or, past :func:`csv.field_size_limit`, stop the run).
    Instead the row where it opens is yielded with ``problem`` set (its cells split on the delimiter,
    quotes kept as text), and every later line is read with quoting off, one row per line: no row is
    lost, and the caller rejects the broken one (exit 3).  A single unquoted cell over the csv field
    limit rejects its line only.

    A quoted cell followed by text after its closing quote (``"oops`` on one line, ``x"y`` lines later)
    is malformed CSV: the non-strict reader would join the quote's opening line, every line in between
    (delimiters and line breaks included) and the text after it into one cell, so rows vanish silently.
    The reader is strict: the row where the quote opens is rejected (split on the delimiter, quotes kept
    as text) and the lines after it are read again as rows of their own, quotes working as usual.
    """
    if not quoted:
        yield from _unquoted_rows(lines, sep, width, first_line, None)
        return
    source = _Lines(lines)
    start: int | None = first_line
    while start is not None:  # one pass per stretch between malformed rows
        start = yield from _rows_until_malformed(source, sep, width, start)


def _rows_until_malformed(source: _Lines, sep: str, width: int, first_line: int):
    """Rows of :func:`table_rows` from ``source`` up to and including a malformed row; returns the file line
    to resume on (the lines after the malformed row pushed back onto ``source``), or None at the end."""
    feed = _Feed(source)
    reader = csv.reader(feed, delimiter=sep, strict=True)
    end = first_line - 1  # the file line the previous row ended on
    try:
        for cells in reader:
            line, end = end + 1, reader.line_num + first_line - 1
            consumed, feed.pending = feed.pending, []
            if feed.exhausted and consumed:  # ended by the end of the file: a quote that never closes
                yield from _unquoted_rows(consumed, sep, width, line, UNTERMINATED)
                return None
            if _is_blank(cells):
                continue
            yield TableRow(line, cells, field_count_problem(len(cells), width))
    except csv.Error as exc:  # a malformed quote; a cell over the field limit: a quote running on, or one huge line
        consumed = feed.pending
        if "expected after" in str(exc) and consumed:  # text after a closing quote (strict mode)
            yield from _unquoted_rows(consumed[:1], sep, width, end + 1, malformed_quote(end + len(consumed)))
            source.push(consumed[1:])
            return end + 2
        if len(consumed) == 1 and '"' not in consumed[0]:
            yield from _unquoted_rows(consumed, sep, width, end + 1, f"a cell over the csv field limit ({exc})")
            return end + 2
        yield from _unquoted_rows(itertools.chain(consumed, source), sep, width, end + 1, UNTERMINATED)
    return None


def _unquoted_rows(lines: Iterable[str], sep: str, width: int, first: int, problem: str | None
                   ) -> Iterator[TableRow]:
    """``lines`` as rows with quoting off (a plain split on ``sep``), one per line; the first is rejected
    with ``problem`` when one is given."""
    for number, line in enumerate(lines, start=first):
        cells = line.rstrip("\r\n").split(sep)
        if number == first and problem is not None:
            yield TableRow(number, cells, field_count_problem(len(cells), width), problem=problem)
        elif not _is_blank(cells):
            yield TableRow(number, cells, field_count_problem(len(cells), width))

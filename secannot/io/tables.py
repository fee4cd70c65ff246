"""Delimited tables (TSV, CSV, semicolon-separated) as users export them from spreadsheets.

Used by ``annotate --tsv`` and ``check --id-column``: one place decides the
delimiter and how bytes become lines, so both read a table the same way.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
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


def text_lines(fh: BinaryIO) -> Iterator[str]:
    """The lines of a UTF-8 table, with a leading byte-order mark removed (``utf-8-sig``)."""
    yield from io.TextIOWrapper(fh, encoding="utf-8-sig", errors="replace", newline="")


def decode_text(data: bytes) -> str:
    """A whole text file as read from bytes: UTF-8, without a leading byte-order mark."""
    return data.decode("utf-8-sig", "replace")

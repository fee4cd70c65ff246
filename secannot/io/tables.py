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


def text_lines(fh: BinaryIO) -> Iterator[str]:
    yield from io.TextIOWrapper(fh, encoding="utf-8", errors="replace", newline="")

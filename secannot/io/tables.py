"""Delimited tables (TSV, CSV, semicolon-separated) as users export them from spreadsheets.

Used by ``annotate --tsv`` and ``check --id-column``: one place decides the
delimiter and how bytes become lines, so both read a table the same way.
"""

from __future__ import annotations

import contextlib
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

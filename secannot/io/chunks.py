"""FASTA input cut into chunks at record boundaries, for parallel and distributed reading.

A chunk is either a byte range of a plain file, which the worker that gets
it opens and reads itself (only offsets travel between processes or through
a Dask scheduler), or, for stdin and compressed input that cannot be seeked,
the raw bytes of whole records read by the parent.  Either way each chunk is
parsed with the ordinary reader (:func:`secannot.io.fasta.parse_fasta`) and
every chunk but the first starts with ``>``.  Chunk sizes are in bytes, which
track residues, so memory per chunk is bounded whatever the protein lengths.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from secannot.io.fasta import COMPRESSION_MAGIC, read_blocks

#: Default chunk size in bytes (about a million residues).
CHUNK_BYTES = 1 << 20
_SCAN = 1 << 16


@dataclass(frozen=True, slots=True)
class ByteRange:
    """Bytes ``start``..``end`` (end exclusive) of the plain FASTA file ``path``."""

    path: str
    start: int
    end: int

    def read(self) -> bytes:
        with open(self.path, "rb") as fh:
            fh.seek(self.start)
            return fh.read(self.end - self.start)


def is_plain_file(path: str) -> bool:
    """True for a regular, uncompressed file that can be split into byte ranges."""
    if path == "-" or not os.path.isfile(path):
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return False
    return not head.startswith(COMPRESSION_MAGIC)


def _next_record(fh: BinaryIO, pos: int, size: int) -> int:
    """Offset of the first line starting with '>' at or after ``pos`` (``size`` if none)."""
    fh.seek(max(pos - 1, 0))
    carry = fh.read(1) if pos > 0 else b"\n"
    offset = pos
    while offset < size:
        block = fh.read(_SCAN)
        if not block:
            break
        hit = (carry + block).find(b"\n>")
        if hit >= 0:
            return offset + hit  # index in carry+block is offset of the '>' minus one, plus one
        carry = block[-1:]
        offset += len(block)
    return size


def plan_ranges(path: str, chunk_bytes: int = CHUNK_BYTES) -> list[ByteRange]:
    """Cut ``path`` into ranges of about ``chunk_bytes``, each starting at a record ('>' line).

    Only a few small reads near each cut are made: the parent never reads the
    file.  The ranges cover the file exactly, in order; an empty file gives
    one empty range so that the reader can report it.
    Raises OSError if the file cannot be opened (callers check first).
    """
    size = os.path.getsize(path)
    cuts = [0]
    with open(path, "rb") as fh:
        target = chunk_bytes
        while target < size:
            cut = _next_record(fh, target, size)
            if cut >= size:
                break
            if cut > cuts[-1]:
                cuts.append(cut)
            target = max(cut, target) + chunk_bytes
    cuts.append(size)
    return [ByteRange(path, a, b) for a, b in zip(cuts, cuts[1:], strict=False)]


def split_stream(fh: BinaryIO, source: str, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Raw bytes of whole records from a stream (stdin, decompressed input), about ``chunk_bytes`` each.

    Raises InputError (through the reader's block reader) on corrupt compressed data.
    """
    pending = b""
    for block in read_blocks(fh, source):
        pending += block
        if len(pending) < chunk_bytes:
            continue
        cut = pending.rfind(b"\n>")
        if cut < 0:
            continue
        yield pending[: cut + 1]
        pending = pending[cut + 1 :]
    yield pending


def as_handle(data: bytes) -> BinaryIO:
    """A binary handle over chunk bytes, for the reader."""
    return io.BytesIO(data)

"""Streaming FASTA input: files, stdin, gzip/bzip2/xz, CRLF, lowercase.

This reader replaces Biopython's parser on the hot path for two reasons:
importing ``Bio.SeqIO`` alone costs ~0.3 s of start-up, and secannot needs
per-record validation (alphabet, empty records, line numbers for messages)
that would otherwise be a second pass.  It works on bytes in 1 MiB blocks, so
memory stays flat however large the input; the test-suite checks that it
yields the same records as ``Bio.SeqIO.FastaIO.SimpleFastaParser``.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

from secannot.errors import ExitCode, InputError
from secannot.io.diagnostics import Diagnostics, Rejection
from secannot.results import Record  # noqa: F401 - the reader's record type, re-exported

CHUNK_SIZE = 1 << 20
STDIN_NAME = "<stdin>"

#: Every residue letter accepted: the 20 standard amino acids plus the
#: ambiguity codes and rare amino acids found in real proteomes.
RESIDUES = b"ACDEFGHIKLMNPQRSTVWYXBZJUO"
_WHITESPACE = b" \t\r\n\v\f"
_BOM = b"\xef\xbb\xbf"
_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
)
# Control bytes that never occur in a text file (tab, LF, VT, FF, CR do).
_BINARY_BYTES = bytes(range(0, 9)) + bytes(range(14, 32))


def _decompressor(kind: str, fh: BinaryIO) -> BinaryIO:
    if kind == "gzip":
        return gzip.GzipFile(fileobj=fh, mode="rb")  # type: ignore[return-value]
    if kind == "bzip2":
        return bz2.BZ2File(fh, mode="rb")  # type: ignore[return-value]
    return lzma.LZMAFile(fh, mode="rb")  # type: ignore[return-value]


@contextmanager
def open_input(path: str, stdin: BinaryIO | None = None) -> Iterator[tuple[BinaryIO, str]]:
    """Open ``path`` (``-`` for stdin) for binary reading, decompressing by magic bytes.

    Compression is detected from content, not the file name, because pipes
    and mis-named downloads are common.
    """
    if path == "-":
        if stdin is None:
            raise InputError(f"{STDIN_NAME}: no standard input available")
        raw: BinaryIO = stdin
        name = STDIN_NAME
        owned = False
    else:
        name = path
        try:
            raw = open(path, "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            raise InputError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise InputError(f"{path}: is a directory, not a file") from None
        except PermissionError:
            raise InputError(f"{path}: permission denied") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot open ({exc.strerror})") from None
        owned = True
    try:
        buffered = raw if hasattr(raw, "peek") else io.BufferedReader(raw)  # type: ignore[arg-type]
        head = buffered.peek(8)[:8]  # type: ignore[attr-defined]
        fh: BinaryIO = buffered  # type: ignore[assignment]
        for magic, kind in _MAGIC:
            if head.startswith(magic):
                fh = _decompressor(kind, buffered)  # type: ignore[arg-type]
                break
        yield fh, name
    finally:
        if owned:
            raw.close()


def _reading(fh: BinaryIO, source: str) -> Iterator[bytes]:
    """Yield blocks, turning decompression failures into one clear InputError."""
    while True:
        try:
            block = fh.read(CHUNK_SIZE)
        except (OSError, EOFError, zlib.error, lzma.LZMAError) as exc:
            raise InputError(f"{source}: corrupt or truncated compressed data ({exc})") from None
        if not block:
            return
        yield block


def _describe_invalid(seq: bytes, invalid: bytes) -> str:
    bad = set(invalid)
    pos = next(i for i, b in enumerate(seq) if b in bad)
    shown = ", ".join(repr(chr(b)) for b in sorted(bad)[:5])
    return (
        f"invalid character(s) {shown} (first at residue {pos + 1}); "
        "allowed: amino-acid letters incl. X B Z J U O, and a terminal '*'"
    )


def _parse_record(chunk: bytes, source: str, line: int, index: int) -> Record | Rejection:
    newline = chunk.find(b"\n")
    if newline < 0:
        header, body = chunk[1:], b""
    else:
        header, body = chunk[1:newline], chunk[newline + 1 :]
    header_text = header.strip().decode("utf-8", "replace")
    if not header_text:
        return Rejection(source, line, f"record #{index}", "header is empty (a line with only '>')")
    rid = header_text.split(None, 1)[0]
    seq = body.translate(None, _WHITESPACE).upper()
    if seq.endswith(b"*"):
        seq = seq[:-1]
    if not seq:
        return Rejection(source, line, rid, "record has no sequence")
    invalid = seq.translate(None, RESIDUES)
    if invalid:
        return Rejection(source, line, rid, _describe_invalid(seq, invalid))
    return Record(rid, header_text, seq, source, line)


def parse_fasta(fh: BinaryIO, source: str) -> Iterator[Record | Rejection]:
    """Yield a Record or a Rejection for every FASTA record in ``fh``.

    Raises InputError when the stream as a whole is not FASTA (empty, binary,
    text without a header), because then there is no record to name.
    """
    blocks = _reading(fh, source)
    pending = b""
    line_offset = 1
    for block in blocks:
        pending += block
        if pending.startswith(_BOM):
            pending = pending[3:]
        stripped = pending.lstrip()
        if stripped or len(pending) > CHUNK_SIZE:
            break
    else:
        raise InputError(f"{source}: empty input, no FASTA records")
    probe = pending[:4096]
    if probe.translate(None, _BINARY_BYTES) != probe:
        raise InputError(f"{source}: not FASTA (binary data)")
    if not stripped.startswith(b">"):
        bad_line = pending[: len(pending) - len(stripped)].count(b"\n") + 1
        raise InputError(f"{source}: not FASTA (line {bad_line} does not start with '>')")
    line_offset += pending[: len(pending) - len(stripped)].count(b"\n")
    pending = stripped
    index = 0
    while True:
        start = 0
        while True:
            end = pending.find(b"\n>", start)
            if end < 0:
                break
            chunk = pending[start:end]
            index += 1
            yield _parse_record(chunk, source, line_offset, index)
            line_offset += chunk.count(b"\n") + 1
            start = end + 1
        pending = pending[start:]
        block = next(blocks, None)
        if block is None:
            break
        pending += block
    if pending.strip():
        index += 1
        yield _parse_record(pending, source, line_offset, index)


def accept(items: Iterable[Record | Rejection], diag: Diagnostics, seen: dict[str, str]) -> Iterator[Record]:
    """Records that are not rejections or duplicate ids; the rest goes to ``diag``.

    A duplicate id is rejected (the first occurrence wins) because output rows
    are keyed by id downstream and two rows with one id cannot be joined.
    ``seen`` maps ids to where they were first seen, shared across inputs.
    """
    for item in items:
        if isinstance(item, Rejection):
            diag.reject(item.source, item.line, item.record, item.reason)
            continue
        first = seen.get(item.id)
        if first is not None:
            diag.reject(item.source, item.line, item.id, f"duplicate id (first seen at {first})")
            continue
        seen[item.id] = f"{item.source}:{item.line}"
        yield item


def iter_records(
    inputs: Iterable[str], diag: Diagnostics, stdin: BinaryIO | None = None
) -> Iterator[Record]:
    """Accepted records of all FASTA inputs, in order; everything else goes to ``diag``."""
    seen: dict[str, str] = {}
    for path in inputs:
        try:
            with open_input(path, stdin) as (fh, name):
                yield from accept(parse_fasta(fh, name), diag, seen)
        except InputError as exc:
            diag.error(str(exc), ExitCode.INPUT)

"""Streaming FASTA input: files, stdin, gzip/bzip2/xz, LF/CRLF/CR line ends, lowercase.

Records are split by Biopython's ``SimpleFastaParser`` (the design card's
library for FASTA) over a text stream with universal newlines.  secannot keeps
its own layer around it for what the parser does not do: decompression by
magic bytes, telling a file that is not FASTA at all from a bad record, the
residue alphabet, header encoding and control characters, line numbers, and
the accounting of every record as a Record or a Rejection.  The input is read
line by line, so memory stays flat however large it is.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import re
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

from secannot.errors import InputError
from secannot.io.diagnostics import (
    UNDECODABLE,
    Diagnostics,
    Rejection,
    escape_id,
    escape_text,
    has_control,
    is_control,
)
from secannot.io.headers import parse_identity, split_accession
from secannot.io.progress import isatty
from secannot.io.seen_ids import SeenIds
from secannot.io.tables import detach
from secannot.results import Record  # noqa: F401 - the reader's record type, re-exported

STDIN_NAME = "<stdin>"

#: Every residue letter accepted: the 20 standard amino acids plus the
#: ambiguity codes and rare amino acids found in real proteomes.
RESIDUES = b"ACDEFGHIKLMNPQRSTVWYXBZJUO"
_WHITESPACE = b" \t\r\n\v\f"
_UPPER = bytes.maketrans(b"abcdefghijklmnopqrstuvwxyz", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
)
_DECOMPRESSION_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError)
#: Leading bytes of the compressed formats the reader opens (also used to tell plain files, which split into byte ranges).
COMPRESSION_MAGIC = tuple(magic for magic, _ in _MAGIC)


def read_blocks(fh: BinaryIO, source: str, size: int = 1 << 20) -> Iterator[bytes]:
    """Raw blocks of ``size`` bytes from ``fh``; corrupt compressed data becomes one InputError naming ``source``.

    On a terminal each block is what one read returns (``read1``): a buffered ``read(size)`` would wait for
    a second Ctrl-D after the first one ended a partial block, as a terminal's end-of-file is not sticky.
    """
    read = fh.read1 if isatty(fh) and hasattr(fh, "read1") else fh.read  # type: ignore[attr-defined]
    while True:
        try:
            block = read(size)
        except _DECOMPRESSION_ERRORS as exc:
            raise InputError(f"{source}: corrupt or truncated compressed data ({exc})") from None
        if not block:
            return
        yield block


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


_PREAMBLE_LIMIT = 1 << 16  # characters read per line while looking for the first header
#: Lines before the first record that start with these are comments (';' as in Pearson's original FASTA
#: format, '#' as tools write provenance lines), skipped as Biopython's parser skips anything there.
COMMENT = (";", "#")


class _Lines:
    """The text lines of one input, numbered, for Biopython's parser.

    Owns what the parser does not do: decompression errors become one
    InputError, the first header is looked for within bounded reads (so a
    binary file is never read as one giant line), and the line number of every
    header is remembered so that messages can name it.
    """

    def __init__(self, text: io.TextIOWrapper, source: str):
        self.text = text
        self.source = source
        self.header_lines: deque[int] = deque()

    def _corrupt(self, exc: Exception) -> InputError:
        return InputError(f"{self.source}: corrupt or truncated compressed data ({exc})")

    def first_header(self) -> tuple[str, int]:
        """The first header line and its number; raises InputError if the stream is not FASTA."""
        number = 0
        while True:
            try:
                line = self.text.readline(_PREAMBLE_LIMIT)
            except _DECOMPRESSION_ERRORS as exc:
                raise self._corrupt(exc) from None
            if not line:
                raise InputError(f"{self.source}: empty input, no FASTA records")
            number += 1
            if number == 1:
                line = line.removeprefix("\ufeff")
            stripped = line.lstrip()
            if stripped.startswith((">", *COMMENT)) and not line.endswith("\n"):
                # a header or comment longer than the bounded read: the rest of its line, not a line of its own
                try:
                    rest = self.text.readline()
                except _DECOMPRESSION_ERRORS as exc:
                    raise self._corrupt(exc) from None
                line, stripped = line + rest, stripped + rest
            if not stripped or stripped.startswith(COMMENT):  # blank, or a comment line before the first record
                continue
            if stripped.startswith(">"):
                return stripped, number
            try:
                probe = (line + self.text.read(4096))[:4096]
            except _DECOMPRESSION_ERRORS as exc:
                raise self._corrupt(exc) from None
            if any(is_control(ch) and ch not in "\n\v\f" for ch in probe):
                raise InputError(f"{self.source}: not FASTA (binary data)")
            hint = ""
            if parse_identity(stripped.split()[0], "").accession is not None:  # P05067, or sp|P05067|A4_HUMAN
                hint = "; it looks like a list of UniProt accessions: give it with --uniprot-list"
            raise InputError(f"{self.source}: not FASTA (line {number} does not start with '>'){hint}")

    def __iter__(self) -> Iterator[str]:
        first, first_number = self.first_header()
        self.header_lines.append(first_number)
        yield first
        headers = self.header_lines
        try:
            for number, line in enumerate(self.text, first_number + 1):
                if line[0] == ">":
                    headers.append(number)
                yield line
        except _DECOMPRESSION_ERRORS as exc:
            raise self._corrupt(exc) from None


def _describe_invalid(seq: bytes, invalid: bytes) -> str:
    bad = set(invalid)
    pos = next(i for i, b in enumerate(seq) if b in bad)
    shown = ", ".join(repr(chr(b)) if 32 <= b < 127 else f"byte 0x{b:02x}" for b in sorted(bad)[:5])
    return (
        f"invalid character(s) {shown} (first at residue {pos + 1}); "
        "allowed: amino-acid letters incl. X B Z J U O, and '*' (stop) only at the end"
    )


def check_sequence(text: str) -> tuple[bytes, str | None]:
    """The residues of ``text`` as upper-case ASCII bytes, and the problem with them, if any.

    Whitespace is dropped and a run of terminal stops (``*``, ``**``) is
    removed, as translated ORFs carry them; anything else outside
    :data:`RESIDUES` is a problem, named with its first position.
    """
    # one pass upper-cases and drops whitespace (the hot path of proteome reading)
    seq = text.encode("utf-8", "surrogateescape").translate(_UPPER, _WHITESPACE).rstrip(b"*")
    if not seq:
        return seq, "record has no sequence"
    invalid = seq.translate(None, RESIDUES)
    if invalid:
        return seq, _describe_invalid(seq, invalid)
    return seq, None


def make_record(title: str, body: str, source: str, line: int, index: int) -> Record | Rejection:
    header_text = title.strip()  # bytes that are not UTF-8 are 'surrogateescape' characters here
    if not header_text:
        return Rejection(source, line, f"record #{index}", "header is empty (a line with only '>')")
    rid = header_text.split(None, 1)[0]
    if not header_text.isprintable():  # a fast C pre-check: most headers are printable
        if has_control(header_text):
            return Rejection(source, line, escape_id(rid),
                             "header contains control characters (shown escaped); fix or remove them")
        if UNDECODABLE.search(header_text):
            bad = _NOT_CP1252.search(header_text)
            if bad is not None:
                return Rejection(source, line, escape_id(rid),
                                 f"header contains byte {escape_id(bad.group())}, which is neither UTF-8 nor "
                                 "Windows-1252 text; fix or remove it")
            rid, header_text = _legacy_header(header_text)
    seq, problem = check_sequence(body)
    if problem:
        if not seq and split_accession(rid) is not None:  # '>P05067' lines: a list of accessions written as FASTA
            problem += "; for a list of UniProt accessions use --uniprot-list"
        return Rejection(source, line, rid, problem)
    return Record(rid, header_text, seq, source, line)


def _encoding(fh: BinaryIO) -> str:
    """UTF-16 when the stream starts with its byte-order mark (PowerShell's '>' writes it), else UTF-8."""
    peek = getattr(fh, "peek", None)
    try:
        if peek is not None:
            head = peek(2)[:2]
        elif fh.seekable():  # an in-memory chunk (-j, Dask): look and step back
            where = fh.tell()
            head = fh.read(2)
            fh.seek(where)
        else:
            head = b""
    except _DECOMPRESSION_ERRORS:
        return "utf-8"  # the first read fails again, and is reported as corrupt data
    return "utf-16" if head in (b"\xff\xfe", b"\xfe\xff") else "utf-8"


#: The five bytes that Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D), kept as 'surrogateescape'
#: characters (a byte that is not UTF-8 at all is io.diagnostics.UNDECODABLE).
_NOT_CP1252 = re.compile("[\udc81\udc8d\udc8f\udc90\udc9d]")


def _legacy_header(header: str) -> tuple[str, str]:
    """The id and header of a header that is not all UTF-8: each other byte read as Windows-1252, except in
    the id, where it is shown as ``\\xNN``.

    Reading the id's bytes as Windows-1252 too would make ``prot\\xe9`` (Windows-1252) and
    ``prot\\xc3\\xa9`` (UTF-8 for the same letter) one id; as escapes they stay two, and the id shows
    which byte the file holds.  The id still ends where the Windows-1252 reading has a space (0xA0 is a
    no-break space), and the rest of the header (names, ``GN=`` tags) reads as the legacy text it most
    likely is.  Windows-1252 is single-byte, so the two readings align character for character.
    """
    text = UNDECODABLE.sub(lambda m: bytes([ord(m.group()) - 0xDC00]).decode("cp1252"), header)
    lead = len(text) - len(text.lstrip())  # e.g. a no-break space just after '>'
    text, header = text[lead:].rstrip(), header[lead:]
    end = len(text.split(None, 1)[0]) if text else 0
    rid = escape_text(header[:end])
    return rid, rid + text[end:]


def parse_fasta(fh: BinaryIO, source: str) -> Iterator[Record | Rejection]:
    """Yield a Record or a Rejection for every FASTA record in ``fh``.

    Records are split by Biopython's ``SimpleFastaParser`` over a text view
    with universal newlines (LF, CRLF and the lone CR of old Mac exports);
    secannot adds line numbers, validation and messages.  Raises InputError
    when the stream as a whole is not FASTA (empty, binary, text without a
    header), because then there is no record to name.
    """
    from Bio.SeqIO.FastaIO import SimpleFastaParser  # ~0.15 s to import: only when FASTA is read

    text = io.TextIOWrapper(fh, encoding=_encoding(fh), errors="surrogateescape", newline=None)  # type: ignore[arg-type]
    try:
        lines = _Lines(text, source)
        headers = lines.header_lines
        for index, (title, body) in enumerate(SimpleFastaParser(iter(lines)), start=1):
            yield make_record(title, body, source, headers.popleft(), index)
    finally:
        detach(text)  # the caller owns fh (stdin must stay open)


def mark_duplicates(items: Iterable[Record | Rejection], seen: SeenIds) -> Iterator[Record | Rejection]:
    """``items`` with each record whose id is already in ``seen`` turned into a Rejection (the first wins).

    A duplicate id is rejected because output rows are keyed by id downstream
    and two rows with one id cannot be joined.  ``seen`` (bounded memory, see
    :mod:`secannot.io.seen_ids`) may be shared across inputs; the reason names
    where the id was first seen (``duplicate id (first seen at FILE:LINE)``).
    """
    for item in items:
        if not isinstance(item, Rejection):
            first = seen.add(item.id, item.source, item.line)
            if first is not None:
                item = Rejection(item.source, item.line, item.id, f"duplicate id (first seen at {first})")
        yield item


def accept(items: Iterable[Record | Rejection], diag: Diagnostics, seen: SeenIds) -> Iterator[Record]:
    """Records that are not rejections or duplicate ids (:func:`mark_duplicates`); the rest goes to ``diag``."""
    for item in mark_duplicates(items, seen):
        if isinstance(item, Rejection):
            diag.reject(item.source, item.line, item.record, item.reason)
            continue
        yield item


def iter_records(
    inputs: Iterable[str], diag: Diagnostics, stdin: BinaryIO | None = None
) -> Iterator[Record]:
    """Accepted records of all FASTA inputs, in order; everything else goes to ``diag``."""
    seen = SeenIds()
    for path in inputs:
        try:
            with open_input(path, stdin) as (fh, name):
                yield from accept(parse_fasta(fh, name), diag, seen)
        except InputError as exc:
            diag.unreadable(STDIN_NAME if path == "-" else path, str(exc), exc.exit_code)

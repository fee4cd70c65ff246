"""Records in: FASTA files and handles read as the CLI reads them, and the user's Python values
(pairs, bare sequences, Biopython objects) checked as the CLI checks a FASTA record.

Both end as :class:`secannot.io.fasta.Record`, the type the pipeline predicts from; every error names
the record (``record 3 (x): ...`` or ``file:line: id: ...``) and what was expected.
"""

from __future__ import annotations

import io
import os
import re
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO, TextIO

from secannot.api.options import _check_flag
from secannot.errors import InputError
from secannot.io.diagnostics import Rejection, escape_id
from secannot.io.fasta import Record, make_record, mark_duplicates, open_input, parse_fasta
from secannot.io.seen_ids import SeenIds


class SkippedRecordsWarning(UserWarning):
    """read_fasta(skip_invalid=True) skipped records: asked for, but a silent drop is easy to miss in a notebook."""

    __module__ = "secannot.api"  # its public home, as the row classes: filters and reprs name it so


class _TextAsBytes(io.RawIOBase):
    """A text handle read as UTF-8 bytes, in blocks (no whole-file copy)."""

    def __init__(self, handle: TextIO):
        self._handle = handle
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while len(self._buffer) < len(target):
            text = self._handle.read(1 << 16)
            if not text:
                break
            self._buffer += text.encode("utf-8")
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


def _records(source: str | os.PathLike | BinaryIO | TextIO) -> Iterator[Record | Rejection]:
    if isinstance(source, (str, os.PathLike)):
        with open_input(os.fspath(source)) as (fh, name):
            yield from parse_fasta(fh, name)
        return
    if isinstance(source, io.TextIOBase) or isinstance(getattr(source, "read", lambda n: b"")(0), str):
        source = io.BufferedReader(_TextAsBytes(source))  # type: ignore[arg-type]
    name = str(getattr(source, "name", "<handle>"))
    with open_input("-", source) as (fh, _):  # type: ignore[arg-type]
        yield from parse_fasta(fh, name)


_SOURCE_KINDS = "a path (str or os.PathLike) or an open binary or text handle"


def _check_source(source: Any) -> None:
    """TypeError for a source that is neither a path nor a handle; InputError for FASTA text given as a path.

    Checked before reading, so the error names what read_fasta accepts instead of an
    AttributeError from deep in the reader or a "no such file" that quotes a whole sequence.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        raise TypeError(f"read_fasta takes {_SOURCE_KINDS}, not {type(source).__name__}; for FASTA data in "
                        "memory pass io.BytesIO(data)")
    if isinstance(source, str):
        looks_like_text = source.lstrip().startswith(">") or "\n" in source or "\r" in source
        if looks_like_text and not os.path.exists(source):
            shown = escape_id(source[:20]) + ("..." if len(source) > 20 else "")
            raise InputError(f"read_fasta takes {_SOURCE_KINDS}; this str is FASTA text, not a path "
                             f"('{shown}'): for text in memory pass io.StringIO(text)")
        return
    if isinstance(source, os.PathLike) or callable(getattr(source, "read", None)):
        return
    raise TypeError(f"read_fasta takes {_SOURCE_KINDS}, got {type(source).__name__}")


class FastaRecord(tuple):
    """An ``(id, sequence)`` pair that also carries its FASTA header as ``description``.

    A pair, so ``for rid, seq in read_fasta(path)`` works; the header rides along because the annotation
    reads it (``GN=VEGFA``, ``sp|P15692|VEGFA_HUMAN``, NCBI ``[gene=...]``): without it :func:`annotate`
    would find no gene for a protein whose id is not an accession, where the CLI finds one.
    """

    description: str  #: the whole header line without '>' (the id is its first word)

    def __new__(cls, rid: str, sequence: str, description: str) -> FastaRecord:
        self = super().__new__(cls, (rid, sequence))
        self.description = description
        return self

    def __getnewargs__(self) -> tuple[str, str, str]:  # pickling (Dask, multiprocessing) keeps the header
        return self[0], self[1], self.description

    @property
    def id(self) -> str:
        return self[0]

    @property
    def sequence(self) -> str:
        return self[1]


def read_fasta(source: str | os.PathLike | BinaryIO | TextIO, *, skip_invalid: bool = False
               ) -> Iterator[FastaRecord]:
    """Yield ``(id, sequence)`` for every record of a FASTA file or handle, in file order.

    ``source`` is a path (plain, gzip, bzip2 or xz, detected by content; ``-`` is stdin) or an open
    binary or text handle.  ``id`` is the first word of the header; ``sequence`` is upper case,
    without whitespace or a terminal ``*``.  Records are validated as the CLI does.  Each pair is a
    :class:`FastaRecord`, whose ``description`` is the whole header: :func:`predict` and :func:`annotate`
    read it as the CLI reads the header (gene, accession), so their rows equal the CLI's.

    Raises InputError when the input cannot be read or is not FASTA, and, unless ``skip_invalid``,
    on the first bad record (naming it, its line and the reason).  With ``skip_invalid`` bad records are
    skipped and, once the last record has been yielded, one :class:`SkippedRecordsWarning` says how many
    were skipped and names the first (``skipped 2 invalid records of bad.fa; the first: bad.fa:3: bad:
    invalid character(s) ...``): skipping was asked for, but a silent drop is easy to miss.  No warning
    when none was skipped, or when iteration stops early.  A repeated id is a bad record, as in the CLI
    and found by the same check (the first occurrence wins; the message names where the id was first
    seen: ``x.fa:9: P1: duplicate id (first seen at x.fa:1)``): ``skip_invalid`` skips it, else it
    raises InputError.  Remembering the ids costs a few dozen bytes each
    (:mod:`secannot.io.seen_ids`), so a file of any size can be streamed.

    Raises TypeError, at the call, for a source that is neither a path nor a handle (an int, None,
    bytes: wrap bytes in io.BytesIO) and for a ``skip_invalid`` that is not True or False (``"no"`` is
    truthy), and InputError for FASTA text passed as a path (a str starting with '>' or holding a line
    break that names no file: wrap it in io.StringIO).
    """
    _check_source(source)
    _check_flag("skip_invalid", skip_invalid)
    return _read_fasta(source, skip_invalid)


def _read_fasta(source: str | os.PathLike | BinaryIO | TextIO, skip_invalid: bool) -> Iterator[FastaRecord]:
    skipped, first = 0, None
    for item in mark_duplicates(_records(source), SeenIds()):
        if isinstance(item, Rejection):
            if not skip_invalid:
                raise InputError(str(item))
            skipped += 1
            first = first or item
            continue
        yield FastaRecord(item.id, item.sequence, item.description)
    if first is not None:
        noun = "record" if skipped == 1 else "records"
        warnings.warn(f"read_fasta skipped {skipped} invalid {noun} of {first.source}; the first: {first}",
                      SkippedRecordsWarning, stacklevel=2)


#: A str that reads as one protein sequence: amino-acid letters (any case; X B Z J U O included), '*' only at the end
_SEQUENCE = re.compile(r"\s*[A-Za-z]+\*?\s*")


def _bio_seq_types() -> tuple[type, ...]:
    """Biopython's Seq and MutableSeq, if Biopython is loaded: a Seq object exists only once it is, so no import."""
    bio = sys.modules.get("Bio.Seq")
    return tuple(t for t in (getattr(bio, "Seq", None), getattr(bio, "MutableSeq", None)) if isinstance(t, type))


def _as_records(records: Iterable[Any]) -> Iterator[Record]:
    """(id, sequence) pairs, bare sequences (named seq1, seq2, ...) or objects with .id and .seq.

    Raises TypeError, at the call, for something not iterable (None, a number), a lone str, bytes, Seq
    or SeqRecord (iterating it would make one protein per letter), a mapping, and a lone (id, sequence) pair: a 2-tuple whose first item is a str that is not
    a sequence (``("x1", "MKW...")`` would make a protein of its id) and whose second is one.  An id of
    letters only cannot be told from a sequence, so ``("VEGFA", "MKW...")`` is two sequences.
    """
    seq_types = _bio_seq_types()
    if isinstance(records, (str, bytes, bytearray, os.PathLike)):
        raise TypeError("expected an iterable of records, got a single string: pass [sequence] for one protein, "
                        "or secannot.read_fasta(path) for a FASTA file")
    if isinstance(records, Mapping):
        raise TypeError("expected an iterable of records, got a mapping: pass list(d.items()) for {id: sequence}")
    if isinstance(records, seq_types) or (hasattr(records, "id") and hasattr(records, "seq")):
        kind = "Seq" if isinstance(records, seq_types) else f"record ({type(records).__name__})"
        raise TypeError(f"expected an iterable of records, got a single {kind}: pass [{kind.split()[0].lower()}] "
                        "for one protein")
    if (isinstance(records, tuple) and len(records) == 2 and isinstance(records[0], str)
            and not _SEQUENCE.fullmatch(records[0]) and isinstance(records[1], (str, bytes, *seq_types))):
        raise TypeError(f"expected an iterable of records, got a single (id, sequence) pair "
                        f"('{escape_id(records[0][:30])}', ...): wrap it in a list, [(id, sequence)]")
    try:
        iter(records)
    except TypeError:  # None, a number: said in these words, not "'NoneType' object is not iterable" mid-run
        raise TypeError(f"expected an iterable of records ((id, sequence) pairs, sequences or SeqRecords), got "
                        f"{type(records).__name__}: pass a list, or secannot.read_fasta(path) for a FASTA file"
                        ) from None
    return _iter_records(records, seq_types)


#: Biopython's id for a SeqRecord made without one: such a record is named by position, as a bare sequence is.
_NO_ID = (None, "", "<unknown id>")


def _iter_records(records: Iterable[Any], seq_types: tuple[type, ...]) -> Iterator[Record]:
    # id -> (record number, automatic?): a repeated id is rejected, as the CLI rejects it; the message says
    # when one side is an automatic seq<N> name, since the user never wrote that id
    seen: dict[str, tuple[int, bool]] = {}
    for i, item in enumerate(records, 1):
        auto, description = False, None
        seq_types = seq_types or _bio_seq_types()  # a generator may load Biopython after the call
        if isinstance(item, (str, bytes, *seq_types)):
            rid, seq, auto = f"seq{i}", item, True
        elif isinstance(item, tuple) and len(item) == 2:
            rid, seq = item
            description = getattr(item, "description", None)  # a FastaRecord of read_fasta
        elif hasattr(item, "id") and hasattr(item, "seq"):
            auto = item.id in _NO_ID
            rid, seq = (f"seq{i}" if auto else item.id), item.seq
            description = getattr(item, "description", None)  # a SeqRecord's: GN=, [gene=...] as in a header
        else:
            raise TypeError(f"record {i}: expected an (id, sequence) pair, a sequence (str, bytes or Biopython Seq) "
                            f"or a SeqRecord, got {type(item).__name__}")
        if not isinstance(rid, str):
            raise TypeError(f"record {i}: the id must be a str, got {type(rid).__name__}")
        if seq is None:
            raise InputError(f"record {i} ({escape_id(rid)}): no sequence (None)")
        record = _one_record(i, rid, seq, _header(rid, description))
        first = seen.setdefault(record.id, (i, auto))
        if first[0] != i:
            raise InputError(_duplicate(i, record.id, auto, *first))
        yield record


#: Biopython's description of a SeqRecord made without one
_NO_DESCRIPTION = "<unknown description>"


def _header(rid: str, description: Any) -> str | None:
    """The FASTA header a record stands for: a SeqRecord's description starts with its id when it was read
    from FASTA (Bio.SeqIO), and is the rest of the header when made by hand; None without one."""
    if not isinstance(description, str) or not description.strip() or description == _NO_DESCRIPTION:
        return None
    words = description.split(None, 1)
    return description if words[0] == rid else f"{rid} {description}"


def _duplicate(i: int, rid: str, auto: bool, first: int, first_auto: bool) -> str:
    """A repeated id, saying which side got its name automatically (a bare sequence is seq<position>)."""
    if auto:
        return (f"record {i}: its automatic name {escape_id(rid)} (bare sequences are named seq<position>) is "
                f"already the id of record {first}; pass (id, sequence) pairs to name every record")
    if first_auto:
        return (f"record {i} ({escape_id(rid)}): duplicate id: {escape_id(rid)} is the automatic name of record "
                f"{first} (bare sequences are named seq<position>); pass (id, sequence) pairs to name every record")
    return f"record {i} ({escape_id(rid)}): duplicate id (first seen at record {first})"


def _one_record(i: int, rid: str, seq: Any, header: str | None = None) -> Record:
    """One API record checked as the CLI checks a FASTA record, with errors worded for Python values.

    A ``str`` id must be one non-empty word (a FASTA id is the header's first word, so "my protein"
    would silently become "my").  Whitespace inside a sequence is refused rather than dropped: the
    FASTA reader joins a record's lines, but a space or newline inside one Python string is more
    likely a paste of two things than a wrapped line; leading and trailing whitespace is stripped.
    A character outside ASCII is named with its code point (a Cyrillic 'Т' looks like 'T').
    """
    where = f"record {i}" + (f" ({escape_id(rid)})" if rid.strip() else "")
    if not rid.strip():
        raise InputError(f"record {i}: empty id; give a non-empty id, or pass the bare sequence to have it "
                         f"named seq{i}")
    if len(rid.split()) != 1:
        raise InputError(f"{where}: id contains whitespace; an id is one word, as a FASTA header's first word")
    if isinstance(seq, (bytes, bytearray)):
        bad = None if seq.isascii() else next(j for j, b in enumerate(seq) if b > 127)  # the loop only to name it
        if bad is not None:
            raise InputError(f"{where}: sequence has byte 0x{seq[bad]:02x} at position {bad + 1}, which is not "
                             "ASCII; pass a str, or bytes of amino-acid letters")
        seq = seq.decode("ascii")
    if isinstance(seq, (int, float, list, tuple, dict, set)):  # str(seq) would read 123 as residues '1', '2', '3'
        raise TypeError(f"{where}: the sequence must be a str (or bytes, or a Biopython Seq), got {type(seq).__name__}")
    try:
        text = str(seq).strip()
    except getattr(sys.modules.get("Bio.Seq"), "UndefinedSequenceError", ()) as undefined:  # Seq(None, length=n)
        raise InputError(f"{where}: sequence content is undefined (a Biopython Seq of known length only)") from undefined
    if text.startswith(">") and "\n" in text:
        raise InputError(f"{where}: sequence is FASTA text; read it with secannot.read_fasta(io.StringIO(text))")
    # str.split's whitespace is str.isspace's: the per-character scans run only to name a problem found
    gap = next(j for j, c in enumerate(text) if c.isspace()) if len(text.split(None, 1)) > 1 else None
    if gap is not None:
        raise InputError(f"{where}: sequence contains whitespace ({_named(text[gap])} at position {gap + 1}); "
                         "secannot does not join pieces of one string: pass ''.join(seq.split()) if it is "
                         "one wrapped sequence, or secannot.read_fasta(path) for a FASTA file")
    foreign = [] if text.isascii() else sorted({c for c in text if not c.isascii()})
    if foreign:
        pos = next(j for j, c in enumerate(text) if not c.isascii())
        shown = ", ".join(_named(c) for c in foreign[:5])
        raise InputError(f"{where}: invalid character(s) {shown} (first at residue {pos + 1}); allowed: "
                         "amino-acid letters incl. X B Z J U O, and '*' (stop) only at the end")
    if text.startswith(">"):  # as the FASTA reader sees '>id' then '>...': a header without a sequence
        raise InputError(f"{where}: record has no sequence")
    record = make_record(header or rid, text, "<api>", 1, i)  # the FASTA reader's validation, without writing FASTA
    if isinstance(record, Rejection):
        raise InputError(f"{where}: {record.reason}")
    return record


def _named(char: str) -> str:
    """'Т' (U+0422 CYRILLIC CAPITAL LETTER TE): a character as a user can find it in their string."""
    import unicodedata

    name = unicodedata.name(char, "")
    return f"{char!r} (U+{ord(char):04X}{' ' + name if name else ''})"

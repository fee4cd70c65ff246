"""The Python API: read FASTA, predict and annotate from a notebook or a script.

Everything here runs the exact code of the command line, so a protein gets
the same numbers as its ``secannot predict`` row (before the TSV's rounding to
4 decimals).  Results come back in input order as small frozen dataclasses
whose attributes are the TSV columns (``sp_prob``, ``cleavage_site``, ...),
with ``to_dict()``; ``to_pandas()`` makes a DataFrame when pandas is installed.

    >>> import secannot
    >>> rows = secannot.predict(["MKWVTFISLLFLFSSAYSRGVFRRDAHKSEVAHRFKDLGEENFK"], organism="eukarya")
    >>> rows[0].cleavage_site, rows[0].sp_prob > 0.9
    (18, True)
"""

from __future__ import annotations

import io
import math
import numbers
import os
import re
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import field, make_dataclass
from typing import Any, BinaryIO, TextIO

from secannot.columns import ANNOTATE_COLUMNS, PREDICT_COLUMNS
from secannot.errors import InputError, MissingDependencyError, ModelError
from secannot.io.diagnostics import Rejection, escape_id
from secannot.io.fasta import Record, mark_duplicates, open_input, parse_fasta
from secannot.io.seen_ids import SeenIds
from secannot.pipeline.predictor import PredictConfig, Predictor, predict_stream

__all__ = ["Annotation", "Prediction", "SkippedRecordsWarning", "annotate", "predict", "read_fasta", "to_pandas"]


class SkippedRecordsWarning(UserWarning):
    """read_fasta(skip_invalid=True) skipped records: asked for, but a silent drop is easy to miss in a notebook."""


#: JSON Lines' fields beyond the columns (columns.JSON_FIELDS), keyword-only and outside to_dict(), which
#: to_pandas() builds on: both keep the TSV columns.  gpi, a dict as in JSON, is left out of == and hash().
_EXTRA_FIELDS = ("tm_segments", "tm_orientation", "signal_anchor", "gpi", "er_retention_motif")


def _row_class(name: str, columns, doc: str) -> type:
    extras = [(f, Any, field(default=None, kw_only=True, compare=f != "gpi")) for f in _EXTRA_FIELDS]
    names = tuple(c.name for c in columns)
    cls = make_dataclass(name, [(c.name, Any) for c in columns] + extras, frozen=True, slots=True, namespace={
        "to_dict": lambda self: {n: getattr(self, n) for n in names}, "__doc__": doc})
    cls.__module__ = __name__
    return cls


_EXTRA_DOC = """
    Also, as JSON Lines gives them but with residue ranges as ``(start, end)`` int pairs (1-based, inclusive):
    ``tm_segments`` (tuple of (start, end), the helices tm_count counts; None with signal_only), ``tm_orientation`` (tuple of
    ``'in->out'``/``'out->in'``, one per helix; None when the helices are not from the topology network),
    ``signal_anchor`` ((start, end) or None), ``gpi`` (None unless gpi_anchored; else a dict: ``omega_site``
    int, ``hydrophobic_tail`` (start, end), ``confidence``) and ``er_retention_motif`` (e.g. 'KDEL', or None).
    Attributes only: ``to_dict()`` and :func:`to_pandas` keep the TSV columns."""


Prediction = _row_class("Prediction", PREDICT_COLUMNS, """One protein's prediction; attributes are the TSV columns.

    id (str), length (int, residues), sp_prob (float, 0-1; None when the first 70 residues are all
    X/B/Z/J), cleavage_site (int, 1-based last residue of
    the signal peptide, or None), route (str; None with signal_only and no signal peptide), cs_prob
    (float or None), localization (str; None with signal_only), confidence (str: high, medium or low),
    tm_count (int; None with signal_only), nc_score (float or None: P(leaderless secretion) at the nc
    prior; None for prokaryotes), nc_basis (str or None), evidence (str).
    ``to_dict()`` gives them as a dict, in column order.
""" + _EXTRA_DOC)
Annotation = _row_class("Annotation", ANNOTATE_COLUMNS, """A prediction plus the annotation columns.

    Adds accession, isoform, gene (str or None), cell_sources, processes, clinical, receptors, ligands
    (sorted tuples of str; receptors/ligands from the LIANA+ consensus pairs), rules_version (str or
    None), and the UniProt columns (uniprot_signal and uniprot_location None, agreement 'no_data': the API
    does not query UniProt; None as Parquet's null, not an empty tuple, which would mean "UniProt lists none").
    ``to_dict()`` gives the TSV columns of ``secannot annotate``, in column order.
""" + _EXTRA_DOC)


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


def read_fasta(source: str | os.PathLike | BinaryIO | TextIO, *, skip_invalid: bool = False
               ) -> Iterator[tuple[str, str]]:
    """Yield ``(id, sequence)`` for every record of a FASTA file or handle, in file order.

    ``source`` is a path (plain, gzip, bzip2 or xz, detected by content; ``-`` is stdin) or an open
    binary or text handle.  ``id`` is the first word of the header; ``sequence`` is upper case,
    without whitespace or a terminal ``*``.  Records are validated as the CLI does.

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
    bytes: wrap bytes in io.BytesIO), and InputError for FASTA text passed as a path (a str starting
    with '>' or holding a line break that names no file: wrap it in io.StringIO).
    """
    _check_source(source)
    return _read_fasta(source, skip_invalid)


def _read_fasta(source: str | os.PathLike | BinaryIO | TextIO, skip_invalid: bool) -> Iterator[tuple[str, str]]:
    skipped, first = 0, None
    for item in mark_duplicates(_records(source), SeenIds()):
        if isinstance(item, Rejection):
            if not skip_invalid:
                raise InputError(str(item))
            skipped += 1
            first = first or item
            continue
        yield item.id, item.sequence
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

    Raises TypeError for a lone str, bytes, Seq or SeqRecord (iterating it would make one protein per
    letter), a mapping, and a lone (id, sequence) pair: a 2-tuple whose first item is a str that is not
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
    return _iter_records(records, seq_types)


#: Biopython's id for a SeqRecord made without one: such a record is named by position, as a bare sequence is.
_NO_ID = (None, "", "<unknown id>")


def _iter_records(records: Iterable[Any], seq_types: tuple[type, ...]) -> Iterator[Record]:
    # id -> (record number, automatic?): a repeated id is rejected, as the CLI rejects it; the message says
    # when one side is an automatic seq<N> name, since the user never wrote that id
    seen: dict[str, tuple[int, bool]] = {}
    for i, item in enumerate(records, 1):
        auto = False
        seq_types = seq_types or _bio_seq_types()  # a generator may load Biopython after the call
        if isinstance(item, (str, bytes, *seq_types)):
            rid, seq, auto = f"seq{i}", item, True
        elif isinstance(item, tuple) and len(item) == 2:
            rid, seq = item
        elif hasattr(item, "id") and hasattr(item, "seq"):
            auto = item.id in _NO_ID
            rid, seq = (f"seq{i}" if auto else item.id), item.seq
        else:
            raise TypeError(f"record {i}: expected an (id, sequence) pair, a sequence (str, bytes or Biopython Seq) "
                            f"or a SeqRecord, got {type(item).__name__}")
        if not isinstance(rid, str):
            raise TypeError(f"record {i}: the id must be a str, got {type(rid).__name__}")
        if seq is None:
            raise InputError(f"record {i} ({escape_id(rid)}): no sequence (None)")
        record = _one_record(i, rid, seq)
        first = seen.setdefault(record.id, (i, auto))
        if first[0] != i:
            raise InputError(_duplicate(i, record.id, auto, *first))
        yield record


def _duplicate(i: int, rid: str, auto: bool, first: int, first_auto: bool) -> str:
    """A repeated id, saying which side got its name automatically (a bare sequence is seq<position>)."""
    if auto:
        return (f"record {i}: its automatic name {escape_id(rid)} (bare sequences are named seq<position>) is "
                f"already the id of record {first}; pass (id, sequence) pairs to name every record")
    if first_auto:
        return (f"record {i} ({escape_id(rid)}): duplicate id: {escape_id(rid)} is the automatic name of record "
                f"{first} (bare sequences are named seq<position>); pass (id, sequence) pairs to name every record")
    return f"record {i} ({escape_id(rid)}): duplicate id (first seen at record {first})"


def _one_record(i: int, rid: str, seq: Any) -> Record:
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
        bad = next((j for j, b in enumerate(seq) if b > 127), None)
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
    gap = next((j for j, c in enumerate(text) if c.isspace()), None)
    if gap is not None:
        raise InputError(f"{where}: sequence contains whitespace ({_named(text[gap])} at position {gap + 1}); "
                         "secannot does not join pieces of one string: pass ''.join(seq.split()) if it is "
                         "one wrapped sequence, or secannot.read_fasta(path) for a FASTA file")
    foreign = sorted({c for c in text if not c.isascii()})
    if foreign:
        pos = next(j for j, c in enumerate(text) if not c.isascii())
        shown = ", ".join(_named(c) for c in foreign[:5])
        raise InputError(f"{where}: invalid character(s) {shown} (first at residue {pos + 1}); allowed: "
                         "amino-acid letters incl. X B Z J U O, and '*' (stop) only at the end")
    parsed = list(parse_fasta(io.BytesIO(f">{rid}\n{text}\n".encode()), "<api>"))
    if len(parsed) != 1 or isinstance(parsed[0], Rejection):
        reason = parsed[0].reason if parsed and isinstance(parsed[0], Rejection) else "not a single sequence"
        raise InputError(f"{where}: {reason}")
    return parsed[0]


def _named(char: str) -> str:
    """'Т' (U+0422 CYRILLIC CAPITAL LETTER TE): a character as a user can find it in their string."""
    import unicodedata

    name = unicodedata.name(char, "")
    return f"{char!r} (U+{ord(char):04X}{' ' + name if name else ''})"


_PREDICTORS: dict[PredictConfig, Predictor] = {}


def _predictor(config: PredictConfig, annotate: bool):
    key = PredictConfig(**{**{f: getattr(config, f) for f in PredictConfig.__dataclass_fields__}, "jobs": int(annotate)})
    if key not in _PREDICTORS:
        from secannot.pipeline.predictor import load_rule_set

        _PREDICTORS[key] = Predictor(config, load_rule_set(config, annotate))
    return _PREDICTORS[key]


#: The organism groups in the words of the CLI's --organism; the model also takes short forms (euk, gram+, ...)
_ORGANISMS = "'eukarya', 'gram-negative', 'gram-positive', 'archaea'"
#: option -> (lowest, highest, as the CLI's message writes them, the kind of number): the CLI's ranges
_RANGES = {"nc_threshold": (0.0, 1.0, "a number between 0 and 1", numbers.Real),
           "nc_prior": (1e-6, 0.999999, "a number between 0.000001 and 0.999999", numbers.Real),
           "batch_residues": (1, math.inf, "an int >= 1 (residues per batch)", numbers.Integral)}


def _config(organism: str, nc_threshold: float | None, nc_prior: float | None, rules: Iterable[str] | str,
            **options: Any) -> PredictConfig:
    """The run's settings, checked as the command line checks them, before any record is read.

    TypeError for a value of the wrong type, ValueError for a number out of range or nan, ModelError for
    an unknown organism name, all naming what is accepted; None is the model's nc_threshold/nc_prior.
    """
    from secannot.models.signal_peptide import ORGANISM_ALIASES

    if not isinstance(organism, str):
        raise TypeError(f"organism: {organism!r} ({type(organism).__name__}) is not one of {_ORGANISMS}")
    if organism.strip().lower() not in ORGANISM_ALIASES:
        raise ModelError(f"organism: {organism!r} is not one of {_ORGANISMS}")
    values = {"nc_threshold": nc_threshold, "nc_prior": nc_prior, **options}
    for name, (low, high, accepted, kind) in _RANGES.items():
        value = values.get(name)
        if name not in values or (value is None and kind is numbers.Real):  # None: the model's
            continue
        if isinstance(value, bool) or not isinstance(value, kind):
            raise TypeError(f"{name} must be {accepted}, got {type(value).__name__} {value!r}")
        if math.isnan(value) or not low <= value <= high:
            raise ValueError(f"{name} must be {accepted}, got {value!r}")
        values[name] = int(value) if kind is numbers.Integral else float(value)
    dirs = (rules,) if isinstance(rules, (str, os.PathLike)) else tuple(rules)
    return PredictConfig(organism=organism, rules_dirs=tuple(os.fspath(d) for d in dirs), **values)


def _run(records: Iterable[Any], config: PredictConfig, annotate_rows: bool) -> list:
    predictor = _predictor(config, annotate_rows)
    columns, cls = (ANNOTATE_COLUMNS, Annotation) if annotate_rows else (PREDICT_COLUMNS, Prediction)
    out = []
    # a list column with no value (uniprot_location without a UniProt entry) is None, as Parquet's null
    nullable = {c.name for c in columns if c.kind == "list<string>" and c.name != "evidence"}
    for res in predict_stream(_as_records(records), config, predictor, annotate=annotate_rows):
        values = [None if c.name in nullable and c.typed(res) is None else c.get(res) for c in columns]
        out.append(cls(*(tuple(sorted(v)) if isinstance(v, (set, frozenset)) else v for v in values), **_extras(res)))
    return out


def _extras(res) -> dict[str, Any]:
    """The attributes JSON Lines adds to the columns (result_dict), with ranges as (start, end) ints."""
    orientations = tuple(s.orientation for s in res.tm_segments)
    gpi = res.gpi and {**res.gpi, "hydrophobic_tail": tuple(map(int, res.gpi["hydrophobic_tail"].split("-")))}
    return {
        "tm_segments": None if res.localization is None else tuple((s.start, s.end) for s in res.tm_segments),
        "tm_orientation": orientations if any(orientations) else None,
        "signal_anchor": None if res.signal_anchor is None else (res.signal_anchor.start, res.signal_anchor.end),
        "gpi": gpi,
        "er_retention_motif": res.er_motif,
    }


def predict(records: Iterable[Any], *, organism: str = "eukarya", nc_threshold: float | None = None,
            nc_prior: float | None = None, signal_only: bool = False, rules: Iterable[str] = (),
            batch_residues: int = 1 << 20) -> list:
    """Signal peptide, cleavage site and localisation for every record, in input order.

    ``records``: an iterable (a list, a generator, :func:`read_fasta`, ``Bio.SeqIO.parse``) of
    (id, sequence) pairs, bare sequences (str, bytes or Biopython ``Seq``; named seq1, seq2, ... by
    position) or objects with ``.id`` and ``.seq`` (Biopython SeqRecords; one made without an id is
    named by position too); a pair's sequence may be a str, bytes or ``Seq``.  One protein is still a
    list: ``predict([seq])``, ``predict([(id, seq)])``, ``predict([record])``.

    ``organism`` (str): eukarya, gram-negative, gram-positive or archaea (any case).  ``nc_prior``
    (float, 0.000001-0.999999, default the model's 0.02) is the share of leaderless-secreted proteins
    assumed when nc_score is turned into a probability (as ``--nc-prior``); ``nc_threshold`` (float,
    0-1) overrides the nc_score threshold; ``signal_only`` skips localisation; ``rules`` are extra
    rule directories (one path or several); ``batch_residues`` (int >= 1, residues per batch) bounds
    memory only (results never depend on it).  Returns a list of :class:`Prediction`.

    Raises InputError naming the first invalid record (empty, bad characters, named with their code
    points, whitespace inside a sequence string, an empty id or one with whitespace, an id already
    given: ids are the rows' keys, as in the CLI; an automatic seqN name taken by a given id, or the
    reverse, says which record was named automatically), RulesError for an invalid rule directory.
    Raises, before reading any record, TypeError for an option of the wrong type, ValueError for a number
    out of range (or nan) and ModelError for an unknown organism, naming what is accepted as the CLI
    does.  Raises TypeError for an unusable item, and for a lone str, bytes, Seq, SeqRecord, mapping or
    (id, sequence) pair in place of the records: a 2-tuple whose first item is a str that is not a
    protein sequence (it holds a digit, '|', '_', ...) and whose second is a sequence.  ``("MKV",
    "MKWV")`` is two bare sequences, and so is ``("VEGFA", "MKWV")``: an id of letters only needs a list.
    """
    config = _config(organism, nc_threshold, nc_prior, rules, localize=not signal_only, batch_residues=batch_residues)
    return _run(records, config, annotate_rows=False)


def annotate(records: Iterable[Any], *, organism: str = "eukarya", nc_threshold: float | None = None,
             nc_prior: float | None = None, rules: Iterable[str] = (), family_claims: bool = True,
             batch_residues: int = 1 << 20) -> list:
    """:func:`predict`, plus the tumour-microenvironment annotation columns; returns :class:`Annotation` rows.

    Proteins match the rules by UniProt-style ids (sp|P15692|VEGFA_HUMAN, a bare accession) as in
    ``secannot annotate``; UniProt itself is not queried.  ``family_claims=False`` drops claims the source
    states only for the protein's family (as ``--no-family``).  Raises as :func:`predict`.
    """
    config = _config(organism, nc_threshold, nc_prior, rules, family_claims=family_claims,
                     batch_residues=batch_residues)
    return _run(records, config, annotate_rows=True)


def to_pandas(rows: Iterable[Any]):
    """A pandas DataFrame with one row per result and the TSV columns, typed (needs pandas).

    ``rows``: an iterable of rows :func:`predict` or :func:`annotate` returned, all :class:`Prediction`
    or all :class:`Annotation`; the frame has their TSV columns (``tm_segments`` and the like stay on the rows).

    Every column's dtype comes from the column dictionary (``Column.kind``), never from the values,
    so frames of different batches concatenate without object columns creeping in: float64 columns
    are ``float64``, int32 ones pandas' nullable ``Int64``, text ones pandas' default string dtype
    (``str`` from pandas 3 and 2.3; ``object`` before), and list columns ``object`` holding tuples;
    ``evidence`` is its ``;``-joined text, as in :class:`Prediction`.  Parquet (``--format parquet``)
    stores the same kinds.

    ``frame.isna()`` is True exactly where the row's attribute is None, whatever the column; the missing
    value itself is the dtype's, as pandas has none for all: NaN in float columns (sp_prob, cs_prob, ...),
    ``pd.NA`` in Int64 ones (cleavage_site), NaN in text ones (pandas' ``str`` dtype; None with pandas < 2.3's
    ``object``), None in list ones (uniprot_location without UniProt: Parquet's null; an empty tuple would
    mean "UniProt lists none"; the other list columns are an empty tuple when nothing matched).

    Raises TypeError for an item that is not a row of :func:`predict` or :func:`annotate`, a lone row
    (pass ``[row]``), and for Prediction and Annotation rows mixed: their columns differ, and filling
    the annotation columns of prediction rows with missing values would read as "no annotation found";
    make one call (``annotate`` gives every predict column too) or one frame per kind.
    Raises MissingDependencyError (exit code 7 in the CLI) when pandas is not installed.
    """
    try:
        import pandas as pd
    except ImportError:
        raise MissingDependencyError("to_pandas needs pandas: pip install 'secannot[pandas]'") from None
    if isinstance(rows, (Prediction, Annotation)):
        raise TypeError(f"to_pandas takes a list of rows, got a single {type(rows).__name__}: pass [row]")
    rows = list(rows)
    for i, row in enumerate(rows, 1):
        if not isinstance(row, (Prediction, Annotation)):
            raise TypeError(f"to_pandas takes the rows secannot.predict or secannot.annotate return; row {i} is "
                            f"a {type(row).__name__}")
    annotations = sum(isinstance(r, Annotation) for r in rows)
    if 0 < annotations < len(rows):
        other = next(i for i, r in enumerate(rows, 1) if type(r) is not type(rows[0]))
        raise TypeError(f"to_pandas got {len(rows) - annotations} Prediction and {annotations} Annotation rows mixed "
                        f"(row 1: {type(rows[0]).__name__}, row {other}: {type(rows[other - 1]).__name__}): "
                        "their columns differ; make the rows with one call (annotate gives every predict column "
                        "too) or one frame per kind")
    columns = ANNOTATE_COLUMNS if annotations else PREDICT_COLUMNS
    frame = pd.DataFrame([r.to_dict() for r in rows], columns=[c.name for c in columns])
    return frame.astype({c.name: _pandas_dtype(c, pd) for c in columns})


def _pandas_dtype(column, pd) -> Any:
    """The pandas dtype for one column of the dictionary (see :func:`to_pandas`)."""
    if column.kind == "float64":
        return "float64"
    if column.kind == "int32":
        return "Int64"
    if column.kind == "list<string>" and column.name != "evidence":  # the API gives evidence joined, as text
        return object
    try:
        return pd.StringDtype(na_value=float("nan"))  # pandas >= 2.3: the dtype pandas 3 infers for text
    except TypeError:
        return object

"""Reading secannot's own output back in: TSV, JSON Lines, the JSON document, ``annotate --tsv``
tables (TSV/CSV or JSON Lines) and Parquet files or Dask part directories.

``summarize`` and ``--background`` accept what ``annotate`` wrote, so the
format is detected from content (outputs are piped and renamed) and a
malformed record is named by line, so the user can fix the file.  Both table
formats are read by :mod:`secannot.io.tables`, as ``annotate --tsv`` reads its
input (strict quotes, blank lines skipped, rows named by the line they start
on); secannot's own TSV, written without quoting, with quoting off.

``annotate --tsv`` keeps the user's columns and appends the annotation ones,
prefixing a name with ``secannot_`` when the user's table already had it, and
ends with ``error`` (or ``secannot_error``); the reader maps the prefixed names
back.  A row with an error (not annotated: unknown id, bad sequence, ragged row)
or without an id cannot be summarized: it is skipped with one warning naming
its line and reason, and the other rows are read.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from secannot.columns import ANNOTATE_COLUMNS
from secannot.errors import InputError
from secannot.io.tables import read_header, table_rows

REQUIRED_COLUMNS: tuple[str, ...] = ("id", "route", "localization", "cell_sources", "processes", "clinical")
#: The prefix ``annotate --tsv`` gives an appended column whose name the user's table already has.
PREFIX = "secannot_"
#: Names ``annotate --tsv`` may prefix: the annotation columns, its ``error`` and ``provenance``.
OWN_NAMES: frozenset[str] = frozenset([c.name for c in ANNOTATE_COLUMNS] + ["error", "provenance"])
PARQUET_MAGIC = b"PAR1"
PARQUET_HINT = "reading Parquet needs pyarrow: pip install 'secannot[parquet]'"

Warn = Callable[[str], None]


def _ignore(_: str) -> None:
    return None


def detect_format(text: str) -> str | None:
    """'tsv', 'jsonl', 'json', 'table' (``annotate --tsv`` output, tab- or comma-separated) for
    secannot output, None for anything else (e.g. FASTA).

    Decided from content, not the file name, because outputs are often
    piped or renamed; the caller annotates FASTA itself when this says None.
    """
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("{"):
        first = head.split("\n", 1)[0].strip()
        try:
            obj = json.loads(first)
        except json.JSONDecodeError:
            return "json"  # a pretty-printed or multi-line document
        return "json" if isinstance(obj, dict) and "records" in obj else "jsonl"
    if table_delimiter(head) is not None:
        return "table"
    header = head.split("\n", 1)[0].rstrip("\r").split("\t")
    if header and header[0] == "id" and len(header) > 1:
        return "tsv"
    return None


def table_delimiter(text: str) -> str | None:
    """The delimiter of an ``annotate --tsv`` table (its header ends with the ``error`` column), else None."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    for sep in ("\t", ","):
        cells = next(csv.reader([first], delimiter=sep), [])
        if len(cells) > 1 and cells[-1] in ("error", PREFIX + "error") and ("id" in cells or PREFIX + "id" in cells):
            return sep
    return None


def load_annotated(source: str | os.PathLike[str] | TextIO, warn: Warn = _ignore) -> list[dict[str, Any]]:
    """Records of a secannot TSV, JSONL, JSON or ``annotate --tsv`` output, in input order.

    Raises InputError for anything else, naming the line when a record is
    malformed, so the user can fix the file rather than guess.  Rows that
    cannot be summarized (an ``error`` cell, no id) are skipped, each with one
    ``warn`` line naming the line and reason.
    """
    name, text = _read_text(source)
    fmt = detect_format(text)
    if fmt is None:
        raise InputError(f"{name}: not secannot TSV, JSONL or JSON output (FASTA must be annotated first)")
    if fmt == "tsv":
        numbered = _parse_tsv(name, text)
    elif fmt == "table":
        numbered = _parse_table(name, text)
    elif fmt == "jsonl":
        numbered = _parse_jsonl(name, text)
    else:
        numbered = list(enumerate(_parse_json_document(name, text), start=1))
    return _usable(name, numbered, warn, "record" if fmt == "json" else "line")


def is_parquet(path: str | os.PathLike[str]) -> bool:
    """True for a Parquet file (by its magic bytes) or a directory holding ``*.parquet`` files (Dask parts)."""
    p = Path(path)
    if p.is_dir():
        return any(p.glob("*.parquet"))
    try:
        with open(p, "rb") as fh:
            return fh.read(4) == PARQUET_MAGIC
    except OSError:
        return False


def load_parquet(path: str | os.PathLike[str], warn: Warn = _ignore) -> list[dict[str, Any]]:
    """Records of a Parquet file or directory of part files written by secannot, parts in name order.

    Raises MissingDependencyError (exit 7) without pyarrow, InputError for a
    file secannot did not write (no ``secannot`` provenance in its metadata).
    Each record carries the file's provenance, as JSON Lines records do.
    """
    from secannot.io.writers.parquet import require_pyarrow

    _, pq = require_pyarrow(PARQUET_HINT)
    p = Path(path)
    files = sorted(p.glob("*.parquet"), key=_part_order) if p.is_dir() else [p]
    numbered: list[tuple[int, dict[str, Any]]] = []
    for file in files:
        try:
            table = pq.read_table(file)
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise InputError(f"{file}: not a readable Parquet file ({str(exc).splitlines()[0]})") from None
        meta = table.schema.metadata or {}
        if b"secannot" not in meta:
            raise InputError(f"{file}: a Parquet file secannot did not write (no 'secannot' provenance metadata)")
        provenance = json.loads(meta[b"secannot"])
        rows = [{**row, "provenance": provenance} for row in table.to_pylist()]
        numbered += [(i, row) for i, row in enumerate(rows, start=len(numbered) + 1)]
    return _usable(os.fspath(path), numbered, warn, "row")


def _part_order(path: Path) -> tuple:
    """part-2 before part-10: the number in the name, then the name."""
    digits = "".join(ch for ch in path.stem if ch.isdigit())
    return (int(digits) if digits else -1, path.name)


def _read_text(source: str | os.PathLike[str] | TextIO) -> tuple[str, str]:
    if isinstance(source, (str, os.PathLike)):
        try:
            with open(source, encoding="utf-8-sig") as fh:
                return os.fspath(source), fh.read()
        except OSError as exc:
            raise InputError(f"{os.fspath(source)}: cannot read ({exc.strerror})") from None
        except UnicodeDecodeError:
            raise InputError(f"{os.fspath(source)}: not UTF-8 text") from None
    return str(getattr(source, "name", "<stdin>")), source.read()


def _parse_tsv(name: str, text: str) -> list[tuple[int, dict[str, Any]]]:
    """secannot's TSV: written without quoting, so read with quoting off (a cell may start with ``"``)."""
    return _table_records(name, text, "\t", quoted=False)


def _parse_table(name: str, text: str) -> list[tuple[int, dict[str, Any]]]:
    """``annotate --tsv`` output: csv quoting (a quoted cell may span lines), rows named by their first line."""
    return [(line, _unprefixed(record)) for line, record in
            _table_records(name, text, table_delimiter(text) or "\t", quoted=True)]


def _table_records(name: str, text: str, sep: str, quoted: bool) -> list[tuple[int, dict[str, Any]]]:
    """Rows of a table as read by :mod:`secannot.io.tables` (strict quotes, blank lines skipped), keyed by the
    header; InputError names the line and reason of the first ragged or malformed row."""
    lines = iter(io.StringIO(text.lstrip("\ufeff"), newline=""))  # line ends \n, \r\n or \r, as an editor counts
    head = read_header(lines, sep)
    if head is None:
        raise InputError(f"{name}:1: blank line where the header should be")
    header = head[1]  # as csv: an annotate --tsv header may be quoted; secannot's own TSV header holds no quote
    records = []
    for row in table_rows(lines, sep, len(header), quoted=quoted):
        problem = row.problem or row.shape
        if problem is not None:
            raise InputError(f"{name}:{row.line}: {problem}")
        records.append((row.line, dict(zip(header, row.cells, strict=True))))
    return records


def _unprefixed(record: dict[str, Any]) -> dict[str, Any]:
    """``secannot_<name>`` read as ``<name>`` (the user's own column of that name is dropped)."""
    own = {k.removeprefix(PREFIX): v for k, v in record.items()
           if k.startswith(PREFIX) and k.removeprefix(PREFIX) in OWN_NAMES}
    return {**{k: v for k, v in record.items() if k not in own}, **own} if own else record


def _parse_jsonl(name: str, text: str) -> list[tuple[int, dict[str, Any]]]:
    records = []
    for lineno, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{lineno}: not a JSON record ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise InputError(f"{name}:{lineno}: expected a JSON object per line")
        records.append((lineno, _unprefixed(obj)))
    return records


def _parse_json_document(name: str, text: str) -> list[dict[str, Any]]:
    try:
        doc = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    records = doc.get("records") if isinstance(doc, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InputError(f"{name}: a JSON document needs a 'records' list of objects (secannot --format json)")
    provenance = doc.get("provenance")
    if isinstance(provenance, dict):  # as JSON Lines records carry it: summarize names the hits' organism from it
        records = [record if "provenance" in record else {**record, "provenance": provenance} for record in records]
    return records


def _usable(name: str, numbered: list[tuple[int, dict[str, Any]]], warn: Warn, unit: str) -> list[dict[str, Any]]:
    """The records that can be summarized; the others skipped with one warning each (line and reason)."""
    if not numbered:
        raise InputError(f"{name}: no records")
    missing = [c for c in REQUIRED_COLUMNS if c not in numbered[0][1]]
    if missing:
        hint = " (is it 'secannot predict' output? summaries need 'secannot annotate')" if "cell_sources" in missing else ""
        raise InputError(f"{name}: missing column(s) {', '.join(missing)}{hint}")
    kept = []
    for number, record in numbered:
        error = record.get("error")
        reason = f"not annotated: {str(error).strip()}" if error not in (None, "") and str(error).strip() else None
        if reason is None and not str(record.get("id") or "").strip():
            reason = "no id"
        if reason is not None:
            warn(f"{name}: {unit} {number}: skipped ({reason})")
            continue
        kept.append(record)
    if not kept:
        raise InputError(f"{name}: no record could be summarized ({len(numbered)} skipped, named above)")
    return kept

"""Reading secannot's own annotate output (TSV, JSON Lines or the JSON document) back in.

``summarize`` and ``--background`` accept what ``annotate`` wrote, so the
format is detected from content (outputs are piped and renamed) and a
malformed record is named by line, so the user can fix the file.
"""

from __future__ import annotations

import json
import os
from typing import Any, TextIO

from secannot.errors import InputError

REQUIRED_COLUMNS: tuple[str, ...] = ("id", "route", "localization", "cell_sources", "processes", "clinical")

def detect_format(text: str) -> str | None:
    """'tsv', 'jsonl' or 'json' for secannot output, None for anything else (e.g. FASTA).

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
    header = head.split("\n", 1)[0].rstrip("\r").split("\t")
    if header and header[0] == "id" and len(header) > 1:
        return "tsv"
    return None


def load_annotated(source: str | os.PathLike[str] | TextIO) -> list[dict[str, Any]]:
    """Records of a secannot TSV, JSONL or JSON output, in input order.

    Raises InputError for anything else, naming the line when a record is
    malformed, so the user can fix the file rather than guess.
    """
    name, text = _read_text(source)
    fmt = detect_format(text)
    if fmt is None:
        raise InputError(f"{name}: not secannot TSV, JSONL or JSON output (FASTA must be annotated first)")
    if fmt == "tsv":
        records = _parse_tsv(name, text)
    elif fmt == "jsonl":
        records = _parse_jsonl(name, text)
    else:
        records = _parse_json_document(name, text)
    _check_columns(name, records)
    return records


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


def _parse_tsv(name: str, text: str) -> list[dict[str, Any]]:
    lines = text.lstrip("\ufeff").splitlines()
    header = lines[0].split("\t")
    records = []
    for lineno, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(header):
            raise InputError(f"{name}:{lineno}: {len(cells)} fields, the header has {len(header)}")
        records.append(dict(zip(header, cells, strict=True)))
    return records


def _parse_jsonl(name: str, text: str) -> list[dict[str, Any]]:
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
        records.append(obj)
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


def _check_columns(name: str, records: list[dict[str, Any]]) -> None:
    if not records:
        raise InputError(f"{name}: no records")
    missing = [c for c in REQUIRED_COLUMNS if c not in records[0]]
    if missing:
        hint = " (is it 'secannot predict' output? summaries need 'secannot annotate')" if "cell_sources" in missing else ""
        raise InputError(f"{name}: missing column(s) {', '.join(missing)}{hint}")

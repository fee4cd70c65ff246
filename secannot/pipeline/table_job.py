"""``secannot annotate --tsv``: annotate the rows of a user's table in place.

Every original column and row is kept, in order; the annotation columns are
appended, plus ``error`` for rows that could not be annotated (no row is ever
dropped).  Rows are processed in chunks so that memory stays flat on tables of
any length; the ids of a chunk are resolved through UniProt in one batch.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, TextIO

from secannot.columns import ANNOTATE_COLUMNS, format_cell
from secannot.errors import ExitCode, InputError, UsageError
from secannot.io.diagnostics import Diagnostics, escape_text
from secannot.io.fasta import Record, check_sequence, open_input
from secannot.io.headers import split_accession
from secannot.io.tables import TableRow, column_index, lossless, raw_lines, read_header, table_rows
from secannot.io.writers import safe_cell
from secannot.io.writers.jsonl import json_value
from secannot.knowledge.annotate import annotate, uniprot_view
from secannot.pipeline.predictor import Predictor, predict_stream
from secannot.pipeline.run_info import run_provenance

if TYPE_CHECKING:
    from secannot.pipeline.runner import JobConfig

PREFIX = "secannot_"


@dataclass(frozen=True, slots=True)
class TableConfig:
    path: str
    id_column: str
    sep: str | None = None
    sequence_column: str | None = None
    chunk_rows: int = 1000


@dataclass
class _Row:
    number: int
    cells: list[str]
    record: Record | None = None
    error: str | None = None
    entry: object = None
    extra: list[str] = field(default_factory=list)  # the appended annotation cells, as TSV writes them
    typed: list = field(default_factory=list)  # the same, as JSON writes them (numbers, lists, null)


def annotate_table(table: TableConfig, job: JobConfig, out: TextIO, stdin: BinaryIO | None,
                   diag: Diagnostics) -> ExitCode:
    from secannot.pipeline.runner import load_rules

    rules = load_rules(job.predict, diag)
    predictor = Predictor(job.predict, rules)
    client = None
    try:
        with open_input(table.path, stdin) as (fh, name):
            lines = raw_lines(fh)  # a non-UTF-8 byte in an id is named as that byte (\xNN); cells are written lossless
            head = read_header(lines, table.sep)
            if head is None:
                raise InputError(f"{name}: empty table (no header row)")
            sep, header = head
            id_index = column_index(header, table.id_column, name)
            seq_index = column_index(header, table.sequence_column, name) if table.sequence_column else None
            added = [c.name if c.name not in header else PREFIX + c.name for c in ANNOTATE_COLUMNS] + ["error"]
            if "error" in header:
                added[-1] = PREFIX + "error"
            provenance = run_provenance(job.predict, predictor.sp_model, ({"kind": "table", "path": name},),
                                        rules.version_summary(), None, nc_model=predictor.nc_model).as_dict()
            writer = _make_writer(job.fmt, out, sep, [lossless(h) for h in header] + added, job.safe_cells, provenance)
            chunk: list[_Row] = []
            for row in table_rows(lines, sep, len(header)):  # named by the line they start on
                chunk.append(_fit_row(row, len(header), sep))
                if len(chunk) >= table.chunk_rows:
                    client = _process(chunk, id_index, seq_index, predictor, rules, job, client, name, diag)
                    writer(chunk)
                    chunk = []
            if chunk:
                client = _process(chunk, id_index, seq_index, predictor, rules, job, client, name, diag)
                writer(chunk)
    finally:
        if client is not None:
            client.close()
    return diag.exit_code


def _fit_row(row: TableRow, width: int, sep: str) -> _Row:
    """A row with exactly as many cells as the header, so the appended columns line up under their header.

    A ragged row (see :class:`~secannot.io.tables.TableRow`) is kept, whole, and not annotated, with the
    reason in its ``error`` cell and on stderr (exit 3), whether it is short or long.  A short row gets
    empty cells at its end; a long one keeps every cell, the extra ones joined into the last column.
    """
    out = _Row(row.line, row.cells, error=row.ragged_reason("annotated"))
    if len(row.cells) < width:
        out.cells = row.cells + [""] * (width - len(row.cells))
    elif len(row.cells) > width:
        out.error += "; extra cells kept in the last column"
        out.cells = row.cells[: width - 1] + [sep.join(row.cells[width - 1 :])]
    return out


def _make_writer(fmt: str, out: TextIO, sep: str, header: list[str], safe_cells: bool = False,
                 provenance: dict | None = None):
    if fmt in ("tsv", "csv"):
        w = csv.writer(out, delimiter=sep, lineterminator="\n")
        w.writerow(header)

        def write(rows: list[_Row]) -> None:
            for row in rows:
                cells = [lossless(c) for c in row.cells] + row.extra
                w.writerow([safe_cell(c) for c in cells] if safe_cells else cells)
            out.flush()

        return write
    if fmt == "jsonl":
        key = "provenance" if "provenance" not in header else PREFIX + "provenance"
        tail = f', "{key}": ' + json.dumps(provenance or {}) + "}\n"  # the run's provenance on every line

        def write_jsonl(rows: list[_Row]) -> None:
            for row in rows:  # the user's cells stay strings; the appended columns get JSON types
                own = [lossless(c) for c in row.cells]
                values = own + [""] * (len(header) - len(own) - len(row.typed)) + row.typed
                out.write(json.dumps(dict(zip(header, values, strict=False)))[:-1] + tail)
            out.flush()

        return write_jsonl
    raise UsageError(f"--tsv writes tsv (the input's delimiter) or jsonl, not {fmt!r}")


def _sequence_cell(text: str) -> tuple[bytes | None, str | None]:
    """The residues of a sequence cell, checked as FASTA sequences are (one alphabet, one message)."""
    seq, problem = check_sequence(text)
    return (None, f"sequence: {problem}") if problem else (seq, None)


def _process(rows: list[_Row], id_index: int, seq_index: int | None, predictor: Predictor, rules, job: JobConfig,
             client, source: str, diag: Diagnostics):
    """Fill record or error for each row, predict, annotate; returns the (lazily made) UniProt client."""
    lookups: list[tuple[_Row, str, str]] = []  # (row, kind, key)
    for row in rows:
        if row.error is not None:  # a ragged row (see _fit_row)
            continue
        ident = row.cells[id_index].strip()
        if not ident:
            row.error = "empty id"
            continue
        cell = row.cells[seq_index] if seq_index is not None else ""
        if cell.strip():  # an empty sequence cell falls back to UniProt, like a table without the column
            seq, problem = _sequence_cell(cell)
            if problem:
                row.error = problem
                continue
            name = escape_text(ident)  # a byte that is not UTF-8 named as \xNN, as in a FASTA id
            description = name if "|" in name or split_accession(name) else f"{name} GN={name}"
            row.record = Record(name, description, seq, source, row.number)
            continue
        if lossless(ident) != ident:  # a byte that is not UTF-8: no accession or gene symbol has one
            row.error = "not a UniProt accession or gene symbol (a byte that is not UTF-8)"
            continue
        parts = ident.split("|")
        acc_text = parts[1] if len(parts) >= 3 and parts[0] in ("sp", "tr") else ident
        if split_accession(acc_text):
            lookups.append((row, "accession", acc_text))
        else:
            lookups.append((row, "gene", ident))
    if lookups:
        if client is None:
            from secannot.uniprot import UniProtClient, UniProtConfig

            client = UniProtClient(job.uniprot or UniProtConfig(), log=diag.info)
        accs = [(r, k) for r, kind, k in lookups if kind == "accession"]
        genes = [(r, k) for r, kind, k in lookups if kind == "gene"]
        pairs = list(zip(accs, client.fetch([k for _, k in accs]), strict=True)) if accs else []
        pairs += list(zip(genes, client.map_genes([k for _, k in genes]), strict=True)) if genes else []
        for (row, _), res in pairs:
            if res.entry is None:
                row.error = res.message
                if res.status.exit_code > ExitCode.OK:
                    diag.escalate(res.status.exit_code)
                continue
            e = res.entry
            row.entry = e
            row.record = Record(e.accession, e.fasta_header(), e.sequence.upper().encode("ascii"), source, row.number)
    ready = [r for r in rows if r.record is not None]
    # through predict_stream, so the batch limits (residues, records) bound memory here too
    results = list(predict_stream([r.record for r in ready], job.predict, predictor))
    by_row = {id(r): res for r, res in zip(ready, results, strict=True)}
    for row in rows:
        res = by_row.get(id(row))
        if res is None:
            reason = row.error or "not annotated"
            # named on stderr too, as every rejected input is; the row itself stays in the table, its error
            # cell the same one line (file:line: id: reason), so the row can be found in the input and fixed
            ident = row.cells[id_index].strip() or "(empty)"  # the file:line: id: reason shape, as check writes it
            message = str(diag.reject(source, row.number, ident, reason.removeprefix(f"{ident}: ")))
            row.extra = [""] * len(ANNOTATE_COLUMNS) + [message]
            row.typed = [None] * len(ANNOTATE_COLUMNS) + [message]
            continue
        res.annotation = annotate(res, rules)
        res.uniprot = uniprot_view(res, row.entry, client.release if client is not None else None)
        row.extra = [format_cell(c.get(res)) for c in ANNOTATE_COLUMNS] + [""]
        row.typed = [json_value(c, res) for c in ANNOTATE_COLUMNS] + [None]
    return client

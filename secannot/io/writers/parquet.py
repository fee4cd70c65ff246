"""Parquet through pyarrow (optional extra ``secannot[parquet]``): typed columns, provenance in the metadata.

Each column is stored as its ``kind`` in the column dictionary (:data:`secannot.columns.KINDS`):
numbers stay numbers (``length``, ``cleavage_site`` and ``tm_count`` nullable int32, probabilities
float64 at full precision, not the TSV's 4 decimals), the multi-valued columns (``evidence``, the
cell sources, processes, clinical statuses, UniProt locations, receptors and ligands) are
``list<string>`` rather than ``;``-joined text, so a value holding a ``;`` stays whole and readers
need no splitting, and a missing value is null, never an empty string standing for one.  The
schema comes from the column dictionary alone, so every file and every Dask part of one run (an
empty one too) has the same schema.  The file's key-value metadata holds the same provenance
document as JSON output under ``secannot``, so a Parquet file names the tool, model and rules
versions and the thresholds that produced it; each field's metadata carries its description.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from contextlib import suppress
from typing import Any, BinaryIO

from secannot.columns import Column
from secannot.errors import MissingDependencyError
from secannot.io.diagnostics import Rejection
from secannot.io.guarded import cannot_write
from secannot.provenance import Provenance
from secannot.results import Result

INSTALL_HINT = "--format parquet needs pyarrow: pip install 'secannot[parquet]'"
ROWS_PER_GROUP = 1 << 16


def require_pyarrow(hint: str = INSTALL_HINT):
    """The pyarrow modules, or MissingDependencyError (exit 7) with ``hint`` (how to install it)."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise MissingDependencyError(hint) from None
    return pyarrow, pyarrow.parquet


def arrow_type(kind: str):
    """The Arrow type of a column kind (:data:`secannot.columns.KINDS`); ValueError for another."""
    pa, _ = require_pyarrow()
    types = {"string": pa.string, "int32": pa.int32, "float64": pa.float64,
             "list<string>": lambda: pa.list_(pa.string())}
    if kind not in types:
        raise ValueError(f"no Arrow type for column kind {kind!r}")
    return types[kind]()


def schema(columns: Sequence[Column], provenance: Provenance):
    """The schema of every file of a run: the columns' kinds, their descriptions, the provenance."""
    pa, _ = require_pyarrow()
    fields = [pa.field(col.name, arrow_type(col.kind), metadata={"description": col.typed_description})
              for col in columns]
    return pa.schema(fields, metadata={"secannot": json.dumps(provenance.as_dict())})


def parquet_row(result: Result, columns: Sequence[Column]) -> tuple[Any, ...]:
    """One row's typed values in column order (:meth:`Column.typed`), ready for :class:`ParquetWriter`;
    plain Python values, so rows rendered in a worker pickle cheaply."""
    return tuple(c.typed(result) for c in columns)


class ParquetWriter:
    """Buffers typed rows and writes a row group every ROWS_PER_GROUP rows."""

    def __init__(self, out: BinaryIO | str, columns: Sequence[Column], provenance: Provenance):
        _, pq = require_pyarrow()
        self.columns = tuple(columns)
        self.schema = schema(columns, provenance)
        self._writer = pq.ParquetWriter(out, self.schema)
        self._rows: list[tuple] = []

    def write(self, result: Result) -> None:
        self.write_rendered(parquet_row(result, self.columns))

    def write_rendered(self, row: tuple) -> None:
        self._rows.append(row)
        if len(self._rows) >= ROWS_PER_GROUP:
            self._flush()

    def write_rendered_many(self, rows: Sequence[tuple]) -> None:
        for row in rows:
            self.write_rendered(row)

    def _flush(self) -> None:
        pa, _ = require_pyarrow()
        if not self._rows:
            return
        arrays = [pa.array(list(values), type=field.type) for values, field in zip(zip(*self._rows, strict=True),
                                                                                   self.schema, strict=True)]
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))
        self._rows = []

    def close(self, rejections: Sequence[Rejection]) -> None:
        self._flush()
        self._writer.close()


def write_part(path: str, rows: Sequence[tuple], columns: Sequence[Column], provenance: Provenance) -> None:
    """One complete Parquet file from already rendered rows (a part of a partitioned output).

    pyarrow writes the part by its path, past any Python handle, so a write failure is named here.
    Errors: OutputError (exit 4) naming the part when it cannot be written (a full disk); the partial
    part is removed.
    """
    try:
        writer = ParquetWriter(path, columns, provenance)
        writer.write_rendered_many(rows)
        writer.close(())
    except OSError as exc:  # pyarrow's own OSError (ENOSPC, EFBIG, EIO ...)
        with suppress(OSError):
            os.remove(path)
        raise cannot_write(path, exc) from None

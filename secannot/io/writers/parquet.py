"""Parquet through pyarrow (optional extra ``secannot[parquet]``): typed columns, provenance in the metadata.

Numbers stay numbers (``cleavage_site`` is a nullable int32, probabilities
are float64 at full precision, not the TSV's 4 decimals), every other
column is a string with the TSV's rendering.  The file's key-value metadata
holds the same provenance document as JSON output under ``secannot``, so a
Parquet file names the tool, model and rules versions that produced it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, BinaryIO

from secannot.columns import Column
from secannot.errors import MissingDependencyError
from secannot.io.diagnostics import Rejection
from secannot.provenance import Provenance
from secannot.results import Result

INSTALL_HINT = "--format parquet needs pyarrow: pip install 'secannot[parquet]'"
_INTS = {"length": "int32", "cleavage_site": "int32", "tm_count": "int32"}
_FLOATS = {"sp_prob", "cs_prob", "nc_score"}
ROWS_PER_GROUP = 1 << 16


def require_pyarrow():
    """The pyarrow modules, or MissingDependencyError (exit 7) with the install hint."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise MissingDependencyError(INSTALL_HINT) from None
    return pyarrow, pyarrow.parquet


def schema(columns: Sequence[Column], provenance: Provenance):
    pa, _ = require_pyarrow()
    fields = []
    for col in columns:
        if col.name in _INTS:
            kind = pa.int32()
        elif col.name in _FLOATS:
            kind = pa.float64()
        else:
            kind = pa.string()
        fields.append(pa.field(col.name, kind))
    return pa.schema(fields, metadata={"secannot": json.dumps(provenance.as_dict())})


def _cell(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        return ";".join(sorted(str(v) for v in value))
    if value is None or isinstance(value, (int, float, str)):
        return value
    return str(value)


def parquet_row(result: Result, columns: Sequence[Column]) -> tuple:
    """One row's typed values in column order."""
    return tuple(_cell(c.get(result)) for c in columns)


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
    """One complete Parquet file from already rendered rows (a part of a partitioned output)."""
    writer = ParquetWriter(path, columns, provenance)
    for row in rows:
        writer.write_rendered(row)
    writer.close(())

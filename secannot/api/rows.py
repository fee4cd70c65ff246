"""Rows out: the frozen dataclasses predict and annotate return, and to_pandas' typed frame.

A row's attributes are the TSV columns (:mod:`secannot.columns`), plus the fields JSON Lines adds;
every dtype of the frame comes from the column dictionary, never from the values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field, make_dataclass
from typing import Any

from secannot.columns import ANNOTATE_COLUMNS, PREDICT_COLUMNS
from secannot.errors import MissingDependencyError

#: JSON Lines' fields beyond the columns (columns.JSON_FIELDS), keyword-only and outside to_dict(), which
#: to_pandas() builds on: both keep the TSV columns.  gpi, a dict as in JSON, is left out of == and hash().
_EXTRA_FIELDS = ("tm_segments", "tm_orientation", "signal_anchor", "gpi", "er_retention_motif")


def _row_class(name: str, columns, doc: str) -> type:
    extras = [(f, Any, field(default=None, kw_only=True, compare=f != "gpi")) for f in _EXTRA_FIELDS]
    names = tuple(c.name for c in columns)
    cls = make_dataclass(name, [(c.name, Any) for c in columns] + extras, frozen=True, slots=True, namespace={
        "to_dict": lambda self: {n: getattr(self, n) for n in names}, "__doc__": doc})
    cls.__module__ = "secannot.api"  # its public home: repr, help() and pickles name it as before the split
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
    prior; None for prokaryotes and chains under 50 residues), nc_basis (str or None), evidence (str).
    ``to_dict()`` gives them as a dict, in column order.
""" + _EXTRA_DOC)
Annotation = _row_class("Annotation", ANNOTATE_COLUMNS, """A prediction plus the annotation columns.

    Adds accession, isoform, gene (str or None), cell_sources, processes, clinical, receptors, ligands
    (sorted tuples of str; receptors/ligands from the LIANA+ consensus pairs), rules_version (str or
    None), and the UniProt columns (uniprot_signal and uniprot_location None, agreement 'no_data': the API
    does not query UniProt; None as Parquet's null, not an empty tuple, which would mean "UniProt lists none").
    ``to_dict()`` gives the TSV columns of ``secannot annotate``, in column order.
""" + _EXTRA_DOC)


def _as_row(res, annotate_rows: bool):
    """One pipeline result as a :class:`Prediction` (or :class:`Annotation`): the TSV columns' values, sets as
    sorted tuples, a list column with no value (uniprot_location without a UniProt entry) None as Parquet's null."""
    columns, cls = (ANNOTATE_COLUMNS, Annotation) if annotate_rows else (PREDICT_COLUMNS, Prediction)
    values = (None if c.kind == "list<string>" and c.name != "evidence" and (c.items or c.get)(res) is None else c.get(res)
              for c in columns)
    return cls(*(tuple(sorted(v)) if isinstance(v, (set, frozenset)) else v for v in values), **_extras(res))


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

    Raises TypeError for ``rows`` that is not iterable (None, a number), an item that is not a row of
    :func:`predict` or :func:`annotate`, a lone row (pass ``[row]``), and for Prediction and Annotation
    rows mixed: their columns differ, and filling the annotation columns of prediction rows with missing
    values would read as "no annotation found"; make one call (``annotate`` gives every predict column
    too) or one frame per kind.
    Raises MissingDependencyError (exit code 7 in the CLI) when pandas is not installed.
    """
    if isinstance(rows, (Prediction, Annotation)):
        raise TypeError(f"to_pandas takes a list of rows, got a single {type(rows).__name__}: pass [row]")
    try:
        iterator = iter(rows)
    except TypeError:  # None, a number: named in these words, not as "'NoneType' object is not iterable"
        raise TypeError("to_pandas takes a list of the rows secannot.predict or secannot.annotate return, got "
                        f"{type(rows).__name__}") from None
    rows = list(iterator)
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
    try:
        import pandas as pd
    except ImportError:
        raise MissingDependencyError("to_pandas needs pandas: pip install 'secannot[pandas]'") from None
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

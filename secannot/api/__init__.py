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

The modules follow the data: :mod:`~secannot.api.records` turns FASTA and Python values into records,
:mod:`~secannot.api.options` checks the settings as the CLI does, the pipeline predicts, and
:mod:`~secannot.api.rows` makes the rows and frames; this module runs them in that order.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from secannot.api.options import _config
from secannot.api.records import FastaRecord, SkippedRecordsWarning, _as_records, read_fasta
from secannot.api.rows import Annotation, Prediction, _as_row, to_pandas
from secannot.pipeline.predictor import PredictConfig, Predictor, predict_stream

__all__ = ["Annotation", "FastaRecord", "Prediction", "SkippedRecordsWarning", "annotate", "predict", "read_fasta",
           "to_pandas"]


_PREDICTORS: dict[tuple[PredictConfig, bool], Predictor] = {}


def _predictor(config: PredictConfig, annotate: bool):
    key = (config, annotate)  # annotate also loads the TME rules
    if key not in _PREDICTORS:
        from secannot.pipeline.predictor import load_rule_set

        _PREDICTORS[key] = Predictor(config, load_rule_set(config, annotate))
    return _PREDICTORS[key]


def _run(records: Iterable[Any], config: PredictConfig, annotate_rows: bool) -> list:
    checked = _as_records(records)  # records that cannot be used: a TypeError before any model loads
    predictor = _predictor(config, annotate_rows)
    return [_as_row(res, annotate_rows) for res in predict_stream(checked, config, predictor, annotate=annotate_rows)]


def predict(records: Iterable[Any], *, organism: str = "eukarya", nc_threshold: float | None = None,
            nc_prior: float | None = None, signal_only: bool = False,
            rules: str | os.PathLike | Iterable[str | os.PathLike] = (), batch_residues: int = 1 << 20) -> list:
    """Signal peptide, cleavage site and localisation for every record, in input order.

    ``records``: an iterable (a list, a generator, :func:`read_fasta`, ``Bio.SeqIO.parse``) of
    (id, sequence) pairs, bare sequences (str, bytes or Biopython ``Seq``; named seq1, seq2, ... by
    position) or objects with ``.id`` and ``.seq`` (Biopython SeqRecords; one made without an id is
    named by position too); a pair's sequence may be a str, bytes or ``Seq``.  One protein is still a
    list: ``predict([seq])``, ``predict([(id, seq)])``, ``predict([record])``.

    ``organism`` (str): eukarya, gram-negative, gram-positive or archaea (any case).  ``nc_prior``
    (float, 0.000001-0.999999, default the model's 0.02) is the share of leaderless-secreted proteins
    assumed when nc_score is turned into a probability (as ``--nc-prior``); ``nc_threshold`` (float,
    0-1) overrides the nc_score threshold; both apply to eukaryotes only.  ``signal_only`` (bool)
    skips localisation; ``rules`` are extra rule directories (a path, str or os.PathLike, or an
    iterable of them); ``batch_residues`` (int >= 1, residues per batch) bounds memory only (results
    never depend on it).  Returns a list of :class:`Prediction`.

    Raises InputError naming the first invalid record (empty, bad characters, named with their code
    points, whitespace inside a sequence string, an empty id or one with whitespace, an id already
    given: ids are the rows' keys, as in the CLI; an automatic seqN name taken by a given id, or the
    reverse, says which record was named automatically), RulesError for an invalid rule directory.
    Raises, before reading any record, TypeError for an option of the wrong type (``signal_only`` not
    True or False: ``"no"`` is truthy; ``rules`` neither a path nor an iterable of paths), ValueError for
    a number out of range (or nan) or a ``rules`` directory that is empty-named or given twice, and ModelError for an unknown organism, naming what is accepted as the
    CLI does.  Warns (UserWarning, as the CLI) that ``nc_threshold``/``nc_prior`` are not used when given
    with ``signal_only`` or a prokaryotic organism.  Raises TypeError for ``records`` that is not
    iterable (None), for an unusable item, and for a lone str, bytes, Seq, SeqRecord, mapping or
    (id, sequence) pair in place of the records: a 2-tuple whose first item is a str that is not a
    protein sequence (it holds a digit, '|', '_', ...) and whose second is a sequence.  ``("MKV",
    "MKWV")`` is two bare sequences, and so is ``("VEGFA", "MKWV")``: an id of letters only needs a list.
    """
    config = _config(organism, nc_threshold, nc_prior, rules, signal_only=signal_only, batch_residues=batch_residues)
    return _run(records, config, annotate_rows=False)


def annotate(records: Iterable[Any], *, organism: str = "eukarya", nc_threshold: float | None = None,
             nc_prior: float | None = None, rules: str | os.PathLike | Iterable[str | os.PathLike] = (),
             family_claims: bool = True, batch_residues: int = 1 << 20) -> list:
    """:func:`predict`, plus the tumour-microenvironment annotation columns; returns :class:`Annotation` rows.

    Proteins match the rules by UniProt-style ids (sp|P15692|VEGFA_HUMAN, a bare accession) as in
    ``secannot annotate``; UniProt itself is not queried.  ``family_claims=False`` drops claims the source
    states only for the protein's family (as ``--no-family``); TypeError unless it is True or False.
    Raises and warns as :func:`predict`.
    """
    config = _config(organism, nc_threshold, nc_prior, rules, family_claims=family_claims,
                     batch_residues=batch_residues)
    return _run(records, config, annotate_rows=True)

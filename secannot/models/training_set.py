"""Which proteins the shipped signal-peptide model was trained on, as a compact fingerprint set.

Scoring a model on its own training proteins gives flattering figures (model 1.1.0 "reached" MCC 0.935 on
benchmark_dev.3line, which it was trained on). ``secannot evaluate`` therefore checks the scored file
against this set and names the overlapping fraction.

The set holds 64-bit hashes (the first 8 bytes of BLAKE2b) of each training protein's accession and of its
first 70 residues - never the sequences themselves, whose licences (SignalP 6.0 CC BY-NC-ND 2.0, TargetP 2.0
CC BY-NC-SA 4.0) do not allow redistribution in an MIT package. With a few times 10^4 entries the chance
that an unrelated protein collides is about 10^-15 per lookup.

File: ``secannot/data/sp_training_set.npz`` with arrays ``accessions`` and ``sequences`` (sorted uint64)
and ``model_version`` (the model it describes); written by ``train/train_sp.py``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

FILE_NAME = "sp_training_set.npz"
#: The leaderless-secretion (nc) model's training proteins, written by ``train/train_nonclassical.py``.
NC_FILE_NAME = "nc_training_set.npz"
#: Residues compared: the model reads only the first 70, so equal 70-residue N-termini are the same input.
PREFIX = 70


def accession_key(accession: str) -> str:
    """Upper case, sequence version dropped (``p12345.2`` -> ``P12345``); an isoform suffix (``-2``) is kept."""
    return accession.strip().upper().split(".")[0]


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def fingerprints(keys: Iterable[str]) -> np.ndarray:
    """Sorted unique uint64 hashes of ``keys``."""
    return np.unique(np.fromiter((_hash(k) for k in keys), dtype=np.uint64))


def _sequence_keys(sequences: Iterable[str]) -> list[str]:
    return [s[:PREFIX].upper() for s in sequences]


@dataclass(frozen=True, slots=True)
class Overlap:
    """How many scored proteins were training proteins: by accession, by 70-residue N-terminus, by either."""

    n: int
    by_accession: int
    by_sequence: int
    either: int

    @property
    def fraction(self) -> float:
        return self.either / self.n if self.n else 0.0

    def warning(self, model_version: str, model: str = "signal-peptide model") -> str | None:
        """One line for the report, or None when nothing overlaps."""
        if not self.either:
            return None
        return (f"warning: {self.either} of {self.n} scored proteins ({100 * self.fraction:.1f}%) are training "
                f"proteins of {model} {model_version} ({self.by_accession} by accession, "
                f"{self.by_sequence} by identical first {PREFIX} residues); figures on them are not an "
                "independent estimate")


@dataclass(frozen=True, slots=True)
class TrainingSet:
    accessions: np.ndarray  # (n,) sorted uint64
    sequences: np.ndarray  # (m,) sorted uint64
    model_version: str

    @classmethod
    def load(cls, path: str | Path | None = None, file_name: str = FILE_NAME) -> TrainingSet | None:
        """The bundled set ``file_name`` (or ``path``); None when there is none, so older installs simply do not warn."""
        try:
            if path is None:
                with resources.as_file(resources.files("secannot") / "data" / file_name) as p:
                    arrays = dict(np.load(p))
            else:
                arrays = dict(np.load(path))
        except FileNotFoundError:
            return None
        return cls(arrays["accessions"], arrays["sequences"], str(arrays["model_version"]))

    @staticmethod
    def _member(table: np.ndarray, keys: Sequence[str]) -> np.ndarray:
        hashes = np.fromiter((_hash(k) for k in keys), dtype=np.uint64, count=len(keys))
        if not len(table):
            return np.zeros(len(keys), dtype=bool)
        pos = np.minimum(np.searchsorted(table, hashes), len(table) - 1)
        return table[pos] == hashes

    def overlap(self, accessions: Sequence[str], sequences: Sequence[str]) -> Overlap:
        """Overlap of scored proteins (parallel lists of accessions and sequences) with the training set."""
        by_acc = self._member(self.accessions, [accession_key(a) for a in accessions])
        by_seq = self._member(self.sequences, _sequence_keys(sequences))
        return Overlap(len(accessions), int(by_acc.sum()), int(by_seq.sum()), int((by_acc | by_seq).sum()))


def write(path: str | Path, accessions: Iterable[str], sequences: Iterable[str], model_version: str) -> None:
    """Write the fingerprint file for a model trained on these proteins."""
    np.savez_compressed(path, accessions=fingerprints(accession_key(a) for a in accessions),
                        sequences=fingerprints(_sequence_keys(sequences)), model_version=np.array(model_version))


def check_overlap(accessions: Sequence[str], sequences: Sequence[str], model_version: str,
                  file_name: str = FILE_NAME, model: str = "signal-peptide model") -> dict | None:
    """Overlap of scored proteins with a bundled training set, as a report field; None without a bundled set.

    ``file_name`` picks the set (:data:`FILE_NAME` for the signal-peptide model, :data:`NC_FILE_NAME` for the
    leaderless-secretion model). Returns counts, ``fraction`` and ``warning`` (a one-line text, or None when
    nothing overlaps).
    """
    shipped = TrainingSet.load(file_name=file_name)
    if shipped is None:
        return None
    found = shipped.overlap(accessions, sequences)
    return {"n": found.n, "by_accession": found.by_accession, "by_sequence": found.by_sequence,
            "either": found.either, "fraction": found.fraction, "warning": found.warning(model_version, model)}

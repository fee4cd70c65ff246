"""Reading the SignalP 6.0 three-line benchmark format and scoring predictions on it.

Metrics follow the SignalP 5/6 papers so that users can reproduce published
figures: per kingdom, detection of Sec/SPI against every other sequence (MCC2
in SignalP 6 terms; MCC1, against NO_SP only, is reported too), and
cleavage-site precision = correct sites / all predicted Sec/SPI sequences,
recall = correct sites / all true Sec/SPI sequences, exact and within +-1.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from secannot.errors import InputError

#: Benchmark kingdoms and the organism group secannot predicts them with.
KINGDOM_TO_ORGANISM = {
    "EUKARYA": "eukarya",
    "ARCHAEA": "archaea",
    "NEGATIVE": "gram-negative",
    "POSITIVE": "gram-positive",
}
#: Per-residue label letter of each signal type.
TYPE_LABEL = {"SP": "S", "LIPO": "L", "TAT": "T", "TATLIPO": "T", "PILIN": "P"}
SIGNAL_TYPES = ("NO_SP", "SP", "LIPO", "TAT", "TATLIPO", "PILIN")


@dataclass(frozen=True, slots=True)
class BenchmarkRecord:
    accession: str
    kingdom: str
    sp_type: str
    partition: int
    sequence: str
    labels: str

    @property
    def cleavage_site(self) -> int | None:
        """1-based last residue of the signal peptide, from the labels."""
        if self.sp_type == "NO_SP":
            return None
        last = self.labels.rfind(TYPE_LABEL[self.sp_type])
        return last + 1 if last >= 0 else None


def read_three_line(handle: TextIO, source: str) -> Iterator[BenchmarkRecord]:
    """Parse ``>ACC|KINGDOM|TYPE|PARTITION`` / sequence / labels triples."""
    lines = (line.rstrip("\r\n") for line in handle)
    number = 0
    for header in lines:
        number += 1
        if not header.strip():
            continue
        if not header.startswith(">"):
            raise InputError(f"{source}:{number}: expected a '>ACC|KINGDOM|TYPE|PARTITION' header")
        seq = next(lines, None)
        labels = next(lines, None)
        number += 2
        if seq is None or labels is None:
            raise InputError(f"{source}:{number - 2}: record {header[1:]!r} is truncated")
        fields = header[1:].split("|")
        if len(fields) != 4 or fields[1] not in KINGDOM_TO_ORGANISM or fields[2] not in SIGNAL_TYPES:
            raise InputError(f"{source}:{number - 2}: malformed header {header!r}")
        if len(seq) != len(labels):
            raise InputError(f"{source}:{number - 2}: {fields[0]}: sequence and label lengths differ")
        try:
            partition = int(fields[3])
        except ValueError:
            raise InputError(f"{source}:{number - 2}: partition {fields[3]!r} is not a number") from None
        yield BenchmarkRecord(fields[0], fields[1], fields[2], partition, seq.strip().upper(), labels.strip())


def mcc(tp: int, fp: int, fn: int, tn: int) -> float:
    den = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return (tp * tn - fp * fn) / den if den else 0.0


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass
class KingdomScore:
    """Confusion counts and cleavage-site tallies for one kingdom."""

    kingdom: str
    n: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    fp_no_sp: int = 0  # false positives among NO_SP only (for MCC1)
    tn_no_sp: int = 0
    cs_exact: int = 0
    cs_within1: int = 0
    predicted: int = 0
    true: int = 0
    by_type: dict[str, int] = field(default_factory=dict)

    def add(self, true_type: str, true_cs: int | None, predicted_sp: bool, predicted_cs: int | None) -> None:
        self.n += 1
        self.by_type[true_type] = self.by_type.get(true_type, 0) + 1
        is_sp = true_type == "SP"
        self.true += is_sp
        self.predicted += predicted_sp
        if is_sp and predicted_sp:
            self.tp += 1
            if predicted_cs is not None and true_cs is not None:
                self.cs_exact += predicted_cs == true_cs
                self.cs_within1 += abs(predicted_cs - true_cs) <= 1
        elif predicted_sp:
            self.fp += 1
            if true_type == "NO_SP":
                self.fp_no_sp += 1
        elif is_sp:
            self.fn += 1
        else:
            self.tn += 1
            if true_type == "NO_SP":
                self.tn_no_sp += 1

    def as_dict(self) -> dict:
        return {
            "kingdom": self.kingdom,
            "n": self.n,
            "by_type": dict(sorted(self.by_type.items())),
            "confusion": {"tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn},
            "mcc": mcc(self.tp, self.fp, self.fn, self.tn),
            "mcc1": mcc(self.tp, self.fp_no_sp, self.fn, self.tn_no_sp),
            "precision": _ratio(self.tp, self.tp + self.fp),
            "recall": _ratio(self.tp, self.tp + self.fn),
            "cs_exact": {
                "correct": self.cs_exact,
                "precision": _ratio(self.cs_exact, self.predicted),
                "recall": _ratio(self.cs_exact, self.true),
            },
            "cs_within1": {
                "correct": self.cs_within1,
                "precision": _ratio(self.cs_within1, self.predicted),
                "recall": _ratio(self.cs_within1, self.true),
            },
        }


def score_signalp(
    records: Iterable[BenchmarkRecord], calls: Iterable[tuple[bool, int | None]]
) -> dict[str, KingdomScore]:
    """Tally predictions (``(is_sec_spi, cleavage_site)`` per record) by kingdom."""
    scores: dict[str, KingdomScore] = {}
    for rec, (is_sp, cs) in zip(records, calls, strict=True):
        score = scores.setdefault(rec.kingdom, KingdomScore(rec.kingdom))
        score.add(rec.sp_type, rec.cleavage_site, is_sp, cs)
    return scores

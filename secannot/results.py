"""The per-protein result that every stage fills in and every writer reads.

Stages run in order (signal peptide, then localisation, then annotation), and
each one owns its own fields; a field left at its default means "that stage
did not run", which writers render as an empty cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Record:
    """One accepted protein.  ``seq`` is upper-case ASCII without a stop."""

    id: str
    description: str
    seq: bytes
    source: str
    line: int

    @property
    def sequence(self) -> str:
        return self.seq.decode("ascii")

    def __len__(self) -> int:
        return len(self.seq)


@dataclass(frozen=True, slots=True)
class Segment:
    """A 1-based, inclusive range on the protein.

    ``orientation`` is set on transmembrane helices from the topology model:
    ``"in->out"`` when the helix's N-terminal end is on the cytoplasmic side.
    """

    start: int
    end: int
    orientation: str | None = None

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"


@dataclass(slots=True)
class Result:
    record: Record
    # signal peptide (secannot.models.signal_peptide)
    sp_prob: float | None = 0.0  # None: no residue for the model to read (models.masking.withhold_blind_sp_prob)
    cleavage_site: int | None = None
    cs_prob: float | None = None
    # localisation (secannot.models.localization)
    #: classical, non-classical or none; None when not assessed (``predict --signal-only`` without a signal
    #: peptide: leaderless secretion was not looked at, so "none" would claim what nobody checked)
    route: str | None = "none"
    localization: str | None = None
    confidence: str | None = None  # high / medium / low, see secannot.models.confidence
    tm_segments: list[Segment] = field(default_factory=list)
    signal_anchor: Segment | None = None
    gpi: dict[str, Any] | None = None
    er_motif: str | None = None
    nc_score: float | None = None
    nc_rule: dict[str, Any] | None = None
    nc_basis: str | None = None
    evidence: list[str] = field(default_factory=list)
    # annotation (secannot.knowledge.annotate)
    annotation: Any = None
    # UniProt (secannot.uniprot)
    uniprot: Any = None
    note: str | None = None

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def length(self) -> int:
        return len(self.record.seq)

    @property
    def has_signal_peptide(self) -> bool:
        return self.cleavage_site is not None

    @property
    def signal_peptide(self) -> Segment | None:
        return Segment(1, self.cleavage_site) if self.cleavage_site is not None else None

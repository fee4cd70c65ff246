"""Ligand-receptor crosstalk in a hit list: which hit signals to which, and from which cells to which.

A pair is reported when a protein of the input (or of the background) is a ligand,
or a ligand subunit, of a pair in the shipped ligand-receptor table
(:mod:`secannot.knowledge.ligrec`, LIANA+ consensus) whose receptor, or one of its
subunits, is another protein of the lists.  Scopes:

* ``within``: ligand and receptor are both hits;
* ``to_background``: a hit ligand, a receptor found only in the background;
* ``from_background``: a background-only ligand signalling to a hit receptor.

Without a background only ``within`` pairs exist.  Senders are the TME cell
sources the rules give the ligand; receivers are the cell sources the rules give
the receptor protein, since the rules record who makes a protein and, for a
membrane receptor, that is the cell that carries it.  Either is empty when the
rules have no such claim ("unknown" in the heat map).  Proteins are matched by
gene symbol; proteins without one take no part.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from secannot.knowledge.ligrec import load_ligand_receptor

SCOPES: tuple[str, ...] = ("within", "to_background", "from_background")
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Party:
    """What the crosstalk needs of one protein of the lists."""

    label: str
    gene: str
    cell_sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CrosstalkPair:
    scope: str
    ligand: str  # gene symbol of the ligand protein in the lists
    receptor: str  # gene symbol of the receptor protein (or receptor subunit) in the lists
    complex_ligand: str  # the resource's ligand, complexes as A_B
    complex_receptor: str  # the resource's receptor, complexes as A_B
    senders: tuple[str, ...]
    receivers: tuple[str, ...]
    origin: str
    resources: tuple[str, ...]

    @property
    def name(self) -> str:
        """'VEGFA->KDR', with the resource's complex when it differs: 'VEGFA->KDR (FLT1_KDR)'."""
        text = f"{self.ligand}->{self.receptor}"
        extra = [c for c, g in ((self.complex_ligand, self.ligand), (self.complex_receptor, self.receptor)) if c != g]
        return f"{text} ({', '.join(extra)})" if extra else text

    def as_dict(self) -> dict[str, object]:
        return {
            "scope": self.scope, "ligand": self.ligand, "receptor": self.receptor,
            "resource_ligand": self.complex_ligand, "resource_receptor": self.complex_receptor,
            "senders": list(self.senders), "receivers": list(self.receivers),
            "origin": self.origin, "resources": list(self.resources),
        }


def find_crosstalk(hits: Iterable[Party], background: Iterable[Party] | None = None) -> tuple[CrosstalkPair, ...]:
    """Every ligand->receptor pair among the lists, sorted by scope, ligand, receptor (see the module doc)."""
    fg = {p.gene.upper(): p for p in hits if p.gene}
    bg_only = {k: p for p in (background or ()) if p.gene and (k := p.gene.upper()) not in fg}
    table = load_ligand_receptor()
    found: dict[tuple[str, str, str, str, str], CrosstalkPair] = {}
    plans = (("within", fg, fg), ("to_background", fg, bg_only), ("from_background", bg_only, fg))
    for scope, senders, receivers in plans:
        if not senders or not receivers:
            continue
        for ligand, receptor, pair in table.pairs_among(senders, receivers):
            send, recv = senders[ligand.upper()], receivers[receptor.upper()]
            if send is recv:
                continue  # autocrine loops of one protein with itself are not crosstalk between hits
            key = (scope, send.gene, recv.gene, pair.ligand, pair.receptor)
            found[key] = CrosstalkPair(scope, send.gene, recv.gene, pair.ligand, pair.receptor,
                                       send.cell_sources, recv.cell_sources, pair.origin, pair.resources)
    return tuple(sorted(found.values(), key=lambda c: (SCOPES.index(c.scope), c.ligand, c.receptor, c.complex_receptor)))


def sender_receiver_counts(pairs: Iterable[CrosstalkPair]) -> dict[tuple[str, str], int]:
    """(sender cell type, receiver cell type) -> number of pairs; 'unknown' stands in for a missing side."""
    counts: dict[tuple[str, str], int] = {}
    for pair in pairs:
        for sender in pair.senders or (UNKNOWN,):
            for receiver in pair.receivers or (UNKNOWN,):
                counts[sender, receiver] = counts.get((sender, receiver), 0) + 1
    return counts


def axis_order(counts: Mapping[tuple[str, str], int], side: int) -> list[str]:
    """Cell types by total pairs (descending), 'unknown' last."""
    totals: dict[str, int] = {}
    for key, n in counts.items():
        totals[key[side]] = totals.get(key[side], 0) + n
    return sorted(totals, key=lambda t: (t == UNKNOWN, -totals[t], t))

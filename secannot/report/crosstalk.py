"""Ligand-receptor crosstalk in a hit list: which hit signals to which, and from which cells to which.

A pair is reported when a protein of the input (or of the background) is a ligand,
or a ligand subunit, of a pair in the shipped ligand-receptor table
(:mod:`secannot.knowledge.ligrec`, LIANA+ consensus) whose receptor, or one of its
subunits, is another protein of the lists.  Scopes:

* ``within``: ligand and receptor are both hits;
* ``to_background``: a hit ligand, a receptor found only in the background;
* ``from_background``: a background-only ligand signalling to a hit receptor.

Counting: a pair is one (ligand gene, receptor gene) of the lists per scope, however
many resource entries link them.  Complexes are collapsed into their member genes,
and every resource entry that links the two genes (``CSF1->CSF1R`` and the complex
``CSF1_IL34->CSF1R``; the five TGFBR2-containing receptors of TGFB1) is kept as
supporting evidence (``resource_pairs``), so one gene pair is never counted once per
complex in the table or the sender->receiver heat map.  A gene pair is listed
even when the other subunits of a complex are absent from the lists (proteomics
misses subunits often); ``direct`` says whether a one-to-one entry exists.

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

from secannot.knowledge.ligrec import Pair, load_ligand_receptor

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
    """One ligand gene -> receptor gene of the lists in one scope, with every resource entry behind it."""

    scope: str
    ligand: str  # gene symbol of the ligand protein in the lists
    receptor: str  # gene symbol of the receptor protein (or receptor subunit) in the lists
    senders: tuple[str, ...]
    receivers: tuple[str, ...]
    resource_pairs: tuple[tuple[str, str], ...]  # (ligand, receptor) entries of the table, complexes as A_B; sorted
    origin: str  # 'consensus' when any supporting entry is, else 'supplement'
    resources: tuple[str, ...]  # union over the supporting entries, sorted

    @property
    def name(self) -> str:
        """'VEGFA->KDR': one name per gene pair, whatever complexes support it."""
        return f"{self.ligand}->{self.receptor}"

    @property
    def direct(self) -> bool:
        """True when the table has the one-to-one entry ligand->receptor, not only complexes."""
        return any(lig.upper() == self.ligand.upper() and rec.upper() == self.receptor.upper()
                   for lig, rec in self.resource_pairs)

    def evidence(self) -> str:
        """'VEGFA->FLT1_KDR; VEGFA->KDR': the supporting resource entries, for tables."""
        return "; ".join(f"{lig}->{rec}" for lig, rec in self.resource_pairs)

    def as_dict(self) -> dict[str, object]:
        return {
            "scope": self.scope, "ligand": self.ligand, "receptor": self.receptor,
            "senders": list(self.senders), "receivers": list(self.receivers), "direct": self.direct,
            "resource_pairs": [{"ligand": lig, "receptor": rec} for lig, rec in self.resource_pairs],
            "origin": self.origin, "resources": list(self.resources),
        }


def find_crosstalk(hits: Iterable[Party], background: Iterable[Party] | None = None) -> tuple[CrosstalkPair, ...]:
    """Every ligand gene -> receptor gene pair among the lists, once per scope, sorted by scope, ligand, receptor.

    Resource entries linking the same two genes (directly or through complexes) are merged into one pair,
    see the module docstring.
    """
    fg = {p.gene.upper(): p for p in hits if p.gene}
    bg_only = {k: p for p in (background or ()) if p.gene and (k := p.gene.upper()) not in fg}
    table = load_ligand_receptor()
    support: dict[tuple[str, str, str], tuple[Party, Party, list[Pair]]] = {}
    plans = (("within", fg, fg), ("to_background", fg, bg_only), ("from_background", bg_only, fg))
    for scope, senders, receivers in plans:
        if not senders or not receivers:
            continue
        for ligand, receptor, pair in table.pairs_among(senders, receivers):
            send, recv = senders[ligand.upper()], receivers[receptor.upper()]
            if send is recv:
                continue  # autocrine loops of one protein with itself are not crosstalk between hits
            support.setdefault((scope, send.gene, recv.gene), (send, recv, []))[2].append(pair)
    found = [_merged(scope, send, recv, entries) for (scope, _, _), (send, recv, entries) in support.items()]
    return tuple(sorted(found, key=lambda c: (SCOPES.index(c.scope), c.ligand, c.receptor)))


def _merged(scope: str, send: Party, recv: Party, entries: list[Pair]) -> CrosstalkPair:
    origin = "consensus" if any(e.origin == "consensus" for e in entries) else "supplement"
    return CrosstalkPair(scope, send.gene, recv.gene, send.cell_sources, recv.cell_sources,
                         tuple(sorted({(e.ligand, e.receptor) for e in entries})), origin,
                         tuple(sorted({r for e in entries for r in e.resources})))


def sender_receiver_counts(pairs: Iterable[CrosstalkPair]) -> dict[tuple[str, str], int]:
    """(sender cell type, receiver cell type) -> number of gene pairs; 'unknown' stands in for a missing side.

    Each gene pair counts once per scope (complexes are merged in :func:`find_crosstalk`).
    """
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

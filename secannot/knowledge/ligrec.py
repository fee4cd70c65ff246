"""Ligand-receptor pairs and the gene-accession table shipped as package data.

The pairs are the LIANA+ consensus resource (liana 1.10.0, built by OmniPath from
CellPhoneDB, CellChatDB, ICELLNET, connectomeDB2020, CellTalkDB and others) plus
a small, documented supplement; ``scripts/extract_ligand_receptor.py`` writes
them and ``secannot/data/ligand_receptor.json`` records their provenance and
licences.  Complexes keep LIANA's notation: ``TGFBR1_TGFBR2`` is one receptor made
of two subunits.  A gene *takes part* in a pair when it is the ligand or the
receptor or one of their subunits, so KDR is a receptor of VEGFA through the
FLT1_KDR complex.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

PAIRS_FILE = "ligand_receptor.tsv"
META_FILE = "ligand_receptor.json"
ACCESSIONS_FILE = "gene_accessions.tsv"


def subunits(symbol: str) -> tuple[str, ...]:
    """'TGFBR1_TGFBR2' -> ('TGFBR1', 'TGFBR2'); a single gene is its own only subunit."""
    return tuple(symbol.split("_")) if "_" in symbol else (symbol,)


@dataclass(frozen=True, slots=True)
class Pair:
    ligand: str
    receptor: str
    origin: str  # 'consensus' or 'supplement'
    resources: tuple[str, ...]


@dataclass
class LigandReceptorTable:
    """Lookup by gene symbol (upper case) in both directions, subunits included."""

    pairs: tuple[Pair, ...]
    meta: dict[str, Any] = field(default_factory=dict)
    _by_ligand_gene: dict[str, list[Pair]] = field(default_factory=lambda: defaultdict(list), repr=False)
    _by_receptor_gene: dict[str, list[Pair]] = field(default_factory=lambda: defaultdict(list), repr=False)

    def __post_init__(self) -> None:
        for pair in self.pairs:
            for gene in subunits(pair.ligand):
                self._by_ligand_gene[gene.upper()].append(pair)
            for gene in subunits(pair.receptor):
                self._by_receptor_gene[gene.upper()].append(pair)

    @property
    def version(self) -> str:
        source = self.meta.get("source", {})
        return f"{source.get('package', 'liana')} {source.get('version', '?')}"

    def receptors_of(self, gene: str | None) -> tuple[str, ...]:
        """Receptors (complexes as A_B) of the ligand ``gene``, sorted; () when it is no ligand."""
        if not gene:
            return ()
        return tuple(sorted({p.receptor for p in self._by_ligand_gene.get(gene.upper(), ())}))

    def ligands_of(self, gene: str | None) -> tuple[str, ...]:
        """Ligands of the receptor (or receptor subunit) ``gene``, sorted."""
        if not gene:
            return ()
        return tuple(sorted({p.ligand for p in self._by_receptor_gene.get(gene.upper(), ())}))

    def resources_of(self, gene: str | None) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """(receptor -> resources, ligand -> resources) of ``gene``'s pairs, each partner's resources sorted
        (the union over its pairs; a pair without named resources lists where it comes from:
        'secannot_supplement', or 'liana_consensus' for the 18 consensus pairs LIANA+ ships without them).

        Why: the consensus table puts a pair that one resource lists beside one that six do; the
        receptors/ligands lists alone cannot tell them apart.
        """
        if not gene:
            return {}, {}
        out: tuple[dict[str, set[str]], dict[str, set[str]]] = ({}, {})
        for side, table, partner in ((0, self._by_ligand_gene, "receptor"), (1, self._by_receptor_gene, "ligand")):
            for pair in table.get(gene.upper(), ()):
                found = pair.resources or (("secannot_supplement",) if pair.origin == "supplement" else
                                           ("liana_consensus",))
                out[side].setdefault(getattr(pair, partner), set()).update(found)
        return tuple({k: sorted(v) for k, v in sorted(d.items())} for d in out)  # type: ignore[return-value]

    def has_pair(self, ligand: str, receptor: str) -> bool:
        """True when ``ligand`` signals to ``receptor``, directly or as a subunit of a complex."""
        wanted = receptor.upper()
        return any(wanted in {s.upper() for s in subunits(p.receptor)} for p in self._by_ligand_gene.get(ligand.upper(), ()))

    def pairs_among(self, senders: Iterable[str], receivers: Iterable[str]) -> list[tuple[str, str, Pair]]:
        """(ligand gene, receptor gene, pair) for every sender gene that is a ligand (or ligand subunit) of a
        pair whose receptor has a subunit among ``receivers``; each subunit match is one row."""
        receiver_set = {g.upper(): g for g in receivers}
        rows: list[tuple[str, str, Pair]] = []
        seen: set[tuple[str, str, str, str]] = set()
        for sender in dict.fromkeys(senders):
            for pair in self._by_ligand_gene.get(sender.upper(), ()):
                for sub in subunits(pair.receptor):
                    target = receiver_set.get(sub.upper())
                    key = (sender, target or "", pair.ligand, pair.receptor)
                    if target is not None and key not in seen:
                        seen.add(key)
                        rows.append((sender, target, pair))
        return rows


def _data_text(name: str) -> str:
    return (resources.files("secannot") / "data" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def load_ligand_receptor() -> LigandReceptorTable:
    """The shipped table (read once per process). Raises OSError if the package data are missing."""
    rows = csv.DictReader(_data_text(PAIRS_FILE).splitlines(), delimiter="\t")
    pairs = tuple(
        Pair(r["ligand"], r["receptor"], r["origin"], tuple(x for x in r["resources"].split(",") if x)) for r in rows
    )
    return LigandReceptorTable(pairs, json.loads(_data_text(META_FILE)))


@lru_cache(maxsize=1)
def gene_accessions() -> dict[str, frozenset[str]]:
    """HGNC symbol (upper case) -> UniProt accessions, from the shipped offline table."""
    table: dict[str, set[str]] = defaultdict(set)
    for row in csv.DictReader(_data_text(ACCESSIONS_FILE).splitlines(), delimiter="\t"):
        table[row["gene"].upper()].add(row["accession"])
    return {gene: frozenset(accs) for gene, accs in table.items()}


@lru_cache(maxsize=1)
def accession_genes() -> dict[str, str]:
    """UniProt accession -> symbol, for accessions that belong to exactly one symbol in the table."""
    owners: dict[str, set[str]] = defaultdict(set)
    for gene, accs in gene_accessions().items():
        for acc in accs:
            owners[acc].add(gene)
    return {acc: next(iter(genes)) for acc, genes in owners.items() if len(genes) == 1}

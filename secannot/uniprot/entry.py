"""One UniProtKB entry, reduced to what secannot compares its predictions with.

The REST JSON is large and deeply nested; parsing it once into a small frozen
record keeps the rest of secannot free of JSON paths, and lets a test pin
each path against a real served entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from secannot.io.fasta import check_sequence
from secannot.io.headers import ACCESSION_PATTERN
from secannot.results import Segment

#: An accession with an optional isoform suffix (P05067, P05067-4).
ACCESSION_WITH_ISOFORM = re.compile(rf"(?:{ACCESSION_PATTERN})(?:-[0-9]+)?")

SECRETED_KEYWORD = "KW-0964"
SECRETED_LOCATION = "SL-0243"
REVIEWED_TYPE = "UniProtKB reviewed (Swiss-Prot)"
INACTIVE_TYPE = "Inactive"


class EntryFormatError(ValueError):
    """The JSON is not an active UniProtKB entry secannot can use."""


@dataclass(frozen=True, slots=True)
class UniProtEntry:
    """An active entry (or isoform).  Sequences of tuples keep it hashable."""

    accession: str
    entry_name: str
    reviewed: bool
    entry_type: str
    gene: str | None
    gene_synonyms: tuple[str, ...]
    taxon_id: int | None
    organism: str | None
    protein_name: str | None
    sequence: str
    md5: str | None
    signal: Segment | None
    transmembrane: tuple[Segment, ...]
    gpi: bool
    propeptides: tuple[Segment, ...]
    locations: tuple[str, ...]
    location_ids: tuple[str, ...]
    keywords: tuple[str, ...]
    secreted: bool
    sequence_version: int | None = None
    protein_existence: int | None = None

    @property
    def length(self) -> int:
        return len(self.sequence)

    def fasta_header(self) -> str:
        """A header in UniProt's own FASTA style, so downstream tools recognise it."""
        db = "sp" if self.reviewed else "tr"
        parts = [f"{db}|{self.accession}|{self.entry_name}"]
        if self.protein_name:
            parts.append(self.protein_name)
        if self.organism:
            parts.append(f"OS={self.organism}")
        if self.taxon_id is not None:
            parts.append(f"OX={self.taxon_id}")
        if self.gene:
            parts.append(f"GN={self.gene}")
        if self.protein_existence is not None:
            parts.append(f"PE={self.protein_existence}")
        if self.sequence_version is not None:
            parts.append(f"SV={self.sequence_version}")
        return " ".join(parts)

    def as_dict(self, include_sequence: bool = False) -> dict[str, Any]:
        """JSON-ready fields; the sequence is left out unless asked for, as the
        output record already carries it."""
        data: dict[str, Any] = {
            "accession": self.accession,
            "entry_name": self.entry_name,
            "reviewed": self.reviewed,
            "gene": self.gene,
            "gene_synonyms": list(self.gene_synonyms),
            "taxon_id": self.taxon_id,
            "organism": self.organism,
            "protein_name": self.protein_name,
            "length": self.length,
            "md5": self.md5,
            "sequence_version": self.sequence_version,
            "signal": str(self.signal) if self.signal else None,
            "transmembrane": [str(s) for s in self.transmembrane],
            "gpi": self.gpi,
            "propeptides": [str(s) for s in self.propeptides],
            "locations": list(self.locations),
            "location_ids": list(self.location_ids),
            "keywords": list(self.keywords),
            "secreted": self.secreted,
        }
        if include_sequence:
            data["sequence"] = self.sequence
        return data


def is_inactive(data: Mapping[str, Any]) -> bool:
    return data.get("entryType") == INACTIVE_TYPE


def parse_entry(data: Mapping[str, Any]) -> UniProtEntry:
    """Build a :class:`UniProtEntry` from one ``/uniprotkb`` JSON object.

    Raises :class:`EntryFormatError` for inactive entries and for JSON that
    lacks an accession or a sequence, the two things nothing can do without.
    """
    if is_inactive(data):
        raise EntryFormatError(f"{data.get('primaryAccession')}: entry is inactive")
    accession = data.get("primaryAccession")
    sequence = _get(data, "sequence", "value")
    if not isinstance(accession, str) or not isinstance(sequence, str) or not sequence:
        raise EntryFormatError("not a UniProtKB entry: no primaryAccession or sequence")
    if not ACCESSION_WITH_ISOFORM.fullmatch(accession):
        raise EntryFormatError(f"served accession {accession!r} is not a UniProt accession")
    # A served sequence goes into predictions and output rows: it is held to the FASTA alphabet.
    residues, problem = check_sequence(sequence)
    if problem:
        raise EntryFormatError(f"served sequence of {accession}: {problem}")
    entry_type = str(data.get("entryType", ""))
    features = _list(data.get("features"))
    gene, synonyms = _primary_gene(_list(data.get("genes")))
    locations, location_ids = _subcellular_locations(_list(data.get("comments")))
    keywords = tuple(k["id"] for k in _list(data.get("keywords")) if isinstance(k.get("id"), str))
    signals = _segments(features, "Signal")
    return UniProtEntry(
        accession=accession,
        entry_name=str(data.get("uniProtkbId", accession)),
        reviewed=entry_type == REVIEWED_TYPE,
        entry_type=entry_type,
        gene=gene,
        gene_synonyms=synonyms,
        taxon_id=_int(_get(data, "organism", "taxonId")),
        organism=_get(data, "organism", "scientificName"),
        protein_name=_protein_name(data.get("proteinDescription") or {}),
        sequence=residues.decode("ascii"),
        md5=_get(data, "sequence", "md5"),
        signal=signals[0] if signals else None,
        transmembrane=_segments(features, "Transmembrane"),
        gpi=any(f.get("type") == "Lipidation" and "GPI" in str(f.get("description", "")) for f in features),
        propeptides=_segments(features, "Propeptide"),
        locations=locations,
        location_ids=location_ids,
        keywords=keywords,
        secreted=SECRETED_KEYWORD in keywords or SECRETED_LOCATION in location_ids,
        sequence_version=_int(_get(data, "entryAudit", "sequenceVersion")),
        protein_existence=_existence_level(data.get("proteinExistence")),
    )


def _get(data: Mapping[str, Any], *path: str) -> Any:
    node: Any = data
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _list(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _primary_gene(genes: list[Mapping[str, Any]]) -> tuple[str | None, tuple[str, ...]]:
    # The first gene with a name is the primary one; others (ORF or locus
    # names only) say nothing a user would type as a symbol.
    for gene in genes:
        name = _get(gene, "geneName", "value")
        if isinstance(name, str):
            synonyms = tuple(s["value"] for s in _list(gene.get("synonyms")) if isinstance(s.get("value"), str))
            return name, synonyms
    return None, ()


def _protein_name(description: Mapping[str, Any]) -> str | None:
    # Swiss-Prot entries have a recommended name; TrEMBL ones only submitted names.
    name = _get(description, "recommendedName", "fullName", "value")
    if isinstance(name, str):
        return name
    for submitted in _list(description.get("submissionNames")):
        name = _get(submitted, "fullName", "value")
        if isinstance(name, str):
            return name
    return None


def _segments(features: Iterable[Mapping[str, Any]], kind: str) -> tuple[Segment, ...]:
    segments = []
    for feature in features:
        if feature.get("type") != kind:
            continue
        start = _int(_get(feature, "location", "start", "value"))
        end = _int(_get(feature, "location", "end", "value"))
        # Positions marked UNKNOWN ("?") carry no value; such a range cannot
        # be compared with a prediction, so it is left out rather than guessed.
        if start is not None and end is not None:
            segments.append(Segment(start, end))
    return tuple(segments)


def _subcellular_locations(
    comments: Iterable[Mapping[str, Any]],
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    names: dict[str, None] = {}
    ids: dict[str, None] = {}
    for comment in comments:
        if comment.get("commentType") != "SUBCELLULAR LOCATION":
            continue
        for item in _list(comment.get("subcellularLocations")):
            location = item.get("location")
            if not isinstance(location, Mapping):
                continue
            if isinstance(location.get("value"), str):
                names.setdefault(location["value"], None)
            if isinstance(location.get("id"), str):
                ids.setdefault(location["id"], None)
    return tuple(names), tuple(ids)


def _existence_level(value: Any) -> int | None:
    # Served as "1: Evidence at protein level".
    if isinstance(value, str) and value[:1].isdigit():
        return int(value[:1])
    return None

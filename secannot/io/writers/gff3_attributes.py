"""GFF3 column 9 for the per-protein ``polypeptide`` feature: identity, verdict and annotation.

GFF3 (https://github.com/The-Sequence-Ontology/Specifications/blob/master/gff3.md)
reserves upper-case attribute names; the ones used here keep their meaning:

* ``ID`` the record id; ``Name`` the gene symbol (else the accession);
* ``Dbxref=UniProtKB:ACC`` (the database tag of the GO xrf_abbs list that
  genome browsers and ``gt gff3validator -xrfcheck`` know);
* ``Ontology_term`` the Cell Ontology ids of the cell sources and the GO ids
  of the processes, when the rules give them (comma-separated, CURIEs);
* ``Note`` the verdict in words, with the same evidence text as the TSV.

Lower-case attributes carry the rest with the TSV column names where one
exists: ``gene``, ``product`` (the protein name from the header),
``localization``, ``route``, ``cell_sources``, ``processes``, ``clinical``
and ``rules_version``; multi-valued ones are comma-separated lists, as GFF3
prescribes.  The annotation is read duck-typed from ``result.annotation``
(:class:`secannot.knowledge.annotate.Annotation`), since the writers sit
below the knowledge layer.
"""

from __future__ import annotations

from typing import Any

from secannot.io.headers import parse_identity, protein_name
from secannot.results import Result

AttrValue = str | list[str]

#: Verdicts too long for a table cell or a one-line plot title, shortened.
SHORT_VERDICTS = {"non_classical_candidate": "leaderless candidate"}

VERDICTS = {
    "secreted": "secreted",
    "membrane": "membrane protein",
    "gpi_anchored": "GPI-anchored",
    "er_retained": "ER-retained",
    "non_classical_candidate": "non-classical (leaderless) secretion candidate",
    "intracellular": "intracellular",
}
ROUTES = {"classical": "classical (signal peptide)", "non-classical": "non-classical", "none": "none"}


def verdict_note(result: Result) -> str:
    """'secreted; route classical (signal peptide); SP 1-26': the TSV's localization, route and evidence."""
    verdict = VERDICTS.get(result.localization or "", result.localization or "localisation not predicted")
    parts = [verdict] + ([f"route {ROUTES.get(result.route, result.route)}"] if result.route else [])
    if result.evidence:
        parts.append("; ".join(result.evidence))
    return "; ".join(parts)


def _annotation_lists(annotation: Any) -> dict[str, AttrValue]:
    attrs: dict[str, AttrValue] = {}
    for name in ("cell_sources", "processes", "clinical"):
        values = [str(v) for v in getattr(annotation, name, ()) or ()]
        if values:
            attrs[name] = values
    terms = [str(t) for t in getattr(annotation, "ontology_terms", ()) or ()]
    if terms:
        attrs["Ontology_term"] = terms
    version = getattr(annotation, "rules_version", None)
    if version:
        attrs["rules_version"] = str(version)
    return attrs


def polypeptide_attributes(result: Result) -> dict[str, AttrValue]:
    """Column 9 of the protein's ``polypeptide`` line, in a fixed order (reserved attributes first)."""
    identity = parse_identity(result.record.id, result.record.description)
    annotation = result.annotation
    accession = getattr(annotation, "accession", None) or identity.accession
    gene = getattr(annotation, "gene", None) or identity.gene
    attrs: dict[str, AttrValue] = {"ID": result.id}
    if gene or accession:
        attrs["Name"] = gene or accession or ""
    if accession:
        attrs["Dbxref"] = [f"UniProtKB:{accession}"]
    lists = _annotation_lists(annotation) if annotation is not None else {}
    if "Ontology_term" in lists:
        attrs["Ontology_term"] = lists.pop("Ontology_term")
    attrs["Note"] = verdict_note(result)
    if gene:
        attrs["gene"] = gene
    product = protein_name(result.record.id, result.record.description)
    if product:
        attrs["product"] = product
    if result.localization:
        attrs["localization"] = result.localization
    if result.confidence:
        attrs["confidence"] = result.confidence
    if result.route:
        attrs["route"] = result.route
    attrs.update(lists)
    return attrs

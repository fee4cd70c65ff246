"""Joining predictions with the TME rules, and with UniProt's own curation.

An annotation is looked up by the protein's identity (accession, ``GN=`` gene,
entry name) in the ``tme`` rules; the TSV gets sorted ``;``-separated claim
values, JSON gets every claim with its evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from secannot.io.headers import Identity, parse_identity
from secannot.knowledge.ruleset import Entry, RuleSet
from secannot.results import Result


def _clean(text: Any) -> str:
    return str(text).replace(";", ",").replace("\t", " ").strip()


def clinical_tokens(claims: list[dict[str, Any]]) -> tuple[str, ...]:
    """Compact, sortable renderings of clinical claims for one TSV cell."""
    tokens: set[str] = set()
    for claim in claims:
        status = claim["status"]
        if status == "fda_marker":
            tokens.add(f"fda_marker:{_clean(claim.get('specimen', ''))}:{_clean(claim.get('cancer', ''))}")
        elif status == "approved_target":
            for drug in claim.get("drugs", []):
                tokens.add(f"approved_target:{_clean(drug)}")
        else:
            base = f"{status}:{_clean(claim.get('outcome', ''))}"
            drugs = claim.get("drugs") or []
            tokens.update(f"{base}:{_clean(d)}" for d in drugs) if drugs else tokens.add(base)
    return tuple(sorted(tokens))


@dataclass(frozen=True, slots=True)
class Annotation:
    accession: str | None
    gene: str | None
    cell_sources: tuple[str, ...]
    processes: tuple[str, ...]
    clinical: tuple[str, ...]
    rules_version: str | None
    matched_by: str | None
    entry: Entry | None
    #: The isoform the input named (P15692-2); ``accession`` stays canonical, as rules and UniProt key by it.
    isoform: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "accession": self.accession,
            "isoform": self.isoform,
            "gene": self.gene,
            "matched": self.entry is not None,
        }
        if self.entry is not None:
            raw = self.entry.data
            data.update(
                matched_by=self.matched_by,
                rules_file=self.entry.file.path,
                rules_version=self.entry.rules_version,
                name=raw.get("name"),
                aliases=list(raw.get("aliases", [])),
                family=raw.get("family"),
                note=raw.get("note"),
                cell_sources=raw.get("cell_sources", []),
                processes=raw.get("processes", []),
                clinical=raw.get("clinical", []),
                sources={k: v for k, v in self.entry.file.sources.items() if _cites(raw, k)},
            )
        return data


def _cites(raw: dict[str, Any], key: str) -> bool:
    for group in ("cell_sources", "processes", "clinical"):
        for claim in raw.get(group, []):
            if any(ev.get("source") == key for ev in claim.get("evidence", [])):
                return True
    return False


def _matched_by(identity: Identity, entry: Entry) -> str:
    if identity.accession == entry.accession:
        return "accession"
    if identity.gene and identity.gene.upper() == entry.gene.upper():
        return "gene"
    return "entry_name"


def annotate(result: Result, rules: RuleSet) -> Annotation:
    identity = parse_identity(result.record.id, result.record.description)
    entry = rules.match("tme", identity)
    if entry is None:
        return Annotation(identity.accession, identity.gene, (), (), (), None, None, None, identity.isoform)
    raw = entry.data
    return Annotation(
        accession=identity.accession or entry.accession,
        gene=entry.gene,
        cell_sources=tuple(sorted({c["value"] for c in raw.get("cell_sources", [])})),
        processes=tuple(sorted({c["value"] for c in raw.get("processes", [])})),
        clinical=clinical_tokens(raw.get("clinical", [])),
        rules_version=entry.rules_version,
        matched_by=_matched_by(identity, entry),
        entry=entry,
        isoform=identity.isoform,
    )


@dataclass(frozen=True, slots=True)
class UniProtView:
    """UniProt's curated view next to secannot's prediction."""

    signal: str | None
    locations: tuple[str, ...]
    agreement: str
    release: str | None
    cleavage_match: bool | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "signal": self.signal,
            "locations": list(self.locations),
            "agreement": self.agreement,
            "cleavage_site_matches": self.cleavage_match,
            "release": self.release,
        }


def uniprot_view(result: Result, entry: Any, release: str | None) -> UniProtView:
    """agree / predicted_only / uniprot_only on the signal peptide, or no_data without an entry."""
    if entry is None:
        return UniProtView(None, (), "no_data", None, None)
    curated = entry.signal is not None
    predicted = result.has_signal_peptide
    if curated and predicted:
        agreement = "agree"
    elif predicted:
        agreement = "predicted_only"
    elif curated:
        agreement = "uniprot_only"
    else:
        agreement = "agree"
    match = (entry.signal.end == result.cleavage_site) if (curated and predicted) else None
    return UniProtView(str(entry.signal) if curated else None, tuple(entry.locations), agreement, release, match)

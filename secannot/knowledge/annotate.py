"""Joining predictions with the TME rules, and with UniProt's own curation.

An annotation is looked up by the protein's identity (accession, ``GN=`` gene,
entry name) in the ``tme`` rules; the TSV gets sorted ``;``-separated claim
values, JSON gets every claim with its evidence and the ontology id of its term.
``receptors`` (for a ligand) and ``ligands`` (for a receptor) come from the
shipped ligand-receptor pairs (:mod:`secannot.knowledge.ligrec`) by gene symbol,
so proteins without a rule entry get them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from secannot.io.headers import Identity, parse_identity
from secannot.knowledge.citations import FOUNDING_REVIEW, cites_seed
from secannot.knowledge.ligrec import accession_genes, load_ligand_receptor
from secannot.knowledge.ontology import entry_ontology_terms
from secannot.knowledge.ruleset import Entry, RuleSet
from secannot.knowledge.vocabulary import with_ontology
from secannot.results import Result


def _clean(text: Any) -> str:
    return str(text).replace(";", ",").replace("\t", " ").strip()


def clinical_tokens(claims: list[dict[str, Any]]) -> tuple[str, ...]:
    """Compact, sortable renderings of clinical claims for one TSV cell."""
    tokens: set[str] = set()
    for claim in claims:
        status = claim["status"]
        if status in ("fda_marker", "guideline_marker"):
            tokens.add(f"{status}:{_clean(claim.get('specimen', ''))}:{_clean(claim.get('cancer', ''))}")
        elif status in ("approved_target", "cytokine_drug"):
            for drug in claim.get("drugs", []):
                tokens.add(f"{status}:{_clean(drug)}")
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
    receptors: tuple[str, ...] = ()
    ligands: tuple[str, ...] = ()
    ontology_terms: tuple[str, ...] = ()  # Cell Ontology / GO ids of the cell sources and processes
    #: The isoform the input named (P15692-2); ``accession`` stays canonical, as rules and UniProt key by it.
    isoform: str | None = None
    #: (receptor -> resources, ligand -> resources): how many ligand-receptor resources list each pair
    pair_resources: tuple[dict[str, list[str]], dict[str, list[str]]] = ({}, {})

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "accession": self.accession,
            "isoform": self.isoform,
            "gene": self.gene,
            "matched": self.entry is not None,
            "receptors": list(self.receptors),
            "ligands": list(self.ligands),
            # the resources behind each pair: one resource's pair and a six-resource consensus pair look alike above
            "receptor_resources": self.pair_resources[0],
            "ligand_resources": self.pair_resources[1],
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
                cell_sources=with_ontology("cell_source", raw.get("cell_sources", [])),
                processes=with_ontology("process", raw.get("processes", [])),
                clinical=raw.get("clinical", []),
                sources={k: v for k, v in self.entry.file.sources.items() if _cites(raw, k)},
            )
            if cites_seed(raw):
                data["references"] = {"seed": FOUNDING_REVIEW.as_dict()}  # 'seed' evidence, cited in full
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


def _symbol(identity: Identity, entry: Entry | None) -> str | None:
    """Gene symbol for the pair lookup: the rule entry's (a TME or a leaderless-secretion entry), the header's GN=,
    else the accession's in the offline table."""
    if entry is not None:
        return entry.gene
    if identity.gene:
        return identity.gene
    if identity.accession:
        return accession_genes().get(identity.accession)
    return None


#: The annotation of a protein whose header names no accession and no gene (most of a bacterial proteome):
#: nothing to look up, so one shared (frozen) value.
_NOTHING = Annotation(None, None, (), (), (), None, None, None)


def annotate(result: Result, rules: RuleSet) -> Annotation:
    identity = parse_identity(result.record.id, result.record.description)
    if identity.accession is None and identity.gene is None and identity.entry_name is None:
        return _NOTHING  # rules match by accession, gene or entry name; pairs by gene (or accession)
    entry = rules.match("tme", identity)
    # no TME entry: a leaderless-secretion entry (rules/nonclassical.yaml) names the gene as a TME entry does
    leaderless = rules.match("nonclassical", identity) if entry is None else None
    pairs = load_ligand_receptor()
    symbol = _symbol(identity, entry or leaderless)
    support = pairs.resources_of(symbol)  # partner -> resources; its keys are the receptors and ligands, sorted
    receptors, ligands = tuple(support[0]), tuple(support[1])
    if entry is None:
        if leaderless is not None:  # named by a leaderless-secretion entry: its symbol, accession and rules version
            return Annotation(identity.accession or leaderless.accession, leaderless.gene, (), (), (),
                              rules.version_summary(), None, None, receptors, ligands, isoform=identity.isoform,
                              pair_resources=support)
        gene = identity.gene or (symbol if receptors or ligands else None)
        return Annotation(identity.accession, gene, (), (), (), None, None, None, receptors, ligands,
                          isoform=identity.isoform, pair_resources=support)
    raw = entry.data
    return Annotation(
        accession=identity.accession or entry.accession,
        gene=entry.gene,
        cell_sources=tuple(sorted({c["value"] for c in raw.get("cell_sources", [])})),
        processes=tuple(sorted({c["value"] for c in raw.get("processes", [])})),
        clinical=clinical_tokens(raw.get("clinical", [])),
        rules_version=rules.version_summary(),  # the run's one rules version (#12); the file's is in as_dict()
        matched_by=_matched_by(identity, entry),
        entry=entry,
        ontology_terms=entry_ontology_terms(raw),
        receptors=receptors,
        ligands=ligands,
        isoform=identity.isoform,
        pair_resources=support,
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
            # null without an entry (not asked, or not found), as the uniprot_location column: [] means UniProt lists none
            "locations": None if self.agreement == "no_data" else list(self.locations),
            "agreement": self.agreement,
            "cleavage_site_matches": self.cleavage_match,
            "release": self.release,
        }


_NO_DATA = UniProtView(None, (), "no_data", None, None)  # shared: frozen, and the same for every protein


def uniprot_view(result: Result, entry: Any, release: str | None) -> UniProtView:
    """agree / predicted_only / uniprot_only on the signal peptide, or no_data without an entry."""
    if entry is None:
        return _NO_DATA
    curated = entry.signal is not None
    # the route, not the site: a signal peptide whose cleavage site is hidden by ambiguous residues is
    # still a predicted signal peptide (models.masking), it only has no site to compare
    predicted = result.route == "classical"
    if curated and predicted:
        agreement = "agree"
    elif predicted:
        agreement = "predicted_only"
    elif curated:
        agreement = "uniprot_only"
    else:
        agreement = "agree"
    match = (entry.signal.end == result.cleavage_site) if (curated and predicted and result.cleavage_site) else None
    return UniProtView(str(entry.signal) if curated else None, tuple(entry.locations), agreement, release, match)

"""The column dictionary: every output column, its meaning, and how to fill it.

This table is the single source of truth for TSV headers, JSON keys, the
``--help`` column list and the README's column table (a test checks that the
README agrees).  Column names are a contract: add new ones at the end of a
group, never rename.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from secannot.results import Result

#: How typed outputs (Parquet) store a column: a string, a 32-bit integer, a 64-bit float or a list of
#: strings; every kind may be null (no value: the stage did not run, no signal peptide, no UniProt entry).
KINDS: tuple[str, ...] = ("string", "int32", "float64", "list<string>")


@dataclass(frozen=True, slots=True)
class Column:
    """One output column.

    ``get`` gives the value TSV and JSON render (a tuple of values becomes a ``;``-joined cell in TSV, a
    list in JSON); ``kind`` (one of :data:`KINDS`) is its type in Parquet.  ``items``, for a list column
    whose ``get`` already joins its values into text (``evidence``), gives them unjoined and in order;
    otherwise a list column's values are sorted, as the TSV cell shows them.
    """

    name: str
    description: str
    get: Callable[[Result], Any]
    kind: str = "string"
    items: Callable[[Result], Any] | None = None

    @property
    def typed_description(self) -> str:
        """The description for typed outputs (Parquet): a list column is a list there, not a ``;``-joined cell."""
        if not self.kind.startswith("list<"):
            return self.description
        return self.description.replace("(;-separated, ", "(a list, ")

    def typed(self, result: Result) -> Any:
        """The value for typed outputs: an int, float, str, list of str, or None (null)."""
        value = (self.items or self.get)(result)
        if value is None:
            return None
        if self.kind == "list<string>":
            if isinstance(value, str):  # one value given as text
                return [value] if value else []
            values = [str(v) for v in value]
            return values if self.items is not None else sorted(values)
        if isinstance(value, (int, float, str)) and not isinstance(value, bool):
            return value
        return format_cell(value)


def _annotation(attr: str) -> Callable[[Result], Any]:
    def get(r: Result) -> Any:
        return getattr(r.annotation, attr) if r.annotation is not None else None

    return get


def _uniprot(attr: str) -> Callable[[Result], Any]:
    def get(r: Result) -> Any:
        return getattr(r.uniprot, attr) if r.uniprot is not None else None

    return get


def _known_locations(r: Result) -> Any:
    """UniProt's locations, sorted; None without a UniProt entry (no_data), so typed outputs tell
    "UniProt lists none" ([]) from "UniProt not asked" (null)."""
    view = r.uniprot
    if view is None or view.agreement == "no_data":
        return None
    return sorted(str(v) for v in view.locations)


PREDICT_COLUMNS: tuple[Column, ...] = (
    Column("id", "first word of the FASTA header (or the UniProt accession)", lambda r: r.id),
    Column("length", "sequence length in residues", lambda r: r.length, "int32"),
    Column(
        "sp_prob",
        "probability of a Sec/SPI signal peptide, 0-1; called at the model's cross-validated threshold; "
        "empty when the first 70 residues are all X/B/Z/J",
        lambda r: r.sp_prob,
        "float64",
    ),
    Column(
        "cleavage_site",
        "1-based last residue of the signal peptide (mature chain starts at +1); empty if none",
        lambda r: r.cleavage_site,
        "int32",
    ),
    Column(
        "route",
        "classical (signal peptide), non-classical (leaderless, by rule or nc_score) or none; empty when "
        "not assessed (predict --signal-only, without a signal peptide)",
        lambda r: r.route,
    ),
    Column("cs_prob", "probability of the reported cleavage position given a signal peptide", lambda r: r.cs_prob,
           "float64"),
    Column(
        "localization",
        "secreted, membrane, gpi_anchored, er_retained, non_classical_candidate or intracellular",
        lambda r: r.localization,
    ),
    Column(
        "confidence",
        "how sure the localization is: high, medium or low (rules in the README, 'How each verdict is reached')",
        lambda r: r.confidence,
    ),
    Column("tm_count", "transmembrane helices outside the signal peptide; empty when not assessed "
           "(predict --signal-only)",
           lambda r: None if r.localization is None else len(r.tm_segments), "int32"),
    Column(
        "nc_score",
        "probability of leaderless secretion under --nc-prior (default 0.02, a proteome); only without a signal peptide, "
        "only for eukaryotes (the model is trained on mammalian proteins) and only for chains of 50 residues or more, "
        "ambiguity codes X B Z J not counted "
        "(a shorter one is never called by score)",
        lambda r: r.nc_score,
        "float64",
    ),
    Column("nc_basis", "why route is non-classical: rule, score or rule+score", lambda r: r.nc_basis),
    Column("evidence", "short reasons for the verdict, e.g. 'SP 1-22; TM 645-667' (;-separated, in order)",
           lambda r: "; ".join(r.evidence), "list<string>", lambda r: r.evidence),
)

ANNOTATE_COLUMNS: tuple[Column, ...] = PREDICT_COLUMNS + (
    Column("accession", "canonical UniProt accession from the header or id (no isoform suffix), else the rule entry's "
           "for a gene the header names (NCBI [gene=KLK3] -> P07288)", _annotation("accession")),
    Column("isoform", "the isoform the header or id names, e.g. P15692-2; empty for the canonical sequence",
           _annotation("isoform")),
    Column("gene", "gene symbol (HGNC for human) from the header (`GN=`, NCBI `[gene=...]`, Ensembl "
           "`gene_symbol:`) or the rules (a tumour-microenvironment or leaderless-secretion entry); a bare symbol "
           "as the id (`>IL1B`) is not read as a gene",
           _annotation("gene")),
    Column("cell_sources", "tumour-microenvironment cell types that secrete it (;-separated, sorted)", _annotation("cell_sources"),
           "list<string>"),
    Column("processes", "cancer processes it drives (;-separated, sorted)", _annotation("processes"), "list<string>"),
    Column("clinical", "clinical status: fda_marker, approved_target, cytokine_drug, guideline_marker, investigational_* (;-separated, sorted)", _annotation("clinical"), "list<string>"),
    Column("rules_version", "version of the rule set that produced the annotation (as in the provenance and --version; empty when no rule matched)", _annotation("rules_version")),
    Column("uniprot_signal", "UniProt's curated Signal feature range, if any", _uniprot("signal")),
    Column("uniprot_location", "UniProt subcellular locations (;-separated, sorted)", _uniprot("locations"),
           "list<string>", _known_locations),
    Column(
        "agreement",
        "secannot vs UniProt on the signal peptide: agree, predicted_only, uniprot_only or no_data",
        _uniprot("agreement"),
    ),
    Column("receptors", "receptors of this protein as a ligand, HGNC symbols, complexes as A_B (;-separated, sorted; LIANA+ consensus)", _annotation("receptors"), "list<string>"),
    Column("ligands", "ligands of this protein as a receptor or receptor subunit, HGNC symbols (;-separated, sorted; LIANA+ consensus)", _annotation("ligands"), "list<string>"),
)


def format_cell(value: Any) -> str:
    """Render one value for TSV: empty for missing, 4 decimals for floats."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ";".join(sorted(str(v) for v in value))
    text = str(value)
    if "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    return text


@dataclass(frozen=True, slots=True)
class JsonField:
    """A key JSON Lines (and each record of ``--format json``) carries beyond the columns above."""

    name: str
    present: str  # when the key is there
    description: str


#: Every key a JSON record holds besides the columns, in the order the writer puts them
#: (``io.writers.jsonl.result_dict``; a test checks that nothing else appears).
JSON_FIELDS: tuple[JsonField, ...] = (
    JsonField("description", "always", "the whole FASTA header after '>' (or the UniProt entry's), id included"),
    JsonField("signal_peptide", "always", "the signal peptide as 'start-end' (1-cleavage_site), null without one "
              "or when its cleavage site is unknown"),
    JsonField("tm_segments", "always", "the transmembrane helices counted by tm_count, each 'start-end' (1-based, "
              "inclusive), in order; null when not assessed (predict --signal-only)"),
    JsonField("tm_orientation", "helices from the topology network", "per helix in tm_segments, the side its "
              "N-terminal end faces: 'in->out' (cytoplasmic N-end) or 'out->in'"),
    JsonField("signal_anchor", "a signal anchor was called", "the uncleaved signal anchor helix, 'start-end'"),
    JsonField("gpi", "localization gpi_anchored", "the GPI-anchor signal: omega_site (1-based), hydrophobic_tail "
              "('start-end') and confidence"),
    JsonField("er_retention_motif", "a C-terminal ER-retention motif was found", "the motif, e.g. 'KDEL'"),
    JsonField("nonclassical_rule", "a rule names the protein leaderless-secreted", "the rule: gene, accession, "
              "route_type, mechanism, evidence (cited sources), rules_file, rules_version"),
    JsonField("annotation", "annotate", "the rule match in full: accession, isoform, gene, matched, receptors, "
              "ligands, receptor_resources and ligand_resources (each partner -> the ligand-receptor resources "
              "that list the pair), and for a match matched_by, rules_file, rules_version, name, aliases, family, note, "
              "cell_sources and processes (with ontology ids), clinical, sources (cited), references"),
    JsonField("uniprot", "annotate", "UniProt's view: signal, locations (null without an entry, [] when UniProt "
              "lists none), agreement, cleavage_site_matches, release (UniProt release of the entry, null when "
              "UniProt was not asked)"),
    JsonField("note", "there is something to add", "a sentence on the call, e.g. why a signal peptide was "
              "withdrawn or where a UniProt id's sequence came from"),
    JsonField("tool_version", "always", "secannot's version"),
    JsonField("model_version", "always", "the signal-peptide model's version"),
    JsonField("rules_version", "predict (annotate has the column)", "the rule set in force, as --version prints it"),
    JsonField("provenance", "always", "the run's provenance (the same block as the JSON document's): tool, model "
              "and rules versions, UniProt release, organism group, thresholds in force, date, inputs"),
)

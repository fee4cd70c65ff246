"""The secretome summary: what a list of annotated proteins says as a whole.

Input is secannot's own ``annotate`` output (TSV, JSON Lines or the JSON
document; :func:`load_annotated`) or the result dicts the caller built with
``writers.result_dict``.  The summary counts proteins per route,
localisation, TME cell source, cancer process and clinical status, and, with
a background list, tests each TME category for over-representation (see
:mod:`secannot.report.enrichment` for the statistics and their conventions).

Rules that make the numbers reproducible:

* A protein is identified by its accession, else its gene symbol, else its
  id.  A protein listed twice (two isoforms of one accession, a repeated
  line) counts once; the record with the smallest id is kept, so the result
  does not depend on input order.  Genes are shown by gene symbol, else
  accession, else id.
* The foreground must be a subset of the background.  Foreground proteins
  missing from the background are added to it with a warning: a hit was,
  by definition, detected.
* Rows are sorted by section (in the order of :data:`SECTIONS`), then the
  tested rows by p-value, count and name, then the untested ones (below
  ``min_size``, or in a section that is not tested) by count and name; gene
  lists are sorted.  Shuffling the input does not change the output.
* Only TME categories are tested (:data:`TESTED_SECTIONS`); route and
  localisation rows carry counts and fractions only, because they describe
  what the predictor made of the input rather than a biological annotation
  that could be enriched.

Output columns (TSV header and JSON row keys, in this order) are listed in
:data:`SUMMARY_COLUMNS`.  The TSV is one table: a header row, then the rows
(``pandas.read_csv(path, sep="\\t")``); sizes, the test and provenance are in the JSON document.  The
JSON document has ``provenance`` (from the caller), ``summary`` (sizes,
``test``, ``multiple_testing``, ``odds_ratio``, ``minimum_size``, ``no_test_reason``,
``notes``), ``columns`` (this dictionary), ``rows`` (``genes`` as a list;
``null`` where the TSV has an empty cell), ``clinical_hits`` (every
clinical claim of the input with its evidence, from JSON/JSONL input) and
``crosstalk`` (ligand->receptor pairs among the hits, and between hits and
background, with sender and receiver cell types; :mod:`secannot.report.crosstalk`).
In the table, each pair is also a row of section ``crosstalk_within``,
``crosstalk_to_background`` or ``crosstalk_from_background`` whose ``genes`` are
the input proteins of the pair.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from secannot.errors import InputError
from secannot.knowledge.citations import seed_reference
from secannot.report.crosstalk import CrosstalkPair, Party, find_crosstalk
from secannot.report.enrichment import (
    DEFAULT_MIN_SIZE,
    MULTIPLE_TESTING_DESCRIPTION,
    ODDS_RATIO_DESCRIPTION,
    TEST_DESCRIPTION,
    Counts,
    enrich,
    fold_enrichment,
    min_size_description,
)

SUMMARY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("section", "route, localization, cell_source, process, clinical_category or clinical_token"),
    ("category", "the value, e.g. CAF, angiogenesis, fda_marker, approved_target:bevacizumab"),
    ("count", "input (foreground) proteins carrying the category"),
    ("background_count", "background proteins carrying it (foreground included); empty without a background"),
    ("fraction", "count / number of input proteins"),
    ("background_fraction", "background_count / number of background proteins; empty without a background"),
    ("odds_ratio", "foreground vs rest of background; TME sections only; empty when a cell of the 2x2 table is 0 "
                   "(count 0, or every hit or every background carrier in the category: ratio 0 or infinite)"),
    ("p_value", "one-sided hypergeometric P(X >= count) for over-representation; TME sections only"),
    ("q_value", "Benjamini-Hochberg q-value across all tested categories of the run"),
    ("genes", "input proteins carrying the category (gene, else accession, else id; ;-separated, sorted)"),
    ("senders", "crosstalk rows: TME cell types that secrete the ligand, per the rules (;-separated)"),
    ("receivers", "crosstalk rows: TME cell types the rules give the receptor protein (;-separated; empty = unknown)"),
    ("odds_ratio_ci_low", "lower bound of the 95% confidence interval of odds_ratio (Woolf's logit method); "
                          "empty when odds_ratio is"),
    ("odds_ratio_ci_high", "upper bound of the 95% confidence interval of odds_ratio (Woolf's logit method); "
                           "empty when odds_ratio is"),
    ("fold_enrichment", "fraction / background_fraction; empty without a background"),
)
COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _ in SUMMARY_COLUMNS)

CROSSTALK_SECTIONS: tuple[str, ...] = ("crosstalk_within", "crosstalk_to_background", "crosstalk_from_background")
SECTIONS: tuple[str, ...] = (
    "route", "localization", "cell_source", "process", "clinical_category", "clinical_token", *CROSSTALK_SECTIONS,
)
TESTED_SECTIONS: tuple[str, ...] = ("cell_source", "process", "clinical_category", "clinical_token")
FORMATS: tuple[str, ...] = ("tsv", "json")
CLINICAL_STATUSES: tuple[str, ...] = (
    "fda_marker", "approved_target", "cytokine_drug", "guideline_marker", "investigational_target",
)

NO_BACKGROUND_NOTE = (
    "no background list given, so no p-values: over-representation is only defined against the "
    "proteins that could have been found (in proteomics, everything detected); the table shows counts only"
)


# --------------------------------------------------------------------------- normalising


@dataclass(frozen=True, slots=True)
class Protein:
    """One input protein reduced to what the summary needs, whatever format it came in."""

    id: str
    accession: str | None
    gene: str | None
    categories: Mapping[str, tuple[str, ...]]  # section -> sorted values
    claims: tuple[Mapping[str, Any], ...]  # full clinical claims (JSON input only)
    sources: Mapping[str, Any]  # the rule file's sources table, for 'source' evidence

    @property
    def key(self) -> str:
        """Identity for matching foreground to background: accession, else gene, else id."""
        return self.accession or (self.gene.upper() if self.gene else None) or self.id

    @property
    def label(self) -> str:
        """What a reader recognises: gene symbol, else accession, else id."""
        return self.gene or self.accession or self.id


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _values(value: Any) -> tuple[str, ...]:
    """Sorted unique values of a ;-separated TSV cell or a JSON list."""
    if value is None:
        return ()
    items: Iterable[Any] = value.split(";") if isinstance(value, str) else value
    return tuple(sorted({str(v).strip() for v in items if str(v).strip()}))


def to_protein(record: Mapping[str, Any]) -> Protein:
    """Normalise a TSV row (strings) or a JSON record (typed values)."""
    rid = _text(record.get("id"))
    if rid is None:
        raise InputError("a record has no id")
    clinical = _values(record.get("clinical"))
    annotation = record.get("annotation") if isinstance(record.get("annotation"), dict) else {}
    categories = {
        "route": (_text(record.get("route")) or "none",),
        "localization": (_text(record.get("localization")) or "unknown",),
        "cell_source": _values(record.get("cell_sources")),
        "process": _values(record.get("processes")),
        "clinical_category": tuple(sorted({tok.split(":", 1)[0] for tok in clinical})),
        "clinical_token": clinical,
    }
    return Protein(
        id=rid,
        accession=_text(record.get("accession")),
        gene=_text(record.get("gene")),
        categories=categories,
        claims=tuple(c for c in annotation.get("clinical") or () if isinstance(c, dict)),
        sources=annotation.get("sources") or {},
    )


def distinct_proteins(records: Iterable[Mapping[str, Any]]) -> tuple[dict[str, Protein], int]:
    """Proteins by key, keeping the smallest id of duplicates; also the number of duplicates dropped."""
    by_key: dict[str, Protein] = {}
    duplicates = 0
    for record in records:
        protein = to_protein(record)
        kept = by_key.get(protein.key)
        if kept is not None:
            duplicates += 1
            if protein.id >= kept.id:
                continue
        by_key[protein.key] = protein
    return by_key, duplicates


# --------------------------------------------------------------------------- the summary


@dataclass(frozen=True, slots=True)
class Row:
    """One output line; the background and test fields stay None when they do not apply."""

    section: str
    category: str
    count: int
    genes: tuple[str, ...]
    fraction: float
    background_count: int | None = None
    background_fraction: float | None = None
    odds_ratio: float | None = None
    p_value: float | None = None
    q_value: float | None = None
    odds_ratio_ci_low: float | None = None
    odds_ratio_ci_high: float | None = None
    fold_enrichment: float | None = None
    senders: tuple[str, ...] = ()
    receivers: tuple[str, ...] = ()

    @property
    def tested(self) -> bool:
        return self.p_value is not None


@dataclass(frozen=True, slots=True)
class ClinicalHit:
    """One clinical claim of an input protein, with its evidence resolved for display."""

    gene: str
    status: str
    outcome: str | None = None
    drugs: tuple[str, ...] = ()
    specimen: str | None = None
    cancer: str | None = None
    use: str | None = None
    year: int | None = None
    note: str | None = None
    evidence: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Summary:
    input_size: int
    background_size: int | None
    rows: tuple[Row, ...]
    clinical_hits: tuple[ClinicalHit, ...]
    notes: tuple[str, ...] = field(default=())
    min_size: int = DEFAULT_MIN_SIZE
    crosstalk: tuple[CrosstalkPair, ...] = field(default=())

    @property
    def has_background(self) -> bool:
        return self.background_size is not None

    def section(self, name: str) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.section == name)

    def methods(self) -> dict[str, str | None]:
        """The statistics used, or why there are none; shown by every output format."""
        if not self.has_background:
            return {"test": None, "multiple_testing": None, "odds_ratio": None, "minimum_size": None,
                    "no_test_reason": NO_BACKGROUND_NOTE}
        return {
            "test": TEST_DESCRIPTION,
            "multiple_testing": MULTIPLE_TESTING_DESCRIPTION,
            "odds_ratio": ODDS_RATIO_DESCRIPTION,
            "minimum_size": min_size_description(self.min_size),
            "no_test_reason": None,
        }


def _ignore(_: str) -> None:
    """Default warn callback for library use: warnings still end up in Summary.notes."""


def _members(proteins: Mapping[str, Protein]) -> dict[tuple[str, str], set[str]]:
    """(section, category) -> keys of the proteins carrying it."""
    members: dict[tuple[str, str], set[str]] = {}
    for key, protein in proteins.items():
        for section, values in protein.categories.items():
            for value in values:
                members.setdefault((section, value), set()).add(key)
    return members


def summarize(
    records: Sequence[Mapping[str, Any]],
    background: Sequence[Mapping[str, Any]] | None = None,
    warn: Callable[[str], None] = _ignore,
    min_size: int = DEFAULT_MIN_SIZE,
) -> Summary:
    """Count, and test against the background when there is one (see the module docstring).

    ``min_size``: categories with fewer background proteins are not tested
    (see :mod:`secannot.report.enrichment`); InputError when it is below 1.
    """
    if min_size < 1:
        raise InputError(f"--min-size must be at least 1, got {min_size}")
    fg, dup = distinct_proteins(records)
    if not fg:
        raise InputError("nothing to summarise: the input has no records")
    notes = []
    if dup:
        notes.append(f"{dup} duplicate input record(s) (same accession, gene or id) counted once")
    bg: dict[str, Protein] | None = None
    if background is not None:
        bg, bg_dup = distinct_proteins(background)
        if not bg:
            raise InputError("the background list has no records")
        if bg_dup:
            notes.append(f"{bg_dup} duplicate background record(s) counted once")
        missing = sorted(k for k in fg if k not in bg)
        if missing:
            shown = ", ".join(fg[k].label for k in missing[:10]) + (" ..." if len(missing) > 10 else "")
            notes.append(
                f"{len(missing)} input protein(s) not in the background were added to it "
                f"(the background must contain every hit): {shown}"
            )
            bg = {**bg, **{k: fg[k] for k in missing}}
    else:
        notes.append(NO_BACKGROUND_NOTE)
    rows = _rows(fg, bg, min_size)
    small = [r for r in rows if bg is not None and r.section in TESTED_SECTIONS and not r.tested]
    if small:
        carried = sum(1 for r in small if r.count)
        notes.append(f"{len(small)} categories ({carried} carried by input proteins) have fewer than {min_size} "
                     f"background proteins and were not tested (--min-size {min_size})")
    for note in notes:
        warn(note)
    pairs = find_crosstalk(_parties(fg), _parties(bg) if bg is not None else None)
    rows = tuple(sorted(rows + _crosstalk_rows(pairs, fg), key=_row_order))
    return Summary(len(fg), len(bg) if bg is not None else None, rows, clinical_hits(fg.values()), tuple(notes),
                   min_size=min_size, crosstalk=pairs)


def _parties(proteins: Mapping[str, Protein]) -> list[Party]:
    """Proteins by gene symbol; without one, the accession's symbol in the offline table, else left out."""
    from secannot.knowledge.ligrec import accession_genes

    parties = []
    for p in proteins.values():
        gene = p.gene or (accession_genes().get(p.accession) if p.accession else None)
        if gene:
            parties.append(Party(p.label, gene, p.categories["cell_source"]))
    return parties


def _crosstalk_rows(pairs: Sequence[CrosstalkPair], fg: Mapping[str, Protein]) -> tuple[Row, ...]:
    """One row per pair; its genes are the input proteins of the pair (both for 'within')."""
    hit_genes = {p.gene.upper() for p in fg.values() if p.gene}
    rows = []
    for pair in pairs:
        genes = tuple(sorted({g for g in (pair.ligand, pair.receptor) if g.upper() in hit_genes}))
        rows.append(Row(f"crosstalk_{pair.scope}", pair.name, len(genes), genes, len(genes) / len(fg),
                        senders=pair.senders, receivers=pair.receivers))
    return tuple(rows)


def _rows(fg: Mapping[str, Protein], bg: Mapping[str, Protein] | None, min_size: int) -> tuple[Row, ...]:
    fg_members = _members(fg)
    bg_members = _members(bg) if bg is not None else {}
    if bg is not None:
        # A hit is a background protein with the hit's own categories, even when the background file was
        # annotated with other rules and its copy of the protein differs (else K < k, or a hit counts in K
        # but not in k, and the 2x2 table is impossible).
        hits = set(fg)
        for cell in set(bg_members) | set(fg_members):
            bg_members[cell] = (bg_members.get(cell, set()) - hits) | fg_members.get(cell, set())
        bg_members = {cell: keys for cell, keys in bg_members.items() if keys}  # carried only by a hit's other copy
    n, big_n = len(fg), (len(bg) if bg is not None else 0)
    cells = sorted(set(fg_members) | set(bg_members))
    tested = {}
    if bg is not None:
        counts = {
            f"{s}\t{c}": Counts(len(fg_members.get((s, c), ())), n, len(bg_members[(s, c)]), big_n)
            for s, c in cells
            if s in TESTED_SECTIONS
        }
        tested = enrich(counts, min_size)
    rows = []
    for section, category in cells:
        keys = fg_members.get((section, category), set())
        row = Row(section, category, len(keys), tuple(sorted(fg[k].label for k in keys)), len(keys) / n)
        if bg is not None:
            bk = len(bg_members[(section, category)])
            result = tested.get(f"{section}\t{category}")
            row = Row(
                row.section, row.category, row.count, row.genes, row.fraction, bk, bk / big_n,
                result.odds_ratio if result else None,
                result.p_value if result else None,
                result.q_value if result else None,
                result.ci_low if result else None,
                result.ci_high if result else None,
                fold_enrichment(Counts(len(keys), n, bk, big_n)),
            )
        rows.append(row)
    return tuple(sorted(rows, key=_row_order))


def _row_order(row: Row) -> tuple:
    section_rank = SECTIONS.index(row.section)
    if row.tested:
        return (section_rank, 0, row.p_value, -row.count, 0, row.category)
    # Untested rows (no background, a section that is not tested, or below --min-size) after the tested ones.
    return (section_rank, 1, 0.0, -row.count, -(row.background_count or 0), row.category)


# --------------------------------------------------------------------------- clinical hits


def clinical_hits(proteins: Iterable[Protein]) -> tuple[ClinicalHit, ...]:
    """Every clinical claim of the input, from full JSON claims or, for TSV, from the tokens."""
    hits: list[ClinicalHit] = []
    for protein in proteins:
        if protein.claims:
            hits += [_hit_from_claim(protein, claim) for claim in protein.claims]
        else:
            hits += [_hit_from_token(protein.label, tok) for tok in protein.categories["clinical_token"]]
    return tuple(sorted(hits, key=_hit_order))


def _hit_order(hit: ClinicalHit) -> tuple:
    rank = CLINICAL_STATUSES.index(hit.status) if hit.status in CLINICAL_STATUSES else len(CLINICAL_STATUSES)
    return (rank, hit.outcome or "", hit.gene, hit.drugs, hit.cancer or "", hit.specimen or "", hit.year or 0)


def _hit_from_claim(protein: Protein, claim: Mapping[str, Any]) -> ClinicalHit:
    year = claim.get("year")
    return ClinicalHit(
        gene=protein.label,
        status=str(claim.get("status", "")),
        outcome=_text(claim.get("outcome")),
        drugs=tuple(str(d) for d in claim.get("drugs") or ()),
        specimen=_text(claim.get("specimen")),
        cancer=_text(claim.get("cancer")),
        use=_text(claim.get("use")),
        year=year if isinstance(year, int) else None,
        note=_text(claim.get("note")),
        evidence=tuple(resolve_evidence(ev, protein.sources) for ev in claim.get("evidence") or () if isinstance(ev, dict)),
    )


def _hit_from_token(label: str, token: str) -> ClinicalHit:
    """TSV cells carry 'fda_marker:specimen:cancer', 'approved_target:drug', 'investigational_target:outcome[:drug]'."""
    status, _, rest = token.partition(":")
    if status in ("fda_marker", "guideline_marker"):
        specimen, _, cancer = rest.partition(":")
        return ClinicalHit(label, status, specimen=specimen or None, cancer=cancer or None)
    if status in ("approved_target", "cytokine_drug"):
        return ClinicalHit(label, status, drugs=(rest,) if rest else ())
    outcome, _, drug = rest.partition(":")
    return ClinicalHit(label, status, outcome=outcome or None, drugs=(drug,) if drug else ())


def resolve_evidence(evidence: Mapping[str, Any], sources: Mapping[str, Any]) -> dict[str, Any]:
    """Evidence with a 'source' key expanded from the rule file's sources table (citation, doi, pmid, url).

    A 'seed' item gains 'reference': the founding review in full with the section.
    """
    resolved = dict(evidence)
    if evidence.get("seed") is not None and "reference" not in resolved:
        resolved["reference"] = seed_reference(evidence["seed"])  # the founding review in full, with the section
    key = evidence.get("source")
    entry = sources.get(key) if isinstance(key, str) else None
    if isinstance(entry, dict):
        for field_name in ("citation", "doi", "pmid", "url"):
            if field_name in entry and field_name not in resolved:
                resolved[field_name] = entry[field_name]
    return resolved

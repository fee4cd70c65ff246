"""The secretome summary: what a list of annotated proteins says as a whole.

Input is secannot's own ``annotate`` output (TSV, JSON Lines or the JSON
document; :func:`load_annotated`) or the result dicts the caller built with
``writers.result_dict``.  The summary counts proteins per route,
localisation, TME cell source, cancer process and clinical status, and, with
a background list, tests each TME category for over-representation (see
:mod:`secannot.enrichment` for the statistics and their conventions).

Rules that make the numbers reproducible:

* A protein is identified by its accession, else its gene symbol, else its
  id.  A protein listed twice (two isoforms of one accession, a repeated
  line) counts once; the record with the smallest id is kept, so the result
  does not depend on input order.  Genes are shown by gene symbol, else
  accession, else id.
* The foreground must be a subset of the background.  Foreground proteins
  missing from the background are added to it with a warning: a hit was,
  by definition, detected.
* Rows are sorted by section (in the order of :data:`SECTIONS`), then by
  p-value, count and name when tested, else by count and name; gene lists
  are sorted.  Shuffling the input does not change the output.
* Only TME categories are tested (:data:`TESTED_SECTIONS`); route and
  localisation rows carry counts and fractions only, because they describe
  what the predictor made of the input rather than a biological annotation
  that could be enriched.

Output columns (TSV header and JSON row keys, in this order) are listed in
:data:`SUMMARY_COLUMNS`.  The TSV starts with ``#`` comment lines (input and
background sizes, the test, and why p-values are missing when they are);
read it with e.g. ``pandas.read_csv(path, sep="\\t", comment="#")``.  The
JSON document has ``provenance`` (from the caller), ``summary`` (sizes,
``test``, ``multiple_testing``, ``odds_ratio``, ``no_test_reason``,
``notes``), ``columns`` (this dictionary), ``rows`` (``genes`` as a list;
``null`` where the TSV has an empty cell) and ``clinical_hits`` (every
clinical claim of the input with its evidence, from JSON/JSONL input).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from secannot.enrichment import (
    MULTIPLE_TESTING_DESCRIPTION,
    ODDS_RATIO_DESCRIPTION,
    TEST_DESCRIPTION,
    Counts,
    enrich,
)
from secannot.errors import InputError

SUMMARY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("section", "route, localization, cell_source, process, clinical_category or clinical_token"),
    ("category", "the value, e.g. CAF, angiogenesis, fda_marker, approved_target:bevacizumab"),
    ("count", "input (foreground) proteins carrying the category"),
    ("background_count", "background proteins carrying it (foreground included); empty without a background"),
    ("fraction", "count / number of input proteins"),
    ("background_fraction", "background_count / number of background proteins; empty without a background"),
    ("odds_ratio", "foreground vs rest of background, Haldane-Anscombe +0.5 when a cell is 0; TME sections only"),
    ("p_value", "one-sided hypergeometric P(X >= count) for over-representation; TME sections only"),
    ("q_value", "Benjamini-Hochberg q-value across all tested categories of the run"),
    ("genes", "input proteins carrying the category (gene, else accession, else id; ;-separated, sorted)"),
)
COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _ in SUMMARY_COLUMNS)

SECTIONS: tuple[str, ...] = ("route", "localization", "cell_source", "process", "clinical_category", "clinical_token")
TESTED_SECTIONS: tuple[str, ...] = ("cell_source", "process", "clinical_category", "clinical_token")
REQUIRED_COLUMNS: tuple[str, ...] = ("id", "route", "localization", "cell_sources", "processes", "clinical")
FORMATS: tuple[str, ...] = ("tsv", "json")
CLINICAL_STATUSES: tuple[str, ...] = ("fda_marker", "approved_target", "investigational_target")

NO_BACKGROUND_NOTE = (
    "no background list given, so no p-values: over-representation is only defined against the "
    "proteins that could have been found (in proteomics, everything detected); the table shows counts only"
)


# --------------------------------------------------------------------------- reading


def detect_format(text: str) -> str | None:
    """'tsv', 'jsonl' or 'json' for secannot output, None for anything else (e.g. FASTA).

    Decided from content, not the file name, because outputs are often
    piped or renamed; the caller annotates FASTA itself when this says None.
    """
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("{"):
        first = head.split("\n", 1)[0].strip()
        try:
            obj = json.loads(first)
        except json.JSONDecodeError:
            return "json"  # a pretty-printed or multi-line document
        return "json" if isinstance(obj, dict) and "records" in obj else "jsonl"
    header = head.split("\n", 1)[0].rstrip("\r").split("\t")
    if header and header[0] == "id" and len(header) > 1:
        return "tsv"
    return None


def load_annotated(source: str | os.PathLike[str] | TextIO) -> list[dict[str, Any]]:
    """Records of a secannot TSV, JSONL or JSON output, in input order.

    Raises InputError for anything else, naming the line when a record is
    malformed, so the user can fix the file rather than guess.
    """
    name, text = _read_text(source)
    fmt = detect_format(text)
    if fmt is None:
        raise InputError(f"{name}: not secannot TSV, JSONL or JSON output (FASTA must be annotated first)")
    if fmt == "tsv":
        records = _parse_tsv(name, text)
    elif fmt == "jsonl":
        records = _parse_jsonl(name, text)
    else:
        records = _parse_json_document(name, text)
    _check_columns(name, records)
    return records


def _read_text(source: str | os.PathLike[str] | TextIO) -> tuple[str, str]:
    if isinstance(source, (str, os.PathLike)):
        try:
            with open(source, encoding="utf-8") as fh:
                return os.fspath(source), fh.read()
        except OSError as exc:
            raise InputError(f"{os.fspath(source)}: cannot read ({exc.strerror})") from None
        except UnicodeDecodeError:
            raise InputError(f"{os.fspath(source)}: not UTF-8 text") from None
    return str(getattr(source, "name", "<stdin>")), source.read()


def _parse_tsv(name: str, text: str) -> list[dict[str, Any]]:
    lines = text.lstrip("\ufeff").splitlines()
    header = lines[0].split("\t")
    records = []
    for lineno, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(header):
            raise InputError(f"{name}:{lineno}: {len(cells)} fields, the header has {len(header)}")
        records.append(dict(zip(header, cells, strict=True)))
    return records


def _parse_jsonl(name: str, text: str) -> list[dict[str, Any]]:
    records = []
    for lineno, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{lineno}: not a JSON record ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise InputError(f"{name}:{lineno}: expected a JSON object per line")
        records.append(obj)
    return records


def _parse_json_document(name: str, text: str) -> list[dict[str, Any]]:
    try:
        doc = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    records = doc.get("records") if isinstance(doc, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InputError(f"{name}: a JSON document needs a 'records' list of objects (secannot --format json)")
    return records


def _check_columns(name: str, records: list[dict[str, Any]]) -> None:
    if not records:
        raise InputError(f"{name}: no records")
    missing = [c for c in REQUIRED_COLUMNS if c not in records[0]]
    if missing:
        hint = " (is it 'secannot predict' output? summaries need 'secannot annotate')" if "cell_sources" in missing else ""
        raise InputError(f"{name}: missing column(s) {', '.join(missing)}{hint}")


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

    @property
    def has_background(self) -> bool:
        return self.background_size is not None

    def section(self, name: str) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.section == name)

    def methods(self) -> dict[str, str | None]:
        """The statistics used, or why there are none; shown by every output format."""
        if not self.has_background:
            return {"test": None, "multiple_testing": None, "odds_ratio": None, "no_test_reason": NO_BACKGROUND_NOTE}
        return {
            "test": TEST_DESCRIPTION,
            "multiple_testing": MULTIPLE_TESTING_DESCRIPTION,
            "odds_ratio": ODDS_RATIO_DESCRIPTION,
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
) -> Summary:
    """Count, and test against the background when there is one (see the module docstring)."""
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
    for note in notes:
        warn(note)
    rows = _rows(fg, bg)
    return Summary(len(fg), len(bg) if bg is not None else None, rows, clinical_hits(fg.values()), tuple(notes))


def _rows(fg: Mapping[str, Protein], bg: Mapping[str, Protein] | None) -> tuple[Row, ...]:
    fg_members = _members(fg)
    bg_members = _members(bg) if bg is not None else {}
    n, big_n = len(fg), (len(bg) if bg is not None else 0)
    cells = sorted(set(fg_members) | set(bg_members))
    tested = {}
    if bg is not None:
        counts = {
            f"{s}\t{c}": Counts(len(fg_members.get((s, c), ())), n, len(bg_members[(s, c)]), big_n)
            for s, c in cells
            if s in TESTED_SECTIONS
        }
        tested = enrich(counts)
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
            )
        rows.append(row)
    return tuple(sorted(rows, key=_row_order))


def _row_order(row: Row) -> tuple:
    section_rank = SECTIONS.index(row.section)
    if row.tested:
        return (section_rank, row.p_value, -row.count, row.category)
    return (section_rank, 0.0, -row.count, -(row.background_count or 0), row.category)


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
    if status == "fda_marker":
        specimen, _, cancer = rest.partition(":")
        return ClinicalHit(label, status, specimen=specimen or None, cancer=cancer or None)
    if status == "approved_target":
        return ClinicalHit(label, status, drugs=(rest,) if rest else ())
    outcome, _, drug = rest.partition(":")
    return ClinicalHit(label, status, outcome=outcome or None, drugs=(drug,) if drug else ())


def resolve_evidence(evidence: Mapping[str, Any], sources: Mapping[str, Any]) -> dict[str, Any]:
    """Evidence with a 'source' key expanded from the rule file's sources table (citation, doi, pmid, url)."""
    resolved = dict(evidence)
    key = evidence.get("source")
    entry = sources.get(key) if isinstance(key, str) else None
    if isinstance(entry, dict):
        for field_name in ("citation", "doi", "pmid", "url"):
            if field_name in entry and field_name not in resolved:
                resolved[field_name] = entry[field_name]
    return resolved


# --------------------------------------------------------------------------- writing


def summary_rows(summary: Summary) -> list[dict[str, Any]]:
    """Rows as dicts keyed by COLUMN_NAMES, typed (None where a value does not apply)."""
    return [
        {
            "section": r.section,
            "category": r.category,
            "count": r.count,
            "background_count": r.background_count,
            "fraction": r.fraction,
            "background_fraction": r.background_fraction,
            "odds_ratio": r.odds_ratio,
            "p_value": r.p_value,
            "q_value": r.q_value,
            "genes": list(r.genes),
        }
        for r in summary.rows
    ]


def _tsv_cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, float):
        # p and q span many orders of magnitude: 4 significant digits, not 4 decimals.
        return f"{value:.4g}" if name in ("p_value", "q_value", "odds_ratio") else f"{value:.4f}"
    return str(value).replace("\t", " ")


def _header_comments(summary: Summary) -> list[str]:
    lines = [f"input proteins: {summary.input_size}"]
    if summary.has_background:
        lines.append(f"background proteins: {summary.background_size}")
    for key, text in summary.methods().items():
        if text:
            lines.append(f"{key.replace('_', ' ')}: {text}")
    lines += [f"note: {n}" for n in summary.notes if n != NO_BACKGROUND_NOTE]
    return [f"# {line}" for line in lines]


def write_summary(summary: Summary, out: TextIO, fmt: str, provenance: Mapping[str, Any] | None = None) -> None:
    """The table as TSV (with # comment lines) or one JSON document with methods and provenance."""
    if fmt == "tsv":
        lines = _header_comments(summary) + ["\t".join(COLUMN_NAMES)]
        lines += ["\t".join(_tsv_cell(k, row[k]) for k in COLUMN_NAMES) for row in summary_rows(summary)]
        out.write("\n".join(lines) + "\n")
    elif fmt == "json":
        doc = {
            "provenance": dict(provenance or {}),
            "summary": {
                "input_size": summary.input_size,
                "background_size": summary.background_size,
                **summary.methods(),
                "notes": list(summary.notes),
            },
            "columns": [{"name": n, "description": d} for n, d in SUMMARY_COLUMNS],
            "rows": summary_rows(summary),
            "clinical_hits": [clinical_hit_dict(h) for h in summary.clinical_hits],
        }
        out.write(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    else:
        raise InputError(f"unknown summary format {fmt!r} (use {' or '.join(FORMATS)})")
    out.flush()


def clinical_hit_dict(hit: ClinicalHit) -> dict[str, Any]:
    data = {
        "gene": hit.gene, "status": hit.status, "outcome": hit.outcome, "drugs": list(hit.drugs),
        "specimen": hit.specimen, "cancer": hit.cancer, "use": hit.use, "year": hit.year, "note": hit.note,
        "evidence": [dict(e) for e in hit.evidence],
    }
    return {k: v for k, v in data.items() if v not in (None, [])}


# --------------------------------------------------------------------------- entry point


def run_summarize(
    records: list[dict],
    background: list[dict] | None,
    out: TextIO,
    fmt: str,
    report: str | None,
    plot: str | None,
    provenance: dict,
    warn: Callable[[str], None],
) -> None:
    """The ``summarize`` command without the command line.

    Everything that can fail for a reason the user can fix (format, plot
    extension, missing matplotlib) is checked before anything is written,
    so a failed run leaves no half-written output behind.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown summary format {fmt!r} (use {' or '.join(FORMATS)})")
    if report is not None or plot is not None:
        from secannot import plotting

        plotting.require_matplotlib()
        if plot is not None:
            plotting.image_format(plot, allowed=plotting.CHART_FORMATS)
    summary = summarize(records, background, warn)
    buffer = io.StringIO()
    write_summary(summary, buffer, fmt, provenance)
    out.write(buffer.getvalue())
    out.flush()
    if report is not None:
        from secannot.report_html import write_report

        write_report(summary, report, provenance)
    if plot is not None:
        from secannot.plotting import bar_chart

        bar_chart(summary, plot)

"""The secretome summary as one self-contained HTML file.

The report is meant to be mailed, archived next to the data and opened
offline years later, so it loads nothing: CSS is inline, the chart is a
base64 PNG ``data:`` URI, there are no scripts or fonts.  The only URLs are
``<a href>`` links to the evidence (PubMed, doi.org, the rule file's source
pages) that a reader may click.  Every piece of text is escaped, because
gene names, notes and citations come from user-supplied rule files.
"""

from __future__ import annotations

import base64
import html
import os
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from secannot.io.writers.gff3_attributes import SHORT_VERDICTS, VERDICTS
from secannot.io.writers.output_file import OutputFile
from secannot.knowledge.citations import FOUNDING_REVIEW, public_note
from secannot.knowledge.regulatory import regulatory_url
from secannot.report.enrichment import SIGNIFICANT_Q
from secannot.report.protein_table import COLUMNS as PROTEIN_COLUMNS
from secannot.report.protein_table import ProteinRow, protein_rows
from secannot.report.summary import NO_BACKGROUND_NOTE, ClinicalHit, Summary, resolve_evidence

PUBMED = "https://pubmed.ncbi.nlm.nih.gov/{}/"
DOI = "https://doi.org/{}"
_PMID = re.compile(r"^\d{1,9}$")
_SAFE_URL = re.compile(r"^https?://[^\s\"'<>]+$", re.IGNORECASE)

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto;
       max-width: 70em; padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.proteins { font-size: 0.8em; } table.proteins td { overflow-wrap: break-word; }
tr.sig td { background: #fdecea; }
.note { color: #555; font-size: 0.9em; } .muted { color: #777; }
img.chart { max-width: 100%; height: auto; border: 1px solid #eee; }
ol.references li { margin: 0.3em 0; }
ul.evidence { margin: 0; padding-left: 1.1em; } ul.evidence li { margin: 0.1em 0; }
.quote { font-style: italic; color: #444; }
"""


STATUS_TITLES = {
    "fda_marker": "FDA-cleared or -approved tumour markers",
    "guideline_marker": "Markers recommended by guidelines or staging systems (no FDA-cleared indication for that use)",
    "approved_target": "Targets of approved cancer drugs",
    "cytokine_drug": "Proteins given as approved drugs (cytokines and engineered forms)",
    "investigational_target": "Investigational targets (clinical trials)",
}


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def link(url: str, text: str) -> str:
    """A clickable link, or plain text when the URL is not plain http(s) (no javascript: from rule files)."""
    if not _SAFE_URL.match(url):
        return esc(text)
    return f'<a href="{esc(url)}" rel="noreferrer">{esc(text)}</a>'


# --------------------------------------------------------------------------- evidence


def evidence_html(evidence: Mapping[str, Any]) -> str:
    """One evidence item: PMID and DOI as links, the founding review by author, journal, section and DOI."""
    parts: list[str] = []
    if evidence.get("seed") is not None:
        parts.append(seed_html(str(evidence["seed"])))
    if evidence.get("database"):
        item = f"{evidence['database']}: {evidence['set']}" if evidence.get("set") else str(evidence["database"])
        parts.append(esc(item) + (" (secondary)" if evidence.get("secondary") else ""))
    if evidence.get("citation"):
        parts.append(esc(str(evidence["citation"]).rstrip(". ")))
    elif evidence.get("source") and not evidence.get("seed"):
        parts.append(f"source {esc(evidence['source'])}")
    parts += _literature_links(evidence)
    if evidence.get("quote"):
        parts.append(f'<span class="quote">“{esc(evidence["quote"])}”</span>')
    note = public_note(evidence.get("note"))
    if note:
        parts.append(f'<span class="note">{esc(note)}</span>')
    return "; ".join(parts) if parts else '<span class="muted">(no detail)</span>'


def seed_html(section: str) -> str:
    """'J. Bersano, JOSHA 11(3), section 3.2 (Cancer-associated fibroblasts), doi:...' with the DOI linked."""
    review = FOUNDING_REVIEW
    return (f"{esc(review.authors)}, {esc(review.journal)} {esc(review.volume)}({esc(review.issue)}), "
            f"{esc(review.section_label(section))}, {link(review.url, 'doi:' + review.doi)}")


def _literature_links(evidence: Mapping[str, Any]) -> list[str]:
    links = []
    pmid = str(evidence.get("pmid") or "").strip()
    if pmid:
        links.append(link(PUBMED.format(pmid), f"PMID {pmid}") if _PMID.match(pmid) else esc(f"PMID {pmid}"))
    doi = str(evidence.get("doi") or "").strip()
    if doi:
        links.append(link(DOI.format(quote(doi, safe="/:;()._-")), f"doi:{doi}"))
    regulatory = str(evidence.get("regulatory") or "").strip()
    if regulatory:
        target = regulatory_url(regulatory)
        links.append(link(target, f"FDA {regulatory}") if target else esc(f"FDA {regulatory}"))
    url = str(evidence.get("url") or "").strip()
    if url and not pmid and not doi:
        links.append(link(url, "source page"))
    return links


# --------------------------------------------------------------------------- sections


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Collection[int] = (),
           row_classes: Sequence[str] | None = None, css_class: str = "") -> str:
    """Cells arrive already escaped (some carry links)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for i, cells in enumerate(rows):
        cls = f' class="{row_classes[i]}"' if row_classes and row_classes[i] else ""
        tds = "".join(f'<td class="num">{c}</td>' if j in numeric else f"<td>{c}</td>" for j, c in enumerate(cells))
        body.append(f"<tr{cls}>{tds}</tr>")
    table = f'<table class="{css_class}">' if css_class else "<table>"
    return f"{table}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _num(value: float | int | None, spec: str) -> str:
    return "" if value is None else esc(format(value, spec))


def _overview(summary: Summary) -> str:
    rows = [["input proteins", esc(summary.input_size)]]
    rows.append(["background proteins", esc(summary.background_size) if summary.has_background else "none given"])
    for key, text in summary.methods().items():
        if text:
            rows.append([esc(key.replace("_", " ")), esc(text)])
    return _table(["quantity", "value"], rows)


def _count_table(summary: Summary, section: str) -> str:
    rows = summary.section(section)
    if summary.has_background:
        headers = [section, "proteins", "fraction", "background", "background fraction"]
        cells = [[esc(r.category), esc(r.count), _num(r.fraction, ".1%"), esc(r.background_count),
                  _num(r.background_fraction, ".1%")] for r in rows]
        return _table(headers, cells, numeric={1, 2, 3, 4})
    cells = [[esc(r.category), esc(r.count), _num(r.fraction, ".1%")] for r in rows]
    return _table([section, "proteins", "fraction"], cells, numeric={1, 2})


def _or_ci(row: Any) -> str:
    if row.odds_ratio is None:
        return ""
    ci = f" ({row.odds_ratio_ci_low:.3g}-{row.odds_ratio_ci_high:.3g})" if row.odds_ratio_ci_low is not None else ""
    return esc(f"{row.odds_ratio:.3g}{ci}")


def _category_table(summary: Summary, sections: Sequence[str]) -> str:
    """Categories carried by the input; background-only ones (p = 1) stay in the TSV/JSON output."""
    rows = [r for s in sections for r in summary.section(s) if r.count > 0]
    if not rows:
        return '<p class="note">No input protein carries one of these annotations.</p>'
    if summary.has_background:
        headers = ["section", "category", "proteins", "background", "fold", "odds ratio (95% CI)", "p", "q", "genes"]
        untested = '<span class="muted">n.t.</span>'
        cells = [[esc(r.section), esc(r.category), esc(r.count), esc(r.background_count), _num(r.fold_enrichment, ".3g"),
                  _or_ci(r), _num(r.p_value, ".3g") if r.tested else untested, _num(r.q_value, ".3g")
                  if r.tested else "", esc(", ".join(r.genes))] for r in rows]
        classes = ["sig" if r.q_value is not None and r.q_value < SIGNIFICANT_Q and r.count else "" for r in rows]
        legend = ""
        if any(not r.tested for r in rows):
            legend = (f'<p class="note">n.t.: not tested, fewer than {summary.min_size} background proteins carry the '
                      f"category (<code>--min-size</code>). Shaded rows: q &lt; {SIGNIFICANT_Q:g}.</p>")
        return legend + _table(headers, cells, numeric={2, 3, 4, 5, 6, 7}, row_classes=classes)
    cells = [[esc(r.section), esc(r.category), esc(r.count), esc(", ".join(r.genes))] for r in rows]
    return _table(["section", "category", "proteins", "genes"], cells, numeric={2})


def _hit_detail(hit: ClinicalHit) -> str:
    bits = []
    if hit.specimen:
        bits.append(f"specimen: {hit.specimen}")
    if hit.cancer:
        bits.append(f"cancer: {hit.cancer}")
    if hit.use:
        bits.append(f"use: {hit.use}")
    if hit.year:
        bits.append(f"year: {hit.year}")
    text = esc("; ".join(bits))
    note = public_note(hit.note)
    if note:
        text += f'<br><span class="note">{esc(note)}</span>'
    return text


def _evidence_list(hit: ClinicalHit) -> str:
    if not hit.evidence:
        return '<span class="muted">not in this input (TSV carries no evidence; use JSON or JSONL)</span>'
    return '<ul class="evidence">' + "".join(f"<li>{evidence_html(e)}</li>" for e in hit.evidence) + "</ul>"


def _clinical_groups(summary: Summary) -> list[tuple[str, str, list[ClinicalHit]]]:
    """(status, title, hits): markers, approved targets, then investigational targets by outcome."""
    groups = []
    for status, title in STATUS_TITLES.items():
        hits = [h for h in summary.clinical_hits if h.status == status]
        if status != "investigational_target":
            groups.append((status, title, hits))
            continue
        for outcome in sorted({h.outcome or "outcome not recorded" for h in hits}):
            same = [h for h in hits if (h.outcome or "outcome not recorded") == outcome]
            groups.append((status, f"{title}: {outcome}", same))
    other = [h for h in summary.clinical_hits if h.status not in STATUS_TITLES]
    groups.append(("other", "Other clinical claims", other))
    return [g for g in groups if g[2]]


def _clinical_row(status: str, hit: ClinicalHit) -> list[str]:
    cells = [esc(hit.gene)]
    if status == "other":
        cells.append(esc(hit.status))
    if status not in ("fda_marker", "guideline_marker", "other"):
        cells.append(esc(", ".join(hit.drugs)))
    return cells + [_hit_detail(hit), _evidence_list(hit)]


def _clinical(summary: Summary) -> str:
    if not summary.clinical_hits:
        return '<p class="note">No input protein has a clinical claim in the rules.</p>'
    out = []
    for status, title, hits in _clinical_groups(summary):
        headers = ["gene"] + (["status"] if status == "other" else [])
        headers += [] if status in ("fda_marker", "guideline_marker", "other") else ["drugs"]
        out.append(f"<h3>{esc(title)}</h3>" + _table(headers + ["details", "evidence"],
                                                     [_clinical_row(status, h) for h in hits]))
    return "".join(out)


def _chart(summary: Summary, title: Any) -> str:
    from secannot.report.plots import enrichment_png

    data = base64.b64encode(enrichment_png(summary, title)).decode("ascii")
    what = ("fold enrichment (x), input proteins (dot size) and q-value (colour)" if summary.has_background
            else "hit ratio and counts (no background)")
    return (f'<img class="chart" alt="Dot plot of cell sources and cancer processes: {esc(what)}" '
            f'src="data:image/png;base64,{data}">')


def _proteins(rows: Sequence[ProteinRow]) -> str:
    """The per-protein table: verdict, route and evidence as in the TSV, then the annotation."""
    if not rows:
        return '<p class="muted">no per-protein records given</p>'
    cells = [[esc(r.id).replace("|", "|<wbr>"), esc(r.gene or r.accession or ""), esc(SHORT_VERDICTS.get(r.localization) or VERDICTS.get(
              r.localization, r.localization)), esc(r.route), esc(r.evidence), _terms(r.cell_sources),
              _terms(r.processes), _terms(r.clinical)] for r in rows]
    return _table(PROTEIN_COLUMNS, cells, css_class="proteins")


def _terms(values: Sequence[str]) -> str:
    """Vocabulary terms for reading: 'approved_target:bevacizumab' -> 'approved target: bevacizumab'."""
    return esc(", ".join(v.replace("_", " ").replace(":", ": ") for v in values))


PROVENANCE_LABELS = {
    "tool name": "tool", "tool version": "tool version", "model name": "signal-peptide model",
    "model version": "signal-peptide model version", "rules version": "rules version",
    "uniprot release": "UniProt release", "date": "date of this summary (UTC)",
    "inputs foreground": "input (hits)", "inputs background": "background",
    "hits_organism": "organism groups the hits were annotated for", "hits_rules": "rules the hits were annotated with",
    "organism": "organism group", "thresholds organism": "organism group", "thresholds sp_prob": "signal-peptide threshold, P(SP) >=",
    "thresholds nc_score": "leaderless-secretion threshold, nc_score >=",
    "thresholds min_size": "minimum category size in the background (--min-size)",
    "thresholds q_value_highlight": "q-value below which rows are shaded",
}


CROSSTALK_TITLES = {
    "within": "between input proteins",
    "to_background": "from an input ligand to a background receptor",
    "from_background": "from a background ligand to an input receptor",
}


def _crosstalk(summary: Summary) -> str:
    """Heat map of sender -> receiver cell types, then the pairs (LIANA+ consensus ligand-receptor pairs)."""
    from secannot.report.plots import crosstalk_heatmap_png

    if not summary.crosstalk:
        return ('<p class="note">No ligand-receptor pair (LIANA+ consensus) links two proteins of the input'
                + ("" if summary.has_background else " (give a background to see pairs with background proteins)")
                + ".</p>")
    data = base64.b64encode(crosstalk_heatmap_png(summary)).decode("ascii")
    figure = (f'<img class="chart" alt="Heat map: ligand-receptor pairs from sender to receiver cell types" '
              f'src="data:image/png;base64,{data}">')
    cells = [[esc(CROSSTALK_TITLES[c.scope]), esc(c.ligand), esc(c.receptor),
              esc(c.evidence()),
              esc(", ".join(c.senders) or "unknown"), esc(", ".join(c.receivers) or "unknown"),
              esc(", ".join(c.resources) or c.origin)] for c in summary.crosstalk]
    headers = ["scope", "ligand", "receptor", "resource pairs (complexes as A_B)", "sender cells", "receiver cells",
               "resources"]
    note = ('<p class="muted">Senders: cell types the TME rules give the ligand; receivers: cell types they give the '
            "receptor protein; unknown where the rules have no such claim.</p>")
    return figure + note + _table(headers, cells)


def _provenance(provenance: Mapping[str, Any]) -> str:
    rows = [[esc(PROVENANCE_LABELS.get(k, k)), esc(", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)]
            for k, v in _flatten(provenance) if v not in (None, "", [])]
    return _table(["field", "value"], rows) if rows else '<p class="muted">no provenance given</p>'


def _flatten(data: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out += _flatten(value, name + " ")
        else:
            out.append((name, value))
    return out


def _claim_evidence(records: Sequence[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    """The evidence of every cell-source and process claim of the input's annotations (JSON input; a TSV has
    none), with 'source' keys expanded from each rule file's sources table."""
    for record in records:
        annotation = record.get("annotation")
        if not isinstance(annotation, Mapping):
            continue
        sources = annotation.get("sources") or {}
        for group in ("cell_sources", "processes"):
            for claim in annotation.get(group) or ():
                if isinstance(claim, Mapping):
                    for ev in claim.get("evidence") or ():
                        if isinstance(ev, Mapping):
                            yield resolve_evidence(ev, sources)


def _references(summary: Summary, records: Sequence[Mapping[str, Any]] = ()) -> str:
    """Every source the report cites, in full: the founding review, then the sources of the clinical claims and
    of the input's cell-source and process claims (a citation, PMID, DOI, FDA number or database set)."""
    review = FOUNDING_REVIEW
    items = {review.doi: (f"{esc(review.citation().rsplit(', doi:', 1)[0])}. "
                          f"{link(review.url, 'https://doi.org/' + review.doi)} (the founding review of the "
                          "rules; cited by section)")}
    evidence = [ev for hit in summary.clinical_hits for ev in hit.evidence] + list(_claim_evidence(records))
    for ev in evidence:
        if ev.get("seed"):
            continue  # the founding review, listed first
        links = _literature_links({k: ev.get(k) for k in ("doi", "pmid", "url", "regulatory")})
        if not links and ev.get("url"):
            links = [link(str(ev["url"]), str(ev["url"]))]
        if ev.get("database"):
            database = f"{ev['database']}: {ev['set']}" if ev.get("set") else str(ev["database"])
            key, text = database, esc(database) + (f" {' '.join(links)}" if links else "")
        elif ev.get("citation") or links:
            key = str(ev.get("doi") or ev.get("pmid") or ev.get("regulatory") or ev.get("url") or ev["citation"])
            text = f"{esc(ev.get('citation') or '')} {' '.join(links)}".strip()
        else:
            continue
        items.setdefault(key, text)
    return '<ol class="references">' + "".join(f"<li>{text}</li>" for text in items.values()) + "</ol>"


def render(summary: Summary, provenance: Mapping[str, Any], records: Sequence[Mapping[str, Any]] = (),
           title: Any = None) -> str:
    """The whole page; ``records`` (annotate output) feed the per-protein table, ``title`` the plot's title."""
    notes = [n for n in summary.notes if n != NO_BACKGROUND_NOTE]
    notes_html = "".join(f"<li>{esc(n)}</li>" for n in notes)
    no_test = "" if summary.has_background else f'<p class="note">{esc(NO_BACKGROUND_NOTE)}.</p>'
    body = [
        "<h1>secannot secretome summary</h1>",
        no_test,
        '<h2 id="overview">Overview</h2>', _overview(summary),
        f"<ul class='note'>{notes_html}</ul>" if notes else "",
        '<h2 id="proteins">Proteins</h2>', _proteins(protein_rows(records)),
        '<h2 id="route">Secretion route</h2>', _count_table(summary, "route"),
        '<h2 id="localisation">Localisation</h2>', _count_table(summary, "localization"),
        '<h2 id="tme">Cell sources and cancer processes</h2>', _chart(summary, title),
        _category_table(summary, ("cell_source", "process")),
        '<h2 id="clinical">Clinical status</h2>', _category_table(summary, ("clinical_category", "clinical_token")),
        _clinical(summary),
        '<h2 id="crosstalk">Ligand-receptor crosstalk</h2>', _crosstalk(summary),
        '<h2 id="references">References</h2>', _references(summary, records),
        '<h2 id="provenance">Provenance</h2>', _provenance(provenance),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>secannot secretome summary</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n" + "\n".join(b for b in body if b) + "\n</body>\n</html>\n"
    )


def write_report(summary: Summary, path: str | os.PathLike[str], provenance: Mapping[str, Any],
                 records: Sequence[Mapping[str, Any]] = (), title: Any = None) -> str:
    """Write the report; returns the path.  Needs matplotlib for the chart.

    The file is written under a temporary name beside ``path`` and renamed into place when complete,
    so a failed write leaves an existing report as it was.  Errors: OutputError (exit 4) when it
    cannot be written.
    """
    text = render(summary, provenance, records, title)
    with OutputFile(os.fspath(path)) as fh:
        fh.write(text)
    return os.fspath(path)

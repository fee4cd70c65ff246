"""Writing a summary: the TSV/JSON table, and the ``summarize`` command's core (table, report, chart).

This module sits above the summary, the plots and the HTML report, so the
three never import each other in a circle.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TextIO

from secannot.errors import InputError
from secannot.report.enrichment import DEFAULT_MIN_SIZE, SIGNIFICANT_Q
from secannot.report.standards import annotation_standards
from secannot.report.summary import (
    COLUMN_NAMES,
    FORMATS,
    SUMMARY_COLUMNS,
    ClinicalHit,
    Summary,
    summarize,
)

# --------------------------------------------------------------------------- writing

_SIGNIFICANT_DIGITS = ("p_value", "q_value", "odds_ratio", "odds_ratio_ci_low", "odds_ratio_ci_high", "fold_enrichment")


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
            "senders": list(r.senders),
            "receivers": list(r.receivers),
            "odds_ratio_ci_low": r.odds_ratio_ci_low,
            "odds_ratio_ci_high": r.odds_ratio_ci_high,
            "fold_enrichment": r.fold_enrichment,
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
        return f"{value:.4g}" if name in _SIGNIFICANT_DIGITS else f"{value:.4f}"
    return str(value).replace("\t", " ")


def summary_notes(summary: Summary) -> list[str]:
    """Sizes and methods for stderr next to TSV (which stays one table); the JSON document carries them.

    The notes themselves (:attr:`Summary.notes`, the no-background reason among
    them) are not repeated: :func:`summarize` already gave each to ``warn``.
    """
    lines = [f"input proteins: {summary.input_size}"]
    if summary.has_background:
        lines.append(f"background proteins: {summary.background_size}")
    for key, text in summary.methods().items():
        if text and text not in summary.notes:
            lines.append(f"{key.replace('_', ' ')}: {text}")
    return lines


def write_summary(summary: Summary, out: TextIO, fmt: str, provenance: Mapping[str, Any] | None = None) -> None:
    """The table as TSV (one header row, nothing else) or one JSON document with methods and provenance."""
    if fmt == "tsv":
        lines = ["\t".join(COLUMN_NAMES)]
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
            "crosstalk": [c.as_dict() for c in summary.crosstalk],
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


def run_date() -> str:
    """UTC time of the run for provenance; SOURCE_DATE_EPOCH (reproducible-builds.org) fixes it."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    when = datetime.fromtimestamp(int(epoch), tz=UTC) if epoch.isdigit() else datetime.now(tz=UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def input_label(option: str, value: str) -> str:
    """How an input is named in provenance and titles: the path as typed, 'stdin', or the id option."""
    if value == "-":
        return "stdin"
    if option in ("input", "background"):
        return value
    return f"--{option.replace('_', '-')} {value}"


def summary_provenance(provenance: Mapping[str, Any], inputs: Sequence[str], background: str | None,
                       min_size: int, hits_organism: Sequence[str] = (), hits_rules: Sequence[str] = ()
                       ) -> dict[str, Any]:
    """The run's provenance plus what only summarize knows: inputs, date, its own thresholds,
    ``hits_organism``, the organism groups the input's own provenance names (:func:`~secannot.report.standards.annotation_standards`),
    and ``hits_rules``, the rules versions the hits were annotated with (their provenance, or a TSV's
    ``rules_version`` column); each key is left out when the input named none.  ``rules`` stays this
    run's own: the rules of what summarize annotated itself."""
    data = dict(provenance)
    if hits_organism:
        data["hits_organism"] = list(hits_organism)
    if hits_rules:
        data["hits_rules"] = list(hits_rules)
    data["date"] = run_date()
    data["inputs"] = {"foreground": list(inputs), "background": background}
    thresholds = dict(data.get("thresholds") or {})
    thresholds.update({"min_size": min_size, "q_value_highlight": SIGNIFICANT_Q})
    data["thresholds"] = thresholds
    return data


def run_summarize(
    records: list[dict],
    background: list[dict] | None,
    out: TextIO,
    fmt: str,
    report: str | None,
    plot: str | None,
    provenance: dict,
    warn: Callable[[str], None],
    *,
    min_size: int = DEFAULT_MIN_SIZE,
    inputs: Sequence[str] = (),
    background_name: str | None = None,
    note: Callable[[str], None] | None = None,
    standards_notes: Sequence[str] = (),
) -> None:
    """The ``summarize`` command without the command line.

    ``standards_notes``: the caller's warnings about the standards the inputs were annotated under
    (:func:`secannot.report.standards.standards_warnings`), kept in the summary's notes (JSON, report) with
    the organism-mix warning, so a saved summary still says its counts mix two standards.

    Everything that can fail for a reason the user can fix (format, plot
    extension, missing matplotlib, --min-size) is checked before anything is
    written, so a failed run leaves no half-written output behind.  ``inputs``
    and ``background_name`` name the files in the provenance, the plot title
    and the report.  Notes go to ``warn`` once; with TSV the sizes and
    methods also go to ``note`` (stderr), as the JSON document carries them.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown summary format {fmt!r} (use {' or '.join(FORMATS)})")
    if report is not None or plot is not None:
        from secannot.report import plots

        plots.require_matplotlib()
        if plot is not None:
            plots.image_format(plot, allowed=plots.CHART_FORMATS)
    summary = summarize(records, background, warn, min_size=min_size)
    found = annotation_standards(records)  # the hits' own organism groups and rules, from their provenance
    organisms = sorted(found["organism groups"])
    kept = list(standards_notes)
    if len(organisms) > 1:
        mixed = (f"the input mixes annotate runs of different organism groups ({', '.join(organisms)}): their "
                 "signal-peptide thresholds differ, so the counts mix two standards")
        warn(mixed)
        kept.append(mixed)
    if kept:
        summary = replace(summary, notes=tuple(kept) + summary.notes)
    hits_rules = sorted(found["rules"])
    provenance = summary_provenance(provenance, inputs, background_name, min_size, organisms, hits_rules)
    buffer = io.StringIO()
    write_summary(summary, buffer, fmt, provenance)
    out.write(buffer.getvalue())
    out.flush()
    if fmt == "tsv" and note is not None:
        for line in summary_notes(summary):
            note(line)
    if report is None and plot is None:
        return
    from secannot.report.plots import PlotTitle, enrichment_plot

    title = PlotTitle(tuple(inputs), background_name)
    if report is not None:
        from secannot.report.html import write_report

        write_report(summary, report, provenance, records, title)
    if plot is not None:
        enrichment_plot(summary, plot, title)

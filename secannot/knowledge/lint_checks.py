"""Lint checks on the content of the evidence, beyond what the JSON Schema can say.

* seed quotes: every ``{seed: S, quote: Q}`` must occur (whitespace collapsed) in
  section S of the founding review (``rules lint --seed FILE``);
* gene and accession agree, judged by the offline symbol-accession table shipped
  with the ligand-receptor pairs (:mod:`secannot.knowledge.ligrec`); genes absent
  from the table are not judged;
* ``date`` is a real calendar date, and no clinical ``year`` lies after it;
* contradictory claims on one gene: opposite processes supported by the same quote.

Each check yields :class:`Problem` objects with the line of the offending key.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import yaml

from secannot.knowledge.ligrec import accession_genes, gene_accessions
from secannot.knowledge.problems import Problem
from secannot.knowledge.schema import CLAIM_GROUPS
from secannot.knowledge.seed import SeedText, collapse
from secannot.knowledge.yaml_source import line_of, where

# Process pairs that cannot both follow from one statement about one protein.
OPPOSITES = (
    ("immune_suppression", "immune_activation"),
    ("tumour_suppression", "proliferation"),
)


def _entries(data: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    entries = data.get("entries")
    return [(i, e) for i, e in enumerate(entries) if isinstance(e, dict)] if isinstance(entries, list) else []


def _claims(entry: dict[str, Any], index: int) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    for group in CLAIM_GROUPS:
        items = entry.get(group)
        if isinstance(items, list):
            for j, claim in enumerate(items):
                if isinstance(claim, dict):
                    yield ("entries", index, group, j), claim
    if isinstance(entry.get("nonclassical"), dict):
        yield ("entries", index, "nonclassical"), entry["nonclassical"]


def _evidence(claim: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    items = claim.get("evidence")
    return [(k, e) for k, e in enumerate(items) if isinstance(e, dict)] if isinstance(items, list) else []


def seed_problems(data: dict[str, Any], root: yaml.Node | None, file: str, seed: SeedText) -> Iterator[Problem]:
    """Quotes that do not occur in the cited section (with the sections where they do occur, if any)."""
    for index, entry in _entries(data):
        for claim_path, claim in _claims(entry, index):
            for k, item in _evidence(claim):
                section, quote = item.get("seed"), item.get("quote")
                if not isinstance(section, str) or not isinstance(quote, str) or seed.contains(section, quote):
                    continue
                path = (*claim_path, "evidence", k, "quote")
                elsewhere = [s for s in seed.find(quote) if s != section]
                hint = f" (it occurs in section {', '.join(elsewhere)})" if elsewhere else " (it occurs nowhere in the review)"
                shown = collapse(quote)
                shown = shown if len(shown) <= 70 else shown[:67] + "..."
                yield Problem(file, line_of(root, path),
                              f"{where(path, data)}: quote \"{shown}\" is not in seed section {section}{hint}")


def accession_problems(data: dict[str, Any], root: yaml.Node | None, file: str) -> Iterator[Problem]:
    """An entry whose accession belongs to another gene, or is not among the gene's accessions."""
    by_gene, owner_of = gene_accessions(), accession_genes()
    for index, entry in _entries(data):
        gene, accession = entry.get("gene"), entry.get("accession")
        if not isinstance(gene, str) or not isinstance(accession, str):
            continue
        known = by_gene.get(gene.upper())
        owner = owner_of.get(accession)
        if known is not None and accession in known:
            continue
        table = "offline table secannot/data/gene_accessions.tsv"
        severity = "error"
        if known is not None and owner is not None and owner != gene.upper():
            message = f"accession {accession} belongs to {owner}, not {gene} ({gene} is {', '.join(sorted(known))}; {table})"
        elif known is not None:
            message = f"accession {accession} is not an accession of {gene} (expected {', '.join(sorted(known))}; {table})"
        elif owner is not None and owner != gene.upper():
            # the gene is not in the table: a UniProt entry shared by identical genes (CGB3/CGB5/CGB8) looks like
            # this; a note that names the other gene acknowledges it
            if re.search(rf"\b{re.escape(owner)}\b", str(entry.get("note", "")), re.IGNORECASE):
                continue
            severity = "warning"
            message = f"the {table} gives accession {accession} to {owner}, not {gene}; check the entry"
        else:
            continue
        path = ("entries", index, "accession")
        yield Problem(file, line_of(root, path), f"{where(path, data)}: {message}", severity)


def _file_date(data: dict[str, Any], root: yaml.Node | None, file: str) -> tuple[dt.date | None, list[Problem]]:
    raw = data.get("date")
    if isinstance(raw, dt.date):
        return raw, []
    if not isinstance(raw, str):
        return None, []
    try:
        return dt.date.fromisoformat(raw), []
    except ValueError as exc:
        return None, [Problem(file, line_of(root, ("date",)), f"date '{raw}' is not a calendar date ({exc})")]


def date_problems(data: dict[str, Any], root: yaml.Node | None, file: str) -> Iterator[Problem]:
    """``date`` must exist in the calendar; a clinical year cannot lie after the file's date."""
    date, problems = _file_date(data, root, file)
    yield from problems
    if date is None:
        return
    for index, entry in _entries(data):
        for claim_path, claim in _claims(entry, index):
            year = claim.get("year")
            if isinstance(year, int) and not isinstance(year, bool) and year > date.year:
                path = (*claim_path, "year")
                yield Problem(file, line_of(root, path),
                              f"{where(path, data)}: year {year} is after the file's date {date.isoformat()}")


def _quotes(claim: dict[str, Any]) -> set[str]:
    return {collapse(e["quote"]) for _, e in _evidence(claim) if isinstance(e.get("quote"), str)}


def contradiction_problems(data: dict[str, Any], root: yaml.Node | None, file: str) -> Iterator[Problem]:
    """Opposite processes on one entry that rest on the same quote: one statement cannot say both."""
    for index, entry in _entries(data):
        processes = entry.get("processes")
        if not isinstance(processes, list):
            continue
        by_value = {c.get("value"): (j, c) for j, c in enumerate(processes) if isinstance(c, dict)}
        for a, b in OPPOSITES:
            if a not in by_value or b not in by_value:
                continue
            shared = _quotes(by_value[a][1]) & _quotes(by_value[b][1])
            if shared:
                path = ("entries", index, "processes", by_value[b][0], "value")
                quote = sorted(shared)[0]
                yield Problem(file, line_of(root, path),
                              f"{where(path, data)}: {b} contradicts {a} on {entry.get('gene')}, and both cite the "
                              f"same quote \"{quote[:60]}\"")

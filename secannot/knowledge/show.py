"""``secannot rules show GENE|ACCESSION|ALIAS``: one entry, readable, with its evidence.

Annotations are only as good as their citations, so every claim is shown
with short, followable references (seed section and quote, PubMed and DOI
links, the file's own sources table) and the file and rules_version it came
from.  All rule text goes through ``rich.text.Text``, never markup, because
curated notes contain brackets that Rich would otherwise eat.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from secannot.knowledge.citations import FOUNDING_REVIEW, cites_seed, seed_citation, seed_reference, seed_short
from secannot.knowledge.ontology import VOCABULARIES as _VOCAB
from secannot.knowledge.regulatory import regulatory_url
from secannot.knowledge.ruleset import KINDS, Entry, RuleSet, normalise_name
from secannot.knowledge.vocabulary import ontology_ids, term_label

GROUP_TITLES = {
    "cell_sources": "Cell sources",
    "processes": "Processes",
    "clinical": "Clinical",
    "nonclassical": "Non-classical secretion",
}
_CLINICAL_DETAILS = ("specimen", "cancer", "use", "year", "drugs", "drug_class", "outcome")


# -- citations ---------------------------------------------------------------------------


def _source_link(source: dict[str, Any]) -> str | None:
    if source.get("doi"):
        return f"https://doi.org/{source['doi']}"
    if source.get("pmid"):
        return f"https://pubmed.ncbi.nlm.nih.gov/{source['pmid']}/"
    return str(source["url"]) if source.get("url") else None


def _source_citation(key: str, sources: dict[str, Any]) -> str:
    source = sources.get(key)
    if not isinstance(source, dict):
        return f"{key} -> (not in this file's sources table)"
    text = f"{key} -> {source.get('citation', '(no citation)')}"
    link = _source_link(source)
    return f"{text} ({link})" if link else text


def format_evidence(item: Any, sources: dict[str, Any], full: bool = False) -> str:
    """One evidence item as a citation a reader can follow.

    The founding review is named by section ('founding review §3.2 (...)'),
    with the full reference printed once under the entry; ``full=True``
    puts the full reference in the item itself (JSON).
    """
    if not isinstance(item, dict):
        return str(item)
    parts: list[str] = []
    if "seed" in item:
        section = str(item["seed"])
        parts.append(seed_citation(section) if full else f"founding review {seed_short(section)}")
    if "source" in item and not ("seed" in item and item["source"] == "seed"):
        parts.append(_source_citation(str(item["source"]), sources))
    if "pmid" in item:
        parts.append(f"PMID {item['pmid']} (https://pubmed.ncbi.nlm.nih.gov/{item['pmid']}/)")
    if "doi" in item:
        parts.append(f"doi:{item['doi']} (https://doi.org/{item['doi']})")
    if "regulatory" in item:
        url = regulatory_url(str(item["regulatory"]))
        parts.append(f"FDA {item['regulatory']}" + (f" ({url})" if url else ""))
    if "database" in item:
        database = " ".join(str(item[k]) for k in ("database", "set") if item.get(k))
        parts.append(f"{database} (secondary)" if item.get("secondary") else database)
    text = "; ".join(parts) or "(empty evidence item)"
    if item.get("quote"):
        text += f' "{item["quote"]}"'
    if item.get("note"):
        text += f" [{item['note']}]"
    return text


def _evidence_list(claim: dict[str, Any]) -> list[Any]:
    evidence = claim.get("evidence")
    return evidence if isinstance(evidence, list) else []


def _evidence_text(claim: dict[str, Any], sources: dict[str, Any]) -> Text:
    lines = [f"- {format_evidence(item, sources)}" for item in _evidence_list(claim)]
    return Text("\n".join(lines) or "(no evidence)")


# -- the entry -----------------------------------------------------------------------------


def _claims(entry: Entry, group: str) -> list[dict[str, Any]]:
    raw = entry.data.get(group)
    if group == "nonclassical":
        return [raw] if isinstance(raw, dict) else []
    return [c for c in raw if isinstance(c, dict)] if isinstance(raw, list) else []


def _header(entry: Entry) -> Text:
    data = entry.data
    text = Text()
    text.append(entry.gene, style="bold")
    text.append(f"  {entry.accession}  ({entry.file.kind})")
    if data.get("name"):
        text.append(f"\n{data['name']}")
    if entry.aliases:
        text.append(f"\naliases: {', '.join(map(str, entry.aliases))}")
    for key in ("family", "note"):
        if data.get(key):
            text.append(f"\n{key}: {data[key]}")
    origin = f"\nfrom {entry.file.path}, rules_version {entry.rules_version}"
    if entry.file.layer != "bundled":
        origin += f" (user rules: {entry.file.layer})"
    text.append(origin, style="dim")
    return text


def _table(title: str, first: str, columns: Iterable[tuple[str, int]]) -> Table:
    """The first column (a vocabulary term) is never wrapped; the others share the rest."""
    table = Table(title=title, title_justify="left", show_lines=True, expand=True)
    table.add_column(first, no_wrap=True)
    for name, ratio in columns:
        table.add_column(name, ratio=ratio, overflow="fold")
    return table


def _with_note(text: str, claim: dict[str, Any]) -> Text:
    parts = [text] if text else []
    if claim.get("context"):
        parts.append(f"context: {claim['context']}")
    if claim.get("note"):
        parts.append(f"note: {claim['note']}")
    return Text("\n".join(parts))


def _clinical_details(claim: dict[str, Any]) -> str:
    details = []
    for key in _CLINICAL_DETAILS:
        value = claim.get(key)
        if value not in (None, "", []):
            shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            details.append(f"{key}: {shown}")
    return "\n".join(details)


def _group_table(entry: Entry, group: str) -> Table | None:
    claims = _claims(entry, group)
    if not claims:
        return None
    sources = entry.file.sources
    title = GROUP_TITLES[group]
    if group == "clinical":
        table = _table(title, "status", (("details", 2), ("evidence", 3)))
        for c in claims:
            table.add_row(
                Text(str(c.get("status", ""))), _with_note(_clinical_details(c), c), _evidence_text(c, sources)
            )
    elif group == "nonclassical":
        table = _table(title, "route", (("mechanism", 2), ("evidence", 3)))
        for c in claims:
            route = Text(f"type {c.get('route_type', '?')}")
            table.add_row(route, _with_note(str(c.get("mechanism", "")), c), _evidence_text(c, sources))
    else:
        table = _table(title, "value", (("ontology / basis / note", 1), ("evidence", 2)))
        for c in claims:
            value = str(c.get("value", ""))
            basis = "basis: family (stated for the family, not this member)" if c.get("basis") == "family" else ""
            detail = "\n".join(x for x in (term_label(_VOCAB[group], value), basis) if x)
            table.add_row(Text(value), _with_note(detail, c), _evidence_text(c, sources))
    return table


def founding_review_text() -> str:
    """The full reference printed under every entry that cites the review by section."""
    return f"founding review: {FOUNDING_REVIEW.citation()} ({FOUNDING_REVIEW.url})"


def render_entry(entry: Entry, console: Console) -> None:
    """Header, then one table per claim group that the entry has, then the full reference of the review."""
    console.print(_header(entry), highlight=False)
    shown = False
    for group in GROUP_TITLES:
        table = _group_table(entry, group)
        if table is not None:
            console.print(table, highlight=False)
            shown = True
    if not shown:
        console.print(Text("(no claims)"), highlight=False)
    if cites_seed(entry.data):
        console.print(Text(founding_review_text()), highlight=False, soft_wrap=True)


# -- JSON -------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    """YAML can hold dates and other scalars that json.dumps refuses."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _evidence_dict(item: Any, sources: dict[str, Any]) -> Any:
    """The item as written plus a rendered citation; seed items cite the review in full with the section."""
    if not isinstance(item, dict):
        return _jsonable(item)
    data = {**_jsonable(item), "citation": format_evidence(item, sources, full=True)}
    if "seed" in item:
        data["reference"] = seed_reference(item["seed"])
    return data


def _claim_dict(claim: dict[str, Any], sources: dict[str, Any], group: str = "") -> dict[str, Any]:
    data = _jsonable(claim)
    if group in _VOCAB:
        data["basis"] = claim.get("basis", "stated")
        data["ontology"] = ontology_ids().get(_VOCAB[group], {}).get(str(claim.get("value")))
    data["evidence"] = [_evidence_dict(item, sources) for item in _evidence_list(claim)]
    return data


def entry_as_dict(entry: Entry) -> dict[str, Any]:
    """The entry as written, plus where it came from and a rendered citation per evidence item."""
    data: dict[str, Any] = {
        "gene": entry.gene,
        "accession": entry.accession,
        "kind": entry.file.kind,
        "file": entry.file.path,
        "layer": entry.file.layer,
        "rules_version": entry.rules_version,
    }
    for key in ("name", "aliases", "family", "note"):
        if key in entry.data:
            data[key] = _jsonable(entry.data[key])
    for group in GROUP_TITLES:
        claims = [_claim_dict(c, entry.file.sources, group) for c in _claims(entry, group)]
        if group == "nonclassical":
            if claims:
                data[group] = claims[0]
        elif claims:
            data[group] = claims
    if cites_seed(entry.data):
        data["references"] = {"seed": FOUNDING_REVIEW.as_dict()}
    return data


def close_names(rule_set: RuleSet, query: str, n: int = 5) -> list[str]:
    """Gene symbols whose symbol or alias resembles ``query``, for 'did you mean' after a miss."""
    keys: dict[str, str] = {}
    for kind in KINDS:
        index = rule_set.index[kind]
        for mapping in (index.by_gene, index.by_alias):
            for key, entry in mapping.items():
                keys.setdefault(key, entry.gene)
    matches = difflib.get_close_matches(normalise_name(query), list(keys), n=n * 3, cutoff=0.6)
    return list(dict.fromkeys(keys[m] for m in matches))[:n]

"""Ontology ids of the controlled vocabularies (Cell Ontology for cell sources, GO biological process for
processes), read from the ``ontology`` annotation of each term in ``rules/schema.json``.

The schema is the single place where a term and its id are written, so the id shown by ``rules show``, the
JSON output and the lint vocabulary can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from secannot.knowledge.schema import schema_document

VOCABULARIES = ("cell_source", "process")


@lru_cache(maxsize=1)
def ontology_ids() -> dict[str, dict[str, dict[str, Any]]]:
    """{'cell_source': {'CAF': {'id': 'CL:0000057', 'label': 'fibroblast', 'qualifier': ...}}, 'process': {...}}."""
    defs = schema_document().get("$defs", {})
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for vocab in VOCABULARIES:
        terms = defs.get(vocab, {}).get("oneOf", [])
        out[vocab] = {t["const"]: dict(t["ontology"]) for t in terms if "const" in t and "ontology" in t}
    return out


def term_label(vocab: str, value: str) -> str:
    """'CL:0000057 fibroblast, tumour-associated' - the id with its label and qualifier, for display."""
    info = ontology_ids().get(vocab, {}).get(value)
    if not info or not info.get("id"):
        return "no ontology id"
    text = f"{info['id']} {info.get('label', '')}".strip()
    return f"{text}, {info['qualifier']}" if info.get("qualifier") else text


def with_ontology(vocab: str, claims: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copies of the claims with ``ontology`` added (the rule data themselves are not modified)."""
    table = ontology_ids().get(vocab, {})
    return [{**c, "ontology": table.get(c.get("value"))} for c in claims]

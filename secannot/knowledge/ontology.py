"""Ontology ids (Cell Ontology for cell sources, GO for processes) behind the rule vocabulary.

Rule claims name a cell source or process by a short controlled term
(``CAF``, ``angiogenesis``).  Where the vocabulary in ``rules/schema.json``
gives a term its ontology class (``$defs/cell_source`` and ``$defs/process``,
each ``oneOf`` item with ``const`` and ``ontology: {id, label}``), or a claim
carries its own ``ontology: {id}`` (or ``ontology_id`` / ``id``), the id is
passed on, e.g. to GFF3 ``Ontology_term``.  A term without an id (several
processes have no GO class) is simply left out; nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from secannot.knowledge.schema import schema_document

#: Claim group in a rule entry -> vocabulary definition in the schema.
VOCABULARIES: dict[str, str] = {"cell_sources": "cell_source", "processes": "process"}
_CURIE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*:[A-Za-z0-9_.]+$")


def ontology_id(item: Mapping[str, Any]) -> str | None:
    """The ontology id a vocabulary term or claim carries, if it is a well-formed CURIE like 'CL:0000057'."""
    nested = item.get("ontology")
    candidates = [nested.get("id")] if isinstance(nested, Mapping) else []
    candidates += [item.get("ontology_id"), item.get("id")]
    for value in candidates:
        if isinstance(value, str) and _CURIE.match(value.strip()):
            return value.strip()
    return None


def vocabulary_ids(schema: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    """(claim group, term) -> ontology id, from the vocabulary definitions of a rule schema."""
    defs = schema.get("$defs") if isinstance(schema.get("$defs"), Mapping) else {}
    ids: dict[tuple[str, str], str] = {}
    for group, name in VOCABULARIES.items():
        definition = defs.get(name) if isinstance(defs.get(name), Mapping) else {}
        for term in definition.get("oneOf") or ():
            if isinstance(term, Mapping) and isinstance(term.get("const"), str):
                ident = ontology_id(term)
                if ident is not None:
                    ids[(group, term["const"])] = ident
    return ids


@lru_cache(maxsize=1)
def bundled_vocabulary_ids() -> dict[tuple[str, str], str]:
    """The ids of the bundled schema's vocabulary (read once per process)."""
    return vocabulary_ids(schema_document())


def entry_ontology_terms(data: Mapping[str, Any], vocabulary: Mapping[tuple[str, str], str] | None = None) -> tuple[str, ...]:
    """Ontology ids of an entry's cell sources, then its processes; a claim's own id wins over the vocabulary's.

    Returns unique ids in first-seen order (cell sources first), so the output
    is stable and the Cell Ontology terms come before the GO terms.
    """
    vocab = bundled_vocabulary_ids() if vocabulary is None else vocabulary
    seen: dict[str, None] = {}
    for group in VOCABULARIES:
        claims = data.get(group)
        for claim in claims if isinstance(claims, list) else ():
            if not isinstance(claim, Mapping):
                continue
            ident = ontology_id(claim) or vocab.get((group, str(claim.get("value"))))
            if ident is not None:
                seen.setdefault(ident, None)
    return tuple(seen)

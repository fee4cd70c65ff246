"""Under which standards the records of a summary were annotated: organism groups and rules versions.

Read from each record's ``provenance`` (annotate's JSON Lines, JSON and Parquet carry it; a TSV does not).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def hits_organisms(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """The organism groups of the annotate runs that produced ``records``, sorted, from each record's
    ``provenance`` (annotate's JSON Lines output, or the JSON document's, which the reader hands to
    every record).  Empty when no record carries one: a TSV has no provenance, and proteins that
    summarize annotated itself were run with its own ``--organism`` (the provenance's ``organism``).

    Why: the signal-peptide threshold, and so every count, depends on the group the hits were
    predicted for; a summary must name it, and a mix of groups in one input deserves a warning.
    """
    found = set()
    for record in records:
        provenance = record.get("provenance")
        organism = provenance.get("organism") if isinstance(provenance, Mapping) else None
        if isinstance(organism, str) and organism:
            found.add(organism)
    return sorted(found)


def annotation_standards(records: Iterable[Mapping[str, Any]], own: Mapping[str, Any] | None = None
                         ) -> tuple[set[str], set[str]]:
    """(rules versions, organism groups) the ``records`` were annotated under, from each record's
    ``provenance`` as :func:`hits_organisms` reads it; ``own``, the provenance of this run, stands in for
    records it annotated itself (pass it only when there are such records).

    Why: a category's enrichment compares the hits' count with the background's, so both must be counted
    under the same rules (a rule file that adds CAF to the hits but not to the background inflates the
    fold) and the same signal-peptide threshold (organism group).
    """
    rules: set[str] = set()
    organisms: set[str] = set()
    for provenance in [record.get("provenance") for record in records] + [own]:
        if not isinstance(provenance, Mapping):
            continue
        version = (provenance.get("rules") or {}).get("version") if isinstance(provenance.get("rules"), Mapping) else None
        if isinstance(version, str) and version:
            rules.add(version)
        organism = provenance.get("organism")
        if isinstance(organism, str) and organism:
            organisms.add(organism)
    return rules, organisms


def standards_mismatch(hits: tuple[set[str], set[str]], background: tuple[set[str], set[str]]) -> list[str]:
    """Warnings (one line each) when the hits and the background were annotated under different rules or
    organism groups (:func:`annotation_standards` of each); none when either side names none (a TSV)."""
    warnings = []
    for what, ours, theirs, fix in (("rules", hits[0], background[0], "--rules"),
                                    ("organism groups", hits[1], background[1], "--organism")):
        if ours and theirs and ours != theirs:
            warnings.append(f"the hits were annotated with {what} {', '.join(sorted(ours))} and the background with "
                            f"{', '.join(sorted(theirs))}: the enrichment compares counts made under different "
                            f"{what}; annotate both the same way (summarize annotates FASTA and ids with its own "
                            f"{fix})")
    return warnings

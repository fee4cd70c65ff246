"""Under which standards the records of a summary were annotated: rules versions, organism groups, leaderless
prior and threshold.

Read from each record's ``provenance`` (annotate's JSON Lines, JSON and Parquet carry it); a TSV carries only
the rules version, in the ``rules_version`` column of rows with a rule match.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def _path(provenance: Mapping[str, Any], *keys: str) -> str | None:
    value: Any = provenance
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return None if value is None or value == "" else str(value)


#: What a record's annotation depends on beyond its sequence, as its provenance names it: (what, keys into the
#: provenance, the option that sets it).  Each changes the counts a summary compares: the rules add or remove
#: categories, the organism group sets the signal-peptide threshold, the nc prior and threshold the leaderless calls.
STANDARDS = (
    ("rules", ("rules", "version"), "--rules"),
    ("organism groups", ("organism",), "--organism"),
    ("leaderless priors", ("thresholds", "nc_prior"), "--nc-prior"),
    ("leaderless thresholds", ("thresholds", "nc_score"), "--nc-threshold"),
)


def annotation_standards(records: Iterable[Mapping[str, Any]], own: Mapping[str, Any] | None = None
                         ) -> dict[str, set[str]]:
    """For each of :data:`STANDARDS`, the values the ``records`` were annotated under, from each record's
    ``provenance`` (annotate's JSON Lines, the JSON document's handed to every record, Parquet's); ``own``, the provenance of this run, stands in for
    records it annotated itself (pass it only when there are such records).

    Why: a category's enrichment compares the hits' count with the background's, so both must be counted
    the same way: a rule file that adds CAF to the hits but not to the background inflates the fold, and a
    higher ``--nc-prior`` for the hits alone makes hundreds of them leaderless candidates.
    """
    found: dict[str, set[str]] = {what: set() for what, _, _ in STANDARDS}
    seen: set[int] = set()  # records of one JSON document share one provenance dict
    for record in [*records, {"provenance": own}]:
        provenance = record.get("provenance")
        if not isinstance(provenance, Mapping):
            # a TSV has no provenance, but a row with a rule match names the rules version in its column
            version = record.get("rules_version")
            if isinstance(version, str) and version:
                found["rules"].add(version)
            continue
        if id(provenance) in seen:
            continue
        seen.add(id(provenance))
        for what, keys, _ in STANDARDS:
            value = _path(provenance, *keys)
            if value is not None:
                found[what].add(value)
    return found


def mixed_standards(found: Mapping[str, set[str]]) -> list[str]:
    """Warnings (one line each) for input records annotated under more than one value of a standard
    (:func:`annotation_standards`); organism groups are left to the summary's own warning (:func:`secannot.report.output.run_summarize`)."""
    return [f"the input mixes annotate runs of different {what} ({', '.join(sorted(values))}): the counts mix "
            "two standards" for what, values in found.items() if what != "organism groups" and len(values) > 1]


def unused_options(given: Mapping[str, object], found: Mapping[str, set[str]]) -> str | None:
    """The warning for summarize's own --rules, --organism, --nc-prior or --nc-threshold when it annotated nothing itself
    (every input and the background were annotate output, which keep the settings they were made with), or None.

    ``given``: option -> its value (None or empty: not given); ``found``: the inputs' standards, to name them.
    """
    named = [option for option, value in given.items() if value not in (None, (), [], "")]
    if not named:
        return None
    rules = found.get("rules") or set()
    kept = f" (the inputs' rules: {', '.join(sorted(rules))})" if rules and "--rules" in named else ""
    return (f"{' and '.join(named)} not used: every input is annotate output, counted as it was annotated{kept}; "
            f"{'it applies' if len(named) == 1 else 'they apply'} to FASTA and ids that summarize annotates itself")


def standards_mismatch(hits: Mapping[str, set[str]], background: Mapping[str, set[str]]) -> list[str]:
    """Warnings (one line each) when the hits and the background were annotated under different rules, organism
    groups or leaderless settings (:func:`annotation_standards` of each); none when either side names none (a TSV)."""
    warnings = []
    for what, _, option in STANDARDS:
        ours, theirs = hits.get(what, set()), background.get(what, set())
        if ours and theirs and ours != theirs:
            warnings.append(f"the hits were annotated with {what} {', '.join(sorted(ours))} and the background with "
                            f"{', '.join(sorted(theirs))}: the enrichment compares counts made under different "
                            f"{what}; annotate both the same way (summarize annotates FASTA and ids with its own "
                            f"{option})")
    return warnings


def standards_warnings(records: Sequence[Mapping[str, Any]], background: Sequence[Mapping[str, Any]] | None,
                       own: Mapping[str, Any], hits_here: int, back_here: int, options: Mapping[str, object]
                       ) -> list[str]:
    """Every warning summarize gives about the standards of its inputs: hits from runs that differ
    (:func:`mixed_standards`), hits and background that differ (:func:`standards_mismatch`), and its own
    ``options`` that cannot apply (:func:`unused_options`).  ``own``: this run's provenance, standing in for the
    ``hits_here`` / ``back_here`` records it annotated itself."""
    hits = annotation_standards(records, own if hits_here else None)
    warnings = mixed_standards(hits)
    if background is not None:
        warnings += standards_mismatch(hits, annotation_standards(background, own if back_here else None))
    if not hits_here and not back_here:
        unused = unused_options(options, hits)
        if unused:
            warnings.append(unused)
    return warnings

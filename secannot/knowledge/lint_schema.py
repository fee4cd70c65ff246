"""JSON Schema validation of rule files, with messages that say what to write instead."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from secannot.knowledge.problems import Path_, Problem
from secannot.knowledge.schema import ENTRY_CLAIM_GROUPS, schema_document
from secannot.knowledge.yaml_source import line_of, where


def suggest(value: Any, choices: Sequence[Any]) -> str:
    if not isinstance(value, str):
        return ""
    by_lower = {str(c).lower(): str(c) for c in choices}
    if value.lower() in by_lower:
        return f" (did you mean '{by_lower[value.lower()]}'?)"
    close = difflib.get_close_matches(value.lower(), list(by_lower), n=1, cutoff=0.6)
    return f" (did you mean '{by_lower[close[0]]}'?)" if close else ""


_VOCABULARY = "secannot: controlled vocabulary"


def _as_enums(schema: Any) -> Any:
    """The schema with each ``oneOf`` of ``const`` turned into an ``enum``.

    ``oneOf`` must try every branch, which made validation four times slower;
    the marker keeps the vocabulary wording in messages.
    """
    if isinstance(schema, list):
        return [_as_enums(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    options = schema.get("oneOf")
    if isinstance(options, list) and options and all(isinstance(o, dict) and "const" in o for o in options):
        rest = {k: _as_enums(v) for k, v in schema.items() if k != "oneOf"}
        return {**rest, "enum": [o["const"] for o in options], "$comment": _VOCABULARY}
    return {k: v if k in ("const", "enum", "default") else _as_enums(v) for k, v in schema.items()}


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(_as_enums(schema_document()))


_TYPE_NAMES = {
    dict: "a mapping",
    list: "a list",
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true/false",
}


_SCHEMA_TYPES = {"object": dict, "array": list, "string": str, "integer": int, "number": float, "boolean": bool}


_ACCESSION_HINTS = {True: "drop the isoform suffix", False: "canonical, for example P01137"}


_PATTERN_HINTS = {
    "gene": "is not an HGNC-style gene symbol (starts with an upper-case letter or digit)",
    "rules_version": 'is not a semver version (MAJOR.MINOR.PATCH, for example "1.0.0")',
    "date": "is not a YYYY-MM-DD date",
    "seed": "is not a seed section number like '3.2'",
    "pmid": "is not a PMID (digits only, no 'PMID:' prefix)",
    "doi": "is not a DOI (10.NNNN/suffix, without the https://doi.org/ prefix)",
}


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _is_claim_path(path: Path_) -> bool:
    return len(path) >= 3 and path[0] == "entries" and path[2] in ENTRY_CLAIM_GROUPS


def _describe_required(error: ValidationError, path: Path_) -> str:
    instance = error.instance if isinstance(error.instance, dict) else {}
    missing = [name for name in error.validator_value if name not in instance]
    if "evidence" in missing and _is_claim_path(path):
        return "claim without evidence (add an 'evidence' list with at least one item)"
    names = ", ".join(f"'{name}'" for name in missing)
    if "then" in error.schema_path and "status" in instance:
        return f"a claim with status {instance['status']} needs {names}"
    return f"missing {names}"


def _describe_pattern(error: ValidationError, path: Path_) -> str:
    value = error.instance
    last = path[-1] if path else ""
    if last == "accession":
        isoform = isinstance(value, str) and "-" in value
        return f"{value!r} is not a valid UniProtKB accession ({_ACCESSION_HINTS[isoform]})"
    hint = _PATTERN_HINTS.get(str(last))
    return f"{value!r} {hint}" if hint else f"{value!r} does not match {error.validator_value}"


def _describe(error: ValidationError, path: Path_) -> str:
    """A sentence a curator understands, rather than jsonschema's wording."""
    kind, value, expected = error.validator, error.instance, error.validator_value
    if kind == "required":
        return _describe_required(error, path)
    if kind == "minItems" and path and path[-1] == "evidence":
        return "claim without evidence (the evidence list is empty)"
    if kind == "minItems":
        return "must not be empty"
    if kind == "pattern":
        return _describe_pattern(error, path)
    if kind == "type":
        hint = " (quote it)" if expected == "string" and not isinstance(value, dict | list | None) else ""
        wanted = _TYPE_NAMES.get(_SCHEMA_TYPES.get(str(expected), object), str(expected))
        return f"expected {wanted}, got {_type_name(value)}{hint}"
    if kind == "enum" and error.schema.get("$comment") == _VOCABULARY:
        return f"{value!r} is not in the controlled vocabulary{suggest(value, expected)}"
    if kind == "enum":
        return f"{value!r} is not one of {', '.join(map(str, expected))}{suggest(value, expected)}"
    if kind == "const":
        return f"must be {expected!r}"
    if kind in ("minLength", "minProperties"):
        return "must not be empty"
    if kind in ("minimum", "maximum"):
        return f"{value!r} is out of range ({error.message})"
    if kind == "anyOf" and "evidence" in path:
        return "evidence item needs one of seed, pmid, doi, database or source"
    return error.message


def schema_problems(data: Any, root: yaml.Node | None, file: str) -> Iterator[Problem]:
    for error in _validator().iter_errors(data):
        path: Path_ = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = list(error.schema.get("properties", {}))
            for key in error.instance:
                if key not in allowed:
                    place = where((*path, key), data)
                    yield Problem(
                        file, line_of(root, (*path, key)), f"{place}: unknown key '{key}'{suggest(key, allowed)}"
                    )
            continue
        if error.validator == "minProperties" and "evidence" in path:
            continue  # the evidence item's anyOf says the same thing more helpfully
        if error.validator in ("anyOf", "oneOf") and error.context and "evidence" not in path:
            error = best_match(error.context)
            path = tuple(error.absolute_path)
        yield Problem(file, line_of(root, path), f"{where(path, data)}: {_describe(error, path)}")

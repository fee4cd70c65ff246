"""``secannot rules lint``: find mistakes in rule files before anyone loads them.

The loader (``secannot.ruleset``) stops at the first problem with one line of
text; the linter instead reports every problem as ``path:line: message`` so
that editors and pre-commit can jump to it.  Line numbers come from the YAML
node tree (``yaml.compose``), which is also the only place where duplicate
mapping keys are visible: PyYAML silently keeps the last value.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from secannot.errors import RulesError, SchemaVersionError
from secannot.ruleset import KINDS, check_schema_version, normalise_name, schema_document, yaml_loader

SEED_SECTIONS = ("1", "2", "2.1", "2.2", "2.3", "3", "3.1", "3.2", "3.3", "3.4", "3.5", "4")
CLAIM_GROUPS = ("cell_sources", "processes", "clinical")
RULE_SUFFIXES = (".yaml", ".yml")

Path_ = tuple[str | int, ...]  # a JSON path into the document


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str
    severity: str = "error"
    # 'schema_version' when the file declares a schema this secannot cannot read, so
    # that the loader can raise SchemaVersionError rather than a generic RulesError.
    code: str = field(default="", compare=False, repr=False)

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {prefix}{self.message}"


@dataclass(frozen=True)
class _Name:
    """A gene symbol, accession or alias with where it was written, for collision checks."""

    role: str  # 'gene', 'accession' or 'alias'
    text: str
    key: str  # normalised for genes and aliases, verbatim for accessions
    owner: str  # gene symbol of the entry
    entry: tuple[str, int]  # (file, entry index): identifies the entry itself
    line: int

    @property
    def file(self) -> str:
        return self.entry[0]


@dataclass
class _Document:
    """What one parsed file contributes to the cross-file checks."""

    path: str
    kind: str | None
    names: list[_Name]


# -- YAML parsing and the node tree ------------------------------------------------


def _parse(text: str, path: str) -> tuple[Any, yaml.Node | None, list[Problem]]:
    """Compose once and construct from the same tree, so a file is parsed a single time."""
    loader = yaml_loader()(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        return None, None, [_syntax_problem(exc, path)]
    except yaml.YAMLError as exc:
        return None, None, [Problem(path, 1, f"YAML syntax error: {exc}".replace("\n", " "))]
    finally:
        loader.dispose()
    return data, root, []


def _syntax_problem(exc: yaml.MarkedYAMLError, path: str) -> Problem:
    """At the problem mark, naming the construct it interrupted ('flow sequence at line 15')."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 1
    message = f"YAML syntax error: {exc.problem or exc.context or 'cannot parse'}"
    if exc.problem and exc.context:
        where = f" at line {exc.context_mark.line + 1}" if exc.context_mark is not None else ""
        message += f" ({exc.context}{where})"
    return Problem(path, line, message)


def _scalar_key(node: yaml.Node) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _child(node: yaml.Node | None, step: str | int) -> tuple[yaml.Node | None, int | None]:
    """(child node, line of the step) or (None, None) when the path leaves the tree."""
    if isinstance(node, yaml.MappingNode):
        found: tuple[yaml.Node | None, int | None] = (None, None)
        for key, value in node.value:  # the last duplicate wins, as in the constructed data
            if _scalar_key(key) == str(step):
                found = (value, key.start_mark.line + 1)
        return found
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        item = node.value[step]
        return item, item.start_mark.line + 1
    return None, None


def line_of(root: yaml.Node | None, path: Sequence[str | int]) -> int:
    """1-based line of the deepest node along ``path`` that exists in the file."""
    line = root.start_mark.line + 1 if root is not None else 1
    node = root
    for step in path:
        node, step_line = _child(node, step)
        if step_line is None:
            break
        line = step_line
    return line


def _duplicate_keys(node: yaml.Node, path: Path_, data: Any, file: str) -> Iterator[Problem]:
    seen_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, Path_]] = [(node, path)]
    while stack:
        current, where = stack.pop()
        if id(current) in seen_nodes:  # YAML anchors share nodes
            continue
        seen_nodes.add(id(current))
        if isinstance(current, yaml.MappingNode):
            first: dict[tuple[str, str], int] = {}
            for key, value in current.value:
                name = _scalar_key(key)
                if name is None or name == "<<":
                    continue
                line = key.start_mark.line + 1
                if (key.tag, name) in first:
                    label = _where((*where, name), data)
                    yield Problem(
                        file,
                        line,
                        f"{label}: duplicate key '{name}' (first at line {first[key.tag, name]}); "
                        "YAML keeps only the last value",
                    )
                else:
                    first[key.tag, name] = line
                stack.append((value, (*where, name)))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, (*where, i)) for i, item in enumerate(current.value))


# -- describing a location -------------------------------------------------------


def _where(path: Sequence[str | int], data: Any) -> str:
    """'entries[3] (MMP2) cell_sources[1].value': the entry's gene makes the index findable."""
    steps = list(path)
    text = ""
    if len(steps) >= 2 and steps[0] == "entries" and isinstance(steps[1], int):
        text = f"entries[{steps[1]}]"
        gene = _get(data, ("entries", steps[1], "gene"))
        if isinstance(gene, str):
            text += f" ({gene})"
        steps = steps[2:]
        if steps:
            text += " "
    rest = ""
    for step in steps:
        rest += f"[{step}]" if isinstance(step, int) else (f".{step}" if rest else str(step))
    return (text + rest) or "top level"


def _get(data: Any, path: Sequence[str | int]) -> Any:
    for step in path:
        in_list = isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data)
        if not (in_list or (isinstance(data, dict) and step in data)):
            return None
        data = data[step]
    return data


def _suggest(value: Any, choices: Sequence[Any]) -> str:
    if not isinstance(value, str):
        return ""
    by_lower = {str(c).lower(): str(c) for c in choices}
    if value.lower() in by_lower:
        return f" (did you mean '{by_lower[value.lower()]}'?)"
    close = difflib.get_close_matches(value.lower(), list(by_lower), n=1, cutoff=0.6)
    return f" (did you mean '{by_lower[close[0]]}'?)" if close else ""


# -- JSON Schema -------------------------------------------------------------------


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
    return len(path) >= 3 and path[0] == "entries" and path[2] in (*CLAIM_GROUPS, "nonclassical")


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
        return f"{value!r} is not in the controlled vocabulary{_suggest(value, expected)}"
    if kind == "enum":
        return f"{value!r} is not one of {', '.join(map(str, expected))}{_suggest(value, expected)}"
    if kind == "const":
        return f"must be {expected!r}"
    if kind in ("minLength", "minProperties"):
        return "must not be empty"
    if kind in ("minimum", "maximum"):
        return f"{value!r} is out of range ({error.message})"
    if kind == "anyOf" and "evidence" in path:
        return "evidence item needs one of seed, pmid, doi, database or source"
    return error.message


def _schema_problems(data: Any, root: yaml.Node | None, file: str) -> Iterator[Problem]:
    for error in _validator().iter_errors(data):
        path: Path_ = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = list(error.schema.get("properties", {}))
            for key in error.instance:
                if key not in allowed:
                    where = _where((*path, key), data)
                    yield Problem(
                        file, line_of(root, (*path, key)), f"{where}: unknown key '{key}'{_suggest(key, allowed)}"
                    )
            continue
        if error.validator == "minProperties" and "evidence" in path:
            continue  # the evidence item's anyOf says the same thing more helpfully
        if error.validator in ("anyOf", "oneOf") and error.context and "evidence" not in path:
            error = best_match(error.context)
            path = tuple(error.absolute_path)
        yield Problem(file, line_of(root, path), f"{_where(path, data)}: {_describe(error, path)}")


# -- checks the schema cannot express ---------------------------------------------


def _entries(data: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    entries = data.get("entries")
    if not isinstance(entries, list):
        return []
    return [(i, e) for i, e in enumerate(entries) if isinstance(e, dict)]


def _evidence_items(entry: dict[str, Any], index: int) -> Iterator[tuple[Path_, dict[str, Any]]]:
    base: Path_ = ("entries", index)
    claims: list[tuple[Path_, Any]] = []
    for group in CLAIM_GROUPS:
        if isinstance(entry.get(group), list):
            claims += [((*base, group, j), claim) for j, claim in enumerate(entry[group])]
    if "nonclassical" in entry:
        claims.append(((*base, "nonclassical"), entry["nonclassical"]))
    for claim_path, claim in claims:
        evidence = claim.get("evidence") if isinstance(claim, dict) else None
        if isinstance(evidence, list):
            for k, item in enumerate(evidence):
                if isinstance(item, dict):
                    yield (*claim_path, "evidence", k), item


def _evidence_problems(data: dict[str, Any], root: yaml.Node | None, file: str) -> Iterator[Problem]:
    raw_sources = data.get("sources")
    sources: dict[str, Any] = raw_sources if isinstance(raw_sources, dict) else {}
    for index, entry in _entries(data):
        for path, item in _evidence_items(entry, index):
            source, seed = item.get("source"), item.get("seed")
            if isinstance(source, str) and source not in sources:
                known = ", ".join(sorted(map(str, sources))) or "none"
                yield Problem(
                    file,
                    line_of(root, path),
                    f"{_where(path, data)}: source '{source}' is not in the file's sources table "
                    f"(known: {known}){_suggest(source, list(sources))}",
                )
            if isinstance(seed, str) and seed not in SEED_SECTIONS:
                yield Problem(
                    file,
                    line_of(root, path),
                    f"{_where(path, data)}: seed section {seed} does not exist in the founding review "
                    f"(sections: {', '.join(SEED_SECTIONS)})",
                )


def _order_problems(data: dict[str, Any], root: yaml.Node | None, file: str) -> Iterator[Problem]:
    """README promises entries sorted by gene symbol; an unsorted file is hard to review."""
    previous: str | None = None
    for index, entry in _entries(data):
        gene = entry.get("gene")
        if not isinstance(gene, str):
            continue
        if previous is not None and gene.upper() < previous.upper():
            yield Problem(
                file,
                line_of(root, ("entries", index)),
                f"entries[{index}] ({gene}): entries are not sorted by gene symbol ({gene} after {previous})",
                "warning",
            )
        previous = gene


def _names(data: dict[str, Any], root: yaml.Node | None, file: str) -> list[_Name]:
    names: list[_Name] = []
    for index, entry in _entries(data):
        gene, accession = entry.get("gene"), entry.get("accession")
        owner = str(gene)
        where = (file, index)
        if isinstance(gene, str):
            names.append(
                _Name("gene", gene, normalise_name(gene), owner, where, line_of(root, ("entries", index, "gene")))
            )
        if isinstance(accession, str):
            line = line_of(root, ("entries", index, "accession"))
            names.append(_Name("accession", accession, accession.upper(), owner, where, line))
        aliases = entry.get("aliases")
        if isinstance(aliases, list):
            for k, alias in enumerate(aliases):
                if isinstance(alias, str):
                    line = line_of(root, ("entries", index, "aliases", k))
                    names.append(_Name("alias", alias, normalise_name(alias), owner, where, line))
    return names


def _ref(earlier: _Name, here: _Name) -> str:
    return f"line {earlier.line}" if earlier.file == here.file else f"{earlier.file}:{earlier.line}"


def _collisions(names: Sequence[_Name], cross_file: bool) -> Iterator[Problem]:
    """Same gene, accession or alias twice.  ``cross_file`` reports only pairs in different files."""

    def wanted(earlier: _Name, here: _Name) -> bool:
        return (earlier.file != here.file) == cross_file

    genes: dict[str, _Name] = {}
    for name in (n for n in names if n.role == "gene"):
        first = genes.setdefault(name.key, name)
        if first is not name and wanted(first, name):
            yield Problem(name.file, name.line, f"duplicate gene {name.text} (first at {_ref(first, name)})")
    accessions: dict[str, _Name] = {}
    for name in (n for n in names if n.role == "accession"):
        first = accessions.setdefault(name.key, name)
        same_gene = normalise_name(first.owner) == normalise_name(name.owner)
        if first is not name and not same_gene and wanted(first, name):
            yield Problem(
                name.file,
                name.line,
                f"duplicate accession {name.text}: {name.owner} and {first.owner} (first at {_ref(first, name)})",
            )
    yield from _alias_collisions([n for n in names if n.role == "alias"], genes, cross_file)


def _alias_collisions(aliases: Sequence[_Name], genes: dict[str, _Name], cross_file: bool) -> Iterator[Problem]:
    seen: dict[str, _Name] = {}
    for name in aliases:
        gene = genes.get(name.key)
        if (
            gene is not None
            and (gene.file != name.file) == cross_file
            and normalise_name(gene.owner) != normalise_name(name.owner)
        ):
            yield Problem(
                name.file,
                name.line,
                f"alias '{name.text}' of {name.owner} is the gene symbol of another entry "
                f"({gene.text}, {_ref(gene, name)})",
            )
        first = seen.setdefault(name.key, name)
        if first is name or (first.file != name.file) != cross_file:
            continue
        if first.entry == name.entry:
            if first.text == name.text:  # spelling variants ('TGF-β1', 'TGF-beta1') are deliberate
                yield Problem(name.file, name.line, f"alias '{name.text}' of {name.owner} is listed twice", "warning")
        elif normalise_name(first.owner) != normalise_name(name.owner):
            yield Problem(
                name.file,
                name.line,
                f"duplicate alias '{name.text}': {name.owner} and {first.owner} (first at {_ref(first, name)})",
            )


# -- entry points ------------------------------------------------------------------


def _schema_version_problem(data: Any, root: yaml.Node | None, file: str) -> Problem | None:
    """The loader's own check and advice, so lint and load never disagree."""
    try:
        check_schema_version(data, file)
    except RulesError as exc:
        message = str(exc).removeprefix(f"{file}: ")
        line = line_of(root, ("schema_version",)) if isinstance(data, dict) else 1
        return Problem(file, line, message, code="schema_version" if isinstance(exc, SchemaVersionError) else "")
    return None


def _lint_document(text: str, file: str) -> tuple[list[Problem], _Document | None]:
    data, root, problems = _parse(text, file)
    if problems:
        return problems, None
    version_problem = _schema_version_problem(data, root, file)
    if version_problem is not None:
        return [version_problem], None
    assert root is not None  # a mapping was constructed, so there is a tree
    problems = list(_duplicate_keys(root, (), data, file))
    problems += _schema_problems(data, root, file)
    problems += _evidence_problems(data, root, file)
    problems += _order_problems(data, root, file)
    names = _names(data, root, file)
    problems += _collisions(names, cross_file=False)
    kind = data.get("kind") if data.get("kind") in KINDS else None
    return _unique(problems), _Document(file, kind, names)


def _unique(problems: Sequence[Problem]) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.message))


def lint_text(text: str, path: str) -> list[Problem]:
    """Every problem of one rule file, sorted by line."""
    return _lint_document(text, path)[0]


def _expand(paths: Sequence[str | Path]) -> tuple[list[Path], list[Problem]]:
    files: list[Path] = []
    problems: list[Problem] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                (p for p in path.iterdir() if p.suffix in RULE_SUFFIXES and p.is_file()), key=lambda p: p.name
            )
            if not found:
                problems.append(Problem(str(given), 0, "no *.yaml rule files in this directory", "warning"))
            files += found
        elif path.exists():
            files.append(path)
        else:
            problems.append(Problem(str(given), 0, "no such file"))
    return files, problems


def lint_paths(paths: Sequence[str | Path]) -> list[Problem]:
    """Every file on its own, then collisions between files of the same kind."""
    files, problems = _expand(paths)
    documents: list[_Document] = []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(str(file), 0, "cannot read: not UTF-8 text"))
            continue
        except OSError as exc:
            problems.append(Problem(str(file), 0, f"cannot read: {exc.strerror or exc}"))
            continue
        found, document = _lint_document(text, str(file))
        problems += found
        if document is not None and document.kind is not None:
            documents.append(document)
    for kind in KINDS:
        names = [name for doc in documents if doc.kind == kind for name in doc.names]
        problems += _collisions(names, cross_file=True)
    return _unique(problems)


def has_errors(problems: Sequence[Problem]) -> bool:
    """For the exit code: warnings alone do not fail a pre-commit hook."""
    return any(p.severity == "error" for p in problems)

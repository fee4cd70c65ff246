"""``secannot rules lint``: find mistakes in rule files before anyone loads them.

The loader (``secannot.knowledge.ruleset``) stops at the first problem with one line of
text; the linter instead reports every problem as ``path:line: message`` so
that editors and pre-commit can jump to it.  Line numbers come from the YAML
node tree (``yaml.compose``), which is also the only place where duplicate
mapping keys are visible: PyYAML silently keeps the last value.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from secannot.errors import RulesError, SchemaVersionError
from secannot.knowledge.lint_checks import accession_problems, contradiction_problems, date_problems, seed_problems
from secannot.knowledge.lint_schema import schema_problems, suggest
from secannot.knowledge.problems import Path_, Problem
from secannot.knowledge.schema import CLAIM_GROUPS, KINDS, NO_RULE_FILES, check_schema_version, normalise_name
from secannot.knowledge.seed import SeedText
from secannot.knowledge.yaml_source import duplicate_keys, line_of, parse_with_nodes, where

SEED_SECTIONS = ("1", "2", "2.1", "2.2", "2.3", "3", "3.1", "3.2", "3.3", "3.4", "3.5", "4")
RULE_SUFFIXES = (".yaml", ".yml")


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
                    f"{where(path, data)}: source '{source}' is not in the file's sources table "
                    f"(known: {known}){suggest(source, list(sources))}",
                )
            if isinstance(seed, str) and seed not in SEED_SECTIONS:
                yield Problem(
                    file,
                    line_of(root, path),
                    f"{where(path, data)}: seed section {seed} does not exist in the founding review "
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


# -- a user layer over the bundled rules ---------------------------------------------------


def accession_taken(accession: str, gene: str, other_gene: str, other_where: str) -> str:
    """One wording, for lint and the rule loader, of a user entry that takes an earlier layer's accession under
    another gene: loaded, it would replace that entry under the wrong symbol, with none of its claims."""
    return (f"accession {accession} of {gene} is the accession of {other_gene} in {other_where}; use its gene "
            f"symbol ('gene: {other_gene}') to override that entry, or correct the accession")


def alias_is_gene(alias: str, gene: str, other_gene: str, other_where: str) -> str:
    """One wording, for lint and the rule loader, of a user alias that is an earlier layer's gene symbol."""
    return f"alias '{alias}' of {gene} is the gene symbol of {other_gene} in {other_where}"


def alias_is_alias(alias: str, gene: str, other_gene: str, other_where: str) -> str:
    """One wording, for lint and the rule loader, of a user alias that is an alias of an earlier layer's entry."""
    return (f"alias '{alias}' of {gene} is an alias of {other_gene} in {other_where}; a lookup of '{alias}' would "
            f"find one of them")


def gene_is_alias(gene: str, other_gene: str, other_where: str) -> str:
    """One wording, for lint and the rule loader, of a user gene symbol that is an alias of an earlier layer's
    entry: a lookup by symbol comes first, so the symbol would find the user entry, not the one it names."""
    return (f"gene {gene} is an alias of {other_gene} in {other_where}; a lookup of {gene} would find this entry, "
            f"not {other_gene}")


def over_bundled_problems(base: Sequence[_Name], user: Sequence[_Name]) -> Iterator[Problem]:
    """A user layer's names against the bundled ones (of one kind): an entry of the user layer with the gene of a
    bundled entry replaces it (allowed, reported by the loader), so that entry's names are out of the way.  An
    accession of a bundled entry under another gene (see :func:`accession_taken`), or an alias or gene symbol the
    two layers otherwise share, would make a lookup find the wrong entry; the loader refuses each of them in the
    same words (``RuleSet.from_files``), against the bundled rules and any earlier ``--rules`` layer."""
    overridden = {n.key for n in user if n.role == "gene"}
    active = [n for n in base if normalise_name(n.owner) not in overridden]
    genes = {n.key: n for n in active if n.role == "gene"}
    accessions = {n.key: n for n in active if n.role == "accession"}
    aliases: dict[str, _Name] = {}
    for n in active:
        if n.role == "alias":
            aliases.setdefault(n.key, n)
    # (role of the user's name, the bundled names it may not meet, the wording): the loader refuses the same
    checks = (("accession", accessions, lambda n, o, where: accession_taken(n.text, n.owner, o.owner, where)),
              ("alias", genes, lambda n, o, where: alias_is_gene(n.text, n.owner, o.owner, where)),
              ("alias", aliases, lambda n, o, where: alias_is_alias(n.text, n.owner, o.owner, where)),
              ("gene", aliases, lambda n, o, where: gene_is_alias(n.text, o.owner, where)))
    for name in user:
        for role, names, wording in checks:
            other = names.get(name.key) if name.role == role else None
            if other is not None:
                if normalise_name(other.owner) != normalise_name(name.owner):
                    yield Problem(name.file, name.line, wording(name, other,
                                                                f"the bundled rules ({other.file}:{other.line})"))
                break


def bundled_documents() -> list[_Document]:
    """The names of the bundled rules, with their lines, shown as ``rules/NAME`` as the loader shows them."""
    from secannot.knowledge.schema import bundled_dir

    documents = []
    for item in sorted(bundled_dir().iterdir(), key=lambda p: p.name):
        if not item.name.endswith(RULE_SUFFIXES):
            continue
        shown = f"rules/{item.name}"
        data, root, problems = parse_with_nodes(item.read_text(encoding="utf-8"), shown, aliases_refused=True)
        if not problems and isinstance(data, dict) and data.get("kind") in KINDS:
            documents.append(_Document(shown, data["kind"], _names(data, root, shown)))
    return documents


def _is_bundled_copy(file: Path) -> bool:
    """A file of the bundled rules directory or of a copy of it (the project's ``rules/``, which holds the same
    ``schema.json``): linted as the bundled rules themselves, not as a user layer over them."""
    from secannot.knowledge.schema import bundled_dir

    bundled = Path(str(bundled_dir()))
    parent = file.resolve().parent
    if parent == bundled.resolve():
        return True
    schema = parent / "schema.json"
    try:
        return schema.is_file() and schema.read_bytes() == (bundled / "schema.json").read_bytes()
    except OSError:
        return False


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


def _lint_document(text: str, file: str, seed: SeedText | None = None,
                   aliases_refused: bool = False) -> tuple[list[Problem], _Document | None]:
    data, root, problems = parse_with_nodes(text, file, aliases_refused=aliases_refused)
    if problems:
        return problems, None
    version_problem = _schema_version_problem(data, root, file)
    if version_problem is not None:
        return [version_problem], None
    assert root is not None  # a mapping was constructed, so there is a tree
    problems = list(duplicate_keys(root, (), data, file))
    problems += schema_problems(data, root, file)
    problems += _evidence_problems(data, root, file)
    problems += _order_problems(data, root, file)
    problems += date_problems(data, root, file)
    problems += accession_problems(data, root, file)
    problems += contradiction_problems(data, root, file)
    if seed is not None:
        problems += seed_problems(data, root, file, seed)
    names = _names(data, root, file)
    problems += _collisions(names, cross_file=False)
    kind = data.get("kind") if data.get("kind") in KINDS else None
    return _unique(problems), _Document(file, kind, names)


def cross_file_problems(documents: Sequence[_Document]) -> list[Problem]:
    """Collisions between the files of one layer (one directory, or the files given to lint), kind by kind: a
    gene, an accession under another gene or an alias of another entry, as within one file."""
    problems: list[Problem] = []
    for kind in KINDS:
        names = [name for doc in documents if doc.kind == kind for name in doc.names]
        problems += _collisions(names, cross_file=True)
    return _unique(problems)


def _unique(problems: Sequence[Problem]) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.message))


def lint_text(text: str, path: str, seed: SeedText | None = None, *, aliases_refused: bool = False) -> list[Problem]:
    """Every problem of one rule file, sorted by line; with ``seed``, quotes are checked against the review.

    ``aliases_refused``: the caller already refused YAML aliases in ``text`` (see ``parse_with_nodes``).
    """
    return _lint_document(text, path, seed, aliases_refused)[0]


def lint_layer_file(text: str, path: str, *, aliases_refused: bool = False) -> tuple[list[Problem], _Document | None]:
    """:func:`lint_text` plus what the file contributes to :func:`cross_file_problems`, for the rule loader,
    which checks the files of a ``--rules`` directory against each other as lint does."""
    return _lint_document(text, path, None, aliases_refused)


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
                problems.append(Problem(str(given), 0, NO_RULE_FILES))  # the loader refuses it (exit 5)
            files += found
        elif path.exists():
            files.append(path)
        else:
            problems.append(Problem(str(given), 0, "no such file"))
    return files, problems


def lint_paths(paths: Sequence[str | Path], seed: SeedText | None = None) -> list[Problem]:
    """Every file on its own, then collisions between files of the same kind in one directory (a layer), then, for user rule files (any
    file outside a copy of the bundled rules directory), what loading them with ``--rules`` over the bundled
    rules would refuse or silently change: see :func:`over_bundled_problems`."""
    files, problems = _expand(paths)
    documents: list[_Document] = []
    document_files: list[Path] = []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(str(file), 0, "cannot read: not UTF-8 text"))
            continue
        except OSError as exc:
            problems.append(Problem(str(file), 0, f"cannot read: {exc.strerror or exc}"))
            continue
        found, document = _lint_document(text, str(file), seed)
        problems += found
        if document is not None and document.kind is not None:
            documents.append(document)
            document_files.append(file)
    # one directory is one layer (--rules loads it so); files of different directories may be layers that
    # override one another (--rules a --rules b), so only files of one directory are compared
    by_directory: dict[Path, list[_Document]] = {}
    for doc, file in zip(documents, document_files, strict=True):
        by_directory.setdefault(file.resolve().parent, []).append(doc)
    for layer in by_directory.values():
        problems += cross_file_problems(layer)
    user = [doc for doc, file in zip(documents, document_files, strict=True) if not _is_bundled_copy(file)]
    if user:  # user rules: each directory checked as the layer it would be over the bundled rules
        given = {Path(doc.path).name for doc in documents if doc not in user}
        base = [doc for doc in bundled_documents() if Path(doc.path).name not in given]
        base += [doc for doc in documents if doc not in user]
        for layer in by_directory.values():
            # one layer at a time: another directory's override of a bundled gene must not free its names here
            mine = [doc for doc in layer if doc in user]
            for kind in KINDS:
                problems += over_bundled_problems([n for doc in base if doc.kind == kind for n in doc.names],
                                                  [n for doc in mine if doc.kind == kind for n in doc.names])
    return _unique(problems)


def has_errors(problems: Sequence[Problem]) -> bool:
    """For the exit code: warnings alone do not fail a pre-commit hook."""
    return any(p.severity == "error" for p in problems)

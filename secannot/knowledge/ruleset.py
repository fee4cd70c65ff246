"""Loading versioned rule files, layering user rules over bundled ones, and lookup.

Rule files are YAML (see ``rules/schema.json`` and ``rules/README.md``).  The
bundled set ships inside the package; ``--rules DIR`` adds layers whose
entries replace bundled ones with the same key (gene symbol) and kind, and
every such replacement is reported so that nobody is surprised by it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

from secannot.errors import InputError, RulesError, SchemaVersionError
from secannot.io.headers import Identity
from secannot.knowledge.schema import (  # noqa: F401 - re-exported for callers of the loader
    KINDS,
    NO_RULE_FILES,
    SUPPORTED_SCHEMA,
    bundled_dir,
    check_schema_version,
    normalise_name,
    refuse_aliases,
    schema_document,
    yaml_loader,
)

BUNDLED_LABEL = "bundled"


@dataclass(frozen=True, slots=True)
class RuleFile:
    path: str  # as shown to users
    kind: str
    schema_version: int
    rules_version: str
    date: str
    title: str
    sources: dict[str, Any]
    entries: tuple[dict[str, Any], ...]
    layer: str  # 'bundled' or the --rules directory's label (see layer_label)


@dataclass(frozen=True, slots=True)
class Entry:
    """One protein's rule entry together with the file that provided it."""

    gene: str
    accession: str
    data: dict[str, Any]
    file: RuleFile

    @property
    def rules_version(self) -> str:
        return self.file.rules_version

    @property
    def aliases(self) -> tuple[str, ...]:
        return tuple(self.data.get("aliases", ()))


@dataclass
class KindIndex:
    by_gene: dict[str, Entry] = field(default_factory=dict)  # normalised gene -> entry
    by_accession: dict[str, Entry] = field(default_factory=dict)
    by_alias: dict[str, Entry] = field(default_factory=dict)


def parse_rule_text(text: str, path: str, layer: str, *, aliases_refused: bool = False) -> RuleFile:
    """One rule file; YAML aliases are refused before anything is constructed, unless the caller
    already did so on this text (``aliases_refused``)."""
    import yaml

    if not aliases_refused:
        refuse_aliases(text, path)
    try:
        data = yaml.load(text, Loader=yaml_loader())  # noqa: S506 - safe loader
    except (yaml.YAMLError, ValueError):  # ValueError: an unquoted impossible date such as 2026-13-45
        raise RulesError(_parse_failure(text, path)) from None
    check_schema_version(data, path)
    for key in ("kind", "rules_version", "entries"):
        if key not in data:
            raise RulesError(f"{path}: missing '{key}'; run 'secannot rules lint {path}' for details")
    if data["kind"] not in KINDS:
        raise RulesError(f"{path}: unknown kind {data['kind']!r} (expected one of {', '.join(KINDS)})")
    entries = data["entries"] or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "gene" in e and "accession" in e for e in entries):
        raise RulesError(f"{path}: every entry needs 'gene' and 'accession'; run 'secannot rules lint {path}'")
    return RuleFile(
        path=path,
        kind=data["kind"],
        schema_version=data["schema_version"],
        rules_version=str(data["rules_version"]),
        date=str(data.get("date", "")),
        title=str(data.get("title", "")),
        sources=dict(data.get("sources") or {}),
        entries=tuple(entries),
        layer=layer,
    )


def _parse_failure(text: str, path: str) -> str:
    """'file:line: YAML syntax error: ...', worded as ``rules lint`` and a ``--rules`` load word it (PyYAML's own
    text names '<unicode string>' and a column on two lines); the text is parsed again only on this path."""
    from secannot.knowledge.yaml_source import parse_with_nodes

    problems = parse_with_nodes(text, path, aliases_refused=True)[2]
    found = str(problems[0]) if problems else f"{path}: cannot parse"
    return f"{found}; run 'secannot rules lint {path}'"


def _rule_paths(directory: Traversable | Path) -> list[Any]:
    return sorted((p for p in directory.iterdir() if p.name.endswith((".yaml", ".yml"))), key=lambda p: p.name)


def rule_dirs_problem(dirs: Sequence[str], name: str) -> str | None:
    """Why the ``--rules`` directories ``dirs`` cannot be used as given, or None; one wording for the CLI (a usage
    error, ``name`` '--rules') and the API (ValueError, ``name`` 'rules').

    An empty name would mean the working directory (``--rules "$LAB"`` with LAB unset loads any .yaml there).  One
    directory given twice, however spelled (``lab``, ``./lab/``, its absolute path or a symlink: compared by
    resolved path), would be layered over itself, every entry overriding its own copy.
    """
    seen: dict[str, str] = {}
    for d in dirs:
        if d == "":
            return f"{name} is an empty name (''); give a directory of .yaml rule files"
        key = os.path.realpath(d)
        if key not in seen:
            seen[key] = d
            continue
        first = seen[key]
        if first == d:
            return f"{name} {d} is given twice; give each rule directory once"
        return f"{name} {d} is the same directory as {name} {first}; give each rule directory once"
    return None


def require_rule_files(directory: Path, shown: str, expected_by: str) -> None:
    """RulesError (exit 5) when ``directory`` holds no .yaml/.yml file, in one wording for ``--rules`` and ``rules
    diff`` (``expected_by`` names which): a typo (lab/ for lab/rules/) would otherwise load nothing, so a run would
    have the bundled rules alone and a diff would list every entry as added or removed."""
    if not _rule_paths(directory):
        raise RulesError(f"{shown}: {NO_RULE_FILES}; {expected_by} expects a directory of .yaml rule files")


_KIND_LINE = re.compile(r"^kind:\s*['\"]?([A-Za-z_]+)", re.MULTILINE)
_VERSION_LINE = re.compile(r"^rules_version:\s*['\"]?([0-9][^'\"\s#]*)", re.MULTILINE)


def read_rule_dir(directory: Traversable | Path, layer: str, validate: bool = False,
                  kinds: Sequence[str] = KINDS, versions: list[tuple[str, str]] | None = None) -> list[RuleFile]:
    """Parse the rule files of ``directory``; files of other ``kinds`` are skipped unparsed.

    Skipping matters for start-up: ``predict`` needs only the small
    non-classical list, not the TME annotations.  ``versions``, when given, receives
    ``(layer, rules_version)`` of every file of the directory, skipped ones too, so a run's rules
    version names the whole rule set in force whatever the command parsed (#12: predict and
    annotate, ``--version`` and every output carry one string).
    """
    files = []
    documents: list[Any] = []  # what each validated file contributes to the cross-file checks
    for item in _rule_paths(directory):
        shown = f"rules/{item.name}" if layer == BUNDLED_LABEL else str(item)
        try:
            text = item.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RulesError(f"{shown}: cannot read ({exc})") from None
        user_file = layer != BUNDLED_LABEL
        if user_file:
            # once per user file, before anything is parsed, even in a file of a kind this run skips: the
            # user named it; the lint and the parse below are told, so they do not read the events again
            refuse_aliases(text, shown)
        declared = _KIND_LINE.search(text[:4000])
        if declared and declared.group(1) not in kinds:
            if versions is not None:
                found = _VERSION_LINE.search(text[:4000])
                versions.append((layer, found.group(1) if found else "unversioned"))
            continue
        if validate:
            from secannot.knowledge.lint import lint_layer_file

            found, document = lint_layer_file(text, shown, aliases_refused=user_file)
            problems = [p for p in found if p.severity == "error"]
            if problems:
                error = SchemaVersionError if problems[0].code == "schema_version" else RulesError
                raise error(f"{problems[0]} ({len(problems)} problem(s); run 'secannot rules lint {item}')")
            documents.append(document)
        files.append(parse_rule_text(text, shown, layer, aliases_refused=user_file))
        if versions is not None:
            versions.append((layer, files[-1].rules_version))
    if validate:
        _refuse_cross_file_collisions(documents, directory)
    return files


def _refuse_cross_file_collisions(documents: list[Any], directory: Traversable | Path) -> None:
    """The files of one directory are one layer: a gene, accession or alias in two of them is an error, as
    within one file and as ``rules lint DIR`` says, not a silent win of the file whose name sorts last."""
    from secannot.knowledge.lint import cross_file_problems

    problems = [p for p in cross_file_problems([d for d in documents if d is not None and d.kind is not None])
                if p.severity == "error"]
    if problems:
        raise RulesError(f"{problems[0]} ({len(problems)} problem(s) between the files of one --rules directory; "
                         f"run 'secannot rules lint {directory}')")


@dataclass
class RuleSet:
    files: list[RuleFile]
    index: dict[str, KindIndex]
    overrides: list[str]
    #: (layer, rules_version) of every file in the rule directories in force, parsed or skipped by kind
    file_versions: list[tuple[str, str]] = field(default_factory=list)
    _summary: str | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def load(cls, extra_dirs: Sequence[str | Path] = (), include_bundled: bool = True,
             kinds: Sequence[str] = KINDS, family_claims: bool = True) -> RuleSet:
        """``family_claims=False`` drops claims marked ``basis: family`` (``annotate --no-family``)."""
        layers: list[RuleFile] = []
        versions: list[tuple[str, str]] = []
        if include_bundled:
            layers += read_rule_dir(bundled_dir(), BUNDLED_LABEL, kinds=kinds, versions=versions)
        for d in extra_dirs:
            path = Path(d)
            if not path.is_dir():
                what = "no such directory" if not path.exists() else "not a directory"
                raise InputError(f"{d}: {what}; --rules expects a directory of .yaml rule files")
            require_rule_files(path, str(d), "--rules")
            layers += read_rule_dir(path, layer_label(d), validate=True, kinds=kinds, versions=versions)
        if not family_claims:
            layers = [without_family(rf) for rf in layers]
        rules = cls.from_files(layers)
        rules.file_versions = versions
        return rules

    @classmethod
    def from_files(cls, files: Iterable[RuleFile]) -> RuleSet:
        files = list(files)
        index = {kind: KindIndex() for kind in KINDS}
        overrides: list[str] = []
        layer_genes: dict[tuple[str, str], set[str]] = {}  # (layer, kind) -> the genes the layer defines
        for rf in files:
            layer_genes.setdefault((rf.layer, rf.kind), set()).update(normalise_name(str(e["gene"])) for e in rf.entries)
        for rf in files:
            idx = index[rf.kind]
            overridden = layer_genes[rf.layer, rf.kind]
            for position, raw in enumerate(rf.entries):
                entry = Entry(str(raw["gene"]), str(raw["accession"]), raw, rf)
                key = normalise_name(entry.gene)
                problem = _name_taken(idx, entry, position, overridden)
                if problem is not None:
                    raise RulesError(problem)
                old = idx.by_gene.get(key)
                if old is not None:
                    overrides.append(f"{rf.path}: {entry.gene} overrides {old.file.path} ({old.file.layer} {old.rules_version})")
                    _drop(idx, old)
                idx.by_gene[key] = entry
                idx.by_accession[entry.accession] = entry
                for alias in entry.aliases:
                    akey = normalise_name(alias)
                    clash = idx.by_alias.get(akey)
                    if clash is not None and clash is not entry and clash.gene != entry.gene:
                        overrides.append(f"{rf.path}: alias {alias!r} of {entry.gene} was an alias of {clash.gene} ({clash.file.path})")
                    idx.by_alias[akey] = entry
        return cls(files, index, overrides)

    # -- lookup -------------------------------------------------------------------
    def match(self, kind: str, identity: Identity) -> Entry | None:
        """Accession first (most specific), then gene symbol, then the entry name's gene part."""
        idx = self.index[kind]
        if identity.accession and identity.accession in idx.by_accession:
            return idx.by_accession[identity.accession]
        if identity.gene:
            hit = idx.by_gene.get(normalise_name(identity.gene))
            if hit is not None:
                return hit
        if identity.entry_name and identity.entry_name.endswith("_HUMAN"):
            return idx.by_gene.get(normalise_name(identity.entry_name.rsplit("_", 1)[0]))
        return None

    def find(self, query: str) -> list[Entry]:
        """Entries for a gene symbol, accession or alias typed by a user, any kind.

        Ids written as ``annotate`` reads them also work: ``sp|P15692|VEGFA_HUMAN`` (the accession)
        and ``P15692-2`` or ``P15692.3`` (isoform and version dropped; rules are per canonical entry).
        """
        q = query.strip()
        parts = q.split("|")
        if len(parts) >= 3 and parts[0] in ("sp", "tr"):
            q = parts[1]
        canonical = q.split("-")[0].split(".")[0]
        if canonical != q and any(canonical.upper() in self.index[kind].by_accession for kind in KINDS):
            q = canonical
        key = normalise_name(q)
        hits: list[Entry] = []
        for kind in KINDS:
            idx = self.index[kind]
            entry = idx.by_accession.get(q.upper()) or idx.by_gene.get(key) or idx.by_alias.get(key)
            if entry is not None:
                hits.append(entry)
        return hits

    def versions(self) -> dict[str, str]:
        """rules_version of every loaded file, by path."""
        return {f.path: f.rules_version for f in self.files}

    def version_summary(self) -> str:
        """The run's rules version, the one string every output's provenance carries.

        The distinct versions of the bundled files, sorted and joined by ``+`` (as ``--version`` prints),
        then ``layer:version`` for each user directory in the order the layers apply; over every file of the directories in force,
        including files of a kind this command skipped, so ``predict`` and ``annotate`` agree.
        """
        if self._summary is None:  # asked once per annotated protein (the rules_version column)
            self._summary = combined_version(self.file_versions or [(f.layer, f.rules_version) for f in self.files])
        return self._summary


def _name_taken(idx: KindIndex, entry: Entry, position: int, overridden: set[str]) -> str | None:
    """Why ``entry`` may not join the index, or None: a name it shares with an entry of an earlier layer (the
    bundled rules or an earlier ``--rules`` directory) that this layer does not override.

    The cases, in the words of ``rules lint`` (which reports them for a user directory over the bundled rules):
    its accession under another gene (a user 'VEGF' with VEGFA's P15692 would replace that entry, named VEGF and
    with none of its claims); its gene symbol being another entry's alias, or an alias being another entry's gene
    symbol or alias (a lookup of that name, as ``rules show`` and ``annotate --gene`` do it, would silently find
    whichever entry was indexed last or first).  ``overridden``: the normalised genes this entry's layer defines;
    an earlier entry it replaces is out of the way.  Overriding an entry (same gene symbol) stays allowed.
    """
    key = normalise_name(entry.gene)

    def earlier(other: Entry | None) -> Entry | None:
        """``other`` when it is an entry of an earlier layer, under another gene, that this layer leaves in force."""
        if (other is None or other.file.layer == entry.file.layer or normalise_name(other.gene) == key
                or normalise_name(other.gene) in overridden):
            return None
        return other

    # the accession first: a user 'VEGF' with P15692 is usually meant to override VEGFA, which that message says how
    if other := earlier(idx.by_accession.get(entry.accession)):
        return _taken_message("accession", entry, position, ("accession",), other, ("accession",))
    if other := earlier(idx.by_alias.get(key)):
        return _taken_message("gene", entry, position, ("gene",), other, _alias_path(other, key))
    for k, alias in enumerate(entry.aliases):
        akey = normalise_name(alias)
        if other := earlier(idx.by_gene.get(akey)):
            return _taken_message("alias-gene", entry, position, ("aliases", k), other, ("gene",))
        if other := earlier(idx.by_alias.get(akey)):
            return _taken_message("alias-alias", entry, position, ("aliases", k), other, _alias_path(other, akey))
    return None


def _taken_message(case: str, entry: Entry, position: int, keys: tuple[str | int, ...], other: Entry,
                   other_keys: tuple[str | int, ...]) -> str:
    """'file:line: message' for :func:`_name_taken`, worded by ``rules lint`` (imported only on this path: the lint
    machinery is not needed to load rules that are fine)."""
    from secannot.knowledge.lint import accession_taken, alias_is_alias, alias_is_gene, gene_is_alias

    layer = "the bundled rules" if other.file.layer == BUNDLED_LABEL else f"the --rules layer {other.file.layer}"
    where = f"{layer} ({_entry_line(other.file, other.file.entries.index(other.data), other_keys)})"
    if case == "gene":
        text = gene_is_alias(entry.gene, other.gene, where)
    elif case == "accession":
        text = accession_taken(entry.accession, entry.gene, other.gene, where)
    else:
        alias = entry.aliases[int(keys[1])]
        text = (alias_is_gene if case == "alias-gene" else alias_is_alias)(alias, entry.gene, other.gene, where)
    return f"{_entry_line(entry.file, position, keys)}: {text}"


def _alias_path(entry: Entry, key: str) -> tuple[str | int, ...]:
    """The key path, within its entry, of the alias of ``entry`` whose normalised form is ``key``."""
    return ("aliases", next(k for k, a in enumerate(entry.aliases) if normalise_name(a) == key))


def _entry_line(rule_file: RuleFile, position: int, keys: tuple[str | int, ...]) -> str:
    """'file:line' of a key path (``('accession',)``, ``('aliases', 0)``) of the file's ``position``-th entry; the
    file is parsed again for its node tree, which only an error message needs ('file' alone when it cannot be
    read again)."""
    from secannot.knowledge.yaml_source import line_of, parse_with_nodes

    source = bundled_dir() / Path(rule_file.path).name if rule_file.layer == BUNDLED_LABEL else Path(rule_file.path)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return rule_file.path
    _, root, problems = parse_with_nodes(text, rule_file.path, aliases_refused=True)
    return rule_file.path if problems else f"{rule_file.path}:{line_of(root, ('entries', position, *keys))}"


FAMILY_GROUPS = ("cell_sources", "processes")


def without_family(rf: RuleFile) -> RuleFile:
    """A copy of ``rf`` whose cell-source and process claims stated only for a family are gone."""
    entries = []
    for raw in rf.entries:
        kept = {g: [c for c in raw.get(g, []) if c.get("basis") != "family"] for g in FAMILY_GROUPS if g in raw}
        entries.append({**raw, **kept})
    return replace(rf, entries=tuple(entries))


def _drop(idx: KindIndex, entry: Entry) -> None:
    idx.by_accession = {k: v for k, v in idx.by_accession.items() if v is not entry}
    idx.by_alias = {k: v for k, v in idx.by_alias.items() if v is not entry}


def layer_label(directory: str | Path) -> str:
    """The label of a ``--rules`` layer in the rules version, ``rules show`` and messages: the path as typed,
    normalised (``os.path.normpath``: ``lab/``, ``./lab`` and ``lab`` are all ``lab``), so one directory typed two
    ways names one rule set and ``summarize`` does not warn about rules that differ only in spelling.  Lexical
    only: an absolute path stays absolute (``/data/lab`` and ``lab`` remain two labels)."""
    return os.path.normpath(str(directory))


def combined_version(pairs: Iterable[tuple[str, str]]) -> str:
    """``(layer, rules_version)`` pairs, in the order the files were read, as one string: the bundled files'
    distinct versions sorted, then ``layer:version`` for each user layer in the order the layers apply.

    The order of the layers is kept because it changes the result (the last layer's entry wins): ``--rules a
    --rules b`` and ``--rules b --rules a`` must not carry one version.  Within a layer (one directory, whose
    files may not collide) the distinct versions are sorted; consecutive pairs of one label are one layer, so a
    directory given again later is named again, where it applies again.
    """
    pairs = list(pairs)
    bundled = sorted({v for layer, v in pairs if layer == BUNDLED_LABEL})
    layers: list[tuple[str, set[str]]] = []
    for layer, version in pairs:
        if layer == BUNDLED_LABEL:
            continue
        if not layers or layers[-1][0] != layer:
            layers.append((layer, set()))
        layers[-1][1].add(version)
    user = [f"{layer}:{v}" for layer, versions in layers for v in sorted(versions)]
    return "+".join(bundled + user) or "none"


def bundled_version_fast() -> str:
    """The bundled set's rules version without a YAML parser, for ``--version``; the same string as
    :meth:`RuleSet.version_summary` of a run without ``--rules``."""
    versions = []
    for item in _rule_paths(bundled_dir()):
        m = _VERSION_LINE.search(item.read_text(encoding="utf-8")[:4000])
        versions.append((BUNDLED_LABEL, m.group(1) if m else "unversioned"))
    return combined_version(versions)



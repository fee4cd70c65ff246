"""``secannot rules diff OLD_DIR NEW_DIR``: what a rule update changes, claim by claim.

A textual diff of YAML shows moved lines and re-wrapped quotes; reviewers of a
rule update need to know which annotations users will see differently.  So
entries are matched by (kind, gene) and claims by what they claim (the cell
type, the process, the clinical status with its specimen/cancer, drugs or
outcome), and evidence-only edits are told apart from changes of meaning.
The diff also checks the README's versioning rule: a file whose content
changed needs a new ``rules_version``, and a big enough one.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

from secannot.knowledge.ruleset import KINDS, RuleFile, read_rule_dir, require_rule_files
from secannot.knowledge.schema import ENTRY_CLAIM_GROUPS

ENTRY_FIELDS = ("accession", "aliases", "name", "family", "note")
FILE_LEVEL = "*"  # the gene of changes that concern a whole file
_CHANGE_ORDER = ("removed_entry", "added_entry", "changed_field", "removed_claim", "added_claim", "changed_claim")
_SIGNS = {"added_entry": "+", "added_claim": "+", "removed_entry": "-", "removed_claim": "-"}
_PATCH, _MINOR, _MAJOR = 1, 2, 3
_LEVEL_NAMES = {_PATCH: "patch", _MINOR: "minor", _MAJOR: "major"}


@dataclass(frozen=True)
class Change:
    kind: str
    gene: str
    change: str  # added_entry, removed_entry, added_claim, removed_claim, changed_claim, changed_field
    field: str | None  # claim group or entry field; 'rules_version' for file-level changes
    detail: str


def load_rule_dir(directory: str | Path) -> list[RuleFile]:
    """The rule files of one side of a diff; RulesError for a directory without any (see
    :func:`~secannot.knowledge.ruleset.require_rule_files`), not an empty side that makes everything added or
    removed."""
    require_rule_files(Path(directory), str(directory), "rules diff")
    return read_rule_dir(Path(directory), layer=str(directory))


def diff_dirs(old_dir: str | Path, new_dir: str | Path) -> list[Change]:
    return diff_rule_sets(load_rule_dir(old_dir), load_rule_dir(new_dir))


# -- claims and evidence -------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list | tuple):
        return ",".join(map(str, value))
    return str(value)


def claim_label(group: str, claim: dict[str, Any]) -> str:
    """What the claim asserts, e.g. 'fda_marker:serum:prostate'; also its identity within a group."""
    if group in ("cell_sources", "processes"):
        return _text(claim.get("value"))
    if group == "nonclassical":
        return f"type {_text(claim.get('route_type'))}"
    status = _text(claim.get("status"))
    if status == "fda_marker":
        return f"fda_marker:{_text(claim.get('specimen'))}:{_text(claim.get('cancer'))}"
    if status == "approved_target":
        return f"approved_target:{_text(claim.get('drugs'))}"
    label = f"{status}:{_text(claim.get('outcome'))}"
    return f"{label}:{_text(claim.get('drugs'))}" if claim.get("drugs") else label


def _claims(entry: dict[str, Any], group: str) -> dict[str, dict[str, Any]]:
    raw = entry.get(group)
    if group == "nonclassical":  # one claim per entry, so a new route type is a change, not add+remove
        return {"": raw} if isinstance(raw, dict) else {}
    keyed: dict[str, dict[str, Any]] = {}
    for claim in raw if isinstance(raw, list) else []:
        if not isinstance(claim, dict):
            continue
        label = base = claim_label(group, claim)
        n = 1
        while label in keyed:  # the same claim twice (different contexts): keep both apart
            n += 1
            label = f"{base}#{n}"
        keyed[label] = claim
    return keyed


def evidence_token(item: Any) -> str:
    """Short name of one evidence item, as in 'pmid:24088261' or 'seed:3.2'."""
    if not isinstance(item, dict):
        return _text(item)
    for key in ("seed", "pmid", "doi", "regulatory", "source"):
        if key in item:
            return f"{key}:{item[key]}"
    if "database" in item:
        return f"database:{item['database']}" + (f"/{item['set']}" if item.get("set") else "")
    return json.dumps(item, sort_keys=True, ensure_ascii=False, default=str)


def _canonical(item: Any) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False, default=str)


def evidence_difference(old: Any, new: Any) -> str:
    """'+pmid:1 -seed:3.2 ~seed:3.3' (~: same citation, other quote or note); '' if only the order changed."""
    old_items = Counter(_canonical(i) for i in (old if isinstance(old, list) else []))
    new_items = Counter(_canonical(i) for i in (new if isinstance(new, list) else []))
    removed = [evidence_token(json.loads(c)) for c in (old_items - new_items).elements()]
    added = [evidence_token(json.loads(c)) for c in (new_items - old_items).elements()]
    edited = [t for t in dict.fromkeys(added) if t in removed]
    parts = [f"+{t}" for t in added if t not in edited]
    parts += [f"-{t}" for t in removed if t not in edited]
    parts += [f"~{t}" for t in edited]
    return " ".join(parts)


def _claim_difference(old: dict[str, Any], new: dict[str, Any]) -> str:
    parts = [
        f"{key} {_text(old.get(key))} -> {_text(new.get(key))}"
        for key in sorted(set(old) | set(new), key=str)
        if key != "evidence" and old.get(key) != new.get(key)
    ]
    evidence = evidence_difference(old.get("evidence"), new.get("evidence"))
    if evidence:
        parts.append(f"evidence {evidence}")
    return "; ".join(parts)


def _group_changes(kind: str, gene: str, group: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    old_claims, new_claims = _claims(old, group), _claims(new, group)
    for key, claim in old_claims.items():
        if key not in new_claims:
            yield Change(kind, gene, "removed_claim", group, claim_label(group, claim))
    for key, claim in new_claims.items():
        if key not in old_claims:
            yield Change(kind, gene, "added_claim", group, claim_label(group, claim))
        elif claim != old_claims[key]:
            difference = _claim_difference(old_claims[key], claim)
            if difference:
                yield Change(kind, gene, "changed_claim", group, f"{claim_label(group, claim)} {difference}")


# -- entries -------------------------------------------------------------------------


def _alias_difference(old: Any, new: Any) -> str:
    old_list = [str(a) for a in old] if isinstance(old, list) else []
    new_list = [str(a) for a in new] if isinstance(new, list) else []
    parts = [f"+{a}" for a in new_list if a not in old_list] + [f"-{a}" for a in old_list if a not in new_list]
    return " ".join(parts) or "order changed"


def _field_changes(kind: str, gene: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    for name in ENTRY_FIELDS:
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        aliases = name == "aliases"
        detail = _alias_difference(before, after) if aliases else f"{_text(before)} -> {_text(after)}"
        yield Change(kind, gene, "changed_field", name, detail)


def _entry_changes(kind: str, gene: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    yield from _field_changes(kind, gene, old, new)
    for group in ENTRY_CLAIM_GROUPS:
        yield from _group_changes(kind, gene, group, old, new)


def _file_name(rule_file: RuleFile) -> str:
    return Path(rule_file.path).name


def _index(files: Sequence[RuleFile]) -> dict[tuple[str, str], tuple[dict[str, Any], RuleFile]]:
    """(kind, gene) -> entry; a later file wins, as when the directory is loaded."""
    return {(f.kind, str(e.get("gene"))): (e, f) for f in files for e in f.entries}


# -- files and versions ----------------------------------------------------------------


def _semver(text: str) -> tuple[int, int, int] | None:
    parts = text.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    return int(parts[0]), int(parts[1]), int(parts[2])


def _bump_level(old: str, new: str) -> int | None:
    """_MAJOR/_MINOR/_PATCH for an increase, 0 for none or a decrease, None if not semver."""
    before, after = _semver(old), _semver(new)
    if before is None or after is None:
        return None
    if after <= before:
        return 0
    if after[0] != before[0]:
        return _MAJOR
    return _MINOR if after[1] != before[1] else _PATCH


def _needed_level(changes: Iterable[Change]) -> int:
    """README: major for removals, minor for additions, patch for evidence or typo fixes."""
    kinds = {c.change for c in changes}
    if kinds & {"removed_entry", "removed_claim"}:
        return _MAJOR
    if kinds & {"added_entry", "added_claim"}:
        return _MINOR
    return _PATCH


def _content(rule_file: RuleFile) -> tuple[Any, ...]:
    return rule_file.kind, rule_file.title, rule_file.sources, rule_file.entries


def _version_changes(
    old: Sequence[RuleFile], new: Sequence[RuleFile], by_file: dict[str, list[Change]]
) -> Iterator[Change]:
    old_files = {_file_name(f): f for f in old}
    for rule_file in new:
        name = _file_name(rule_file)
        before = old_files.get(name)
        if before is None:
            yield Change(
                rule_file.kind,
                FILE_LEVEL,
                "changed_field",
                "rules_version",
                f"{name}: new file, {rule_file.rules_version}",
            )
            continue
        changed = _content(before) != _content(rule_file)
        if before.rules_version != rule_file.rules_version:
            yield Change(
                rule_file.kind,
                FILE_LEVEL,
                "changed_field",
                "rules_version",
                f"{name}: {before.rules_version} -> {rule_file.rules_version}",
            )
        warning = _version_warning(before, rule_file, changed, by_file.get(name, []))
        if warning:
            yield Change(rule_file.kind, FILE_LEVEL, "changed_field", "rules_version", f"warning: {name}: {warning}")
    new_names = {_file_name(f) for f in new}
    for rule_file in old:
        if _file_name(rule_file) not in new_names:
            yield Change(
                rule_file.kind, FILE_LEVEL, "changed_field", "rules_version", f"{_file_name(rule_file)}: file removed"
            )


def _version_warning(old: RuleFile, new: RuleFile, changed: bool, changes: list[Change]) -> str | None:
    if not changed:
        return None
    if old.rules_version == new.rules_version:
        return f"content changed but rules_version is still {new.rules_version}"
    level = _bump_level(old.rules_version, new.rules_version)
    if level is None:
        return None
    if level == 0:
        return f"rules_version went from {old.rules_version} to {new.rules_version}, not up"
    needed = _needed_level(changes)
    if level < needed:
        return (
            f"{old.rules_version} -> {new.rules_version} is a {_LEVEL_NAMES[level]} bump, but the changes need a "
            f"{_LEVEL_NAMES[needed]} one (see rules/README.md)"
        )
    return None


# -- public ----------------------------------------------------------------------------


def diff_rule_sets(old: Sequence[RuleFile], new: Sequence[RuleFile]) -> list[Change]:
    """Entry, field and claim changes by (kind, gene), then rules_version changes and warnings per file."""
    old_index, new_index = _index(old), _index(new)
    changes: list[Change] = []
    by_file: dict[str, list[Change]] = {}
    for key in sorted(old_index.keys() | new_index.keys()):
        kind, gene = key
        before, after = old_index.get(key), new_index.get(key)
        homes: set[str] = set()
        if before is not None:
            homes.add(_file_name(before[1]))
        if after is not None:
            homes.add(_file_name(after[1]))  # an entry that moved changed both files
        if after is None and before is not None:
            found = [
                Change(kind, gene, "removed_entry", None, f"{before[0].get('accession')} ({_file_name(before[1])})")
            ]
        elif before is None and after is not None:
            found = [Change(kind, gene, "added_entry", None, f"{after[0].get('accession')} ({_file_name(after[1])})")]
        elif before is not None and after is not None:
            found = list(_entry_changes(kind, gene, before[0], after[0]))
        else:
            continue
        changes += found
        for home in homes:
            by_file.setdefault(home, []).extend(found)
    changes += _version_changes(old, new, by_file)
    return sorted(changes, key=_sort_key)


def _sort_key(change: Change) -> tuple[Any, ...]:
    kind_rank = KINDS.index(change.kind) if change.kind in KINDS else len(KINDS)
    return (
        kind_rank,
        change.kind,
        change.gene != FILE_LEVEL,
        change.gene,
        change.field or "",
        _CHANGE_ORDER.index(change.change) if change.change in _CHANGE_ORDER else len(_CHANGE_ORDER),
        change.detail,
    )


def render_line(change: Change) -> str:
    sign = _SIGNS.get(change.change, "~")
    if change.gene == FILE_LEVEL:  # detail is 'file: what', possibly after 'warning: '
        is_warning = change.detail.startswith("warning: ")
        file, _, what = change.detail.removeprefix("warning: ").partition(": ")
        return f"{'!' if is_warning else sign} {file} {change.field}: {what}"
    if change.change in ("added_entry", "removed_entry"):
        return f"{sign} {change.gene} entry: {change.detail}"
    if change.change == "changed_claim":
        return f"{sign} {change.gene} {change.field} {change.detail}"
    return f"{sign} {change.gene} {change.field}: {change.detail}"


def render_diff(changes: Sequence[Change], out: TextIO) -> None:
    """One line per change under a '[kind]' heading; '+' added, '-' removed, '~' changed, '!' warning."""
    if not changes:
        out.write("no changes\n")
        return
    kind: str | None = None
    for change in sorted(changes, key=_sort_key):
        if change.kind != kind:
            kind = change.kind
            out.write(f"[{kind}]\n")
        out.write(render_line(change) + "\n")


def diff_as_dict(changes: Sequence[Change]) -> dict[str, Any]:
    ordered = sorted(changes, key=_sort_key)
    counts = Counter(c.change for c in ordered)
    warnings = sum(1 for c in ordered if c.detail.startswith("warning: "))
    return {"changes": [asdict(c) for c in ordered], "counts": dict(sorted(counts.items())), "warnings": warnings}

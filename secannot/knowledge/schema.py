"""The rule-file format: schema version, kinds, the JSON Schema, name matching and the YAML loader.

Both the rule loader (:mod:`secannot.knowledge.ruleset`) and the linter
(:mod:`secannot.knowledge.lint`) need these, so they live below both.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from importlib.abc import Traversable
from typing import Any

from secannot.errors import RulesError, SchemaVersionError

SUPPORTED_SCHEMA = 2
# Schema 2 (rules 2.0.0) added claim 'basis', clinical 'drug_class', the 'cytokine_drug' and 'guideline_marker'
# statuses, 'regulatory' evidence and vocabulary ontology ids; every schema-1 file is a valid schema-2 file.
READABLE_SCHEMAS = (1, 2)
KINDS = ("tme", "nonclassical")
CLAIM_GROUPS = ("cell_sources", "processes", "clinical")
#: a --rules directory (or a directory given to ``rules lint``) without a rule file: an error in both, in these words
NO_RULE_FILES = "no .yaml or .yml rule files in this directory"
#: every claim group an entry may hold: the TME ones and the non-classical (leaderless) claim
ENTRY_CLAIM_GROUPS = (*CLAIM_GROUPS, "nonclassical")
_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa", "λ": "lambda", "ω": "omega"}
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise_name(text: str) -> str:
    """Matching key for names and aliases: 'TGF-β1', 'TGF beta 1' and 'tgfbeta1' agree."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(_GREEK.get(ch, ch) for ch in text.lower())
    return _NOT_ALNUM.sub("", text)


def yaml_loader() -> type:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlAliasError(RulesError):
    """A rule file uses a YAML alias; ``line`` and ``reason`` let ``rules lint`` report it as a finding."""

    def __init__(self, path: str, line: int):
        self.line = line
        self.reason = ("YAML aliases (*name) are not allowed in rule files: nested aliases can expand "
                       "exponentially (a 'billion laughs' file); write the values out")
        super().__init__(f"{path}:{line}: {self.reason}")


def refuse_aliases(text: str, path: str) -> None:
    """Raise :class:`YamlAliasError` at the first alias in ``text``.

    Rule files never need anchors, and a file of nested aliases (700 bytes)
    expands to gigabytes when it is walked; refusing them before anything is
    constructed keeps ``rules lint``, a pre-commit hook, safe on any file.
    Only the YAML events are read (linear in the file's size).
    """
    if "*" not in text:  # every alias starts with '*'
        return
    import yaml

    try:
        for event in yaml.parse(text, Loader=yaml_loader()):
            if isinstance(event, yaml.AliasEvent):
                raise YamlAliasError(path, event.start_mark.line + 1)
    except yaml.YAMLError:
        return  # a syntax error: reported by the parse that follows, with its line


def check_schema_version(data: Any, path: str) -> None:
    if not isinstance(data, dict):
        raise RulesError(f"{path}: not a rule file (the top level must be a mapping)")
    version = data.get("schema_version")
    if version is None:
        raise SchemaVersionError(f"{path}: no schema_version; add 'schema_version: {SUPPORTED_SCHEMA}' (see rules/README.md)")
    if isinstance(version, str):  # "2": YAML reads a quoted number as a string, which no schema is
        raise SchemaVersionError(
            f"{path}: schema_version: expected an integer, got a string {version!r} (unquote it: "
            f"'schema_version: {version.strip() if version.strip().isdigit() else SUPPORTED_SCHEMA}')"
        )
    if version not in READABLE_SCHEMAS or isinstance(version, bool):
        readable = " and ".join(map(str, READABLE_SCHEMAS))
        if isinstance(version, int) and version > SUPPORTED_SCHEMA:
            hint = f"upgrade secannot (pip install -U secannot) to read it, or use rule files written for schema {readable}"
        else:
            hint = f"migrate the file to schema_version {SUPPORTED_SCHEMA} (see rules/README.md)"
        raise SchemaVersionError(
            f"{path}: schema_version {version!r} is not supported by this secannot (it reads schema_version "
            f"{readable}); {hint}"
        )


def bundled_dir() -> Traversable:
    return resources.files("secannot") / "_rules"


@lru_cache(maxsize=1)
def schema_document() -> dict[str, Any]:
    """The bundled rule schema, parsed once per process and shared by every reader (the vocabulary's
    ontology ids in :mod:`~secannot.knowledge.ontology` and :mod:`~secannot.knowledge.vocabulary`, the
    lint validator): callers must not modify it."""
    return json.loads((bundled_dir() / "schema.json").read_text(encoding="utf-8"))

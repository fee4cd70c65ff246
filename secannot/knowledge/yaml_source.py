"""Rule files as YAML node trees: line numbers for any path, syntax errors and duplicate keys.

Line numbers come from the node tree (``yaml.compose``), which is also the
only place where duplicate mapping keys are visible: PyYAML silently keeps
the last value.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import yaml

from secannot.knowledge.problems import Path_, Problem
from secannot.knowledge.schema import YamlAliasError, refuse_aliases, yaml_loader


def parse_with_nodes(text: str, path: str, *, aliases_refused: bool = False
                     ) -> tuple[Any, yaml.Node | None, list[Problem]]:
    """Compose once and construct from the same tree, so a file is parsed a single time.

    Aliases are refused first (a problem with code ``yaml_alias``), before anything is constructed;
    ``aliases_refused=True`` when the caller has already done so on this text (the rule loader refuses
    every user file once, on reading it), so the events are not read twice.
    """
    if not aliases_refused:
        try:
            refuse_aliases(text, path)
        except YamlAliasError as exc:
            return None, None, [Problem(path, exc.line, exc.reason, code="yaml_alias")]
    loader = yaml_loader()(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        return None, None, [_syntax_problem(exc, path)]
    except yaml.YAMLError as exc:
        return None, None, [Problem(path, 1, f"YAML syntax error: {exc}".replace("\n", " "))]
    except ValueError as exc:  # an unquoted impossible date (2026-13-45) fails in the timestamp constructor
        return None, None, [Problem(path, _timestamp_line(text), f"not a calendar date: {exc}; quote dates as \"YYYY-MM-DD\"")]
    finally:
        loader.dispose()
    return data, root, []


def _timestamp_line(text: str) -> int:
    """Line of the first unquoted YYYY-MM-DD scalar that is not a calendar date (1 if none is found)."""
    import datetime as dt
    import re

    for number, line in enumerate(text.splitlines(), 1):
        match = re.search(r":\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*(#.*)?$", line)
        if match:
            try:
                dt.date(*(int(g) for g in match.groups()[:3]))
            except ValueError:
                return number
    return 1


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


def child(node: yaml.Node | None, step: str | int) -> tuple[yaml.Node | None, int | None]:
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
        node, step_line = child(node, step)
        if step_line is None:
            break
        line = step_line
    return line


def duplicate_keys(node: yaml.Node, path: Path_, data: Any, file: str) -> Iterator[Problem]:
    seen_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, Path_]] = [(node, path)]
    while stack:
        current, at = stack.pop()
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
                    label = where((*at, name), data)
                    yield Problem(
                        file,
                        line,
                        f"{label}: duplicate key '{name}' (first at line {first[key.tag, name]}); "
                        "YAML keeps only the last value",
                    )
                else:
                    first[key.tag, name] = line
                stack.append((value, (*at, name)))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, (*at, i)) for i, item in enumerate(current.value))


def where(path: Sequence[str | int], data: Any) -> str:
    """'entries[3] (MMP2) cell_sources[1].value': the entry's gene makes the index findable."""
    steps = list(path)
    text = ""
    if len(steps) >= 2 and steps[0] == "entries" and isinstance(steps[1], int):
        text = f"entries[{steps[1]}]"
        gene = get_path(data, ("entries", steps[1], "gene"))
        if isinstance(gene, str):
            text += f" ({gene})"
        steps = steps[2:]
        if steps:
            text += " "
    rest = ""
    for step in steps:
        rest += f"[{step}]" if isinstance(step, int) else (f".{step}" if rest else str(step))
    return (text + rest) or "top level"


def get_path(data: Any, path: Sequence[str | int]) -> Any:
    for step in path:
        in_list = isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data)
        if not (in_list or (isinstance(data, dict) and step in data)):
            return None
        data = data[step]
    return data

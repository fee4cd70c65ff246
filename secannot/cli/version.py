"""``secannot --version``: read without numpy, Typer or a YAML parser, so it starts fast."""

from __future__ import annotations

import json
from importlib import resources

from secannot import TOOL_NAME, __version__


def version_text() -> str:
    """Tool, model and rules versions, one per line."""
    from secannot.knowledge.ruleset import bundled_version_fast

    meta = json.loads((resources.files("secannot") / "data" / "sp_model.json").read_text(encoding="utf-8"))
    nc = json.loads((resources.files("secannot") / "data" / "nc_model.json").read_text(encoding="utf-8"))
    return (
        f"{TOOL_NAME} {__version__}\n"
        f"model {meta['name']} {meta['version']}\n"
        f"nc-model {nc['name']} {nc['version']}\n"
        f"rules {bundled_version_fast()}\n"
    )

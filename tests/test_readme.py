"""The README is a user manual: its tables match the code and its examples run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import EXAMPLE_FASTA, POLAR_TAIL, README, REPO, SHARED, readme_section, run_cli

from secannot.docs import fill


def test_generated_tables_are_current():
    text = README.read_text(encoding="utf-8")
    assert fill(text) == text, "run: python -m secannot.docs README.md"


def test_readme_names_the_two_setup_commands():
    text = README.read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text


def _blocks() -> list[list[tuple[str, int]]]:
    """The README's ```sh blocks as command lines with their expected exit code ('# exit N')."""
    text = README.read_text(encoding="utf-8")
    blocks = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        lines = []
        for line in block.splitlines():
            if not line.strip() or line.lstrip().startswith(("#", "make ")):
                continue
            m = re.search(r"#\s*exit (\d+)", line)
            lines.append((line.split("  #")[0].strip(), int(m.group(1)) if m else 0))
        if lines:
            blocks.append(lines)
    return blocks


@pytest.mark.slow
@pytest.mark.parametrize("block", _blocks(), ids=[b[0][0].split()[1] + "..." for b in _blocks()])
def test_readme_examples_run(block, uniprot_server, tmp_path):
    """Each block runs top to bottom in one directory, as a reader would paste it."""
    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(REPO / "examples", work / "examples")
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env.update(SECANNOT_UNIPROT_URL=uniprot_server.url, SECANNOT_CACHE_DIR=str(tmp_path / "cache"), NO_COLOR="1")
    for command, code in block:
        if "../shared" in command:
            if not SHARED.exists():
                pytest.skip("example needs ../shared (shared data not present)")
            command = command.replace("../shared", str(SHARED))
        proc = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=work, env=env, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == code, f"{command}\n{proc.stderr}"
        assert "Traceback" not in proc.stderr


# -- every JSON Lines key is a column or a documented JSON field -----------------------------------
def test_every_jsonl_key_is_a_column_or_a_documented_json_field(tmp_path):
    import json

    from secannot.columns import ANNOTATE_COLUMNS, JSON_FIELDS

    masked = tmp_path / "masked.fasta"
    masked.write_text(f">sp_X_site\nMKWVTFISLLFLFS{'X' * 11}{POLAR_TAIL}\n")
    keys: set[str] = set()
    for command in ("predict", "annotate"):
        res = run_cli([command, "-f", "jsonl", EXAMPLE_FASTA, masked])
        assert res.code == 0, res.err
        for line in res.out.splitlines():
            keys |= set(json.loads(line))
    documented = {c.name for c in ANNOTATE_COLUMNS} | {f.name for f in JSON_FIELDS}
    assert keys - documented == set(), "JSONL keys missing from secannot.columns.JSON_FIELDS"
    assert documented - keys == set(), "documented keys these inputs never produce: check the inputs or the list"


def test_the_readme_lists_every_json_field():
    from secannot.columns import JSON_FIELDS

    table = readme_section("<!-- json-fields:start -->", "<!-- json-fields:end -->")
    for field in JSON_FIELDS:
        assert f"| `{field.name}` | {field.present} | " in table, field.name

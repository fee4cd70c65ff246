"""Shared fixtures: running the CLI in-process, isolation from the user's environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import EXAMPLE_FASTA, run_cli

from secannot.models.topology_decode import TopologyPredictor

# The fake UniProt server fixture, for every test module.
pytest_plugins = ["uniprot_server"]


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """No test touches the user's cache, the network default or a colour terminal."""
    monkeypatch.setenv("SECANNOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("SECANNOT_UNIPROT_URL", raising=False)
    monkeypatch.delenv("SECANNOT_JOBS", raising=False)


@pytest.fixture(scope="module")
def annotated_example(tmp_path_factory) -> Path:
    """``secannot annotate examples/reference.fasta`` written to a TSV file, once per module."""
    path = tmp_path_factory.mktemp("ann") / "hits.tsv"
    path.write_text(run_cli(["annotate", EXAMPLE_FASTA]).out)
    return path


@pytest.fixture(scope="module")
def topology_model() -> TopologyPredictor:
    """The shipped TM-helix predictor, loaded once per module."""
    return TopologyPredictor.load()


@pytest.fixture
def lab_rules(tmp_path):
    """A rule directory that gives VEGFA one process the bundled rules do not list alone."""
    rules_dir = tmp_path / "lab_rules"
    rules_dir.mkdir()
    (rules_dir / "lab.yaml").write_text(
        "schema_version: 1\nrules_version: 0.1.0\ndate: '2026-11-27'\nkind: tme\ntitle: lab rules\n"
        "entries:\n  - gene: VEGFA\n    accession: P15692\n    processes:\n"
        "      - value: lymphangiogenesis\n        evidence: [{pmid: '12345678'}]\n")
    return rules_dir

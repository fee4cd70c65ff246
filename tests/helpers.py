"""Helpers shared by test modules (import as ``from helpers import ...``)."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from secannot.cli import main

TESTS = Path(__file__).parent
DATA = TESTS / "data"
REPO = TESTS.parent
SHARED = Path(os.environ.get("SECANNOT_SHARED", REPO.parent / "shared"))
EXAMPLE_FASTA = REPO / "examples" / "reference.fasta"   # the README's example input
SUBSET_FASTA = DATA / "reference_subset.fasta"           # 14 human UniProt entries (see tests/data/README.md)


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def rows(self) -> list[list[str]]:
        return [line.split("\t") for line in self.out.splitlines()]


class BytesStdin(io.BytesIO):
    """A binary stdin that, like sys.stdin.buffer, supports peek()."""

    def peek(self, n: int = 1) -> bytes:
        pos = self.tell()
        data = self.read(n)
        self.seek(pos)
        return data


def run_cli(args: list, stdin: bytes = b"") -> CliResult:
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err, stdin=BytesStdin(stdin))
    return CliResult(code, out.getvalue(), err.getvalue())


def shared_path(relative: str) -> Path:
    """A file under ../shared, or skip the test with the reason."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"needs ../shared/{relative} (shared data not present)")
    return path

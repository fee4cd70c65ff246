"""Helpers shared by test modules (import as ``from helpers import ...``)."""

from __future__ import annotations

import io
import os
import sys
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
README = REPO / "README.md"

# Sequences several test modules use (each defined once here; the tests state what they expect of them).
# Human serum albumin, UniProt P02768 residues 1-120: the signal peptide 1-18, then the start of the chain.
ALBUMIN = ("MKWVTFISLLFLFSSAYSRGVFRRDAHKSEVAHRFKDLGEENFKALVLIAFAQYLQQCPFEDHVKLVNEVTEFAKTCVADESAENCDKSLHTLFGDK"
           "LCTVATLRETYGEMADCCAKQEP")
# 73 residues: human albumin's signal peptide (P02768 1-18), then an albumin-like chain start (origin not
# recorded; it reads like bovine albumin, P02769).  A secreted protein for the tests that give it VEGFA's header.
ALBUMIN_LIKE = "MKWVTFISLLFLFSSAYSRGVFRRDTHKSEIAHRFKDLGEEHFKGLVLIAFSQYLQQCPFDEHVKLVNELTEF"
# 82 made-up polar and charged residues (no signal peptide, no helix): a soluble stretch after designed features.
POLAR_TAIL = "STEKRDQNGSPEKDRTQSNEKGDRPSTQEKNDGRSPQTEKDNRSGQEPTKDRNSEQGKTDPRSENQKGTDRESPNKQGEDTR"

# Designed membrane proteins and a soluble control for the topology tests.
HELICES = ["LLAVILGVLLAFIWLLAGVLL", "IVLAVFGLALMLVISFLGAVA", "LGAIFVLLIAVAWLSGLLVVF", "AVLFGLIVSLLAIVMLFAGWL",
           "FLVIAGLLTAVALFLVGILYA", "VLAGIFLSLLVAVWLAIFGLL", "ALIVLGFAVLMLSGVIALFLW"]
LOOPS_IN = ["KRSNGKPE", "RKDPSGKR", "SKRNPEKR", "KRPDGSKK"]
LOOPS_OUT = ["DGSNPTQEGSD", "NGTDPSQEGYT", "EGSQPNTDGSN", "TDNGSPEQGSD"]
# human GAPDH (P04406), a soluble cytosolic enzyme
GAPDH = ("MGKVKVGVNGFGRIGRLVTRAAFNSGKVDIVAINDPFIDLNYMVYMFQYDSTHGKFHGTVKAENGKLVINGNPITIFQERDPSKIKWGDAGAEYVV"
         "ESTGVFTTMEKAGAHLQGGAKRVIISAPSADAPMFVMGVNHEKYDNSLKIISNASCTTNCLAPLAKVIHDNFGIVEGLMTTVHAITATQKTVDGPSGKLW"
         "RDGRGALQNIIPASTGAAKAVGKVIPELNGKLTGMAFRVPTANVSVVDLTCRLEKPAKYDDIKKVVKQASEGPLKGILGYTEDQVVSCDFNSDTHSST"
         "FDAGAGIALNDHFVKLISWYDNEFGYSNRVVDLMAHMASKE")


def designed(n_helices: int) -> str:
    """A designed multi-pass protein: K/R-rich inside loops, polar outside loops, 21-residue hydrophobic helices."""
    seq = "MSKKRPEDGSNK"
    for k in range(n_helices):
        seq += HELICES[k % len(HELICES)] + (LOOPS_IN[k // 2 % 4] if k % 2 else LOOPS_OUT[k // 2 % 4])
    return seq + "KRSEEKKDGE"


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def rows(self) -> list[list[str]]:
        return [line.split("\t") for line in self.out.splitlines()]

    @property
    def dicts(self) -> list[dict[str, str]]:
        """The TSV rows after the header, each keyed by the header's column names."""
        header, *body = self.rows
        return [dict(zip(header, row, strict=True)) for row in body]


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


def one_protein(path: Path) -> Path:
    """Write the first record of examples/reference.fasta to ``path`` and return ``path``: one protein, so
    ``plot`` writes exactly the --out file."""
    path.write_text(">" + EXAMPLE_FASTA.read_text().split(">")[1])
    return path


def readme_section(start: str, end: str | None = None) -> str:
    """The README from the first ``start`` up to (not including) the first ``end`` after it, or to the end of
    the file without ``end``.  ValueError if either is missing, so a renamed heading fails the test."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(start):]
    return section if end is None else section[:section.index(end, 1)]


def shared_path(relative: str) -> Path:
    """A file under ../shared, or skip the test with the reason."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"needs ../shared/{relative} (shared data not present)")
    return path


def secannot_argv(*args) -> list[str]:
    """The command line that runs ``secannot ARGS`` in a subprocess with this interpreter."""
    return [sys.executable, "-m", "secannot", *map(str, args)]


def subprocess_env(unbuffered: bool = False) -> dict[str, str]:
    """This environment for a secannot subprocess: one BLAS thread (the suite shares two cores), and
    PYTHONUNBUFFERED set only when asked, so a buffered run is buffered whatever the caller's shell sets."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env["OPENBLAS_NUM_THREADS"] = "1"
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    return env

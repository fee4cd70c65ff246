"""Inputs seen in real use: masked sequences, peptide lists, and a whole file passed where records belong."""

from __future__ import annotations

import pytest
from helpers import run_cli

import secannot
from secannot.pipeline.predictor import MAX_BATCH_RECORDS, MIN_RECORD_COST, residue_batched
from secannot.results import Record

SIGNAL = "MKWVTFISLLFLFSSAYS"  # serum albumin's signal peptide, called by the model
MATURE = "RGVFRRDAHKSEVAHRFKDLGEENFKALVLIAFAQYLQQCPFEDHVKLVNEVTEFAKTCVADESAENCDKSLHTLFGDKLCTVATLRETYGEMADCCAKQEP"


def _row(fasta: str) -> dict[str, str]:
    res = run_cli(["predict", "-"], stdin=fasta.encode())
    header, row = res.out.splitlines()[:2]
    return dict(zip(header.split("\t"), row.split("\t"), strict=True))


def test_the_unmasked_protein_has_its_signal_peptide():
    assert _row(f">albumin\n{SIGNAL}{MATURE}\n")["cleavage_site"] != ""


@pytest.mark.parametrize("masked", [
    "X" * len(SIGNAL),                       # the whole signal peptide masked
    SIGNAL[:6] + "X" * 6 + SIGNAL[12:],      # a third of it
    "B" * 5 + "Z" * 5 + SIGNAL[10:],         # ambiguity codes
    "X" * 100,                               # an unknown N-terminus of any length
], ids=["all-x", "third-x", "bz", "poly-x"])
def test_an_ambiguous_n_terminus_is_no_signal_peptide(masked):
    row = _row(f">masked\n{masked}{MATURE}\n")
    assert row["cleavage_site"] == "" and row["route"] != "classical"
    assert row["localization"] not in ("secreted", "gpi_anchored", "er_retained")
    assert row["confidence"] == "low"


@pytest.mark.parametrize("length", [1, 3, 30, 300])
def test_batches_hold_a_bounded_number_of_records(length):
    records = [Record(f"p{i}", "", b"M" * length, "<t>", 1) for i in range(3 * MAX_BATCH_RECORDS)]
    budget = 1 << 20
    batches = list(residue_batched(records, budget))
    assert sum(len(b) for b in batches) == len(records)
    assert all(len(b) <= MAX_BATCH_RECORDS for b in batches)
    assert all(sum(max(len(r.seq), MIN_RECORD_COST) for r in b[:-1]) < budget for b in batches)


@pytest.mark.parametrize("single", ["examples/reference.fasta", SIGNAL + MATURE, (SIGNAL + MATURE).encode()],
                         ids=["path", "str", "bytes"])
@pytest.mark.parametrize("call", [secannot.predict, secannot.annotate], ids=["predict", "annotate"])
def test_api_refuses_a_lone_string(call, single):
    with pytest.raises(TypeError, match="read_fasta"):
        call(single)

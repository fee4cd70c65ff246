"""Defects found by the third new-user test: each would pass silently on the old code."""

from __future__ import annotations

import csv
import io
import json

import pytest
from helpers import run_cli

import secannot
from secannot.errors import InputError

ALBUMIN = ("MKWVTFISLLFLFSSAYSRGVFRRDAHKSEVAHRFKDLGEENFKALVLIAFAQYLQQCPFEDHVKLVNEVTEFAKTCVADESAENCDKSLHTLFGDK"
           "LCTVATLRETYGEMADCCAKQEP")


@pytest.mark.parametrize("record, error", [
    (("a", None), InputError),      # once predicted as the protein "NONE"
    ((1, ALBUMIN), TypeError),      # once silently the id '1'
    ((b"a", ALBUMIN), TypeError),   # once the id "b'a'"
])
def test_the_api_refuses_a_missing_sequence_and_ids_that_are_not_text(record, error):
    with pytest.raises(error):
        secannot.predict([record])


def _jsonl(tmp_path, *args):
    fasta = tmp_path / "p.fa"
    fasta.write_text(f">unmatched_protein\n{ALBUMIN}\n")
    res = run_cli(["annotate", fasta, "-f", "jsonl", *args])
    return json.loads(res.out.splitlines()[0])


def test_jsonl_rules_version_and_uniprot_location_match_tsv_and_parquet_when_nothing_was_found(tmp_path):
    row = _jsonl(tmp_path)
    assert row["annotation"]["matched"] is False
    assert row["rules_version"] is None, "empty when no rule matched, as in TSV and Parquet"
    assert row["uniprot_location"] is None, "UniProt was not asked: null, not an empty list"
    assert row["provenance"]["rules"]["version"], "the run's rules version stays in the provenance"


def test_an_empty_id_error_cell_has_the_file_line_id_reason_shape(tmp_path):
    table = tmp_path / "q.tsv"
    table.write_text(f"protein\tseq\nA\t{ALBUMIN}\n\t{ALBUMIN}\n")
    res = run_cli(["annotate", "--tsv", table, "--id-column", "protein", "--sequence-column", "seq", "--offline"])
    rows = list(csv.reader(io.StringIO(res.out), delimiter="\t"))
    error = rows[2][-1]
    assert error == f"{table}:3: (empty): empty id"
    assert f"error: {error}" in res.err

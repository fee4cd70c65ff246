"""Regression tests for summarize: degenerate odds ratios, file names in errors, exit codes, crosstalk
counting and the no-background warning."""

from __future__ import annotations

import json

import pytest
from helpers import run_cli

from secannot.report.enrichment import Counts, enrich, fold_enrichment, odds_ratio, odds_ratio_ci
from secannot.report.summary import summarize


def rec(id_: str, gene: str = "", cells: str = "", accession: str = "") -> dict:
    return {"id": id_, "accession": accession, "gene": gene, "route": "classical", "localization": "secreted",
            "cell_sources": cells, "processes": "", "clinical": ""}


# --------------------------------------------------------------------------- odds ratio of degenerate tables


@pytest.mark.parametrize("counts", [
    Counts(k=0, n=10, K=20, N=1000),  # no hit carries it: ratio 0, fold 0 (was 12.1-ish with +0.5)
    Counts(k=0, n=3, K=4, N=10),
    Counts(k=1, n=90, K=1, N=100),  # every carrier is a hit (c = 0): infinite, +0.5 gave 0.35 < 1
    Counts(k=3, n=3, K=4, N=10),  # every hit carries it (b = 0): infinite
    Counts(k=2, n=5, K=7, N=10),  # every non-hit carries it (d = 0): ratio 0
], ids=["k0-large", "k0-small", "all-carriers-hit", "all-hits-carry", "all-nonhits-carry"])
def test_odds_ratio_and_ci_are_empty_when_a_cell_is_zero(counts):
    assert 0 in counts.table()
    assert odds_ratio(counts) is None
    assert odds_ratio_ci(counts) == (None, None)
    result = enrich({"x": counts})["x"]
    assert (result.odds_ratio, result.ci_low, result.ci_high) == (None, None, None)


def test_zero_count_keeps_p_one_and_fold_zero():
    counts = Counts(k=0, n=10, K=20, N=1000)
    result = enrich({"x": counts})["x"]
    assert result.p_value == 1.0
    assert fold_enrichment(counts) == 0.0


def test_odds_ratio_with_positive_cells_is_plain_and_ci_contains_it():
    # a=2 b=8 c=18 d=972 -> 2*972 / (8*18) = 13.5
    counts = Counts(k=2, n=10, K=20, N=1000)
    assert odds_ratio(counts) == pytest.approx(13.5)
    low, high = odds_ratio_ci(counts)
    assert low < 13.5 < high


def test_summary_rows_leave_or_empty_for_zero_count():
    fg = [rec(f"h{i}", f"H{i}", "CAF" if i < 3 else "") for i in range(6)]
    bg = fg + [rec(f"b{i}", f"B{i}", "CAF" if i < 3 else "TAM" if i < 12 else "") for i in range(40)]
    summary = summarize(fg, bg, min_size=1)
    tam = next(r for r in summary.rows if r.section == "cell_source" and r.category == "TAM")
    assert tam.count == 0 and tam.p_value == 1.0 and tam.fold_enrichment == 0.0
    assert (tam.odds_ratio, tam.odds_ratio_ci_low, tam.odds_ratio_ci_high) == (None, None, None)
    caf = next(r for r in summary.rows if r.section == "cell_source" and r.category == "CAF")
    assert caf.odds_ratio == pytest.approx((3 * 37) / (3 * 3))  # a=3 b=3 c=3 d=40-3

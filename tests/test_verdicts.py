"""Calibrated leaderless calls (prior, composition guards) and the signal-peptide vs signal-anchor band decision."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import SUBSET_FASTA, run_cli

from secannot.models.localization import BandRule, Localizer, h_region_length
from secannot.models.nonclassical import NonClassicalModel, composition_guard, prior_shift
from secannot.results import Record, Result

# A long, ordinary-looking cytosolic-like chain (no hydrophobic stretch, no motif), built here.
GLOBULAR = b"M" + b"SEKAQELRDNLGKTVEAIRGQDPKSLEENAKRLTEQ" * 8


def _result(seq: bytes, sp_prob: float = 0.01) -> Result:
    return Result(record=Record("x", "x", seq, "test", 1), sp_prob=sp_prob)


def test_prior_shift_is_bayes_rule_on_the_odds():
    logit = np.array([-2.0, 0.0, 3.0])
    same = prior_shift(logit, 0.38, 0.38)
    assert np.allclose(same, 1 / (1 + np.exp(-logit)))
    low, high = prior_shift(logit, 0.38, 0.02), prior_shift(logit, 0.38, 0.2)
    assert np.all(low < high) and np.all(np.diff(low) > 0)
    # odds scale by the ratio of the prior odds
    ratio = (low / (1 - low)) / (same / (1 - same))
    assert np.allclose(ratio, (0.02 / 0.98) / (0.38 / 0.62))


@pytest.mark.parametrize("prior", [0.0, 1.0, -0.1, 1.5])
def test_prior_outside_the_open_interval_is_refused(prior):
    with pytest.raises(ValueError, match="prior"):
        prior_shift(np.zeros(1), 0.38, prior)


def test_shipped_nc_model_states_its_prior_and_calibration():
    nc = NonClassicalModel.load()
    assert nc.prior == pytest.approx(0.02)
    assert 0.3 < nc.training_prior < 0.45  # OutCyte's mix
    seqs = [GLOBULAR]
    default = nc.score(seqs, np.zeros(1))
    assert nc.score(seqs, np.zeros(1), prior=0.5)[0] > default[0]
    assert nc.score(seqs, np.zeros(1), prior=nc.training_prior)[0] != pytest.approx(nc.raw_score(seqs, np.zeros(1))[0])


@pytest.mark.parametrize(("seq", "reason"), [
    (b"SEKAQELRDNLGKTVEAIRG" * 12, "fragment"),
    (b"M" + b"DPSCSCATGGSCTCAGSCKCKECKCTSCKKSCCSCCP" * 2, "Cys/Pro"),
    (b"MSSQQCKQPCQPPPVCPTPKCPEPCPPPKCPEPCPPPKCPQPC", "Cys/Pro"),
    (b"MAAAA", "too short"),
    (b"M" + b"GSEKAQ" * 8, "too short"),
])
def test_composition_guard_names_the_artefact(seq, reason):
    assert reason in composition_guard(seq)


def test_ordinary_protein_passes_the_guard():
    assert composition_guard(GLOBULAR) is None
    # Cys/Pro-rich but long: not guarded
    assert composition_guard(b"M" + b"CPSEKAQ" * 40) is None


def test_guarded_protein_is_never_called_by_score():
    loc = Localizer.load(nc_threshold=0.0)  # every score passes the threshold
    fragment, normal = _result(GLOBULAR[1:]), _result(GLOBULAR)
    loc.apply([fragment, normal])
    assert normal.localization == "non_classical_candidate" and normal.nc_basis == "score"
    assert fragment.localization == "intracellular"
    assert any("not used: fragment" in e for e in fragment.evidence)


def test_h_region_length():
    assert h_region_length(b"MKKLLLLALLAVAGSTRE") == 13
    assert h_region_length(b"MKDEKRDEKR") == 1
    assert h_region_length(b"M" + b"L" * 60) == 40  # only the first 40 residues count


def test_band_decisions():
    loc = Localizer.load()
    rule = BandRule()
    # a type II anchor with a K/R-rich cytoplasmic tail (with a 3-residue tail, MGKR..., the topology
    # network reads the stretch as half signal peptide, half helix: no anchor)
    anchor = _result(b"MSKKRPEDGSNKGKR" + b"LLIVLAVLLFVAILGLLLAVF" + b"KRSEDNGTQKPSEDRKQNGTSE" * 10, 0.6)
    peptide = _result(b"MKKTSLLAVALLGSASA" + b"QPRSEDNGTQKPSEDRKQNGTSE" * 10, 0.6)
    presequence = _result(b"MLRRSARLAGRAPRLSSRFYSSAASPEKRDNGTQKPSEDRKQNGTSE" * 5, 0.6)
    sure = _result(peptide.record.seq, 0.95)  # above the threshold: not in the band
    results = [anchor, peptide, presequence, sure]
    decisions = loc.band_decisions(results, [(24, 0.2), (17, 0.9), (20, 0.9), (17, 0.9)], sp_threshold=0.88)
    assert set(decisions) == {0, 1, 2}
    assert decisions[0][0] == "signal anchor"
    assert decisions[1][0] == "signal peptide" and peptide.cleavage_site == 17 and peptide.route == "classical"
    assert decisions[2][0] == "neither" and h_region_length(presequence.record.seq) < rule.h_min
    # the same protein with a weak cleavage site is neither
    weak = _result(peptide.record.seq, 0.6)
    assert loc.band_decisions([weak], [(17, 0.3)], 0.88)[0][0] == "neither" and weak.cleavage_site is None


def test_band_verdicts_through_apply():
    loc = Localizer.load()
    # a type II anchor with a K/R-rich cytoplasmic tail (with a 3-residue tail, MGKR..., the topology
    # network reads the stretch as half signal peptide, half helix: no anchor)
    anchor = _result(b"MSKKRPEDGSNKGKR" + b"LLIVLAVLLFVAILGLLLAVF" + b"KRSEDNGTQKPSEDRKQNGTSE" * 10, 0.6)
    peptide = _result(b"MKKTSLLAVALLGSASA" + b"QPRSEDNGTQKPSEDRKQNGTSE" * 10, 0.6)
    loc.apply([anchor, peptide], candidates=[(24, 0.2), (17, 0.9)], sp_threshold=0.88)
    assert anchor.localization == "membrane" and anchor.signal_anchor is not None
    assert anchor.evidence[0].startswith("uncertain SP band: signal anchor")
    assert peptide.localization == "secreted" and peptide.confidence == "low"
    assert peptide.evidence[0].startswith("uncertain SP band: signal peptide")


def test_nc_prior_option_changes_scores_and_provenance():
    fasta = SUBSET_FASTA
    default = run_cli(["predict", "-f", "json", fasta])
    shifted = run_cli(["predict", "-f", "json", "--nc-prior", "0.3", fasta])
    assert default.code == 0 and shifted.code == 0
    d, s = json.loads(default.out), json.loads(shifted.out)
    assert d["provenance"]["thresholds"]["nc_prior"] == pytest.approx(0.02)
    assert s["provenance"]["thresholds"]["nc_prior"] == pytest.approx(0.3)
    assert s["provenance"]["thresholds"]["overrides"]["nc_prior"] == pytest.approx(0.3)
    assert d["provenance"]["thresholds"]["sp_uncertain_band"]["cs_prob"] == BandRule().min_cs_prob
    pairs = [(a["nc_score"], b["nc_score"]) for a, b in zip(d["records"], s["records"], strict=True)
             if a["nc_score"] is not None]
    assert pairs and all(b > a for a, b in pairs)


@pytest.mark.parametrize("value", ["0", "1", "-0.5", "abc"])
def test_bad_nc_prior_is_a_usage_error(value):
    res = run_cli(["predict", "--nc-prior", value, SUBSET_FASTA])
    assert res.code == 2 and "--nc-prior" in res.err

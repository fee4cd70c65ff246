"""The numpy signal-peptide model: consistency properties that must hold for any weights."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from secannot.errors import ModelError
from secannot.models.signal_peptide import ORGANISMS, SignalPeptideModel, encode, normalise_organism

VEGFA = b"MNFLLSWVHWSLALLLYLHHAKWSQAAPMAEGGGQNHHEVVKFMDVYQRSYCHPIETLVDIFQEYPDEIEYIFKPSCVPLMRCGGCCNDEG"
GAPDH = b"MGKVKVGVNGFGRIGRLVTRAAFNSGKVDIVAINDPFIDLNYMVYMFQYDSTHGKFHGTVKAENGKLVINGNPITIFQERDPSKIKWGDAG"


@pytest.fixture(scope="module")
def model() -> SignalPeptideModel:
    return SignalPeptideModel.load()


def random_proteins(n: int, seed: int = 3) -> list[bytes]:
    rng = random.Random(seed)
    return [bytes(rng.choices(b"ACDEFGHIKLMNPQRSTVWY", k=rng.randint(1, 300))) for _ in range(n)]


def test_metadata_names_the_model_and_its_thresholds(model):
    assert model.name == "secannot-sp" and model.version
    assert set(model.thresholds) == set(ORGANISMS)
    assert all(0.0 < t < 1.0 for t in model.thresholds.values())


def test_a_protein_gets_the_same_call_alone_or_in_any_batch(model):
    seqs = random_proteins(300) + [VEGFA, GAPDH]
    together = model.predict(seqs)
    for i in (0, 57, 128, 299, 300, 301):
        alone = model.predict([seqs[i]])
        assert alone.sp_prob[0] == pytest.approx(together.sp_prob[i], abs=1e-5)
        assert alone.cleavage[0] == together.cleavage[i]


def test_probabilities_and_cleavage_sites_are_consistent(model):
    seqs = random_proteins(200) + [VEGFA, GAPDH]
    calls = model.predict(seqs, positions=True, screen=False)
    assert np.all((calls.sp_prob >= 0) & (calls.sp_prob <= 1))
    assert np.allclose(calls.type_probs.sum(axis=1), 1.0, atol=1e-4)
    lengths = np.array([len(s) for s in seqs])
    has = calls.cleavage > 0
    assert np.all(calls.cleavage[has] < lengths[has])  # a mature chain always remains
    # eukaryotes have no other signal type, so the call is exactly sp_prob >= threshold
    assert np.array_equal(has, calls.sp_prob >= model.thresholds["eukarya"])
    # per-residue P(inside) falls from the N-terminus and starts at P(signal peptide)
    pos = calls.position_probs
    assert np.all(np.diff(pos[:, :69], axis=1) <= 1e-5)
    assert np.allclose(pos[:, 0], calls.type_probs[:, 1], atol=1e-4)


@pytest.mark.parametrize("threshold", [0.2, 0.95])
def test_the_decision_threshold_comes_from_the_model_file(model, tmp_path, threshold):
    from importlib import resources

    base = resources.files("secannot") / "data"
    meta = json.loads((base / "sp_model.json").read_text(encoding="utf-8"))
    meta["decision_threshold"] = dict(meta["decision_threshold"], eukarya=threshold)
    (tmp_path / "m.npz").write_bytes((base / "sp_model.npz").read_bytes())
    (tmp_path / "m.json").write_text(json.dumps(meta), encoding="utf-8")
    moved = SignalPeptideModel.load(tmp_path / "m.npz")
    seqs = random_proteins(300, seed=11) + [VEGFA, GAPDH]
    calls = moved.predict(seqs, screen=False)
    assert np.array_equal(calls.cleavage > 0, calls.sp_prob >= threshold)
    assert ((calls.sp_prob >= 0.2) & (calls.sp_prob < 0.95)).any()  # the two thresholds call differently
    assert np.allclose(calls.sp_prob, model.predict(seqs, screen=False).sp_prob)


def test_textbook_signal_peptide_and_cytosolic_enzyme(model):
    calls = model.predict([VEGFA, GAPDH])
    assert calls.sp_prob[0] > 0.9 and 20 <= calls.cleavage[0] <= 30  # UniProt: signal 1-26
    assert calls.sp_prob[1] < 0.1 and calls.cleavage[1] == 0


def test_tiny_sequences_cannot_carry_a_signal_peptide(model):
    calls = model.predict([b"M", b"MK", b"LLLLLLLLLL"])
    assert list(calls.cleavage[:2]) == [0, 0]
    assert np.all(np.isfinite(calls.sp_prob))


def test_screened_sequences_report_the_screen_probability(model):
    seqs = random_proteins(300)
    screened = model.predict(seqs)
    full = model.predict(seqs, screen=False)
    exited = screened.screened
    assert exited.any() and not exited.all()
    # the early exit never hides a predicted signal peptide of the full model
    assert not np.any(exited & (full.cleavage > 0))
    assert np.all(screened.cleavage[exited] == 0)
    limit = model.screen_thresholds["eukarya"]
    assert np.all(screened.sp_prob[exited] < limit)


def test_rare_residues_are_encoded_like_their_relatives():
    tok, lengths = encode([b"U", b"C", b"O", b"K", b"X", b"B"])
    assert tok[0, 0] == tok[1, 0] and tok[2, 0] == tok[3, 0]
    assert tok[4, 0] == tok[5, 0] == 21
    assert list(lengths) == [1] * 6


def test_organism_names():
    assert normalise_organism("Gram+") == "gram-positive"
    assert normalise_organism("euk") == "eukarya"
    with pytest.raises(ModelError):
        normalise_organism("plants")


def test_unusable_model_files_are_model_errors(tmp_path):
    bad = tmp_path / "m.npz"
    bad.write_bytes(b"not an npz")
    with pytest.raises(ModelError):
        SignalPeptideModel.load(bad)


def test_a_future_model_format_is_refused(tmp_path, model):
    np.savez(tmp_path / "m.npz", x=np.zeros(1))
    (tmp_path / "m.json").write_text(json.dumps({"format": 99}))
    with pytest.raises(ModelError, match="format 99"):
        SignalPeptideModel.load(tmp_path / "m.npz")

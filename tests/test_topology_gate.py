"""The learned protein-level gate of the TM-helix decoder (secannot/models/topology_gate.py)."""

from __future__ import annotations

import dataclasses
import json
import math
import random
from importlib import resources

import numpy as np
import pytest
from helpers import GAPDH, designed

from secannot.models.topology_decode import TopologyPredictor
from secannot.models.topology_gate import END_WINDOW, FEATURES, ProteinGate, features, fit_logistic


def random_protein(rng: random.Random) -> tuple[list[tuple[int, int]], list[float], int]:
    length = rng.randint(60, 3000)
    segs, at = [], rng.randint(0, 40)
    while at + 40 < length and len(segs) < 12:
        h = rng.randint(10, 35)
        segs.append((at, at + h))
        at += h + rng.randint(2, 200)
    if not segs:
        segs = [(0, min(20, length))]
    return segs, [rng.uniform(-20, 80) for _ in segs], length


def test_the_unrolled_logit_is_the_weighted_sum_of_the_features():
    rng = random.Random(3)
    gate = ProteinGate(tuple(rng.uniform(-2, 2) for _ in FEATURES), rng.uniform(-5, 5), 0.0)
    for _ in range(300):
        segs, scores, length = random_protein(rng)
        for k in (1, len(segs)):  # the single-helix shortcut and the general case
            want = gate.bias + sum(w * x for w, x in zip(gate.weights, features(segs[:k], scores[:k], length),
                                                         strict=True))
            assert gate.logit(segs[:k], scores[:k], length) == pytest.approx(want, rel=1e-12, abs=1e-9)


def test_features_describe_the_best_helix():
    segs, scores = [(5, 25), (100, 122), (400, 418)], [12.0, 30.0, -3.0]
    f = dict(zip(FEATURES, features(segs, scores, 430), strict=True))
    assert f["best_score"] == 30.0 and f["best_length"] == 22 and f["best_mean"] == pytest.approx(30 / 22)
    assert f["log1p_other"] == pytest.approx(math.log(13.0))  # the negative helix adds nothing
    assert f["log_count"] == pytest.approx(math.log(3)) and f["log_length"] == pytest.approx(math.log(430))
    assert f["best_n_terminal"] == 0.0 and f["best_c_terminal"] == 0.0
    ends = dict(zip(FEATURES, features([(END_WINDOW - 1, 60)], [9.0], 60 + END_WINDOW - 1), strict=True))
    assert ends["best_n_terminal"] == 1.0 and ends["best_c_terminal"] == 1.0


def test_features_need_a_helix():
    with pytest.raises(ValueError, match="at least one"):
        features([], [], 100)


def test_the_cut_decides():
    segs, scores, length = [(50, 72)], [20.0], 300
    gate = ProteinGate(tuple(0.1 for _ in FEATURES), -1.0, 0.0)
    value = gate.logit(segs, scores, length)
    assert dataclasses.replace(gate, cut=value - 1e-6).keeps(segs, scores, length)
    assert not dataclasses.replace(gate, cut=value + 1e-6).keeps(segs, scores, length)


@pytest.mark.parametrize("bad", [{"features": list(FEATURES[:-1]), "weights": [0.0] * 7, "bias": 0, "cut": 0},
                                 {"features": list(FEATURES), "weights": [0.0] * 7, "bias": 0, "cut": 0},
                                 {"features": list(FEATURES), "weights": [0.0] * 8, "cut": 0}])
def test_a_malformed_gate_is_refused(bad):
    with pytest.raises((ValueError, KeyError)):
        ProteinGate.from_dict(bad)


def test_a_gate_survives_its_json_form():
    gate = ProteinGate(tuple(float(k) - 3.5 for k in range(len(FEATURES))), 1.25, -0.5)
    assert ProteinGate.from_dict(json.loads(json.dumps(gate.to_dict()))) == gate


def test_logistic_fit_recovers_the_direction_and_the_units():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4000, 3))
    y = (rng.random(4000) < 1 / (1 + np.exp(-(2.0 * x[:, 0] - 1.0 * x[:, 1] + 0.5)))).astype(float)
    w, b = fit_logistic(x, y, l2=0.0)
    assert w[0] == pytest.approx(2.0, abs=0.25) and w[1] == pytest.approx(-1.0, abs=0.2)
    assert abs(w[2]) < 0.2 and b == pytest.approx(0.5, abs=0.2)
    # weights act on raw features: a feature in other units gets the weight in those units
    w10, b10 = fit_logistic(x * np.array([10.0, 1.0, 1.0]), y, l2=0.0)
    assert w10[0] == pytest.approx(w[0] / 10, rel=1e-6) and b10 == pytest.approx(b, rel=1e-6)


def test_a_ridge_shrinks_the_weights():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 2))
    y = (x[:, 0] + 0.3 * rng.normal(size=300) > 0).astype(float)
    assert abs(fit_logistic(x, y, l2=100.0)[0][0]) < abs(fit_logistic(x, y, l2=0.1)[0][0])


def test_logistic_fit_needs_both_classes():
    with pytest.raises(ValueError, match="both classes"):
        fit_logistic(np.ones((5, 2)), np.ones(5))


def with_gate(model: TopologyPredictor, gate: ProteinGate | None, floor: float = -1e9) -> TopologyPredictor:
    return TopologyPredictor(model.net, model.window, dataclasses.replace(model.params, protein_gate=gate,
                                                                          gate=floor))


def test_the_decoder_applies_the_gate(topology_model):
    seqs = [designed(n).encode() for n in (1, 3)] + [GAPDH.encode()]
    free = with_gate(topology_model, None).predict(seqs)
    assert [c.count for c in free[:2]] == [1, 3]
    shut = with_gate(topology_model, ProteinGate(tuple(0.0 for _ in FEATURES), -1.0, 0.0)).predict(seqs)
    assert all(c.count == 0 and c.score == 0.0 for c in shut)
    open_ = with_gate(topology_model, ProteinGate(tuple(0.0 for _ in FEATURES), 1.0, 0.0)).predict(seqs)
    assert open_ == free


def test_the_score_floor_comes_before_the_learned_gate(topology_model):
    seq = designed(1).encode()
    best = with_gate(topology_model, None).predict([seq])[0].score
    always = ProteinGate(tuple(0.0 for _ in FEATURES), 1.0, 0.0)
    assert with_gate(topology_model, always, floor=best - 0.01).predict([seq])[0].count == 1
    assert with_gate(topology_model, always, floor=best + 0.01).predict([seq])[0].count == 0


def test_the_shipped_gate_keeps_designed_membrane_proteins_and_drops_gapdh(topology_model):
    assert topology_model.params.protein_gate is not None
    calls = topology_model.predict([designed(n).encode() for n in (1, 2, 5)] + [GAPDH.encode()], signal_peptide=False)
    assert [c.count for c in calls] == [1, 2, 5, 0]


def test_the_shipped_file_records_how_each_folds_gate_was_fitted():
    data = json.loads((resources.files("secannot") / "data" / "topology_net.json").read_text(encoding="utf-8"))
    assert data["protein_gate"]["features"] == list(FEATURES)
    for entry in data["meta"]["cv"]:
        ProteinGate.from_dict(entry["protein_gate"])  # each fold's own gate, fitted without the fold
    assert "protein_gate_fit" in data["meta"]


def test_an_offset_holds_a_weight_fixed_while_the_rest_is_fitted():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4000, 2))
    y = (rng.random(4000) < 1 / (1 + np.exp(-(1.5 * x[:, 0] - 2.0 * x[:, 1])))).astype(float)
    w, _ = fit_logistic(x[:, :1], y, l2=0.0, offset=-2.0 * x[:, 1])
    assert w[0] == pytest.approx(1.5, abs=0.2)
    # a constant shift of the offset goes to the bias; the fit starts where every probability is ~0.0003 and
    # still converges (step halving)
    w_far, b_far = fit_logistic(x[:, :1], y, l2=0.0, offset=-2.0 * x[:, 1] - 8.0)
    assert w_far[0] == pytest.approx(1.5, abs=0.2) and b_far == pytest.approx(8.0, abs=0.5)


def test_the_length_term_stops_at_the_longest_training_chain(topology_model):
    """Past the longest chain the gate was fitted on, chain length adds no more doubt: a clear single helix in a
    very long polar chain is kept (the extrapolated term vetoed it from ~20,000 residues on)."""
    from secannot.models.topology_gate import LENGTH_CAP

    rng = random.Random(3)
    polar = "".join(rng.choice("SEKTQDNRGPA") for _ in range(5 * LENGTH_CAP))
    model = topology_model
    for length in (LENGTH_CAP // 2, 2 * LENGTH_CAP, 5 * LENGTH_CAP):
        seq = (polar[:400] + "KRK" + "LLIVALLAVGLLIAVLFAVLLG" + "KRK" + polar[400:length]).encode()
        assert model.predict([seq], signal_peptide=True)[0].count == 1, length
    gate = model.params.protein_gate
    assert gate.logit([(400, 422)], [30.0], LENGTH_CAP) == gate.logit([(400, 422)], [30.0], 10 * LENGTH_CAP)

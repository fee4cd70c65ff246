"""The topology network and its decoder (secannot/models/topology_net.py, topology_decode.py)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from helpers import GAPDH, HELICES, LOOPS_OUT, designed

from secannot.models.topology import find_segments
from secannot.models.topology_decode import TopologyPredictor
from secannot.models.topology_net import ARCH, GAP, HALF_FIELD, PAD, TopologyNet, codes_of, log_softmax


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7])
def test_a_designed_multipass_protein_gets_every_helix(topology_model, n):
    assert topology_model.predict([designed(n).encode()])[0].count == n


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7])
def test_a_designed_multipass_protein_follows_the_positive_inside_rule(topology_model, n):
    call = topology_model.predict([designed(n).encode()])[0]
    # the N-terminal loop is K/R-rich: inside (positive-inside rule), then the sides alternate
    assert [h.orientation for h in call.helices] == [("in->out", "out->in")[k % 2] for k in range(n)]


def test_a_hairpin_without_a_loop_is_two_helices(topology_model):
    seq = "MSKKRPEDGSNK" + HELICES[0] + "GP" + HELICES[1] + "KRSEEKKDGE"
    assert topology_model.predict([seq.encode()])[0].count == 2


def loops(call) -> list[int]:
    return [b.start - a.end - 1 for a, b in zip(call.helices, call.helices[1:], strict=False)]


def test_a_hairpin_run_cut_in_two_leaves_a_loop(topology_model):
    # two helices with nothing between them: one long run, cut at its weakest point with min_loop residues of loop
    seq = "MSKKRPEDGSNK" + HELICES[0] + HELICES[1] + "KRSEEKKDGE"
    call = topology_model.predict([seq.encode()])[0]
    assert call.count == 2
    assert loops(call) and min(loops(call)) >= topology_model.params.min_loop >= 2


def test_poly_leucine_helices_never_touch(topology_model):
    call = topology_model.predict([("M" + "L" * 500).encode()])[0]
    assert call.count > 10
    assert min(loops(call)) >= topology_model.params.min_loop


def test_cut_pieces_and_close_runs_keep_a_loop(topology_model):
    p = np.full(120, 0.01, dtype=np.float32)
    p[5:75] = 0.9  # 70 residues: cut into three helices
    p[40] = 0.5
    p[76:100] = 0.9  # a separate run one residue after the first: a merge refused by helix_max
    segs = topology_model.segments(p)
    assert all(b[0] - a[1] >= topology_model.params.min_loop for a, b in zip(segs, segs[1:], strict=False))
    assert all(y - x >= topology_model.params.helix_min for x, y in segs)
    assert len(segs) == 4


@pytest.mark.parametrize("n_term", ["MSKRRKEPTSDKRQKSPRKE", "MRKKRSAGSNK", "MKRRLSQ"])
def test_a_type_ii_signal_anchor_with_a_positive_n_terminus_is_n_in(topology_model, n_term):
    # positive-inside rule (von Heijne 1989): K/R-rich N-terminal tail, polar acidic C-terminal domain
    seq = n_term + HELICES[0] + (LOOPS_OUT[0] + LOOPS_OUT[1] + LOOPS_OUT[2]) * 5
    call = topology_model.predict([seq.encode()], signal_peptide=False)[0]
    assert call.count == 1 and call.n_terminus == "in" and call.helices[0].orientation == "in->out"


def test_positive_inside_counts_flanks_and_the_helix_ends(topology_model):
    # one helix at 10-30 (0-based half-open): N-side tail and 6 helix residues vs C-side 15 + 6 helix residues
    seq = b"KKKDAAAAA" + b"RAAAAAAAAAAAAAAAAAAAK" + b"DDAAAAAAAAAAAAAAAKKKK"
    q = topology_model.params
    n_side = 3 - q.acidic * 1 + 1  # KKK, D, R at the helix start (within kr_into)
    c_side = 1 - q.acidic * 2  # K at the helix end, DD; the KKKK lie past kr_flank
    assert topology_model.positive_inside(seq, [(9, 30)]) == pytest.approx(n_side - c_side)


#: a residue in the middle of each type II protein's N-terminal hydrophobic stretch (read off the sequence: B3GNT5
#: 15-31, B3GALT2 27-43, HS2ST1 14-27, XYLT2 16-35), which the first helix, the anchor, must cover
HUMAN_TYPE_II = {"B3GN5_HUMAN": 22, "B3GT2_HUMAN": 35, "HS2ST_HUMAN": 20, "XYLT2_HUMAN": 25}


def test_human_type_ii_anchors_are_n_in(topology_model):
    from helpers import SHARED

    path = SHARED / "data" / "proteomes" / "human_UP000005640_first1000.fasta"
    if not path.is_file():
        pytest.skip(f"needs the shared data ({path})")
    seqs, name = {}, None
    for line in path.read_text().splitlines():
        if line.startswith(">"):
            name = line[1:].split()[0].split("|")[-1]
            seqs[name] = []
        else:
            seqs[name].append(line.strip())
    for name, core in HUMAN_TYPE_II.items():
        call = topology_model.predict(["".join(seqs[name]).encode()], signal_peptide=False)[0]
        assert call.helices[0].start <= core <= call.helices[0].end and call.n_terminus == "in", name


def test_a_soluble_protein_gets_no_helix(topology_model):
    assert topology_model.predict([GAPDH.encode()], signal_peptide=False)[0].count == 0


def test_a_short_hydrophobic_stretch_in_a_polar_region_is_not_a_helix(topology_model):
    # 8 hydrophobic residues replace a polar stretch of GAPDH.  Known limit: where the insertion joins
    # hydrophobic neighbours into a 17-20 residue stretch (e.g. at 60, 150, 300) the network calls a helix.
    for pos in (100, 250):
        seq = GAPDH[:pos] + "LLVAILAL" + GAPDH[pos + 8:]
        assert topology_model.predict([seq.encode()])[0].count == 0, pos


def test_calls_do_not_depend_on_the_batch(topology_model):
    seqs = [designed(n).encode() for n in (1, 3, 5, 7)] + [GAPDH.encode(), b"MKT", b"", b"LLLLLLLLLLLLLLLLLLLLLLL"]
    seqs += [GAPDH[:120].encode() + h.encode() + GAPDH[120:].encode() for h in HELICES[:3]]
    alone = [topology_model.predict([s])[0] for s in seqs]
    order = list(range(len(seqs)))
    random.Random(7).shuffle(order)
    shuffled = topology_model.predict([seqs[i] for i in order])
    assert [shuffled[order.index(i)] for i in range(len(seqs))] == alone
    assert topology_model.predict(seqs) == alone


def test_cropping_to_zones_equals_the_whole_chain_network(topology_model):
    seqs = [designed(5).encode(), (GAPDH[:120] + HELICES[2] + GAPDH[120:]).encode(), GAPDH.encode()]
    for sp in (True, False):
        assert topology_model.predict(seqs, signal_peptide=sp) == topology_model.predict(seqs, signal_peptide=sp,
                                                                                         zones="check")


def test_zones_from_the_window_detector_pass_are_the_models_own(topology_model):
    seqs = [designed(3).encode(), (GAPDH[:120] + HELICES[2] + GAPDH[120:]).encode(), GAPDH.encode(), b""]
    plain = find_segments(topology_model.window, seqs)
    topo = find_segments(topology_model.window, seqs, topology_model.zone_args)
    assert [(t.segments, t.max_logit) for t in topo] == [(t.segments, t.max_logit) for t in plain]
    assert all(t.zones == () for t in plain) and topo[0].zones and topo[-1].zones == ()
    given = [list(t.zones) for t in topo]
    assert (topology_model.predict(seqs, signal_peptide=False, zones=given)
            == topology_model.predict(seqs, signal_peptide=False))
    # no zone, no helix: a designed 3-pass protein given empty zones
    assert (topology_model.predict(seqs[:1], zones=[[]])[0].count
            == 0 < topology_model.predict(seqs[:1], zones=given[:1])[0].count)


def test_joined_chains_separated_by_padding_keep_their_own_numbers(topology_model):
    a, b = codes_of(designed(2).encode()), codes_of(GAPDH.encode())
    rng = np.random.default_rng(3)
    others = [rng.integers(0, 20, n) for n in (5, 700, 1333, 2900)]  # batches of many sizes and BLAS shapes
    for other in others:
        joined = topology_model.net.logits(np.concatenate([other, np.full(GAP, PAD), a, np.full(GAP, PAD), b]))
        start = len(other) + GAP
        # bit for bit, not approximately: a helix boundary is a threshold on these numbers
        assert np.array_equal(joined[start : start + len(a)], topology_model.net.logits(a))
        assert np.array_equal(joined[start + len(a) + GAP :], topology_model.net.logits(b))


def test_a_residue_sees_only_its_receptive_field(topology_model):
    seq = codes_of((GAPDH + designed(3)).encode())
    full = topology_model.net.logits(seq)
    changed = seq.copy()
    changed[200] = (changed[200] + 5) % 20
    diff = np.abs(topology_model.net.logits(changed) - full).max(axis=1) > 0
    assert diff[200] and not diff[: 200 - HALF_FIELD].any() and not diff[200 + HALF_FIELD + 1:].any()


def test_probabilities_are_normalised(topology_model):
    lp = log_softmax(topology_model.net.logits(codes_of(designed(2).encode())))
    np.testing.assert_allclose(np.exp(lp).sum(axis=1), 1.0, atol=1e-5)


def test_helix_score_prefers_an_anchor_over_a_polar_stretch(topology_model):
    seq = ("MKRK" + HELICES[0] + GAPDH[:100]).encode()
    assert topology_model.helix_score(seq, 5, 25) > 0 > topology_model.helix_score(seq, 40, 60)


def test_residue_scores_from_logits_match_the_softmax(topology_model):
    # the decoder's scores come from the logits without a softmax: the same probabilities and log-odds
    z = topology_model.net.class_logits(codes_of((designed(3) + GAPDH).encode()))
    lp = log_softmax(z.T.astype(np.float64))
    for sp_state in (True, False):
        p = np.exp(lp[:, 2]) + (0 if sp_state else np.exp(lp[:, 3]))
        sc = topology_model.residue_scores(z, sp_state, helix_only=True)
        np.testing.assert_allclose(sc[0], p, atol=1e-5)
        q = np.clip(p, 1e-6, 1 - 1e-6)
        np.testing.assert_allclose(sc[1], np.clip(np.log(q / (1 - q)), -4, 4), atol=1e-3)
        np.testing.assert_allclose(sc[2], lp[:, 0] - lp[:, 1], atol=1e-4)
        np.testing.assert_allclose(sc[3], np.clip(lp[:, 2] - np.log1p(-np.exp(lp[:, 2])), -4, 4), atol=1e-3)


def test_band_helix_rows_give_the_helix_score_of_a_whole_chain_run(topology_model):
    # the band rule sums helix log-odds from the decoding pass instead of a second network run per protein
    from secannot.models.topology_decode import helix_score_of

    seqs = [("MKRK" + HELICES[k] + GAPDH[: 60 + 40 * k]).encode() for k in range(4)] + [designed(3).encode()]
    zones = topology_model.zones(seqs)
    checked = 0
    for seq, z, (call, row) in zip(seqs, zones, topology_model.predict_with_helix_rows(seqs, zones), strict=True):
        assert call == topology_model.predict([seq], signal_peptide=False, zones=[z])[0]
        for h in call.helices:
            if any(a < h.start and h.end <= b for a, b in z):  # inside one zone
                assert helix_score_of(row, h.start, h.end) == pytest.approx(
                    topology_model.helix_score(seq, h.start, h.end), abs=1e-9)
                checked += 1
    assert checked >= 5


def varied(seed: int, n: int) -> list[bytes]:
    """Random chains with 0 to 9 hydrophobic stretches (some back to back, some long) between polar or charged
    loops: proteins that cut, trim, merge and gate helices in every way the decoder can."""
    rng = random.Random(seed)
    polar, loop = "DEKRSTNQGP", "DEKRSTNQGPAL"
    out = []
    for _ in range(n):
        seq = "".join(rng.choice(polar) for _ in range(rng.randint(0, 40)))
        for _ in range(rng.randint(0, 9)):
            seq += rng.choice(HELICES)[: rng.randint(8, 21)] * rng.choice((1, 1, 1, 2))
            seq += "".join(rng.choice(loop) for _ in range(rng.choice((0, 1, 2, 3, 6, 12, 30))))
        out.append((seq + "".join(rng.choice(polar) for _ in range(rng.randint(0, 40)))).encode())
    return out


@pytest.mark.parametrize("change", [{}, {"side_flank": 0}, {"acidic": 0.3, "kr_into": 3, "kr_flank": 7},
                                    {"min_loop": 0, "merge_gap": 6, "threshold": 0.6}, {"gate": -1e9},
                                    {"kr_weight": 0.0, "protein_gate": None}, {"threshold": -0.1}])
def test_batched_decoding_gives_the_numbers_of_one_protein_at_a_time(topology_model, change):
    # predict decodes a batch from its zones' scores (no full-length row per protein); every call must be the one
    # decode gives from that protein's full rows, to the last bit of every score (zones split in two included:
    # a run across two touching zones is one run)
    import dataclasses

    tp = TopologyPredictor(topology_model.net, topology_model.window,
                           dataclasses.replace(topology_model.params, **change))
    seqs = varied(1, 150) + [designed(n).encode() for n in (1, 4, 7)] + [GAPDH.encode(), b"", b"MKT"]
    zones = tp.zones(seqs)
    halves = [[h for a, b in zs for h in ((a, (a + b) // 2), ((a + b) // 2, b))] for zs in zones]
    for given in (zones, halves):
        for sp in (True, False):
            for start in (None, "out"):
                alone = [tp.decode(sc, start, s) for sc, s in zip(tp.zone_scores(seqs, given, sp), seqs, strict=True)]
                assert tp.predict(seqs, sp, start, given) == alone
    assert sum(c.count for c in tp.predict(seqs, zones=zones)) > 300


def test_positive_inside_of_a_batch_is_that_of_each_protein(topology_model):
    import dataclasses

    from secannot.models.topology_batch import positive_inside

    rng = random.Random(3)
    for change in ({}, {"acidic": 0.3, "kr_into": 4, "kr_flank": 5}, {"kr_into": 0, "acidic": 0.0}):
        tp = TopologyPredictor(topology_model.net, topology_model.window,
                               dataclasses.replace(topology_model.params, **change))
        seqs, segs = [], []
        for _ in range(200):
            seq = bytes(rng.choice(b"KRDEAL") for _ in range(rng.randint(30, 300)))
            cuts = sorted(rng.sample(range(len(seq) + 1), 2 * rng.randint(1, min(8, len(seq) // 4))))
            seqs.append(seq)
            segs.append([(a, b) for a, b in zip(cuts[0::2], cuts[1::2], strict=True) if b > a] or [(0, 1)])
        q = tp.params
        assert positive_inside(seqs, segs, q.kr_flank, q.kr_into, q.acidic) == [
            tp.positive_inside(s, sg) for s, sg in zip(seqs, segs, strict=True)]


def test_zone_scores_of_a_batch_of_many_passes_are_each_chains_own(topology_model):
    # the crops of a call are laid out once and cut into passes of about CHUNK residues: every chain's scores
    # must be those of a call on that chain alone
    from secannot.models.topology_batch import CHUNK

    seqs = varied(2, 120)
    zones = topology_model.zones(seqs)
    assert sum(len(s) for s, z in zip(seqs, zones, strict=True) if z) > 4 * CHUNK
    for sp in (True, False):
        batch = topology_model.zone_scores(seqs, zones, sp, helix_only=True)
        for s, z, sc in zip(seqs, zones, batch, strict=True):
            alone = topology_model.zone_scores([s], [z], sp, helix_only=True)[0]
            assert (sc is None and alone is None) or np.array_equal(sc, alone)


def deeper(net: TopologyNet, dilation: int) -> TopologyNet:
    """``net`` with a fourth residual layer (kernel 9, ``dilation``) of small random weights: helices still
    called, a wider receptive field."""
    rng = np.random.default_rng(5)
    ch = net.conv_w[1].shape[0]
    w4 = (rng.standard_normal((ch, ch, 9)) * 0.05).astype(np.float32)
    return TopologyNet(net.emb, (*net.conv_w, w4), (*net.conv_b, np.zeros(ch, np.float32)), net.out_w, net.out_b,
                       {**ARCH, "k4": 9, "d4": dilation})


def test_a_file_without_an_architecture_has_the_2_2_0_layers(topology_model, tmp_path):
    assert topology_model.net.arch == ARCH and topology_model.net.half_field == HALF_FIELD == 30
    topology_model.net.save(tmp_path / "net.npz")
    with np.load(tmp_path / "net.npz") as d:
        assert "arch" not in d.files
    again = TopologyNet.load(str(tmp_path / "net.npz"))
    seq = codes_of((GAPDH + designed(3)).encode())
    assert np.array_equal(again.class_logits(seq), topology_model.net.class_logits(seq))


def test_a_stored_architecture_sets_the_layers_and_the_receptive_field(topology_model, tmp_path):
    deeper(topology_model.net, 4).save(tmp_path / "net.npz")
    net = TopologyNet.load(str(tmp_path / "net.npz"))
    assert (net.arch["d4"], net.half_field, net.gap) == (4, 30 + 16, 17)
    seq = codes_of((GAPDH + designed(3)).encode())
    changed = seq.copy()
    changed[200] = (changed[200] + 5) % 20
    diff = np.abs(net.logits(changed) - net.logits(seq)).max(axis=1) > 0
    # the change reaches past 2.2.0's 30 residues, and no further than the stored architecture's field
    assert diff[200 + 40] and diff[200 - 40]
    assert not diff[: 200 - net.half_field].any() and not diff[200 + net.half_field + 1:].any()


def test_zones_of_a_wider_network_get_its_own_context(topology_model):
    wide = TopologyPredictor(deeper(topology_model.net, 4), topology_model.window, topology_model.params)
    seqs = [designed(5).encode(), (GAPDH[:120] + HELICES[2] + GAPDH[120:]).encode(), GAPDH.encode()]
    calls = wide.predict(seqs)
    assert calls[0].count == 5
    assert calls == wide.predict(seqs, zones="check")
    z = wide.zones(seqs)
    # the whole-chain numbers inside the zones, bit for bit (crops padded with 2.2.0's 30 residues would differ)
    for i, s in enumerate(seqs):
        full = wide.residue_scores(wide.net.class_logits(codes_of(s)), True)
        got = wide.zone_scores(seqs, z)[i]
        for a, b in z[i]:
            if got is not None:
                assert np.array_equal(got[:, a:b], full[:, a:b])


def test_two_joined_chains_need_the_wider_networks_gap(topology_model):
    net = deeper(topology_model.net, 4)
    a, b = codes_of(designed(2).encode()), codes_of(GAPDH.encode())
    joined = net.logits(np.concatenate([a, np.full(net.gap, PAD), b]))
    assert np.array_equal(joined[: len(a)], net.logits(a))
    assert np.array_equal(joined[len(a) + net.gap:], net.logits(b))

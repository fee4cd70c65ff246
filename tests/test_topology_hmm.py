"""The membrane-topology HMM on sequences whose topology is known by construction or from UniProt."""

from __future__ import annotations

import numpy as np
import pytest

from secannot.models.topology_hmm import TopologyHMM

LOOP_IN = b"MSKRKDNEKSKRPQEDKGSNKRKTEDSRKPE"  # polar, K/R-rich: a cytoplasmic loop
LOOP_OUT = b"GSNDTQEGSPNDYTGSEQNGTDSGYPNETQS"  # polar, no K/R: an extracellular loop
HELIX = b"LIVALLFGAVLLILAVAFIGL"  # 21 hydrophobic residues


@pytest.fixture(scope="module")
def hmm() -> TopologyHMM:
    return TopologyHMM.load()


def test_polar_protein_has_no_helix(hmm):
    (call,) = hmm.predict([LOOP_IN * 6])
    assert call.helices == ()


def test_two_pass_protein_gets_two_helices_with_opposite_orientations(hmm):
    seq = LOOP_IN + HELIX + LOOP_OUT + HELIX[::-1] + LOOP_IN
    (call,) = hmm.predict([seq])
    assert call.count == 2
    first, second = call.helices
    assert first.orientation == "in->out" and second.orientation == "out->in"
    # each predicted helix lies on its hydrophobic stretch
    h1 = len(LOOP_IN) + 1
    h2 = h1 + len(HELIX) + len(LOOP_OUT)
    assert abs(first.start - h1) <= 4 and abs(second.start - h2) <= 4


def test_hairpin_longer_than_one_helix_is_split(hmm):
    """A 46-residue hydrophobic stretch cannot be one helix (36 at most): it is two."""
    seq = LOOP_IN + HELIX + b"NPDG" + HELIX + LOOP_IN
    (call,) = hmm.predict([seq])
    assert call.count == 2


def test_batch_order_and_lengths_do_not_change_calls(hmm):
    seqs = [LOOP_IN * 3, LOOP_IN + HELIX + LOOP_OUT, LOOP_IN + HELIX + LOOP_OUT + HELIX + LOOP_IN, b"MKT"]
    alone = [hmm.predict([s])[0] for s in seqs]
    together = hmm.predict(seqs[::-1])[::-1]
    assert [c.helices for c in alone] == [c.helices for c in together]


def test_prefilter_changes_nothing_on_these_sequences(hmm):
    seqs = [LOOP_IN * 4, LOOP_IN + HELIX + LOOP_OUT + HELIX + LOOP_IN, LOOP_OUT + HELIX + LOOP_IN]
    assert [c.helices for c in hmm.predict(seqs)] == [c.helices for c in hmm.predict(seqs, prefilter=False)]


def test_fixed_start_side_sets_the_orientation(hmm):
    """A mature chain after a cleaved signal peptide starts outside: its single helix runs out->in."""
    seq = LOOP_OUT + HELIX + LOOP_IN
    (call,) = hmm.predict([seq], start="out")
    assert [h.orientation for h in call.helices] == ["out->in"]
    (call,) = hmm.predict([seq], start="in")
    assert [h.orientation for h in call.helices] == ["in->out"]


def test_batches_cover_every_sequence_once_in_order_and_respect_the_budget():
    from secannot.models.topology_viterbi import plan_batches

    rng = np.random.default_rng(1)
    lengths = sorted(int(x) for x in rng.integers(14, 3000, 500))
    budget = 40_000
    batches = plan_batches(lengths, budget)
    assert [i for a, b in batches for i in range(a, b)] == list(range(len(lengths)))
    assert all(b - a == 1 or lengths[b - 1] * (b - a) <= budget for a, b in batches)


def test_segment_table_matches_the_segment_model_definition(hmm):
    """Every helix score is table[bin of the exact mean hydropathy, capped charge count] + log P(length)."""
    from fractions import Fraction

    from secannot.models.scales import KYTE_DOOLITTLE
    from secannot.models.topology_viterbi import segment_index

    lut, bases = hmm.segment_lut()
    seg = hmm.segments
    rng = np.random.default_rng(2)
    letters = np.array(list("ACDEFGHIKLMNPQRSTVWYX"))
    for _ in range(300):
        d = int(rng.integers(hmm.helix_min, hmm.helix_max + 1))
        seq = "".join(rng.choice(letters, d)).encode()
        mean = sum(Fraction(str(KYTE_DOOLITTLE.get(chr(c), 0.0))) for c in seq) / d
        kd_bin = (mean - Fraction(str(seg.kd_low))) / Fraction(str(seg.kd_width))
        kd_bin = min(max(kd_bin.numerator // kd_bin.denominator, 0), seg.table.shape[0] - 1)
        charge = min(sum(c in b"DEKR" for c in seq), seg.charge_max)
        want = np.float32(seg.table[kd_bin, charge]) + np.float32(hmm.helix_dur[d - hmm.helix_min])
        assert lut[bases[d] + segment_index(seq, 1, d, hmm.helix_max)] == want


def test_prefilter_statistic_of_a_batch_equals_each_sequence_alone():
    from secannot.models.scales import KYTE_DOOLITTLE
    from secannot.models.topology_viterbi import max_hydropathy

    seqs = [LOOP_IN * 2, HELIX, b"MKT", LOOP_OUT + HELIX + LOOP_IN, HELIX[:19], HELIX[:18]]
    got = max_hydropathy(seqs, 19)
    for s, g in zip(seqs, got, strict=True):
        sums = [sum(KYTE_DOOLITTLE[chr(c)] for c in s[i : i + 19]) for i in range(len(s) - 18)]
        assert g == pytest.approx(max(sums) / 19 if sums else float("-inf"))


def test_signal_peptide_segment_calls_do_not_depend_on_the_batch(hmm):
    sp = b"MKKLLLALAVLLLAGSAQA"
    seqs = [sp + LOOP_OUT * 3, sp + LOOP_OUT + HELIX + LOOP_IN, LOOP_IN + HELIX + LOOP_OUT * 4]
    alone = [hmm.predict([s])[0] for s in seqs]
    together = hmm.predict(seqs[::-1])[::-1]
    assert [(c.helices, c.signal_peptide, c.n_terminus) for c in alone] == \
        [(c.helices, c.signal_peptide, c.n_terminus) for c in together]

"""The membrane-topology HMM on sequences whose topology is known by construction or from UniProt."""

from __future__ import annotations

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

"""Ambiguous runs long enough to hide a TM helix (``secannot.models.masking.flag_hidden_helices``).

A masked stretch is no evidence of a helix, but no evidence against one either: a protein called secreted,
intracellular or a leaderless candidate whose chain outside the signal peptide holds such a run cannot be
sure it has no membrane anchor.  Helix positions come from UniProt (EGFR P00533: transmembrane 646-668) or
from the designed sequence, not from the model.

The evidence names each ambiguous run once, and a TM helix dropped for ambiguous residues names its runs.
"""

from __future__ import annotations

import re

import pytest
from Bio import SeqIO
from helpers import EXAMPLE_FASTA, POLAR_TAIL, run_cli, shared_path

from secannot.models.masking import HIDDEN_HELIX_MIN

EGFR_TM = (646, 668)  # UniProt P00533, "Transmembrane 646-668 Helical"
SIGNAL = "MKWVTFISLLFLFSSAYS"  # serum albumin's signal peptide (UniProt P02768: 1-18)
MATURE = "RGVFRRDAHKSEVAHRFKDLGEENFKALVLIAFAQYLQQCPFEDHVKLVNEVTEFAKTCVADESAENCDKSLHTLFGDKLCTVATLRETYGEMADCCAKQEP"
HELIX = "LLLLLVVAILLAVLLLLAVVV"
STALK = "GSTNDEKKRRDEEKKSG"
TAIL = "KKRRDEEGSSTTNNPPQQKKRESDEKRS"
TYPE_I = SIGNAL + MATURE + STALK + HELIX + TAIL  # a designed type I membrane protein
HELIX_AT = (len(SIGNAL + MATURE + STALK) + 1, len(SIGNAL + MATURE + STALK + HELIX))


def mask(seq: str, start: int, end: int, code: str = "X") -> str:
    return seq[: start - 1] + code * (end - start + 1) + seq[end:]


def reference(accession: str) -> str:
    path = shared_path("data/reference_proteins.fasta")
    for rec in SeqIO.parse(str(path), "fasta"):
        if rec.id.split("|")[1] == accession:
            return str(rec.seq)
    pytest.skip(f"{accession} not in the shared reference proteins")


def predict(records: dict[str, str]) -> dict[str, dict[str, str]]:
    res = run_cli(["predict", "-"], stdin="".join(f">{k}\n{v}\n" for k, v in records.items()).encode())
    assert res.code == 0, res.err
    header, *lines = res.out.splitlines()
    return {row["id"]: row for row in (dict(zip(header.split("\t"), line.split("\t"), strict=True)) for line in lines)}


def assert_flagged(row: dict[str, str], start: int, end: int) -> None:
    assert row["localization"] != "membrane"
    assert row["confidence"] == "low"
    assert f"ambiguous residues at {start}-{end} could hide a TM helix" in row["evidence"], row["evidence"]


def test_the_designed_protein_is_membrane_unmasked():
    assert predict({"t": TYPE_I})["t"]["localization"] == "membrane"


@pytest.mark.parametrize("start, end", [
    HELIX_AT,                                   # the whole helix
    (HELIX_AT[0] + 4, HELIX_AT[0] + 4 + HIDDEN_HELIX_MIN - 1),  # its core, at the shortest length flagged
    (HELIX_AT[0] - 3, HELIX_AT[1] + 3),        # the helix and its flanks
], ids=["helix", "core", "helix+flanks"])
@pytest.mark.parametrize("code", ["X", "B"])
def test_a_masked_helix_in_a_designed_type_i_protein_is_flagged(start, end, code):
    row = predict({"t": mask(TYPE_I, start, end, code)})["t"]
    if row["localization"] != "membrane":
        assert_flagged(row, start, end)
    else:  # the residues left of the helix still make one: then it is no hidden helix
        assert end - start + 1 < len(HELIX)


@pytest.mark.parametrize("start, end", [(651, 662), EGFR_TM, (640, 675)], ids=["report-12x", "tm", "tm+flanks"])
def test_egfr_with_its_tm_helix_masked_is_not_a_confident_secreted_call(start, end):
    egfr = reference("P00533")
    rows = predict({"egfr": egfr, "masked": mask(egfr, start, end)})
    assert rows["egfr"]["localization"] == "membrane"
    if rows["masked"]["localization"] != "membrane" or start <= EGFR_TM[0]:
        assert_flagged(rows["masked"], start, end)


def test_a_masked_run_in_a_membrane_protein_changes_nothing_about_membrane():
    egfr = reference("P00533")
    rows = predict({"egfr": egfr, "masked": mask(egfr, 300, 320)})
    assert rows["masked"]["localization"] == "membrane"
    assert "could hide a TM helix" not in rows["masked"]["evidence"]


VERDICTS = {  # UniProt accession: the shipped model's unmasked verdict is asserted below, not assumed
    "P52789": "intracellular",            # hexokinase-2
    "P04406": "non_classical_candidate",  # GAPDH
    "P09038": "non_classical_candidate",  # FGF2
    "P15328": "gpi_anchored",             # folate receptor alpha
    "Q15084": "er_retained",              # PDIA6 (C-terminal KDEL)
    "P02768": "secreted",                 # albumin
}


@pytest.mark.parametrize("accession", list(VERDICTS))
@pytest.mark.parametrize("length, flagged", [(HIDDEN_HELIX_MIN - 1, False), (HIDDEN_HELIX_MIN, True), (30, True)])
def test_a_long_run_lowers_every_verdict_but_membrane(accession, length, flagged):
    seq = reference(accession)
    start, end = 100, 100 + length - 1
    ids = f"sp|{accession}|PLAIN", f"sp|{accession}|MASKED"  # the accession, as the rules list it
    rows = predict({ids[0]: seq, ids[1]: mask(seq, start, end)})
    plain, row = rows[ids[0]], rows[ids[1]]
    if plain["localization"] != VERDICTS[accession]:
        pytest.skip(f"{accession} is now {plain['localization']}")
    assert "could hide" not in plain["evidence"]
    assert row["localization"] == plain["localization"]  # a masked run adds no helix
    if flagged:
        assert_flagged(row, start, end)
    else:
        assert "could hide a TM helix" not in row["evidence"]


def test_runs_inside_the_signal_peptide_alone_are_not_read_as_a_hidden_helix():
    # a run that only lies in 1..site is the signal-peptide review's business, not a mature-chain helix
    seq = SIGNAL + MATURE
    row = predict({"s": seq})["s"]
    assert row["cleavage_site"] == "18" and "could hide" not in row["evidence"]


# -- ambiguous-residue evidence names the runs, once -----------------------------------------------
_HEAD = ("MSTEKRDQNGSPEKDRTQSNEKGDRPSTQEKNDGRSPQTEKDNRSGQEPTKDRNSEQGKTDPRSENQKGTDRESPNKQGEDTRSKNPEQGDTRKSENPQ")


def _evidence(records):
    import secannot

    return {p.id: p.evidence for p in secannot.predict(records)}


@pytest.mark.parametrize("helix", ["LLAVLLXXXXXLVLAVVLSS", "LLAVLLXXXLVLXXXVVLSSL",
                                   "LLAVLLXXXXXLVLAVVLSSKRDKRDSGSLLAVLLXXXXXLVLAVVLSS"])
def test_a_dropped_tm_helix_names_the_ambiguous_runs_then_the_helix(helix):
    seq = _HEAD + helix + POLAR_TAIL
    runs = [(m.start() + 1, m.end()) for m in re.finditer("X+", seq)]
    evidence = _evidence([("tmX", seq)])["tmX"]
    found = re.match(r"TM not called: ambiguous residues at (.+) in TM ([0-9, -]+)(;|$)", evidence)
    assert found, evidence
    assert found.group(1) == ", ".join(f"{a}-{b}" for a, b in runs)
    helices = [tuple(map(int, span.split("-"))) for span in found.group(2).split(", ")]
    assert all(any(s <= a and b <= e for s, e in helices) for a, b in runs)
    assert not set(helices) & set(runs)


@pytest.mark.parametrize("run", [11, 15])
def test_a_run_hiding_the_cleavage_site_and_possibly_a_helix_is_named_once(run):
    seq = "MKWVTFISLLFLFS" + "X" * run + POLAR_TAIL + POLAR_TAIL
    span = f"15-{14 + run}"
    evidence = _evidence([("sp_X_site", seq)])["sp_X_site"]
    assert evidence.startswith(f"SP, cleavage site unknown: ambiguous residues at {span}")
    assert evidence.count(span) == 1, evidence
    assert "could also hide a TM helix" in evidence  # the helix warning is kept, in the same item


def test_a_second_long_run_keeps_its_own_hidden_helix_item():
    seq = "MKWVTFISLLFLFS" + "X" * 11 + POLAR_TAIL + "X" * 12 + POLAR_TAIL
    second = f"{14 + 11 + len(POLAR_TAIL) + 1}-{14 + 11 + len(POLAR_TAIL) + 12}"
    evidence = _evidence([("two", seq)])["two"]
    assert evidence.count("15-25") == 1
    assert f"ambiguous residues at {second} could hide a TM helix" in evidence


def _egfr() -> str:
    text = EXAMPLE_FASTA.read_text()
    record = next(r for r in text.split(">")[1:] if "EGFR_HUMAN" in r.splitlines()[0])
    return "".join(record.splitlines()[1:])


@pytest.mark.parametrize(("a", "b"), [(647, 654), (649, 655), (651, 655), (655, 657), (650, 655)])
def test_a_short_run_that_breaks_a_helix_is_flagged(a, b):
    """Fewer than 10 ambiguous residues cannot hide a whole helix but can break one: EGFR with a few of its TM
    residues masked lost its helix and came out secreted, high, saying nothing about the masked residues."""
    row = predict({"e": mask(_egfr(), a, b)})["e"]
    if row["localization"] != "membrane":
        assert row["confidence"] == "low", row
        assert f"ambiguous residues at {a}-{b}" in row["evidence"], row


def test_a_short_run_away_from_any_helix_is_not_flagged():
    row = predict({"e": mask(_egfr(), 300, 302)})["e"]
    assert row["localization"] == "membrane" and "could hide" not in row["evidence"], row

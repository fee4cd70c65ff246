"""Signal peptides and cleavage sites next to ambiguous residues (X, B, Z, J): where the mask lies matters;
masked stretches long enough to hide a TM helix; and no sp_prob when the model's window holds no standard
residue.

Serum albumin's signal peptide is residues 1-18 (UniProt P02768); every other expectation here follows from
where the ambiguous residues are, not from numbers the model computed.
"""

from __future__ import annotations

import json
import re

import pytest
from helpers import POLAR_TAIL, run_cli

from secannot.models.masking import (
    C_REGION_MAX,
    HIDDEN_HELIX_MIN,
    MIN_MOVED_CS_PROB,
    MIN_N_H,
    WINDOW_AFTER,
    band_candidate,
    hidden_helix_runs,
    review_site,
    site_probabilities,
)

SIGNAL = "MKWVTFISLLFLFSSAYS"  # serum albumin's signal peptide, cleaved after residue 18
MATURE = "RGVFRRDAHKSEVAHRFKDLGEENFKALVLIAFAQYLQQCPFEDHVKLVNEVTEFAKTCVADESAENCDKSLHTLFGDKLCTVATLRETYGEMADCCAKQEP"
ALBUMIN = SIGNAL + MATURE
TRUE_SITE = 18


def masked(start: int, end: int, code: str = "X") -> str:
    """Albumin with residues start..end (1-based, inclusive) replaced by ``code``."""
    return ALBUMIN[: start - 1] + code * (end - start + 1) + ALBUMIN[end:]


# Masks reaching the cleavage site or the residues just before or after it; the signal peptide's n- and
# h-regions (1-14) stay readable in all of them.
NEAR_SITE = {
    "x15-18": masked(15, 18),
    "x16-18": masked(16, 18),
    "x17-19": masked(17, 19),
    "x18-19": masked(18, 19),
    "x19-24": masked(19, 24),
    "b16-18": masked(16, 18, "B"),
    "z18-19": masked(18, 19, "Z"),
    "5x-after-h-region": ALBUMIN[:15] + "X" * 5 + ALBUMIN[15:],
}
# The whole signal peptide intact, then a masked stretch.
INTACT_THEN_X = {
    "x19-24": masked(19, 24),
    "x19-38": masked(19, 38),
    "sp+20x": SIGNAL + "X" * 20 + MATURE,
    "sp+40x": SIGNAL + "X" * 40 + MATURE,
    "sp+6j": SIGNAL + "J" * 6 + MATURE,
    # the model puts the site well past these runs (52 for the first three): the
    # signal peptide 1-18 before them is intact, so it is still one
    "x25-40": masked(25, 40),
    "x22-40": masked(22, 40),
    "x30-45": masked(30, 45),
    "x30-60": masked(30, 60),
    "x40-60": masked(40, 60),
}
# Ambiguous residues that the model's signal peptide 1..site may contain without the call being withdrawn:
# whatever site is reported, the confidence is not high and the evidence names the run.
IN_SIGNAL = {
    "x37-44": masked(37, 44),  # the model's site was 52 with the run inside 1-52
    "x20-20": masked(20, 20),
    "x3-3": masked(3, 3),
    "x2-4": masked(2, 4),
    "b5-5": masked(5, 5, "B"),
    "x2-2+z6-6": masked(6, 6, "Z")[:1] + "X" + masked(6, 6, "Z")[2:],  # two early runs: both named
}
# Signal peptides that are themselves mostly masked.
MASKED_SIGNAL = {
    "x1-18": masked(1, 18),
    "x3-14": masked(3, 14),
    "x7-12": masked(7, 12),
    "x2-16": masked(2, 16),
    "bz1-10": "B" * 5 + "Z" * 5 + ALBUMIN[10:],
}
# Clean controls and masks far from the site: the site stays the true one.
CONTROLS = {
    "clean": ALBUMIN,
    "x60-65": masked(60, 65),
    "x60-68": masked(60, 68, "Z"),  # one shorter than a hidden helix
}
# Runs in the mature chain long enough to hide a TM helix: the site stands, the confidence does not.
HIDING = {
    "x60-69": masked(60, 69),
    "x90-110": masked(90, 110),
    "j75-110": masked(75, 110, "J"),
}
ALL = {**{f"near_{k}": v for k, v in NEAR_SITE.items()}, **{f"intact_{k}": v for k, v in INTACT_THEN_X.items()},
       **{f"masked_{k}": v for k, v in MASKED_SIGNAL.items()}, **{f"control_{k}": v for k, v in CONTROLS.items()},
       **{f"insp_{k}": v for k, v in IN_SIGNAL.items()}, **{f"hiding_{k}": v for k, v in HIDING.items()}}
AMBIGUOUS = re.compile("[XBZJ]")


def _fasta() -> bytes:
    return "".join(f">{name}\n{seq}\n" for name, seq in ALL.items()).encode()


@pytest.fixture(scope="module")
def rows() -> dict[str, dict[str, str]]:
    res = run_cli(["predict", "-"], stdin=_fasta())
    assert res.code == 0, res.err
    header, *lines = res.out.splitlines()
    names = header.split("\t")
    table = [dict(zip(names, line.split("\t"), strict=True)) for line in lines]
    return {row["id"]: row for row in table}


def _names(evidence: str, start: int, end: int) -> bool:
    """True when ``evidence`` names the run start-end (not as part of a longer number)."""
    return re.search(rf"(?<![0-9]){start}-{end}(?![0-9])", evidence) is not None


def _runs(seq: str) -> list[tuple[int, int]]:
    return [(m.start() + 1, m.end()) for m in re.finditer("[XBZJ]+", seq)]


def _reported(rows, name: str) -> tuple[dict, str, int | None]:
    """The row, the sequence and the reported cleavage site (None when the row has none)."""
    row = rows[name]
    return row, ALL[name], int(row["cleavage_site"]) if row["cleavage_site"] else None


@pytest.mark.parametrize("name", list(ALL))
def test_no_reported_site_lies_on_or_just_after_a_masked_run(rows, name):
    row, seq, site = _reported(rows, name)
    if site is None:
        return
    window = seq[max(site - C_REGION_MAX, 0): site + WINDOW_AFTER]  # c-region at its longest, then +1, +2
    assert not AMBIGUOUS.search(window), f"site {site} next to ambiguous residues: {window}"
    assert all(not (start <= site + WINDOW_AFTER and end >= site - C_REGION_MAX) for start, end in _runs(seq))


@pytest.mark.parametrize("name", list(NEAR_SITE))
def test_a_site_the_mask_hides_is_never_reported_with_high_confidence(rows, name):
    row = rows[f"near_{name}"]
    assert row["route"] == "classical", "residues 1-14 are an intact n- and h-region"
    assert row["localization"] == "secreted"
    if row["cleavage_site"] == "":
        assert row["confidence"] == "low" and row["cs_prob"] == ""
        assert row["evidence"].startswith("SP, cleavage site unknown: ambiguous residues at ")
    else:
        assert row["confidence"] != "high"


@pytest.mark.parametrize("name", list(INTACT_THEN_X))
def test_an_intact_signal_peptide_followed_by_ambiguous_residues_is_still_called(rows, name):
    row = rows[f"intact_{name}"]
    assert row["route"] == "classical" and "SP not called" not in row["evidence"]
    assert row["localization"] == "secreted", "a mask after the signal peptide adds no membrane anchor"
    assert row["cleavage_site"] in ("", str(TRUE_SITE))


@pytest.mark.parametrize("name", list(MASKED_SIGNAL))
def test_a_signal_peptide_that_is_itself_masked_is_withdrawn(rows, name):
    row = rows[f"masked_{name}"]
    assert row["cleavage_site"] == "" and row["route"] != "classical"
    assert row["confidence"] == "low" and row["evidence"].startswith("SP not called: ambiguous residues")


@pytest.mark.parametrize("name", list(CONTROLS))
def test_masks_far_from_the_site_change_nothing(rows, name):
    row = rows[f"control_{name}"]
    assert row["cleavage_site"] == str(TRUE_SITE) and row["route"] == "classical"
    assert "ambiguous" not in row["evidence"]


@pytest.mark.parametrize("name", list(ALL))
def test_a_reported_signal_peptide_holding_ambiguous_residues_is_never_high_confidence(rows, name):
    row, seq, site = _reported(rows, name)
    if site is None:
        return
    inside = [(a, b) for a, b in _runs(seq) if a <= site + WINDOW_AFTER]
    if inside:
        assert row["confidence"] != "high", f"SP 1-{site} holds ambiguous residues at {inside}"
        assert "ambiguous residues at " in row["evidence"]
        assert all(_names(row["evidence"], a, b) for a, b in inside), row["evidence"]


@pytest.mark.parametrize("name", list(IN_SIGNAL))
def test_ambiguous_residues_inside_the_signal_peptide_keep_the_call_but_not_its_certainty(rows, name):
    row = rows[f"insp_{name}"]
    assert row["route"] == "classical" and row["localization"] == "secreted"
    assert row["confidence"] != "high" and "SP not called" not in row["evidence"]
    assert "ambiguous residues at " in row["evidence"]
    assert all(_names(row["evidence"], start, end) for start, end in _runs(ALL[f"insp_{name}"])), row["evidence"]
    assert row["cleavage_site"] in ("", str(TRUE_SITE))  # never a site pushed past the run


@pytest.mark.parametrize("name", list(HIDING))
def test_a_run_that_could_hide_a_tm_helix_lowers_a_secreted_call(rows, name):
    row = rows[f"hiding_{name}"]
    (start, end), = _runs(ALL[f"hiding_{name}"])
    assert row["cleavage_site"] == str(TRUE_SITE) and row["localization"] == "secreted"
    assert row["confidence"] == "low"
    assert f"ambiguous residues at {start}-{end} could hide a TM helix" in row["evidence"]


@pytest.mark.parametrize("name", [n for n in ALL if not n.startswith("hiding_")])
def test_runs_too_short_to_hide_a_helix_are_not_read_as_one(rows, name):
    if all(b - a + 1 < HIDDEN_HELIX_MIN for a, b in _runs(ALL[name])):
        assert "could hide a TM helix" not in rows[name]["evidence"]


# --- classical with no cleavage site, in every writer and in the localisation stage ---------------

UNKNOWN = INTACT_THEN_X["sp+20x"]


def test_jsonl_has_a_classical_route_and_no_signal_peptide_range():
    res = run_cli(["predict", "-", "--format", "jsonl"], stdin=f">u\n{UNKNOWN}\n".encode())
    assert res.code == 0, res.err
    data = json.loads(res.out.splitlines()[-1])
    assert data["route"] == "classical" and data["cleavage_site"] is None and data["signal_peptide"] is None
    assert data["cs_prob"] is None and data["localization"] == "secreted"


def test_gff3_writes_no_signal_peptide_feature_without_a_site():
    res = run_cli(["predict", "-", "--format", "gff3"], stdin=f">u\n{UNKNOWN}\n>c\n{ALBUMIN}\n".encode())
    assert res.code == 0, res.err
    features = [line.split("\t") for line in res.out.splitlines() if line and not line.startswith("#")]
    sp = [(f[0], f[3], f[4]) for f in features if f[2] == "signal_peptide"]
    assert sp == [("c", "1", str(TRUE_SITE))]


def test_parquet_has_a_null_site_and_a_classical_route(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "u.parquet"
    res = run_cli(["predict", "-", "--format", "parquet", "-o", out], stdin=f">u\n{UNKNOWN}\n".encode())
    assert res.code == 0, res.err
    table = pq.read_table(out).to_pylist()
    assert table[0]["route"] == "classical" and table[0]["cleavage_site"] is None


HELIX = "LLLLLVVAILLAVLLLLAVVV"


@pytest.mark.parametrize("tail, verdict", [
    ("GSTNDEKKRRDEEKKSG" + HELIX + "KKRRDEEGSSTTNNPPQQKKRESDEKRS", "membrane"),  # type I: a helix in the mature chain
    ("KDEL", "er_retained"),
], ids=["membrane", "kdel"])
def test_the_verdict_still_follows_the_mature_chain_without_a_site(tail, verdict):
    res = run_cli(["predict", "-"], stdin=f">u\n{SIGNAL}{'X' * 20}{MATURE}{tail}\n".encode())
    header, row = res.out.splitlines()[:2]
    cells = dict(zip(header.split("\t"), row.split("\t"), strict=True))
    assert cells["route"] == "classical" and cells["cleavage_site"] == ""
    assert cells["localization"] == verdict and cells["confidence"] == "low"


# --- the review on its own, with made-up cleavage probabilities ------------------------------------

SEQ = (SIGNAL + MATURE).encode()


def _probs(at: dict[int, float]) -> list[float]:
    return [at.get(s, 0.0) for s in range(1, 71)]


def test_an_unsupported_site_moves_to_a_clearly_best_clean_site_before_the_run():
    seq = SEQ[:24] + b"XXXX" + SEQ[28:]  # run 25-28; model's site 29 is just after it
    review = review_site(seq, 29, lambda: _probs({16: 0.8, 29: 0.1, 23: 0.1}))
    assert review.action == "move" and review.site == 16 and review.run == (25, 28)


@pytest.mark.parametrize("at", [
    {16: MIN_MOVED_CS_PROB, 29: 1 - MIN_MOVED_CS_PROB},  # not more likely than all other sites together
    {24: 0.9, 16: 0.1},  # the likeliest site is next to the run itself
], ids=["not-clearly-best", "next-to-run"])
def test_no_site_is_moved_to_without_clean_support(at):
    seq = SEQ[:24] + b"XXXX" + SEQ[28:]
    review = review_site(seq, 29, lambda: _probs(at))
    assert review.action == "unknown" and review.site is None


def test_a_site_past_a_run_inside_the_signal_peptide_is_not_trusted():
    seq = masked(37, 44).encode()  # the model's site 52 is clean -7..+2, but the run lies inside 1-52
    review = review_site(seq, 52)
    assert review.action == "unknown" and review.run == (37, 44) and review.site is None
    moved = review_site(seq, 52, lambda: _probs({18: 0.7, 52: 0.3}))
    assert moved.action == "move" and moved.site == 18


@pytest.mark.parametrize("start, end", [(1, 1), (2, 4), (MIN_N_H, MIN_N_H)])
def test_a_short_early_run_clear_of_the_site_keeps_it_and_is_named(start, end):
    review = review_site(masked(start, end).encode(), TRUE_SITE)
    assert review.action == "keep" and review.site == TRUE_SITE and review.run == (start, end)


def test_an_early_run_that_masks_a_fifth_of_the_signal_peptide_withdraws_it():
    assert review_site(masked(2, 5).encode(), TRUE_SITE).action == "withdraw"  # 4 of 18 residues


def test_hidden_helix_runs_count_only_long_runs_after_the_signal_peptide():
    seq = b"M" + b"X" * 12 + b"A" * 20 + b"X" * (HIDDEN_HELIX_MIN - 1) + b"A" * 5 + b"B" * HIDDEN_HELIX_MIN
    tail = (len(seq) - HIDDEN_HELIX_MIN + 1, len(seq))
    assert hidden_helix_runs(seq) == [(2, 13), tail]
    assert hidden_helix_runs(seq, 3) == [(4, 13), tail]  # a run reaching into the signal peptide counts from after it
    assert hidden_helix_runs(seq, 13) == [tail]


def test_the_hidden_helix_length_is_no_longer_than_the_shortest_helix_the_topology_stage_calls():
    from importlib import resources

    shipped = []
    for name, path in (("topology.json", ("transmembrane", "min_length")), ("topology_net.json", ("helix_min",))):
        data = json.loads((resources.files("secannot") / "data" / name).read_text(encoding="utf-8"))
        for key in path:
            data = data.get(key, {}) if isinstance(data, dict) else {}
        if isinstance(data, int):
            shipped.append(data)
    if not shipped:
        pytest.skip("the shipped topology files name no shortest helix length")
    assert min(shipped) >= HIDDEN_HELIX_MIN


def test_site_probabilities_invert_the_inside_probabilities():
    inside = [0.9, 0.9, 0.6, 0.1, 0.0]  # P(site >= s), times sp_prob 0.9
    assert [round(p, 6) for p in site_probabilities(inside, 0.9)] == [0.0, round(0.3 / 0.9, 6),
                                                                      round(0.5 / 0.9, 6), round(0.1 / 0.9, 6), 0.0]


def test_band_candidates_follow_the_review():
    seq = SEQ[:24] + b"XXXX" + SEQ[28:]
    assert band_candidate(29, 0.95, review_site(seq, 29)) == (29, 0.0)  # unknown site: never a band signal peptide
    assert band_candidate(18, 0.95, review_site(SEQ, 18)) == (18, 0.95)
    withdrawn = review_site(b"X" * 18 + SEQ[18:], 18)
    assert withdrawn.action == "withdraw" and band_candidate(18, 0.95, withdrawn) == (0, 0.95)


@pytest.mark.parametrize("site, curated, agreement, match", [
    (None, True, "agree", None),            # a site hidden by ambiguous residues: still a predicted signal peptide
    (18, True, "agree", True),
    (None, False, "predicted_only", None),
])
def test_uniprot_agreement_follows_the_route_not_the_site(site, curated, agreement, match):
    from dataclasses import replace

    from secannot.knowledge.annotate import uniprot_view
    from secannot.results import Record, Result, Segment
    from secannot.uniprot.entry import UniProtEntry

    entry = UniProtEntry("P02768", "ALBU_HUMAN", True, "UniProtKB reviewed (Swiss-Prot)", "ALB", (), 9606,
                         "Homo sapiens", "Albumin", ALBUMIN, None, None, (), False, (), (), (), (), True)
    if curated:
        entry = replace(entry, signal=Segment(1, TRUE_SITE))
    result = Result(record=Record(id="P02768", description="", seq=masked(17, 19).encode(), source="-", line=1),
                    cleavage_site=site, route="classical")
    view = uniprot_view(result, entry, "2026_04")
    assert (view.agreement, view.cleavage_match) == (agreement, match)


@pytest.mark.parametrize("start, end", [(25, 40), (22, 40), (30, 45)])
def test_check_require_classical_accepts_an_intact_signal_peptide_before_a_masked_run(tmp_path, start, end):
    path = tmp_path / "masked.fa"
    path.write_text(f">m{start}_{end}\n{masked(start, end)}\n")
    res = run_cli(["check", "--require", "classical", path])
    assert res.code == 0 and "no signal peptide" not in res.out + res.err, res.out + res.err


def test_a_moved_site_names_ambiguous_residues_left_in_its_signal_peptide():
    from secannot.models.masking import SiteReview, explain_review
    from secannot.results import Record, Result

    seq = masked(2, 3).encode()[:30] + b"XXXX" + SEQ[34:]  # an early run 2-3, the deciding run 31-34
    review = review_site(seq, 36, lambda: _probs({TRUE_SITE: 0.9}))
    assert review == SiteReview("move", 36, TRUE_SITE, 0.9, (31, 34))
    res = Result(record=Record(id="m", description="", seq=seq, source="-", line=1), sp_prob=0.99,
                 cleavage_site=TRUE_SITE, route="classical", localization="secreted", confidence="high")
    explain_review(res, review)
    assert res.confidence != "high"
    assert "ambiguous residues at 2-3 in the signal peptide 1-18" in res.evidence


# -- no standard residue in the model's window: no sp_prob -----------------------------------------
SIGNAL_70 = "MKWVTFISLLFLFSSAYSRGVFRRDAHKSEVAHRFKDLGEENFKALVLIAFAQYLQQCPFEDHVKLVNE"
BLIND = {
    "allX": "X" * 59,
    "allBZJ": "BZJX" * 20,
    "x70_then_helix": "X" * 70 + "LLAVLLFGILLVLAVVLSS" + POLAR_TAIL,
    "short": "XBZ",
}


def _blind_fasta(tmp_path):
    path = tmp_path / "blind.fasta"
    path.write_text("".join(f">{k}\n{v}\n" for k, v in BLIND.items()) + f">control\n{SIGNAL_70}\n")
    return path


@pytest.mark.parametrize("name", list(BLIND))
def test_no_standard_residue_in_the_first_70_gives_no_sp_prob_in_tsv(tmp_path, name):
    import csv
    import io as _io

    res = run_cli(["predict", _blind_fasta(tmp_path)])
    rows = {r["id"]: r for r in csv.DictReader(_io.StringIO(res.out), delimiter="\t")}
    assert rows[name]["sp_prob"] == "" and rows[name]["confidence"] == "low"
    shown = min(70, len(BLIND[name]))
    assert rows[name]["evidence"].startswith(f"sp_prob not given: residues 1-{shown} are all ambiguous (X/B/Z/J)")
    assert "SP not called" not in rows[name]["evidence"]
    assert float(rows["control"]["sp_prob"]) > 0.5  # a protein with residues keeps its value


def test_no_sp_prob_is_null_in_jsonl_parquet_and_the_api(tmp_path):
    import secannot

    path = _blind_fasta(tmp_path)
    lines = [json.loads(line) for line in run_cli(["predict", "-f", "jsonl", path]).out.splitlines()]
    assert [row["sp_prob"] is None for row in lines] == [True] * len(BLIND) + [False]
    assert [p.sp_prob is None for p in secannot.predict(list(BLIND.items()))] == [True] * len(BLIND)
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "blind.parquet"
    assert run_cli(["predict", "-f", "parquet", "-o", out, path]).code == 0
    assert pq.read_table(out).column("sp_prob").to_pylist()[: len(BLIND)] == [None] * len(BLIND)


def test_one_standard_residue_in_the_window_keeps_the_model_value():
    import secannot

    [row] = secannot.predict([("oneM", "M" + "X" * 80)])
    assert row.sp_prob is not None


@pytest.mark.parametrize(("a", "b"), [(19, 22), (17, 20), (19, 25), (16, 30)])
def test_a_run_over_the_site_is_named_to_its_end(a, b):
    """A run that starts by residue +2 of the predicted site but goes on past it is named whole, not cut at +2."""
    res = run_cli(["predict", "-"], stdin=f">m\n{masked(a, b)}\n".encode())
    row = res.dicts[0]
    runs = re.findall(r"ambiguous residues at (\d+)-(\d+)", row["evidence"])
    assert (str(a), str(b)) in runs, row["evidence"]


def test_an_unknown_site_gives_no_evidence_drawn_from_the_held_site():
    """While the site is unknown the localisation stage holds it at the furthest end the signal peptide may reach;
    what it says about that held site (its length, its cs_prob) is not evidence about the protein."""
    res = run_cli(["predict", "-"], stdin=f">m\n{masked(25, 40)}\n".encode())
    row = res.dicts[0]
    assert row["cleavage_site"] == "" and row["route"] == "classical", row
    assert "unusually long signal peptide" not in row["evidence"]
    assert "cleavage site uncertain" not in row["evidence"]


def test_a_withdrawn_call_names_the_runs_in_its_signal_peptide():
    res = run_cli(["predict", "-"], stdin=f">m\n{masked(6, 13)}\n".encode())
    row = res.dicts[0]
    assert row["route"] == "none" and row["evidence"].startswith("SP not called: ambiguous residues"), row
    assert "at 6-13 in SP 1-" in row["evidence"]

"""Tail anchors, short chains, uncertain cleavage sites, GPI tails ending in a basic residue, and one
evidence item per `;`."""

from __future__ import annotations

import json

import pytest
from helpers import SUBSET_FASTA, run_cli

from secannot.io.headers import parse_identity
from secannot.models.confidence import LONG_SIGNAL_PEPTIDE, UNSURE_CLEAVAGE, confidence
from secannot.models.localization import (
    BASIC_END,
    TAIL_ANCHOR_N_DOMAIN,
    TAIL_ANCHOR_TAIL,
    Localizer,
    basic_c_terminus,
    tail_anchor,
)
from secannot.results import Record, Result, Segment

SOLUBLE = b"SEKAQELRDNLGKTVEAIRGQDPKSLEENAKRLTEQ"
HELIX = b"LLAVLLFGIALLVLAVVLS"


def _result(seq: bytes, sp_prob: float = 0.01) -> Result:
    return Result(record=Record("x", "x", seq, "test", 1), sp_prob=sp_prob)


@pytest.mark.parametrize("after", [0, 5, TAIL_ANCHOR_TAIL])
def test_a_lone_c_terminal_helix_is_a_tail_anchor_facing_in(after):
    res = _result(b"M" + SOLUBLE * 4 + b"KR" + HELIX + b"GSDNE" * (after // 5) + b"E" * (after % 5))
    Localizer.load().apply([res])
    assert res.localization == "membrane" and res.signal_anchor is None
    assert [s.orientation for s in res.tm_segments] == ["in->out"]
    assert any(e.startswith("tail anchor ") for e in res.evidence)


def test_a_helix_followed_by_a_domain_is_no_tail_anchor():
    assert tail_anchor([Segment(5, 25, "out->in")], 25 + TAIL_ANCHOR_TAIL + 1) is None
    assert tail_anchor([Segment(5, 25), Segment(60, 80)], 85) is None  # two helices: a multi-pass protein
    res = _result(b"MSKKRPEDGSNKGKR" + b"LLIVLAVLLFVAILGLLLAVF" + SOLUBLE * 4)
    Localizer.load().apply([res])
    assert res.localization == "membrane" and res.signal_anchor is not None
    assert not any(e.startswith("tail anchor") for e in res.evidence)


@pytest.mark.parametrize("seq", [b"MLLLLLLLLL", b"M" + HELIX + b"KR", b"MKR" + HELIX * 2])
def test_a_short_hydrophobic_peptide_is_never_a_confident_membrane_protein(seq):
    res = _result(seq)
    Localizer.load().apply([res])
    assert res.localization != "membrane" or res.confidence == "low"


@pytest.mark.parametrize("sp_prob, cs_prob, expected", [
    (0.97, 0.9, "high"), (0.97, UNSURE_CLEAVAGE - 0.01, "medium"), (0.90, 0.9, "medium"),
    (0.90, UNSURE_CLEAVAGE - 0.01, "low"), (0.97, UNSURE_CLEAVAGE, "high"),
])
def test_an_uncertain_cleavage_site_lowers_a_classical_verdict(sp_prob, cs_prob, expected):
    res = _result(b"M" + SOLUBLE * 3, sp_prob)
    res.cleavage_site, res.cs_prob, res.route, res.localization = 20, cs_prob, "classical", "secreted"
    assert confidence(res, 0.28) == expected


@pytest.mark.parametrize("tail, named", [(b"LCLCRL", "Arg"), (b"FLLVK", "Lys"), (b"LLVAL", ""),
                                         (b"K" + b"L" * BASIC_END, "")])
def test_basic_c_terminus(tail, named):
    found = basic_c_terminus(b"MSEQ" + tail)
    assert found.startswith(named) if named else found == ""


def test_a_gpi_tail_ending_in_a_basic_residue_is_a_weaker_gpi_call(tmp_path):
    # a secreted protein with an ideal GPI signal, then the same with an Arg two residues from the end (MLEC)
    body = b"MKWVTFISLLFLFSSAYSRGV" + SOLUBLE * 5 + b"PSTTGNSASGAEGS"
    plain = body + b"LLLAVLLFGIALLVAV"
    basic = body + b"LLLAVLLFGIALLVAVRL"
    fasta = tmp_path / "gpi.fa"
    fasta.write_bytes(b">plain\n" + plain + b"\n>basic\n" + basic + b"\n")
    rows = [line.split("\t") for line in run_cli(["predict", str(fasta)]).out.splitlines()[1:]]
    verdicts = {r[0]: (r[6], r[7], r[-1]) for r in rows}
    assert verdicts["plain"][0] == verdicts["basic"][0] == "gpi_anchored"
    assert "stop-transfer" in verdicts["basic"][2] and "stop-transfer" not in verdicts["plain"][2]
    order = ["low", "medium", "high"]
    assert order.index(verdicts["basic"][1]) < order.index(verdicts["plain"][1])


def test_no_evidence_item_holds_the_item_separator():
    # the TSV joins evidence items with "; ": an item with its own ";" could not be split back
    out = run_cli(["predict", "-f", "jsonl", str(SUBSET_FASTA)]).out
    items = [e for line in out.splitlines() for e in json.loads(line)["evidence"]]
    assert items and not [e for e in items if ";" in e]
    band = [e for e in items if e.startswith("uncertain SP band: signal anchor")]
    assert band and all(" >= " in e for e in band)  # MSLN is a band signal anchor


@pytest.mark.parametrize("header, gene", [
    ("ENSP00000263341.7 pep chromosome:GRCh38:2:1:2:-1 gene:ENSG00000125538.12 gene_symbol:IL1B", "IL1B"),
    ("x1 GN=IL1B", "IL1B"),
    ("IL1B", None),  # a bare symbol is the user's id, not a gene
    ("ENSP00000263341.7 pep chromosome:GRCh38:2:1:2:-1", None),
])
def test_gene_symbols_from_headers(header, gene):
    assert parse_identity(header.split()[0], header).gene == gene


def test_a_tm_helix_right_after_the_signal_peptide_is_kept():
    # signal peptide 1-18, a whole TM helix from the cleavage site on, then a cytoplasmic domain: a type I protein
    # (with a few residues between them, the helix no longer starts at the site for 2.3.0's network)
    res = _result(b"MKWVTFISLLFLFSSAYS" + HELIX + b"RRKK" + SOLUBLE * 5, 0.97)
    res.cleavage_site, res.cs_prob, res.route = 18, 0.8, "classical"
    Localizer.load().apply([res])
    assert res.localization == "membrane" and res.tm_segments and res.tm_segments[0].start <= 21


def test_a_helix_that_is_most_of_a_short_chain_is_no_tail_anchor():
    res = _result(b"MK" + HELIX + b"KRDE")  # no N-terminal domain to face the cytosol
    Localizer.load().apply([res])
    assert not any(e.startswith("tail anchor") for e in res.evidence)
    assert tail_anchor([Segment(TAIL_ANCHOR_N_DOMAIN, 40)], 45) is None
    assert tail_anchor([Segment(TAIL_ANCHOR_N_DOMAIN + 1, 40)], 45) is not None


@pytest.mark.parametrize("site, length, expected", [
    (20, 200, "high"), (LONG_SIGNAL_PEPTIDE, 200, "medium"), (18, 49, "low"), (18, 50, "high"),
])
def test_long_signal_peptides_and_short_chains_lower_a_classical_verdict(site, length, expected):
    res = _result(b"M" + b"A" * (length - 1), 0.99)
    res.cleavage_site, res.cs_prob, res.route, res.localization = site, 0.9, "classical", "secreted"
    assert confidence(res, 0.28) == expected


def test_a_blind_protein_claims_no_absence_of_a_signal_peptide():
    out = run_cli(["predict", "-f", "jsonl", "-"], stdin=b">x\n" + b"X" * 80 + b"MKV\n")
    row = json.loads(out.out)
    assert row["sp_prob"] is None and "not assessed" in row["note"]
    assert not [e for e in row["evidence"] if "no signal peptide" in e]


def test_a_long_signal_peptide_lowers_only_a_eukaryotic_verdict():
    """The 40-residue step is a eukaryotic statistic: bacterial signal peptides (lipoprotein, Tat, gram-positive
    Sec) run longer, so a gram-negative or archaeal call keeps its level."""
    res = _result(b"M" + b"A" * 199, 0.99)
    res.cleavage_site, res.cs_prob, res.route, res.localization = LONG_SIGNAL_PEPTIDE, 0.9, "classical", "secreted"
    assert confidence(res, 0.28, eukaryote=True) == "medium"
    assert confidence(res, 0.28, eukaryote=False) == "high"


LEADERLESS_LIKE = ("MAEEEEQKVEAQSLKPEEKNAPEAEAKAEEKPEAEEAKAEEKPAEAEEKSPEAEEEKAPEAKAEEKPAEEEK"
                   "PAEAEEKAPEAKSEEKPAEAEEK")


@pytest.mark.parametrize("organism", ["gram-negative", "gram-positive", "archaea"])
def test_the_leaderless_score_is_for_eukaryotes_only(organism):
    """OutCyte's training proteins are mammalian: a prokaryote gets no nc_score, no score-based candidate, and
    an intracellular verdict without a score is medium, not high; the provenance names no nc threshold."""
    fasta = f">lead\n{LEADERLESS_LIKE}\n>soluble\n{(SOLUBLE * 4).decode()}\n".encode()
    euk = run_cli(["predict", "-f", "jsonl", "--nc-prior", "0.5", "-"], stdin=fasta)
    pro = run_cli(["predict", "-f", "jsonl", "--nc-prior", "0.5", "--organism", organism, "-"], stdin=fasta)
    assert euk.code == pro.code == 0, pro.err
    euk_rows = [json.loads(line) for line in euk.out.splitlines()]
    pro_rows = [json.loads(line) for line in pro.out.splitlines()]
    assert all(r["nc_score"] is not None for r in euk_rows)
    assert any(r["localization"] == "non_classical_candidate" for r in euk_rows)  # the input can be called
    for r in pro_rows:
        assert r["nc_score"] is None and r["route"] == "none" and r["localization"] == "intracellular", r
        assert r["confidence"] == "medium"
        assert r["provenance"]["thresholds"]["nc_score"] is None


def test_the_gpi_tail_ends_before_a_final_basic_residue():
    """The window detector's run reaches over a final Lys; the reported hydrophobic tail stops before it, and
    the Lys is named apart as a possible stop-transfer (not inside the tail as well)."""
    body = b"MKWVTFISLLFLFSSAYSRGV" + SOLUBLE * 5 + b"PSTTGNSASGAEGS"
    seq = body + b"LLLAVLLFGIALLVAVLK"
    row = json.loads(run_cli(["predict", "-f", "jsonl", "-"], stdin=b">k\n" + seq + b"\n").out)
    assert row["localization"] == "gpi_anchored", row["evidence"]
    start, end = map(int, row["gpi"]["hydrophobic_tail"].split("-"))
    assert end == len(seq) - 1 and seq[start - 1 : end].isalpha() and b"K" not in seq[start - 1 : end]
    assert f"Lys {len(seq)}" in "; ".join(row["evidence"])
    # a Lys inside the tail's last residues ends it too: the tail is never said to hold its own stop-transfer
    inner = body + b"LLLAVLLFGIALLVAVKLS"
    row = json.loads(run_cli(["predict", "-f", "jsonl", "-"], stdin=b">k\n" + inner + b"\n").out)
    start, end = map(int, row["gpi"]["hydrophobic_tail"].split("-"))
    assert end == len(inner) - 3 and f"Lys {len(inner) - 2}" in "; ".join(row["evidence"]), row["evidence"]


@pytest.mark.parametrize(("seq", "short"), [(b"MKWVTFISLLFLFSSAYSRGVFRRDAHKSEVAHRFKDLGEENF", True),
                                            (b"MSTNPKPQRK", True), (b"M", True), (b"MSTNPKPQRK" * 6, False)])
def test_a_short_chain_says_why_it_is_low(seq, short):
    row = run_cli(["predict", "-"], stdin=b">s\n" + seq + b"\n").dicts[0]
    assert (f"short chain ({len(seq)} residue{'' if len(seq) == 1 else 's'})" in row["evidence"]) == short, row
    if short:
        assert row["confidence"] == "low"


SHORT_CHAINS = [b"M", b"MSTNPKPQRK", b"MSTNPKPQRK" * 4 + b"MSTNPKPQR",  # 1, 10 and 49 residues: none scored
                b"X" * 100, b"B" * 60, b"MSTNPKPQRK" * 4 + b"X" * 30]  # and chains of fewer than 50 standard ones
SCORED = b"MSTNPKPQRK" * 5  # 50 residues: scored


@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "parquet", "api", "annotate"])
def test_a_chain_too_short_for_the_leaderless_score_has_no_nc_score(tmp_path, fmt):
    """The score never decides a chain under 50 residues (guarded, and its confidence is low whatever the score),
    so none is shown: a 1-residue M once showed one."""
    records = [(f"s{i}", s.decode()) for i, s in enumerate([*SHORT_CHAINS, SCORED])]
    fasta = tmp_path / "short.fa"
    fasta.write_text("".join(f">{i}\n{s}\n" for i, s in records))
    if fmt == "api":
        import secannot

        scores = [row.nc_score for row in secannot.predict(records)]
    elif fmt == "parquet":
        pq = pytest.importorskip("pyarrow.parquet")
        assert run_cli(["predict", fasta, "-f", "parquet", "-o", tmp_path / "o.parquet"]).code == 0
        scores = pq.read_table(tmp_path / "o.parquet").column("nc_score").to_pylist()
    elif fmt == "jsonl":
        scores = [json.loads(line)["nc_score"] for line in run_cli(["predict", fasta, "-f", "jsonl"]).out.splitlines()]
    else:
        command = ["annotate", "--offline"] if fmt == "annotate" else ["predict"]
        scores = [row["nc_score"] or None for row in run_cli([*command, fasta]).dicts]
    assert scores[:-1] == [None] * len(SHORT_CHAINS)
    assert scores[-1] is not None


@pytest.mark.parametrize("cs_prob", [0.9, UNSURE_CLEAVAGE - 0.01])
@pytest.mark.parametrize("site", [20, LONG_SIGNAL_PEPTIDE])
@pytest.mark.parametrize("eukaryote", [True, False], ids=["eukaryote", "prokaryote"])
def test_every_step_down_of_a_signal_peptide_verdict_is_named_in_its_evidence(cs_prob, site, eukaryote):
    """The doubts are written once (confidence.signal_peptide_doubts): the evidence lists them and the confidence
    steps down once for each, so neither can drift from the other."""
    from secannot.models.confidence import signal_peptide_doubts

    res = _result(b"M" + SOLUBLE * 6, 0.99)
    res.cleavage_site, res.cs_prob, res.route = site, cs_prob, "classical"
    Localizer.load().apply([res], eukaryote=eukaryote)
    steps = (cs_prob < UNSURE_CLEAVAGE) + (eukaryote and site >= LONG_SIGNAL_PEPTIDE)
    doubts = signal_peptide_doubts(res, eukaryote)
    assert res.localization == "secreted" and res.confidence == ["high", "medium", "low"][steps], res.evidence
    assert len(doubts) == steps
    assert res.evidence[1 : 1 + steps] == doubts  # right after "SP 1-N"

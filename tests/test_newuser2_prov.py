"""Second new-user test, defects 9-12: one rules version everywhere, API record errors worded for Python
values, and the per-protein plot of a call whose cleavage site is unknown or withdrawn."""

from __future__ import annotations

import json
import re

import pytest
from helpers import REPO, run_cli

import secannot
from secannot.errors import InputError
from secannot.io.fasta import Record

SEQ = "MKWVTFISLLFLFSSAYSRGVFRRDTHKSEIAHRFKDLGEEHFKGLVLIAFSQYLQQCPFDEHVKLVNELTEF"
FASTA = f">sp|P15692|VEGFA_HUMAN\n{SEQ}\n>b\nMSDQEAKPTEVKRGLEDVAKK\n".encode()


# -- 12: one rules version string ---------------------------------------------------------------
def _bundled_versions() -> str:
    """The distinct rules_version lines of the bundled rule files, read here independently of secannot."""
    found = set()
    for path in sorted((REPO / "secannot" / "_rules").glob("*.yaml")):
        match = re.search(r"^rules_version:\s*['\"]?([^'\"\s#]+)", path.read_text(), re.MULTILINE)
        found.add(match.group(1))
    return "+".join(sorted(found))


def test_one_rules_version_in_version_and_every_output(tmp_path):
    expected = _bundled_versions()
    assert "+" in expected  # the bundled files carry more than one version, so a subset would show
    version = run_cli(["--version"])
    assert f"rules {expected}" in version.out.splitlines()
    fasta = tmp_path / "in.fa"
    fasta.write_bytes(FASTA)
    seen = {}
    for command in ("predict", "annotate"):
        for fmt in ("jsonl", "json"):
            res = run_cli([command, fasta, "-f", fmt])
            assert res.code == 0, res.err
            if fmt == "jsonl":
                row = json.loads(res.out.splitlines()[0])
                seen[f"{command} jsonl row"] = row["rules_version"]
            else:
                row = json.loads(res.out)
            seen[f"{command} {fmt} provenance"] = row["provenance"]["rules"]["version"]
        gff = run_cli([command, fasta, "-f", "gff3"]).out
        seen[f"{command} gff3"] = re.search(r"; rules (\S+)", gff).group(1)
    pq = pytest.importorskip("pyarrow.parquet")
    for command in ("predict", "annotate"):
        out = tmp_path / f"{command}.parquet"
        assert run_cli([command, fasta, "-f", "parquet", "-o", out]).code == 0
        seen[f"{command} parquet"] = json.loads(pq.read_schema(out).metadata[b"secannot"])["rules"]["version"]
    tsv = run_cli(["annotate", fasta]).rows
    seen["annotate tsv column (VEGFA)"] = dict(zip(tsv[0], tsv[1], strict=True))["rules_version"]
    table = tmp_path / "t.tsv"
    table.write_text(f"id\tseq\nx\t{SEQ}\n")
    res = run_cli(["annotate", "--tsv", table, "--id-column", "id", "--sequence-column", "seq", "-f", "jsonl"])
    seen["annotate --tsv jsonl"] = json.loads(res.out.splitlines()[0])["provenance"]["rules"]["version"]
    assert seen == {key: expected for key in seen}


def test_user_rules_layer_is_named_after_the_bundled_versions(tmp_path):
    rules = tmp_path / "lab"
    rules.mkdir()
    (rules / "tme_lab.yaml").write_text(
        "schema_version: 1\nrules_version: 0.3.0\ndate: '2026-11-27'\nkind: tme\ntitle: lab rules\nentries: []\n")
    fasta = tmp_path / "in.fa"
    fasta.write_bytes(FASTA)
    versions = {json.loads(run_cli([c, fasta, "-f", "json", "--rules", rules]).out)["provenance"]["rules"]["version"]
                for c in ("predict", "annotate")}
    # predict skips the tme file unparsed, yet names it: both commands ran with the same rule set
    assert versions == {f"{_bundled_versions()}+{rules}:0.3.0"}


# -- 9 and 10: API record errors ----------------------------------------------------------------
@pytest.mark.parametrize("records, message", [
    ([("seq2", SEQ), SEQ], r"record 2: its automatic name seq2 \(bare sequences are named seq<position>\) is "
                           r"already the id of record 1"),
    ([SEQ, ("seq1", SEQ)], r"record 2 \(seq1\): duplicate id: seq1 is the automatic name of record 1"),
    ([("", SEQ)], r"^record 1: empty id; give a non-empty id, or pass the bare sequence"),
    ([("  ", SEQ)], r"^record 1: empty id"),
    ([("my protein", SEQ)], r"record 1 \(my protein\): id contains whitespace"),
    ([SEQ[:20] + " " + SEQ[20:]], r"record 1 \(seq1\): sequence contains whitespace \(' ' \(U\+0020 SPACE\) at position 21\)"),
    ([("a", SEQ[:30] + "\n" + SEQ[30:])], r"record 1 \(a\): sequence contains whitespace \('\\n' \(U\+000A"),
    ([("a", SEQ[:10] + "\u0422" + SEQ[10:])],
     r"record 1 \(a\): invalid character\(s\) 'Т' \(U\+0422 CYRILLIC CAPITAL LETTER TE\) \(first at residue 11\)"),
    ([("a", (SEQ[:10] + "\u0422").encode())], r"record 1 \(a\): sequence has byte 0xd0 at position 11"),
], ids=["auto-after-given", "given-after-auto", "empty-id", "blank-id", "id-with-space", "space", "newline",
        "cyrillic", "non-ascii-bytes"])
def test_api_record_errors_name_the_record_and_the_problem(records, message):
    for call in (secannot.predict, secannot.annotate):
        with pytest.raises(InputError, match=message) as info:
            call(records)
        assert "byte 0x" not in str(info.value) or isinstance(records[0][1], bytes)
        assert "a line with only '>'" not in str(info.value)  # FASTA wording does not fit a Python value


def test_api_strips_surrounding_whitespace_and_keeps_distinct_auto_names():
    rows = secannot.predict([f"  {SEQ}\n", ("x", SEQ)])
    assert [r.id for r in rows] == ["seq1", "x"] and rows[0].length == len(SEQ) == rows[1].length


# -- 11: the plot of a masked or withdrawn call -------------------------------------------------
ALBUMIN = ("MKWVTFISLLFLFSSAYSRGVFRRDAHKSEVAHRFKDLGEENFKALVLIAFAQYLQQCPFEDHVKLVNEVTEFAKTCVADESAENCDKSLHTLFGDKL"
           "CTVATLRETYGEMADCCAKQEPERNECFLQHKDDNPNLPRLVRPEVDVMCTAFHDNEETFLKKYLYEIARRHPYFYAPELLFFAKRYKAAFTECCQAAD")


def _for_plot(records):
    from secannot.api import _config, _predictor
    from secannot.pipeline.predictor import predict_stream

    config = _config("eukarya", None, None, ())
    predictor = _predictor(config, False)
    return list(predict_stream(iter(records), config, predictor, annotate=False)), predictor


@pytest.fixture
def masked_results():
    masked = ALBUMIN[:24] + "X" * 16 + ALBUMIN[40:]
    records = [Record("sp|P02768|ALBU_HUMAN", "sp|P02768|ALBU_HUMAN Albumin", masked.encode(), "t", 1),
               Record("allx", "allx", b"M" + b"X" * 199, "t", 3)]  # one known residue: a withdrawn call
    results, predictor = _for_plot(records)
    return results, predictor


def test_plot_title_says_site_unknown_or_withdrawn(masked_results):
    from secannot.report.protein_plot import Threshold, _tracks, title_lines

    (albumin, allx), _ = masked_results
    limit = Threshold(0.88, "eukarya")
    # the pipeline's calls these figures must show (not computed by the plot code)
    assert albumin.route == "classical" and albumin.cleavage_site is None and albumin.confidence == "low"
    assert allx.route == "none" and allx.sp_prob > 0.88
    lines = title_lines(albumin, limit)
    assert "site unknown (ambiguous 25-40)" in lines[3] and "low confidence" in lines[3]
    sp_track = dict((label, segs) for label, segs, _ in _tracks(albumin, None))["SP (predicted)"]
    assert sp_track and sp_track[0][0] == 1 and max(end for _, end, _ in sp_track) == 40
    lines = title_lines(allx, limit)
    assert "≥" not in lines[2] and "0.88" not in lines[2]
    assert "SP withdrawn: ambiguous residues" in lines[3] and "low confidence" in lines[3]
    assert not dict((label, segs) for label, segs, _ in _tracks(allx, None))["SP (predicted)"]


def test_plot_of_a_masked_call_renders_the_status(tmp_path, masked_results):
    pytest.importorskip("matplotlib")
    from secannot.report.plots import protein_plot

    (albumin, _), predictor = masked_results
    path = tmp_path / "alb.svg"
    protein_plot(albumin, [0.5] * 70, path, None, {"organism": "eukarya", "sp_prob": 0.88})
    text = path.read_text()
    assert "site unknown" in text

"""The secretome summary: reading annotate output, counting, enrichment statistics, outputs, the HTML report."""

from __future__ import annotations

import base64
import io
import json
import math
import random
import struct
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import DATA

from secannot.errors import ExitCode, InputError, MissingDependencyError
from secannot.io.annotated import detect_format, load_annotated
from secannot.report.enrichment import Counts, bh_fallback, bh_qvalues, enrich, hypergeom_p, odds_ratio
from secannot.report.output import run_summarize, summary_rows, write_summary
from secannot.report.summary import COLUMN_NAMES, NO_BACKGROUND_NOTE, SUMMARY_COLUMNS, summarize

FIX = DATA / "summarize"
FG_TSV, FG_JSONL, FG_JSON, BG_TSV = (FIX / n for n in ("foreground.tsv", "foreground.jsonl", "foreground.json",
                                                       "background.tsv"))


def rec(id_: str, gene: str | None = None, cells: str = "", processes: str = "", clinical: str = "",
        accession: str | None = None, route: str = "classical", loc: str = "secreted") -> dict:
    """A TSV-shaped record (all strings), as load_annotated returns for TSV."""
    return {"id": id_, "accession": accession or "", "gene": gene or "", "route": route, "localization": loc,
            "cell_sources": cells, "processes": processes, "clinical": clinical}


def row(summary, section: str, category: str):
    return next(r for r in summary.rows if r.section == section and r.category == category)


def upper_tail(k: int, n: int, big_k: int, big_n: int) -> float:
    """P(X >= k) for X ~ Hypergeometric(N, K, n), written out with binomial coefficients."""
    total = math.comb(big_n, n)
    return sum(math.comb(big_k, x) * math.comb(big_n - big_k, n - x) for x in range(k, min(n, big_k) + 1)) / total


# --------------------------------------------------------------------------- statistics by hand


def test_hypergeometric_p_matches_hand_computed_combinatorics():
    # N=10 proteins, K=4 in the category, n=3 hits of which k=2 in it:
    # P(X>=2) = [C(4,2)C(6,1) + C(4,3)C(6,0)] / C(10,3) = (6*6 + 4*1) / 120 = 1/3
    by_hand = (math.comb(4, 2) * math.comb(6, 1) + math.comb(4, 3) * math.comb(6, 0)) / math.comb(10, 3)
    assert by_hand == pytest.approx(1 / 3)
    assert hypergeom_p(Counts(k=2, n=3, K=4, N=10)) == pytest.approx(by_hand, rel=1e-12)


def test_hypergeometric_p_equals_fisher_exact_greater():
    from scipy.stats import fisher_exact

    counts = Counts(k=5, n=12, K=7, N=34)
    a, b, c, d = counts.table()
    assert (a, b, c, d) == (5, 7, 2, 20)
    assert hypergeom_p(counts) == pytest.approx(fisher_exact([[a, b], [c, d]], alternative="greater")[1], rel=1e-9)


def test_category_carried_by_no_hit_has_p_one():
    assert hypergeom_p(Counts(k=0, n=3, K=4, N=10)) == 1.0


def test_odds_ratio_plain_table():
    # a=2 b=1 c=2 d=5 -> (2*5)/(1*2)
    assert Counts(2, 3, 4, 10).table() == (2, 1, 2, 5)
    assert odds_ratio(Counts(2, 3, 4, 10)) == pytest.approx(5.0)


def test_odds_ratio_is_empty_when_a_cell_is_zero():
    # a=3 b=0 c=1 d=6: infinite sample ratio, not replaced by a +0.5 estimate
    assert Counts(3, 3, 4, 10).table() == (3, 0, 1, 6)
    assert odds_ratio(Counts(3, 3, 4, 10)) is None
    # k=0: a=0 b=3 c=4 d=3: ratio 0, not an over-representation estimate
    assert odds_ratio(Counts(0, 3, 4, 10)) is None


def test_impossible_counts_are_rejected():
    with pytest.raises(ValueError):
        Counts(k=3, n=2, K=4, N=10)
    with pytest.raises(ValueError):
        Counts(k=1, n=9, K=5, N=10)  # 8 hits outside the category, but only 5 such proteins


BH_P = [0.005, 0.04, 0.03, 0.04, 0.5, 0.011]
# Sorted: 0.005 (rank 1), 0.011 (2), 0.03 (3), 0.04 (4), 0.04 (5), 0.5 (6); m = 6.
# p*m/rank: 0.03, 0.033, 0.06, 0.06, 0.048, 0.5; running minimum from the top:
# rank 6 0.5, 5 0.048, 4 0.048, 3 0.048, 2 0.033, 1 0.03 -> the tied 0.04s share 0.048.
BH_Q = [0.03, 0.048, 0.048, 0.048, 0.5, 0.033]


@pytest.mark.parametrize("bh", [bh_qvalues, bh_fallback], ids=["scipy", "fallback"])
def test_benjamini_hochberg_by_hand_with_ties(bh):
    assert bh(BH_P) == pytest.approx(BH_Q, rel=1e-12)


def test_benjamini_hochberg_caps_at_one_and_handles_empty():
    assert bh_fallback([0.99, 1.0]) == pytest.approx([1.0, 1.0])
    assert bh_qvalues([]) == []


def test_fallback_used_when_scipy_lacks_false_discovery_control(monkeypatch):
    import scipy.stats

    monkeypatch.delattr(scipy.stats, "false_discovery_control", raising=False)
    assert bh_qvalues(BH_P) == pytest.approx(BH_Q, rel=1e-12)


def test_enrich_corrects_across_all_categories_passed():
    tests = enrich({"a": Counts(2, 3, 4, 10), "b": Counts(0, 3, 4, 10), "c": Counts(3, 3, 3, 10)})
    ps = [tests[n].p_value for n in "abc"]
    assert [tests[n].q_value for n in "abc"] == pytest.approx(bh_fallback(ps))


# --------------------------------------------------------------------------- enrichment through summarize


def small_case():
    """Hits A, B, C among background A..F; CAF on A, B, D; angiogenesis on D only (background-only)."""
    fg = [rec("a", "GA", cells="CAF", accession="P00001"), rec("b", "GB", cells="CAF", accession="P00002"),
          rec("c", "GC", accession="P00003")]
    bg = fg + [rec("d", "GD", cells="CAF", processes="angiogenesis", accession="P00004"),
               rec("e", "GE", accession="P00005", route="none", loc="intracellular"),
               rec("f", "GF", accession="P00006", route="none", loc="intracellular")]
    return fg, bg


def test_summary_counts_and_p_values_against_background():
    fg, bg = small_case()
    s = summarize(fg, bg, min_size=1)  # a six-protein background: test every category
    caf = row(s, "cell_source", "CAF")
    assert (caf.count, caf.background_count, caf.genes) == (2, 3, ("GA", "GB"))
    assert (s.input_size, s.background_size) == (3, 6)
    assert caf.fraction == pytest.approx(2 / 3) and caf.background_fraction == pytest.approx(3 / 6)
    assert caf.p_value == pytest.approx(upper_tail(2, 3, 3, 6))  # = (3*3 + 1) / 20 = 0.5
    assert caf.p_value == pytest.approx(0.5)
    # a=2 b=1 c=1 d=2
    assert caf.odds_ratio == pytest.approx(4.0)
    # Woolf: exp(ln 4 +- 1.96 * sqrt(1/2 + 1 + 1 + 1/2)) = exp(1.386 +- 3.395)
    assert (caf.odds_ratio_ci_low, caf.odds_ratio_ci_high) == pytest.approx((0.1342, 119.2), rel=1e-3)
    assert caf.fold_enrichment == pytest.approx((2 / 3) / (3 / 6))


def test_category_only_in_background_is_reported_with_p_one():
    fg, bg = small_case()
    ang = row(summarize(fg, bg, min_size=1), "process", "angiogenesis")
    assert (ang.count, ang.background_count, ang.genes, ang.p_value) == (0, 1, (), 1.0)
    assert ang.q_value == 1.0


def test_foreground_missing_from_background_is_added_with_a_warning():
    fg, bg = small_case()
    extra = rec("z", "GZ", cells="CAF;TAM", accession="P00009")
    warnings: list[str] = []
    s = summarize(fg + [extra], bg, warn=warnings.append, min_size=1)
    assert s.background_size == 7
    assert any("not in the background" in w and "GZ" in w for w in warnings)
    assert any("not in the background" in n for n in s.notes)
    tam = row(s, "cell_source", "TAM")  # a category no background protein had: K comes from the added hit
    assert (tam.count, tam.background_count) == (1, 1)
    assert tam.p_value == pytest.approx(upper_tail(1, 4, 1, 7))  # = 4/7
    caf = row(s, "cell_source", "CAF")
    assert (caf.count, caf.background_count) == (3, 4)


def test_proteins_match_by_accession_before_gene_and_id():
    fg = [rec("sp|P00001|X_HUMAN", "GA", cells="CAF", accession="P00001")]
    bg = [rec("P00001", "", cells="CAF", accession="P00001"), rec("q", "GQ", accession="P00002")]
    warnings: list[str] = []
    s = summarize(fg, bg, warn=warnings.append, min_size=1)
    assert s.background_size == 2 and not warnings


def test_duplicates_count_once_whatever_the_order():
    a1 = rec("sp|P00001-2|X", "GA", cells="CAF", accession="P00001")
    a2 = rec("sp|P00001|X", "GA", cells="CAF;TAM", accession="P00001")
    s1, s2 = summarize([a1, a2]), summarize([a2, a1])
    assert s1.input_size == 1 and s1.rows == s2.rows
    assert any("duplicate" in n for n in s1.notes)


def test_without_background_counts_only_and_says_why():
    fg, _ = small_case()
    warnings: list[str] = []
    s = summarize(fg, None, warn=warnings.append)
    assert all(r.p_value is None and r.q_value is None and r.background_count is None for r in s.rows)
    assert NO_BACKGROUND_NOTE in warnings
    out = io.StringIO()
    write_summary(s, out, "tsv")
    text = out.getvalue()
    assert not any(line.startswith("#") for line in text.splitlines())  # one header row: pandas/R read it as is
    header = text.splitlines()[0]
    assert header.split("\t") == list(COLUMN_NAMES)
    caf_line = next(line for line in text.splitlines() if line.startswith("cell_source\tCAF"))
    assert caf_line.split("\t") == ["cell_source", "CAF", "2", "", "0.6667", "", "", "", "", "GA;GB", "", "", "", "", ""]
    out = io.StringIO()
    write_summary(s, out, "json", {"tool": {"name": "secannot"}})
    doc = json.loads(out.getvalue())
    assert doc["summary"]["no_test_reason"] == NO_BACKGROUND_NOTE and doc["summary"]["test"] is None
    assert doc["provenance"] == {"tool": {"name": "secannot"}}


def test_clinical_category_and_token_rows():
    fg = [rec("a", "VEGFA", clinical="approved_target:bevacizumab;approved_target:ziv-aflibercept"),
          rec("b", "CCL2", clinical="investigational_target:failed:carlumab"),
          rec("c", "KLK3", clinical="fda_marker:serum:prostate")]
    s = summarize(fg)
    assert row(s, "clinical_category", "approved_target").count == 1
    assert row(s, "clinical_category", "investigational_target").genes == ("CCL2",)
    assert row(s, "clinical_token", "investigational_target:failed:carlumab").count == 1
    hits = {(h.gene, h.status, h.outcome, h.drugs) for h in s.clinical_hits}
    assert ("CCL2", "investigational_target", "failed", ("carlumab",)) in hits
    assert ("VEGFA", "approved_target", None, ("bevacizumab",)) in hits
    assert [h.status for h in s.clinical_hits] == sorted(
        (h.status for h in s.clinical_hits), key=["fda_marker", "approved_target", "investigational_target"].index)


# --------------------------------------------------------------------------- fixtures: formats and order


def test_load_keeps_input_order_and_detects_format_from_content(tmp_path):
    tsv = load_annotated(FG_TSV)
    assert [r["gene"] for r in tsv][:3] == ["VEGFA", "MMP2", "MMP9"]
    renamed = tmp_path / "hits.tsv"  # JSONL content under a misleading name
    renamed.write_text(FG_JSONL.read_text(encoding="utf-8"), encoding="utf-8")
    assert [r["gene"] for r in load_annotated(renamed)] == [r["gene"] for r in tsv]
    assert detect_format(FG_TSV.read_text()) == "tsv"
    assert detect_format(FG_JSONL.read_text()) == "jsonl"
    assert detect_format(FG_JSON.read_text()) == "json"
    assert detect_format(">sp|P15692|VEGFA_HUMAN\nMNFLLSW\n") is None


def test_the_three_formats_give_the_same_table():
    bg = load_annotated(BG_TSV)
    tables = [summarize(load_annotated(p), bg).rows for p in (FG_TSV, FG_JSONL, FG_JSON)]
    assert tables[0] == tables[1] == tables[2]


def test_fixture_caf_enrichment_by_hand():
    s = summarize(load_annotated(FG_JSONL), load_annotated(BG_TSV))
    caf = row(s, "cell_source", "CAF")
    assert (s.input_size, s.background_size, caf.count, caf.background_count) == (12, 34, 9, 11)
    assert caf.p_value == pytest.approx(upper_tail(9, 12, 11, 34), rel=1e-9)
    marker = row(s, "clinical_category", "fda_marker")
    assert (marker.count, marker.background_count) == (1, 8)
    assert marker.p_value == pytest.approx(upper_tail(1, 12, 8, 34), rel=1e-9)


def test_output_is_independent_of_input_order():
    fg, bg = load_annotated(FG_JSONL), load_annotated(BG_TSV)
    expected = {fmt: _render(summarize(fg, bg), fmt) for fmt in ("tsv", "json")}
    rng = random.Random(20261127)
    for _ in range(3):
        fg2, bg2 = fg[:], bg[:]
        rng.shuffle(fg2)
        rng.shuffle(bg2)
        for fmt in ("tsv", "json"):
            assert _render(summarize(fg2, bg2), fmt) == expected[fmt]


def _render(summary, fmt: str) -> str:
    out = io.StringIO()
    write_summary(summary, out, fmt, {"tool": {"name": "secannot"}})
    return out.getvalue()


def test_rows_are_sorted_by_section_then_p_value():
    s = summarize(load_annotated(FG_TSV), load_annotated(BG_TSV))
    sections = [r.section for r in s.rows]
    assert sections == sorted(sections, key=["route", "localization", "cell_source", "process",
                                             "clinical_category", "clinical_token", "crosstalk_within",
                                             "crosstalk_to_background", "crosstalk_from_background"].index)
    cells = [r for r in s.rows if r.section == "cell_source"]
    tested = [r for r in cells if r.tested]
    assert tested and cells[:len(tested)] == tested  # tested rows first, then those below --min-size
    assert [r.p_value for r in tested] == sorted(r.p_value for r in tested)
    assert all(r.background_count < s.min_size for r in cells[len(tested):])
    assert cells[0].category == "CAF"


def test_json_output_has_columns_methods_and_rows():
    s = summarize(load_annotated(FG_JSONL), load_annotated(BG_TSV))
    doc = json.loads(_render(s, "json"))
    assert [c["name"] for c in doc["columns"]] == list(COLUMN_NAMES)
    assert all(list(r) == list(COLUMN_NAMES) for r in doc["rows"])
    assert "hypergeometric" in doc["summary"]["test"] and "Benjamini-Hochberg" in doc["summary"]["multiple_testing"]
    assert doc["summary"]["background_size"] == 34
    klk3 = [h for h in doc["clinical_hits"] if h["gene"] == "KLK3"]
    assert klk3 and any(e.get("pmid") == "24088261" for h in klk3 for e in h["evidence"])


def test_column_dictionary_matches_rows():
    names = [n for n, _ in SUMMARY_COLUMNS]
    assert len(set(names)) == len(names) and all(d for _, d in SUMMARY_COLUMNS)
    fg, bg = small_case()
    assert all(list(r) == names for r in summary_rows(summarize(fg, bg)))


# --------------------------------------------------------------------------- bad input


def test_fasta_is_not_annotated_output(tmp_path):
    path = tmp_path / "x.fasta"
    path.write_text(">sp|P15692|VEGFA_HUMAN\nMNFLLSW\n")
    with pytest.raises(InputError, match="annotated first"):
        load_annotated(path)


def test_predict_output_lacks_annotation_columns(tmp_path):
    path = tmp_path / "predict.tsv"
    path.write_text("id\tlength\troute\tlocalization\nP1\t100\tclassical\tsecreted\n")
    with pytest.raises(InputError, match="secannot annotate"):
        load_annotated(path)


def test_malformed_lines_are_named(tmp_path):
    lines = FG_TSV.read_text().splitlines()
    bad = tmp_path / "bad.tsv"
    bad.write_text("\n".join(lines[:3] + ["only\ttwo"] + lines[3:]) + "\n")
    with pytest.raises(InputError, match=r"bad.tsv:4:"):
        load_annotated(bad)
    bad_jsonl = tmp_path / "bad.jsonl"
    bad_jsonl.write_text(FG_JSONL.read_text().splitlines()[0] + "\n{not json\n")
    with pytest.raises(InputError, match=r"bad.jsonl:2:"):
        load_annotated(bad_jsonl)


def test_empty_inputs_and_unknown_format():
    with pytest.raises(InputError):
        summarize([])
    with pytest.raises(InputError):
        summarize([rec("a")], [])
    with pytest.raises(InputError):
        run_summarize([rec("a")], None, io.StringIO(), "xml", None, None, {}, lambda m: None)


def test_run_summarize_writes_the_table(tmp_path):
    out = io.StringIO()
    warnings: list[str] = []
    run_summarize(load_annotated(FG_TSV), load_annotated(BG_TSV), out, "tsv", None, None, {}, warnings.append)
    assert "cell_source\tCAF\t9\t11\t" in out.getvalue()
    assert len(warnings) == 1 and "fewer than 5 background proteins and were not tested" in warnings[0]


# --------------------------------------------------------------------------- missing matplotlib


def test_missing_matplotlib_fails_before_writing_anything(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = io.StringIO()
    with pytest.raises(MissingDependencyError) as info:
        run_summarize(load_annotated(FG_TSV), None, out, "tsv", str(tmp_path / "r.html"), None, {}, lambda m: None)
    assert out.getvalue() == ""
    assert not (tmp_path / "r.html").exists()
    message = str(info.value)
    assert "pip install 'secannot[report]'" in message and "Traceback" not in message and "\n" not in message
    assert info.value.exit_code == ExitCode.DEPENDENCY == 7


def test_bad_plot_extension_fails_before_writing(tmp_path):
    pytest.importorskip("matplotlib")
    out = io.StringIO()
    with pytest.raises(InputError, match=r"\.png, \.svg"):
        run_summarize(load_annotated(FG_TSV), None, out, "tsv", None, str(tmp_path / "chart.jpg"), {}, lambda m: None)
    assert out.getvalue() == ""


# --------------------------------------------------------------------------- HTML report


class _Collector(HTMLParser):
    """Every start tag with its attributes, and the text of inline <svg> and <style> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.style: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        (self.style if self._in_style else self.text).append(data)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def _parse_report(path: Path) -> _Collector:
    text = path.read_text(encoding="utf-8")
    parser = _Collector()
    parser.feed(text)
    parser.close()
    return parser


def _check_self_contained(parser: _Collector, raw: str) -> int:
    """No resource is loaded from outside; returns the number of embedded images checked."""
    images = 0
    for tag, attrs in parser.tags:
        assert tag not in ("script", "link", "iframe", "object", "embed", "source", "video", "audio"), tag
        for name in ("src", "href", "srcset", "data", "poster"):
            value = (attrs.get(name) or "").strip().lower()
            if tag == "a" and name == "href":
                continue  # clicked, not loaded
            assert not value.startswith(("http:", "https:", "//", "ftp:")), (tag, name, value)
        if tag == "img":
            src = attrs["src"]
            assert src.startswith("data:image/png;base64,")
            width, height = _png_size(base64.b64decode(src.split(",", 1)[1], validate=True))
            assert 300 <= width <= 4000 and 150 <= height <= 4000
            images += 1
    css = "".join(parser.style).lower()
    assert "url(" not in css and "@import" not in css
    for start in range(raw.count("<svg")):  # inline SVG, if any, must be well-formed XML
        chunk = raw.split("<svg")[start + 1].split("</svg>")[0]
        ET.fromstring("<svg" + chunk + "</svg>")
    return images


def test_report_is_self_contained_with_evidence_links(tmp_path):
    pytest.importorskip("matplotlib")
    from secannot.report.html import write_report

    records = load_annotated(FG_JSONL)
    s = summarize(records, load_annotated(BG_TSV))
    path = tmp_path / "report.html"
    write_report(s, path, {"tool": {"name": "secannot", "version": "test"}}, records)
    raw = path.read_text(encoding="utf-8")
    parser = _parse_report(path)
    assert s.crosstalk and _check_self_contained(parser, raw) == 2  # bar chart and crosstalk heat map
    hrefs = [a.get("href") for t, a in parser.tags if t == "a"]
    assert "https://pubmed.ncbi.nlm.nih.gov/24088261/" in hrefs
    assert "https://doi.org/10.1186/1559-0275-10-13" in hrefs
    assert "https://doi.org/10.17160/josha.11.3.991" in hrefs  # the founding review, linked by DOI
    text = " ".join(parser.text)
    assert "J. Bersano, JOSHA 11(3), section 3.5 (Clinical implications and future perspectives)" in text
    for expected in ("input proteins", "background proteins", "34", "KLK3", "carlumab",
                     "Investigational targets (clinical trials): failed",
                     "Investigational targets (clinical trials): promising", "Targets of approved cancer drugs"):
        assert expected in text
    assert raw.startswith("<!DOCTYPE html>")


def test_report_without_background_says_why(tmp_path):
    pytest.importorskip("matplotlib")
    from secannot.report.html import write_report

    path = tmp_path / "r.html"
    write_report(summarize(load_annotated(FG_TSV)), path, {})
    parser = _parse_report(path)
    assert _check_self_contained(parser, path.read_text(encoding="utf-8")) == 1
    text = " ".join(parser.text)
    assert "no p-values" in text
    assert "TSV carries no evidence" in text  # TSV input: tokens only


def test_report_escapes_text_and_refuses_script_urls(tmp_path):
    pytest.importorskip("matplotlib")
    from secannot.report.html import write_report

    evil = {
        **rec("<img src=x>", "<script>alert(1)</script>", cells="CAF", clinical="approved_target:x"),
        "annotation": {"clinical": [{"status": "approved_target", "drugs": ["<b>drug</b>"],
                                     "note": "a \"quoted\" <note>",
                                     "evidence": [{"source": "s1"}, {"doi": "10.1/x\"onmouseover=\"y"}]}],
                       "sources": {"s1": {"citation": "<i>c</i>", "url": "javascript:alert(1)"}}},
    }
    path = tmp_path / "evil.html"
    write_report(summarize([evil]), path, {"tool": "<x>"})
    raw = path.read_text(encoding="utf-8")
    parser = _parse_report(path)
    _check_self_contained(parser, raw)
    assert not any(t in ("script", "b", "i") for t, _ in parser.tags)
    assert [t for t, _ in parser.tags].count("img") == 1  # only the chart
    assert "javascript:" not in " ".join(a.get("href") or "" for t, a in parser.tags if t == "a")
    assert all("onmouseover" not in a for t, a in parser.tags)
    assert "<script>alert(1)</script>" in " ".join(parser.text)  # shown as text


def test_run_summarize_writes_report_and_plot(tmp_path):
    pytest.importorskip("matplotlib")
    out = io.StringIO()
    report, plot = tmp_path / "r.html", tmp_path / "c.svg"
    run_summarize(load_annotated(FG_JSON), load_annotated(BG_TSV), out, "json", str(report), str(plot),
                  {"tool": {"name": "secannot"}}, lambda m: None)
    assert json.loads(out.getvalue())["summary"]["input_size"] == 12
    assert report.stat().st_size > 1000
    assert ET.parse(plot).getroot().tag.endswith("svg")

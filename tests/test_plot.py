"""Figures: per-protein signal-peptide plots (titles of masked, withdrawn and unassessed calls too), the
summary bar chart, figure file names, and the missing-matplotlib path."""

from __future__ import annotations

import re
import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from helpers import DATA, EXAMPLE_FASTA, SUBSET_FASTA, run_cli

from secannot.errors import ExitCode, InputError, MissingDependencyError
from secannot.io.fasta import Record
from secannot.results import Result, Segment

FIX = DATA / "summarize"

# The first residues of VEGFA (UniProt P15692), enough for the 70-residue window and a whole-protein track.
SEQ = (b"MNFLLSWVHWSLALLLYLHHAKWSQAAPMAEGGGQNHHEVVKFMDVYQRSYCHPIETLVDIFQEYPDEIEYIFKPSCVPLMRCGGCCNDEGLECVPTEESN"
       b"ITMQIMRIKPHQGQHIGEMSFLQHNKCECRPKKDRARQENPCGPCSERRKHLFVQDPQTCKCSCKNTDSRCKARQLELNERTCRCDKPRR")


def result(id_: str = "sp|P15692|VEGFA_HUMAN", seq: bytes = SEQ, **fields) -> Result:
    return Result(record=Record(id_, id_, seq, "test", 1), **fields)


def sp_probs(cleavage: int) -> np.ndarray:
    """A made-up per-residue P(in SP) that falls off after the cleavage site (not model output)."""
    x = np.arange(1, 71)
    return (1.0 / (1.0 + np.exp(x - cleavage - 0.5))).astype(np.float32)


def classical() -> Result:
    return result(sp_prob=0.99, cleavage_site=26, cs_prob=0.8, route="classical", localization="secreted")


def decorated() -> Result:
    """Every track drawn: TM, signal anchor, GPI omega + tail, ER motif."""
    return result("sp|Q00000|ALL_FEATURES", sp_prob=0.4, route="none", localization="gpi_anchored",
                  tm_segments=[Segment(120, 142), Segment(172, 190)], signal_anchor=Segment(5, 25),
                  gpi={"omega_site": 160, "hydrophobic_tail": "172-190"}, er_motif="KDEL")


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def pdf_pages(path: Path) -> int:
    data = path.read_bytes()
    assert data[:5] == b"%PDF-" and b"%%EOF" in data[-64:]
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))


def is_svg(path: Path) -> bool:
    return ET.parse(path).getroot().tag.endswith("svg")


@pytest.fixture
def mpl():
    return pytest.importorskip("matplotlib")


# --------------------------------------------------------------------------- per-protein plots


def test_protein_plot_png_with_uniprot_signal(tmp_path, mpl):
    from secannot.report.plots import protein_plot

    path = tmp_path / "vegfa.png"
    assert protein_plot(classical(), sp_probs(26), path, uniprot_signal="1-26") == str(path)
    width, height = png_size(path)
    assert 600 <= width <= 3000 and 300 <= height <= 2000
    assert not list(tmp_path.glob("*.svg"))


def test_protein_plot_svg_with_every_track(tmp_path, mpl):
    from secannot.report.plots import protein_plot

    path = tmp_path / "all.svg"
    protein_plot(decorated(), sp_probs(0), path, uniprot_signal=Segment(1, 22))
    assert is_svg(path)
    text = path.read_text()
    assert "KDEL" in text or "ER retention" in text


def test_short_protein_and_model_shaped_input(tmp_path, mpl):
    from secannot.report.plots import protein_plot

    short = result("short", seq=b"MKLLVLLLAVALAQA" * 2, sp_prob=0.9, cleavage_site=15, route="classical")
    protein_plot(short, sp_probs(15), tmp_path / "short.png")  # 30 residues, 70 probabilities
    assert png_size(tmp_path / "short.png")[0] > 0


def test_real_model_output_shape_is_accepted(tmp_path, mpl):
    """The contract with spmodel: a (70,) row of position_probs; the values themselves are not checked."""
    from secannot.models.signal_peptide import SignalPeptideModel
    from secannot.report.plots import protein_plot

    calls = SignalPeptideModel.load().predict([SEQ], 0, positions=True)
    cs = int(calls.cleavage[0]) or None
    res = result(sp_prob=float(calls.sp_prob[0]), cleavage_site=cs, route="classical" if cs else "none")
    protein_plot(res, calls.position_probs[0], tmp_path / "model.png")
    assert png_size(tmp_path / "model.png")[0] > 0


def test_multipage_pdf_has_one_page_per_protein(tmp_path, mpl):
    from secannot.report.plots import run_plot

    out = tmp_path / "plots.pdf"
    written = run_plot([(classical(), sp_probs(26), "1-26"), (decorated(), sp_probs(0), None)], str(out), None)
    assert written == [str(out)]
    assert pdf_pages(out) >= 2


def test_one_file_per_protein_in_a_directory_with_safe_names(tmp_path, mpl):
    from secannot.report.plots import run_plot

    items = [(classical(), sp_probs(26), None), (result("sp|P15692|VEGFA/HUMAN"), sp_probs(0), None),
             (result("sp|P15692|VEGFA:HUMAN"), sp_probs(0), None)]
    out = tmp_path / "plots"
    written = run_plot(items, str(out) + "/", "svg")
    names = [Path(p).name for p in written]
    assert names == ["sp_P15692_VEGFA_HUMAN.svg", "sp_P15692_VEGFA_HUMAN_2.svg", "sp_P15692_VEGFA_HUMAN_3.svg"]
    assert all(is_svg(Path(p)) for p in written)


def test_file_name_gets_the_id_inserted_for_several_proteins(tmp_path, mpl):
    from secannot.report.plots import plot_targets

    out = str(tmp_path / "fig.png")
    assert plot_targets(["a|b"], out, None) == ("png", [out], False)
    assert plot_targets(["a|b", "c"], out, None) == (
        "png", [str(tmp_path / "fig_a_b.png"), str(tmp_path / "fig_c.png")], False)
    assert plot_targets(["a", "b"], str(tmp_path / "all.pdf"), None) == ("pdf", [str(tmp_path / "all.pdf")], True)


def test_bad_plot_targets(tmp_path, mpl):
    from secannot.report.plots import plot_targets, protein_plot

    with pytest.raises(InputError, match="extension"):
        protein_plot(classical(), sp_probs(26), tmp_path / "x.jpg")
    with pytest.raises(InputError, match="format is svg"):
        plot_targets(["a"], str(tmp_path / "x.png"), "svg")
    with pytest.raises(ValueError):
        protein_plot(classical(), np.zeros((1, 70)), tmp_path / "x.png")
    with pytest.raises(InputError, match="not stdout"):
        plot_targets(["a"], "-", None)


def test_extensionless_out_is_a_directory(tmp_path):
    from secannot.report.plots import plot_targets

    assert plot_targets(["P1", "P2"], str(tmp_path / "plots"), None) == (
        "png", [str(tmp_path / "plots" / "P1.png"), str(tmp_path / "plots" / "P2.png")], False)


# --------------------------------------------------------------------------- print quality of the protein plot


def svg_texts(path: Path) -> list[tuple[str, float]]:
    """(text, font size in pt) of every <text> in an SVG written with svg.fonttype 'none'."""
    out = []
    for el in ET.parse(path).getroot().iter():
        if el.tag.endswith("text"):
            content = "".join(el.itertext()).strip()
            size = re.search(r"font(?:-size)?:[^;]*?([\d.]+)px", el.get("style", ""))
            out.append((content, float(size.group(1)) if size else 0.0))  # matplotlib SVG user units are pt
    return out


def svg_width_mm(path: Path) -> float:
    width = ET.parse(path).getroot().get("width")
    assert width.endswith("pt")
    return float(width[:-2]) / 72 * 25.4


def _thresholds(value: float = 0.88) -> dict:
    return {"organism": "eukarya", "sp_prob": value}


def test_protein_plot_fits_a_journal_column_with_legible_text(tmp_path, mpl):
    from secannot.report.plots import protein_plot

    path = tmp_path / "vegfa.svg"
    protein_plot(classical(), sp_probs(26), path, "1-24", _thresholds())
    assert 80 <= svg_width_mm(path) <= 90  # one column of a journal page (85 mm)
    texts = svg_texts(path)
    assert texts and min(size for _, size in texts) >= 6.0  # nothing below 6 pt at 100 %
    # The sequence strip: all 70 residues of the window, one legible letter each.
    letters = [t for t, _ in texts if len(t) == 1 and t.isalpha() and t.isupper()]
    assert "".join(letters).startswith(SEQ[:70].decode())


def test_protein_plot_png_is_print_resolution(tmp_path, mpl):
    from secannot.report.plots import protein_plot

    path = tmp_path / "vegfa.png"
    protein_plot(classical(), sp_probs(26), path, "1-26", _thresholds())
    width, _ = png_size(path)
    assert 950 <= width <= 1060  # 85 mm at 300 dpi


def test_title_names_gene_protein_and_accession(tmp_path, mpl):
    from secannot.report.plots import protein_plot

    header = "sp|P15692|VEGFA_HUMAN Vascular endothelial growth factor A OS=Homo sapiens OX=9606 GN=VEGFA PE=1 SV=2"
    res = Result(record=Record("sp|P15692|VEGFA_HUMAN", header, SEQ, "t", 1), sp_prob=0.99, cleavage_site=26,
                 route="classical", localization="secreted")
    path = tmp_path / "t.svg"
    protein_plot(res, sp_probs(26), path, None, _thresholds())
    texts = [t for t, _ in svg_texts(path)]
    assert "VEGFA (P15692)" in texts and "Vascular endothelial growth factor A" in texts


def test_threshold_is_drawn_with_its_value_and_organism_group(tmp_path, mpl):
    """MSLN-like near miss: P(SP) 0.870 under the 0.88 threshold must be visible and stated."""
    from secannot.report.plots import protein_plot

    near_miss = result(sp_prob=0.870, route="none", localization="membrane")
    path = tmp_path / "msln.svg"
    protein_plot(near_miss, sp_probs(30) * 0.87, path, None, _thresholds(0.88))
    texts = [t for t, _ in svg_texts(path)]
    assert "threshold 0.88 (eukarya)" in texts
    assert any("P(SP) 0.870 < 0.88" in t for t in texts)
    other = tmp_path / "gram.svg"
    protein_plot(near_miss, sp_probs(30), other, None, {"organism": "gram-negative", "sp_prob": 0.5})
    assert "threshold 0.50 (gram-negative)" in [t for t, _ in svg_texts(other)]


def test_coinciding_sites_share_one_line_with_both_labels(tmp_path, mpl):
    from secannot.report.plots import protein_plot

    same, apart = tmp_path / "same.svg", tmp_path / "apart.svg"
    protein_plot(classical(), sp_probs(26), same, "1-26", _thresholds())
    protein_plot(classical(), sp_probs(26), apart, "1-24", _thresholds())
    same_texts = [t for t, _ in svg_texts(same)]
    assert "cleavage after 26 (predicted = UniProt)" in same_texts
    assert not any(t.startswith("UniProt signal end") for t in same_texts)
    apart_texts = [t for t, _ in svg_texts(apart)]
    assert "predicted cleavage after 26" in apart_texts and "UniProt signal end 24" in apart_texts


def test_palette_is_okabe_ito(tmp_path, mpl):
    from secannot.report.figures import OKABE_ITO
    from secannot.report.plots import protein_plot

    path = tmp_path / "all.svg"
    protein_plot(decorated(), sp_probs(0), path, "1-22", _thresholds())
    text = path.read_text().lower()
    fills = set(re.findall(r"fill: (#[0-9a-f]{6})", text)) | set(re.findall(r"stroke: (#[0-9a-f]{6})", text))
    coloured = {c for c in fills if len({c[1:3], c[3:5], c[5:7]}) > 1}  # ignore greys, black and white
    allowed = {c.lower() for c in OKABE_ITO.values()}
    assert coloured and coloured <= allowed, coloured - allowed


def test_gpi_track_states_the_ranges_of_the_evidence(tmp_path, mpl):
    from secannot.report.plots import protein_plot

    path = tmp_path / "gpi.svg"
    protein_plot(decorated(), sp_probs(0), path, None, _thresholds())
    assert any("ω 160, cleaved 161-" in t and "tail 172-190" in t for t, _ in svg_texts(path))


# --------------------------------------------------------------------------- enrichment dot plot


def test_dot_plot_png_svg_pdf_titled_with_the_inputs(tmp_path, mpl):
    from secannot.io.annotated import load_annotated
    from secannot.report.plots import PlotTitle, enrichment_plot
    from secannot.report.summary import summarize

    fg = load_annotated(FIX / "foreground.tsv")
    with_bg = summarize(fg, load_annotated(FIX / "background.tsv"))
    title = PlotTitle(("foreground.tsv",), "background.tsv")
    enrichment_plot(with_bg, tmp_path / "dots.svg", title)
    texts = [t for t, _ in svg_texts(tmp_path / "dots.svg")]
    assert "foreground.tsv (n = 12) vs background.tsv (N = 34)" in texts
    assert "q (BH)" in texts and any("fold enrichment" in t for t in texts)
    assert 80 <= svg_width_mm(tmp_path / "dots.svg") <= 90
    enrichment_plot(with_bg, tmp_path / "dots.png", title)
    assert png_size(tmp_path / "dots.png")[0] > 900
    enrichment_plot(with_bg, tmp_path / "dots.pdf", title)
    assert pdf_pages(tmp_path / "dots.pdf") == 1
    enrichment_plot(summarize(fg), tmp_path / "counts.svg")
    assert any("hit ratio" in t for t, _ in svg_texts(tmp_path / "counts.svg"))
    with pytest.raises(InputError):
        enrichment_plot(with_bg, tmp_path / "dots.jpg")


def test_dot_plot_rows_follow_the_x_axis(mpl):
    from secannot.io.annotated import load_annotated
    from secannot.report.dotplot import panel_rows, x_value
    from secannot.report.summary import summarize

    s = summarize(load_annotated(FIX / "foreground.tsv"), load_annotated(FIX / "background.tsv"), min_size=1)
    for section in ("cell_source", "process"):
        rows, dropped = panel_rows(s, section)
        xs = [round(x_value(s, r), 6) for r in rows]
        assert xs == sorted(xs, reverse=True) and dropped == 0
        assert all(r.count > 0 for r in rows)


def test_dot_plot_marks_untested_categories(tmp_path, mpl):
    from secannot.io.annotated import load_annotated
    from secannot.report.plots import enrichment_plot
    from secannot.report.summary import summarize

    s = summarize(load_annotated(FIX / "foreground.tsv"), load_annotated(FIX / "background.tsv"))
    assert any(r.count and not r.tested for r in s.section("process"))
    enrichment_plot(s, tmp_path / "d.svg")
    assert "(< 5)" in [t for t, _ in svg_texts(tmp_path / "d.svg")]


def test_dot_plot_with_no_tme_categories(tmp_path, mpl):
    from secannot.report.plots import enrichment_plot
    from secannot.report.summary import summarize

    bare = {"id": "x", "route": "none", "localization": "intracellular", "cell_sources": "", "processes": "",
            "clinical": ""}
    enrichment_plot(summarize([bare]), tmp_path / "empty.png")
    assert png_size(tmp_path / "empty.png")[0] > 0


# --------------------------------------------------------------------------- without matplotlib


@pytest.fixture
def no_matplotlib(monkeypatch):
    """Make `import matplotlib` fail as it does when the package is not installed."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)


def _assert_install_hint(error: MissingDependencyError) -> None:
    message = str(error)
    assert "pip install 'secannot[report]'" in message
    assert "Traceback" not in message and "\n" not in message
    assert error.exit_code == ExitCode.DEPENDENCY
    assert error.__cause__ is None and error.__suppress_context__


def test_protein_plots_without_matplotlib(tmp_path, no_matplotlib):
    from secannot.report.plots import protein_plot, run_plot

    with pytest.raises(MissingDependencyError) as info:
        protein_plot(classical(), sp_probs(26), tmp_path / "x.png")
    _assert_install_hint(info.value)
    with pytest.raises(MissingDependencyError) as info:
        run_plot([(classical(), sp_probs(26), None)], str(tmp_path / "x.pdf"), None)
    _assert_install_hint(info.value)
    assert list(tmp_path.iterdir()) == []


def test_dot_plot_without_matplotlib(tmp_path, no_matplotlib):
    from secannot.io.annotated import load_annotated
    from secannot.report.plots import enrichment_plot
    from secannot.report.summary import summarize

    with pytest.raises(MissingDependencyError) as info:
        enrichment_plot(summarize(load_annotated(FIX / "foreground.tsv")), tmp_path / "c.png")
    _assert_install_hint(info.value)


def test_plot_command_reads_the_threshold_from_the_model(tmp_path, mpl):
    """`secannot plot` draws the decision threshold the model file gives for the organism group."""
    import json as _json
    from importlib import resources

    meta = _json.loads((resources.files("secannot") / "data" / "sp_model.json").read_text())
    one = tmp_path / "msln.fa"
    text = SUBSET_FASTA.read_text()
    one.write_text(">" + next(r for r in text.split(">") if "MSLN_HUMAN" in r))
    for organism, name in (("eukarya", "eukarya"), ("gram-negative", "gram-negative")):
        out = tmp_path / f"{name}.svg"
        res = run_cli(["plot", one, "--out", out, "--organism", organism])
        assert res.code == 0, res.err
        expected = f"threshold {meta['decision_threshold'][name]:.2f} ({name})"
        assert expected in [t for t, _ in svg_texts(out)]


# --------------------------------------------------------------------------- a masked, withdrawn or unassessed call
ALBUMIN = ("MKWVTFISLLFLFSSAYSRGVFRRDAHKSEVAHRFKDLGEENFKALVLIAFAQYLQQCPFEDHVKLVNEVTEFAKTCVADESAENCDKSLHTLFGDKL"
           "CTVATLRETYGEMADCCAKQEPERNECFLQHKDDNPNLPRLVRPEVDVMCTAFHDNEETFLKKYLYEIARRHPYFYAPELLFFAKRYKAAFTECCQAAD")


def _for_plot(records):
    from secannot.api import _config, _predictor
    from secannot.pipeline.predictor import predict_stream

    config = _config("eukarya", None, None, ())
    predictor = _predictor(config, False)
    return list(predict_stream(iter(records), config, predictor, annotate=False))


@pytest.fixture
def masked_results():
    masked = ALBUMIN[:24] + "X" * 16 + ALBUMIN[40:]
    records = [Record("sp|P02768|ALBU_HUMAN", "sp|P02768|ALBU_HUMAN Albumin", masked.encode(), "t", 1),
               Record("allx", "allx", b"M" + b"X" * 199, "t", 3)]  # one known residue: a withdrawn call
    return _for_plot(records)


def test_plot_title_says_site_unknown_or_withdrawn(masked_results):
    from secannot.report.protein_plot import Threshold, _tracks, title_lines

    albumin, allx = masked_results
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


def test_plot_of_a_masked_call_renders_the_status(tmp_path, masked_results, mpl):
    from secannot.report.plots import protein_plot

    albumin, _ = masked_results
    path = tmp_path / "alb.svg"
    protein_plot(albumin, [0.5] * 70, path, None, {"organism": "eukarya", "sp_prob": 0.88})
    text = path.read_text()
    assert "site unknown" in text


def test_the_plot_title_of_a_protein_without_sp_prob_says_it_was_not_assessed():
    from secannot.report.protein_plot import Threshold, title_lines

    blind = result("allx", b"X" * 200, sp_prob=None, localization="intracellular", confidence="low")
    lines = title_lines(blind, Threshold(0.88, "eukarya"))
    assert "P(SP) not given" in lines[2] and "0.88" not in lines[2]
    assert "SP not assessed: no standard residue in the first 70" in lines[3]


# --------------------------------------------------------------------------- figure file names
@pytest.mark.parametrize(("args", "named"), [
    (["plot", EXAMPLE_FASTA, "--out", "{tmp}/x.xyz"], "x.xyz: cannot tell the image format from the extension"),
    (["summarize", "{ann}", "--plot", "{tmp}/x.bmp"], "x.bmp: cannot tell the image format from the extension"),
])
def test_a_bad_figure_file_name_is_a_usage_error(tmp_path, annotated_example, args, named, mpl):
    res = run_cli([str(a).format(tmp=tmp_path, ann=annotated_example) for a in args])
    assert res.code == ExitCode.USAGE
    assert len(res.err.splitlines()) == 1 and named in res.err
    assert res.out == "" and list(tmp_path.iterdir()) == []

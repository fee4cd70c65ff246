"""Figures: per-protein signal-peptide plots, the summary bar chart, and the missing-matplotlib path."""

from __future__ import annotations

import re
import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from helpers import DATA

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


# --------------------------------------------------------------------------- summary bar chart


def test_bar_chart_png_and_svg(tmp_path, mpl):
    from secannot.io.annotated import load_annotated
    from secannot.report.plots import bar_chart
    from secannot.report.summary import summarize

    fg = load_annotated(FIX / "foreground.tsv")
    with_bg = summarize(fg, load_annotated(FIX / "background.tsv"))
    bar_chart(with_bg, tmp_path / "chart.png")
    width, height = png_size(tmp_path / "chart.png")
    assert 800 <= width <= 3000 and 200 <= height <= 3000
    bar_chart(summarize(fg), tmp_path / "counts.svg")
    assert is_svg(tmp_path / "counts.svg")
    with pytest.raises(InputError):
        bar_chart(with_bg, tmp_path / "chart.pdf")


def test_bar_chart_with_no_tme_categories(tmp_path, mpl):
    from secannot.report.plots import bar_chart
    from secannot.report.summary import summarize

    bare = {"id": "x", "route": "none", "localization": "intracellular", "cell_sources": "", "processes": "",
            "clinical": ""}
    bar_chart(summarize([bare]), tmp_path / "empty.png")
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


def test_bar_chart_without_matplotlib(tmp_path, no_matplotlib):
    from secannot.io.annotated import load_annotated
    from secannot.report.plots import bar_chart
    from secannot.report.summary import summarize

    with pytest.raises(MissingDependencyError) as info:
        bar_chart(summarize(load_annotated(FIX / "foreground.tsv")), tmp_path / "c.png")
    _assert_install_hint(info.value)

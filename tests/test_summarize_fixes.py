"""Regression tests for summarize: degenerate odds ratios, file names in errors, exit codes, crosstalk
counting and the no-background warning."""

from __future__ import annotations

import pytest
from helpers import EXAMPLE_FASTA, SUBSET_FASTA, run_cli

from secannot.errors import ExitCode
from secannot.report.enrichment import Counts, enrich, fold_enrichment, odds_ratio, odds_ratio_ci
from secannot.report.summary import summarize


def rec(id_: str, gene: str = "", cells: str = "", accession: str = "") -> dict:
    return {"id": id_, "accession": accession, "gene": gene, "route": "classical", "localization": "secreted",
            "cell_sources": cells, "processes": "", "clinical": ""}


# --------------------------------------------------------------------------- odds ratio of degenerate tables


@pytest.mark.parametrize("counts", [
    Counts(k=0, n=10, K=20, N=1000),  # no hit carries it: ratio 0, fold 0 (was 12.1-ish with +0.5)
    Counts(k=0, n=3, K=4, N=10),
    Counts(k=1, n=90, K=1, N=100),  # every carrier is a hit (c = 0): infinite, +0.5 gave 0.35 < 1
    Counts(k=3, n=3, K=4, N=10),  # every hit carries it (b = 0): infinite
    Counts(k=2, n=5, K=7, N=10),  # every non-hit carries it (d = 0): ratio 0
], ids=["k0-large", "k0-small", "all-carriers-hit", "all-hits-carry", "all-nonhits-carry"])
def test_odds_ratio_and_ci_are_empty_when_a_cell_is_zero(counts):
    assert 0 in counts.table()
    assert odds_ratio(counts) is None
    assert odds_ratio_ci(counts) == (None, None)
    result = enrich({"x": counts})["x"]
    assert (result.odds_ratio, result.ci_low, result.ci_high) == (None, None, None)


def test_zero_count_keeps_p_one_and_fold_zero():
    counts = Counts(k=0, n=10, K=20, N=1000)
    result = enrich({"x": counts})["x"]
    assert result.p_value == 1.0
    assert fold_enrichment(counts) == 0.0


def test_odds_ratio_with_positive_cells_is_plain_and_ci_contains_it():
    # a=2 b=8 c=18 d=972 -> 2*972 / (8*18) = 13.5
    counts = Counts(k=2, n=10, K=20, N=1000)
    assert odds_ratio(counts) == pytest.approx(13.5)
    low, high = odds_ratio_ci(counts)
    assert low < 13.5 < high


def test_summary_rows_leave_or_empty_for_zero_count():
    fg = [rec(f"h{i}", f"H{i}", "CAF" if i < 3 else "") for i in range(6)]
    bg = fg + [rec(f"b{i}", f"B{i}", "CAF" if i < 3 else "TAM" if i < 12 else "") for i in range(40)]
    summary = summarize(fg, bg, min_size=1)
    tam = next(r for r in summary.rows if r.section == "cell_source" and r.category == "TAM")
    assert tam.count == 0 and tam.p_value == 1.0 and tam.fold_enrichment == 0.0
    assert (tam.odds_ratio, tam.odds_ratio_ci_low, tam.odds_ratio_ci_high) == (None, None, None)
    caf = next(r for r in summary.rows if r.section == "cell_source" and r.category == "CAF")
    assert caf.odds_ratio == pytest.approx((3 * 37) / (3 * 3))  # a=3 b=3 c=3 d=40-3


# --------------------------------------------------------------------------- messages name the file

FG_TSV = "id\taccession\tgene\troute\tlocalization\tcell_sources\tprocesses\tclinical\nsp|P05231|IL6_HUMAN\tP05231\tIL6\tclassical\tsecreted\tCAF\t\t\n"
SEQ = "MNSFSTSAFGPVAFSLGLLLVLPAAFPAPVPPGEDSKDVAAPHRQPLTSSERIDKQIRYILDGISALRKETCNKSNMCESSKEALAENNLNLPKM"


def test_fasta_background_errors_name_the_file(tmp_path):
    fg = tmp_path / "hits.tsv"
    fg.write_text(FG_TSV)
    bg = tmp_path / "bg.fa"
    bg.write_text(f">sp|P05231|IL6_HUMAN\n{SEQ}\n>sp|P01133|EGF_HUMAN\n{SEQ}\n>sp|P05231|IL6_HUMAN\n{SEQ}\n")
    res = run_cli(["summarize", fg, "--background", bg])
    assert f"error: {bg}:5: sp|P05231|IL6_HUMAN: duplicate id (first seen at {bg}:1)" in res.err, res.err
    assert "<stdin>" not in res.err


def test_fasta_background_on_stdin_is_named_stdin(tmp_path):
    fg = tmp_path / "hits.tsv"
    fg.write_text(FG_TSV)
    res = run_cli(["summarize", fg, "--background", "-"],
                  stdin=f">sp|P05231|IL6_HUMAN\n{SEQ}\n>sp|P05231|IL6_HUMAN\n{SEQ}\n".encode())
    assert "error: <stdin>:3: sp|P05231|IL6_HUMAN: duplicate id (first seen at <stdin>:1)" in res.err, res.err


@pytest.mark.parametrize("as_background", [False, True], ids=["input", "background"])
def test_table_missing_columns_names_the_file(tmp_path, as_background):
    hand = tmp_path / "hand_min.tsv"
    hand.write_text("id\tgene\nP1\tIL6\n")
    good = tmp_path / "hits.tsv"
    good.write_text(FG_TSV)
    args = ["summarize", good, "--background", hand] if as_background else ["summarize", hand]
    res = run_cli(args)
    assert res.code == 4
    assert f"error: {hand}: missing column(s) route" in res.err, res.err
    assert "<stdin>" not in res.err


def test_table_on_stdin_is_named_stdin(tmp_path):
    res = run_cli(["summarize", "-"], stdin=b"id\tgene\nP1\tIL6\n")
    assert res.code == 4 and "error: <stdin>: missing column(s) route" in res.err, res.err


def test_background_copy_of_a_hit_does_not_change_its_categories():
    """The hit's own annotation counts in the background; its background copy's other categories do not."""
    fg = [rec("a", "IL6", "CAF")]
    bg = [rec("a", "IL6", "TAM"), rec("b", "EGF", "TAM")] + [rec(f"x{i}", f"X{i}") for i in range(8)]
    summary = summarize(fg, bg, min_size=1)
    rows = {(r.section, r.category): r for r in summary.rows if r.section == "cell_source"}
    assert (rows["cell_source", "CAF"].count, rows["cell_source", "CAF"].background_count) == (1, 1)
    assert (rows["cell_source", "TAM"].count, rows["cell_source", "TAM"].background_count) == (0, 1)
    # a background that is the hit itself, annotated differently: no impossible table, no empty row
    only = summarize(fg, [rec("a", "IL6", "TAM")], min_size=1)
    assert [(r.category, r.count, r.background_count) for r in only.rows if r.section == "cell_source"] == [("CAF", 1, 1)]


# --------------------------------------------------------------------------- exit code of a failed background


def test_background_ids_all_missing_from_offline_cache_exit_6(tmp_path):
    fg = tmp_path / "hits.tsv"
    fg.write_text(FG_TSV)
    ids = tmp_path / "ids.txt"
    ids.write_text("P05231\nP01133\n")
    out = tmp_path / "summary.tsv"
    res = run_cli(["summarize", fg, "--background", ids, "--offline", "-o", out])
    assert res.code == 6, res.err
    assert "offline cache" in res.err
    assert "background list has no records" not in res.err
    assert not out.exists()


def test_empty_background_file_is_still_an_input_error(tmp_path):
    fg = tmp_path / "hits.tsv"
    fg.write_text(FG_TSV)
    empty = tmp_path / "ids.txt"
    empty.write_text("")
    res = run_cli(["summarize", fg, "--background", empty])
    assert res.code == 4, res.err


# --------------------------------------------------------------------------- each note once on stderr


def test_no_background_warning_is_printed_once(tmp_path):
    from secannot.report.summary import NO_BACKGROUND_NOTE

    fg = tmp_path / "hits.tsv"
    fg.write_text(FG_TSV)
    for fmt in ("tsv", "json"):
        res = run_cli(["summarize", fg, "-f", fmt])
        assert res.code == 0, res.err
        assert res.err.count(NO_BACKGROUND_NOTE) == 1, res.err
    assert NO_BACKGROUND_NOTE not in run_cli(["summarize", fg, "--quiet"]).err


def test_min_size_note_is_printed_once(tmp_path):
    fg = tmp_path / "hits.tsv"
    fg.write_text(FG_TSV)
    res = run_cli(["summarize", fg, "--background", fg])
    assert res.code == 0, res.err
    assert res.err.count("were not tested (--min-size 5)") == 1, res.err
    assert "input proteins: 1" in res.err  # sizes and methods still go to stderr next to TSV


# --------------------------------------------------------------------------- the hits' organism group

HIT_FASTA = ">sp|P15692|VEGFA_HUMAN\nMNFLLSWVHWSLALLLYLHHAKWSQAAPMAEGGGQNHHEVVKFMDVYQRSYCHPIETLVDIFQEYPDEIEYIFKPSCVPLMRCGGCCNDEGLECVPTEESNITMQIMRIKPHQGQHIGEMSFLQHNKCECRPKKD\n"


@pytest.mark.parametrize("organism", ["eukarya", "gram-positive", "archaea"])
@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_summary_provenance_names_the_organism_of_the_hits(tmp_path, fmt, organism):
    hits = tmp_path / f"hits.{fmt}"
    made = run_cli(["annotate", "-", "-f", fmt, "--organism", organism], stdin=HIT_FASTA.encode())
    assert made.code == 0, made.err
    hits.write_text(made.out)
    # summarize's own --organism (for FASTA it annotates itself) is left at its default
    res = run_cli(["summarize", hits, "-f", "json"])
    assert res.code == 0, res.err
    import json

    provenance = json.loads(res.out)["provenance"]
    assert provenance["hits_organism"] == [organism]
    assert provenance["organism"] == "eukarya"


def test_a_tsv_input_names_no_hits_organism(tmp_path):
    import json

    fg = tmp_path / "hits.tsv"
    fg.write_text(FG_TSV)
    res = run_cli(["summarize", fg, "-f", "json"])
    assert res.code == 0, res.err
    assert "hits_organism" not in json.loads(res.out)["provenance"]


def test_hits_of_two_organism_groups_are_named_with_a_warning(tmp_path):
    import json

    files = []
    for organism in ("gram-negative", "eukarya"):
        made = run_cli(["annotate", "-", "-f", "jsonl", "--organism", organism], stdin=HIT_FASTA.encode())
        files.append(tmp_path / f"{organism}.jsonl")
        files[-1].write_text(made.out.replace("VEGFA_HUMAN", f"VEGFA_{organism[:4].upper()}"))
    res = run_cli(["summarize", *files, "-f", "json"])
    assert res.code == 0, res.err
    assert json.loads(res.out)["provenance"]["hits_organism"] == ["eukarya", "gram-negative"]
    assert "different organism groups (eukarya, gram-negative)" in res.err


# --------------------------------------------------------------------------- the report path is checked first
@pytest.mark.parametrize(("option", "name"), [("--report", "r.html"), ("--plot", "p.svg")])
def test_summarize_checks_the_figure_paths_before_writing_the_summary(tmp_path, annotated_example, option, name):
    pytest.importorskip("matplotlib")
    path = tmp_path / "no_such_dir" / name
    res = run_cli(["summarize", annotated_example, option, path])
    assert res.code == ExitCode.INPUT
    assert res.out == ""
    assert res.err.splitlines()[-1] == f"error: {path}: cannot write output (No such file or directory)"
    # a directory given as the file: refused before the summary is written (it once went to stdout first)
    folder = tmp_path / name  # a directory with the file's name, extension and all
    folder.mkdir()
    res = run_cli(["summarize", annotated_example, option, folder])
    assert (res.code, res.out) == (ExitCode.INPUT, ""), res.err
    assert res.err.splitlines()[-1] == f"error: {folder}: cannot write output (Is a directory)"


# --------------------------------------------------------------------------- -o FILE chooses the format
@pytest.mark.parametrize(("name", "extra", "fmt", "warning"), [
    ("s.json", [], "json", None),
    ("S.JSON", [], "json", None),
    ("s.tsv", [], "tsv", None),
    ("s.txt", [], "tsv", None),
    ("s.json", ["--format", "tsv"], "tsv", "the extension .json is json, but --format tsv was given; writing tsv"),
    ("s.jsonl", [], "tsv", "the extension .jsonl is jsonl, which this command does not write; writing tsv"),
])
def test_summarize_output_format_follows_the_o_files_extension(tmp_path, annotated_example, name, extra, fmt, warning):
    out = tmp_path / name
    res = run_cli(["summarize", annotated_example, "-o", out, *extra])
    assert res.code == 0
    text = out.read_text()
    assert (text.lstrip().startswith("{"), fmt) in ((True, "json"), (False, "tsv"))
    warnings = [line for line in res.err.splitlines() if f"-o {out}" in line]
    assert warnings == ([f"warning: -o {out}: {warning}" + (" (give --format: tsv, json)" if "does not" in warning
                                                             else "")] if warning else [])


@pytest.mark.parametrize(("hit_options", "summary_options", "warned"), [
    (["--rules", "LAB"], [], "rules"),                      # hits with a lab rule file, background without
    ([], ["--rules", "LAB"], "rules"),                      # the other way round
    (["--rules", "LAB"], ["--rules", "LAB"], None),         # the same rules on both sides
    (["--organism", "gram-negative"], [], "organism groups"),
    (["--nc-prior", "0.5"], [], "leaderless priors"),       # hundreds of hits become leaderless candidates
    (["--nc-prior", "0.5"], ["--nc-prior", "0.5"], None),
    ([], [], None),
])
def test_summarize_warns_when_hits_and_background_were_annotated_differently(tmp_path, lab_rules, hit_options,
                                                                             summary_options, warned):
    import json

    """The background is annotated by summarize itself (FASTA): its counts must be made under the hits' rules and
    organism group, or the fold enrichment compares two standards (a lab rule adding a category to the hits only
    inflated it silently)."""
    swap = {"LAB": str(lab_rules)}
    made = run_cli(["annotate", "-", "-f", "jsonl", *[swap.get(o, o) for o in hit_options]], stdin=HIT_FASTA.encode())
    assert made.code == 0, made.err
    hits = tmp_path / "hits.jsonl"
    hits.write_text(made.out)
    res = run_cli(["summarize", hits, "--background", EXAMPLE_FASTA, "-f", "json",
                   *[swap.get(o, o) for o in summary_options]])
    assert res.code == 0, res.err
    lines = [line for line in res.err.splitlines() if "the hits were annotated with" in line]
    notes = [n for n in json.loads(res.out)["summary"]["notes"] if "the hits were annotated with" in n]
    if warned is None:
        assert lines == [] and notes == [], res.err
    else:
        assert len(lines) == 1 and f"annotated with {warned} " in lines[0], res.err
        assert f"warning: {notes[0]}" == lines[0], "a saved summary keeps the warning in its notes"


@pytest.mark.parametrize("background", [[], ["--background", SUBSET_FASTA]], ids=["hits-only", "with-background"])
def test_summarize_reports_a_rules_override_once(lab_rules, background):
    """The rules were loaded for the hits and again for the background, so every 'VEGFA overrides' line came
    twice: one run, one rule set, one report of what it overrides."""
    res = run_cli(["summarize", SUBSET_FASTA, *background, "-f", "json", "--rules", lab_rules])
    assert res.code == 0, res.err
    (line,) = [line for line in res.err.splitlines() if "overrides" in line]
    assert line.startswith(f"warning: {lab_rules / 'lab.yaml'}: VEGFA overrides rules/tme_growth_factors.yaml (")


def _annotated(tmp_path, name: str, fmt: str, *options: str) -> object:
    made = run_cli(["annotate", "-", "-f", fmt, *options], stdin=HIT_FASTA.encode())
    assert made.code == 0, made.err
    path = tmp_path / f"{name}.{fmt}"
    path.write_text(made.out)
    return path


def test_a_tsv_input_is_compared_by_its_rules_version_column(tmp_path, lab_rules):
    """A TSV has no provenance, but a matched row names the rules version: hits made with a lab rule file against a
    background summarize annotates without it were silent."""
    hits = _annotated(tmp_path, "hits", "tsv", "--rules", str(lab_rules))
    res = run_cli(["summarize", hits, "--background", EXAMPLE_FASTA, "-f", "json"])
    assert res.code == 0, res.err
    assert "the hits were annotated with rules" in res.err
    import json

    assert json.loads(res.out)["provenance"]["hits_rules"] == [f"{_bundled_version()}+{lab_rules}:0.1.0"]


def _bundled_version() -> str:
    import json

    return json.loads(run_cli(["annotate", "-", "-f", "jsonl"], stdin=HIT_FASTA.encode()).out)["provenance"]["rules"][
        "version"]


def test_summarize_names_the_hits_rules_and_warns_when_its_own_options_cannot_apply(tmp_path, lab_rules):
    """summarize's --rules applies to what it annotates itself; every input being annotate output, it changed
    nothing while the provenance named it as the rules of the summary, and the hits' own rules went unnamed."""
    import json

    hits = _annotated(tmp_path, "hits", "jsonl")
    res = run_cli(["summarize", hits, "--rules", lab_rules, "--nc-prior", "0.1", "-f", "json"])
    assert res.code == 0, res.err
    assert "--rules and --nc-prior not used: every input is annotate output" in res.err
    res = run_cli(["summarize", hits, "--organism", "archaea", "-f", "json"])  # typed, even as a group it knows
    assert res.code == 0 and "--organism not used: every input is annotate output" in res.err, res.err
    assert "it applies to FASTA" in res.err
    provenance = json.loads(res.out)["provenance"]
    assert provenance["hits_rules"] == [_bundled_version()]
    # annotated with the lab rules, summarized without options: named, no warning
    lab_hits = _annotated(tmp_path, "lab", "jsonl", "--rules", str(lab_rules))
    res = run_cli(["summarize", lab_hits, "-f", "json"])
    assert res.code == 0 and "not used" not in res.err, res.err
    assert json.loads(res.out)["provenance"]["hits_rules"] == [f"{_bundled_version()}+{lab_rules}:0.1.0"]


@pytest.mark.parametrize(("second", "what"), [(["--rules", "LAB"], "rules"), (["--nc-prior", "0.3"], "leaderless priors"),
                                              (["--nc-threshold", "0.5"], "leaderless thresholds")])
def test_hits_of_two_annotate_runs_with_different_settings_are_named_with_a_warning(tmp_path, lab_rules, second, what):
    first = _annotated(tmp_path, "a", "jsonl")
    other = _annotated(tmp_path, "b", "jsonl", *[str(lab_rules) if o == "LAB" else o for o in second])
    other.write_text(other.read_text().replace("VEGFA_HUMAN", "VEGFA_OTHER"))
    res = run_cli(["summarize", first, other, "-f", "json"])
    assert res.code == 0, res.err
    assert f"the input mixes annotate runs of different {what} (" in res.err, res.err

"""Rule files: lint, lookup and layering, diff, show, exit codes (no network, no ../shared)."""

from __future__ import annotations

import io
import json
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from helpers import README, SUBSET_FASTA, run_cli
from jsonschema import Draft202012Validator
from rich.console import Console

from secannot.errors import ExitCode, RulesError, SchemaVersionError
from secannot.io.headers import parse_identity
from secannot.knowledge.diff import Change, diff_as_dict, diff_dirs, diff_rule_sets, render_diff
from secannot.knowledge.lint import Problem, has_errors, lint_paths, lint_text
from secannot.knowledge.ruleset import (
    BUNDLED_LABEL,
    Entry,
    RuleFile,
    RuleSet,
    bundled_dir,
    schema_document,
    yaml_loader,
)
from secannot.knowledge.show import close_names, entry_as_dict, format_evidence, render_entry

RULES_DATA = Path(__file__).parent / "data" / "rules"
LINT = RULES_DATA / "lint"
BUNDLED = Path(str(bundled_dir()))
BUNDLED_FILES = sorted(p.name for p in BUNDLED.iterdir() if p.suffix == ".yaml")


@pytest.fixture(scope="module")
def bundled_rules() -> RuleSet:
    return RuleSet.load()


def _lines(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems]


# -- lint ------------------------------------------------------------------------------


def test_bundled_rules_lint_clean():
    problems = lint_paths([BUNDLED])
    assert not has_errors(problems), "\n".join(_lines(problems))
    assert len(BUNDLED_FILES) >= 6


def test_bundled_rules_lint_fast():
    lint_paths([BUNDLED])  # warm the schema validator
    start = time.perf_counter()
    lint_paths([BUNDLED])
    assert time.perf_counter() - start < 1.0


def test_fixture_base_is_clean():
    assert lint_paths([LINT / "good.yaml"]) == []


BROKEN = [
    pytest.param(
        ["bad_vocabulary.yaml"],
        "bad_vocabulary.yaml:17: entries[0] (AAA1) cell_sources[0].value: 'fibroblasts' is not in the "
        "controlled vocabulary (did you mean 'fibroblast'?)",
        id="vocabulary",
    ),
    pytest.param(
        ["bad_accession.yaml"],
        "bad_accession.yaml:25: entries[1] (BBB2) accession: 'Q6789X' is not a valid UniProtKB accession",
        id="accession",
    ),
    pytest.param(
        ["no_evidence.yaml"],
        "no_evidence.yaml:22: entries[0] (AAA1) processes[0].evidence: claim without evidence",
        id="no-evidence",
    ),
    pytest.param(
        ["good.yaml", "dup_gene_across.yaml"],
        f"dup_gene_across.yaml:13: duplicate gene AAA1 (first at {LINT / 'good.yaml'}:13)",
        id="duplicate-gene-across-files",
    ),
    pytest.param(
        ["dup_alias.yaml"],
        "dup_alias.yaml:26: duplicate alias 'Alpha A': BBB2 and AAA1 (first at line 15)",
        id="duplicate-alias",
    ),
    pytest.param(
        ["alias_is_gene.yaml"],
        "alias_is_gene.yaml:26: alias 'aaa-1' of BBB2 is the gene symbol of another entry (AAA1, line 13)",
        id="alias-is-gene",
    ),
    pytest.param(
        ["unknown_source.yaml"],
        "unknown_source.yaml:23: entries[0] (AAA1) processes[0].evidence[0]: source 'book2021' is not in the "
        "file's sources table",
        id="unknown-source",
    ),
    pytest.param(
        ["bad_seed_section.yaml"],
        "bad_seed_section.yaml:19: entries[0] (AAA1) cell_sources[0].evidence[0]: seed section 3.7 does not exist",
        id="seed-section",
    ),
    pytest.param(
        ["schema_v3.yaml"],
        "schema_v3.yaml:2: schema_version 3 is not supported by this secannot (it reads schema_version 1 and 2); "
        "upgrade secannot (pip install -U secannot)",
        id="schema-version-2",
    ),
    pytest.param(
        ["syntax_error.yaml"],
        "syntax_error.yaml:16: YAML syntax error: did not find expected ',' or ']' (while parsing a flow "
        "sequence at line 15)",
        id="yaml-syntax",
    ),
    pytest.param(
        ["dup_key.yaml"],
        "dup_key.yaml:26: entries[1] (BBB2) accession: duplicate key 'accession' (first at line 25)",
        id="duplicate-mapping-key",
    ),
]


@pytest.mark.parametrize(("files", "expected"), BROKEN)
def test_broken_fixture_reports_file_and_line(files: list[str], expected: str):
    problems = lint_paths([LINT / name for name in files])
    errors = [str(p) for p in problems if p.severity == "error"]
    assert any(line.startswith(str(LINT / expected.split(":", 1)[0])) for line in errors), errors
    assert any(line.removeprefix(str(LINT) + "/").startswith(expected) for line in errors), errors


def test_cross_file_alias_and_accession_collisions(tmp_path: Path):
    base = (LINT / "good.yaml").read_text()
    other = (
        base.replace("gene: AAA1", "gene: DDD4")
        .replace("gene: BBB2", "gene: EEE5")
        .replace('["beta-B"]', '["BBB-2"]')
        .replace("Q67890", "O22222")
    )
    (tmp_path / "a.yaml").write_text(base)
    (tmp_path / "b.yaml").write_text(other)
    lines = _lines(lint_paths([tmp_path]))
    first = tmp_path / "a.yaml"
    assert f"{tmp_path / 'b.yaml'}:14: duplicate accession P12345: DDD4 and AAA1 (first at {first}:14)" in lines
    assert f"{tmp_path / 'b.yaml'}:15: duplicate alias 'alpha-A': DDD4 and AAA1 (first at {first}:15)" in lines
    assert (
        f"{tmp_path / 'b.yaml'}:26: alias 'BBB-2' of EEE5 is the gene symbol of another entry (BBB2, {first}:24)"
        in lines
    )
    assert not has_errors(lint_paths([tmp_path / "a.yaml"]))  # the same files one at a time are fine
    assert not has_errors(lint_paths([tmp_path / "b.yaml"]))


def test_same_gene_in_different_kinds_is_allowed(tmp_path: Path):
    tme = (LINT / "good.yaml").read_text().replace("gene: AAA1", "gene: FGF2").replace("P12345", "P09038")
    (tmp_path / "tme_fgf.yaml").write_text(tme)
    shutil.copy(RULES_DATA / "diff" / "new" / "nonclassical.yaml", tmp_path)
    assert not has_errors(lint_paths([tmp_path]))


def test_missing_file_is_a_problem_at_line_0(tmp_path: Path):
    missing = tmp_path / "nope.yaml"
    assert _lines(lint_paths([missing, LINT / "good.yaml"])) == [f"{missing}:0: no such file"]


def test_directory_expands_to_sorted_yaml_files(tmp_path: Path):
    for name in ("b.yaml", "a.yml"):
        shutil.copy(LINT / "bad_accession.yaml", tmp_path / name)
    (tmp_path / "notes.txt").write_text("not a rule file")
    paths = [p.path for p in lint_paths([tmp_path]) if "accession" in p.message and "valid" in p.message]
    assert paths == [str(tmp_path / "a.yml"), str(tmp_path / "b.yaml")]


def test_problems_sorted_by_path_then_line():
    problems = lint_paths([LINT / "unknown_source.yaml", LINT / "bad_accession.yaml", LINT / "no_evidence.yaml"])
    assert problems == sorted(problems, key=lambda p: (p.path, p.line))


def test_lint_text_matches_loader_advice_for_old_schema():
    text = (LINT / "good.yaml").read_text().replace("schema_version: 1", "schema_version: 0")
    (problem,) = lint_text(text, "old.yaml")
    assert str(problem).startswith("old.yaml:2: schema_version 0 is not supported")
    assert "migrate the file to schema_version 2" in problem.message


@pytest.mark.parametrize(("written", "expected"), [
    ('"2"', "schema_version: expected an integer, got a string '2' (unquote it: 'schema_version: 2')"),
    ("'1'", "schema_version: expected an integer, got a string '1' (unquote it: 'schema_version: 1')"),
    ('"two"', "schema_version: expected an integer, got a string 'two' (unquote it: 'schema_version: 2')"),
])
def test_quoted_schema_version_asks_for_the_integer(tmp_path: Path, written: str, expected: str):
    text = (LINT / "good.yaml").read_text().replace("schema_version: 1", f"schema_version: {written}")
    (problem,) = lint_text(text, "q.yaml")
    assert str(problem) == f"q.yaml:2: {expected}"
    (tmp_path / "tme_q.yaml").write_text(text)
    with pytest.raises(SchemaVersionError) as raised:
        RuleSet.load([tmp_path])
    assert str(raised.value).startswith(f"{tmp_path / 'tme_q.yaml'}:2: {expected} (1 problem(s)")


def test_schema_messages_are_readable():
    base = (LINT / "good.yaml").read_text()
    text = base.replace("specimen: serum", "speciman: serum").replace('date: "2026-01-01"', "date: 2026-01-01")
    lines = _lines(lint_text(text, "f.yaml"))
    assert "f.yaml:4: date: expected a string, got date (quote it)" in lines
    assert "f.yaml:28: entries[1] (BBB2) clinical[0]: a claim with status fda_marker needs 'specimen'" in lines
    assert (
        "f.yaml:29: entries[1] (BBB2) clinical[0].speciman: unknown key 'speciman' (did you mean 'specimen'?)" in lines
    )


def test_warning_format_and_has_errors():
    warning = Problem("a.yaml", 3, "entries are not sorted by gene symbol", "warning")
    assert str(warning) == "a.yaml:3: warning: entries are not sorted by gene symbol"
    assert not has_errors([warning])
    assert has_errors([warning, Problem("a.yaml", 1, "bad")])


def test_unsorted_entries_are_a_warning_only():
    base = (LINT / "good.yaml").read_text()
    text = base.replace("gene: AAA1", "gene: ZZZ1")
    problems = lint_text(text, "u.yaml")
    assert [p.severity for p in problems] == ["warning"]
    assert "not sorted" in problems[0].message


# -- bundled content round-trips ------------------------------------------------------


@pytest.fixture(scope="module")
def schema_validator() -> Draft202012Validator:
    return Draft202012Validator(schema_document())


@pytest.mark.parametrize("name", BUNDLED_FILES)
def test_bundled_file_round_trips(name: str, schema_validator: Draft202012Validator):
    loader, dumper = yaml_loader(), getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    data = yaml.load((BUNDLED / name).read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - safe loader
    dumped = yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, width=120)
    again = yaml.load(dumped, Loader=loader)  # noqa: S506 - safe loader
    assert again == data
    assert list(schema_validator.iter_errors(again)) == []
    assert not has_errors(lint_text(dumped, name))


# -- lookup and layering ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "gene"),
    [
        ("IL-8", "CXCL8"),
        ("SDF-1α", "CXCL12"),
        ("TGF-beta1", "TGFB1"),
        ("PSA", "KLK3"),
        ("CA 125", "MUC16"),
        ("CEA", "CEACAM5"),
        ("P15692", "VEGFA"),
        ("vegfa", "VEGFA"),
    ],
)
def test_find_resolves_aliases(bundled_rules: RuleSet, query: str, gene: str):
    assert [e.gene for e in bundled_rules.find(query) if e.file.kind == "tme"] == [gene]


@pytest.mark.parametrize(
    ("record_id", "description"),
    [("sp|P10145|IL8_HUMAN", "Interleukin-8"), ("x1", "Interleukin-8 GN=CXCL8"), ("tr|A0A000|CXCL8_HUMAN", "")],
)
def test_match_by_accession_gene_or_entry_name(bundled_rules: RuleSet, record_id: str, description: str):
    entry = bundled_rules.match("tme", parse_identity(record_id, description))
    assert entry is not None and entry.gene == "CXCL8"


def test_user_dir_overrides_bundled_entry(bundled_rules: RuleSet):
    layered = RuleSet.load([RULES_DATA / "override"])
    (vegfa,) = [e for e in layered.find("VEGFA") if e.file.kind == "tme"]
    assert vegfa.file.layer == str(RULES_DATA / "override")
    assert vegfa.rules_version == "9.0.0"
    assert [c["value"] for c in vegfa.data["processes"]] == ["lymphangiogenesis"]
    assert any("VEGFA overrides rules/tme_growth_factors.yaml" in line for line in layered.overrides)
    assert bundled_rules.overrides == []
    assert layered.find("VEGF-A")[0] is vegfa


def test_incompatible_user_schema_is_refused_with_advice(tmp_path: Path):
    shutil.copy(LINT / "schema_v3.yaml", tmp_path / "tme_future.yaml")
    with pytest.raises(RulesError, match=r"tme_future\.yaml:2: .*upgrade secannot \(pip install -U secannot\)"):
        RuleSet.load([tmp_path])


def test_incompatible_user_schema_raises_schema_version_error(tmp_path: Path):
    shutil.copy(LINT / "schema_v3.yaml", tmp_path / "tme_future.yaml")
    with pytest.raises(SchemaVersionError, match=r"upgrade secannot"):
        RuleSet.load([tmp_path])


def test_lint_marks_schema_version_problems():
    (problem,) = lint_text((LINT / "schema_v3.yaml").read_text(), "f.yaml")
    assert problem.code == "schema_version"


def test_invalid_user_file_is_refused_with_its_line(tmp_path: Path):
    shutil.copy(LINT / "bad_vocabulary.yaml", tmp_path / "tme_mine.yaml")
    with pytest.raises(RulesError, match=r"tme_mine\.yaml:17: .*did you mean 'fibroblast'"):
        RuleSet.load([tmp_path])


# -- diff ------------------------------------------------------------------------------


EXPECTED_DIFF = """\
[tme]
~ tme_a.yaml rules_version: 1.0.0 -> 1.1.0
! tme_a.yaml rules_version: 1.0.0 -> 1.1.0 is a minor bump, but the changes need a major one (see rules/README.md)
~ KLK3 aliases: +prostate-specific antigen
~ KLK3 clinical fda_marker:serum:prostate evidence +pmid:24088261
- MMP9 cell_sources: TAM
~ MMP9 processes invasion context (none) -> breast cancer; evidence ~seed:3.3
- TGFB1 entry: P01137 (tme_a.yaml)
+ VEGFA entry: P15692 (tme_a.yaml)
[nonclassical]
! nonclassical.yaml rules_version: content changed but rules_version is still 1.0.0
~ FGF2 nonclassical type I evidence +source:rabouille2017
"""


def test_diff_of_fixture_dirs():
    changes = diff_dirs(RULES_DATA / "diff" / "old", RULES_DATA / "diff" / "new")
    out = io.StringIO()
    render_diff(changes, out)
    assert out.getvalue() == EXPECTED_DIFF
    summary = diff_as_dict(changes)
    assert summary["counts"] == {
        "added_entry": 1,
        "changed_claim": 3,
        "changed_field": 4,
        "removed_claim": 1,
        "removed_entry": 1,
    }
    assert summary["warnings"] == 2
    json.dumps(summary)


def test_diff_added_claim_and_field_change():
    old = _rule_file([{"gene": "VEGFA", "accession": "P15692", "processes": [_claim("survival")]}])
    new = _rule_file(
        [
            {
                "gene": "VEGFA",
                "accession": "P15692",
                "family": "VEGF",
                "processes": [_claim("survival"), _claim("angiogenesis")],
            }
        ],
        version="1.1.0",
    )
    changes = diff_rule_sets([old], [new])
    assert Change("tme", "VEGFA", "added_claim", "processes", "angiogenesis") in changes
    assert Change("tme", "VEGFA", "changed_field", "family", "(none) -> VEGF") in changes
    out = io.StringIO()
    render_diff(changes, out)
    assert "+ VEGFA processes: angiogenesis\n" in out.getvalue()
    assert not any(c.detail.startswith("warning:") for c in changes)


def test_diff_of_identical_sets_is_empty():
    files = RuleSet.load().files
    assert diff_rule_sets(files, files) == []
    out = io.StringIO()
    render_diff([], out)
    assert out.getvalue() == "no changes\n"


def _claim(value: str) -> dict:
    return {"value": value, "evidence": [{"seed": "2.2"}]}


def _rule_file(entries: list[dict], version: str = "1.0.0") -> RuleFile:
    return RuleFile("rules/tme_x.yaml", "tme", 1, version, "2026-01-01", "t", {}, tuple(entries), BUNDLED_LABEL)


# -- show ------------------------------------------------------------------------------


def _render(entry: Entry) -> str:
    out = io.StringIO()
    render_entry(entry, Console(file=out, no_color=True, width=100))
    return out.getvalue()


def test_show_mmp2_with_caf_claim_and_seed_citation(bundled_rules: RuleSet):
    (mmp2,) = bundled_rules.find("MMP2")
    text = _render(mmp2)
    assert text.startswith("MMP2  P08253  (tme)")
    assert "rules/tme_ecm_proteases.yaml, rules_version" in text
    assert "│ CAF " in text
    flat = " ".join("".join(text.split("│")).split())
    assert 'founding review §3.2 (Cancer-associated fibroblasts) "CAFs are also essential' in flat
    # The review is cited in full once under the entry: authors, title, journal, DOI.
    assert ('J. Bersano, "The Dysregulation of the Secretome in the Tumor Microenvironment: A Potential Source for '
            'Biomarker Discovery and Personalized Cancer Treatment", JOSHA 11(3), doi:10.17160/josha.11.3.991') in flat
    assert "https://doi.org/10.17160/josha.11.3.991" in flat
    assert "\x1b[" not in text


def test_show_every_bundled_entry_renders(bundled_rules: RuleSet):
    for index in bundled_rules.index.values():
        for entry in index.by_gene.values():
            assert _render(entry).startswith(entry.gene)
            json.dumps(entry_as_dict(entry))


def test_show_keeps_brackets_and_odd_data():
    raw = {"gene": "X1", "accession": "P12345", "note": "[bold]not markup[/bold]", "processes": [{"value": "EMT"}]}
    entry = Entry("X1", "P12345", raw, _rule_file([raw]))
    text = _render(entry)
    assert "[bold]not markup[/bold]" in text
    assert "(no evidence)" in text


def test_entry_as_dict_resolves_sources(bundled_rules: RuleSet):
    (klk3,) = bundled_rules.find("PSA")
    data = entry_as_dict(klk3)
    assert data["gene"] == "KLK3" and data["kind"] == "tme" and data["file"] == "rules/tme_clinical_markers.yaml"
    citations = [item["citation"] for claim in data["clinical"] for item in claim["evidence"]]
    assert any(c.startswith("fuzery2013 -> Füzéry AK") for c in citations)
    seeds = [item for claim in data["clinical"] for item in claim["evidence"] if "seed" in item]
    assert seeds, "KLK3 cites the founding review"
    for item in seeds:
        assert item["citation"].startswith('J. Bersano, "The Dysregulation of the Secretome')
        assert f"section {item['seed']} (" in item["citation"] and "doi:10.17160/josha.11.3.991" in item["citation"]
        assert item["reference"]["doi"] == "10.17160/josha.11.3.991" and item["reference"]["section"] == item["seed"]
    assert data["references"]["seed"]["journal"] == "JOSHA"


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"seed": "3.2", "quote": "q"}, 'founding review §3.2 (Cancer-associated fibroblasts) "q"'),
        ({"seed": "9.9"}, "founding review §9.9"),
        ({"pmid": "12345"}, "PMID 12345 (https://pubmed.ncbi.nlm.nih.gov/12345/)"),
        ({"doi": "10.1000/x.y"}, "doi:10.1000/x.y (https://doi.org/10.1000/x.y)"),
        (
            {"database": "MSigDB Hallmark v7.0", "set": "HALLMARK_ANGIOGENESIS", "secondary": True},
            "MSigDB Hallmark v7.0 HALLMARK_ANGIOGENESIS (secondary)",
        ),
        ({"source": "book"}, "book -> A book (https://example.org/book)"),
        ({"source": "gone"}, "gone -> (not in this file's sources table)"),
    ],
)
def test_format_evidence(item: dict, expected: str):
    sources = {"book": {"citation": "A book", "url": "https://example.org/book"}}
    assert format_evidence(item, sources) == expected


def test_pd_l1_22c3_companion_diagnostic_cites_its_fda_pma(bundled_rules: RuleSet):
    """rules/README.md: cite the FDA application where it is known (PMA P150013, October 2015), not a news page."""
    (cd274,) = [e for e in bundled_rules.find("PD-L1") if e.file.kind == "tme"]
    (claim,) = [c for c in cd274.data["clinical"] if c["status"] == "fda_marker"]
    assert "22C3" in claim["note"] and claim["year"] == 2015
    assert claim["evidence"] == [{"regulatory": "PMA P150013"}]
    assert format_evidence(claim["evidence"][0], cd274.file.sources) == (
        "FDA PMA P150013 (https://www.accessdata.fda.gov/scripts/cdrh/cfdocs/cfpma/pma.cfm?id=P150013)")
    assert cd274.rules_version == "2.0.1"


def test_close_names_suggests_genes(bundled_rules: RuleSet):
    assert "CXCL8" in close_names(bundled_rules, "interleukin 8")


_SEED = {"seed": "3.2", "quote": "fibroblasts"}
_PMID = {"pmid": "12345678"}


@pytest.mark.parametrize(("claims", "cites"), [
    ({"cell_sources": [{"value": "CAF", "evidence": [_SEED]}]}, True),
    ({"cell_sources": [{"value": "CAF", "evidence": [_PMID]}],
      "nonclassical": {"route_type": "III", "mechanism": "exosomes", "evidence": [_SEED]}}, True),
    ({"processes": [{"value": "angiogenesis", "evidence": [_PMID]}]}, False),
    ({"processes": [{"value": "angiogenesis", "evidence": "seed 3.2"}]}, False),  # malformed, unvalidated
], ids=["cell-source", "nonclassical-only", "none", "evidence-not-a-list"])
def test_annotate_json_and_rules_show_agree_on_citing_the_review(claims, cites):
    """One decision (knowledge.citations.cites_seed) for the annotate JSON and rules show JSON: an entry that
    cites the founding review by section gets the full reference once, in both."""
    from secannot.knowledge.annotate import Annotation

    rule_file = RuleFile("t.yaml", "tme", 2, "1.0.0", "2026-01-01", "t", {}, (), "test")
    entry = Entry("VEGFA", "P15692", {"gene": "VEGFA", "accession": "P15692", **claims}, rule_file)
    annotated = Annotation("P15692", "VEGFA", (), (), (), "1.0.0", "gene", entry).as_dict()
    shown = entry_as_dict(entry)
    assert ("references" in annotated) is ("references" in shown) is cites
    if cites:
        assert annotated["references"] == shown["references"]


# -- exit codes of the rules commands --------------------------------------------------------------
def test_rules_lint_of_a_missing_file_is_an_input_error_not_a_finding(tmp_path):
    missing = tmp_path / "nonexistent.yaml"
    res = run_cli(["rules", "lint", missing])
    assert res.code == ExitCode.INPUT
    assert res.err.splitlines() == [f"error: {missing}: no such file or directory"]
    assert res.out == ""


_NO_RULE_FILES = "no .yaml or .yml rule files in this directory"


@pytest.mark.parametrize("contents", [[], ["notes.txt", "old.yaml.bak"], ["sub/tme_a.yaml"]],
                         ids=["empty", "other-files", "rules-one-level-down"])
@pytest.mark.parametrize("command", [
    ["annotate", SUBSET_FASTA],
    ["predict", SUBSET_FASTA],
    ["rules", "show", "VEGFA"],
    ["check", SUBSET_FASTA, "--require", "classical"],
    ["summarize", SUBSET_FASTA],
], ids=["annotate", "predict", "show", "check", "summarize"])
def test_a_rules_directory_without_rule_files_is_a_rules_error(tmp_path: Path, contents: list, command: list):
    """A typo (--rules lab/ for lab/rules/) used to run with the bundled rules alone, exit 0, nothing said."""
    directory = tmp_path / "lab"
    directory.mkdir()
    for name in contents:
        (directory / name).parent.mkdir(exist_ok=True)
        (directory / name).write_text((LINT / "good.yaml").read_text())
    res = run_cli([*command, "--rules", directory])
    assert (res.code, res.out) == (ExitCode.RULES, "")
    assert res.err.splitlines() == [f"error: {directory}: {_NO_RULE_FILES}; --rules expects a directory of .yaml "
                                    "rule files"]


@pytest.mark.parametrize("contents", [[], ["notes.txt"]], ids=["empty", "other-files"])
@pytest.mark.parametrize("side", ["old", "new"])
def test_rules_diff_with_a_directory_without_rule_files_is_a_rules_error(tmp_path: Path, contents: list, side: str):
    """It exited 0 listing every entry as removed (or added): the --rules error, in the same words."""
    directory = tmp_path / "empty"
    directory.mkdir()
    for name in contents:
        (directory / name).write_text("not a rule file")
    args = [BUNDLED, directory] if side == "new" else [directory, BUNDLED]
    res = run_cli(["rules", "diff", *args])
    assert (res.code, res.out) == (ExitCode.RULES, "")
    assert res.err.splitlines() == [f"error: {directory}: {_NO_RULE_FILES}; rules diff expects a directory of "
                                    ".yaml rule files"]
    with pytest.raises(RulesError, match=f"^{directory}: {_NO_RULE_FILES}; rules diff expects"):
        diff_dirs(*args)


_RULES_COMMANDS = [["annotate", SUBSET_FASTA], ["predict", SUBSET_FASTA], ["rules", "show", "VEGFA"],
                   ["check", SUBSET_FASTA, "--require", "classical"], ["summarize", SUBSET_FASTA]]
_RULES_COMMAND_IDS = ["annotate", "predict", "show", "check", "summarize"]


@pytest.mark.parametrize("second, message", [
    ("lab", "--rules lab is given twice; give each rule directory once"),
    ("./lab/", "--rules ./lab/ is the same directory as --rules lab; give each rule directory once"),
    ("ABSOLUTE", "--rules ABSOLUTE is the same directory as --rules lab; give each rule directory once"),
    ("link", "--rules link is the same directory as --rules lab; give each rule directory once"),
], ids=["same-text", "other-spelling", "absolute", "symlink"])
@pytest.mark.parametrize("command", _RULES_COMMANDS, ids=_RULES_COMMAND_IDS)
def test_a_rules_directory_given_twice_is_a_usage_error(tmp_path: Path, monkeypatch, command: list, second: str,
                                                        message: str):
    """It was loaded twice, layered over itself ('VEGFA overrides lab/lab.yaml'), as inputs given twice are refused."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lab").mkdir()
    shutil.copy(LINT / "good.yaml", tmp_path / "lab" / "lab.yaml")
    (tmp_path / "link").symlink_to(tmp_path / "lab")
    second = second.replace("ABSOLUTE", str(tmp_path / "lab"))
    res = run_cli([*command, "--rules", "lab", "--rules", second])
    assert (res.code, res.out) == (ExitCode.USAGE, "")
    assert res.err.splitlines() == [f"error: {message.replace('ABSOLUTE', str(tmp_path / 'lab'))}"]


@pytest.mark.parametrize("before", [[], ["--rules", LINT]], ids=["alone", "after-another"])
@pytest.mark.parametrize("command", _RULES_COMMANDS, ids=_RULES_COMMAND_IDS)
def test_an_empty_rules_directory_name_is_a_usage_error(tmp_path: Path, monkeypatch, command: list, before: list):
    """--rules "$LAB" with LAB unset silently loaded every .yaml file of the working directory."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(LINT / "good.yaml", tmp_path / "stray.yaml")
    res = run_cli([*command, *before, "--rules", ""])
    assert (res.code, res.out) == (ExitCode.USAGE, "")
    assert res.err.splitlines() == ["error: --rules is an empty name (''); give a directory of .yaml rule files"]


@pytest.mark.parametrize("args, message", [
    (["diff", "", BUNDLED], "OLD_DIR is an empty name (''); give a directory of .yaml rule files"),
    (["diff", BUNDLED, ""], "NEW_DIR is an empty name (''); give a directory of .yaml rule files"),
    (["lint", ""], "FILE|DIR is an empty name (''); give a rule file or a directory of .yaml rule files"),
    (["lint", LINT / "good.yaml", ""],
     "FILE|DIR is an empty name (''); give a rule file or a directory of .yaml rule files"),
], ids=["diff-old", "diff-new", "lint", "lint-after-a-file"])
def test_an_empty_rules_path_argument_is_a_usage_error(tmp_path: Path, monkeypatch, args: list, message: str):
    """As --rules '': diff read '' as the working directory (and lint called it a missing file named '', exit 4)."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(LINT / "good.yaml", tmp_path / "stray.yaml")
    res = run_cli(["rules", *args])
    assert (res.code, res.out) == (ExitCode.USAGE, "")
    assert res.err.splitlines() == [f"error: {message}"]


def test_rules_lint_of_a_directory_without_rule_files_is_an_error(tmp_path: Path):
    """As the loader refuses it: a finding (exit 1, as lint's other errors), not a warning that exits 0."""
    (tmp_path / "notes.txt").write_text("not a rule file")
    res = run_cli(["rules", "lint", tmp_path, LINT / "good.yaml"])
    assert res.code == ExitCode.FINDINGS
    assert res.out.splitlines() == [f"{tmp_path}:0: {_NO_RULE_FILES}"]


def test_rules_lint_whole_directory_lints_the_directory_of_each_file_given(tmp_path: Path):
    """The pre-commit hook's mode: a staged file is linted with the files beside it, each problem once."""
    lab = tmp_path / "lab"
    lab.mkdir()
    shutil.copy(LINT / "good.yaml", lab / "a.yaml")
    shutil.copy(LINT / "good.yaml", lab / "b.yaml")
    assert run_cli(["rules", "lint", lab / "b.yaml"]).code == 0
    res = run_cli(["rules", "lint", "--whole-directory", lab / "b.yaml", lab / "a.yaml"])
    assert res.code == ExitCode.FINDINGS
    assert [line for line in res.out.splitlines() if "duplicate gene AAA1" in line] == [
        f"{lab}/b.yaml:13: duplicate gene AAA1 (first at {lab}/a.yaml:13)"]


def test_rules_show_without_an_entry_exits_1_as_documented():
    res = run_cli(["rules", "show", "NOSUCHGENE"])
    assert res.code == ExitCode.FINDINGS and res.out == ""
    table = README.read_text().split("<!-- exit-codes:start -->")[1]
    assert "| 1 |" in table and "rules show found no entry" in table.split("| 2 |")[0]


@pytest.mark.parametrize("query", ["", "  "], ids=["empty", "blank"])
def test_rules_show_of_an_empty_query_is_a_usage_error(query: str):
    res = run_cli(["rules", "show", query])
    assert res.code == ExitCode.USAGE and res.out == ""
    assert res.err.splitlines() == [
        f"error: GENE|ACCESSION|ALIAS is empty ({query!r}); give a gene symbol, accession or alias"
    ]


@pytest.mark.parametrize(("edit", "expected"), [
    (('aliases: ["alpha-A"]', 'aliases: ["alpha-A"'),
     "tme_a.yaml:16: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 15)"),
    (('date: "2026-01-01"', "date: 2026-13-45"),
     'tme_a.yaml:4: not a calendar date: month must be in 1..12; quote dates as "YYYY-MM-DD"'),
], ids=["yaml-syntax", "impossible-date"])
def test_rules_diff_reports_a_broken_file_as_file_and_line(tmp_path: Path, edit: tuple[str, str], expected: str):
    """As rules lint and a --rules load do: not PyYAML's 'in "<unicode string>", line 16, column 5'."""
    good = (LINT / "good.yaml").read_text()
    for side, text in (("old", good), ("new", good.replace(*edit))):
        (tmp_path / side).mkdir()
        (tmp_path / side / "tme_a.yaml").write_text(text)
    res = run_cli(["rules", "diff", tmp_path / "old", tmp_path / "new"])
    assert res.code == ExitCode.RULES and res.out == ""
    new = tmp_path / "new" / "tme_a.yaml"
    assert res.err.splitlines() == [f"error: {tmp_path / 'new'}/{expected}; run 'secannot rules lint {new}'"]


# -- one --rules directory is one layer; it is linted as the layer it would be over the bundled rules -------------

def _two_files(tmp_path: Path, second: str) -> Path:
    """A user rules directory of the lint fixture (r1.yaml) and ``second`` (r8.yaml, sorting after it)."""
    directory = tmp_path / "lab"
    directory.mkdir()
    (directory / "r1.yaml").write_text((LINT / "good.yaml").read_text())
    (directory / "r8.yaml").write_text(second)
    return directory


_GOOD = (LINT / "good.yaml").read_text()


@pytest.mark.parametrize(("second", "expected"), [
    (_GOOD.replace("gene: BBB2", "gene: CCC3").replace("Q67890", "O22222").replace("P12345", "P12346")
     .replace('"beta-B"', '"gamma-C"'), "r8.yaml:13: duplicate gene AAA1 (first at {dir}/r1.yaml:13)"),
    (_GOOD.replace("gene: AAA1", "gene: DDD4").replace("gene: BBB2", "gene: EEE5").replace("Q67890", "O22222")
     .replace('"alpha-A"', '"delta-D"').replace('"beta-B"', '"eps-E"'),
     "r8.yaml:14: duplicate accession P12345: DDD4 and AAA1 (first at {dir}/r1.yaml:14)"),
    (_GOOD.replace("gene: AAA1", "gene: DDD4").replace("gene: BBB2", "gene: EEE5").replace("Q67890", "O22222")
     .replace("P12345", "P12346").replace('"beta-B"', '"eps-E"'),
     "r8.yaml:15: duplicate alias 'alpha-A': DDD4 and AAA1 (first at {dir}/r1.yaml:15)"),
], ids=["gene", "accession", "alias"])
def test_a_name_in_two_files_of_one_rules_dir_is_a_rules_error_as_lint_says(tmp_path: Path, second: str,
                                                                            expected: str):
    """Not a warning 'r8.yaml: AAA1 overrides r1.yaml' with the file that sorts last winning: one directory is
    one layer, so the loader refuses what rules lint reports, as it does within one file."""
    directory = _two_files(tmp_path, second)
    line = f"{directory}/{expected.format(dir=directory)}"
    assert line in _lines(lint_paths([directory]))
    res = run_cli(["annotate", "--uniprot", "P15692", "--offline", "--rules", directory])
    assert res.code == ExitCode.RULES and res.out == ""
    (message,) = res.err.splitlines()
    assert message.startswith(f"error: {line} (") and f"run 'secannot rules lint {directory}'" in message
    with pytest.raises(RulesError, match="between the files of one --rules directory"):
        RuleSet.load([directory])


def _bundled_lines(name: str, gene: str) -> dict[str, int]:
    """Lines of the entry's gene and aliases keys in a bundled file."""
    lines = (BUNDLED / name).read_text().splitlines()
    start = lines.index(f"  - gene: {gene}")
    aliases = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("aliases:"))
    return {"gene": start + 1, "aliases": aliases + 1}


def _user_entry(gene: str, accession: str, aliases: str) -> str:
    return _GOOD.split("entries:")[0] + (
        f"entries:\n  - gene: {gene}\n    accession: {accession}\n    aliases: {aliases}\n    processes:\n"
        "      - value: angiogenesis\n        evidence:\n          - {source: book2020}\n")


_NAME_CASES = [
    (("IHH", "Q14623", '["VEGF"]'),
     "tme_mine.yaml:15: alias 'VEGF' of IHH is an alias of VEGFA in the bundled rules "
     "(rules/tme_growth_factors.yaml:{aliases}); a lookup of 'VEGF' would find one of them"),
    (("POSTN", "Q15063", '["VEGFA"]'),
     "tme_mine.yaml:15: alias 'VEGFA' of POSTN is the gene symbol of VEGFA in the bundled rules "
     "(rules/tme_growth_factors.yaml:{gene})"),
    (("VEGF", "P12346", '["VEGF-X"]'),
     "tme_mine.yaml:13: gene VEGF is an alias of VEGFA in the bundled rules (rules/tme_growth_factors.yaml:{aliases}); "
     "a lookup of VEGF would find this entry, not VEGFA"),
]


@pytest.mark.parametrize(("entry", "expected"), _NAME_CASES,
                         ids=["alias-is-bundled-alias", "alias-is-bundled-gene", "gene-is-bundled-alias"])
def test_lint_of_a_user_dir_checks_its_names_against_the_bundled_rules(tmp_path: Path, entry: tuple, expected: str):
    """A user directory is linted as the layer it would be over the bundled rules; the bundled rules lint clean."""
    (tmp_path / "tme_mine.yaml").write_text(_user_entry(*entry))
    where = _bundled_lines("tme_growth_factors.yaml", "VEGFA")
    res = run_cli(["rules", "lint", tmp_path])
    assert res.code == ExitCode.FINDINGS
    assert f"{tmp_path}/{expected.format(**where)}" in res.out.splitlines(), res.out
    assert not has_errors(lint_paths([BUNDLED])) and not has_errors(lint_paths([Path(__file__).parents[1] / "rules"]))


def test_overriding_a_bundled_entry_lints_clean_over_the_bundled_rules():
    assert not has_errors(lint_paths([RULES_DATA / "override"]))


# -- a user entry with an earlier layer's accession under another gene ---------------------------------------------

_VEGF = _user_entry("VEGF", "P15692", '["my VEGF"]')  # VEGFA's accession under the alias VEGF


def _taken(path: Path, earlier: str) -> str:
    return (f"{path}:14: accession P15692 of VEGF is the accession of VEGFA in {earlier}; use its gene symbol "
            "('gene: VEGFA') to override that entry, or correct the accession")


@pytest.mark.parametrize("command", [
    ["annotate", SUBSET_FASTA],
    ["rules", "show", "VEGFA"],
    ["rules", "show", "P15692"],
    ["check", SUBSET_FASTA, "--require", "classical"],
    ["summarize", SUBSET_FASTA],
], ids=["annotate", "show-gene", "show-accession", "check", "summarize"])
def test_a_user_entry_with_a_bundled_accession_under_another_gene_is_a_rules_error(tmp_path: Path, command: list):
    """It used to replace the bundled VEGFA entry in annotate (gene VEGF, the bundled claims gone, nothing said),
    while rules show VEGFA showed the bundled entry and rules show P15692 the user one."""
    (tmp_path / "tme_vegf.yaml").write_text(_VEGF)
    res = run_cli([*command, "--rules", tmp_path])
    assert res.code == ExitCode.RULES and res.out == ""
    vegfa = _bundled_lines("tme_growth_factors.yaml", "VEGFA")["gene"] + 1  # the accession line
    expected = _taken(tmp_path / "tme_vegf.yaml", f"the bundled rules (rules/tme_growth_factors.yaml:{vegfa})")
    assert res.err.splitlines() == [f"error: {expected}"]
    lint = run_cli(["rules", "lint", tmp_path])
    assert lint.code == ExitCode.FINDINGS and expected in lint.out.splitlines(), lint.out


def test_an_earlier_user_layers_accession_is_taken_too(tmp_path: Path):
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    shutil.copy(RULES_DATA / "override" / "tme_vegfa.yaml", tmp_path / "first")
    (tmp_path / "second" / "tme_vegf.yaml").write_text(_VEGF)
    with pytest.raises(RulesError) as raised:
        RuleSet.load([tmp_path / "first", tmp_path / "second"])
    first = tmp_path / "first"
    assert str(raised.value) == _taken(tmp_path / "second" / "tme_vegf.yaml",
                                       f"the --rules layer {first} ({first / 'tme_vegfa.yaml'}:12)")


def test_a_user_layer_that_overrides_the_owner_may_reuse_its_accession():
    """VEGFA replaced in the same layer (under another accession): P15692 is free for the layer's VEGF entry, in
    whichever order the layer's entries come, as rules lint sees it."""
    bundled = _rule_file([{"gene": "VEGFA", "accession": "P15692"}])
    user = replace(bundled, path="lab/tme_x.yaml", layer="lab",
                   entries=({"gene": "VEGF", "accession": "P15692"}, {"gene": "VEGFA", "accession": "P12346"}))
    rules = RuleSet.from_files([bundled, user])
    assert [e.gene for e in rules.find("P15692")] == ["VEGF"]
    later = replace(user, path="later/tme_y.yaml", layer="later", entries=({"gene": "VEGFX", "accession": "P15692"},))
    with pytest.raises(RulesError, match=r"accession P15692 of VEGFX is the accession of VEGF in the --rules layer "
                                         r"lab \(lab/tme_x\.yaml\)"):
        RuleSet.from_files([bundled, user, later])


@pytest.mark.parametrize(("entry", "expected"), _NAME_CASES,
                         ids=["alias-is-bundled-alias", "alias-is-bundled-gene", "gene-is-bundled-alias"])
@pytest.mark.parametrize("command", [
    ["annotate", SUBSET_FASTA],
    ["rules", "show", "VEGF"],
    ["rules", "show", "VEGFA"],
    ["summarize", SUBSET_FASTA],
], ids=["annotate", "show-alias", "show-gene", "summarize"])
def test_a_user_name_a_bundled_entry_uses_is_a_rules_error_as_lint_says(tmp_path: Path, entry: tuple,
                                                                       expected: str, command: list):
    """rules lint reported these (exit 1) while annotate only warned ('alias VEGF of IHH was an alias of VEGFA')
    and rules show VEGF then printed IHH: the loader refuses them in lint's words (exit 5, one line)."""
    (tmp_path / "tme_mine.yaml").write_text(_user_entry(*entry))
    line = f"{tmp_path}/{expected.format(**_bundled_lines('tme_growth_factors.yaml', 'VEGFA'))}"
    lint = run_cli(["rules", "lint", tmp_path])
    assert lint.code == ExitCode.FINDINGS and line in lint.out.splitlines(), lint.out
    res = run_cli([*command, "--rules", tmp_path])
    assert (res.code, res.out, res.err.splitlines()) == (ExitCode.RULES, "", [f"error: {line}"])


def test_a_user_name_an_earlier_user_layer_uses_is_a_rules_error_too(tmp_path: Path):
    """As for an earlier layer's accession: the second --rules layer's alias 'OSF-2' is an alias of the first
    layer's POSTN, which the second layer leaves in force."""
    for layer, entry in (("first", ("POSTN", "Q15063", '["OSF-2"]')), ("second", ("IHH", "Q14623", '["OSF-2"]'))):
        (tmp_path / layer).mkdir()
        (tmp_path / layer / "tme_mine.yaml").write_text(_user_entry(*entry))
    with pytest.raises(RulesError) as raised:
        RuleSet.load([tmp_path / "first", tmp_path / "second"])
    first = tmp_path / "first"
    assert str(raised.value) == (
        f"{tmp_path / 'second' / 'tme_mine.yaml'}:15: alias 'OSF-2' of IHH is an alias of POSTN in the --rules "
        f"layer {first} ({first / 'tme_mine.yaml'}:15); a lookup of 'OSF-2' would find one of them")


@pytest.mark.parametrize("vegfa_first", [False, True])
def test_a_name_of_a_bundled_entry_the_layer_overrides_is_free(tmp_path: Path, vegfa_first: bool):
    """Overriding stays allowed: a layer that replaces VEGFA (without the alias VEGF) may give VEGF to another
    entry, in either order of its entries; loader and lint agree, and the override is reported."""
    head, ihh = _user_entry("IHH", "Q14623", '["VEGF"]').split("entries:\n")
    vegfa = _user_entry("VEGFA", "P15692", '["VEGF-A"]').split("entries:\n")[1]
    (tmp_path / "tme_mine.yaml").write_text(head + "entries:\n" + (vegfa + ihh if vegfa_first else ihh + vegfa))
    assert not has_errors(lint_paths([tmp_path]))
    rules = RuleSet.load([tmp_path])
    assert [e.gene for e in rules.find("VEGF")] == ["IHH"]
    assert [e.gene for e in rules.find("P15692") if e.file.kind == "tme"] == ["VEGFA"]
    assert any("VEGFA overrides rules/tme_growth_factors.yaml" in line for line in rules.overrides)


@pytest.mark.parametrize(("item", "token"), [({"regulatory": "PMA P150013"}, "regulatory:PMA P150013"),
                                             ({"pmid": "24088261"}, "pmid:24088261"),
                                             ({"seed": "3.2", "quote": "x"}, "seed:3.2")])
def test_rules_diff_names_evidence_by_its_citation(item, token):
    """A regulatory id was printed as raw JSON by rules diff ('+{"regulatory": ...}')."""
    from secannot.knowledge.diff import evidence_token

    assert evidence_token(item) == token


# -- the run's rules version names the layers in the order they apply -------------------------------------------

def _vegfa_layer(directory: Path, version: str, process: str) -> Path:
    """A --rules directory whose one entry replaces VEGFA's processes with ``process``."""
    directory.mkdir()
    (directory / "tme_vegfa.yaml").write_text(
        f"schema_version: 1\nrules_version: {version}\ndate: '2026-11-27'\nkind: tme\ntitle: lab rules\n"
        "entries:\n  - gene: VEGFA\n    accession: P15692\n    processes:\n"
        f"      - value: {process}\n        evidence: [{{pmid: '12345678'}}]\n")
    return directory


def _vegfa_run(*rules: Path | str) -> tuple[str, str, str]:
    """(VEGFA's processes, the provenance's rules version, VEGFA's rules_version) of an annotate run."""
    res = run_cli(["annotate", SUBSET_FASTA, "-f", "json", *[x for d in rules for x in ("--rules", d)]])
    assert res.code == 0, res.err
    document = json.loads(res.out)
    vegfa = next(r for r in document["records"] if "P15692" in r["id"])
    processes = ",".join(c["value"] for c in vegfa["annotation"]["processes"])
    return processes, document["provenance"]["rules"]["version"], vegfa["rules_version"]


def test_the_rules_version_keeps_the_order_of_the_rules_layers(tmp_path: Path):
    """The last --rules layer wins, so 'a then b' and 'b then a' annotate VEGFA differently; both runs used to
    carry one rules version (the user layers sorted), and their provenance could not tell them apart."""
    a = _vegfa_layer(tmp_path / "a", "0.3.0", "lymphangiogenesis")
    b = _vegfa_layer(tmp_path / "b", "0.4.0", "angiogenesis")
    bundled = RuleSet.load().version_summary()
    in_order = f"{bundled}+{a}:0.3.0+{b}:0.4.0"
    reversed_ = f"{bundled}+{b}:0.4.0+{a}:0.3.0"
    assert _vegfa_run(a, b) == ("angiogenesis", in_order, in_order)
    assert _vegfa_run(b, a) == ("lymphangiogenesis", reversed_, reversed_)


@pytest.mark.parametrize(("pairs", "expected"), [
    ([("bundled", "2.0.0"), ("bundled", "1.0.0"), ("bundled", "2.0.0")], "1.0.0+2.0.0"),
    ([("bundled", "1.0.0"), ("z", "0.2.0"), ("z", "0.1.0"), ("a", "0.5.0")], "1.0.0+z:0.1.0+z:0.2.0+a:0.5.0"),
    ([("bundled", "1.0.0"), ("a", "0.1.0"), ("b", "0.2.0"), ("a", "0.1.0")], "1.0.0+a:0.1.0+b:0.2.0+a:0.1.0"),
    ([], "none"),
], ids=["bundled-sorted", "layers-in-order", "a-layer-again-later", "nothing"])
def test_combined_version_lists_user_layers_in_the_order_they_apply(pairs, expected):
    """The bundled versions are one set (sorted); each user layer follows in its place, its own files' distinct
    versions sorted; a directory given again later applies again, so it is named again."""
    from secannot.knowledge.ruleset import combined_version

    assert combined_version(pairs) == expected


@pytest.mark.parametrize("typed", ["lab/", "./lab", "lab", "./lab/", "lab//", "other/../lab"])
def test_a_rules_layer_is_labelled_by_its_normalised_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          typed: str):
    """'lab/', './lab' and 'lab' are one directory of the same rules; labelled as typed, they made three rules
    versions, and summarize warned that hits and background were annotated under different rules."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "other").mkdir()
    _vegfa_layer(tmp_path / "lab", "0.3.0", "lymphangiogenesis")
    expected = f"{RuleSet.load().version_summary()}+lab:0.3.0"
    assert _vegfa_run(typed) == ("lymphangiogenesis", expected, expected)
    shown = run_cli(["rules", "show", "VEGFA", "--rules", typed, "-f", "json"])
    assert [e["layer"] for e in json.loads(shown.out) if e["kind"] == "tme"] == ["lab"]
    hits = tmp_path / "hits.jsonl"
    hits.write_text(run_cli(["annotate", SUBSET_FASTA, "-f", "jsonl", "--rules", "lab"]).out)
    res = run_cli(["summarize", hits, "--background", SUBSET_FASTA, "-f", "json", "--rules", typed])
    assert res.code == 0 and "the hits were annotated with rules" not in res.err, res.err


def test_an_absolute_rules_path_is_another_label(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Normalising is lexical: the same directory typed absolute keeps its absolute label (documented)."""
    monkeypatch.chdir(tmp_path)
    _vegfa_layer(tmp_path / "lab", "0.3.0", "lymphangiogenesis")
    assert _vegfa_run(tmp_path / "lab")[1].endswith(f"+{tmp_path / 'lab'}:0.3.0")


def test_lint_takes_each_directory_as_its_own_layer(tmp_path, lab_rules):
    """`--rules a --rules b` may override one gene twice (the last layer wins), so `rules lint a b` (and the
    pre-commit hook, which lints whole directories) must not call it a duplicate; within one directory it is one."""
    import shutil

    second = tmp_path / "second"
    shutil.copytree(lab_rules, second)
    res = run_cli(["rules", "lint", lab_rules, second])
    assert res.code == 0 and "duplicate gene" not in res.out + res.err, res.out + res.err
    assert run_cli(["annotate", "--rules", lab_rules, "--rules", second, "-"], stdin=b">x\nMKV\n").code == 0
    shutil.copy(lab_rules / "lab.yaml", second / "again.yaml")
    res = run_cli(["rules", "lint", second])
    assert res.code == 1 and "duplicate gene VEGFA" in res.out + res.err, res.out + res.err


def test_lint_checks_each_user_directory_over_the_bundled_rules_alone(tmp_path, lab_rules):
    """A directory overriding VEGFA, linted beside another whose alias is VEGFA, freed the bundled names and hid
    the second directory's error (exit 0), while `annotate --rules a --rules b` exits 5 on it."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "r.yaml").write_text(
        "schema_version: 1\nrules_version: 0.1.0\ndate: '2026-11-27'\nkind: tme\ntitle: other\n"
        "entries:\n  - gene: SPP1\n    accession: P10451\n    aliases: [VEGFA]\n    processes:\n"
        "      - value: invasion\n        evidence: [{pmid: '12345678'}]\n")
    alone = run_cli(["rules", "lint", other])
    assert alone.code == 1 and "alias 'VEGFA' of SPP1" in alone.out + alone.err
    together = run_cli(["rules", "lint", lab_rules, other])
    assert together.code == 1 and "alias 'VEGFA' of SPP1" in together.out + together.err, together.out

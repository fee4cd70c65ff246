"""The HTML report as a reader meets it: every section, the per-protein table, citations in full, provenance.

The page is parsed with the standard library's html.parser (always), and, when a Chromium binary is on
PATH, also loaded in headless Chromium and checked in the DOM the browser built.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import DATA, EXAMPLE_FASTA, run_cli

from secannot.knowledge.citations import FOUNDING_REVIEW, public_note

FIX = DATA / "summarize"
SECTIONS = ("overview", "proteins", "route", "localisation", "tme", "clinical", "references", "provenance")


class Page(HTMLParser):
    """Headings with their ids, tables (header cells and rows of cell texts), links and all text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.tables: list[dict] = []
        self.links: list[str] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_head = False
        self._style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "table":
            self.tables.append({"class": attrs.get("class") or "", "headers": [], "rows": []})
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "a":
            self.links.append(attrs.get("href") or "")
        self._style = tag == "style"

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            table = self.tables[-1]
            (table["headers"] if self._in_head else table["rows"]).append(self._row)
            self._row = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "style":
            self._style = False

    def handle_data(self, data):
        if self._style:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    @property
    def flat(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, Page, str]:
    pytest.importorskip("matplotlib")
    tmp = tmp_path_factory.mktemp("report")
    hits = tmp / "hits.jsonl"
    assert run_cli(["annotate", EXAMPLE_FASTA, "-f", "jsonl", "-o", hits]).code == 0
    path = tmp / "report.html"
    res = run_cli(["summarize", hits, "--background", FIX / "background.tsv", "--report", path, "-f", "json"])
    assert res.code == 0, res.err
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return path, page, res.out


def test_every_section_is_present_with_a_heading(report):
    _, page, _ = report
    assert [i for i in page.ids if i in SECTIONS] == list(SECTIONS)


def test_no_table_has_a_blank_header(report):
    _, page, _ = report
    assert page.tables
    for table in page.tables:
        assert table["headers"] and all(cell.strip() for cell in table["headers"][0]), table["headers"]


def test_per_protein_table_has_verdict_evidence_and_annotation(report):
    _, page, _ = report
    (table,) = [t for t in page.tables if t["class"] == "proteins"]
    assert table["headers"][0] == ["protein", "gene", "verdict", "route", "evidence", "cell sources", "processes",
                                   "clinical"]
    rows = {r[1]: r for r in table["rows"]}
    assert len(table["rows"]) == 10  # every protein of the example, once
    assert rows["VEGFA"][2:5] == ["secreted", "classical", "SP 1-26"]
    assert "CAF" in rows["VEGFA"][5] and "angiogenesis" in rows["VEGFA"][6]
    assert "bevacizumab" in rows["VEGFA"][7]
    assert rows["FOLR1"][2] == "GPI-anchored" and "hydrophobic tail 240-257" in rows["FOLR1"][4]
    verdicts = [r[2] for r in table["rows"]]
    assert verdicts.index("secreted") < verdicts.index("intracellular")  # sorted by verdict


def test_provenance_names_versions_thresholds_date_and_inputs(report):
    path, page, out = report
    (table,) = [t for t in page.tables if t["headers"] and t["headers"][0] == ["field", "value"]]
    fields = {row[0]: row[1] for row in table["rows"]}
    assert fields["tool version"] and fields["signal-peptide model version"] and fields["rules version"]
    assert fields["signal-peptide threshold, P(SP) >="] == "0.88" and fields["organism group"] == "eukarya"
    assert fields["minimum category size in the background (--min-size)"] == "5"
    assert fields["input (hits)"].endswith("hits.jsonl") and fields["background"].endswith("background.tsv")
    assert fields["date of this summary (UTC)"].startswith("20") and fields["date of this summary (UTC)"].endswith("Z")
    doc = json.loads(out)  # the JSON carries the same provenance
    assert doc["provenance"]["inputs"]["background"].endswith("background.tsv")
    assert doc["provenance"]["thresholds"]["min_size"] == 5 and "date" in doc["provenance"]


def test_founding_review_and_every_source_cited_in_full(report):
    _, page, _ = report
    text = page.flat
    assert ('J. Bersano, "The Dysregulation of the Secretome in the Tumor Microenvironment: A Potential Source for '
            'Biomarker Discovery and Personalized Cancer Treatment", JOSHA 11(3)') in text
    assert "https://doi.org/10.17160/josha.11.3.991" in page.links
    # Every reference carries a DOI, PubMed or source link.
    start = page.ids.index("references")
    assert start >= 0
    refs = text.split("References", 1)[1].split("Provenance", 1)[0]
    assert refs.count("doi.org") + refs.count("PMID") + refs.count("source page") >= 1
    assert "seed review" not in text and "founding review, section" not in text


def test_no_curation_notes_reach_the_reader(report):
    _, page, _ = report
    text = page.flat.lower()
    for leak in ("knowledge table", "from memory", "unverified year confirmed"):
        assert leak not in text


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("DakoCytomation EGFR pharmDx immunohistochemistry (the knowledge table's unverified year confirmed)",
         "DakoCytomation EGFR pharmDx immunohistochemistry"),
        ("PD-L1 IHC 22C3 pharmDx; the knowledge table's 'from memory' row confirmed", "PD-L1 IHC 22C3 pharmDx"),
        ("The knowledge table's 'from memory' row: clearance confirmed, year not verified and omitted", None),
        ("The BTA tests detect a CFH-related protein; attribution to CFH follows the knowledge table and is "
         "approximate. The clearance year was unverified and is omitted.",
         "The BTA tests detect a CFH-related protein; attribution to CFH is approximate. The clearance year was "
         "unverified and is omitted."),
        ("serum HER2 extracellular domain", "serum HER2 extracellular domain"),
        (None, None),
    ],
)
def test_public_note(note, expected):
    assert public_note(note) == expected


def test_founding_review_record():
    assert FOUNDING_REVIEW.doi == "10.17160/josha.11.3.991"
    assert FOUNDING_REVIEW.section_label("3.2") == "section 3.2 (Cancer-associated fibroblasts)"


def test_single_protein_categories_are_not_tested_by_default(tmp_path):
    """1 hit of n vs 2 of N: never reported as a finding under the default --min-size."""
    res = run_cli(["summarize", FIX / "foreground.tsv", "--background", FIX / "background.tsv", "-f", "json"])
    assert res.code == 0, res.err
    doc = json.loads(res.out)
    small = [r for r in doc["rows"] if r["section"] in ("cell_source", "process") and r["background_count"] < 5]
    assert small and all(r["p_value"] is None and r["q_value"] is None and r["odds_ratio"] is None for r in small)
    big = [r for r in doc["rows"] if r["section"] in ("cell_source", "process") and r["background_count"] >= 5]
    assert big and all(r["p_value"] is not None for r in big)
    # the ratio is empty exactly when a cell is 0: no hit carries the category, or every carrier is a hit
    # (every hit carrying it, or every non-hit, does not occur in this fixture)
    assert all((r["odds_ratio"] is None) == (r["count"] in (0, r["background_count"])) for r in big)
    assert any(r["odds_ratio"] is None for r in big) and any(r["odds_ratio"] is not None for r in big)
    assert all(r["odds_ratio_ci_low"] <= r["odds_ratio"] <= r["odds_ratio_ci_high"]
               for r in big if r["odds_ratio"] is not None)
    assert "fewer than 5 background proteins" in doc["summary"]["minimum_size"]
    loose = json.loads(run_cli(["summarize", FIX / "foreground.tsv", "--background", FIX / "background.tsv",
                                "-f", "json", "--min-size", "1"]).out)
    assert all(r["p_value"] is not None for r in loose["rows"] if r["section"] in ("cell_source", "process"))
    assert run_cli(["summarize", FIX / "foreground.tsv", "--min-size", "0"]).code == 2


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def test_report_renders_in_headless_chromium(report):
    """The DOM a real browser builds has every section and the per-protein table (skips without Chromium)."""
    browser = _chromium()
    if browser is None:
        pytest.skip("no Chromium on PATH (Debian: apt-get install chromium); the html.parser tests still ran")
    path, _, _ = report
    try:
        done = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                               path.resolve().as_uri()], capture_output=True, text=True, timeout=120, check=False)
    except subprocess.TimeoutExpired:
        pytest.skip("headless Chromium did not finish within 120 s on this machine")
    if done.returncode != 0 or "<html" not in done.stdout:
        pytest.skip(f"headless Chromium could not start here: {done.stderr.strip().splitlines()[-1:]}")
    dom = Page()
    dom.feed(done.stdout)
    assert [i for i in dom.ids if i in SECTIONS] == list(SECTIONS)
    assert any(t["class"] == "proteins" and len(t["rows"]) == 10 for t in dom.tables)
    assert "https://doi.org/10.17160/josha.11.3.991" in dom.links


def test_json_names_inputs_thresholds_and_a_reproducible_date(monkeypatch):
    """The TSV stays one table (issue 14); the summary's provenance lives in --format json."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    res = run_cli(["summarize", FIX / "foreground.tsv", "--background", FIX / "background.tsv", "--format", "json"])
    assert res.code == 0, res.err
    provenance = json.loads(res.out)["provenance"]
    assert provenance["date"] == "2026-01-01T00:00:00Z"
    assert provenance["inputs"]["background"].endswith("background.tsv")
    assert "sp_prob" in provenance["thresholds"]
    assert provenance["thresholds"]["min_size"] == 5


def _references_section(page: str) -> str:
    return page[page.index('id="references"'):page.index('id="provenance"')]


def test_the_references_list_the_evidence_of_cell_source_and_process_claims(tmp_path, lab_rules):
    """Only clinical claims' sources were listed: a lab rule's PMID for a VEGFA process and the bundled MSigDB
    Hallmark evidence were cited in the tables but missing from 'every reference in full'."""
    pytest.importorskip("matplotlib")
    hits = tmp_path / "hits.jsonl"
    made = run_cli(["annotate", EXAMPLE_FASTA, "-f", "jsonl", "--rules", lab_rules])
    assert made.code == 0, made.err
    hits.write_text(made.out)
    report = tmp_path / "r.html"
    res = run_cli(["summarize", hits, "--report", report])
    assert res.code == 0, res.err
    references = _references_section(report.read_text())
    assert "PMID 12345678" in references  # the lab rule's evidence (conftest lab_rules)
    assert "MSigDB Hallmark" in references and "HALLMARK_" in references  # bundled process evidence (MMP2)

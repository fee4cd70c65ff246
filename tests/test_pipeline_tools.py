"""Pipeline citizenship: batch tables, protein-list checks, pre-commit hooks, parallel jobs."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys

import pytest
from helpers import DATA, REPO, SUBSET_FASTA, run_cli

from secannot.columns import ANNOTATE_COLUMNS
from secannot.errors import ExitCode
from secannot.io.diagnostics import Diagnostics
from secannot.pipeline.predictor import PredictConfig
from secannot.pipeline.runner import JobConfig
from secannot.pipeline.table_job import TableConfig, annotate_table


def reference_sequences() -> dict[str, str]:
    seqs, name = {}, None
    for line in SUBSET_FASTA.read_text().splitlines():
        if line.startswith(">"):
            name = line.split("|")[2].split()[0].replace("_HUMAN", "")
            seqs[name] = ""
        else:
            seqs[name] += line
    return seqs


@pytest.fixture
def table_with_sequences(tmp_path):
    seqs = reference_sequences()
    path = tmp_path / "hits.csv"
    lines = ["gene,score,sequence", f"VEGFA,3.2,{seqs['VEGFA']}", f"MMP2,1.1,{seqs['MMP2']}", ",0.5,MKV",
             f"KLK3,2.0,{seqs['KLK3']}", "BAD,0.1,MKV1"]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_table_keeps_every_row_and_column_and_appends_annotation(table_with_sequences):
    res = run_cli(["annotate", "--tsv", table_with_sequences, "--id-column", "gene", "--sequence-column", "sequence"])
    assert res.code == ExitCode.REJECTED  # two rows could not be annotated
    header, *body = list(csv.reader(io.StringIO(res.out)))
    assert header[:3] == ["gene", "score", "sequence"]
    expected = [("secannot_" + c.name if c.name == "gene" else c.name) for c in ANNOTATE_COLUMNS]
    assert header[3:] == expected + ["error"]
    assert [r[0] for r in body] == ["VEGFA", "MMP2", "", "KLK3", "BAD"]
    rows = [dict(zip(header, r, strict=False)) for r in body]
    assert "angiogenesis" in rows[0]["processes"] and rows[0]["error"] == ""
    assert rows[2]["error"] == f"{table_with_sequences}:4: (empty): empty id" and rows[2]["score"] == "0.5"
    assert "invalid character" in rows[4]["error"]
    assert "fda_marker:serum:prostate" in rows[3]["clinical"]


def test_table_chunks_do_not_change_the_output(table_with_sequences):
    outputs = []
    for chunk in (1, 2, 1000):
        out = io.StringIO()
        job = JobConfig(predict=PredictConfig(), annotate=True)
        annotate_table(TableConfig(str(table_with_sequences), "gene", None, "sequence", chunk), job, out, None,
                       Diagnostics(io.StringIO()))
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1] == outputs[2]


def test_table_column_collisions_get_a_prefix(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text(f"id\tgene\tsequence\nx1\tVEGFA\t{reference_sequences()['VEGFA']}\n")
    res = run_cli(["annotate", "--tsv", path, "--id-column", "gene", "--sequence-column", "sequence"])
    header = res.out.splitlines()[0].split("\t")
    assert header[:3] == ["id", "gene", "sequence"]
    assert "secannot_id" in header and "secannot_gene" in header


def test_table_needs_its_id_column(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("a\tb\n1\t2\n")
    res = run_cli(["annotate", "--tsv", path, "--id-column", "protein"])
    assert res.code == ExitCode.INPUT and "no column 'protein'" in res.err
    assert run_cli(["annotate", "--tsv", path]).code == ExitCode.USAGE


def test_check_clean_and_findings(tmp_path):
    good = tmp_path / "good.ids"
    good.write_text("# panel\nP07288\nP15692-2  # isoform\nsp|P08253|MMP2_HUMAN\n")
    assert run_cli(["check", good]).code == 0
    bad = tmp_path / "bad.ids"
    bad.write_text("P07288\nVEGFA\nP07288\nnot-an-id!\n")
    res = run_cli(["check", bad])
    assert res.code == ExitCode.FINDINGS
    findings = res.out.splitlines()
    assert findings == [
        f"{bad}:2: VEGFA: not a UniProt accession (gene symbols need --allow-genes)",
        f"{bad}:3: P07288: duplicate of line 1",
        f"{bad}:4: not-an-id!: not a valid UniProt accession",
    ]
    res = run_cli(["check", bad, "--allow-genes"])
    assert len(res.out.splitlines()) == 2


CROSS_FILE = {  # two files of one kind naming P07288 each (and the second a protein of its own): name -> text
    "ids": ("a.ids", "P07288\nP15692\n", "b.ids", "P08253\nP07288\n", []),
    "tsv": ("a.tsv", "name\tacc\nPSA\tP07288\n", "b.tsv", "name\tacc\nMMP2\tP08253\nPSA\tP07288\n",
            ["--id-column", "acc"]),
    "fasta": ("a.fa", ">sp|P07288|KLK3_HUMAN\nMWVPVVFLTLSVTWIGA\n", "b.fa",
              ">x\nMKV\n>sp|P07288|KLK3_HUMAN\nMWVPVVFLTLSVTWIGA\n", []),
}


@pytest.mark.parametrize("kind", CROSS_FILE)
def test_check_reports_an_id_in_two_files_as_a_duplicate_naming_both(tmp_path, kind):
    """Several files are one set of lists (`check --help`): a protein in two of them once passed silently."""
    first, first_text, second, second_text, options = CROSS_FILE[kind]
    (tmp_path / first).write_text(first_text)
    (tmp_path / second).write_text(second_text)
    res = run_cli(["check", tmp_path / first, tmp_path / second, *options])
    assert res.code == ExitCode.FINDINGS, res.err
    first_line, second_line = {"ids": (1, 2), "tsv": (2, 3), "fasta": (1, 3)}[kind]
    name = "sp|P07288|KLK3_HUMAN" if kind == "fasta" else "P07288"
    assert res.out.splitlines() == [
        f"{tmp_path / second}:{second_line}: {name}: duplicate of {tmp_path / first}:{first_line}"]
    # each file alone is clean, and so are both with --per-file (panels that share a protein on purpose)
    assert [run_cli(["check", tmp_path / f, *options]).code for f in (first, second)] == [0, 0]
    res = run_cli(["check", "--per-file", tmp_path / first, tmp_path / second, *options])
    assert (res.code, res.out) == (0, ""), res.err


def test_check_per_file_still_finds_a_repeat_within_a_file(tmp_path):
    (tmp_path / "a.ids").write_text("P07288\n")
    (tmp_path / "b.ids").write_text("P07288\nP07288\n")
    res = run_cli(["check", "--per-file", tmp_path / "a.ids", tmp_path / "b.ids"])
    assert res.code == ExitCode.FINDINGS
    assert res.out.splitlines() == [f"{tmp_path / 'b.ids'}:2: P07288: duplicate of line 1"]


def test_check_a_duplicate_within_and_across_files_in_one_run(tmp_path):
    """Within a file a repeat is named by its line, as with one file; across files, the first mention in the later
    file names the earlier file."""
    (tmp_path / "a.ids").write_text("P07288\nP07288\n")
    (tmp_path / "b.ids").write_text("P07288\nP07288\n")
    res = run_cli(["check", tmp_path / "a.ids", tmp_path / "b.ids"])
    assert res.code == ExitCode.FINDINGS
    assert res.out.splitlines() == [f"{tmp_path / 'a.ids'}:2: P07288: duplicate of line 1",
                                    f"{tmp_path / 'b.ids'}:1: P07288: duplicate of {tmp_path / 'a.ids'}:1",
                                    f"{tmp_path / 'b.ids'}:2: P07288: duplicate of line 1"]


def test_check_tsv_column_and_fasta_requirements(tmp_path):
    tsv = tmp_path / "list.tsv"
    tsv.write_text("name\taccession\nPSA\tP07288\nPSA again\tP07288\n")
    res = run_cli(["check", tsv, "--id-column", "accession"])
    assert res.code == ExitCode.FINDINGS and f"{tsv}:3: P07288: duplicate of line 2" in res.out
    res = run_cli(["check", SUBSET_FASTA, "--require", "classical"])
    assert res.code == ExitCode.FINDINGS
    flagged = {line.split(": ")[1].split("|")[1] for line in res.out.splitlines()}
    assert "P52789" in flagged and "P09038" in flagged  # HK2, FGF2: no signal peptide
    assert "P15692" not in flagged  # VEGFA
    res = run_cli(["check", SUBSET_FASTA, "--require", "nonsense"])
    assert res.code == ExitCode.USAGE


def test_parallel_jobs_keep_input_order():
    one = run_cli(["predict", SUBSET_FASTA, "-j", "1"])
    two = run_cli(["predict", SUBSET_FASTA, "-j", "2"])
    assert one.code == two.code == 0
    assert one.out == two.out


def test_quiet_silences_warnings_but_not_rejections(tmp_path):
    bad = tmp_path / "x.fa"
    bad.write_text(">a\nMKV1\n")
    res = run_cli(["summarize", SUBSET_FASTA, "-q"])
    assert res.code == 0 and res.err == ""
    res = run_cli(["predict", bad, "-q"])
    assert "MKV" not in res.out and "error:" in res.err


def _pre_commit(tmp_path) -> tuple[str, dict[str, str]]:
    """pre-commit's path and an environment with its own cache and a git identity; skips without pre-commit or git."""
    pre_commit = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")
    if pre_commit is None:
        pytest.skip("pre-commit is not installed (pip install 'secannot[test]')")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    return pre_commit, dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-cache"), GIT_AUTHOR_NAME="t",
                            GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
                            GIT_COMMITTER_EMAIL="t@example.org")


@pytest.mark.slow
def test_pre_commit_hooks_run_for_real(tmp_path):
    """pre-commit try-repo installs this repository's hooks and runs them on a good and a bad list."""
    pre_commit, env = _pre_commit(tmp_path)
    repo = tmp_path / "project"
    repo.mkdir()
    (repo / "good.ids").write_text("P07288\nP15692\n")
    (repo / "bad.ids").write_text("P07288\nP07288\nP0!234\n")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "add", "."], cwd=repo, check=True, env=env)

    def try_repo(*files: str) -> subprocess.CompletedProcess:
        return subprocess.run([pre_commit, "try-repo", str(REPO), "secannot-check", "--files", *files],
                              cwd=repo, env=env, capture_output=True, text=True, timeout=900)

    good = try_repo("good.ids")
    assert good.returncode == 0, good.stdout + good.stderr
    bad = try_repo("good.ids", "bad.ids")
    assert bad.returncode == 1
    assert "bad.ids:2: P07288: duplicate of line 1" in bad.stdout
    # one process for both files (require_serial: pre-commit would run parallel batches): P07288 is in both
    assert "bad.ids:1: P07288: duplicate of good.ids:1" in bad.stdout, bad.stdout
    assert "bad.ids:3: P0!234: not a valid UniProt accession" in bad.stdout
    # eight lists naming one protein: with more than four files pre-commit would split a non-serial hook into
    # parallel batches, each blind to the others' ids
    panels = [f"panel{i}.ids" for i in range(8)]
    for name in panels:
        (repo / name).write_text("P07288\n")
    subprocess.run(["git", "add", "."], cwd=repo, check=True, env=env)
    many = try_repo(*panels)
    assert many.returncode == 1 and many.stdout.count("P07288: duplicate of panel0.ids:1") == 7, many.stdout
    # secannot-rules-lint: eight copies of one rule file, each clean alone; pre-commit runs more than four files in
    # parallel batches (of at least four) unless the hook is serial, and each batch would see only its own duplicates
    (repo / "rules").mkdir()
    names = [f"rules/r{i}.yaml" for i in range(8)]
    for name in names:
        shutil.copy(DATA / "rules" / "lint" / "good.yaml", repo / name)
    subprocess.run(["git", "add", "."], cwd=repo, check=True, env=env)
    lint = subprocess.run([pre_commit, "try-repo", str(REPO), "secannot-rules-lint", "--files", *names],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    assert lint.returncode == 1, lint.stdout + lint.stderr
    assert lint.stdout.count("duplicate gene AAA1 (first at rules/r") == 7, lint.stdout


@pytest.mark.slow
def test_rules_lint_hook_checks_a_staged_file_against_the_committed_ones(tmp_path):
    """pre-commit passes only the staged file, but ``--rules rules`` loads the directory as one layer: a new
    rules/b.yaml repeating a gene of the committed rules/lab.yaml passed the hook, then annotate exited 5."""
    pre_commit, env = _pre_commit(tmp_path)
    repo = tmp_path / "project"
    (repo / "rules").mkdir(parents=True)
    git = [["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-q", "-m", "lab rules"]]
    shutil.copy(DATA / "rules" / "lint" / "good.yaml", repo / "rules" / "lab.yaml")
    for command in git:
        subprocess.run(command, cwd=repo, check=True, env=env)
    shutil.copy(DATA / "rules" / "lint" / "good.yaml", repo / "rules" / "b.yaml")
    subprocess.run(["git", "add", "rules/b.yaml"], cwd=repo, check=True, env=env)
    assert run_cli(["rules", "lint", repo / "rules" / "b.yaml"]).code == 0  # clean alone: what the hook saw
    hook = subprocess.run([pre_commit, "try-repo", str(REPO), "secannot-rules-lint", "--files", "rules/b.yaml"],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    assert hook.returncode == 1, hook.stdout + hook.stderr
    assert "rules/lab.yaml:13: duplicate gene AAA1 (first at rules/b.yaml:13)" in hook.stdout, hook.stdout

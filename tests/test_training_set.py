"""`secannot evaluate` says when the scored proteins are the shipped model's training proteins."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from helpers import run_cli, shared_path

from secannot.models.signal_peptide import SignalPeptideModel
from secannot.models.training_set import PREFIX, TrainingSet, write


def protein(rng: random.Random, n: int = 120) -> str:
    return "M" + "".join(rng.choices("ACDEFGHIKLMNPQRSTVWY", k=n - 1))


@pytest.fixture()
def trained(tmp_path):
    rng = random.Random(5)
    seqs = [protein(rng) for _ in range(20)]
    accs = [f"P{10000 + i}" for i in range(20)]
    path = tmp_path / "set.npz"
    write(path, accs, seqs, "9.9.9")
    return TrainingSet.load(path), accs, seqs


def test_overlap_by_accession_and_by_70_residue_n_terminus(trained):
    ts, accs, seqs = trained
    rng = random.Random(9)
    new = [protein(rng) for _ in range(4)]
    # same N-terminus, other C-terminus and another accession: the model sees the same input
    same_start = seqs[3][:PREFIX] + "W" * 30
    # one residue changed inside the first 70: a different input
    changed = seqs[4][:10] + ("A" if seqs[4][10] != "A" else "C") + seqs[4][11:]
    found = ts.overlap(
        [accs[0], accs[1].lower() + ".2", "Q99999", "Q88888", *("O00000",) * 4],
        [seqs[0], new[0], same_start, changed, *new],
    )
    assert (found.n, found.by_accession, found.by_sequence, found.either) == (8, 2, 2, 3)
    assert found.fraction == pytest.approx(3 / 8)
    text = found.warning("9.9.9")
    assert "3 of 8" in text and "37.5%" in text and "9.9.9" in text


def test_no_overlap_gives_no_warning(trained):
    ts, _, _ = trained
    rng = random.Random(11)
    found = ts.overlap(["Q11111", "Q22222"], [protein(rng), protein(rng)])
    assert found.either == 0 and found.warning("9.9.9") is None


def test_the_file_holds_hashes_not_sequences(trained, tmp_path):
    _, _, seqs = trained
    arrays = np.load(tmp_path / "set.npz")
    assert arrays["sequences"].dtype == np.uint64 and arrays["accessions"].dtype == np.uint64
    raw = (tmp_path / "set.npz").read_bytes()
    assert seqs[0][:20].encode() not in raw


def test_bundled_set_describes_the_bundled_model():
    ts = TrainingSet.load()
    assert ts is not None, "secannot/data/sp_training_set.npz is missing; train/train_sp.py writes it"
    assert ts.model_version == SignalPeptideModel.load().version
    assert len(ts.accessions) > 10000 and len(ts.sequences) > 10000


def _three_line(records) -> str:
    return "".join(f">{r[0]}|EUKARYA|{r[1]}|0\n{r[2]}\n{r[3]}\n" for r in records)


@pytest.mark.shared
def test_evaluate_names_the_fraction_of_training_proteins(tmp_path):
    source = shared_path("data/signalp6/benchmark_dev.3line").read_text().splitlines()
    real = []
    for i in range(0, len(source), 3):
        acc, kingdom, kind, _ = source[i][1:].split("|")
        if kingdom == "EUKARYA" and len(real) < 30:
            real.append((acc, kind, source[i + 1], source[i + 2]))
    rng = random.Random(2)
    made_up = [(f"Q9ZZ{i:02d}", "NO_SP", s, "I" * len(s)) for i, s in enumerate(protein(rng, 70) for _ in range(10))]
    mixed = tmp_path / "mixed.3line"
    mixed.write_text(_three_line(real + made_up))
    res = run_cli(["evaluate", mixed])
    assert res.code == 0
    assert "30 of 40 scored proteins (75.0%) are training proteins" in res.out
    report = json.loads(run_cli(["evaluate", mixed, "--format", "json"]).out)
    assert report["training_overlap"]["either"] == 30 and report["training_overlap"]["fraction"] == 0.75
    fresh = tmp_path / "fresh.3line"
    fresh.write_text(_three_line(made_up))
    res = run_cli(["evaluate", fresh])
    assert res.code == 0 and "training proteins" not in res.out


def test_evaluate_warns_when_scoring_the_leaderless_models_training_set(tmp_path):
    """The nc model was trained on OutCyte's set; scoring those proteins again must say so."""
    source = shared_path("data/outcyte/ups_dev.fasta").read_text().split(">")[1:]
    real = [">" + block for block in source[:24]]
    rng = random.Random(5)
    made_up = [f">Q9ZY{i:02d}|{'UPS' if i % 2 else 'INTRACELLULAR'}|Homo sapiens|FAKE{i}\nM{protein(rng, 150)}\n"
               for i in range(8)]
    mixed = tmp_path / "mixed.fasta"
    mixed.write_text("".join(real + made_up))
    res = run_cli(["evaluate", mixed])
    assert res.code == 0, res.err
    assert "24 of 32 scored proteins (75.0%) are training proteins of leaderless-secretion model" in res.out
    fresh = tmp_path / "fresh.fasta"
    fresh.write_text("".join(made_up))
    res = run_cli(["evaluate", fresh])
    assert res.code == 0 and "training proteins" not in res.out

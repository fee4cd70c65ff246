"""``secannot evaluate``: score the shipped models on labelled data.

Two formats are recognised from the first header: the SignalP 6.0 three-line
benchmark (signal peptides and cleavage sites, per kingdom) and OutCyte-style
FASTA with UPS/INTRACELLULAR labels (the leaderless-secretion score).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

from secannot.errors import ExitCode, InputError
from secannot.io.fasta import Record, open_input, parse_fasta
from secannot.models.training_set import NC_FILE_NAME, check_overlap
from secannot.pipeline.scoring import KINGDOM_TO_ORGANISM, BenchmarkRecord, mcc, read_three_line, score_signalp

if TYPE_CHECKING:
    from secannot.models.signal_peptide import SignalPeptideModel

UPS_LABELS = {"UPS": True, "INTRACELLULAR": False}


def detect_format(path: str) -> str:
    with open_input(path) as (fh, name):
        head = fh.read(4096).decode("utf-8", "replace")
    lines = [ln for ln in head.splitlines() if ln.strip()]
    if not lines or not lines[0].startswith(">"):
        raise InputError(f"{name}: expected a .3line benchmark or a UPS FASTA (first line must start with '>')")
    fields = lines[0][1:].split("|")
    if len(fields) >= 2 and fields[1].upper() in UPS_LABELS:
        return "ups"
    if len(fields) == 4 and fields[1] in KINGDOM_TO_ORGANISM and len(lines) >= 3 and len(lines[1]) == len(lines[2]):
        return "3line"
    raise InputError(
        f"{name}: unrecognised labels in {lines[0][:60]!r}; expected >ACC|KINGDOM|TYPE|PARTITION "
        "(SignalP 6.0 benchmark) or >ACC|UPS|ORGANISM|GENE / >ACC|INTRACELLULAR|... (OutCyte)"
    )


def predict_benchmark(records: Sequence[BenchmarkRecord], model: SignalPeptideModel) -> tuple[np.ndarray, ...]:
    """Per record, in order: sp_prob, the most probable cleavage site, and the called site (0 = none).

    Each record is predicted with its kingdom's organism group, as a user would run it.
    """
    from secannot.models.signal_peptide import ORGANISMS

    probs = np.zeros(len(records), dtype=np.float32)
    best = np.zeros(len(records), dtype=np.int64)
    called = np.zeros(len(records), dtype=np.int64)
    for kingdom, organism in KINGDOM_TO_ORGANISM.items():
        idx = np.array([i for i, r in enumerate(records) if r.kingdom == kingdom], dtype=np.int64)
        if len(idx):
            out = model.predict([records[i].sequence.encode() for i in idx], ORGANISMS[organism])
            probs[idx], best[idx], called[idx] = out.sp_prob, out.best_cleavage, out.cleavage
    return probs, best, called


def evaluate_signalp(records: Sequence[BenchmarkRecord], model_path: str | None = None) -> dict[str, Any]:
    from secannot.models.signal_peptide import SignalPeptideModel

    model = SignalPeptideModel.load(model_path)
    _, _, called = predict_benchmark(records, model)
    scores = score_signalp(records, [(cs > 0, cs or None) for cs in called.tolist()])
    order = [k for k in KINGDOM_TO_ORGANISM if k in scores]
    return {
        "format": "signalp6-3line",
        "model": {"name": model.name, "version": model.version},
        "n": len(records),
        "kingdoms": [scores[k].as_dict() for k in order],
        # a user's own model (model_path) has its own training data, unknown here
        "training_overlap": None if model_path else check_overlap(
            [r.accession for r in records], [r.sequence for r in records], model.version),
    }


def _roc_auc(y: np.ndarray, score: np.ndarray) -> float:
    """Mann-Whitney AUC with ties counted half; numpy only, so no SciPy at run time."""
    order = np.argsort(score, kind="mergesort")
    ranks = np.empty(len(score))
    sorted_scores = score[order]
    i = 0
    while i < len(score):
        j = i
        while j + 1 < len(score) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    pos = y.sum()
    neg = len(y) - pos
    if pos == 0 or neg == 0:
        return float("nan")
    return float((ranks[y].sum() - pos * (pos + 1) / 2) / (pos * neg))


def evaluate_ups(records: Sequence[Record], nc_threshold: float | None = None) -> dict[str, Any]:
    """nc_score on labelled leaderless (UPS) vs intracellular proteins.

    Only proteins without a predicted signal peptide get an nc_score, exactly as
    in ``predict``; the others are counted separately.
    """
    from secannot.models.nonclassical import NonClassicalModel
    from secannot.models.signal_peptide import SignalPeptideModel
    from secannot.models.topology import TopologyParams, find_segments

    sp_model = SignalPeptideModel.load()
    nc = NonClassicalModel.load()
    threshold = nc.threshold if nc_threshold is None else nc_threshold
    labels = np.array([UPS_LABELS[r.id.split("|")[1].upper()] for r in records])
    seqs = [r.seq for r in records]
    has_sp = np.zeros(len(records), dtype=bool)
    for start in range(0, len(seqs), 1024):
        has_sp[start : start + 1024] = sp_model.predict(seqs[start : start + 1024]).cleavage > 0
    tm = np.array([t.max_logit for t in find_segments(TopologyParams.load(), seqs)])
    score = nc.score(seqs, tm)
    keep = ~has_sp
    y, s = labels[keep], score[keep]
    pred = s >= threshold
    tp, fp = int((pred & y).sum()), int((pred & ~y).sum())
    fn, tn = int((~pred & y).sum()), int((~pred & ~y).sum())
    return {
        "format": "ups-fasta",
        "model": {"name": "secannot-nc", "version": nc.version},
        "n": len(records),
        "with_signal_peptide": {"n": int(has_sp.sum()), "ups": int((has_sp & labels).sum())},
        "scored": int(keep.sum()),
        "roc_auc": _roc_auc(y, s),
        "threshold": threshold,
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
        "mcc": mcc(tp, fp, fn, tn),
        "precision": tp / (tp + fp) if tp + fp else None,
        "recall": tp / (tp + fn) if tp + fn else None,
        # the nc model was trained on OutCyte's set: scoring it again flatters the figures
        "training_overlap": check_overlap([r.id.split("|")[0] for r in records], [r.sequence for r in records],
                                          nc.version, file_name=NC_FILE_NAME, model="leaderless-secretion model"),
    }


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def render_text(report: dict[str, Any], out: TextIO) -> None:
    model = report["model"]
    out.write(f"# secannot evaluate: {report['format']}, model {model['name']} {model['version']}, n={report['n']}\n")
    if (report.get("training_overlap") or {}).get("warning"):
        out.write(f"# {report['training_overlap']['warning']}\n")
    if report["format"] == "ups-fasta":
        sp = report["with_signal_peptide"]
        out.write(f"predicted signal peptide (not scored): {sp['n']} ({sp['ups']} labelled UPS)\n")
        out.write(f"scored without signal peptide: {report['scored']}\n")
        out.write(f"ROC AUC {_fmt(report['roc_auc'])}\n")
        c = report["confusion"]
        out.write(f"at threshold {report['threshold']:.2f}: MCC {_fmt(report['mcc'])}  precision {_fmt(report['precision'])}  "
                  f"recall {_fmt(report['recall'])}  (tp {c['tp']} fp {c['fp']} fn {c['fn']} tn {c['tn']})\n")
        return
    header = ["kingdom", "n", "MCC", "MCC1", "precision", "recall", "cs_prec", "cs_rec", "cs±1_prec", "cs±1_rec",
              "tp", "fp", "fn", "tn"]
    out.write("\t".join(header) + "\n")
    for k in report["kingdoms"]:
        c = k["confusion"]
        row = [k["kingdom"], k["n"], k["mcc"], k["mcc1"], k["precision"], k["recall"],
               k["cs_exact"]["precision"], k["cs_exact"]["recall"], k["cs_within1"]["precision"],
               k["cs_within1"]["recall"], c["tp"], c["fp"], c["fn"], c["tn"]]
        out.write("\t".join(_fmt(v) for v in row) + "\n")


def run_evaluate(path: str, out: TextIO, fmt: str, partitions: Sequence[int] = (), model_path: str | None = None,
                 nc_threshold: float | None = None) -> ExitCode:
    kind = detect_format(path)
    if kind == "3line":
        with open_input(path) as (fh, name):
            import io

            text = io.TextIOWrapper(fh, encoding="utf-8-sig")
            records = list(read_three_line(text, name))
        if partitions:
            records = [r for r in records if r.partition in partitions]
        if not records:
            raise InputError(f"{path}: no benchmark records" + (f" in partitions {list(partitions)}" if partitions else ""))
        report = evaluate_signalp(records, model_path)
    else:
        with open_input(path) as (fh, name):
            records = [r for r in parse_fasta(fh, name) if isinstance(r, Record)]
        bad = [r.id for r in records if len(r.id.split("|")) < 2 or r.id.split("|")[1].upper() not in UPS_LABELS]
        if bad:
            raise InputError(f"{path}: record {bad[0]} has no UPS/INTRACELLULAR label")
        report = evaluate_ups(records, nc_threshold)
    if fmt == "json":
        out.write(json.dumps(report, indent=2) + "\n")
    else:
        render_text(report, out)
    return ExitCode.OK

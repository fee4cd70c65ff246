"""Cross-validation side of the signal-peptide recipe: early-exit screen, decision threshold, CV report.

Every function takes the training items (see ``sp_data``) and their out-of-fold calls, one per item:
``(P(Sec/SPI), best cleavage, P(best other type), screen P)`` before :func:`apply_screen`, and
``(P(Sec/SPI), cleavage, P(best other type))`` after it. Thresholds are chosen, and figures reported, on
the benchmark proteins alone, so they compare with earlier models and with ``make bench``; the extras
appear in the report's false positives by negative type.
"""

from __future__ import annotations

import numpy as np

from secannot.models.signal_peptide import ORGANISMS
from secannot.pipeline.scoring import KingdomScore, score_signalp

THRESHOLD_GRID = np.round(np.arange(0.50, 0.9601, 0.02), 2)
MIN_POSITIVES_FOR_THRESHOLD = 100  # fewer out-of-fold signal peptides: too noisy to move 0.5
NEGATIVE_TYPES = ("signal_anchor", "tm", "transit", "other")


def choose_screen(data: list[dict], calls: list, loss: float) -> dict[str, float]:
    """Per organism group, the screen threshold that lets at most ``loss`` of true signals exit early."""
    out = {}
    for organism, org in ORGANISMS.items():
        idx = [i for i, d in enumerate(data) if d["org"] == org]
        positive = np.array([calls[i][3] for i in idx if data[i]["target"] > 0])
        negative = np.array([calls[i][3] for i in idx if data[i]["target"] == 0])
        t = float(np.quantile(positive, loss)) if len(positive) else 0.0
        out[organism] = round(t * 0.999, 6)
        print(f"screen {organism}: threshold {out[organism]:.5f} keeps {np.mean(positive >= out[organism]):.4f} of "
              f"signal peptides, sends {np.mean(negative < out[organism]):.3f} of negatives to the early exit")
    return out


def apply_screen(data: list[dict], calls: list, screen: dict[str, float]) -> list[tuple[float, int, float]]:
    """What the shipped pipeline reports: screened sequences get the screen probability and no SP."""
    names = {v: k for k, v in ORGANISMS.items()}
    out = []
    for d, (p, cs, other, s) in zip(data, calls, strict=True):
        if s < screen[names[d["org"]]]:
            out.append((s, 0, 0.0))
        else:
            out.append((p, cs, other))
    return out


def is_called(call: tuple[float, int, float], threshold: float) -> bool:
    """The shipped call rule: P(Sec/SPI) >= threshold, no other signal type likelier, a cleavage site at all."""
    p, cs, other = call
    return p >= threshold and p >= other and cs > 0


def _organism_score(data: list[dict], oof: list, organism: str, threshold: float) -> KingdomScore:
    """Out-of-fold score of one organism group on the benchmark proteins when Sec/SPI is called at ``threshold``."""
    org = ORGANISMS[organism]
    records, calls = [], []
    for d, call in zip(data, oof, strict=True):
        if d["org"] == org and d["source"] == "benchmark":
            called = is_called(call, threshold)
            records.append(d["rec"])
            calls.append((called, call[1] if called else None))
    (score,) = score_signalp(records, calls).values()  # one organism group is one kingdom
    return score


def choose_thresholds(data: list[dict], oof: list) -> dict[str, float]:
    """Per organism group, the grid threshold with the best pooled out-of-fold MCC (Sec/SPI vs the rest)."""
    out = {}
    for organism in ORGANISMS:
        positives = _organism_score(data, oof, organism, 0.5).true
        if positives < MIN_POSITIVES_FOR_THRESHOLD:
            out[organism] = 0.5
            print(f"threshold {organism}: 0.50 (only {positives} out-of-fold signal peptides)")
            continue
        best = (-2.0, 0.5)
        for t in THRESHOLD_GRID:
            score = _organism_score(data, oof, organism, float(t)).as_dict()["mcc"]
            if score > best[0] + 1e-9:
                best = (score, float(t))
        out[organism] = best[1]
        print(f"threshold {organism}: {best[1]:.2f} (pooled out-of-fold MCC {best[0]:.4f})")
    return out


def false_positives_by_type(data: list[dict], oof: list, threshold: float) -> dict[str, dict[str, tuple[int, int]]]:
    """Eukaryote out-of-fold false positives per source ('benchmark' or 'extras') and negative type: (fp, n)."""
    out: dict[str, dict[str, tuple[int, int]]] = {"benchmark": {}, "extras": {}}
    euk = ORGANISMS["eukarya"]
    for d, call in zip(data, oof, strict=True):
        if d["org"] != euk or d["negative"] is None:
            continue
        group = out["benchmark" if d["source"] == "benchmark" else "extras"]
        fp, n = group.get(d["negative"], (0, 0))
        group[d["negative"]] = (fp + is_called(call, threshold), n + 1)
    return out


def report_cv(data: list[dict], oof: list, thresholds: dict[str, float]) -> dict:
    """Pooled out-of-fold eukaryote figures at the chosen threshold (what make bench reports); returned too."""
    t = thresholds["eukarya"]
    k = _organism_score(data, oof, "eukarya", t).as_dict()
    c = k["confusion"]
    print(f"CV eukarya @ {t:.2f} (benchmark proteins): MCC {k['mcc']:.4f}  CS precision "
          f"{k['cs_exact']['precision'] or 0:.4f}  CS recall {k['cs_exact']['recall'] or 0:.4f}  "
          f"(tp {c['tp']} fp {c['fp']} fn {c['fn']} tn {c['tn']})", flush=True)
    fps = false_positives_by_type(data, oof, t)
    for source, groups in fps.items():
        parts = [f"{name} {groups[name][0]}/{groups[name][1]}" for name in NEGATIVE_TYPES if name in groups]
        print(f"CV eukarya false positives by negative type ({source}): " + ", ".join(parts))
    return {"threshold": t, "mcc": k["mcc"], "cs_precision": k["cs_exact"]["precision"],
            "cs_recall": k["cs_exact"]["recall"], "confusion": c,
            "false_positives": {s: {n: list(v) for n, v in g.items()} for s, g in fps.items()}}

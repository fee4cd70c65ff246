"""secannot benchmarks: accuracy and speed figures, printed (``make bench``).

Accuracy
  * signal peptides: the two cross-partition models (trained on one dev
    partition of the SignalP 6.0 benchmark, scored on the other) - honest
    out-of-partition figures; the shipped model is trained on both and is not
    scored here (that would be training-set accuracy);
  * leaderless secretion: grouped (by gene) 5-fold cross-validation of the
    nc_score recipe on the OutCyte set (needs scikit-learn: secannot[train]);
  * localisation verdicts on the 17 reference proteins.
Speed (one core: taskset and single-threaded BLAS)
  * ``secannot predict`` on all proteomes, signal peptides only and full;
  * a plain Biopython SimpleFastaParser pass over the same files, and the ratio;
  * the FASTA reader (Biopython's SimpleFastaParser inside secannot's layer) in CPU time against the
    parser floor and the previous hand-written reader (from git history), and the whole predict run
    with each reader, interleaved in the same process;
  * ``secannot --version`` start-up; peak memory on one proteome vs all;
  * ``-j 2`` speed-up.

Usage: python bench/run_bench.py [--shared ../shared] [--quick]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from secannot.pipeline.evaluate import predict_benchmark  # noqa: E402
from secannot.pipeline.scoring import KINGDOM_TO_ORGANISM, mcc, read_three_line, score_signalp  # noqa: E402

TARGETS = {"mcc": 0.93, "cs_precision": 0.75, "cs_recall": 0.75, "nc_auc": 0.85, "seconds": 5.0, "version": 0.4}


def heading(text: str) -> None:
    print(f"\n== {text}")


def one_core_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", SECANNOT_NO_PROGRESS="1")
    return env


def secannot_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "secannot"
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "secannot"]
    if shutil.which("taskset"):
        return ["taskset", "-c", "0", *base]
    return base


_PEAK = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def timed(cmd: list[str], repeat: int = 3) -> tuple[float, float]:
    """Best wall time of ``repeat`` runs, and the peak RSS (MB) of one run measured in a fresh parent."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True, env=one_core_env())
        times.append(time.perf_counter() - start)
    out = subprocess.run([sys.executable, "-c", _PEAK, *cmd], capture_output=True, text=True, check=True,
                         env=one_core_env()).stdout
    return min(times), int(out.split()[-1]) / 1024


def signal_peptides(shared: Path) -> None:
    from secannot.models.signal_peptide import SignalPeptideModel

    heading("Signal peptides: cross-partition accuracy (SignalP 6.0 benchmark, dev partitions 0 and 1)")
    path = shared / "data" / "signalp6" / "benchmark_dev.3line"
    with path.open() as fh:
        records = list(read_three_line(fh, str(path)))
    tested: list = []  # every record, predicted by the model that did not see its partition
    probs, best, called = [], [], []
    print("direction      kingdom    n      MCC    prec   recall  cs_prec cs_rec  cs±1_p cs±1_r")
    for train_p, test_p in ((0, 1), (1, 0)):
        model = SignalPeptideModel.load(ROOT / "bench" / "models" / f"sp_fold_train{train_p}.npz")
        subset = [r for r in records if r.partition == test_p]
        p, b, c = predict_benchmark(subset, model)
        for k in _by_kingdom(subset, c):
            print(f"train{train_p}->test{test_p}  {k['kingdom']:<9} {k['n']:>5}  {k['mcc']:.3f}  "
                  f"{k['precision'] or 0:.3f}  {k['recall'] or 0:.3f}   {k['cs_exact']['precision'] or 0:.3f}   "
                  f"{k['cs_exact']['recall'] or 0:.3f}   {k['cs_within1']['precision'] or 0:.3f}  "
                  f"{k['cs_within1']['recall'] or 0:.3f}")
        tested += subset
        probs.append(p)
        best.append(b)
        called.append(c)
    print("\npooled over both directions (every protein predicted by the model that did not see its partition):")
    for k in _by_kingdom(tested, np.concatenate(called)):
        csp, csr = k["cs_exact"]["precision"] or 0, k["cs_exact"]["recall"] or 0
        line = (f"  {k['kingdom']:<9} MCC {k['mcc']:.3f}  CS exact P {csp:.3f} R {csr:.3f}  "
                f"CS±1 P {k['cs_within1']['precision'] or 0:.3f} R {k['cs_within1']['recall'] or 0:.3f}")
        if k["kingdom"] == "EUKARYA":
            line += (f"   [targets: MCC >= {TARGETS['mcc']} {'met' if k['mcc'] >= TARGETS['mcc'] else 'MISSED'}, "
                     f"CS P/R >= {TARGETS['cs_precision']} "
                     f"{'met' if min(csp, csr) >= TARGETS['cs_precision'] else 'MISSED'}]")
        print(line)
    print("  peer figure (README of ../shared): DeepSig 1.2.5 on the held-out partition: MCC 0.947, CS P 0.771 R 0.754")
    threshold_sweep(tested, np.concatenate(probs), np.concatenate(best), model.thresholds.get("eukarya", 0.5))


def _calls(cleavage: np.ndarray) -> list[tuple[bool, int | None]]:
    return [(cs > 0, cs or None) for cs in cleavage.tolist()]


def _by_kingdom(records: list, cleavage: np.ndarray) -> list[dict]:
    """Per-kingdom scores of the called sites, in the benchmark's kingdom order."""
    scores = score_signalp(records, _calls(cleavage))
    return [scores[k].as_dict() for k in KINGDOM_TO_ORGANISM if k in scores]


def threshold_sweep(records: list, probs: np.ndarray, best: np.ndarray, shipped: float) -> None:
    """Pooled eukaryote figures if the decision threshold on sp_prob were moved (the model JSON holds the shipped one)."""
    euk = [i for i, r in enumerate(records) if r.kingdom == "EUKARYA"]
    subset = [records[i] for i in euk]
    p, b = probs[euk], best[euk]
    print(f"  if the threshold on sp_prob were moved (pooled eukaryotes, cross-partition; shipped {shipped:.2f}, "
          "chosen by train/train_sp.py on these out-of-fold predictions):")
    for t in sorted({0.5, 0.7, 0.8, shipped, 0.95}):
        k = score_signalp(subset, _calls(np.where(p >= t, b, 0)))["EUKARYA"].as_dict()
        print(f"    {t:.2f}: MCC {k['mcc']:.3f}  CS P {k['cs_exact']['precision'] or 0:.3f} "
              f"R {k['cs_exact']['recall'] or 0:.3f}" + ("   <- shipped" if t == shipped else ""))


def nonclassical(shared: Path) -> None:
    heading("Leaderless secretion: nc_score, grouped 5-fold CV on the OutCyte dev set")
    try:
        sys.path.insert(0, str(ROOT / "train"))
        import train_nonclassical as tn  # noqa: PLC0415
        from sklearn.metrics import roc_auc_score  # noqa: PLC0415
        from sklearn.model_selection import GroupKFold  # noqa: PLC0415
    except ImportError as exc:
        print(f"  skipped: {exc} (pip install 'secannot[train]')")
        return
    data = shared / "data" / "outcyte" / "ups_dev.fasta"
    x, y, groups = tn.load(data)
    oof = np.zeros(len(y))
    for tr, te in GroupKFold(tn.FOLDS).split(x, y, groups):
        oof[te] = tn.predict(*tn.fit(x[tr], y[tr]), x[te])
    auc = roc_auc_score(y, oof)
    meta = json.loads((ROOT / "secannot" / "data" / "nc_model.json").read_text())
    t = meta["threshold"]
    pred = oof >= t
    tp, fp = int((pred & y).sum()), int((pred & ~y).sum())
    fn, tn_ = int((~pred & y).sum()), int((~pred & ~y).sum())
    print(f"  n={len(y)} ({int(y.sum())} UPS), groups by gene (orthologs together)")
    print(f"  ROC AUC {auc:.3f} [target >= {TARGETS['nc_auc']}: {'met' if auc >= TARGETS['nc_auc'] else 'MISSED'}]")
    print(f"  at the shipped threshold {t}: MCC {mcc(tp, fp, fn, tn_):.3f} precision {tp / max(tp + fp, 1):.3f} "
          f"recall {tp / max(tp + fn, 1):.3f}")


def reference_verdicts(shared: Path) -> None:
    heading("Localisation verdicts on the 17 reference proteins (../shared/data/reference_proteins.fasta)")
    expected = {
        "VEGFA": "secreted", "IL6": "secreted", "ALB": "secreted", "INS": "secreted", "KLK3": "secreted",
        "MMP2": "secreted", "CCL2": "secreted", "EGFR": "membrane", "APP": "membrane", "OPRM1": "membrane",
        "MSLN": "gpi_anchored", "FOLR1": "gpi_anchored", "PDIA6": "er_retained", "FGF2": "non_classical_candidate",
        "IL1B": "non_classical_candidate", "HK2": "intracellular", "GAPDH": "intracellular",
    }
    names = {"VEGFA_HUMAN": "VEGFA", "IL6_HUMAN": "IL6", "ALBU_HUMAN": "ALB", "INS_HUMAN": "INS", "KLK3_HUMAN": "KLK3",
             "MMP2_HUMAN": "MMP2", "CCL2_HUMAN": "CCL2", "EGFR_HUMAN": "EGFR", "A4_HUMAN": "APP", "OPRM_HUMAN": "OPRM1",
             "MSLN_HUMAN": "MSLN", "FOLR1_HUMAN": "FOLR1", "PDIA6_HUMAN": "PDIA6", "FGF2_HUMAN": "FGF2",
             "IL1B_HUMAN": "IL1B", "HXK2_HUMAN": "HK2", "G3P_HUMAN": "GAPDH"}
    proc = subprocess.run([*secannot_cmd(), "predict", str(shared / "data" / "reference_proteins.fasta")],
                          capture_output=True, text=True, env=one_core_env())
    rows = [line.split("\t") for line in proc.stdout.splitlines()]
    header, rows = rows[0], rows[1:]
    ok = 0
    for row in rows:
        rec = dict(zip(header, row, strict=True))
        gene = names.get(rec["id"].split("|")[2], rec["id"])
        good = rec["localization"] == expected.get(gene)
        ok += good
        print(f"  {gene:<6} {rec['localization']:<24} expected {expected.get(gene, '?'):<24} {'ok' if good else 'DIFFERS'}"
              f"   {rec['evidence']}")
    print(f"  {ok}/{len(rows)} as expected")


def speed(shared: Path, quick: bool) -> None:
    heading("Speed on one core (taskset -c 0, single-threaded BLAS); best of 3")
    files = sorted(glob.glob(str(shared / "data" / "proteomes" / "*.faa")))
    from Bio.SeqIO.FastaIO import SimpleFastaParser

    start = time.perf_counter()
    n = 0
    for f in files:
        with open(f) as fh:
            n += sum(1 for _ in SimpleFastaParser(fh))
    bio = time.perf_counter() - start
    print(f"  proteomes: {len(files)} files, {n} proteins")
    print(f"  Biopython SimpleFastaParser pass (in-process, no start-up): {bio:.2f} s")
    cmd = secannot_cmd()
    repeat = 1 if quick else 3
    sp_only, _ = timed([*cmd, "predict", "--signal-only", *files], repeat)
    full, peak_all = timed([*cmd, "predict", *files], repeat)
    biggest = max(files, key=os.path.getsize)
    _, peak_one = timed([*cmd, "predict", biggest], 1)
    print(f"  secannot predict --signal-only: {sp_only:.2f} s  ({n / sp_only:,.0f} sequences/s; "
          f"{sp_only / bio:.1f}x the parser pass)")
    print(f"  secannot predict (full: SP + TM/GPI/ER + nc_score): {full:.2f} s  ({n / full:,.0f} sequences/s; "
          f"{full / bio:.1f}x the parser pass; {full / sp_only:.2f}x signal-only)"
          f"  [target < {TARGETS['seconds']} s: {'met' if full < TARGETS['seconds'] else 'MISSED'}]")
    print(f"  peak memory: {peak_one:.0f} MB on {Path(biggest).name} alone, {peak_all:.0f} MB on all {len(files)} files"
          " (the input is streamed)")
    versions = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([*cmd, "--version"], stdout=subprocess.DEVNULL, check=True, env=one_core_env())
        versions.append(time.perf_counter() - start)
    v = statistics.median(versions)
    print(f"  secannot --version: {v:.3f} s (median of 5) [target < {TARGETS['version']} s: "
          f"{'met' if v < TARGETS['version'] else 'MISSED'}]")
    if os.cpu_count() and os.cpu_count() >= 2:
        base = [c for c in cmd if c not in ("taskset", "-c", "0")]
        one, _ = timed([*base, "predict", "-j", "1", *files], 1)
        two, _ = timed([*base, "predict", "-j", "2", *files], 1)
        print(f"  -j 2 (two cores): {two:.2f} s vs -j 1 {one:.2f} s: speed-up {one / two:.2f}x")


PREVIOUS_READER_COMMIT = "e9bcdfa"  # the last commit with the hand-written record splitter


def _previous_reader():
    """The hand-written FASTA reader as of PREVIOUS_READER_COMMIT, loaded from git history (None without git)."""
    import types

    try:
        source = subprocess.run(["git", "-C", str(ROOT), "show", f"{PREVIOUS_READER_COMMIT}:secannot/io/fasta.py"],
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("previous_fasta_reader")
    exec(compile(source, "previous_fasta_reader.py", "exec"), module.__dict__)  # noqa: S102 - our own history
    return module


def _cpu(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def _predict_in_process(files: list[str], parse_fasta) -> None:
    import io

    import secannot.pipeline.inputs as inputs
    from secannot.cli import main

    saved = inputs.parse_fasta
    inputs.parse_fasta = parse_fasta
    try:
        code = main(["predict", *files], stdout=io.StringIO(), stderr=io.StringIO(), stdin=None)
    finally:
        inputs.parse_fasta = saved
    if code not in (0, 3):
        raise SystemExit(f"predict failed with exit code {code}")


def fasta_reader(shared: Path, quick: bool) -> None:
    """CPU time of the Biopython-based reader against the parser floor and the previous reader, same run."""
    heading("FASTA reader: Biopython SimpleFastaParser inside secannot's layer (CPU time, this process, best of 5)")
    from Bio.SeqIO.FastaIO import SimpleFastaParser

    from secannot.io.fasta import open_input, parse_fasta

    files = sorted(glob.glob(str(shared / "data" / "proteomes" / "*.f*a")))
    previous = _previous_reader()

    def read_all(parse) -> int:
        n = 0
        for f in files:
            with open_input(f) as (fh, name):
                n += sum(1 for _ in parse(fh, name))
        return n

    def floor() -> None:
        for f in files:
            with open(f) as fh:
                for _ in SimpleFastaParser(fh):
                    pass

    repeat = 1 if quick else 5
    n = read_all(parse_fasta)
    t_floor = min(_cpu(floor) for _ in range(repeat))
    t_new = min(_cpu(lambda: read_all(parse_fasta)) for _ in range(repeat))
    print(f"  {len(files)} files, {n} records")
    print(f"  SimpleFastaParser alone (the floor): {t_floor:.3f} s;  secannot reader: {t_new:.3f} s "
          f"({t_new / t_floor:.2f}x the floor; validation, line numbers, accounting)")
    if previous is None:
        print("  previous reader: not available (no git history)")
        return
    t_old = min(_cpu(lambda: read_all(previous.parse_fasta)) for _ in range(repeat))
    print(f"  previous hand-written reader ({PREVIOUS_READER_COMMIT}): {t_old:.3f} s; "
          f"difference {t_new - t_old:+.3f} s")
    _predict_in_process(files, parse_fasta)  # warm-up: models loaded and caches filled for both
    old_runs: list[float] = []
    new_runs: list[float] = []
    for i in range(repeat):  # paired rounds in alternating order, so drift on a shared machine hits both alike
        pair = [(old_runs, previous.parse_fasta), (new_runs, parse_fasta)]
        for runs, parse in pair if i % 2 == 0 else pair[::-1]:
            runs.append(_cpu(lambda parse=parse: _predict_in_process(files, parse)))
    ratios = sorted(new / old for new, old in zip(new_runs, old_runs, strict=True))
    median = statistics.median(ratios)
    noise = statistics.median(abs(r - median) for r in ratios) if len(ratios) > 1 else 0.0
    verdict = "not slower" if median <= 1.0 + max(noise, 0.01) else "SLOWER"
    print(f"  whole predict run (SP + localisation, {n} proteins, in-process CPU, {repeat} paired rounds): "
          f"previous reader best {min(old_runs):.2f} s, Biopython reader best {min(new_runs):.2f} s; "
          f"ratio new/old median {median:.3f} (range {ratios[0]:.3f}-{ratios[-1]:.3f}, noise +-{noise:.3f}) "
          f"[{verdict}]; the reader's own CPU difference is {100 * (t_new - t_old) / min(old_runs):+.1f}% of the run")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--quick", action="store_true", help="one timing run instead of three")
    args = ap.parse_args()
    if not (args.shared / "data").is_dir():
        sys.exit(f"make bench needs the shared data at {args.shared} (see README)")
    print(f"secannot bench, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    signal_peptides(args.shared)
    nonclassical(args.shared)
    reference_verdicts(args.shared)
    fasta_reader(args.shared, args.quick)
    speed(args.shared, args.quick)


if __name__ == "__main__":
    main()

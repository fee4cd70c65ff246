"""Train secannot's signal-peptide model (2.x) on the SignalP 6.0 benchmark and the extras (torch, CPU).

Recipe (all fixed here, so ``make train`` reproduces the shipped weights):

* data (``sp_data.py``; sources, licences and partitions in docs/model_card.md):
  ../shared/data/signalp6/benchmark_dev.3line partitions 0 and 1, every kingdom
  (prokaryotic signal types are modelled too, so the eukaryotic model learns
  from more signal peptides), plus the SignalP 6.0 remainder, the TargetP 2.0
  set (transit peptides) and TMbed's N-terminal TM helices as signal-anchor
  negatives, each in the homology partition 0 or 1; first 70 residues.
* network: token embedding + fixed physico-chemical channels + windowed
  hydropathy/charge/amphipathicity channels -> three convolutions
  (32 channels, kernel 9 then 3 with dilations 2 and 4) with a learned
  positional bias and an organism-group bias.  A segment head scores every
  cleavage position c as cumsum(inside evidence)[c] + boundary[c] for each
  signal type, and a pooled head scores "no signal peptide"; one softmax
  over {none} U {(type, c)} is trained with cross-entropy against the true
  (type, cleavage) pair, plus an auxiliary per-residue topology loss.
* regularisation: dropout 0.25, 5% random residue substitutions, AdamW weight
  decay 0.05, one-cycle schedule, 20 epochs, exponential moving average of
  the weights (the EMA weights are exported).
* cross-validation (``sp_cv.py``): one model per direction (train 0 + its
  extras -> validate 1, and back); their out-of-fold predictions set the
  early-exit screen and the decision threshold and give the CV report, on the
  benchmark proteins alone so that figures compare across model versions.
  The fold models are written to bench/models/ for ``make bench``; the
  shipped model is retrained on everything.
* decision: a signal peptide is called when P(Sec/SPI) reaches the organism
  group's threshold (and no other signal type is likelier): the grid value
  (0.50-0.96, step 0.02) with the best pooled out-of-fold MCC; 0.5 where a
  group has fewer than 100 out-of-fold signal peptides, as archaea do.  It
  sits above 0.5 because the network is overconfident on protein families it
  never saw (signal anchors above all); see docs/model_card.md, calibration.
* variants tried for 2.0.0 (switches in Hyper, off in the shipped recipe
  because they did not measurably help; figures in docs/model_card.md):
  ``region_aux`` (n/h/c regions as auxiliary target), ``cs_smooth`` (soft
  cleavage targets), ``--dilations 2,4,8`` (receptive field 37 residues),
  ``anchor_weight`` (up-weighted signal-anchor negatives), ``--epochs 30``.

Usage: python train/train_sp.py [--benchmark PATH --remainder PATH --targetp PATH --tmbed PATH]
       [--epochs N] [--cv-only --fold-dir DIR --cv-json PATH] [--seed N] [--set FIELD=VALUE ...]
Needs torch and Biopython (pip install 'secannot[train]', CPU build 2.13.0).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import math
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from secannot.models.signal_peptide import ORGANISMS, SignalPeptideModel, encode, window_feature_specs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sp_cv import apply_screen, choose_screen, choose_thresholds, report_cv  # noqa: E402
from sp_data import N_AUX, TYPES, L, load_all  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
DEFAULT_BENCHMARK = SHARED / "signalp6" / "benchmark_dev.3line"
NT = len(TYPES)
MODEL_NAME = "secannot-sp"
MODEL_VERSION = "2.0.0"


class Hyper:
    emb = 16
    channels = 32
    k1 = 9
    k2 = 3
    dilations = (2, 4)
    dropout = 0.25
    lr = 2e-3
    weight_decay = 0.05
    epochs = 20
    batch = 64
    ema = 0.995
    mutate = 0.05
    aux_weight = 0.3
    screen_weight = 0.5
    screen_pos_weight = 5.0
    screen_loss = 0.002  # share of true signal peptides the screen may pass to the cheap path
    # distillation from a wider teacher (trained on the same data first)
    teacher_channels = 0
    teacher_k2 = 5
    kd_weight = 0.5
    kd_temperature = 2.0
    seed = 0
    extras = 1  # train on the extras (remainder, TargetP, TMbed signal anchors) too
    region_aux = 0  # 1: the auxiliary target splits Sec/SPI signal peptides into n-, h- and c-regions
    cs_smooth = 0.0  # probability mass moved from the true cleavage position to each neighbour (+-1)
    anchor_weight = 1.0  # loss weight of signal-anchor negatives (N-terminal TM helices) relative to the rest


def window_features(tok: torch.Tensor, kd: torch.Tensor, charge: torch.Tensor) -> torch.Tensor:
    """Same channels as SignalPeptideModel._window_features, in torch."""
    feats = []
    pos = (charge[tok] > 0.5).float()
    neg = (charge[tok] < -0.5).float()
    h = kd[tok]
    angle = torch.arange(L, dtype=torch.float32) * (100.0 * math.pi / 180.0)
    sources = {"kd": h, "pos": pos, "neg": neg, "kd_cos": h * torch.cos(angle), "kd_sin": h * torch.sin(angle)}
    pooled = {}
    for src, window in window_feature_specs():
        def mean(x: torch.Tensor, w: int = window) -> torch.Tensor:
            return F.avg_pool1d(x[:, None], w, 1, w // 2, count_include_pad=True)[:, 0]
        if src == "moment":
            c = pooled.setdefault(("kd_cos", window), mean(sources["kd_cos"]))
            s = pooled.setdefault(("kd_sin", window), mean(sources["kd_sin"]))
            feats.append(torch.sqrt(c * c + s * s + 1e-6))
        else:
            feats.append(mean(sources[src]))
    return torch.stack(feats, 2)


class Net(nn.Module):
    def __init__(self, hp: Hyper, phys: np.ndarray):
        super().__init__()
        self.hp = hp
        c = hp.channels
        self.emb = nn.Embedding(22, hp.emb, padding_idx=0)
        self.register_buffer("phys", torch.tensor(phys, dtype=torch.float32))
        n_win = len(window_feature_specs())
        # token channels get a k1-wide convolution; the (already smooth) window
        # channels a pointwise one, which is all they need and much cheaper.
        self.c1 = nn.Conv1d(hp.emb + phys.shape[1], c, hp.k1, padding=hp.k1 // 2)
        self.c1w = nn.Conv1d(n_win, c, 1, bias=False)
        self.pos = nn.Parameter(torch.zeros(c, L))
        self.king = nn.Embedding(4, c)
        self.convs = nn.ModuleList(nn.Conv1d(c, c, hp.k2, padding=d * (hp.k2 // 2), dilation=d) for d in hp.dilations)
        self.out = nn.Linear(c, 2 * NT)
        self.det = nn.Linear(2 * c + 4, 1 + NT)
        self.aux = nn.Linear(c, N_AUX)
        # early-exit screen on first-layer features: P(any signal peptide)
        self.screen = nn.Linear(2 * c + 4, 1)
        self.drop = nn.Dropout(hp.dropout)

    def forward(self, tok: torch.Tensor, org: torch.Tensor, length: torch.Tensor):
        x = torch.cat([self.emb(tok), self.phys[tok]], 2).transpose(1, 2)
        win = window_features(tok, self.phys[:, 0] * 4.5, self.phys[:, 1]).transpose(1, 2)
        h = F.relu(self.c1(x) + self.c1w(win) + self.pos + self.king(org)[:, :, None])
        onehot = F.one_hot(org, 4).float()
        screen = self.screen(torch.cat([h.max(2)[0], h.mean(2), onehot], 1))[:, 0]
        for conv in self.convs:
            h = F.relu(conv(self.drop(h)))
        h = self.drop(h)
        ht = h.transpose(1, 2)
        o = self.out(ht)
        cs = torch.cumsum(o[..., :NT], 1) + o[..., NT:]
        cs = cs[:, : L - 1, :].transpose(1, 2)  # B, NT, L-1
        valid = torch.arange(L - 1)[None, :] < (length[:, None] - 1)
        cs = cs.masked_fill(~valid[:, None, :], -1e9)
        pooled = torch.cat([h.max(2)[0], h.mean(2), onehot], 1)
        none = self.det(pooled)[:, :1]
        logits = torch.cat([none, cs.reshape(len(tok), -1)], 1)
        # eukaryotes have only Sec/SPI signal peptides
        euk = (org == ORGANISMS["eukarya"])[:, None] & (torch.arange(logits.shape[1])[None, :] > L - 1)
        return logits.masked_fill(euk, -1e9), self.aux(ht), screen


def physico_chemical() -> np.ndarray:
    """Per-token fixed channels: hydropathy/4.5, charge, small-residue index (row 0 = padding)."""
    from secannot.models.scales import KYTE_DOOLITTLE
    from secannot.models.signal_peptide import ALPHABET

    charge = {"R": 1.0, "K": 1.0, "D": -1.0, "E": -1.0, "H": 0.1}
    small = {"A": 1.0, "G": 1.0, "S": 1.0, "C": 0.5, "T": 0.5}
    phys = np.zeros((22, 3), dtype=np.float32)
    for i, aa in enumerate(ALPHABET):
        phys[i + 1] = [KYTE_DOOLITTLE[aa] / 4.5, charge.get(aa, 0.0), small.get(aa, 0.0)]
    return phys


def tensors(data: list[dict]):
    return (torch.tensor([d["tok"] for d in data]), torch.tensor([d["org"] for d in data]),
            torch.tensor([d["len"] for d in data]), torch.tensor([d["target"] for d in data]),
            torch.tensor([d["aux"] for d in data]))


def cleavage_loss(logits: torch.Tensor, target: torch.Tensor, length: torch.Tensor, smooth: float,
                  weight: torch.Tensor | None) -> torch.Tensor:
    """Weighted cross-entropy over {none} U {(type, cleavage)}; with ``smooth`` > 0 a soft target that gives
    each valid neighbouring cleavage position (same type, +-1 residue) ``smooth`` of the mass. ``weight``
    None means all ones (the plain mean, bit for bit the 1.x recipe's loss)."""
    if weight is None:
        weight = torch.ones(len(target))
        if smooth <= 0:
            return F.cross_entropy(logits, target)
    if smooth <= 0:
        return (F.cross_entropy(logits, target, reduction="none") * weight).sum() / weight.sum()
    q = F.one_hot(target, logits.shape[1]).float()
    cs = (target - 1) % (L - 1)
    is_sp = target > 0
    centre = torch.ones_like(q[:, 0])
    for step in (-1, 1):
        ok = is_sp & (cs + step >= 0) & (cs + step < torch.clamp(length - 1, max=L - 1))
        rows = torch.nonzero(ok)[:, 0]
        q[rows, target[rows] + step] = smooth
        centre = centre - smooth * ok.float()
    q[torch.arange(len(q)), target] = centre
    return (-(q * torch.log_softmax(logits, 1)).sum(1) * weight).sum() / weight.sum()


def train(data: list[dict], hp: Hyper, log_prefix: str, teacher: Net | None = None) -> Net:
    """Train one network; with a teacher, also match its softened outputs (distillation)."""
    torch.manual_seed(hp.seed)
    np.random.seed(hp.seed)
    model = Net(hp, physico_chemical())
    ema = copy.deepcopy(model)
    opt = torch.optim.AdamW(model.parameters(), lr=hp.lr, weight_decay=hp.weight_decay)
    tok, org, length, target, aux = tensors(data)
    weight = torch.tensor([hp.anchor_weight if d["negative"] == "signal_anchor" else 1.0 for d in data]) \
        if hp.anchor_weight != 1.0 else None
    n = len(data)
    steps = hp.epochs * ((n + hp.batch - 1) // hp.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=hp.lr, total_steps=steps, pct_start=0.1)
    step = 0
    t0 = time.time()
    for epoch in range(hp.epochs):
        model.train()
        for idx in torch.randperm(n).split(hp.batch):
            tb = tok[idx]
            mutate = (torch.rand(tb.shape) < hp.mutate) & (tb > 0)
            tb = torch.where(mutate, torch.randint(1, 21, tb.shape), tb)
            logits, aux_logits, screen = model(tb, org[idx], length[idx])
            loss = cleavage_loss(logits, target[idx], length[idx], hp.cs_smooth, None if weight is None else weight[idx])
            if teacher is not None:
                with torch.no_grad():
                    soft = torch.softmax(teacher(tb, org[idx], length[idx])[0] / hp.kd_temperature, 1)
                log_student = torch.log_softmax(logits / hp.kd_temperature, 1)
                kd = -(soft * log_student).sum(1).mean() * hp.kd_temperature**2
                loss = (1 - hp.kd_weight) * loss + hp.kd_weight * kd
            has_signal = (target[idx] > 0).float()
            loss = loss + hp.screen_weight * F.binary_cross_entropy_with_logits(
                screen, has_signal, pos_weight=torch.tensor(hp.screen_pos_weight))
            loss = loss + hp.aux_weight * F.cross_entropy(aux_logits.reshape(-1, N_AUX), aux[idx].reshape(-1), ignore_index=0)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            decay = min(hp.ema, (1 + step) / (10 + step))
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters(), strict=True):
                    pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
        print(f"{log_prefix} epoch {epoch + 1}/{hp.epochs} loss {loss.item():.3f} ({time.time() - t0:.0f}s)", flush=True)
    ema.eval()
    return ema


def make_teacher(data: list[dict], hp: Hyper, log_prefix: str) -> Net | None:
    if not hp.teacher_channels:
        return None
    thp = copy.copy(hp)
    thp.channels, thp.k2, thp.teacher_channels = hp.teacher_channels, hp.teacher_k2, 0
    return train(data, thp, log_prefix)


def export(model: Net, path: Path, meta: dict) -> None:
    """Write the npz arrays and the JSON sidecar that SignalPeptideModel.load reads."""
    sd = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    arrays = {
        "emb.weight": sd["emb.weight"], "phys": sd["phys"], "c1.weight": sd["c1.weight"], "c1.bias": sd["c1.bias"],
        "c1w.weight": sd["c1w.weight"][:, :, 0],
        "pos": sd["pos"], "king.weight": sd["king.weight"], "out.weight": sd["out.weight"], "out.bias": sd["out.bias"],
        "det.weight": sd["det.weight"], "det.bias": sd["det.bias"],
        "screen.weight": sd["screen.weight"][0], "screen.bias": sd["screen.bias"],
    }
    for i in range(len(model.hp.dilations)):
        arrays[f"conv{i + 2}.weight"] = sd[f"convs.{i}.weight"]
        arrays[f"conv{i + 2}.bias"] = sd[f"convs.{i}.bias"]
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **{k: v.astype(np.float32) for k, v in arrays.items()})
    path.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


def check_export(model: Net, path: Path, data: list[dict]) -> None:
    """The numpy inference must reproduce the torch network (guards the export)."""
    sample = data[:: max(1, len(data) // 300)]
    tok, org, length, _, _ = tensors(sample)
    with torch.no_grad():
        logits, _, _ = model(tok, org, length)
        probs = torch.softmax(logits, 1)[:, 1:L].sum(1).numpy()
    numpy_model = SignalPeptideModel.load(path)
    got = np.array([numpy_model.predict([d["rec"].sequence.encode()], d["org"], screen=False).sp_prob[0]
                    for d in sample])
    worst = float(np.abs(got - probs).max())
    if worst > 1e-3:
        raise SystemExit(f"export check failed: numpy and torch differ by {worst:.2e}")
    print(f"export check: numpy matches torch (max |diff| {worst:.1e} on {len(sample)} sequences)")


def architecture(hp: Hyper) -> dict:
    return {"k1": hp.k1, "k2": hp.k2, "dilations": list(hp.dilations), "n_types": NT, "channels": hp.channels,
            "window": L, "windows": [list(s) for s in window_feature_specs()]}


def oof_calls(path: Path, data: list[dict]) -> list[tuple[float, int, float, float]]:
    """Out-of-fold (P(Sec/SPI), best cleavage, P(best other type), screen P) from the exported numpy model."""
    model = SignalPeptideModel.load(path)
    out = []
    for org in sorted({d["org"] for d in data}):
        idx = [i for i, d in enumerate(data) if d["org"] == org]
        seqs = [data[i]["rec"].sequence.encode() for i in idx]
        calls = model.predict(seqs, org, screen=False)
        tok, _ = encode(seqs)
        screen = model.screen_probability(model._first_layer(tok, org), org)
        for j, i in enumerate(idx):
            other = float(calls.type_probs[j, 2:].max()) if calls.type_probs.shape[1] > 2 else 0.0
            out.append((i, float(calls.sp_prob[j]), int(calls.best_cleavage[j]), other, float(screen[j])))
    out.sort()
    return [tuple(o[1:]) for o in out]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def parse_args() -> tuple[argparse.Namespace, Hyper]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--benchmark", type=Path, default=DEFAULT_BENCHMARK)
    ap.add_argument("--remainder", type=Path, default=SHARED / "signalp6" / "extra_remainder.3line")
    ap.add_argument("--targetp", type=Path, default=SHARED / "signalp6" / "extra_targetp.3line")
    ap.add_argument("--tmbed", type=Path, default=SHARED / "tmbed" / "tmbed_dev.3line")
    ap.add_argument("--epochs", type=int, default=Hyper.epochs)
    ap.add_argument("--out", type=Path, default=ROOT / "secannot" / "data" / "sp_model.npz")
    ap.add_argument("--fold-dir", type=Path, default=ROOT / "bench" / "models")
    ap.add_argument("--cv-only", action="store_true", help="train the two fold models only (architecture search)")
    ap.add_argument("--cv-json", type=Path, help="also write the CV figures here (variant tables)")
    ap.add_argument("--channels", type=int, default=Hyper.channels)
    ap.add_argument("--k2", type=int, default=Hyper.k2)
    ap.add_argument("--dilations", default=",".join(map(str, Hyper.dilations)))
    ap.add_argument("--seed", type=int, default=Hyper.seed)
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="override a Hyper field (experiments), e.g. --set aux_weight=1.0")
    ap.add_argument("--teacher-channels", type=int, default=Hyper.teacher_channels,
                    help="distil from a teacher of this width (0 = no teacher)")
    args = ap.parse_args()
    hp = Hyper()
    hp.epochs = args.epochs
    hp.channels = args.channels
    hp.k2 = args.k2
    hp.dilations = tuple(int(d) for d in args.dilations.split(",") if d)
    hp.teacher_channels = args.teacher_channels
    hp.seed = args.seed
    for item in args.set:
        key, _, value = item.partition("=")
        current = getattr(Hyper, key, None)
        if not isinstance(current, int | float) or isinstance(current, bool):
            raise SystemExit(f"--set {item}: {key!r} is not a numeric field of Hyper")
        setattr(hp, key, type(current)(value))
    return args, hp


def training_meta(args: argparse.Namespace, hp: Hyper) -> dict:
    files = [args.benchmark] + ([args.remainder, args.targetp, args.tmbed] if hp.extras else [])
    return {
        "format": 1, "name": MODEL_NAME, "version": MODEL_VERSION, "architecture": architecture(hp),
        "training": {
            "data": "SignalP 6.0 benchmark partitions 0-1 (Teufel et al. 2022)" + (
                "; SignalP 6.0 remainder and TargetP 2.0 extras; TMbed N-terminal signal anchors" if hp.extras else ""),
            "data_sha256": {p.name: sha256(p) for p in files if p.exists()},
            "epochs": hp.epochs, "seed": hp.seed, "region_aux": hp.region_aux, "cs_smooth": hp.cs_smooth,
            "recipe": "train/train_sp.py", "date": date.today().isoformat(), "torch": torch.__version__,
        },
    }


def cross_validate(data: list[dict], hp: Hyper, args: argparse.Namespace, base_meta: dict):
    """One model per direction; returns the screened out-of-fold calls, screen and decision thresholds."""
    oof: list = [None] * len(data)
    for train_p, test_p in ((0, 1), (1, 0)):
        tr = [d for d in data if d["rec"].partition == train_p]
        model = train(tr, hp, f"fold train={train_p}", make_teacher(tr, hp, f"teacher train={train_p}"))
        path = args.fold_dir / f"sp_fold_train{train_p}.npz"
        meta = dict(base_meta, version=f"{MODEL_VERSION}+fold{train_p}",
                    training=dict(base_meta["training"], partitions=[train_p], evaluate_on=[test_p]),
                    decision_threshold={k: 0.5 for k in ORGANISMS})
        export(model, path, meta)
        check_export(model, path, data)
        te_idx = [i for i, d in enumerate(data) if d["rec"].partition == test_p]
        for i, call in zip(te_idx, oof_calls(path, [data[i] for i in te_idx]), strict=True):
            oof[i] = call
    screen = choose_screen(data, oof, hp.screen_loss)
    oof = apply_screen(data, oof, screen)
    thresholds = choose_thresholds(data, oof)
    figures = report_cv(data, oof, thresholds)
    if args.cv_json:
        args.cv_json.write_text(json.dumps(dict(figures, hyper={k: getattr(hp, k) for k in dir(hp)
                                                                if not k.startswith("_")}), indent=1, default=list))
    for train_p in (0, 1):
        path = args.fold_dir / f"sp_fold_train{train_p}.npz"
        meta = json.loads(path.with_suffix(".json").read_text())
        meta["decision_threshold"] = thresholds
        meta["screen_threshold"] = screen
        path.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return screen, thresholds


def write_training_set(data: list[dict], path: Path) -> None:
    """Fingerprints of every training protein, so that ``secannot evaluate`` can warn on overlap."""
    from secannot.models import training_set

    accessions = [a for d in data for a in d["rec"].accession.split("|")]  # TMbed: PDB chain|UniProt
    training_set.write(path, accessions, [d["rec"].sequence for d in data], MODEL_VERSION)
    print(f"wrote {path} ({len(data)} training proteins, fingerprints only)")


def main() -> None:
    args, hp = parse_args()
    torch.set_num_threads(1)
    extras = (args.remainder, args.targetp, args.tmbed) if hp.extras else (None, None, None)
    data = load_all(args.benchmark, *extras, regions=bool(hp.region_aux))
    base_meta = training_meta(args, hp)
    screen, thresholds = cross_validate(data, hp, args, base_meta)
    if args.cv_only:
        return
    # the shipped model, on both partitions and their extras
    model = train(data, hp, "final", make_teacher(data, hp, "teacher final"))
    meta = dict(base_meta, decision_threshold=thresholds, screen_threshold=screen,
                training=dict(base_meta["training"], partitions=[0, 1],
                              threshold_rule="P(Sec/SPI) >= the grid threshold with the best pooled out-of-fold MCC "
                                             "on the benchmark proteins"))
    export(model, args.out, meta)
    check_export(model, args.out, data)
    write_training_set(data, args.out.with_name("sp_training_set.npz"))
    print(f"wrote {args.out} and fold models in {args.fold_dir}")


if __name__ == "__main__":
    main()

"""Train the per-residue topology network (secannot/models/topology_net.py) and cross-validate it.

Data (read from ../shared, never copied): TMbed's ``tmbed_dev.3line`` (per-residue
topology, Apache-2.0) and the SignalP 6.0 benchmark's ``benchmark_dev.3line``
(first 70 residues, I/M/O topology, S/T/L signal peptides).  Reading, label
normalisation and the three homology folds are those of train/topology_data.py.

The network (torch, CPU, one thread, fixed seed) predicts in / out / helix /
signal peptide per residue; residues labelled U (unresolved) or B (beta strand)
carry no loss.  Long TMbed chains are cut into overlapping windows for the
mini-batches.  Recipe is fixed (no hyperparameter is tuned on a test fold); the
decoder's protein-level gate is chosen by inner CV in train/eval_topology_net.py.

Usage: python train/train_topology_net.py --shared ../shared [--cache train/.net_cache]
Writes per-fold weights to the cache (outer folds also to bench/models/topology_net_fold{k}.npz, for make
bench) and the shipped weights to secannot/data/topology_net.npz; then run train/eval_topology_net.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "train"))

from topology_data import Protein, assign_folds, read_signalp, read_tmbed  # noqa: E402

from secannot.models.topology_net import ALPHABET, ARCH, TopologyNet, layer_reach  # noqa: E402

LABELS = {"i": 0, "o": 1, "H": 2, "S": 3}
IGNORE = -100
SEED = 12
EPOCHS = 24
CROP = 400
BATCH_RESIDUES = 12_000


@dataclass(frozen=True)
class Recipe:
    """Training recipe knobs (defaults: the recipe of model 2.2.0)."""

    epochs: int = EPOCHS
    seed: int = SEED
    #: loss weight of helix residues (in / out / signal peptide weigh 1)
    helix_weight: float = 1.0
    #: loss weight of non-helix residues within ``edge_flank`` of a helix end (loops between hairpin helices)
    edge_weight: float = 1.0
    edge_flank: int = 4
    #: each TM protein's windows appear this many times per epoch (globular ones once)
    tm_repeat: int = 1
    label_smoothing: float = 0.0
    lr: float = 4e-3


RECIPE = Recipe()


def encode(seq: str) -> np.ndarray:
    table = {a: i for i, a in enumerate(ALPHABET)}
    return np.array([table.get(a, len(ALPHABET)) for a in seq], dtype=np.int64)


def label_array(lab: str) -> np.ndarray:
    return np.array([LABELS.get(c, IGNORE) for c in lab], dtype=np.int64)


def load(shared: Path) -> list[Protein]:
    tmbed = read_tmbed(shared / "data" / "tmbed" / "tmbed_dev.3line")
    sp_path = shared / "data" / "signalp6" / "benchmark_dev.3line"
    prots = tmbed + (read_signalp(sp_path) if sp_path.exists() else [])
    assign_folds(prots)
    return prots


def build_net(arch: dict | None = None):
    """The torch twin of secannot's numpy network for ``arch`` (default :data:`ARCH`, model 2.2.0's):
    ``c1`` (emb -> ch, kernel k1), then residual layers ``c2``, ``c3``, ... (kernel k{i}, dilation d{i})."""
    import torch
    from torch import nn

    a = ARCH if arch is None else arch
    n_layers = len(layer_reach(a))

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = nn.Embedding(len(ALPHABET) + 2, a["emb"], padding_idx=len(ALPHABET) + 1)
            self.c1 = nn.Conv1d(a["emb"], a["ch"], a["k1"], padding=a["k1"] // 2)
            for i in range(2, n_layers + 1):
                k, d = a[f"k{i}"], a[f"d{i}"]
                setattr(self, f"c{i}", nn.Conv1d(a["ch"], a["ch"], k, padding=d * (k // 2), dilation=d))
            self.out = nn.Conv1d(a["ch"], 4, 1)

        def forward(self, x):  # x: (B, L) codes
            # every layer's output is zeroed on padding, as per-layer zero padding at a chain end
            m = (x != len(ALPHABET) + 1).unsqueeze(1).float()
            e = self.emb(x).transpose(1, 2)
            h = torch.relu(self.c1(e)) * m
            for i in range(2, n_layers + 1):
                h = torch.relu(getattr(self, f"c{i}")(h)) * m + h
            return self.out(h)

    return Net()


def weight_array(y: np.ndarray, recipe: Recipe) -> np.ndarray:
    """Per-residue loss weights of labels ``y`` (ignored residues weigh 0)."""
    w = np.where(y == IGNORE, 0.0, 1.0)
    helix = y == LABELS["H"]
    w[helix] = recipe.helix_weight
    if recipe.edge_weight != 1.0 and helix.any():
        d = np.diff(helix.astype(np.int8))
        near = np.zeros(len(y), dtype=bool)
        for e in np.flatnonzero(d) + 1:  # first residue after each helix/non-helix change
            near[max(e - recipe.edge_flank, 0): e + recipe.edge_flank] = True
        w[near & ~helix & (y != IGNORE)] = recipe.edge_weight
    return w


def examples(prots: list[Protein], rng: np.random.Generator,
             recipe: Recipe = RECIPE) -> list[tuple[np.ndarray, np.ndarray]]:
    out = []
    for p in prots:
        for _ in range(recipe.tm_repeat if p.kind == "tm" else 1):
            out += windows(p, rng)
    return out


def windows(p: Protein, rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """One protein's training windows (the whole chain up to :data:`CROP`, else overlapping crops)."""
    x, y = encode(p.seq), label_array(p.labels)
    if len(x) <= CROP:
        return [(x, y)]
    out = []
    off = int(rng.integers(0, CROP // 2))
    for s in range(-off, len(x), CROP - 60):
        a, b = max(s, 0), min(s + CROP, len(x))
        yy = y[a:b].copy()
        # window edges that are not sequence ends see false padding: no loss there
        if a > 0:
            yy[:30] = IGNORE
        if b < len(x):
            yy[-30:] = IGNORE
        out.append((x[a:b], yy))
    return out


def train(prots: list[Protein], recipe: Recipe = RECIPE, log: str = "", arch: dict | None = None):
    import torch

    seed, epochs = recipe.seed, recipe.epochs
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    rng = np.random.default_rng(seed)
    net = build_net(arch)
    opt = torch.optim.AdamW(net.parameters(), lr=recipe.lr, weight_decay=1e-4)
    pad = len(ALPHABET) + 1
    data_prots = [p for p in prots if p.kind != "beta"]
    steps_per_epoch = None
    sched = None
    for epoch in range(epochs):
        ex = examples(data_prots, rng, recipe)
        order = rng.permutation(len(ex))
        # bucket by length so that padding is small, then shuffle the batches
        order = sorted(order.tolist(), key=lambda i: (len(ex[i][0]) // 50, rng.random()))
        batches, cur, width = [], [], 0
        for i in order:
            w = max(width, len(ex[i][0]))
            if cur and w * (len(cur) + 1) > BATCH_RESIDUES:
                batches.append(cur)
                cur, w = [], len(ex[i][0])
            cur.append(i)
            width = w
        if cur:
            batches.append(cur)
        rng.shuffle(batches)
        if sched is None:
            steps_per_epoch = len(batches) + 5
            sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=recipe.lr, total_steps=steps_per_epoch * epochs)
        tot, n = 0.0, 0
        for b in batches:
            L = max(len(ex[i][0]) for i in b)
            X = np.full((len(b), L), pad, dtype=np.int64)
            Y = np.full((len(b), L), IGNORE, dtype=np.int64)
            W = np.zeros((len(b), L), dtype=np.float32) if weighted(recipe) else None
            for r, i in enumerate(b):
                X[r, : len(ex[i][0])] = ex[i][0]
                Y[r, : len(ex[i][1])] = ex[i][1]
                if W is not None:
                    W[r, : len(ex[i][1])] = weight_array(ex[i][1], recipe)
            logits = net(torch.from_numpy(X))
            loss = loss_of(logits, Y, W, recipe)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += float(loss)
            n += 1
        print(f"{log} epoch {epoch} loss {tot / n:.4f}", file=sys.stderr, flush=True)
    return net


def weighted(recipe: Recipe) -> bool:
    """Whether the recipe weighs residues unequally (else the loss needs no weight array at all)."""
    return recipe.helix_weight != 1.0 or recipe.edge_weight != 1.0


def loss_of(logits, Y: np.ndarray, W: np.ndarray | None, recipe: Recipe):
    """Cross-entropy over the labelled residues; with weights (``W``, None when not :func:`weighted`),
    normalised by the summed weight."""
    import torch

    y = torch.from_numpy(Y)
    if W is None:  # the 2.2.0 recipe, bit for bit
        return torch.nn.functional.cross_entropy(logits, y, ignore_index=IGNORE,
                                                 label_smoothing=recipe.label_smoothing)
    per = torch.nn.functional.cross_entropy(logits, y, ignore_index=IGNORE, reduction="none",
                                            label_smoothing=recipe.label_smoothing)
    w = torch.from_numpy(W)
    return (per * w).sum() / w.sum().clamp_min(1e-6)


def export(net, path: Path, arch: dict | None = None) -> None:
    """Weights for secannot's numpy inference (:meth:`TopologyNet.save`: the architecture is stored with them
    unless it is :data:`ARCH`, so 2.2.0's files keep their keys)."""
    a = ARCH if arch is None else arch
    sd = {k: v.detach().numpy().astype(np.float32) for k, v in net.state_dict().items()}
    n = len(layer_reach(a))
    TopologyNet(sd["emb.weight"][: len(ALPHABET) + 2], tuple(sd[f"c{i}.weight"] for i in range(1, n + 1)),
                tuple(sd[f"c{i}.bias"] for i in range(1, n + 1)), sd["out.weight"][:, :, 0], sd["out.bias"],
                dict(a)).save(path)


def training_sets(prots: list[Protein]) -> dict[str, list[Protein]]:
    """The proteins of each job: ``final`` all, ``f{k}`` without fold k, ``x{a}{b}`` without folds a and b."""
    jobs = {"final": list(prots)}
    for f in range(3):
        jobs[f"f{f}"] = [p for p in prots if p.fold != f]
    for f, g in ((0, 1), (0, 2), (1, 2)):
        # inner CV: outer fold f uses x{f}{g} scored on fold g and x{f}{h} scored on fold h
        jobs[f"x{f}{g}"] = [p for p in prots if p.fold not in (f, g)]
    return jobs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--cache", default=str(ROOT / "train" / ".net_cache"))
    ap.add_argument("--out", default=str(ROOT / "secannot" / "data" / "topology_net.npz"))
    ap.add_argument("--epochs", type=int, default=None, help=f"override the recipe's epochs ({RECIPE.epochs})")
    ap.add_argument("--only", default=None, help="comma list of jobs: f0,f1,f2,x01,x02,x12,final")
    ap.add_argument("--seed", type=int, default=None, help=f"override the recipe's seed ({RECIPE.seed})")
    ap.add_argument("--arch", default=None, help="JSON object: override the architecture (default ARCH)")
    ap.add_argument("--bench-models", default=str(ROOT / "bench" / "models"),
                    help="where the outer-fold models also go ('' for nowhere)")
    args = ap.parse_args()
    shared = Path(args.shared)
    if not (shared / "data" / "tmbed" / "tmbed_dev.3line").exists():
        sys.exit(f"skip: {shared}/data/tmbed/tmbed_dev.3line not found (the shared data is needed to train)")
    prots = load(shared)
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    jobs = training_sets(prots)
    recipe = RECIPE if args.epochs is None else replace(RECIPE, epochs=args.epochs)
    if args.seed is not None:
        recipe = replace(recipe, seed=args.seed)
    arch = ARCH if args.arch is None else {**ARCH, **json.loads(args.arch)}
    only = args.only.split(",") if args.only else ["f0", "f1", "f2", "x01", "x02", "x12", "final"]
    for name in only:
        t0 = time.process_time()
        net = train(jobs[name], recipe, log=name, arch=arch)
        target = Path(args.out) if name == "final" else cache / f"{name}.npz"
        export(net, target, arch)
        if name.startswith("f") and args.bench_models:  # the outer-fold models also serve make bench's figures
            export(net, Path(args.bench_models) / f"topology_net_fold{name[1]}.npz", arch)
        print(f"{name}: {target} CPU {time.process_time() - t0:.0f} s", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()

"""Membrane topology from a small per-residue convolutional network and a segment decoder.

Why a network: the linear per-residue model of the earlier HMM could not tell
a TM helix from a buried hydrophobic strand of a soluble protein (8-15% of
globular proteins got a false helix) and undercounted multi-pass proteins.
This network reads the residues themselves (a learned 6-dimensional residue
embedding, so no fixed hydropathy scale) over a 61-residue receptive field:

    embedding (21 -> 6) -> conv k21 (6 -> 16) -> ReLU
      -> conv k9 dilation 2 (16 -> 16) -> ReLU, + residual
      -> conv k9 dilation 3 (16 -> 16) -> ReLU, + residual
      -> 1x1 (16 -> 4): in / out / helix / signal peptide logits

trained by ``train/train_topology_net.py`` (torch on CPU, fixed seed) on
TMbed's per-residue topology (Bernhofer & Rost 2022, BMC Bioinformatics
23:326) and the SignalP 6.0 benchmark (Teufel et al. 2022) labels.  Inference
here is numpy float32 only, from ``secannot/data/topology_net.npz``.

Zero padding at the sequence ends (the padding residue embeds to zero), so the
network's output for a residue depends only on the residues within
:attr:`TopologyNet.half_field` (30 for the layers above) positions of it;
:mod:`secannot.models.topology_decode` uses that to run the network only
around hydrophobic candidates, with results identical to running it on the
whole chain.

The layers are a property of the weights: a file may store its architecture
(``arch``, a JSON object of the keys of :data:`ARCH`, with ``k4``/``d4``... for
further residual layers); a file without one (model 2.2.0's) has :data:`ARCH`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from secannot.models.signal_peptide import ALPHABET  # the 20 standard residues, one order for every model

#: architecture of a weights file that stores none (model 2.2.0): embedding width, channels, first layer's
#: kernel, then each residual layer's kernel and dilation
ARCH = {"emb": 6, "ch": 16, "k1": 21, "k2": 9, "d2": 2, "k3": 9, "d3": 3}


def layer_reach(arch: dict) -> list[int]:
    """Half-width (residues each side) of each convolution layer of ``arch``, first layer first."""
    reach = [arch["k1"] // 2]
    i = 2
    while f"k{i}" in arch:
        reach.append(arch[f"d{i}"] * (arch[f"k{i}"] // 2))
        i += 1
    return reach


def half_field_of(arch: dict) -> int:
    """Residues each side of a residue that can change its output under ``arch``."""
    return sum(layer_reach(arch))


def gap_of(arch: dict) -> int:
    """PAD residues between joined chains under ``arch``: wider than any one layer's half-width."""
    return max(layer_reach(arch)) + 1


#: residues each side of a residue that can change its output (:data:`ARCH`; a model's: ``net.half_field``)
HALF_FIELD = half_field_of(ARCH)
CLASSES = ("in", "out", "helix", "sp")
#: rows of every matrix product (fixed shapes: batch-invariant rounding)
BLOCK = 512
#: PAD residues between joined chains (:data:`ARCH`; a model's: ``net.gap``)
GAP = gap_of(ARCH)

_CODE = np.full(256, len(ALPHABET), dtype=np.intp)  # anything else -> X (index 20)
for _i, _aa in enumerate(ALPHABET):
    _CODE[ord(_aa)] = _i
    _CODE[ord(_aa.lower())] = _i
PAD = len(ALPHABET) + 1  # embeds to zero: the convolutions' zero padding


def codes_of(seq: bytes) -> np.ndarray:
    """Residue codes 0..20 (20 = any other letter) of one sequence."""
    return _CODE[np.frombuffer(seq, dtype=np.uint8)]


def _blocks(x: np.ndarray) -> np.ndarray:
    """(C, L) -> a (L / BLOCK, C, BLOCK) view: one fixed-shape matrix per block of residues."""
    return x.reshape(x.shape[0], -1, BLOCK).transpose(1, 0, 2)


def _buffer(work: dict[str, np.ndarray], key: str, shape: tuple[int, ...]) -> np.ndarray:
    """A float32 array of ``shape`` from ``work``, reused (and grown) across calls with the same ``work``."""
    size = math.prod(shape)
    if key not in work or work[key].size < size:
        work[key] = np.empty(size, dtype=np.float32)
    return work[key][:size].reshape(shape)


def _conv(x: np.ndarray, taps: tuple[np.ndarray, ...], b: np.ndarray, dilation: int,
          work: dict[str, np.ndarray], key: str) -> np.ndarray:
    """'same' 1-D convolution of x (C_in, L) with one (C_out, C_in) matrix per tap, zero padding; (C_out, L).

    Channels first, so every product is (C_out, C_in) @ (C_in, BLOCK): with
    8-16 channels BLAS runs the residues as the long dimension about twice as
    fast as the (BLOCK, C_in) @ (C_in, C_out) layout.  One product per tap
    on a shifted view (no im2col copy), each on blocks of ``BLOCK`` residues
    (``L`` must be a multiple): BLAS picks kernels by shape, so a fixed shape
    keeps every residue's rounding independent of its batch (see ``fixed_shape``).
    Every array comes from ``work`` (``key`` names this layer's): fresh arrays
    of this size are mapped from the OS each time, and the page faults cost a
    third of the stage's CPU time on the proteomes.
    """
    half = dilation * (len(taps) // 2)
    length = x.shape[1]
    padded = _buffer(work, key + "in", (x.shape[0], length + 2 * half))
    padded[:, :half] = 0
    padded[:, half + length :] = 0
    padded[:, half : half + length] = x
    shape = (length // BLOCK, taps[0].shape[0], BLOCK)
    y, tap = _buffer(work, key + "sum", shape), _buffer(work, key + "tap", shape)
    np.matmul(taps[0], _blocks(padded[:, :length]), out=y)
    for j in range(1, len(taps)):
        y += np.matmul(taps[j], _blocks(padded[:, j * dilation : j * dilation + length]), out=tap)
    y += b[:, None]
    out = _buffer(work, key + "out", (shape[1], length))
    np.copyto(out.reshape(shape[1], shape[0], BLOCK), y.transpose(1, 0, 2))
    return out


@dataclass(frozen=True, slots=True)
class TopologyNet:
    """Weights of the per-residue network (float32, torch layouts) and its architecture."""

    emb: np.ndarray  # (22, emb): 20 residues, X, padding (zeros)
    conv_w: tuple[np.ndarray, ...]  # per layer (C_out, C_in, k): c1 (emb -> ch), then the residual layers
    conv_b: tuple[np.ndarray, ...]
    out_w: np.ndarray  # (4, ch)
    out_b: np.ndarray
    arch: dict = field(default_factory=lambda: dict(ARCH))
    taps: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def half_field(self) -> int:
        """Residues each side of a residue that can change its output."""
        return half_field_of(self.arch)

    @property
    def gap(self) -> int:
        """PAD residues that separate two joined chains completely."""
        return gap_of(self.arch)

    def _taps(self, layer: int) -> tuple[np.ndarray, ...]:
        """One contiguous (C_out, C_in) matrix per tap of layer ``layer``'s (C_out, C_in, k) weights, cached."""
        if layer not in self.taps:
            w = self.conv_w[layer]
            self.taps[layer] = tuple(np.ascontiguousarray(w[:, :, j]) for j in range(w.shape[2]))
        return self.taps[layer]

    @classmethod
    def from_npz(cls, source) -> TopologyNet:
        """Weights from an npz of train/train_topology_net.py; KeyError/ValueError on a malformed one."""
        with np.load(source) as d:
            arch = json.loads(str(d["arch"])) if "arch" in d.files else dict(ARCH)
            n = len(layer_reach(arch))
            emb = np.zeros((PAD + 1, d["emb"].shape[1]), dtype=np.float32)
            emb[:PAD] = d["emb"]
            if emb.shape[1] != arch["emb"]:
                raise ValueError(f"embedding width {emb.shape[1]} is not the architecture's {arch['emb']}")

            def f32(key: str) -> np.ndarray:
                return np.asarray(d[key], dtype=np.float32)

            return cls(emb, tuple(f32(f"c{i}_w") for i in range(1, n + 1)),
                       tuple(f32(f"c{i}_b") for i in range(1, n + 1)), f32("out_w"), f32("out_b"), arch)

    def save(self, path) -> None:
        """Write the weights as :meth:`from_npz` reads them; the architecture only when it is not :data:`ARCH`, so
        a file of model 2.2.0's layers has 2.2.0's keys."""
        convs = {}
        for i, (w, b) in enumerate(zip(self.conv_w, self.conv_b, strict=True), start=1):
            convs[f"c{i}_w"], convs[f"c{i}_b"] = w, b
        extra = {} if self.arch == ARCH else {"arch": np.array(json.dumps(self.arch, sort_keys=True))}
        np.savez(path, emb=self.emb[:PAD], **convs, out_w=self.out_w, out_b=self.out_b, **extra)

    @classmethod
    def load(cls, path: str | None = None) -> TopologyNet:
        """The shipped weights (or ``path``); raises OSError/KeyError on a missing or malformed file."""
        if path is not None:
            return cls.from_npz(path)
        with (resources.files("secannot") / "data" / "topology_net.npz").open("rb") as fh:
            return cls.from_npz(fh)

    def logits(self, codes: np.ndarray, work: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """(L, 4) float32 class logits (in, out, helix, sp) for residue codes (L,): :meth:`class_logits` transposed."""
        return self.class_logits(codes, work).T

    def class_logits(self, codes: np.ndarray, work: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """(4, L) float32 class logits (rows in, out, helix, sp) for residue codes (L,), PAD codes allowed.

        Classes first: the decoder reads one class at a time, so each row is
        contiguous (a (L, 4) layout costs a strided pass per class).

        ``work``: a dict the caller keeps across calls (one per thread), so the
        layers' arrays are reused rather than allocated anew each call.

        Every layer's output is zeroed on PAD positions, exactly as the
        per-layer zero padding at a chain end: a run of at least :attr:`gap`
        PAD codes therefore separates two chains completely, and a chain's
        numbers are the same alone or joined with others.
        """
        n = len(codes)
        codes = np.concatenate([codes, np.full(-n % BLOCK, PAD, dtype=np.intp)])  # whole blocks of residues
        work = {} if work is None else work
        x = self.emb.T[:, codes]
        keep = (codes != PAD).astype(np.float32)
        h = _conv(x, self._taps(0), self.conv_b[0], 1, work, "c1")
        np.maximum(h, 0, out=h)
        h *= keep
        for i in range(1, len(self.conv_w)):
            # each layer has its own buffers (``work`` key), so h stays valid while the next one is formed
            nxt = _conv(h, self._taps(i), self.conv_b[i], self.arch[f"d{i + 1}"], work, f"c{i + 1}")
            np.maximum(nxt, 0, out=nxt)
            nxt *= keep
            nxt += h
            h = nxt
        out = np.matmul(self.out_w, _blocks(h)) + self.out_b[:, None]  # (blocks, 4, BLOCK)
        return out.transpose(1, 0, 2).reshape(len(CLASSES), -1)[:, :n]


@dataclass(frozen=True, slots=True)
class TopologyEnsemble:
    """Several networks whose class logits are averaged (same interface as :class:`TopologyNet`)."""

    members: tuple[TopologyNet, ...]

    @property
    def half_field(self) -> int:
        return max(m.half_field for m in self.members)

    @property
    def gap(self) -> int:
        return max(m.gap for m in self.members)

    def logits(self, codes: np.ndarray, work: dict[str, np.ndarray] | None = None) -> np.ndarray:
        return self.class_logits(codes, work).T

    def class_logits(self, codes: np.ndarray, work: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """Mean of the members' :meth:`TopologyNet.class_logits` (float32, summed in member order)."""
        work = {} if work is None else work
        total = None
        for k, m in enumerate(self.members):
            z = m.class_logits(codes, work.setdefault(f"m{k}", {}))  # type: ignore[arg-type]
            total = z.copy() if total is None else total + z
        assert total is not None
        return total / np.float32(len(self.members))


def log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

"""Signal-peptide model: numpy inference for the network trained by ``train/train_sp.py``.

The network reads the first 70 residues and scores every possible cleavage
position together with "no signal peptide" in one softmax (a segment model:
the score of cleaving after residue c is the summed "inside" evidence of
residues 1..c plus a boundary score at c).  The probability of a signal
peptide is therefore the total mass on cleavage positions, and the cleavage
site is the best of them, so detection and cleavage can never disagree.

Inference is written for throughput on one core: the first convolution
works on tokens, so it is a sum of table look-ups instead of a matrix
product, and each later convolution is one matrix product followed by
shifted additions.  Weights are plain arrays in an ``.npz`` file with a JSON
sidecar; torch is needed only to train.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from secannot.errors import ModelError

WINDOW = 70
#: Sequences per inference block: small enough that a layer's activations
#: (CHUNK x 70 x channels float32) stay in cache, large enough to amortise calls.
#: Every block has exactly this many rows (the last one padded with empty
#: sequences) and the deep layers run on blocks of exactly DEEP_CHUNK
#: screened-in sequences: each BLAS product then has one fixed shape, so a
#: protein's numbers never depend on the rest of the batch (models.fixed_shape).
CHUNK = 128
DEEP_CHUNK = 64
ALPHABET = "ACDEFGHIKLMNPQRSTVWY"
N_TOKENS = 22  # 0 = padding, 1..20 = standard residues, 21 = anything else

#: Organism groups the model distinguishes, with the names users may type.
ORGANISMS = {
    "eukarya": 0,
    "archaea": 1,
    "gram-negative": 2,
    "gram-positive": 3,
}
ORGANISM_ALIASES = {
    "euk": "eukarya", "eukaryote": "eukarya", "eukaryota": "eukarya", "eukarya": "eukarya",
    "arch": "archaea", "archaea": "archaea",
    "gram-": "gram-negative", "gram-negative": "gram-negative", "negative": "gram-negative",
    "gram+": "gram-positive", "gram-positive": "gram-positive", "positive": "gram-positive",
}
#: Signal types in the order of the model's output blocks.
_ORGANISM_NAMES = {v: k for k, v in ORGANISMS.items()}
SIGNAL_TYPES = ("sec_spi", "sec_spii", "tat_spi", "tat_spii", "sec_spiii")

#: Windowed input channels: centred means (zero padded) of hydropathy, of
#: basic and of acidic residues, and the hydrophobic moment at 100 degrees
#: per residue (alpha-helical amphipathicity, typical of transit peptides).
_WINDOW_SPECS: tuple[tuple[str, int], ...] = (
    ("kd", 5), ("kd", 9), ("kd", 13), ("kd", 17), ("kd", 21),
    ("pos", 9), ("pos", 15), ("neg", 9), ("neg", 15),
    ("moment", 11), ("moment", 17),
)
_HELIX_ANGLE = 100.0 * np.pi / 180.0
_SOURCE_INDEX = {"kd": 0, "pos": 1, "neg": 2}


def window_feature_specs() -> tuple[tuple[str, int], ...]:
    return _WINDOW_SPECS


def _token_table() -> np.ndarray:
    lut = np.full(256, 21, dtype=np.intp)
    lut[0] = 0
    for i, aa in enumerate(ALPHABET):
        lut[ord(aa)] = i + 1
    # Rare residues read as their closest standard relative.
    lut[ord("U")] = ALPHABET.index("C") + 1
    lut[ord("O")] = ALPHABET.index("K") + 1
    return lut


TOKENS = _token_table()


def encode(seqs: Sequence[bytes], rows: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Tokens of the first WINDOW residues (padded) and the true lengths, with ``rows`` rows
    (empty sequences fill the rows past ``len(seqs)``)."""
    rows = len(seqs) if rows is None else rows
    joined = b"".join(s[:WINDOW].ljust(WINDOW, b"\0") for s in seqs).ljust(rows * WINDOW, b"\0")
    raw = np.frombuffer(joined, dtype=np.uint8).reshape(rows, WINDOW)
    lengths = np.zeros(rows, dtype=np.int64)
    lengths[: len(seqs)] = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
    return TOKENS[raw], lengths


def normalise_organism(name: str) -> str:
    key = name.strip().lower()
    if key not in ORGANISM_ALIASES:
        choices = ", ".join(ORGANISMS)
        raise ModelError(f"unknown organism group {name!r}; choose one of: {choices}")
    return ORGANISM_ALIASES[key]


@dataclass(frozen=True, slots=True)
class SignalCalls:
    """Vectorised model output for one batch."""

    sp_prob: np.ndarray  # (B,) probability of Sec/SPI
    cleavage: np.ndarray  # (B,) 1-based last SP residue, 0 when no SP is predicted
    best_cleavage: np.ndarray  # (B,) most probable cleavage position whatever the decision
    cs_prob: np.ndarray  # (B,) P(cleavage position | Sec/SPI)
    type_probs: np.ndarray  # (B, 1 + n_types): none, then SIGNAL_TYPES
    position_probs: np.ndarray | None = None  # (B, WINDOW) per-residue P(inside Sec/SPI), on request
    screened: np.ndarray | None = None  # (B,) True where the early-exit screen decided


def _max_over_positions(h: np.ndarray) -> np.ndarray:
    """Max over axis 1 by repeated halving: numpy's reduction along a middle axis is slow."""
    while h.shape[1] > 1:
        half = h.shape[1] // 2
        top = np.maximum(h[:, :half], h[:, half : 2 * half])
        h = np.concatenate([top, h[:, 2 * half :]], axis=1) if h.shape[1] % 2 else top
    return h[:, 0]


def _pooled(h: np.ndarray, organism_row: np.ndarray) -> np.ndarray:
    """[max over positions, mean over positions, organism one-hot], as in training.

    The sum over the middle axis adds position after position for every
    (sequence, channel), the same order whatever the batch.
    """
    mean = h.sum(axis=1)
    mean *= np.float32(1.0 / h.shape[1])
    return np.concatenate([_max_over_positions(h), mean, organism_row], axis=1)


class SignalPeptideModel:
    """Loaded weights plus the metadata that names them."""

    def __init__(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]):
        self.meta = meta
        arch = meta["architecture"]
        self.windows = [tuple(w) for w in arch["windows"]]
        if tuple(self.windows) != _WINDOW_SPECS:
            raise ModelError("model was trained with other window channels than this secannot computes")
        self.thresholds: dict[str, float] = {k: float(v) for k, v in meta.get("decision_threshold", {}).items()}
        self.k1: int = arch["k1"]
        self.k2: int = arch["k2"]
        self.dilations: list[int] = list(arch["dilations"])
        self.n_types: int = arch["n_types"]
        f32 = np.float32
        w1 = arrays["c1.weight"].astype(f32)  # (C1, in, k1)
        token_feats = np.concatenate([arrays["emb.weight"], arrays["phys"]], axis=1).astype(f32)  # (22, E+3)
        n_tok = token_feats.shape[1]
        # Tap j of conv1 as a (22, C1) table: the first layer becomes look-ups.
        taps = [token_feats @ w1[:, :n_tok, j].T for j in range(self.k1)]  # each (22, C1)
        # Adjacent taps merged into (22*22, C1) tables: one look-up serves two
        # residues, halving the gathers of the first layer.
        self.pair_tables = [
            (taps[j][:, None, :] + taps[j + 1][None, :, :]).reshape(N_TOKENS * N_TOKENS, -1)
            for j in range(0, self.k1 - 1, 2)
        ]
        self.last_tap = taps[-1] if self.k1 % 2 else None
        self.win_weight = arrays["c1w.weight"].T.astype(f32)  # (W, C1): pointwise on window channels
        self.bias1 = (arrays["c1.bias"][None, :] + arrays["pos"].T).astype(f32)  # (L, C1)
        self.king = arrays["king.weight"].astype(f32)  # (4, C1)
        self.kd = (arrays["phys"][:, 0] * 4.5).astype(f32)
        self.basic = (arrays["phys"][:, 1] > 0.5).astype(f32)
        self.acidic = (arrays["phys"][:, 1] < -0.5).astype(f32)
        angle = np.arange(WINDOW, dtype=np.float32) * np.float32(_HELIX_ANGLE)
        self._cos, self._sin = np.cos(angle), np.sin(angle)
        self._max_half = max(w for _, w in self.windows) // 2
        self.convs: list[tuple[np.ndarray, np.ndarray, int, int]] = []
        for i, dil in enumerate(self.dilations):
            w = arrays[f"conv{i + 2}.weight"].astype(f32)  # (Cout, Cin, k2)
            cout = w.shape[0]
            taps = [np.ascontiguousarray(w[:, :, j].T) for j in range(self.k2)]  # each (Cin, Cout)
            self.convs.append((taps, arrays[f"conv{i + 2}.bias"].astype(f32), dil, cout))
        self.max_pad = max((d * (self.k2 // 2) for d in self.dilations), default=0)
        self.w_out = arrays["out.weight"].T.astype(f32)  # (C, 2*NT)
        self.b_out = arrays["out.bias"].astype(f32)
        det_w = arrays["det.weight"].astype(f32)  # (1+NT, 2C+4); row 0 is "none"
        self.none_w = det_w[0]
        self.none_b = float(arrays["det.bias"][0])
        # Weights without an early-exit head simply never exit early.
        self.screen_w = arrays.get("screen.weight", np.zeros(2 * self.bias1.shape[1] + 4)).astype(f32)
        self.screen_b = float(np.asarray(arrays.get("screen.bias", [10.0])).ravel()[0])
        self.screen_thresholds: dict[str, float] = {
            k: float(v) for k, v in meta.get("screen_threshold", {}).items()
        }

    # -- loading -------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path | None = None) -> SignalPeptideModel:
        """Load bundled weights, or a user file (``.npz`` with ``.json`` beside it)."""
        try:
            if path is None:
                base = resources.files("secannot") / "data"
                with resources.as_file(base / "sp_model.npz") as npz_path:
                    arrays = dict(np.load(npz_path))
                meta = json.loads((base / "sp_model.json").read_text(encoding="utf-8"))
            else:
                npz = Path(path)
                arrays = dict(np.load(npz))
                meta = json.loads(npz.with_suffix(".json").read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"cannot load signal-peptide model {path or '(bundled)'}: {exc}") from None
        if meta.get("format") != 1:
            raise ModelError(f"model format {meta.get('format')!r} is not supported by this secannot")
        return cls(arrays, meta)

    @property
    def name(self) -> str:
        return str(self.meta["name"])

    @property
    def version(self) -> str:
        return str(self.meta["version"])

    # -- inference -------------------------------------------------------------
    def _window_features(self, tok: np.ndarray) -> np.ndarray:
        """Centred running means, as torch's avg_pool1d(count_include_pad=True).

        All five per-residue sources share one cumulative sum; each channel is
        then a difference of two shifted slices of it.
        """
        batch, length = tok.shape
        kd = self.kd[tok]
        src = np.empty((batch, length, 5), dtype=np.float32)
        src[:, :, 0] = kd
        src[:, :, 1] = self.basic[tok]
        src[:, :, 2] = self.acidic[tok]
        src[:, :, 3] = kd * self._cos[:length]
        src[:, :, 4] = kd * self._sin[:length]
        pad = self._max_half
        csum = np.zeros((batch, length + 2 * pad + 1, 5), dtype=np.float32)
        np.cumsum(src, axis=1, out=csum[:, pad + 1 : pad + 1 + length])
        csum[:, pad + 1 + length :] = csum[:, pad + length : pad + 1 + length]
        feats = np.empty((batch, length, len(self.windows)), dtype=np.float32)
        for i, (name, w) in enumerate(self.windows):
            half = w // 2
            lo = pad - half
            if name == "moment":
                c = (csum[:, lo + w : lo + w + length, 3] - csum[:, lo : lo + length, 3]) / w
                s = (csum[:, lo + w : lo + w + length, 4] - csum[:, lo : lo + length, 4]) / w
                feats[:, :, i] = np.sqrt(c * c + s * s + 1e-6)
            else:
                k = _SOURCE_INDEX[name]
                feats[:, :, i] = (csum[:, lo + w : lo + w + length, k] - csum[:, lo : lo + length, k]) / w
        return feats

    def _first_layer(self, tok: np.ndarray, organism: int) -> np.ndarray:
        batch, length = tok.shape
        half = self.k1 // 2
        padded = np.zeros((batch, length + 2 * half), dtype=tok.dtype)
        padded[:, half : half + length] = tok
        h = np.empty((batch, length, self.bias1.shape[1]), dtype=np.float32)
        h[:] = self.bias1 + self.king[organism]
        pair_index = padded[:, :-1] * N_TOKENS + padded[:, 1:]
        looked_up = np.empty_like(h)
        # mode="clip": the indices are in range by construction, and numpy buffers ``out`` in the default
        # mode="raise" (an extra copy of every look-up)
        for i, table in enumerate(self.pair_tables):
            np.take(table, pair_index[:, 2 * i : 2 * i + length], axis=0, out=looked_up, mode="clip")
            h += looked_up
        if self.last_tap is not None:
            np.take(self.last_tap, padded[:, self.k1 - 1 : self.k1 - 1 + length], axis=0, out=looked_up, mode="clip")
            h += looked_up
        feats = self._window_features(tok)
        h += (feats.reshape(batch * length, -1) @ self.win_weight).reshape(batch, length, -1)
        np.maximum(h, 0, out=h)
        return h

    def _deep_layers(self, h: np.ndarray) -> np.ndarray:
        """Dilated convolutions on a flat, gap-padded layout.

        Sequences are laid end to end with ``max_pad`` zero rows between them,
        so every tap of a convolution is one matrix product on a contiguous
        slice (an offset in rows), with no copies or shifted additions.
        """
        batch, length, _ = h.shape
        pad = self.max_pad
        stride = length + pad
        n = batch * stride + pad
        flat = np.zeros((n, h.shape[2]), dtype=np.float32)
        flat[pad:].reshape(batch, stride, -1)[:, :length] = h
        inner = slice(pad, n - pad)
        tmp = np.empty((n - 2 * pad, self.convs[0][3]), dtype=np.float32) if self.convs else None
        for taps, bias, dil, cout in self.convs:
            out = np.empty((n, cout), dtype=np.float32)
            out[:pad] = 0
            out[n - pad :] = 0
            acc = out[inner]
            if tmp is None or tmp.shape[1] != cout:
                tmp = np.empty_like(acc)
            half = len(taps) // 2
            for j, w in enumerate(taps):
                off = dil * (j - half)
                np.matmul(flat[pad + off : n - pad + off], w, out=acc if j == 0 else tmp)
                if j:
                    acc += tmp
            acc += bias
            np.maximum(acc, 0, out=acc)
            out[pad:].reshape(batch, stride, cout)[:, length:] = 0  # keep the gaps empty
            flat = out
        return flat[pad:].reshape(batch, stride, -1)[:, :length]

    def _organism_row(self, organism: int, batch: int) -> np.ndarray:
        return np.tile(np.eye(4, dtype=np.float32)[organism], (batch, 1))

    def screen_probability(self, h1: np.ndarray, organism: int) -> np.ndarray:
        """P(any signal peptide) from first-layer features: the early exit."""
        pooled = _pooled(h1, self._organism_row(organism, len(h1)))
        return 1.0 / (1.0 + np.exp(-(pooled @ self.screen_w + self.screen_b)))

    def _full_model(self, h1: np.ndarray, lengths: np.ndarray, organism: int, positions: bool):
        batch, length, _ = h1.shape
        h = self._deep_layers(h1)
        n_types = 1 if organism == 0 else self.n_types
        cols = list(range(n_types)) + [self.n_types + t for t in range(n_types)]
        out = (np.ascontiguousarray(h).reshape(batch * length, -1) @ self.w_out[:, cols]).reshape(batch, length, -1)
        out += self.b_out[cols]
        cs = np.cumsum(out[:, :, :n_types], axis=1) + out[:, :, n_types:]
        cs = cs[:, : length - 1, :].transpose(0, 2, 1)  # (B, types, L-1)
        # A cleavage after the last residue would leave no mature chain.
        valid = np.arange(length - 1)[None, :] < (lengths[:, None] - 1)
        cs = np.where(valid[:, None, :], cs, -np.inf)
        none = _pooled(h, self._organism_row(organism, batch)) @ self.none_w + self.none_b
        flat = np.concatenate([none[:, None], cs.reshape(batch, -1)], axis=1)
        flat -= flat.max(axis=1, keepdims=True)
        np.exp(flat, out=flat)
        flat /= flat.sum(axis=1, keepdims=True)
        per_type = flat[:, 1:].reshape(batch, n_types, length - 1)
        type_mass = per_type.sum(axis=2)
        type_probs = np.zeros((batch, 1 + self.n_types), dtype=np.float32)
        type_probs[:, 0] = flat[:, 0]
        type_probs[:, 1 : 1 + n_types] = type_mass
        sp_prob = type_mass[:, 0]
        best = per_type[:, 0].argmax(axis=1)
        cs_prob = per_type[np.arange(batch), 0, best] / np.maximum(sp_prob, 1e-12)
        # Sec/SPI is called when its probability passes the organism's
        # cross-validated threshold and no other signal type is likelier.
        threshold = self.thresholds.get(_ORGANISM_NAMES[organism], 0.5)
        is_sp = (sp_prob >= threshold) & (sp_prob >= type_probs[:, 2:].max(axis=1, initial=0.0))
        cleavage = np.where(is_sp, best + 1, 0)
        pos = None
        if positions:
            # P(residue i inside the SP) = P(cleavage at or after i).
            pos = np.zeros((batch, length), dtype=np.float32)
            pos[:, : length - 1] = np.cumsum(per_type[:, 0, ::-1], axis=1)[:, ::-1]
        return sp_prob, cleavage, best + 1, cs_prob, type_probs, pos

    def predict(
        self, seqs: Sequence[bytes], organism: int = 0, positions: bool = False, screen: bool = True
    ) -> SignalCalls:
        """Signal-peptide calls for any number of sequences (upper-case ASCII bytes).

        Sequences whose first-layer screen probability is below the organism's
        screen threshold (chosen in training so that at most 0.2% of true
        signal peptides fall below it) skip the deeper layers; their sp_prob
        is the screen's probability and no cleavage site is predicted.  All
        products run on fixed-shape blocks (CHUNK, DEEP_CHUNK), so each
        sequence's numbers are the same in any batch, at any position.
        """
        n = len(seqs)
        limit = self.screen_thresholds.get(_ORGANISM_NAMES[organism], 0.0) if screen else -1.0
        sp_prob = np.zeros(n, dtype=np.float32)
        deep_idx, deep_h1, deep_len = [], [], []
        for start in range(0, n, CHUNK):
            block = seqs[start : start + CHUNK]
            tok, lengths = encode(block, CHUNK)
            h1 = self._first_layer(tok, organism)
            p = self.screen_probability(h1, organism)[: len(block)]
            sp_prob[start : start + len(block)] = p
            keep = np.flatnonzero(p >= limit)
            deep_idx.append(keep + start)
            deep_h1.append(h1[keep])
            deep_len.append(lengths[keep])
        calls = SignalCalls(sp_prob, np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64),
                            np.full(n, np.nan, dtype=np.float32), np.zeros((n, 1 + self.n_types), dtype=np.float32),
                            np.zeros((n, WINDOW), dtype=np.float32) if positions else None, np.ones(n, dtype=bool))
        calls.type_probs[:, 0] = 1.0 - sp_prob
        calls.type_probs[:, 1] = sp_prob
        if n:
            self._deep_blocks(calls, np.concatenate(deep_idx), np.concatenate(deep_h1), np.concatenate(deep_len),
                              organism, positions)
        return calls

    def _deep_blocks(self, calls: SignalCalls, idx: np.ndarray, h1: np.ndarray, lengths: np.ndarray,
                     organism: int, positions: bool) -> None:
        """The full model on the screened-in sequences, DEEP_CHUNK at a time (the last block padded)."""
        calls.screened[idx] = False
        for start in range(0, len(idx), DEEP_CHUNK):
            sel = idx[start : start + DEEP_CHUNK]
            m = len(sel)
            hb = np.zeros((DEEP_CHUNK, *h1.shape[1:]), dtype=np.float32)
            hb[:m] = h1[start : start + m]
            lb = np.zeros(DEEP_CHUNK, dtype=np.int64)
            lb[:m] = lengths[start : start + m]
            full = self._full_model(hb, lb, organism, positions)
            calls.sp_prob[sel] = full[0][:m]
            calls.cleavage[sel] = full[1][:m]
            calls.best_cleavage[sel] = full[2][:m]
            calls.cs_prob[sel] = full[3][:m]
            calls.type_probs[sel] = full[4][:m]
            if positions:
                calls.position_probs[sel] = full[5][:m]

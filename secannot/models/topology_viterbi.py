"""Semi-Markov Viterbi decoding of the membrane-topology HMM (``secannot.models.topology_hmm``).

Why a module of its own: decoding is the one hot loop of whole-proteome
annotation (about a quarter of all residues are decoded), so its arithmetic is
laid out for numpy throughput rather than read as the model's definition.

The score of a helix from boundary ``a`` to ``a + d`` is its segment log-odds
(a table over the mean Kyte-Doolittle hydropathy bin and the count of charged
residues) plus ``log P(d)``.  Both statistics are integer sums: hydropathy
times ten is an integer for every residue, and a residue contributes
``(10 * kd + 45) * K + charged`` (``K = helix_max + 1``) to one running sum,
so the difference of two entries of that sum *is* an index into a per-length
look-up table that already holds segment score plus length score.  A helix
candidate then costs one subtraction and one gather, and its bin is exact
(no float rounding of long running sums, so no protein's call depends on
where it sits in a batch or how long it is).

A helix ending at boundary ``b`` starts at least ``helix_min`` boundaries
earlier, so the helix ends of a block of ``helix_min`` boundaries depend only
on loop scores already known; each block takes, for every helix length, a
subtraction, a gather and two add-and-maximum steps over the whole batch.
Only the maximum is kept: the length of the few helices on the best path is
recovered during the back-trace by recomputing their candidates with the same
float32 operations (ties go to the longest helix).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from secannot.models.scales import KYTE_DOOLITTLE

NEG = np.float32(-1e9)
CLASS_INDEX = {"in": 0, "out": 1, "helix": 2, "sp": 3}

_KD10 = np.zeros(256, dtype=np.int64)  # Kyte-Doolittle x 10 + 45 (0..90); unknown residues count as 0
_KD10[:] = 45
for _aa, _v in KYTE_DOOLITTLE.items():
    _KD10[ord(_aa)] = round(_v * 10) + 45
_CHARGED = np.zeros(256, dtype=np.int64)
_CHARGED[[ord("D"), ord("E"), ord("K"), ord("R")]] = 1


def segment_lut(segments: Any, helix_min: int, helix_dur: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flat float32 table of segment score + log P(length), and where each length's part starts.

    ``segments`` is a :class:`~secannot.models.topology_hmm.SegmentModel`.
    For a helix of length ``d`` the index is ``K * sum(10 kd + 45) + n_charged``;
    the kd bin is ``floor((mean kd - kd_low) / kd_width)`` computed exactly
    from the integer sum (clipped to the table), the charge capped at
    ``charge_max``.
    """
    helix_max = helix_min + len(helix_dur) - 1
    k = helix_max + 1
    n_kd = segments.table.shape[0]
    parts, bases, base = [], np.zeros(helix_max + 1, dtype=np.int64), 0
    charge = np.minimum(np.arange(k), segments.charge_max)
    for d in range(helix_min, helix_max + 1):
        kd10 = np.arange(90 * d + 1) - 45 * d  # every possible sum of 10 x hydropathy over d residues
        kd_bin = np.floor((kd10 / (10.0 * d) - segments.kd_low) / segments.kd_width + 1e-9)
        kd_bin = np.clip(kd_bin, 0, n_kd - 1).astype(np.int64)
        part = segments.table[kd_bin[:, None], charge[None, :]] + np.float32(helix_dur[d - helix_min])
        parts.append(part.ravel()[: 90 * d * k + d + 1])  # index K * (sum + 45 d) + charged
        bases[d] = base
        base += len(parts[-1])
    return np.concatenate(parts).astype(np.float32), bases


def segment_index(seq: bytes, start: int, end: int, helix_max: int) -> int:
    """Index of residues ``start..end`` (1-based, inclusive) into its length's part of :func:`segment_lut`."""
    raw = np.frombuffer(seq[start - 1 : end], dtype=np.uint8)
    return int(_KD10[raw].sum() * (helix_max + 1) + _CHARGED[raw].sum())


def max_hydropathy(seqs: Sequence[bytes], window: int) -> np.ndarray:
    """Highest Kyte-Doolittle mean over a ``window``-residue window of each sequence (-inf if shorter).

    One pass over the whole batch on exact integer sums (hydropathy x 10), so
    a sequence's value never depends on its batch: windows are read off one
    running sum of the joined sequences, and only windows inside one sequence count.
    """
    lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
    out = np.full(len(seqs), -np.inf)
    ok = lengths >= window
    if not ok.any():
        return out
    codes = np.frombuffer(b"".join(seqs), dtype=np.uint8)
    cum = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(_KD10[codes] - 45, out=cum[1:])
    sums = cum[window:] - cum[:-window]  # the window beginning at each residue
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    # a window beginning in the last window-1 residues of a sequence straddles the next one
    ends = starts[ok] + lengths[ok]
    straddle = (ends[:, None] - np.arange(1, window)[None, :]).ravel()
    sums[straddle[straddle < len(sums)]] = np.iinfo(np.int64).min
    out[ok] = np.maximum.reduceat(sums, starts[ok]) / (10.0 * window)
    return out


#: Decoding cost per padded boundary of a batch, in units of the cost per padded residue (measured:
#: about 10 us per boundary for the block loop's fixed work, 0.3 us per residue), and per batch.
BOUNDARY_COST = 30.0
BATCH_COST = 3000.0


def plan_batches(lengths: Sequence[int], budget: int) -> list[tuple[int, int]]:
    """Cut ascending ``lengths`` into ``[start, end)`` batches of least estimated decoding cost.

    A batch costs ``max length * (BOUNDARY_COST + size) + BATCH_COST``: one
    long protein in a batch of short ones pads them all, while many small
    batches repeat the per-boundary work.  Lengths are first grouped (within
    3%), then a dynamic programme over group ends picks the cuts; no batch
    exceeds ``budget`` padded residues unless it holds a single sequence.
    """
    n = len(lengths)
    if n == 0:
        return []
    ends, first = [], 0
    for k in range(1, n + 1):  # groups of lengths within 3% that fit the budget
        if k == n or lengths[k] > 1.03 * lengths[first] or lengths[k] * (k - first + 1) > budget:
            ends.append(k)
            first = k
    cuts = np.array([0, *ends])
    best = np.zeros(len(cuts))
    back = np.zeros(len(cuts), dtype=np.int64)
    for g in range(1, len(cuts)):
        longest = lengths[cuts[g] - 1]
        size = cuts[g] - cuts[:g]
        cost = best[:g] + longest * (BOUNDARY_COST + size) + BATCH_COST
        cost[:g - 1][longest * size[:g - 1] > budget] = np.inf  # the last group alone always fits
        back[g] = int(np.argmin(cost))
        best[g] = cost[back[g]]
    out, g = [], len(cuts) - 1
    while g > 0:
        out.append((int(cuts[back[g]]), int(cuts[g])))
        g = back[g]
    return out[::-1]


def _tables(hmm: Any, seqs: Sequence[bytes], signal_peptide: bool, start: str | None) -> dict[str, Any]:
    """Cumulative score tables of a padded batch, indexed by boundary ``p = t + helix_max``."""
    B = len(seqs)
    lengths = np.array([len(s) for s in seqs])
    T = int(lengths.max())
    P = hmm.helix_max  # left padding: index p = t + P
    W = T + 1 + P
    gap = hmm.residues.batch_gap()
    needed = [CLASS_INDEX["in"], CLASS_INDEX["out"], CLASS_INDEX["helix"]]
    with_sp = signal_peptide and start is None
    columns = hmm.residues.log_odds_columns((b"\0" * gap).join(seqs), needed + [CLASS_INDEX["sp"]] * with_sp)
    first = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    cols = np.arange(int(lengths.sum())) - np.repeat(first, lengths)
    src = np.repeat(first + gap * np.arange(B), lengths) + cols  # each residue in the joined sequence
    flat = cols * B + np.repeat(np.arange(B), lengths)  # and in a (T, B) array
    scale = np.float32(hmm.scale)

    def residue_values(col: np.ndarray | None) -> np.ndarray | None:
        if col is None:
            return None
        values = col.take(src)
        return values * scale if scale != 1 else values

    zs = [residue_values(c) for c in columns]

    def cum(values: np.ndarray, dtype: Any = np.float32) -> np.ndarray:
        x = np.zeros((T, B), dtype=dtype)
        x.ravel()[flat] = values
        out = np.zeros((W, B), dtype=dtype)
        np.cumsum(x, axis=0, out=out[P + 1 :])
        return out

    fl = hmm.flank
    idx = np.arange(W)
    zero = np.zeros(len(src), dtype=np.float32)
    side_in, side_out = (cum(zs[k] if zs[k] is not None else zero) for k in (0, 1))
    back, ahead = np.maximum(idx - fl, 0), np.minimum(idx + fl, W - 1)
    steps = np.maximum(np.arange(W, dtype=np.float32) - P, 0)[:, None]
    raw = np.frombuffer(b"".join(seqs), dtype=np.uint8)
    # index 0: the inside loop and the in->out helix it enters; index 1: outside loop, out->in helix
    c_loop = np.stack([steps * np.float32(hmm.loop_stay["in"]), steps * np.float32(hmm.loop_stay["out"])])
    tb = {"B": B, "T": T, "P": P, "W": W, "lengths": lengths, "c_loop": c_loop,
          "c_h": cum(zs[2]) if zs[2] is not None else None,
          "code": cum(_KD10[raw] * (hmm.helix_max + 1) + _CHARGED[raw], np.int64),
          "before": np.stack([side_in - side_in[back], side_out - side_out[back]]),
          "after": np.stack([side_out[ahead] - side_out, side_in[ahead] - side_in]), "sp_score": None}
    sp_lo, sp_hi = hmm.sp_min, hmm.sp_min + len(hmm.sp_dur) - 1
    hi = min(sp_hi, T)
    if hi >= sp_lo and with_sp:
        c_sp = cum(zs[3] if zs[3] is not None else zero)
        sp_score = np.full((W, B), NEG, dtype=np.float32)
        sl = slice(P + sp_lo, P + hi + 1)
        sp_score[sl] = hmm.start["sp"] + c_sp[sl] + hmm.sp_dur[: hi - sp_lo + 1, None] - c_loop[1, sl]
        tb["sp_score"] = sp_score
    return tb


def _by_length(arr: np.ndarray, n_lengths: int, axis: int = 0) -> np.ndarray:
    """Read-only view with a new axis before ``axis``: ``v[..., k, p, ...] = arr[..., p + k, ...]``.

    Element ``k`` at end ``p`` is the start of a helix of length ``helix_max - k``
    (``arr`` indexed by boundary, the view by end boundary minus ``helix_max``).
    """
    step = arr.strides[axis]
    shape = (*arr.shape[:axis], n_lengths, arr.shape[axis] - n_lengths + 1, *arr.shape[axis + 1 :])
    strides = (*arr.strides[:axis], step, step, *arr.strides[axis + 1 :])
    return np.lib.stride_tricks.as_strided(arr, shape, strides, writeable=False)


def _segment_scores(hmm: Any, lut: np.ndarray, bases: np.ndarray, code: np.ndarray) -> np.ndarray:
    """``(n_lengths, W, B)`` float32: score of the helix of length ``helix_max - k`` ending at each boundary.

    Computed one length at a time, so each gather stays inside that length's
    part of the table (cache-resident) rather than hopping between all parts.
    """
    k_len = hmm.helix_max + 1
    out = np.zeros((hmm.helix_max - hmm.helix_min + 1, *code.shape), dtype=np.float32)
    for k, d in enumerate(range(hmm.helix_max, hmm.helix_min - 1, -1)):
        part = lut[bases[d] : bases[d] + 90 * d * k_len + d + 1]
        out[k, d:] = part.take(code[d:] - code[:-d], mode="clip")  # indices are in range by construction
    return out


def decode(hmm: Any, seqs: Sequence[bytes], signal_peptide: bool = True, start: str | None = None
           ) -> list[tuple[list[tuple[int, int, str]], int, str, float]]:
    """Viterbi topology of a batch: per sequence (helices as (start, end, orientation), SP length, N-terminal side, score).

    ``hmm`` is a :class:`~secannot.models.topology_hmm.TopologyHMM`; see its
    ``predict`` for ``signal_peptide`` and ``start``.  Helices are 1-based
    inclusive; the score is the log-probability of the best path.  Arrays are
    ``(2, W, B)``: index 0 is the inside loop (and the in->out helix it
    enters, whose end ``v[0]`` seeds the outside loop), index 1 the outside.
    """
    lut, bases = hmm.segment_lut()
    tb = _tables(hmm, seqs, signal_peptide, start)
    B, T, P, W = tb["B"], tb["T"], tb["P"], tb["W"]
    c_loop, c_h, before, after, sp_score = tb["c_loop"], tb["c_h"], tb["before"], tb["after"], tb["sp_score"]
    dmin = hmm.helix_min
    a = np.full((2, W, B), NEG, dtype=np.float32)  # loop score + entry (+ flank), by helix start
    v = a.copy()  # helix ending at p: v[0] in->out, v[1] out->in
    w = a.copy()  # loop score - cumulative loop cost (running max): w[0] inside, w[1] outside
    seed = a.copy()
    sp_mark = np.zeros((W, B), dtype=bool)
    seed[0, P] = hmm.start["in"] if start != "out" else NEG
    seed[1, P] = hmm.start["out"] if start != "in" else NEG
    entry = np.array([hmm.helix_entry["in"], hmm.helix_entry["out"]], dtype=np.float32)[:, None, None]
    starts = _by_length(a, hmm.helix_max - dmin + 1, axis=1)
    seg = _segment_scores(hmm, lut, bases, tb["code"])[None]
    prev = np.full((2, 1, B), NEG, dtype=np.float32)
    for t0 in range(0, T + 1, dmin):
        p0, p1 = t0 + P, min(t0 + dmin, T + 1) + P
        if p1 - 1 - P >= dmin:  # helix ends: starts in [p - helix_max, p - helix_min], all before the block
            lo = p0 - hmm.helix_max
            best = (starts[:, :, lo : lo + p1 - p0] + seg[:, :, p0:p1]).max(axis=1)
            if c_h is not None:
                best += c_h[p0:p1]
            np.add(best, after[:, p0:p1], out=v[:, p0:p1])
        if t0 > 0:
            np.subtract(v[::-1, p0 - 1 : p1 - 1], c_loop[:, p0 - 1 : p1 - 1], out=seed[:, p0:p1])
            if sp_score is not None:
                sp_here = sp_score[p0:p1] > seed[1, p0:p1]
                sp_mark[p0:p1] = sp_here
                seed[1, p0:p1] = np.where(sp_here, sp_score[p0:p1], seed[1, p0:p1])
        run = np.maximum(seed[:, p0:p1], prev)
        shift = 1
        while shift < p1 - p0:  # running maximum along the block by doubling (exact; few calls)
            np.maximum(run[:, shift:], run[:, :-shift], out=run[:, shift:])
            shift *= 2
        w[:, p0:p1] = run
        prev = run[:, -1:]
        enter = entry - c_h[p0:p1] if c_h is not None else entry
        a[:, p0:p1] = w[:, p0:p1] + c_loop[:, p0:p1] + enter + before[:, p0:p1]
    state = {"w": w, "v": v, "seed": seed, "sp_mark": sp_mark, "a": a}
    return _trace(hmm, tb, state, lut, bases)


def _helix_lengths(hmm: Any, lut: np.ndarray, bases: np.ndarray, code: np.ndarray, a: np.ndarray,
                   side: np.ndarray, rows: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Length of the best helix ending at boundary ``p`` of each row (largest length on ties, as decoded).

    ``side`` picks the loop the helix was entered from (``a[side]``), 0 inside or 1 outside.
    """
    ds = np.arange(hmm.helix_max, hmm.helix_min - 1, -1)
    starts = p[:, None] - ds[None, :]
    seg = lut[bases[ds][None, :] + code[p, rows][:, None] - code[starts, rows[:, None]]]
    return ds[(a[side[:, None], starts, rows[:, None]] + seg).argmax(axis=1)]


def _trace(hmm: Any, tb: dict, st: dict, lut: np.ndarray, bases: np.ndarray
           ) -> list[tuple[list[tuple[int, int, str]], int, str, float]]:
    """Back-trace every sequence of the batch together, one segment per step."""
    lengths, P, c_loop = tb["lengths"], tb["P"], tb["c_loop"]
    w, v, sp_mark = st["w"], st["v"], st["sp_mark"]
    _, W, B = w.shape
    # where each loop's running maximum was attained: the boundary its loop began at
    # (accumulated along the last, contiguous axis: numpy is several times slower along a middle one)
    at = np.where(st["seed"] >= w, np.arange(W, dtype=np.int32)[None, :, None], np.int32(0))
    origin = np.maximum.accumulate(at.transpose(0, 2, 1).copy(), axis=2)  # (2, B, W)
    rows = np.arange(B)
    end = lengths + P
    finals = np.stack([w[0, end, rows] + c_loop[0, end, 0], w[1, end, rows] + c_loop[1, end, 0],
                       v[1, end, rows], v[0, end, rows]])
    state = finals.argmax(axis=0)  # 0 loop in, 1 loop out, 2 helix out->in end, 3 helix in->out end
    score = finals.max(axis=0)
    pos = end.copy()
    found: list[tuple[np.ndarray, ...]] = []  # (rows, ends, lengths, side entered from) per step
    sp_len = np.zeros(B, dtype=np.int64)
    nterm = np.zeros(B, dtype=np.int64)
    r = rows
    while r.size:
        st_r = state[r]
        is_helix = st_r >= 2
        h = r[is_helix]
        if h.size:
            hp, side = pos[h], 3 - st_r[is_helix]  # an out->in helix (2) was entered from outside (1)
            d = _helix_lengths(hmm, lut, bases, tb["code"], st["a"], side, h, hp)
            found.append((h, hp - P, d, side))
            pos[h] = hp - d
            state[h] = side
        lp = r[~is_helix]
        lst = st_r[~is_helix]
        org = origin[lst, lp, pos[lp]]
        at_start = org <= P
        nterm[lp[at_start]] = lst[at_start]
        is_sp = ~at_start & (lst == 1) & sp_mark[org, lp]
        sp_len[lp[is_sp]] = org[is_sp] - P
        nterm[lp[is_sp]] = 1
        nxt = ~(at_start | is_sp)
        gn = lp[nxt]
        pos[gn] = org[nxt] - 1
        state[gn] = lst[nxt] + 2  # an inside loop (0) began after an out->in helix (2)
        r = np.concatenate([h, gn])
    helices: list[list[tuple[int, int, str]]] = [[] for _ in range(B)]
    if found:
        hr, he, hd, hs = (np.concatenate(x) for x in zip(*found, strict=True))
        order = np.lexsort((he, hr))
        labels = ("in->out", "out->in")
        for b, e_, dd, s_ in zip(hr[order].tolist(), he[order].tolist(), hd[order].tolist(), hs[order].tolist(),
                                 strict=True):
            helices[b].append((e_ - dd + 1, e_, labels[s_]))
    return [(helices[b], int(sp_len[b]), "out" if nterm[b] else "in", float(score[b])) for b in range(B)]

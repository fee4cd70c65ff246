"""Array work of the TM-helix decoder (:mod:`secannot.models.topology_decode`) for many proteins at once.

Decoding protein by protein from full-length rows spends more on per-protein
numpy calls than on arithmetic (about 15,000 of the 54,180 bench proteome
proteins reach decoding).  ``TopologyPredictor.predict`` therefore keeps the
network's scores of the zone residues of a whole call side by side
(:class:`Zoned`, from :func:`zone_pass`) and does here, for all proteins at
once, the steps that are array work: the runs over the helix threshold
(:func:`runs`), running sums of helix and side scores (:func:`prefix_sums`,
:func:`side_loops`) and the positive-inside counts (:func:`positive_inside`).
Merging and cutting runs, the gates and the calls stay per protein, on Python
ints, in the decoder.

Every number is bit-identical to the per-protein decoder's
(tests/test_topology_net.py compares them), so a protein's call never depends
on its batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain
from typing import NamedTuple

import numpy as np

from secannot.models.topology_net import GAP, HALF_FIELD, PAD, codes_of

#: residues per network pass (joined zones): bounds the temporaries
CHUNK = 4096
#: cells of one block of :func:`prefix_sums` (proteins x residues): bounds its temporaries
BLOCK_CELLS = 1 << 18
#: residue letters -> b"+" (K, R), b"-" (D, E), b"." (anything else), for counting charges by bytes.count
CHARGE = bytes(43 if c in b"KRkr" else 45 if c in b"DEde" else 46 for c in range(256))
_CHARGE_CODES = np.frombuffer(CHARGE, dtype=np.uint8)
Zones = list[tuple[int, int]]


def ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(start, start + size)`` for every pair: positions of several runs, in order."""
    total = int(sizes.sum())
    return np.repeat(starts - np.concatenate([[0], np.cumsum(sizes)[:-1]]), sizes) + np.arange(total)


def loop_bounds(segs: Sequence[Sequence[tuple[int, int]]], ends: np.ndarray) -> np.ndarray:
    """Each protein's ``[0, a1, b1, ..., ah, bh, end]`` for its helices ``segs`` and its ``ends``, joined (int64):
    loop j of a protein is residues ``bounds[2j]:bounds[2j + 1]``, in every protein, so the loops of all
    proteins are the pairs of the joined array."""
    size = 2 * np.fromiter(map(len, segs), dtype=np.int64, count=len(segs)) + 2
    last = np.cumsum(size) - 1
    out = np.zeros(int(size.sum()), dtype=np.int64)
    inner = np.ones(len(out), dtype=bool)
    inner[last - size + 1] = inner[last] = False
    out[inner] = np.fromiter(chain.from_iterable(chain.from_iterable(segs)), dtype=np.int64,
                             count=len(out) - 2 * len(size))
    out[last] = ends
    return out


class Zoned(NamedTuple):
    """Decoder scores (``TopologyPredictor.residue_scores``) of every zone of a batch of sequences, joined (what
    ``zone_scores`` spreads over full-length rows): zone ``k`` is residues ``start[k]:end[k]`` of sequence
    ``seq[k]`` and columns ``col[k]:col[k] + end[k] - start[k]`` of ``scores``.  Zones are in sequence order,
    and in residue order within a sequence."""

    scores: np.ndarray  # (3 or 4, total zone residues) float32
    seq: np.ndarray  # int64, one per zone, as the rest
    start: np.ndarray
    end: np.ndarray
    col: np.ndarray

    def of(self, seqs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """First zone and zone count of each of ``seqs`` (sorted or not)."""
        first = np.searchsorted(self.seq, seqs, side="left")
        return first, np.searchsorted(self.seq, seqs, side="right") - first


def crops(seqs: Sequence[bytes], zones: Sequence[Sequence[tuple[int, int]]], half_field: int = HALF_FIELD,
          gap: int = GAP) -> tuple[list[tuple[int, int, int]], list[Zones]]:
    """Network inputs: (sequence, start, end) crops of each zone with ``half_field`` residues of context (the
    network's), zones whose contexts would overlap sharing one crop (computed once); and each crop's zones."""
    out: list[tuple[int, int, int]] = []
    members: list[Zones] = []
    for i, zs in enumerate(zones):
        n = len(seqs[i])
        j = 0
        while j < len(zs):
            m = j
            while m + 1 < len(zs) and zs[m + 1][0] - zs[m][1] <= 2 * half_field + gap:
                m += 1
            out.append((i, max(zs[j][0] - half_field, 0), min(zs[m][1] + half_field, n)))
            members.append(list(zs[j : m + 1]))
            j = m + 1
    return out, members


def zone_pass(seqs: Sequence[bytes], zones: Sequence[Sequence[tuple[int, int]]],
              logits: Callable[[np.ndarray, dict[str, np.ndarray]], np.ndarray],
              scores: Callable[[np.ndarray], np.ndarray], rows: int, half_field: int = HALF_FIELD,
              gap: int = GAP) -> Zoned:
    """The network (``logits``: codes and a work dict -> class logits; ``half_field`` and ``gap``: its
    :attr:`~secannot.models.topology_net.TopologyNet.half_field` and ``gap``) on the :func:`crops` of
    ``zones``, CHUNK residues per pass, and ``scores`` (``rows`` rows) of the zone residues, all joined.

    The codes of all crops, each followed by ``gap`` padding codes (so chains
    never see each other), and the columns of the zone residues are laid
    out once for the whole call: a pass reads a slice of them, the same
    arrays a pass over its own crops would build.
    """
    parts, members = crops(seqs, zones, half_field, gap)
    if not parts:
        return Zoned(np.zeros((rows, 0), np.float32), *(np.zeros(0, dtype=np.int64) for _ in range(4)))
    lengths = np.array([b - a for _, a, b in parts], dtype=np.int64)
    offs = np.cumsum(lengths + gap) - (lengths + gap)
    codes = np.full(int(lengths.sum()) + gap * len(parts), PAD, dtype=np.intp)
    codes[ranges(offs, lengths)] = codes_of(b"".join(seqs[i][a:b] for i, a, b in parts))
    table = [(i, za, zb, off + za - ca, c) for c, ((i, ca, _), off, zs) in
             enumerate(zip(parts, offs.tolist(), members, strict=True)) for za, zb in zs]
    seq, start, end, at, crop = np.array(table, dtype=np.int64).T.copy()
    sizes = end - start
    col = np.concatenate([[0], np.cumsum(sizes)])  # zone k: columns col[k]:col[k + 1] of the scores
    columns = ranges(at, sizes)  # ... whose residues sit at these positions of ``codes``
    # a pass takes crops while it has under CHUNK residues (with their padding)
    cuts, size = [], 0
    for k, n in enumerate((lengths + gap).tolist()):
        if k and size >= CHUNK:
            cuts.append(k)
            size = 0
        size += n
    zone_cuts = np.searchsorted(crop, [0, *cuts, len(parts)]).tolist()
    code_cuts = [0, *offs[cuts].tolist(), len(codes)]
    out: list[np.ndarray] = []
    work: dict[str, np.ndarray] = {}  # the network's arrays, reused by every pass of this call
    for j in range(len(code_cuts) - 1):
        lo, hi = code_cuts[j], code_cuts[j + 1]
        out.append(scores(logits(codes[lo:hi], work)[:, columns[col[zone_cuts[j]] : col[zone_cuts[j + 1]]] - lo]))
    return Zoned(np.concatenate(out, axis=1), seq, start, end, col[:-1])


def hits(z: Zoned, threshold: float) -> list[int]:
    """The sequences of ``z`` with a zone residue whose probability (row 0) is over ``threshold``, in order."""
    over = np.concatenate([[0], np.cumsum(z.scores[0] > threshold)])
    return np.unique(z.seq[over[z.col + z.end - z.start] > over[z.col]]).tolist()


def runs(z: Zoned, threshold: float) -> tuple[list[int], list[int], list[int]]:
    """(sequence, start, end) of every run of zone residues whose probability (row 0) is over ``threshold``, in
    sequence and residue order, found for all zones by one pass.  A run stops at its zone's end, so the caller
    joins the runs of two touching zones."""
    above = z.scores[0] > threshold
    n = len(above)
    head = np.zeros(n + 1, dtype=bool)  # columns that start a zone; tail: columns one past a zone's end
    head[z.col] = True
    tail = np.zeros(n + 1, dtype=bool)
    tail[z.col + z.end - z.start] = True
    starts = np.flatnonzero(above & (head[:n] | ~np.concatenate([[False], above[:-1]])))
    ends = np.flatnonzero(above & (tail[1:] | ~np.concatenate([above[1:], [False]]))) + 1
    zone = np.searchsorted(z.col, starts, side="right") - 1
    first = z.start[zone] + starts - z.col[zone]
    return z.seq[zone].tolist(), first.tolist(), (first + ends - starts).tolist()


def prefix_sums(z: Zoned, row: int, fill: float, seqs: list[int], widths: np.ndarray, at: np.ndarray,
                n_at: np.ndarray, keep: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Running float64 sums of row ``row`` of the scores of sequences ``seqs`` of ``z``, read at positions
    ``at`` (``n_at`` per sequence, joined; at x the sum of its first x residues, 0.0 at 0).

    A sequence's row is ``fill`` outside its zones (as in ``zone_scores``), with ``keep`` ((n, 2) half-open
    intervals and their count per sequence) 0.0 outside those, and is summed up to its ``widths`` (no position
    past it).  The sums run along the rows of 2-D blocks of sequences of similar width: a cumsum along one row
    adds in residue order, as the decoder's cumsum of that sequence alone, so the numbers are bit-identical to
    it (and independent of the batch); one cumsum over joined sequences minus each one's offset would not be,
    as float64 rounding depends on the running total.
    """
    at0 = np.cumsum(n_at) - n_at
    if keep is not None:
        spans, n_keep = keep
        keep0 = np.cumsum(n_keep) - n_keep
    first, count = z.of(np.array(seqs, dtype=np.int64))
    out = np.zeros(len(at))
    order, width_of = np.argsort(widths, kind="stable").tolist(), widths.tolist()
    g = 0
    while g < len(order):
        h = g + 1
        while h < len(order) and (h + 1 - g) * width_of[order[h]] <= BLOCK_CELLS:
            h += 1
        rows, size, width = np.array(order[g:h]), h - g, width_of[order[h - 1]]
        block = np.full((size, width), fill, dtype=np.float32)
        zi = ranges(first[rows], count[rows])
        za = z.start[zi]
        n = np.maximum(np.minimum(z.end[zi], width) - za, 0)
        block.reshape(-1)[ranges(np.repeat(np.arange(size), count[rows]) * width + za, n)] = \
            z.scores[row, ranges(z.col[zi], n)]
        if keep is not None:
            ki = ranges(keep0[rows], n_keep[rows])
            base = np.repeat(np.arange(size), n_keep[rows]) * (width + 1)
            cells = size * (width + 1)
            inside = (np.bincount(base + np.minimum(spans[ki, 0], width), minlength=cells)
                      - np.bincount(base + np.minimum(spans[ki, 1], width), minlength=cells))
            block[np.cumsum(inside.reshape(size, width + 1), axis=1)[:, :width] <= 0] = 0.0
        sums = np.cumsum(block, axis=1, dtype=np.float64)
        qi = ranges(at0[rows], n_at[rows])
        qr, x = np.repeat(np.arange(size), n_at[rows]), at[qi]
        read = x > 0
        out[qi[read]] = sums[qr[read], x[read] - 1]
        g = h
    return out


def helix_sums(z: Zoned, seqs: list[int], helices: list[list[tuple[int, int]]], fill: float) -> list[float]:
    """Summed clipped helix log-odds (row 1, ``fill`` outside the zones) of every helix of the sequences ``seqs``
    of ``z``, helices of one sequence after another, as the decoder's per-protein cumsum differences."""
    count = 2 * np.fromiter(map(len, helices), dtype=np.int64, count=len(helices))
    at = np.fromiter(chain.from_iterable(chain.from_iterable(helices)), dtype=np.int64, count=int(count.sum()))
    sums = prefix_sums(z, 1, fill, seqs, at[np.cumsum(count) - 1], at, count)
    return (sums[1::2] - sums[0::2]).tolist()


def side_loops(z: Zoned, seqs: list[int], lengths: np.ndarray, helices: list[list[tuple[int, int]]],
               flank: int) -> np.ndarray:
    """Summed side log-odds (row 2) of every loop of the sequences ``seqs`` of ``z`` (chain ``lengths``) with
    their ``helices``, loops of one sequence after another, as the decoder's per-protein cumsum differences.
    With ``flank``, only residues within that many of a helix count: past the last helix's reach only zeros
    are added, so each row is summed only that far."""
    count = np.fromiter(map(len, helices), dtype=np.int64, count=len(helices))
    at = loop_bounds(helices, lengths)
    last = np.cumsum(2 * count + 2) - 1
    keep = None
    if flank:
        at[last] = np.minimum(lengths, at[last - 1] + flank)
        ends = np.fromiter(chain.from_iterable(chain.from_iterable(helices)), dtype=np.int64,
                           count=2 * int(count.sum()))
        spans = [np.maximum(ends[0::2] - flank, 0), np.minimum(ends[1::2] + flank, np.repeat(lengths, count))]
        keep = (np.stack(spans, axis=1), count)
    sums = prefix_sums(z, 2, 0.0, seqs, at[last], at, 2 * count + 2, keep)
    return sums[1::2] - sums[0::2]


def positive_inside(seqs: list[bytes], segs: list[list[tuple[int, int]]], kr_flank: int, kr_into: int,
                    acidic: float) -> list[float]:
    """``TopologyPredictor.positive_inside`` of each sequence with its helices: the same parts of each loop, with
    K/R and D/E counts (integers, so exact) of the parts' residues of all proteins at once, combined by the same
    float operations in the same order."""
    residues = np.frombuffer(b"".join(seqs), dtype=np.uint8)
    lengths = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
    # loop j of a protein: residues lo..hi-1 between its helices j-1 and j; its part A reaches into helix
    # j-1 (none for j = 0), its part B into helix j (none for the last loop)
    bounds = loop_bounds(segs, lengths)
    lo, hi = bounds[0::2], bounds[1::2]
    n_loops = np.fromiter(map(len, segs), dtype=np.int64, count=len(segs)) + 1
    base = np.repeat(np.cumsum(lengths) - lengths, n_loops)
    first_loop = np.zeros(len(lo), dtype=bool)
    first_loop[np.cumsum(n_loops) - n_loops] = True
    last_loop = np.roll(first_loop, -1)
    helix = np.minimum(kr_into, (lo[1:] - hi[:-1])[~last_loop[:-1]] // 2)  # (end - start) // 2
    into_a, into_b = np.zeros(len(lo), dtype=np.int64), np.zeros(len(lo), dtype=np.int64)
    into_a[~first_loop], into_b[~last_loop] = helix, helix
    ax, ay = lo - into_a, np.minimum(lo + kr_flank, hi)
    use_a = ~first_loop & (ay > ax)
    bx, by = np.maximum(np.maximum(hi - kr_flank, lo), np.where(use_a, ay, 0)), hi + into_b
    use_b = ~last_loop & (by > bx)

    def count(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """K+R minus ``acidic`` times D+E of residues x..y-1 of each loop (0 where y <= x): only the
        residues of the parts are read, a few dozen per helix."""
        size = np.maximum(y - x, 0)
        charges = _CHARGE_CODES[residues[ranges(base + x, size)]]
        at = np.cumsum(size) - size
        kr = np.add.reduceat(np.r_[charges == 43, False], at, dtype=np.int64)
        de = np.add.reduceat(np.r_[charges == 45, False], at, dtype=np.int64)
        return np.where(size > 0, kr - acidic * de, 0.0)

    loop = np.where(use_a, 0.0 + count(ax, ay), 0.0)
    loop = np.where(use_b, loop + count(bx, by), loop).tolist()
    out = []
    k = 0
    for n in n_loops.tolist():
        total = 0.0
        for j in range(n):
            total += loop[k + j] if j % 2 == 0 else -loop[k + j]
        out.append(total)
        k += n
    return out

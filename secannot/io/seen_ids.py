"""Duplicate-id detection with a few dozen bytes per record, whatever the input size.

A Python ``dict`` of ids and "where first seen" strings costs about 188 bytes
per record, 19 GB for 10^8 proteins.  Here recent ids sit in a small dict;
every ``FLUSH`` ids they move to compact storage: the 64-bit hashes sorted in
a numpy array (with each one's ordinal), the ids themselves in one string
per flush, and where each was seen as a source index and a line number (about
40 bytes per record plus the id's characters).  A hash match is confirmed
by comparing the stored id exactly, so a hash collision can never reject a
record.  Hashes use Python's ``hash(str)``: consistent within the one
process that does the checking, which is all that is needed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

FLUSH = 1 << 16


class SeenIds:
    """Ids seen so far, and where; ``check`` answers in input order."""

    def __init__(self, hasher: Callable[[str], int] = hash, flush: int | None = None):
        self._hash = hasher
        self._flush = FLUSH if flush is None else flush  # read per instance: tests lower it to reach compaction
        self._recent: dict[str, tuple[int, int]] = {}  # id -> (source index, line)
        self._sources: list[str] = []
        self._source_index: dict[str, int] = {}
        # compact storage: sorted hashes and the ordinal of each, per run
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []
        self._blobs: list[str] = []  # ids of one flush joined, with their offsets
        self._offsets: list[np.ndarray] = []
        self._blob_start: list[int] = []  # ordinal of each blob's first id
        self._wheres: list[np.ndarray] = []  # (source index, line) per id of each flush
        self._count = 0

    def __len__(self) -> int:
        return self._count + len(self._recent)

    def _source(self, name: str) -> int:
        index = self._source_index.get(name)
        if index is None:
            index = self._source_index[name] = len(self._sources)
            self._sources.append(name)
        return index

    def _describe(self, where: tuple[int, int]) -> str:
        # a negative line means "no line" (an id given on the command line)
        return f"{self._sources[where[0]]}:{where[1]}" if where[1] >= 0 else self._sources[where[0]]

    def add(self, rid: str, source: str, line: int) -> str | None:
        """Record ``rid``; returns where it was first seen if it is a duplicate (then it is not added).

        ``check`` for one id, without its per-call arrays: readers that stream records one at a
        time (``secannot.read_fasta``, the CLI's serial path) call this once per record.
        """
        if self._runs:
            hashed = self._hash(rid)
            for keys, ordinals in self._runs:
                found = self._confirm(keys, ordinals, int(keys.searchsorted(hashed)), hashed, rid)
                if found is not None:
                    return found
        first = self._recent.get(rid)
        if first is not None:
            return self._describe(first)
        self._recent[rid] = (self._source(source), line)
        if len(self._recent) >= self._flush:
            self._compact()
        return None

    def check(self, ids: Sequence[str], source: str, lines: Sequence[int]) -> list[str | None]:
        """For each id in order: None if new (and then added), else where it was first seen."""
        found = self._lookup_compact(ids)
        src = self._source(source)
        out: list[str | None] = []
        recent = self._recent
        for rid, line, old in zip(ids, lines, found, strict=True):
            if old is not None:
                out.append(old)
                continue
            first = recent.get(rid)
            if first is not None:
                out.append(self._describe(first))
                continue
            out.append(None)
            recent[rid] = (src, line)
        if len(recent) >= self._flush:
            self._compact()
        return out

    def _lookup_compact(self, ids: Sequence[str]) -> list[str | None]:
        found: list[str | None] = [None] * len(ids)
        if not self._runs or not ids:
            return found
        hashes = np.fromiter(map(self._hash, ids), dtype=np.int64, count=len(ids))
        for keys, ordinals in self._runs:
            pos = np.searchsorted(keys, hashes)
            pos[pos == len(keys)] = 0
            for i in np.flatnonzero(keys[pos] == hashes).tolist():
                if found[i] is None:
                    found[i] = self._confirm(keys, ordinals, int(pos[i]), int(hashes[i]), ids[i])
        return found

    def _confirm(self, keys: np.ndarray, ordinals: np.ndarray, j: int, hashed: int, rid: str) -> str | None:
        """Where ``rid`` was first seen, if a stored id from sorted position ``j`` on (same hash) equals it."""
        while j < len(keys) and keys[j] == hashed:  # every stored id with this hash, confirmed exactly
            ordinal = int(ordinals[j])
            if self._stored_id(ordinal) == rid:
                return self._describe(self._stored_where(ordinal))
            j += 1
        return None

    def _flush_of(self, ordinal: int) -> tuple[int, int]:
        k = int(np.searchsorted(np.asarray(self._blob_start), ordinal, side="right")) - 1
        return k, ordinal - self._blob_start[k]

    def _stored_id(self, ordinal: int) -> str:
        k, i = self._flush_of(ordinal)
        offsets = self._offsets[k]
        return self._blobs[k][int(offsets[i]) : int(offsets[i + 1])]

    def _stored_where(self, ordinal: int) -> tuple[int, int]:
        k, i = self._flush_of(ordinal)
        src, line = self._wheres[k][i].tolist()
        return src, line

    def _compact(self) -> None:
        ids = list(self._recent)
        where = np.array(list(self._recent.values()), dtype=np.int64).reshape(-1, 2)
        self._recent = {}
        start = self._count
        lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        self._blobs.append("".join(ids))
        self._offsets.append(np.concatenate([[0], np.cumsum(lengths)]))
        self._blob_start.append(start)
        self._wheres.append(where)
        hashes = np.fromiter(map(self._hash, ids), dtype=np.int64, count=len(ids))
        ordinals = np.arange(start, start + len(ids), dtype=np.int64)
        self._count += len(ids)
        self._runs.append(self._sorted(hashes, ordinals))
        # Merge runs like a binary counter: O(log n) runs, O(n log n) work in all.
        while len(self._runs) >= 2 and len(self._runs[-1][0]) >= len(self._runs[-2][0]):
            (k2, o2), (k1, o1) = self._runs.pop(), self._runs.pop()
            self._runs.append(self._sorted(np.concatenate([k1, k2]), np.concatenate([o1, o2])))

    @staticmethod
    def _sorted(keys: np.ndarray, ordinals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(keys, kind="stable")
        return keys[order], ordinals[order]

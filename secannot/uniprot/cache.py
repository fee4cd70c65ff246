"""On-disk store of UniProt answers, one small JSON file per accession.

A per-accession layout (rather than an HTTP response cache) is what lets
``--offline`` answer id by id and name exactly the ids it lacks.  Layout under
``<cache_dir>/uniprot/``::

    entries/P0/P05067.json      entry JSON as served (active or Inactive), isoforms as P05067-4.json
    merged/P0/P09000.json       {"to": "P05067"} for accessions merged into another
    genes/9606/APP.json         {"symbol": "APP", "candidates": [...]} from ID mapping
    release.json                the last UniProt release seen

Every file is wrapped as ``{"release": ..., "stored_at": ..., "data": ...}`` so
each answer keeps the release it came from.  Writes go to a temporary file in
the same directory and are renamed into place, so a crash or a concurrent run
never leaves a half-written file; unreadable files are treated as absent.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote


@dataclass(frozen=True, slots=True)
class CachedItem:
    data: Any
    release: str | None
    stored_at: float


def default_cache_dir() -> Path:
    """``$SECANNOT_CACHE_DIR``, else ``$XDG_CACHE_HOME/secannot``, else ``~/.cache/secannot``."""
    explicit = os.environ.get("SECANNOT_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "secannot"


class UniProtCache:
    """Read and write cached UniProt answers; never touches the network."""

    def __init__(self, cache_dir: Path):
        self.root = Path(cache_dir) / "uniprot"

    # -- entries -------------------------------------------------------
    def get_entry(self, key: str) -> CachedItem | None:
        return self._read(self._sharded("entries", key))

    def put_entry(self, key: str, data: Any, release: str | None) -> None:
        self._write(self._sharded("entries", key), data, release)

    # -- merged accessions --------------------------------------------
    def get_merge(self, old: str) -> str | None:
        item = self._read(self._sharded("merged", old))
        if item is None or not isinstance(item.data, dict):
            return None
        target = item.data.get("to")
        return target if isinstance(target, str) else None

    def put_merge(self, old: str, new: str, release: str | None) -> None:
        self._write(self._sharded("merged", old), {"to": new}, release)

    # -- gene symbols --------------------------------------------------
    def get_genes(self, taxon: int, symbol: str) -> CachedItem | None:
        """The candidates stored for exactly this symbol (``data`` is their list)."""
        item = self._read(self._gene_path(taxon, symbol))
        if item is None or not isinstance(item.data, dict) or item.data.get("symbol") != symbol:
            return None  # absent, or another spelling sharing the file on a case-insensitive disk
        candidates = item.data.get("candidates")
        return CachedItem(candidates, item.release, item.stored_at) if isinstance(candidates, list) else None

    def put_genes(self, taxon: int, symbol: str, candidates: list[dict[str, Any]], release: str | None) -> None:
        self._write(self._gene_path(taxon, symbol), {"symbol": symbol, "candidates": candidates}, release)

    # -- release -------------------------------------------------------
    @property
    def release(self) -> str | None:
        item = self._read(self.root / "release.json")
        return item.release if item is not None else None

    def record_release(self, release: str) -> None:
        if release != self.release:
            self._write(self.root / "release.json", {}, release)

    # -- files ---------------------------------------------------------
    def _sharded(self, kind: str, key: str) -> Path:
        # Two-character shards keep directories small for proteome-sized caches.
        safe = quote(key, safe="-.")
        return self.root / kind / safe[:2] / f"{safe}.json"

    def _gene_path(self, taxon: int, symbol: str) -> Path:
        return self.root / "genes" / str(taxon) / f"{quote(symbol, safe='-.')}.json"

    @staticmethod
    def _read(path: Path) -> CachedItem | None:
        try:
            with open(path, encoding="utf-8") as handle:
                wrapped = json.load(handle)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            # Missing, unreadable or truncated by a crash elsewhere: a miss.
            return None
        if not isinstance(wrapped, dict) or "data" not in wrapped:
            return None
        release = wrapped.get("release")
        stored_at = wrapped.get("stored_at")
        return CachedItem(
            data=wrapped["data"],
            release=release if isinstance(release, str) else None,
            stored_at=float(stored_at) if isinstance(stored_at, (int, float)) else 0.0,
        )

    @staticmethod
    def _write(path: Path, data: Any, release: str | None) -> None:
        """Atomically replace ``path``; raises ``OSError`` if the cache is not writable."""
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"release": release, "stored_at": time.time(), "data": data}
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, separators=(",", ":"))
            os.replace(tmp_name, path)
        except BaseException:
            # Also on KeyboardInterrupt: never leave temporary files behind.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise

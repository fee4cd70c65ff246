"""Fetch UniProtKB entries and map gene symbols, politely and without surprises.

Every id the user gives gets exactly one :class:`Resolution`, in input order,
whatever happens on the network: a run over 5,000 ids where UniProt fails for
one batch still returns the other 4,000 entries, and names the ids it could
not get.  Nothing here prints or exits; the CLI turns statuses into messages
and an exit code (:attr:`Status.exit_code`).

``requests`` is imported inside methods so that importing this module (and
``secannot``) stays cheap for commands that never touch the network.

The client is assembled from one class per concern: HTTP and retries
(:mod:`.http`), batching (:mod:`.batches`), entry resolution
(:mod:`.resolve`) and ID mapping (:mod:`.idmapping`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from secannot.errors import ExitCode
from secannot.uniprot.batches import BatchFetching
from secannot.uniprot.cache import CachedItem, UniProtCache
from secannot.uniprot.config import (  # noqa: F401 - the client's public names, importable from here
    DEFAULT_BASE_URL,
    ProgressCallback,
    Resolution,
    Status,
    UniProtConfig,
)
from secannot.uniprot.http import Transport
from secannot.uniprot.idmapping import GeneMapping
from secannot.uniprot.resolve import EntryResolution


class UniProtClient(GeneMapping, EntryResolution, BatchFetching):
    """Resolve UniProt accessions and gene symbols to entries.

    ``sleep`` exists so tests can observe backoff without waiting for it;
    ``log`` receives a line per retry (the CLI shows them with ``-v``).
    """

    def __init__(
        self,
        config: UniProtConfig,
        progress: ProgressCallback | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] | None = None,
    ):
        self.config = config
        self._log = log
        self._progress = progress
        self._sleep = sleep
        self._cache = UniProtCache(config.cache_dir)
        self._transport: Transport | None = None
        self._cache_writable = True
        self._recorded_release: str | None = None
        self._cached_release: str | None = None
        #: Every resolution that failed for network or cache reasons, across calls.
        self.failures: list[Resolution] = []
        #: Problems worth telling the user that are not about one id (e.g. an unwritable cache).
        self.warnings: list[str] = []

    # -- public API ----------------------------------------------------
    @property
    def release(self) -> str | None:
        """The UniProt release the answers came from, for output provenance."""
        if self._transport is not None and self._transport.release:
            return self._transport.release
        return self._cached_release or self._cache.release

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def __enter__(self) -> UniProtClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ------------------------------------------------------
    def _get_transport(self) -> Transport:
        if self._transport is None:
            self._transport = Transport(self.config, self._sleep, self._log)
        return self._transport

    def _usable(self, item: CachedItem) -> bool:
        max_age = self.config.cache_max_age_days
        if self.config.offline or max_age is None:
            return True
        return time.time() - item.stored_at <= max_age * 86400

    def _not_cached_detail(self) -> str:
        return f"not in the offline cache ({self._cache.root})"

    def _store_entry(self, key: str, data: Mapping[str, Any]) -> None:
        self._write(lambda release: self._cache.put_entry(key, data, release))

    def _store_merge(self, old: str, new: str) -> None:
        self._write(lambda release: self._cache.put_merge(old, new, release))

    def _store_genes(self, taxon: int, symbol: str, candidates: list[dict[str, Any]]) -> None:
        self._write(lambda release: self._cache.put_genes(taxon, symbol, candidates, release))

    def _write(self, put: Callable[[str | None], None]) -> None:
        # An unwritable cache must not fail a run that has its answers; it is
        # reported once, because --offline will not find these entries later.
        if not self._cache_writable:
            return
        release = self._transport.release if self._transport is not None else None
        try:
            put(release)
            if release and release != self._recorded_release:
                self._cache.record_release(release)
                self._recorded_release = release
        except OSError as err:
            self._cache_writable = False
            self.warnings.append(f"cannot write the UniProt cache in {self._cache.root}: {err.strerror or err}")

    def _report(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress(done, total)

    def _remember_failures(self, resolutions: list[Resolution]) -> None:
        self.failures.extend(r for r in resolutions if r.status.exit_code is ExitCode.NETWORK)

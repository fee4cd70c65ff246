"""Fetching entries in batches through the accessions endpoint, with pagination and bisection on a 400."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from secannot.uniprot.config import Outcome, Status
from secannot.uniprot.http import Unavailable, json_body, next_link

#: The accessions endpoint answers 400 above this many ids.
BATCH_LIMIT = 1000


class BatchFetching:
    """Resolving many accession keys: cache first, then batches of at most BATCH_LIMIT, then one by one."""

    # -- accessions ----------------------------------------------------
    def _resolve_keys(self, keys: list[str], report: bool) -> dict[str, Outcome]:
        total = len(keys)
        outcomes: dict[str, Outcome] = {}
        pending = []
        for key in keys:
            cached = self._from_cache(key)
            if cached is not None:
                outcomes[key] = cached
            else:
                pending.append(key)

        def progress() -> None:
            if report:
                self._report(len(outcomes), total)

        progress()
        if self.config.offline:
            for key in pending:
                outcomes[key] = Outcome(Status.NOT_CACHED, self._not_cached_detail())
            progress()
            return outcomes
        missing: list[str] = []
        for batch in chunks(pending, BATCH_LIMIT):
            found, problem = self._fetch_batch(batch)
            for key in batch:
                data = found.get(key)
                if data is not None:
                    self._store_entry(key, data)
                    outcomes[key] = self._follow(key, self._classify(key, data), 0)
                elif problem is not None:
                    outcomes[key] = Outcome(Status.UNAVAILABLE, problem)
                else:
                    missing.append(key)
            progress()
        # Not in the batch answer: merged, inactive, unknown, or an isoform
        # form the batch endpoint does not echo back.  One request each, with
        # redirects observed rather than followed, tells these apart.
        for key in missing:
            outcomes[key] = self._resolve_one(key, 0)
            progress()
        return outcomes

    def _fetch_batch(self, batch: list[str]) -> tuple[dict[str, Mapping[str, Any]], str | None]:
        """Entries by primary accession for one batch, following pagination.

        Returns what arrived plus the reason the rest did not, if a page failed.
        A 400 means UniProt rejects some id our syntax check let through;
        halving the batch finds it without one request per id.
        """
        transport = self._get_transport()
        wanted = set(batch)
        found: dict[str, Mapping[str, Any]] = {}
        # Commas stay literal: %2C would make a 1,000-id URL a third longer.
        url: str | None = f"{self.config.api_root}/uniprotkb/accessions?accessions={','.join(batch)}&format=json"
        while url is not None:
            try:
                response = transport.request("GET", url)
            except Unavailable as err:
                return found, str(err)
            if response.status_code == 400 and not found:
                if len(batch) == 1:
                    return {}, None
                middle = len(batch) // 2
                left, left_problem = self._fetch_batch(batch[:middle])
                right, right_problem = self._fetch_batch(batch[middle:])
                return {**left, **right}, left_problem or right_problem
            if response.status_code != 200:
                return found, f"unexpected HTTP {response.status_code} from the accessions endpoint"
            try:
                page = json_body(response)
            except Unavailable as err:
                return found, str(err)
            for item in page.get("results", []):
                accession = item.get("primaryAccession") if isinstance(item, Mapping) else None
                if accession in wanted:
                    found[accession] = item
            url = next_link(response)
        return found, None


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]

"""Fetch UniProtKB entries and map gene symbols, politely and without surprises.

Every id the user gives gets exactly one :class:`Resolution`, in input order,
whatever happens on the network: a run over 5,000 ids where UniProt fails for
one batch still returns the other 4,000 entries, and names the ids it could
not get.  Nothing here prints or exits; the CLI turns statuses into messages
and an exit code (:attr:`Status.exit_code`).

``requests`` is imported inside methods so that importing this module (and
``secannot``) stays cheap for commands that never touch the network.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlparse

from secannot import TOOL_NAME, __version__
from secannot.errors import ExitCode, UsageError
from secannot.uniprot.accessions import (
    ACCESSION_PATTERN,
    Accession,
    AccessionSyntaxError,
    parse_accession,
)
from secannot.uniprot.cache import CachedItem, UniProtCache, default_cache_dir
from secannot.uniprot.entry import EntryFormatError, UniProtEntry, is_inactive, parse_entry

if TYPE_CHECKING:
    import requests

ProgressCallback = Callable[[int, int], None]

DEFAULT_BASE_URL = "https://rest.uniprot.org"
PROJECT_URL = "https://github.com/secannot/secannot"
#: The accessions endpoint answers 400 above this many ids.
BATCH_LIMIT = 1000
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: A merged accession may point at one that was merged again; stop after this many hops.
MAX_MERGE_HOPS = 3
#: Ids per ID-mapping job; far below the service limit, so one job never runs for long.
MAPPING_CHUNK = 5000
#: Give up on an ID-mapping job that is still running after this long (seconds).
MAX_POLL_SECONDS = 600.0
#: ID-mapping result pages; 500 is the service maximum.
RESULTS_PAGE_SIZE = 500
#: Only what choosing among candidates needs; the chosen entries are then
#: fetched in full through the accessions endpoint (and its cache).
MAPPING_FIELDS = "accession,id,gene_primary,reviewed,organism_id"
_LOCATION_ACCESSION = re.compile(rf"/uniprotkb/(?P<acc>(?:{ACCESSION_PATTERN})(?:-[0-9]+)?)(?:\.[a-z]+)?$")


class Status(StrEnum):
    OK = "ok"
    MERGED = "merged"
    MALFORMED = "malformed"
    NOT_FOUND = "not_found"
    DELETED = "deleted"
    DEMERGED = "demerged"
    AMBIGUOUS = "ambiguous"
    NO_MATCH = "no_match"
    UNAVAILABLE = "unavailable"
    NOT_CACHED = "not_cached"

    @property
    def has_entry(self) -> bool:
        return self in (Status.OK, Status.MERGED)

    @property
    def exit_code(self) -> ExitCode:
        """The exit code this outcome calls for (the CLI keeps the highest)."""
        if self.has_entry:
            return ExitCode.OK
        if self in (Status.UNAVAILABLE, Status.NOT_CACHED):
            return ExitCode.NETWORK
        return ExitCode.REJECTED


@dataclass(frozen=True)
class UniProtConfig:
    """Everything the client needs, passed explicitly (no module globals)."""

    base_url: str = DEFAULT_BASE_URL
    cache_dir: Path = field(default_factory=default_cache_dir)
    offline: bool = False
    email: str | None = None
    timeout: tuple[float, float] = (5.0, 60.0)  # connect, read
    max_retries: int = 5
    backoff: float = 1.0  # first retry waits this long, then doubles
    max_wait: float = 60.0  # cap on any single wait, Retry-After included
    taxon: int = 9606
    #: Cached answers older than this are fetched again when online (UniProt
    #: releases every eight weeks); ``None`` keeps them forever.  Offline
    #: runs use the cache whatever its age.
    cache_max_age_days: float | None = 56.0

    def __post_init__(self) -> None:
        parsed = urlparse(self.base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise UsageError(f"invalid UniProt URL {self.base_url!r}: expected e.g. {DEFAULT_BASE_URL}")
        if self.max_retries < 0 or self.backoff < 0 or self.max_wait < 0:
            raise UsageError("UniProt retry settings must not be negative")

    @property
    def api_root(self) -> str:
        return self.base_url.rstrip("/")

    @property
    def user_agent(self) -> str:
        agent = f"{TOOL_NAME}/{__version__} (+{PROJECT_URL})"
        return f"{agent} mailto:{self.email}" if self.email else agent


@dataclass(frozen=True, slots=True)
class Resolution:
    """What became of one id or symbol the user gave."""

    query: str
    status: Status
    entry: UniProtEntry | None = None
    message: str = ""
    candidates: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "status": str(self.status),
            "accession": self.entry.accession if self.entry else None,
            "message": self.message,
            "candidates": list(self.candidates),
        }


@dataclass(frozen=True, slots=True)
class _Choice:
    """The accession picked for a gene symbol, and anything notable about the pick."""

    accession: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class _Outcome:
    """The answer for one accession key, before it is worded for a query."""

    status: Status
    detail: str
    entry: UniProtEntry | None = None
    candidates: tuple[str, ...] = ()
    merged_into: str | None = None  # set for an Inactive MERGED answer still to be followed


class _Unavailable(Exception):
    """A request produced no usable answer; ``str()`` says why."""


class _Transport:
    """One HTTP session with timeouts, retries and backoff.

    After a request has exhausted its retries the transport stops sending
    (every later call fails at once): when UniProt is down, retrying each of
    the remaining batches would only keep a user waiting for the same answer.
    """

    def __init__(self, config: UniProtConfig, sleep: Callable[[float], None]):
        import requests

        self._config = config
        self._sleep = sleep
        self._session = requests.Session()
        self._session.headers.update({"User-Agent": config.user_agent, "Accept": "application/json"})
        self.release: str | None = None
        self.gave_up: str | None = None

    def close(self) -> None:
        self._session.close()

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send with retries and return the first non-retryable response,
        whatever its status; redirects are returned, not followed."""
        import requests

        if self.gave_up is not None:
            raise _Unavailable(f"not attempted: {self.gave_up}")
        attempts = self._config.max_retries + 1
        problem = ""
        for attempt in range(attempts):
            retry_after: float | None = None
            try:
                response = self._session.request(
                    method, url, timeout=self._config.timeout, allow_redirects=False, **kwargs
                )
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as err:
                problem = _describe_exception(err)
            else:
                self._note_release(response)
                if response.status_code not in RETRY_STATUSES:
                    return response
                problem = f"HTTP {response.status_code}"
                retry_after = _parse_retry_after(response.headers.get("Retry-After"))
                response.close()
            if attempt + 1 < attempts:
                self._sleep(self._wait(attempt, retry_after))
        self.gave_up = f"UniProt failed after {attempts} attempt{'s' if attempts > 1 else ''} ({problem})"
        raise _Unavailable(self.gave_up)

    def _wait(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self._config.max_wait)
        return min(self._config.backoff * 2.0**attempt, self._config.max_wait)

    def _note_release(self, response: requests.Response) -> None:
        release = response.headers.get("X-UniProt-Release")
        if release:
            self.release = release


class UniProtClient:
    """Resolve UniProt accessions and gene symbols to entries.

    ``sleep`` exists so tests can observe backoff without waiting for it.
    """

    def __init__(
        self,
        config: UniProtConfig,
        progress: ProgressCallback | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.config = config
        self._progress = progress
        self._sleep = sleep
        self._cache = UniProtCache(config.cache_dir)
        self._transport: _Transport | None = None
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

    def fetch(self, ids: Sequence[str]) -> list[Resolution]:
        """One :class:`Resolution` per id, in the order given (duplicates included).

        Malformed ids are rejected before any request.  Versioned accessions
        (``P05067.3``) are fetched without the version, as the REST API only
        serves current entries; the message says whether the version still
        matches.  Isoform ids (``P05067-4``) come back as the isoform.
        """
        parsed: list[Accession | AccessionSyntaxError] = []
        for query in ids:
            try:
                parsed.append(parse_accession(query))
            except AccessionSyntaxError as err:
                parsed.append(err)
        keys = list(dict.fromkeys(p.key for p in parsed if isinstance(p, Accession)))
        outcomes = self._resolve_keys(keys, report=True)
        resolutions = []
        for query, item in zip(ids, parsed, strict=True):
            if isinstance(item, AccessionSyntaxError):
                message = f"{query.strip() or repr(query)}: {item}"
                resolutions.append(Resolution(query, Status.MALFORMED, message=message))
            else:
                resolutions.append(_word(query, item, outcomes[item.key]))
        self._remember_failures(resolutions)
        return resolutions

    def map_genes(self, symbols: Sequence[str], taxon: int | None = None) -> list[Resolution]:
        """Map gene symbols to entries through UniProt's ID-mapping service.

        Swiss-Prot entries are preferred over TrEMBL ones.  Within the best
        tier, an entry whose primary gene name equals the symbol wins over
        entries that list it only as a synonym; when that still leaves more
        than one entry (CDKN2A encodes both p16 and p14ARF), the symbol is
        ``ambiguous`` and no entry is picked: the user must choose.
        """
        taxon = self.config.taxon if taxon is None else taxon
        total = len(symbols)
        self._report(0, total)
        # Symbols go to UniProt as typed (trimmed): mouse App and human APP differ.
        wanted = list(dict.fromkeys(s.strip() for s in symbols if _valid_symbol(s)))
        candidates: dict[str, list[dict[str, Any]] | _Outcome] = {}
        pending = []
        for symbol in wanted:
            cached = self._cache.get_genes(taxon, symbol)
            if cached is not None and self._usable(cached):
                candidates[symbol] = cached.data
                self._cached_release = self._cached_release or cached.release
            else:
                pending.append(symbol)
        if self.config.offline:
            for symbol in pending:
                candidates[symbol] = _Outcome(Status.NOT_CACHED, self._not_cached_detail())
        elif pending:
            candidates.update(self._map_online(pending, taxon))

        choices: dict[str, _Outcome | _Choice] = {}
        for symbol, found in candidates.items():
            choices[symbol] = found if isinstance(found, _Outcome) else _choose(symbol, found, taxon)
        chosen = [c.accession for c in choices.values() if isinstance(c, _Choice)]
        entries = self._resolve_keys(list(dict.fromkeys(chosen)), report=False)

        resolutions = []
        for query in symbols:
            if not _valid_symbol(query):
                resolutions.append(
                    Resolution(query, Status.MALFORMED, message=f"{query.strip() or repr(query)}: not a gene symbol")
                )
                continue
            symbol = query.strip()
            choice = choices[symbol]
            if isinstance(choice, _Outcome):
                resolutions.append(_resolution(query, choice, f"{symbol}: {choice.detail}"))
                continue
            outcome = entries[choice.accession]
            if outcome.entry is not None:
                message = f"{symbol}: mapped to {outcome.entry.accession} ({outcome.entry.entry_name}){choice.note}"
            else:
                message = f"{symbol}: mapped to {choice.accession}; {choice.accession}: {outcome.detail}"
            resolutions.append(_resolution(query, outcome, message))
        self._report(total, total)
        self._remember_failures(resolutions)
        return resolutions

    # -- accessions ----------------------------------------------------
    def _resolve_keys(self, keys: list[str], report: bool) -> dict[str, _Outcome]:
        total = len(keys)
        outcomes: dict[str, _Outcome] = {}
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
                outcomes[key] = _Outcome(Status.NOT_CACHED, self._not_cached_detail())
            progress()
            return outcomes
        missing: list[str] = []
        for batch in _chunks(pending, BATCH_LIMIT):
            found, problem = self._fetch_batch(batch)
            for key in batch:
                data = found.get(key)
                if data is not None:
                    self._store_entry(key, data)
                    outcomes[key] = self._follow(key, self._classify(key, data), 0)
                elif problem is not None:
                    outcomes[key] = _Outcome(Status.UNAVAILABLE, problem)
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
            except _Unavailable as err:
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
                page = _json(response)
            except _Unavailable as err:
                return found, str(err)
            for item in page.get("results", []):
                accession = item.get("primaryAccession") if isinstance(item, Mapping) else None
                if accession in wanted:
                    found[accession] = item
            url = _next_link(response)
        return found, None

    def _resolve_one(self, key: str, hops: int) -> _Outcome:
        transport = self._get_transport()
        try:
            response = transport.request("GET", f"{self.config.api_root}/uniprotkb/{key}.json")
        except _Unavailable as err:
            return _Outcome(Status.UNAVAILABLE, str(err))
        code = response.status_code
        if code in REDIRECT_STATUSES:
            target = _accession_from_location(response.headers.get("Location", ""))
            if target is None:
                return _Outcome(Status.UNAVAILABLE, f"unexpected redirect to {response.headers.get('Location')!r}")
            return self._follow(key, _Outcome(Status.MERGED, "", merged_into=target), hops)
        if code == 200:
            try:
                data = _json(response)
            except _Unavailable as err:
                return _Outcome(Status.UNAVAILABLE, str(err))
            self._store_entry(key, data)
            return self._follow(key, self._classify(key, data), hops)
        if code == 404:
            return _Outcome(Status.NOT_FOUND, "not in UniProtKB (never issued, or mistyped)")
        if code == 400:
            return _Outcome(Status.MALFORMED, f"UniProt rejected it: {_error_messages(response)}")
        return _Outcome(Status.UNAVAILABLE, f"unexpected HTTP {code} from UniProt")

    def _follow(self, key: str, outcome: _Outcome, hops: int) -> _Outcome:
        """Turn "merged into X" into X's entry, fetching X if needed."""
        target = outcome.merged_into
        if target is None:
            return outcome
        self._store_merge(key, target)
        if hops >= MAX_MERGE_HOPS:
            return _Outcome(Status.UNAVAILABLE, f"merged into {target}, but the chain of merges does not end")
        resolved = self._from_cache(target) or self._resolve_one(target, hops + 1)
        if resolved.status is Status.OK:
            assert resolved.entry is not None
            return _Outcome(Status.MERGED, f"merged into {resolved.entry.accession}", resolved.entry, (target,))
        if resolved.status is Status.MERGED:
            return resolved
        return _with_detail(resolved, f"merged into {target}, which is {resolved.status}: {resolved.detail}")

    def _classify(self, key: str, data: Mapping[str, Any]) -> _Outcome:
        if is_inactive(data):
            return _inactive_outcome(data)
        try:
            entry = parse_entry(data)
        except EntryFormatError as err:
            return _Outcome(Status.UNAVAILABLE, f"unusable answer from UniProt: {err}")
        if entry.accession == key:
            return _Outcome(Status.OK, f"found {entry.accession} ({entry.entry_name})", entry)
        if entry.accession == key.split("-")[0]:
            # P05067-1 names the canonical isoform, which UniProt serves as P05067.
            return _Outcome(
                Status.OK, f"found {entry.accession} ({entry.entry_name}), served as the canonical sequence", entry
            )
        return _Outcome(Status.MERGED, f"merged into {entry.accession}", entry, (entry.accession,))

    def _from_cache(self, key: str, hops: int = 0) -> _Outcome | None:
        item = self._cache.get_entry(key)
        target: str | None
        if item is not None and self._usable(item) and isinstance(item.data, Mapping):
            self._cached_release = self._cached_release or item.release
            outcome = self._classify(key, item.data)
            if outcome.merged_into is None:
                return outcome
            target = outcome.merged_into
        else:
            target = self._cache.get_merge(key)
        if target is None or hops >= MAX_MERGE_HOPS:
            return None
        resolved = self._from_cache(target, hops + 1)
        if resolved is None or not resolved.status.has_entry:
            return None
        assert resolved.entry is not None
        return _Outcome(Status.MERGED, f"merged into {resolved.entry.accession}", resolved.entry, (target,))

    # -- gene symbols --------------------------------------------------
    def _map_online(self, symbols: list[str], taxon: int) -> dict[str, list[dict[str, Any]] | _Outcome]:
        result: dict[str, list[dict[str, Any]] | _Outcome] = {}
        for chunk in _chunks(symbols, MAPPING_CHUNK):
            try:
                found = self._run_mapping(chunk, taxon)
            except _Unavailable as err:
                for symbol in chunk:
                    result[symbol] = _Outcome(Status.UNAVAILABLE, f"gene mapping failed: {err}")
                continue
            for symbol in chunk:
                candidates = found.get(symbol, [])
                self._store_genes(taxon, symbol, candidates)
                result[symbol] = candidates
        return result

    def _run_mapping(self, symbols: list[str], taxon: int) -> dict[str, list[dict[str, Any]]]:
        """Submit one ID-mapping job, wait for it, and collect candidates per symbol."""
        transport = self._get_transport()
        root = self.config.api_root
        form = {"ids": ",".join(symbols), "from": "Gene_Name", "to": "UniProtKB", "taxId": str(taxon)}
        response = transport.request("POST", f"{root}/idmapping/run", data=form)
        if response.status_code != 200:
            raise _Unavailable(f"HTTP {response.status_code} submitting the job: {_error_messages(response)}")
        job_id = _json(response).get("jobId")
        if not isinstance(job_id, str) or not job_id:
            raise _Unavailable("the ID-mapping service returned no job id")

        results_url = f"{root}/idmapping/uniprotkb/results/{job_id}"
        waited = 0.0
        poll = 0
        while True:
            response = transport.request("GET", f"{root}/idmapping/status/{job_id}")
            if response.status_code in REDIRECT_STATUSES:
                results_url = urljoin(response.url, response.headers.get("Location", results_url))
                break
            if response.status_code != 200:
                raise _Unavailable(f"HTTP {response.status_code} polling job {job_id}")
            status = _json(response)
            if "results" in status or "failedIds" in status:
                break  # some deployments answer the finished job in place
            state = status.get("jobStatus")
            if state == "FINISHED":
                break
            if state not in ("NEW", "RUNNING"):
                raise _Unavailable(f"job {job_id} ended as {state}: {status.get('errors') or 'no detail'}")
            if waited >= MAX_POLL_SECONDS:
                raise _Unavailable(f"job {job_id} still {state} after {waited:.0f} s")
            pause = min(max(self.config.backoff, 0.05) * 2**poll, 5.0)
            self._sleep(pause)
            waited += pause
            poll += 1

        by_symbol: dict[str, dict[str, dict[str, Any]]] = {}
        separator = "&" if "?" in results_url else "?"
        url: str | None = f"{results_url}{separator}format=json&size={RESULTS_PAGE_SIZE}&fields={MAPPING_FIELDS}"
        while url is not None:
            response = transport.request("GET", url)
            if response.status_code != 200:
                raise _Unavailable(f"HTTP {response.status_code} reading results of job {job_id}")
            for item in _json(response).get("results", []):
                candidate = _candidate(item.get("to")) if isinstance(item, Mapping) else None
                if candidate is not None and isinstance(item.get("from"), str):
                    by_symbol.setdefault(item["from"], {})[candidate["accession"]] = candidate
            url = _next_link(response)
        return {symbol: list(found.values()) for symbol, found in by_symbol.items()}

    # -- plumbing ------------------------------------------------------
    def _get_transport(self) -> _Transport:
        if self._transport is None:
            self._transport = _Transport(self.config, self._sleep)
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


# -- pure helpers ----------------------------------------------------------
def _with_detail(outcome: _Outcome, detail: str) -> _Outcome:
    return _Outcome(outcome.status, detail, outcome.entry, outcome.candidates)


def _word(query: str, accession: Accession, outcome: _Outcome) -> Resolution:
    """Phrase an accession's outcome for the id exactly as the user wrote it."""
    detail = outcome.detail
    if accession.version is not None and outcome.entry is not None:
        current = outcome.entry.sequence_version
        if current is not None and current != accession.version:
            detail += (
                f"; sequence version {accession.version} was asked for but UniProt now has"
                f" version {current}, which is used"
            )
        else:
            detail += f"; version .{accession.version} not fetched separately, the current entry is used"
    return _resolution(query, outcome, f"{query.strip()}: {detail}")


def _resolution(query: str, outcome: _Outcome, message: str) -> Resolution:
    """``query`` stays exactly as given; ``message`` names it trimmed."""
    return Resolution(query, outcome.status, outcome.entry, message, outcome.candidates)


def _inactive_outcome(data: Mapping[str, Any]) -> _Outcome:
    reason = _mapping(data.get("inactiveReason"))
    kind = str(reason.get("inactiveReasonType", "")).upper()
    listed_targets = reason.get("mergeDemergeTo")
    targets = tuple(t for t in listed_targets if isinstance(t, str)) if isinstance(listed_targets, list) else ()
    if kind == "DEMERGED":
        listed = ", ".join(targets) if targets else "entries not named by UniProt"
        return _Outcome(Status.DEMERGED, f"demerged into {listed}; give one of these instead", candidates=targets)
    if kind == "MERGED" and targets:
        return _Outcome(Status.MERGED, "", merged_into=targets[0])
    why = reason.get("deletedReason")
    detail = "deleted from UniProtKB" + (f" ({why})" if isinstance(why, str) and why else "")
    return _Outcome(Status.DELETED, detail)


def _choose(symbol: str, candidates: list[dict[str, Any]], taxon: int) -> _Outcome | _Choice:
    """Pick the accession a gene symbol stands for, or explain why not."""
    candidates = [c for c in candidates if c.get("taxon_id") in (None, taxon)]
    if not candidates:
        return _Outcome(Status.NO_MATCH, f"no UniProtKB entry has gene name {symbol} in taxon {taxon}")
    for reviewed, tier in ((True, "reviewed"), (False, "unreviewed")):
        pool = [c for c in candidates if bool(c.get("reviewed")) is reviewed]
        if not pool:
            continue
        exact = [c for c in pool if str(c.get("gene") or "").upper() == symbol.upper()]
        best = exact or pool
        if len(best) == 1:
            notes = []
            if not exact:
                notes.append(f"{symbol} is a synonym; the primary gene name is {best[0].get('gene')}")
            if not reviewed:
                notes.append("unreviewed (TrEMBL) entry, no Swiss-Prot entry has this gene")
            return _Choice(str(best[0]["accession"]), "".join(f"; {n}" for n in notes))
        names = ", ".join(f"{c['accession']} ({c.get('entry_name')})" for c in best)
        return _Outcome(
            Status.AMBIGUOUS,
            f"gene {symbol} matches {len(best)} {tier} entries: {names}; give an accession instead",
            candidates=tuple(str(c["accession"]) for c in best),
        )
    raise AssertionError("unreachable: candidates are either reviewed or not")


def _candidate(entry: Any) -> dict[str, Any] | None:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("primaryAccession"), str):
        return None
    genes = entry.get("genes")
    names = [_mapping(_mapping(g).get("geneName")).get("value") for g in genes] if isinstance(genes, list) else []
    gene = next((n for n in names if isinstance(n, str)), None)
    organism = _mapping(entry.get("organism"))
    return {
        "accession": entry["primaryAccession"],
        "entry_name": entry.get("uniProtkbId"),
        "reviewed": entry.get("entryType") == "UniProtKB reviewed (Swiss-Prot)",
        "gene": gene,
        "taxon_id": organism.get("taxonId"),
    }


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _valid_symbol(symbol: str) -> bool:
    # Commas would split the job's id list; whitespace never occurs in a symbol.
    cleaned = symbol.strip()
    return bool(cleaned) and not any(ch.isspace() or ch == "," for ch in cleaned)


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError as err:  # requests.JSONDecodeError is a ValueError
        raise _Unavailable(f"UniProt sent invalid JSON (HTTP {response.status_code})") from err
    if not isinstance(data, dict):
        raise _Unavailable("UniProt sent JSON of an unexpected shape")
    return data


def _next_link(response: requests.Response) -> str | None:
    link = response.links.get("next")
    return urljoin(response.url, link["url"]) if link and link.get("url") else None


def _accession_from_location(location: str) -> str | None:
    # e.g. /uniprotkb/P05067.json?from=P09000 (absolute or relative)
    match = _LOCATION_ACCESSION.search(urlparse(location).path)
    return match.group("acc") if match else None


def _error_messages(response: requests.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    messages = data.get("messages") if isinstance(data, dict) else None
    if isinstance(messages, list) and messages:
        return "; ".join(str(m) for m in messages)
    return f"HTTP {response.status_code}"


def _parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _describe_exception(err: Exception) -> str:
    import requests

    if isinstance(err, requests.Timeout):
        return "timed out"
    if isinstance(err, requests.ConnectionError):
        return "connection failed"
    return type(err).__name__

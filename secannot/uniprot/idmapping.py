"""Gene symbols to entries through UniProt's ID-mapping service, choosing among candidates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urljoin

from secannot.io.diagnostics import UNDECODABLE
from secannot.uniprot.batches import chunks
from secannot.uniprot.config import Choice, Outcome, Resolution, Status
from secannot.uniprot.http import REDIRECT_STATUSES, Unavailable, as_mapping, error_messages, json_body, next_link
from secannot.uniprot.resolve import resolution

#: Ids per ID-mapping job; far below the service limit, so one job never runs for long.
MAPPING_CHUNK = 5000

#: Give up on an ID-mapping job that is still running after this long (seconds).
MAX_POLL_SECONDS = 600.0

#: ID-mapping result pages; 500 is the service maximum.
RESULTS_PAGE_SIZE = 500

#: Only what choosing among candidates needs; the chosen entries are then
#: fetched in full through the accessions endpoint (and its cache).
MAPPING_FIELDS = "accession,id,gene_primary,reviewed,organism_id"


class GeneMapping:
    """Gene symbols to accessions (cached per taxon), then to entries through :class:`EntryResolution`."""

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
        wanted = list(dict.fromkeys(s.strip() for s in symbols if valid_symbol(s)))
        candidates: dict[str, list[dict[str, Any]] | Outcome] = {}
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
                candidates[symbol] = Outcome(Status.NOT_CACHED, self._not_cached_detail())
        elif pending:
            candidates.update(self._map_online(pending, taxon))

        choices: dict[str, Outcome | Choice] = {}
        for symbol, found in candidates.items():
            choices[symbol] = found if isinstance(found, Outcome) else choose(symbol, found, taxon)
        chosen = [c.accession for c in choices.values() if isinstance(c, Choice)]
        entries = self._resolve_keys(list(dict.fromkeys(chosen)), report=False)

        resolutions = []
        for query in symbols:
            if not valid_symbol(query):
                resolutions.append(
                    Resolution(query, Status.MALFORMED, message=f"{query.strip() or repr(query)}: not a gene symbol"
                               + (" (a byte that is not UTF-8)" if UNDECODABLE.search(query) else ""))
                )
                continue
            symbol = query.strip()
            choice = choices[symbol]
            if isinstance(choice, Outcome):
                resolutions.append(resolution(query, choice, f"{symbol}: {choice.detail}"))
                continue
            outcome = entries[choice.accession]
            if outcome.entry is not None:
                message = f"{symbol}: mapped to {outcome.entry.accession} ({outcome.entry.entry_name}){choice.note}"
            else:
                message = f"{symbol}: mapped to {choice.accession}; {choice.accession}: {outcome.detail}"
            resolutions.append(resolution(query, outcome, message))
        self._report(total, total)
        self._remember_failures(resolutions)
        return resolutions

    # -- gene symbols --------------------------------------------------
    def _map_online(self, symbols: list[str], taxon: int) -> dict[str, list[dict[str, Any]] | Outcome]:
        result: dict[str, list[dict[str, Any]] | Outcome] = {}
        for chunk in chunks(symbols, MAPPING_CHUNK):
            try:
                found = self._run_mapping(chunk, taxon)
            except Unavailable as err:
                for symbol in chunk:
                    result[symbol] = Outcome(Status.UNAVAILABLE, f"gene mapping failed: {err}")
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
            raise Unavailable(f"HTTP {response.status_code} submitting the job: {error_messages(response)}")
        job_id = json_body(response).get("jobId")
        if not isinstance(job_id, str) or not job_id:
            raise Unavailable("the ID-mapping service returned no job id")

        results_url = f"{root}/idmapping/uniprotkb/results/{job_id}"
        waited = 0.0
        poll = 0
        while True:
            response = transport.request("GET", f"{root}/idmapping/status/{job_id}")
            if response.status_code in REDIRECT_STATUSES:
                results_url = urljoin(response.url, response.headers.get("Location", results_url))
                break
            if response.status_code != 200:
                raise Unavailable(f"HTTP {response.status_code} polling job {job_id}")
            status = json_body(response)
            if "results" in status or "failedIds" in status:
                break  # some deployments answer the finished job in place
            state = status.get("jobStatus")
            if state == "FINISHED":
                break
            if state not in ("NEW", "RUNNING"):
                raise Unavailable(f"job {job_id} ended as {state}: {status.get('errors') or 'no detail'}")
            if waited >= MAX_POLL_SECONDS:
                raise Unavailable(f"job {job_id} still {state} after {waited:.0f} s")
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
                raise Unavailable(f"HTTP {response.status_code} reading results of job {job_id}")
            for item in json_body(response).get("results", []):
                candidate = mapping_candidate(item.get("to")) if isinstance(item, Mapping) else None
                if candidate is not None and isinstance(item.get("from"), str):
                    by_symbol.setdefault(item["from"], {})[candidate["accession"]] = candidate
            url = next_link(response)
        return {symbol: list(found.values()) for symbol, found in by_symbol.items()}


def choose(symbol: str, candidates: list[dict[str, Any]], taxon: int) -> Outcome | Choice:
    """Pick the accession a gene symbol stands for, or explain why not."""
    candidates = [c for c in candidates if c.get("taxon_id") in (None, taxon)]
    if not candidates:
        return Outcome(Status.NO_MATCH, f"no UniProtKB entry has gene name {symbol} in taxon {taxon}")
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
            return Choice(str(best[0]["accession"]), "".join(f"; {n}" for n in notes))
        names = ", ".join(f"{c['accession']} ({c.get('entry_name')})" for c in best)
        return Outcome(
            Status.AMBIGUOUS,
            f"gene {symbol} matches {len(best)} {tier} entries: {names}; give an accession instead",
            candidates=tuple(str(c["accession"]) for c in best),
        )
    raise AssertionError("unreachable: candidates are either reviewed or not")


def mapping_candidate(entry: Any) -> dict[str, Any] | None:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("primaryAccession"), str):
        return None
    genes = entry.get("genes")
    names = [as_mapping(as_mapping(g).get("geneName")).get("value") for g in genes] if isinstance(genes, list) else []
    gene = next((n for n in names if isinstance(n, str)), None)
    organism = as_mapping(entry.get("organism"))
    return {
        "accession": entry["primaryAccession"],
        "entry_name": entry.get("uniProtkbId"),
        "reviewed": entry.get("entryType") == "UniProtKB reviewed (Swiss-Prot)",
        "gene": gene,
        "taxon_id": organism.get("taxonId"),
    }




#: A byte that was not UTF-8 (a ``surrogateescape`` character, from an id list or the command line).


def valid_symbol(symbol: str) -> bool:
    # Commas would split the job's id list; whitespace never occurs in a symbol, nor does a byte that is not
    # UTF-8 (it could not even be sent).
    cleaned = symbol.strip()
    return bool(cleaned) and not any(ch.isspace() or ch == "," for ch in cleaned) and not UNDECODABLE.search(cleaned)

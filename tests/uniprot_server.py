"""A small fake of rest.uniprot.org, served over real HTTP on 127.0.0.1.

The client is tested against a socket, not a mocked ``requests``, so
timeouts, redirects, headers, connection drops and pagination all go through
the same code paths as in production.  The fake follows the behaviour written
down in ``/work/shared/uniprot/API.md``; where the real service's behaviour is
unknown (does the batch endpoint return inactive entries?) it is a switch, so
the client can be tested both ways.

Fixtures in ``tests/data/uniprot/`` have the shape of real served JSON:

* ``P05067``, ``P52789``, ``P35372``, ``P0DTR4``: real entries with references,
  cross-references and most features/comments removed (sequences untouched).
* ``Q9XXX9``: the real deleted entry, verbatim.
* ``P05067-4``: isoform APP695 built from the canonical entry and its
  VSP_000002/VSP_000004 "Alternative sequence" features; md5/crc64 computed,
  molWeight approximate.
* ``O01539``: a demerged accession (secondary in P83386 and P83387), written in
  the shape of the deleted example.
* ``idmapping_stubs.json``: ID-mapping result records (``fields`` projection)
  for real entries that need no full fixture: CDKN2A's two Swiss-Prot entries
  and a TrEMBL APP entry.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

DATA_DIR = Path(__file__).parent / "data" / "uniprot"
BATCH_LIMIT = 1000
_ACCESSION = re.compile(r"([OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z]([0-9][A-Z][A-Z0-9]{2}){1,2}[0-9])(-[0-9]+)?")
# What each ID-mapping `fields` name contributes to the projected JSON.
_FIELD_KEYS = {
    "accession": ("primaryAccession",),
    "id": ("uniProtkbId",),
    "reviewed": ("entryType",),
    "gene_primary": ("genes",),
    "gene_names": ("genes",),
    "organism_id": ("organism",),
    "organism_name": ("organism",),
}
DEFAULT_MERGED = {"P09000": "P05067", "Q12930": "P35372"}


@dataclass(frozen=True)
class Failure:
    """A scripted bad answer: an HTTP status, or ``status=None`` to drop the connection."""

    status: int | None
    retry_after: str | None = None


@dataclass(frozen=True)
class Misbehaviour:
    """A scripted hostile answer, for the client's limits.

    * ``trickle``: the whole answer (status line included) one byte every ``delay`` seconds;
    * ``huge``: a 200 whose body is ``size`` bytes of a JSON string, with or without Content-Length;
    * ``redirect``: a ``status`` redirect to ``location`` (absolute: another host or scheme);
    * ``link``: the normal answer plus ``Link: <location>; rel="next"``.
    """

    kind: str
    delay: float = 0.0
    size: int = 0
    declare_length: bool = True
    location: str = ""
    status: int = 303


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    headers: dict[str, str]

    @property
    def accessions(self) -> list[str]:
        values = self.query.get("accessions") or self.form.get("accessions") or [""]
        return [a for a in values[0].split(",") if a]


@dataclass
class _Job:
    ids: list[str]
    taxon: int
    polls_left: int


@dataclass
class FakeUniProt:
    page_size: int = 2
    release: str = "2026_01"
    job_polls: int = 1  # RUNNING answers before a job is done
    batch_includes_inactive: bool = False
    stricter: set[str] = field(default_factory=set)  # ids the server rejects though well-formed
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    inactive: dict[str, dict[str, Any]] = field(default_factory=dict)
    merged: dict[str, str] = field(default_factory=dict)
    mapping_only: list[dict[str, Any]] = field(default_factory=list)
    requests: list[LoggedRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._failures: list[tuple[str, Failure]] = []
        self._misbehaviours: list[tuple[str, Misbehaviour]] = []
        self._jobs: dict[str, _Job] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- set-up --------------------------------------------------------
    def load_fixtures(self) -> FakeUniProt:
        for path in sorted(DATA_DIR.glob("*.json")):
            data = json.loads(path.read_text())
            if path.name == "idmapping_stubs.json":
                self.mapping_only.extend(data)
            elif data.get("entryType") == "Inactive":
                self.inactive[data["primaryAccession"]] = data
            else:
                self.entries[data["primaryAccession"]] = data
        self.merged.update(DEFAULT_MERGED)
        return self

    def add_synthetic(self, accessions: list[str]) -> None:
        """Serve well-formed stand-in entries (a slim copy of P0DTR4) for volume tests."""
        keep = ("entryType", "primaryAccession", "uniProtkbId", "organism", "sequence")
        template = {k: v for k, v in self.entries["P0DTR4"].items() if k in keep}
        for accession in accessions:
            clone = copy.deepcopy(template)
            clone["primaryAccession"] = accession
            self.entries[accession] = clone

    def fail(self, match: str, *failures: Failure) -> None:
        """Answer the next requests whose path+query contains ``match`` with ``failures``."""
        with self._lock:
            self._failures.extend((match, f) for f in failures)

    def misbehave(self, match: str, behaviour: Misbehaviour, times: int = 1) -> None:
        """Answer the next ``times`` requests whose path+query contains ``match`` with ``behaviour``."""
        with self._lock:
            self._misbehaviours.extend((match, behaviour) for _ in range(times))

    def add_entry(self, accession: str, sequence: str, **extra: Any) -> None:
        """Serve an active entry with this accession and (possibly invalid) sequence."""
        keep = ("entryType", "primaryAccession", "uniProtkbId", "organism")
        entry = {k: copy.deepcopy(v) for k, v in self.entries["P0DTR4"].items() if k in keep}
        entry.update(primaryAccession=accession, uniProtkbId=f"{accession}_HUMAN",
                     sequence={"value": sequence, "length": len(sequence)}, **extra)
        self.entries[accession] = entry

    def add_merged_into(self, accession: str, targets: list[Any], kind: str = "MERGED") -> None:
        """An inactive entry whose inactiveReason names ``targets`` (served as given, valid or not)."""
        self.inactive[accession] = {
            "entryType": "Inactive", "primaryAccession": accession,
            "inactiveReason": {"inactiveReasonType": kind, "mergeDemergeTo": targets},
        }

    def requests_to(self, prefix: str) -> list[LoggedRequest]:
        return [r for r in self.requests if r.path.startswith(prefix)]

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> None:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # -- behaviour -----------------------------------------------------
    def _take(self, queue: list, target: str) -> Any:
        """Remove and return the first queued item whose match string occurs in ``target`` (None if none)."""
        with self._lock:
            for index, (match, item) in enumerate(queue):
                if match in target:
                    del queue[index]
                    return item
        return None

    def _take_failure(self, target: str) -> Failure | None:
        return self._take(self._failures, target)

    def _take_misbehaviour(self, target: str) -> Misbehaviour | None:
        return self._take(self._misbehaviours, target)

    def _valid(self, accession: str) -> bool:
        return bool(_ACCESSION.fullmatch(accession)) and accession not in self.stricter

    def _lookup(self, accession: str) -> dict[str, Any] | None:
        if accession in self.entries:
            return self.entries[accession]
        # The canonical isoform id (P05067-1) is served as the entry itself.
        if accession.endswith("-1") and accession[:-2] in self.entries:
            return self.entries[accession[:-2]]
        return None

    def _gene_hits(self, symbol: str, taxon: int) -> list[dict[str, Any]]:
        hits = []
        for entry in [*self.entries.values(), *self.mapping_only]:
            if "-" in entry["primaryAccession"] or entry.get("organism", {}).get("taxonId") != taxon:
                continue
            names = []
            for gene in entry.get("genes", []):
                names.append(gene.get("geneName", {}).get("value", ""))
                names.extend(s["value"] for s in gene.get("synonyms", []))
            if symbol.upper() in (n.upper() for n in names):
                hits.append(entry)
        return hits


def _project(entry: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    keys = {"entryType", "primaryAccession"}
    for name in fields:
        keys.update(_FIELD_KEYS[name])
    out = {k: v for k, v in entry.items() if k in keys}
    if "genes" in out and "gene_names" not in fields:
        out["genes"] = [{"geneName": g["geneName"]} for g in out["genes"] if "geneName" in g]
    return out


class _Handler(BaseHTTPRequestHandler):
    fake: FakeUniProt
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    # -- dispatch ------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        form = parse_qs(body) if method == "POST" else {}
        with self.fake._lock:
            self.fake.requests.append(LoggedRequest(method, parts.path, query, form, dict(self.headers)))
        behaviour = self.fake._take_misbehaviour(self.path)
        if behaviour is not None and behaviour.kind != "link":
            self._misbehave(behaviour)
            return
        self._link_next = behaviour.location if behaviour is not None else None
        failure = self.fake._take_failure(self.path)
        if failure is not None:
            if failure.status is None:
                self.close_connection = True
                return  # no bytes at all: the client sees the connection drop
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
            self._error(failure.status, "scripted failure", headers=headers)
            return
        path = parts.path
        params = {k: v[-1] for k, v in {**query, **form}.items()}
        if path == "/uniprotkb/accessions":
            self._accessions(params)
        elif match := re.fullmatch(r"/uniprotkb/([^/.]+)(\.json)?", path):
            self._entry(match.group(1).upper())
        elif path == "/idmapping/run" and method == "POST":
            self._run(params)
        elif match := re.fullmatch(r"/idmapping/status/(\w+)", path):
            self._status(match.group(1))
        elif match := re.fullmatch(r"/idmapping/uniprotkb/results/(\w+)", path):
            self._results(match.group(1), params)
        else:
            self._error(404, f"no route for {path}")

    # -- endpoints -----------------------------------------------------
    def _accessions(self, params: dict[str, str]) -> None:
        ids = [a.strip().upper() for a in params.get("accessions", "").split(",") if a.strip()]
        if not ids:
            self._error(400, "'accessions' is a required parameter")
            return
        if len(ids) > BATCH_LIMIT:
            self._error(400, f"'{BATCH_LIMIT}' is the maximum count limit of comma separated items")
            return
        bad = [a for a in ids if not self.fake._valid(a)]
        if bad:
            self._error(400, *(f"Accession '{a}' has invalid format." for a in bad))
            return
        results = []
        for accession in dict.fromkeys(ids):
            entry = self.fake.entries.get(accession)
            if entry is None and self.fake.batch_includes_inactive:
                entry = self.fake.inactive.get(accession)
            if entry is not None:
                results.append(entry)
        start = int(params.get("cursor", "0"))
        page = results[start : start + self.fake.page_size]
        headers = {"X-Total-Results": str(len(results))}
        if start + self.fake.page_size < len(results):
            nxt = {"accessions": ",".join(ids), "format": "json", "cursor": start + self.fake.page_size}
            headers["Link"] = f'<{self.fake.url}/uniprotkb/accessions?{urlencode(nxt)}>; rel="next"'
        self._json(200, {"results": page}, headers)

    def _entry(self, accession: str) -> None:
        if not self.fake._valid(accession):
            self._error(400, "The 'accession' value has invalid format. It should be a valid UniProtKB accession")
        elif accession in self.fake.merged:
            location = f"/uniprotkb/{self.fake.merged[accession]}.json?from={accession}"
            self._send(303, b"", {"Location": location})
        elif (entry := self.fake._lookup(accession)) is not None:
            self._json(200, entry)
        elif accession in self.fake.inactive:
            self._json(200, self.fake.inactive[accession])
        else:
            self._error(404, "Resource not found")

    def _run(self, params: dict[str, str]) -> None:
        if params.get("from") != "Gene_Name" or params.get("to") not in ("UniProtKB", "UniProtKB-Swiss-Prot"):
            self._error(400, "Invalid from/to pair")
            return
        ids = [i for i in params.get("ids", "").split(",") if i]
        job_id = uuid.uuid4().hex
        self.fake._jobs[job_id] = _Job(ids, int(params.get("taxId", "0")), self.fake.job_polls)
        self._json(200, {"jobId": job_id})

    def _status(self, job_id: str) -> None:
        job = self.fake._jobs.get(job_id)
        if job is None:
            self._error(404, "Resource not found")
        elif job.polls_left > 0:
            job.polls_left -= 1
            self._json(200, {"jobStatus": "RUNNING"})
        else:
            self._send(303, b"", {"Location": f"/idmapping/uniprotkb/results/{job_id}"})

    def _results(self, job_id: str, params: dict[str, str]) -> None:
        job = self.fake._jobs.get(job_id)
        if job is None:
            self._error(404, "Resource not found")
            return
        fields = [f for f in params.get("fields", "accession,id").split(",") if f]
        unknown = [f for f in fields if f not in _FIELD_KEYS]
        if unknown:
            self._error(400, *(f"Invalid fields parameter value '{f}'" for f in unknown))
            return
        pairs: list[dict[str, Any]] = []
        failed: list[str] = []
        for symbol in job.ids:
            hits = self.fake._gene_hits(symbol, job.taxon)
            pairs.extend({"from": symbol, "to": _project(hit, fields)} for hit in hits)
            if not hits:
                failed.append(symbol)
        start = int(params.get("cursor", "0"))
        size = min(int(params.get("size", "25")), self.fake.page_size)
        body: dict[str, Any] = {"results": pairs[start : start + size]}
        if failed:
            body["failedIds"] = failed
        headers = {"X-Total-Results": str(len(pairs))}
        if start + size < len(pairs):
            nxt = {**params, "cursor": start + size}
            headers["Link"] = f'<{self.fake.url}/idmapping/uniprotkb/results/{job_id}?{urlencode(nxt)}>; rel="next"'
        self._json(200, body, headers)

    # -- hostile answers -----------------------------------------------
    def _misbehave(self, behaviour: Misbehaviour) -> None:
        import time

        self.close_connection = True
        try:
            if behaviour.kind == "trickle":
                body = json.dumps({"results": []}).encode()
                raw = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                       .encode() + body)
                for byte in raw:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(behaviour.delay)
            elif behaviour.kind == "huge":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                if behaviour.declare_length:
                    self.send_header("Content-Length", str(behaviour.size))
                self.end_headers()
                block = b'"' + b"x" * 65534 + b'"'
                for _ in range(behaviour.size // len(block) + 1):
                    self.wfile.write(block)
            elif behaviour.kind == "redirect":
                self._send(behaviour.status, b"", {"Location": behaviour.location})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up, as it should

    # -- responses -----------------------------------------------------
    def _error(self, status: int, *messages: str, headers: dict[str, str] | None = None) -> None:
        self._json(status, {"url": f"{self.fake.url}{self.path}", "messages": list(messages)}, headers)

    def _json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(data).encode()
        self._send(status, body, {"Content-Type": "application/json", **(headers or {})})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("X-UniProt-Release", self.fake.release)
        if getattr(self, "_link_next", None):
            headers = {**headers, "Link": f'<{self._link_next}>; rel="next"'}
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def uniprot_server() -> Iterator[FakeUniProt]:
    fake = FakeUniProt().load_fixtures()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()

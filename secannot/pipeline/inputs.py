"""Turning the user's inputs (FASTA files, accessions, gene symbols) into records, in order.

Ids are resolved through UniProt in one batched pass before any output is
written (batching is what makes large id lists fast and polite); FASTA files
are then streamed.  Records come out in the order the inputs were given, and
every input that yields no record is reported to ``Diagnostics``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from secannot.errors import ExitCode, InputError, UsageError
from secannot.io.diagnostics import Diagnostics, Rejection
from secannot.io.fasta import STDIN_NAME, Record, mark_duplicates, open_input, parse_fasta
from secannot.io.seen_ids import SeenIds

if TYPE_CHECKING:
    from secannot.uniprot import UniProtClient, UniProtEntry

FASTA = "fasta"
ACCESSION = "accession"
GENE = "gene"


@dataclass(frozen=True, slots=True)
class Source:
    kind: str  # fasta, accession or gene
    value: str  # a path for fasta, an id otherwise
    origin: str  # where it came from, for messages: '--uniprot', 'ids.txt'
    line: int | None = None


def resolved_stream(sources: Sequence[Source], diag: Diagnostics, stdin: BinaryIO | None, uniprot_config,
                    progress: Callable[[int, int], None] | None = None) -> RecordStream:
    """A RecordStream whose id inputs are already fetched (the UniProt client is closed again)."""
    client = None
    if any(s.kind in (ACCESSION, GENE) for s in sources):
        from secannot.uniprot import UniProtClient, UniProtConfig

        client = UniProtClient(uniprot_config or UniProtConfig(), progress=progress, log=diag.info)
    stream = RecordStream(list(sources), diag, stdin, client)
    try:
        stream.resolve()
    finally:
        if client is not None:
            client.close()
    return stream


def expand_sources(raw: Sequence[tuple[str, str]], stdin_text: Callable[[], TextIO]) -> list[Source]:
    """Expand (option, value) pairs in command-line order into single sources.

    ``--uniprot A,B`` gives two accessions; ``--uniprot-list FILE`` and
    ``--gene-list FILE`` are read here (``-`` is stdin) with their line numbers.
    """
    from secannot.uniprot import read_id_list

    out: list[Source] = []
    stdin_users = [opt for opt, value in raw if value == "-"]
    if len(stdin_users) > 1:
        raise UsageError(f"only one input can read stdin ('-'), got it for: {', '.join(stdin_users)}")
    for opt, value in raw:
        if opt == "input":
            out.append(Source(FASTA, value, value))
        elif opt in ("uniprot", "gene"):
            kind = ACCESSION if opt == "uniprot" else GENE
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not parts:  # --uniprot '' would otherwise run on nothing and exit 0
                raise UsageError(f"--{opt} needs at least one {'accession' if kind == ACCESSION else 'gene symbol'}")
            out += [Source(kind, part, f"--{opt}") for part in parts]
        elif opt in ("uniprot_list", "gene_list"):
            kind = ACCESSION if opt == "uniprot_list" else GENE
            lines = read_id_list(value, stdin_text() if value == "-" else None)
            shown = STDIN_NAME if value == "-" else value
            out += [Source(kind, item.text, shown, item.line) for item in lines]
        else:  # pragma: no cover - the CLI only passes the options above
            raise ValueError(opt)
    return out


@dataclass
class RecordStream:
    """Records in input order, plus the UniProt entries behind id inputs (by record id)."""

    sources: list[Source]
    diag: Diagnostics
    stdin: BinaryIO | None
    client: UniProtClient | None
    entries: dict[str, UniProtEntry] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    release: str | None = None
    bytes_read: int = 0  # approximate FASTA bytes consumed, for progress estimates
    seen: SeenIds = field(default_factory=SeenIds)  # ids so far, across all inputs
    _resolved: dict[int, Any] | None = None

    def resolve(self) -> None:
        """Fetch every id input now (batched), before any output is written."""
        if self._resolved is None:
            self._resolved = self._resolve_ids()

    def __iter__(self) -> Iterator[Record]:
        for index in range(len(self.sources)):
            yield from self.records_of(index)

    def records_of(self, index: int) -> Iterator[Record]:
        """Accepted records of source ``index``; rejections and duplicate ids go to ``diag``."""
        self.resolve()
        src = self.sources[index]
        if src.kind == FASTA:
            yield from self._fasta(src)
            return
        res = (self._resolved or {})[index]
        if res.entry is None:
            self.diag.reject(src.origin, src.line, src.value, res.message.removeprefix(f"{src.value.strip()}: "))
            if res.status.exit_code > ExitCode.REJECTED:
                self.diag.escalate(res.status.exit_code)
            return
        entry = res.entry
        rid = entry.accession
        first = self.seen.add(rid, src.origin, src.line if src.line else -1)
        if first is not None:
            self.diag.reject(src.origin, src.line, src.value, f"duplicate of {rid} (first seen at {first})")
            return
        self.entries[rid] = entry
        if res.message:
            self.notes[rid] = res.message
        yield Record(rid, entry.fasta_header(), entry.sequence.upper().encode("ascii"), "uniprot", 0)

    def _fasta(self, src: Source) -> Iterator[Record]:
        try:
            with open_input(src.value, self.stdin) as (fh, name):
                for item in mark_duplicates(parse_fasta(fh, name), self.seen):
                    if isinstance(item, Rejection):
                        self.diag.reject(item.source, item.line, item.record, item.reason)
                        continue
                    self.bytes_read += len(item.seq) + len(item.description) + 2 + len(item.seq) // 60
                    yield item
        except InputError as exc:
            self.diag.unreadable(STDIN_NAME if src.value == "-" else src.value, str(exc), exc.exit_code)

    def _resolve_ids(self) -> dict[int, Any]:
        acc = [(i, s) for i, s in enumerate(self.sources) if s.kind == ACCESSION]
        genes = [(i, s) for i, s in enumerate(self.sources) if s.kind == GENE]
        if not acc and not genes:
            return {}
        if self.client is None:  # pragma: no cover - the CLI always builds a client for ids
            raise UsageError("UniProt ids given but no UniProt client configured")
        out: dict[int, Any] = {}
        if acc:
            for (i, _), res in zip(acc, self.client.fetch([s.value for _, s in acc]), strict=True):
                out[i] = res
        if genes:
            for (i, _), res in zip(genes, self.client.map_genes([s.value for _, s in genes]), strict=True):
                out[i] = res
        self.release = self.client.release
        for warning in self.client.warnings:
            self.diag.warn(warning)
        return out

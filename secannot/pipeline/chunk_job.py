"""One chunk of FASTA input, start to finish: read, parse, predict, annotate, render.

This is the unit of work for every way secannot runs: in the main process
(``-j 1``), in worker processes (``-j N``) and on Dask workers (``--dask``).
A task carries a byte range of a file (the worker reads it itself) or, for
stdin and compressed input, the raw bytes of whole records, plus a
:class:`JobSpec`; the output carries rendered rows, ready to write, and the
reader's rejections, with chunk-relative line numbers.  The parent only
checks duplicate ids, fixes line numbers and writes, in input order.
Because every chunk runs the same code and each protein's numbers do not
depend on its neighbours, rows are identical however the input is cut.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from secannot.errors import InputError, OutputError
from secannot.io.chunks import ByteRange, as_handle
from secannot.io.diagnostics import Rejection
from secannot.io.fasta import Record, parse_fasta
from secannot.pipeline.predictor import PredictConfig, Predictor, load_rule_set, predict_stream
from secannot.provenance import Provenance


@dataclass(frozen=True, slots=True)
class JobSpec:
    """What a worker needs to turn records into rows; hashable, so workers cache one set of models per spec.

    The provenance holds dicts (thresholds, inputs), so it takes no part in
    hashing; ``provenance_key``, its JSON text, stands in for it.
    """

    predict: PredictConfig
    fmt: str
    annotate: bool
    provenance: Provenance = field(compare=False, hash=False)
    safe_cells: bool = False
    provenance_key: str = ""

    def __post_init__(self) -> None:
        if not self.provenance_key:
            key = json.dumps(self.provenance.as_dict(), sort_keys=True, default=str)
            object.__setattr__(self, "provenance_key", key)


@dataclass(frozen=True, slots=True)
class ChunkTask:
    source: str  # input name for messages
    data: ByteRange | bytes
    spec: JobSpec
    source_index: int = 0  # which input this chunk belongs to
    chunk_index: int = 0  # its place in that input
    part_path: str | None = None  # write the rows as this Parquet file instead of returning them
    error: str | None = None  # the input could not be opened or read: report this, in order


@dataclass(slots=True)
class ChunkOutput:
    """Per input record, in order: (id, line, row) for a record, (None, line, (name, reason)) for a rejection.

    ``name`` is None for a record without a header, which the parent names by
    its index in the whole file.  Lines are relative to the chunk (1-based).
    """

    source: str = ""
    source_index: int = 0
    chunk_index: int = 0
    items: list[tuple[str | None, int, Any]] = field(default_factory=list)
    n_lines: int = 0
    error: str | None = None
    part_path: str | None = None
    #: the part could not be written (a full disk): the parent raises OutputError with it.  Returned, not
    #: raised in the worker, so a Dask worker logs no "Compute Failed" traceback of its own on stderr.
    output_error: str | None = None


class _Worker:
    def __init__(self, spec: JobSpec, rules=None, sp_model=None):
        from secannot.columns import ANNOTATE_COLUMNS, PREDICT_COLUMNS
        from secannot.io.writers import make_renderer

        self.rules = rules if rules is not None else load_rule_set(spec.predict, spec.annotate)
        self.predictor = Predictor(spec.predict, self.rules, sp_model)
        self.columns = ANNOTATE_COLUMNS if spec.annotate else PREDICT_COLUMNS
        self.render = make_renderer(spec.fmt, self.columns, spec.provenance, spec.safe_cells)
        self.annotate = spec.annotate

    def rows(self, records: list[Record]) -> Iterator[Any]:
        for res in predict_stream(records, self.predictor.config, self.predictor, annotate=self.annotate):
            yield self.render(res)


_WORKERS: dict[JobSpec, _Worker] = {}


def worker_for(spec: JobSpec, rules=None, sp_model=None) -> _Worker:
    """This process's models for ``spec``, loaded once (``rules``: already loaded for this spec, if at hand)."""
    worker = _WORKERS.get(spec)
    if worker is None:
        worker = _WORKERS[spec] = _Worker(spec, rules, sp_model)
    return worker


def run_chunk(task: ChunkTask) -> ChunkOutput:
    """Parse, predict and render one chunk (runs in whichever process gets the task)."""
    out = ChunkOutput(task.source, task.source_index, task.chunk_index, error=task.error)
    if task.error is not None:
        return out
    data = task.data.read() if isinstance(task.data, ByteRange) else task.data
    out.n_lines = data.count(b"\n")
    records: list[Record] = []
    try:
        for k, item in enumerate(parse_fasta(as_handle(data), task.source), 1):
            if isinstance(item, Rejection):
                name = None if item.record == f"record #{k}" else item.record
                out.items.append((None, item.line or 0, (name, item.reason)))
            else:
                out.items.append((item.id, item.line, None))
                records.append(item)
    except InputError as exc:
        out.items, out.error = [], str(exc)
        return out
    rows = worker_for(task.spec).rows(records)
    if task.part_path is not None:
        try:
            _write_part(task, list(rows))
        except OutputError as exc:
            out.output_error = str(exc)
            return out
        out.part_path = task.part_path
        return out
    slots = (i for i, item in enumerate(out.items) if item[0] is not None)
    for i, row in zip(slots, rows, strict=True):
        rid, line, _ = out.items[i]
        out.items[i] = (rid, line, row)
    return out


def _write_part(task: ChunkTask, rows: list) -> None:
    from secannot.columns import ANNOTATE_COLUMNS, PREDICT_COLUMNS
    from secannot.io.writers.parquet import write_part

    columns = ANNOTATE_COLUMNS if task.spec.annotate else PREDICT_COLUMNS
    write_part(task.part_path, rows, columns, task.spec.provenance)


def in_order(tasks: Iterable[ChunkTask], submit: Callable[[ChunkTask], Callable[[], ChunkOutput]],
             in_flight: int) -> Iterator[ChunkOutput]:
    """Outputs in task order, with at most ``in_flight`` tasks submitted and not yet collected.

    ``submit`` starts a task elsewhere (a process pool, a Dask cluster) and returns the call that
    waits for its output; the bound keeps memory flat and the parent from reading ahead of what it writes.
    """
    pending: deque[Callable[[], ChunkOutput]] = deque()
    for task in tasks:
        pending.append(submit(task))
        if len(pending) >= in_flight:
            yield pending.popleft()()
    while pending:
        yield pending.popleft()()


def serial(tasks: Iterable[ChunkTask]) -> Iterator[ChunkOutput]:
    """Chunks run one after another in this process."""
    for task in tasks:
        yield run_chunk(task)


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the parent, which stops the pool and says 'interrupted' once."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


class ProcessPool:
    """``jobs`` worker processes for the whole job; ``run`` yields outputs in input order.

    At most ``2 * jobs`` chunks are in flight, so memory stays bounded and the
    parent never reads ahead of what it writes.
    """

    def __init__(self, jobs: int):
        self.jobs = jobs
        self._pool = None

    def __enter__(self) -> ProcessPool:
        import multiprocessing

        # Where fork exists, workers start as copies of this process with the
        # models already loaded (see ``worker_for``): no start-up per worker.
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._pool = ctx.Pool(self.jobs, initializer=_ignore_interrupts)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._pool is not None
        self._pool.terminate()
        self._pool.join()

    def run(self, tasks: Iterable[ChunkTask]) -> Iterator[ChunkOutput]:
        pool = self._pool
        assert pool is not None
        return in_order(tasks, lambda task: pool.apply_async(run_chunk, (task,)).get, 2 * self.jobs)

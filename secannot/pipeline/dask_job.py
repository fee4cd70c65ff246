"""Chunks on a Dask cluster (optional extra ``secannot[dask]``), for jobs past one machine.

``--dask ADDRESS`` attaches to a running scheduler (``tcp://host:8786``, for
example one started by dask-jobqueue on SLURM/PBS or by dask-kubernetes), or
``local:N`` starts a LocalCluster of N single-threaded worker processes on this
machine.  Tasks carry byte ranges of files, never sequences: the workers
open the files themselves, so the inputs (and an ``-o DIR`` for Parquet
parts) must be on a file system the workers share with the client.  Each
task runs exactly the code of ``-j`` workers (``chunk_job.run_chunk``), so
rows equal the plain run's.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack

from secannot.errors import MissingDependencyError, NetworkError, UsageError
from secannot.io.chunks import is_plain_file
from secannot.pipeline.chunk_job import ChunkOutput, ChunkTask, in_order, run_chunk

INSTALL_HINT = "--dask needs dask.distributed: pip install 'secannot[dask]'"

#: distributed's records below this level stay off secannot's stderr while a job runs: tasks
#: cancelled by an early exit (``| head``, Ctrl-C) are normal there, not worth a warning each
LOG_LEVEL = logging.ERROR
#: the scheduler's HTTP server (health and metrics routes) on a free local port, never the
#: dashboard's 8787: a second cluster on the machine would otherwise warn that 8787 is taken
HTTP_ADDRESS = "127.0.0.1:0"
#: run in each local worker process: leaves Ctrl-C to the client (see the module)
WORKER_PRELOAD = "secannot.pipeline.dask_worker"


def _distributed():
    try:
        import distributed
    except ImportError:
        raise MissingDependencyError(INSTALL_HINT) from None
    return distributed


def parse_address(address: str) -> tuple[str, int | None]:
    """('local', N) for ``local:N``, else ('remote', None) for a scheduler address; UsageError otherwise."""
    if address.startswith("local:"):
        count = address.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise UsageError(f"--dask local:N needs a worker count >= 1, got {address!r}")
        return "local", int(count)
    if "://" not in address and ":" not in address:
        raise UsageError(f"--dask expects a scheduler address like tcp://host:8786 or local:N, got {address!r}")
    return "remote", None


def refuse_unsplittable(sources: Sequence) -> None:
    """UsageError (exit 2), before any work, for a FASTA input the workers cannot read in byte ranges.

    Workers open the files themselves, so stdin, compressed files and pipes (``<(zcat x.gz)``) cannot
    go to them; a missing file or a directory is left to the run, which reports it per input (exit 4).
    """
    for src in sources:
        if src.kind != "fasta":
            continue
        fix = "decompress it to a file the workers can read"
        if src.value == "-":
            what, fix = "standard input", "save it to a file the workers can read"
        elif not os.path.exists(src.value) or os.path.isdir(src.value) or is_plain_file(src.value):
            continue
        elif os.path.isfile(src.value):
            what = f"a compressed file ({src.value})"
        else:
            what, fix = f"a pipe or device ({src.value})", "save it to a file the workers can read"
        raise UsageError(f"--dask reads plain FASTA files in byte ranges, not {what}: {fix}, or run without --dask")


class DaskExecutor:
    """A Dask client (and, for ``local:N``, its LocalCluster) for the duration of one job."""

    def __init__(self, address: str, processes: bool = True, timeout: str = "30s"):
        self.address = address
        self.timeout = timeout
        self.kind, self.count = parse_address(address)
        self.processes = processes
        self.cluster = None
        self.client = None
        self.workers = 1
        self._logs = ExitStack()

    def __enter__(self) -> DaskExecutor:
        distributed = _distributed()
        self._logs.enter_context(quiet_logger("distributed", LOG_LEVEL))
        try:
            self._start(distributed)
        except BaseException:
            self.__exit__()
            raise
        return self

    def _start(self, distributed) -> None:
        if self.kind == "local":
            # silence_logs: the level distributed gives its handlers in the worker processes
            self.cluster = distributed.LocalCluster(n_workers=self.count, threads_per_worker=1,
                                                    processes=self.processes, dashboard_address=None,
                                                    scheduler_kwargs={"dashboard_address": HTTP_ADDRESS},
                                                    silence_logs=LOG_LEVEL, preload=[WORKER_PRELOAD])
            self.client = distributed.Client(self.cluster)
        else:
            try:
                self.client = distributed.Client(self.address, timeout=self.timeout)
            except OSError as exc:  # a well-formed address that does not answer: a network failure (exit 6)
                raise NetworkError(f"--dask {self.address}: cannot reach the scheduler ({exc})") from None
        self.workers = max(1, sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()))

    def __exit__(self, *exc: object) -> None:
        with self._logs:
            if self.client is not None:
                self.client.close()
            if self.cluster is not None:
                self.cluster.close()

    def run(self, tasks: Iterable[ChunkTask]) -> Iterator[ChunkOutput]:
        """Outputs in input order; at most two tasks per worker thread are in flight."""
        client = self.client
        assert client is not None
        return in_order(tasks, lambda task: client.submit(run_chunk, task, pure=False).result, 2 * self.workers)


class quiet_logger:
    """Raise a logger and its stream handlers to ``level`` for a block; the old levels come back after.

    distributed installs its own stderr handler on the ``distributed`` logger;
    LocalCluster's ``silence_logs`` changes that handler in this process for
    good, so the levels are saved before the cluster starts and restored here.
    """

    def __init__(self, name: str, level: int):
        self.logger = logging.getLogger(name)
        self.level = level
        self.saved: list[tuple[logging.Logger | logging.Handler, int]] = []

    def __enter__(self) -> quiet_logger:
        targets: list[logging.Logger | logging.Handler] = [self.logger, *self.logger.handlers]
        self.saved = [(t, t.level) for t in targets]
        for target, old in self.saved:
            if old < self.level:
                target.setLevel(self.level)
        return self

    def __exit__(self, *exc: object) -> None:
        for target, old in self.saved:
            target.setLevel(old)

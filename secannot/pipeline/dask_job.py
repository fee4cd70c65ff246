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

import atexit
import functools
import logging
import os
import signal
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress

from secannot.errors import MissingDependencyError, NetworkError, UsageError
from secannot.io.chunks import is_plain_file
from secannot.pipeline.chunk_job import ChunkOutput, ChunkTask, in_order, run_chunk

INSTALL_HINT = "--dask needs dask.distributed: pip install 'secannot[dask]'"

#: distributed's records below this level stay off secannot's stderr while a job runs: tasks
#: cancelled by an early exit (``| head``, Ctrl-C) are normal there, not worth a warning each
LOG_LEVEL = logging.ERROR
#: a level no record reaches: the event-loop plumbing's own noise (a comm closed under a heartbeat,
#: a callback's traceback from a stream that closed) is never the user's business
SILENT = logging.CRITICAL + 1
#: quiet while the job runs: distributed at LOG_LEVEL, its comms and the event loop silent
RUN_LOGGERS = (("distributed", LOG_LEVEL), ("distributed.comm", SILENT), ("tornado", SILENT), ("asyncio", SILENT))
#: silent while the client and cluster close: the heartbeats and comms still in flight then fail on
#: closed streams (``Stream is closed``, tracebacks from ``tcp.py``), more often on a loaded machine
CLOSE_LOGGERS = (("distributed", SILENT), ("tornado", SILENT), ("asyncio", SILENT))
#: seconds each of client and cluster get to close; past them the run ends anyway
CLOSE_TIMEOUT = 20
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


#: the schemes of a scheduler address (distributed's ``inproc://`` only exists inside one process)
SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")
ADDRESS_HINT = "a scheduler address like tcp://host:8786 (tls://, ws://, wss://, ucx:// too) or local:N"


def parse_address(address: str) -> tuple[str, int | None]:
    """('local', N) for ``local:N``, else ('remote', None) for a scheduler address.

    Checked before distributed sees it, so a typo is a one-line UsageError (exit 2) rather than
    distributed's traceback or a 30 s connection timeout: ``[scheme://]host:port``, a scheme of
    SCHEMES, a host and a port 1-65535 (``[::1]:8786`` for IPv6).
    """
    if address.startswith("local:"):
        count = address.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise UsageError(f"--dask local:N needs a worker count >= 1, got {address!r}")
        return "local", int(count)
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    host, colon, port = rest.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    problem = None
    if scheme.lower() not in SCHEMES:
        problem = f"unknown scheme {scheme + '://'!r}"
    elif not colon or not host or "/" in host:
        problem = "no host:port"
    elif not port.isdigit() or not 1 <= int(port) <= 65535:
        problem = f"port {port!r} is not 1-65535"
    if problem:
        raise UsageError(f"--dask {address!r}: {problem}; expected {ADDRESS_HINT}")
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
        _silence_at_exit()
        self._logs.enter_context(quiet_loggers(RUN_LOGGERS))
        try:
            with _interrupt_deferred(self.kind == "local"):
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
            except (ValueError, TypeError) as exc:  # an address distributed cannot parse (e.g. a bad TLS setup)
                raise UsageError(f"--dask {self.address!r}: {str(exc).splitlines()[0] if str(exc) else exc!r}") from None
        self.workers = max(1, sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()))

    def __exit__(self, *exc: object) -> None:
        # Both close inside the quiet blocks: the run's levels come back only once nothing is left running.
        with self._logs, quiet_loggers(CLOSE_LOGGERS):
            for part in (self.client, self.cluster):
                if part is not None:
                    with suppress(TimeoutError):  # a scheduler or worker that does not answer: left behind
                        part.close(timeout=CLOSE_TIMEOUT)

    def run(self, tasks: Iterable[ChunkTask]) -> Iterator[ChunkOutput]:
        """Outputs in input order; at most two tasks per worker thread are in flight."""
        client = self.client
        assert client is not None
        return in_order(tasks, lambda task: client.submit(run_chunk, task, pure=False).result, 2 * self.workers)


@contextmanager
def _interrupt_deferred(active: bool) -> Iterator[None]:
    """Hold Ctrl-C back while a LocalCluster starts; it arrives (KeyboardInterrupt) once the start is over.

    Ctrl-C reaches the whole process group.  Mid-start it would hit worker processes before their
    preload ignores SIGINT, and the cluster's half-made state: dozens of lines of tracebacks.  So
    SIGINT is ignored meanwhile, which the worker processes started now inherit (an ignored signal
    stays ignored across exec, and Python then installs no KeyboardInterrupt handler), and blocked
    first in this process: Linux keeps a blocked signal pending even while its action is "ignore"
    (signal(7)), so once the handler is back and the block lifted the interrupt surfaces here, in
    the main thread, as one ordinary KeyboardInterrupt: the run closes the cluster and says
    ``interrupted`` (exit 130).
    """
    if not (active and hasattr(signal, "pthread_sigmask")
            and threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is not None):  # None: a handler set outside Python, kept
        yield
        return
    # multiprocessing's resource tracker unblocks SIGINT in the thread that first starts it (bpo-33613):
    # started here, before the block, it cannot lift the block in the cluster's threads later
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, handler)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@functools.cache
def _silence_at_exit() -> None:
    """Once per process: the loggers of CLOSE_LOGGERS go silent when the interpreter exits.

    distributed registers its own atexit hooks (closing clients and clusters still open) at import;
    hooks run last-registered first, so this one, registered later, silences them before they run.
    """
    atexit.register(lambda: [quiet_logger(name, SILENT).__enter__() for name, _ in CLOSE_LOGGERS])


class quiet_loggers(ExitStack):
    """``quiet_logger`` for each (name, level) pair, for one block."""

    def __init__(self, pairs: Sequence[tuple[str, int]]):
        super().__init__()
        self.pairs = pairs

    def __enter__(self) -> quiet_loggers:
        super().__enter__()
        for name, level in self.pairs:
            self.enter_context(quiet_logger(name, level))
        return self


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
        # distributed's config gives some descendants levels of their own (distributed.client WARNING,
        # tornado.application ERROR): those decide for themselves, so they are raised too
        prefix = self.logger.name + "."
        children = [child for name, child in list(logging.root.manager.loggerDict.items())
                    if name.startswith(prefix) and isinstance(child, logging.Logger) and child.level]
        targets: list[logging.Logger | logging.Handler] = [self.logger, *self.logger.handlers, *children]
        self.saved = [(t, t.level) for t in targets]
        for target, old in self.saved:
            if old < self.level:
                target.setLevel(self.level)
        return self

    def __exit__(self, *exc: object) -> None:
        for target, old in self.saved:
            target.setLevel(old)

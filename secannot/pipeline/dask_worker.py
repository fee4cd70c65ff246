"""Preloaded into each worker process of a LocalCluster that secannot starts (``--dask local:N``).

A terminal's Ctrl-C reaches the whole process group: the client and its
worker processes.  The client turns it into exit code 130 and closes the
cluster, which stops the workers; a worker that also took the interrupt
would print its own KeyboardInterrupt traceback first.  So workers ignore
SIGINT and leave the interrupt to the client.
"""

from __future__ import annotations

import signal
import threading


def dask_setup(worker: object) -> None:
    """Dask's preload hook: called once per worker, in the worker's process."""
    if threading.current_thread() is threading.main_thread():  # in-process workers (tests) run in a thread
        signal.signal(signal.SIGINT, signal.SIG_IGN)

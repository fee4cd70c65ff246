"""Keep numpy's short-lived large arrays off mmap (glibc only).

Inference allocates many temporary arrays of one to a few MiB per batch.
glibc serves such sizes with fresh mmap() calls and returns them on free, so
every batch pays page faults that zero the same memory again: on a proteome
this was a third of the run time, spent in the kernel.  Raising the mmap and
trim thresholds lets the heap recycle that memory instead.  The setting only
changes where memory comes from, never what is computed; elsewhere (musl,
macOS, Windows) this is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_done = False


def tune_for_batches(mmap_threshold: int = 64 << 20, trim_threshold: int = 256 << 20) -> bool:
    """Apply once per process; returns whether the C library accepted it."""
    global _done  # noqa: PLW0603 - process-wide C-library state, applied once
    if _done or not sys.platform.startswith("linux"):
        return _done
    name = ctypes.util.find_library("c") or "libc.so.6"
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    _done = bool(mallopt(_M_MMAP_THRESHOLD, mmap_threshold)) and bool(mallopt(_M_TRIM_THRESHOLD, trim_threshold))
    return _done


_blas_limited = False


def single_blas_thread() -> None:
    """Limit BLAS (OpenBLAS, MKL, BLIS) to one thread in this process, once.

    secannot's products are small (tens of channels), so extra BLAS threads
    only spin: measured on a 2-core machine, the default two threads doubled
    the CPU time for no gain, ran 4-7x slower on a busy machine, and made
    ``-j 2`` slower than ``-j 1``.  Parallelism comes from worker processes
    instead.  Done here, inside secannot, so no one has to export
    OPENBLAS_NUM_THREADS; uses threadpoolctl, which works after numpy is imported.
    """
    global _blas_limited  # noqa: PLW0603 - process-wide library state, applied once
    if _blas_limited:
        return
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
    _blas_limited = True

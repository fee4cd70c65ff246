"""An output stream whose write failures say which output failed and why, in the project's terms.

Every output secannot writes (standard output, an ``-o`` file) goes through one :class:`GuardedOutput`,
so no writer, command or third-party library writing to it (Click's help, Rich's tables, pyarrow's
Parquet writer) needs its own handling:

* a closed pipe (``| head``: ``BrokenPipeError``, EPIPE) becomes :class:`~secannot.errors.OutputClosed`,
  which the command line turns into a quiet stop with the exit code earned so far;
* any other ``OSError`` (``ENOSPC`` on a full disk or ``/dev/full``, ``EFBIG``, ``EIO``, ``EBADF`` on a
  closed standard output) becomes :class:`~secannot.errors.OutputError` (exit 4, one line); so does opening
  ``-o /dev/stdout`` when standard output is closed (:func:`closed_descriptor_named`).

Neither is an ``OSError``, so Click (which exits 1 on EPIPE) and Rich (which raises ``SystemExit(1)`` on
a broken pipe) let them through to ``secannot.cli.main``.
"""

from __future__ import annotations

import errno
import os
import re
from typing import Any

from secannot.errors import OutputClosed, OutputError

#: descriptors the process was started without (``>&-``), held by the null device so that no file opened
#: later takes their number (see :func:`occupy_closed`)
_STAND_INS: set[int] = set()

#: a name that reopens one of this process's descriptors: ``/dev/fd/N``, ``/proc/self/fd/N``, ``/proc/PID/fd/N``
_DESCRIPTOR_PATH = re.compile(r"/(?:dev/fd|proc/(?:self|thread-self|(?P<pid>\d+))/fd)/(?P<fd>\d+)")


def occupy_closed(fd: int) -> None:
    """Point ``fd`` at the null device when the process was started without it.

    An output opened later would otherwise get that number and receive whatever a library or a worker
    process writes to "standard output".  ``fd`` is remembered, so that ``-o /dev/stdout`` (which would
    reopen the null device and succeed silently) fails as writing to the closed descriptor does
    (:func:`closed_descriptor_named`).
    """
    try:
        os.fstat(fd)
    except OSError:
        null = os.open(os.devnull, os.O_WRONLY)
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
        _STAND_INS.add(fd)


def closed_descriptor_named(path: str) -> bool:
    """Whether ``path`` (``/dev/stdout``, ``/dev/fd/1``, ``/proc/self/fd/1``) names a descriptor the process was
    started without (:func:`occupy_closed`).

    The symlinks are followed by name, one at a time: :func:`os.path.realpath` would go on through
    ``/proc/self/fd/1`` to the null device standing in for it.
    """
    if not _STAND_INS:
        return False
    path = os.path.abspath(path)
    for _ in range(40):  # the kernel's own limit on a symlink chain
        match = _DESCRIPTOR_PATH.fullmatch(path)
        if match:
            own = match["pid"] is None or int(match["pid"]) == os.getpid()
            return own and int(match["fd"]) in _STAND_INS
        try:
            target = os.readlink(path)
        except OSError:  # not a symlink (or gone): a file of its own
            return False
        path = os.path.normpath(os.path.join(os.path.dirname(path), target))
    return False


def write_failure(name: str, exc: OSError) -> Exception:
    """The exception an ``OSError`` writing the output ``name`` stands for (see the module docstring)."""
    if isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE:
        return OutputClosed(name)
    return cannot_write(name, exc)


def cannot_write(name: str, cause: OSError | int) -> OutputError:
    """``<name>: cannot write output (<reason>)`` (exit 4) for an ``OSError`` or an errno number."""
    return OutputError(f"{name}: cannot write output ({os.strerror(cause) if isinstance(cause, int) else reason(cause)})")


def reason(exc: OSError) -> str:
    """The operating system's words for ``exc`` ("No space left on device"), without the errno prefix
    (pyarrow's own ``OSError`` says "Error writing bytes to file. Detail: [errno 28] ..." around them)."""
    if exc.errno:
        return os.strerror(exc.errno)
    return exc.strerror or str(exc)


class GuardedOutput:
    """``stream`` (text or binary) with ``write``, ``flush`` and ``close`` failures turned into
    :class:`OutputClosed` or :class:`OutputError` naming ``name`` ("stdout" or the ``-o`` path).

    Everything else (``isatty``, ``fileno``, ``encoding`` ...) is the stream's own;
    ``buffer`` (a text stream's bytes) is guarded too, for Parquet on standard output.
    ``failed`` is set once a write failed, so the caller can point the file descriptor elsewhere
    before the interpreter's last flush at exit tries the same write again.
    """

    def __init__(self, stream: Any, name: str):
        self._stream = stream
        self.name = name
        self._failed = False
        self._buffer: GuardedOutput | None = None

    @property
    def failed(self) -> bool:
        """Whether a write, flush or close of this output (or of its ``buffer``) failed."""
        return self._failed or (self._buffer is not None and self._buffer.failed)

    def write(self, data: Any) -> int:
        try:
            return self._stream.write(data)
        except OSError as exc:
            raise self._failure(exc) from None

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise self._failure(exc) from None

    def close(self) -> None:
        try:
            self._stream.close()
        except OSError as exc:
            raise self._failure(exc) from None

    @property
    def closed(self) -> bool:
        """The stream's own, or False for a stand-in that has none (a closed standard output, whose
        writes fail with EBADF): pyarrow takes a handle without ``closed`` for a closed file and raises
        ValueError before its first write, which would bypass the one-line error."""
        return bool(getattr(self._stream, "closed", False))

    @property
    def buffer(self) -> GuardedOutput:
        if self._buffer is None:
            self._buffer = GuardedOutput(self._stream.buffer, self.name)  # AttributeError when there is none
        return self._buffer

    def _failure(self, exc: OSError) -> Exception:
        self._failed = True
        return write_failure(self.name, exc)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._stream, attr)

    def __repr__(self) -> str:
        return f"GuardedOutput({self._stream!r}, {self.name!r})"

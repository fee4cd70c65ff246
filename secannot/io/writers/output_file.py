"""An output file (``-o``, ``--report``, ``--plot``, ``plot --out``): written under a temporary name beside
it, renamed into place only when the run succeeds.

A run that fails (an unreadable input, a wrong ``--id-column``, a usage error, Ctrl-C) must leave an
existing file as it was and a new one never created: a make rule or a pipeline would take a
half-written or header-only file for a result, and an output named like the input would destroy it.
The temporary file sits in the target's directory so that :func:`os.replace` is one atomic rename on
the same file system.  A target that exists and is not a regular file (``/dev/null``, a FIFO, a
terminal) cannot be replaced by a rename and is written directly.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable
from contextlib import suppress
from typing import IO

from secannot.errors import UsageError
from secannot.io.guarded import GuardedOutput, cannot_write, closed_descriptor_named, write_failure


def _is_special(path: str) -> bool:
    """True when ``path`` exists and is not a regular file (a device, FIFO or socket)."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _mode_for(target: str) -> int:
    """The permission bits the output gets: the replaced file's, else those a plain ``open`` would give."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


class OutputFile:
    """One output path, opened at the first write (:meth:`open`), then :meth:`commit` or :meth:`discard`.

    As a context manager (``with OutputFile(path, binary=True) as fh:``) it opens at once and commits when
    the block ends without an exception, discards otherwise: the form for a file written in one go
    (a figure, the HTML report).

    Errors: OutputError (exit 4) when the file or its temporary sibling cannot be created, written
    (a full disk: the handle :meth:`open` returns raises it on ``write``) or renamed.
    """

    def __init__(self, path: str, binary: bool = False):
        self.path = path
        self.binary = binary
        self._fh: IO | None = None
        self._guarded: GuardedOutput | None = None
        self._tmp: str | None = None  # None when writing directly (a special file)

    def open(self) -> IO:
        """The handle to write to (guarded: a failed write raises OutputError naming the path)."""
        if self._fh is None:
            self._fh = self._create()
            self._guarded = GuardedOutput(self._fh, self.path)
        return self._guarded  # type: ignore[return-value]

    def __enter__(self) -> IO:
        return self.open()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()

    def _create(self) -> IO:
        mode = "wb" if self.binary else "w"
        text = {} if self.binary else {"encoding": "utf-8", "newline": "\n"}
        if closed_descriptor_named(self.path):  # `-o /dev/stdout >&-`: as writing to the closed stdout
            raise cannot_write(self.path, errno.EBADF)
        try:
            if _is_special(self.path):
                return open(self.path, mode, **text)  # noqa: SIM115 - closed by commit or discard
            target = self._target()
            fd, self._tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".part",
                                             dir=os.path.dirname(target) or ".")
            os.chmod(self._tmp, _mode_for(target))
            return os.fdopen(fd, mode, **text)
        except OSError as exc:
            raise cannot_write(self.path, exc) from None

    def _target(self) -> str:
        """The file renamed over: a symlink's target, so the link keeps pointing where it did."""
        return os.path.realpath(self.path) if os.path.islink(self.path) else self.path

    def commit(self) -> None:
        """Close the file and put it in place (nothing happens when it was never opened)."""
        if self._fh is None:
            return
        fh, self._fh, self._guarded = self._fh, None, None
        try:
            fh.close()  # the last flush: on a full disk, this is where the error shows
            if self._tmp is not None:
                os.replace(self._tmp, self._target())
                self._tmp = None
        except OSError as exc:
            with suppress(OSError):
                fh.close()  # a failed flush may leave the descriptor open
            self._remove_tmp()
            raise write_failure(self.path, exc) from None

    def discard(self) -> None:
        """Close and drop what was written: the path keeps what it held before the run (or stays absent)."""
        if self._fh is not None:
            fh, self._fh, self._guarded = self._fh, None, None
            with suppress(OSError):
                fh.close()
        self._remove_tmp()

    def _remove_tmp(self) -> None:
        if self._tmp is not None:
            with suppress(OSError):
                os.remove(self._tmp)
            self._tmp = None


def refuse_input_as_output(output: str | None, inputs: Iterable[str], option: str = "-o") -> None:
    """UsageError (exit 2) when the output ``option`` (``-o``, ``--report``, ``--out`` ...) names the same file
    as an input (also through a symlink or a hard link): the run would overwrite what it reads."""
    if output in (None, "-") or not os.path.exists(output) or _is_special(output):
        return
    for path in inputs:
        if path == "-" or not path:
            continue
        with suppress(OSError):
            if os.path.samefile(output, path):
                raise UsageError(f"{option} {output} is the input {path}: write the output to another file")


def refuse_directory_output(output: str | None, fmt: str, dask: str | None, stem: str = "predictions") -> None:
    """UsageError (exit 2) for ``-o DIR/`` (or an existing directory) outside ``--dask --format parquet``.

    A directory output holds one Parquet part per chunk, which only Dask workers write (README,
    "Clusters (Dask)"); anywhere else the output is one file, and opening a directory as one
    would fail with a bare "No such file or directory" or "Is a directory".
    """
    if output in (None, "-") or not (output.endswith(("/", os.sep)) or os.path.isdir(output)):
        return
    if dask is not None and fmt == "parquet":
        return
    file = (os.path.join(output, f"{stem}.{fmt}") if os.path.isdir(output)
            else output.rstrip("/" + os.sep) + f".{fmt}")
    raise UsageError(f"-o {output}: a directory output (DIR/) holds the Parquet parts of a --dask run with "
                     "--format parquet; "
                     f"give a file name instead, e.g. -o {file}")

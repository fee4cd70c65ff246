"""The injectable entry point: ``main(argv, stdout, stderr, stdin)`` returns the exit code.

Domain errors (``SecannotError``) become one ``error: ...`` line on stderr and
their exit code; they never show a traceback.  An output that cannot be written is one of them
(``OutputError``, exit 4); a reader closing standard output (``OutputClosed``) is a quiet stop.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Sequence
from io import RawIOBase, UnsupportedOperation
from typing import BinaryIO, TextIO

from secannot import TOOL_NAME
from secannot.cli.streams import IO
from secannot.cli.version import version_text
from secannot.errors import ExitCode, OutputClosed, OutputError, SecannotError
from secannot.io.guarded import GuardedOutput, occupy_closed


def main(
    argv: Sequence[str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: BinaryIO | None = None,
) -> int:
    """Run secannot; returns the exit code instead of exiting.

    Standard output is written through a :class:`~secannot.io.guarded.GuardedOutput`, so for
    every command (and ``--help``, ``--version``) a reader closing it is a quiet stop with the code
    earned so far, and any other write failure (a full disk) one ``error:`` line and exit 4.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    err = stderr if stderr is not None else _LogStream(sys.stderr)
    inp = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
    out = GuardedOutput(stdout if stdout is not None else _process_stdout(), "stdout")
    io = IO(out, err, inp, args)  # type: ignore[arg-type]
    try:
        code = _run(args, io)
        out.flush()  # the last buffered rows: a full disk shows here, not as a traceback at exit
    except OutputClosed:
        code = io.earned_code()  # the reader went away (`| head`): no message, the code earned so far
    except OutputError as exc:
        err.write(f"error: {exc}\n")
        code = max(int(exc.exit_code), io.earned_code())
    if out.failed and stdout is None:
        _silence(sys.stdout)  # the interpreter flushes stdout at exit: that flush must not fail again
    if isinstance(err, _LogStream) and err.failed:
        _silence(sys.stderr)
    return code


class _LogStream:
    """Standard error for messages: a write that fails (``2>&1 | head -1`` once the reader left, ``2>/dev/full``,
    ``2>&-``) is dropped, as there is nowhere left to say so, and the run keeps its own exit code (Python
    would otherwise end it with a traceback it cannot print, and exit 1, which means "check found problems")."""

    def __init__(self, stream: TextIO | None):
        self._stream = stream
        self.failed = stream is None

    def write(self, text: str) -> int:
        if not self.failed:
            try:
                self._stream.write(text)  # type: ignore[union-attr]
                self._stream.flush()  # type: ignore[union-attr]
            except (OSError, ValueError):  # ValueError: the stream was closed
                self.failed = True
        return len(text)

    def flush(self) -> None:
        if not self.failed:
            try:
                self._stream.flush()  # type: ignore[union-attr]
            except (OSError, ValueError):
                self.failed = True

    def isatty(self) -> bool:
        return not self.failed and self._stream.isatty()  # type: ignore[union-attr]

    def __getattr__(self, attr: str):
        return getattr(self._stream, attr)


def _run(args: list[str], io: IO) -> int:
    if args in (["--version"], ["-V"]):  # fast path: no Typer, no numpy
        io.stdout.write(version_text())
        return 0
    from contextlib import redirect_stderr, redirect_stdout

    from secannot.cli.app import build_app
    from secannot.cli.usage import ABORT, CLICK_ERROR, command_path, is_help_request, one_line_error

    app = build_app()
    out, err = io.stdout, io.stderr
    try:
        # Outside standalone mode Click raises its usage errors instead of
        # printing a multi-line usage block, so every subcommand's bad command
        # line is reported here, once; --help and commands end with typer.Exit
        # (returned as the code).
        with redirect_stdout(out), redirect_stderr(err):
            code = app(args=args, prog_name=TOOL_NAME, obj=io, standalone_mode=False)
    except SystemExit as exc:  # shell completion still exits on its own
        if exc.code is None:
            return 0
        return exc.code if isinstance(exc.code, int) else int(ExitCode.USAGE)
    except CLICK_ERROR as exc:
        if is_help_request(exc):  # bare `secannot` / `secannot rules`: the help, as before
            err.write(exc.format_message() + "\n")
        else:
            err.write(one_line_error(exc, command_path(app, TOOL_NAME, args)) + "\n")
        return int(exc.exit_code)
    except ABORT:  # end of input at a prompt, as Click reports it
        err.write("Aborted!\n")
        return 1
    except OutputError:
        raise  # main() adds the code earned so far
    except SecannotError as exc:
        err.write(f"error: {exc}\n")
        return int(exc.exit_code)
    return code if isinstance(code, int) else 0


def _process_stdout() -> TextIO:
    """The process's standard output as secannot writes it.

    Closed (``secannot ... >&-``: ``sys.stdout`` is None): a stand-in whose writes fail with EBADF, so
    a command that writes to it ends with ``error: stdout: cannot write output (Bad file descriptor)``
    while ``-o FILE`` still works (``-o /dev/stdout`` fails the same way); descriptor 1 is pointed at
    the null device first, so that no output file or worker process takes it over.  Unbuffered
    (``python -u``, PYTHONUNBUFFERED): a line-buffered stream on the same descriptor instead, because
    an unbuffered text stream drops the rest of a short write (a disk filling up) without an error.
    """
    stream = sys.stdout
    if stream is None:
        occupy_closed(1)
        return _ClosedStdout()  # type: ignore[return-value]
    buffer = getattr(stream, "buffer", None)
    if isinstance(buffer, RawIOBase):
        stream.flush()
        return open(stream.fileno(), "w", buffering=1, encoding=stream.encoding, errors=stream.errors,  # noqa: SIM115
                    closefd=False)  # buffering=1: line-buffered text on a buffered (short-write safe) binary stream
    return stream


class _ClosedStdout:
    """Standard output when the process was started without one; text and bytes writes alike fail."""

    encoding = "utf-8"

    def write(self, data: object) -> int:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise UnsupportedOperation("standard output is closed")

    @property
    def buffer(self) -> _ClosedStdout:
        return self


def _silence(stream: TextIO | None) -> None:
    """Point ``stream``'s descriptor at the null device (after a failed write, or once the reader left)."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    try:
        if stream is not None:
            os.dup2(null, stream.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(null)


def entry_point() -> None:
    """Console-script entry: exit with main()'s code."""
    sys.exit(main())

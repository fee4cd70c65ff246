"""The injectable entry point: ``main(argv, stdout, stderr, stdin)`` returns the exit code.

Domain errors (``SecannotError``) become one ``error: ...`` line on stderr and
their exit code; they never show a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import BinaryIO, TextIO

from secannot import TOOL_NAME
from secannot.cli.streams import IO
from secannot.cli.version import version_text
from secannot.errors import ExitCode, SecannotError


def main(
    argv: Sequence[str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: BinaryIO | None = None,
) -> int:
    """Run secannot; returns the exit code instead of exiting."""
    args = list(sys.argv[1:] if argv is None else argv)
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    inp = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
    if args in (["--version"], ["-V"]):  # fast path: no Typer, no numpy
        out.write(version_text())
        return 0
    from contextlib import redirect_stderr, redirect_stdout

    from secannot.cli.app import build_app

    app = build_app()
    io = IO(out, err, inp, args)
    try:
        # Typer's standalone mode prints usage errors and help itself and ends
        # with SystemExit; commands end with typer.Exit(code).
        with redirect_stdout(out), redirect_stderr(err):
            app(args=args, prog_name=TOOL_NAME, obj=io)
    except SystemExit as exc:
        if exc.code is None:
            return 0
        return exc.code if isinstance(exc.code, int) else int(ExitCode.USAGE)
    except SecannotError as exc:
        err.write(f"error: {exc}\n")
        return int(exc.exit_code)
    return 0


def entry_point() -> None:
    """Console-script entry: exit with main()'s code."""
    sys.exit(main())

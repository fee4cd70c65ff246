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
    from secannot.cli.usage import ABORT, CLICK_ERROR, command_path, is_help_request, one_line_error

    app = build_app()
    io = IO(out, err, inp, args)
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
    except SecannotError as exc:
        err.write(f"error: {exc}\n")
        return int(exc.exit_code)
    return code if isinstance(code, int) else 0


def entry_point() -> None:
    """Console-script entry: exit with main()'s code."""
    sys.exit(main())

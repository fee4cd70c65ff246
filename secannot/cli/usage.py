"""Command-line usage errors as one ``error: ...`` line.

Click (vendored inside Typer from 0.2x, a separate package before) shows a
usage error as a usage block, a hint and the message over four lines; the
project's rule is one line naming the problem, exit code 2.  Typer exports
neither ``UsageError`` nor ``ClickException`` publicly, so both are found
through the public ``typer.BadParameter``'s bases, which works with either
layout.
"""

from __future__ import annotations

import typer


def _base(cls: type, name: str) -> type:
    return next(c for c in cls.__mro__ if c.__name__ == name)


USAGE_ERROR: type = _base(typer.BadParameter, "UsageError")
CLICK_ERROR: type = _base(typer.BadParameter, "ClickException")
ABORT: tuple[type, ...] = tuple({c for c in typer.Abort.__mro__ if c.__name__ == "Abort"})


def is_help_request(exc: BaseException) -> bool:
    """A group called without a command (``no_args_is_help``): its message is the help text."""
    return type(exc).__name__ == "NoArgsIsHelpError"


def one_line_error(exc) -> str:
    """``error: <Click's message>`` on one line; usage errors end with a ``--help`` hint for their command.

    Typer's pydantic-based validation prefixes choice errors with
    ``Value error,``; that says nothing to a user and is dropped.
    """
    message = " ".join(exc.format_message().split())
    message = message.replace(": Value error, ", ": ")
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, USAGE_ERROR) and ctx is not None:
        return f"error: {message} (try '{ctx.command_path} --help')"
    return f"error: {message}"

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


def command_path(app, prog: str, args: list[str]) -> str:
    """The (sub)command the arguments name, as Click spells it (``secannot rules show``), for errors
    Click raises without a context (an option missing its value)."""
    command, path = typer.main.get_command(app), [prog]
    for token in args:
        commands = getattr(command, "commands", None) or {}  # a group's subcommands (Click may be vendored)
        if token.startswith("-") or token not in commands:
            break
        command = commands[token]
        path.append(token)
    return " ".join(path)


def one_line_error(exc, fallback: str | None = None) -> str:
    """``error: <Click's message>`` on one line; usage errors end with a ``--help`` hint for their command
    (``fallback``, from :func:`command_path`, when Click gives the error no context).

    Typer's pydantic-based validation prefixes choice errors with
    ``Value error,``; that says nothing to a user and is dropped.
    """
    message = " ".join(exc.format_message().split())
    message = message.replace(": Value error, ", ": ")
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, USAGE_ERROR) and (ctx is not None or fallback):
        return f"error: {message} (try '{ctx.command_path if ctx is not None else fallback} --help')"
    return f"error: {message}"

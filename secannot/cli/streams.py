"""The streams of one invocation and the exit-code help, importable without Typer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO, TextIO

from secannot.errors import EXIT_CODE_HELP


@dataclass
class IO:
    """The streams and raw arguments of one invocation."""

    stdout: TextIO
    stderr: TextIO
    stdin: BinaryIO | None
    argv: list[str] = field(default_factory=list)


def exit_code_help() -> str:
    lines = ["\b", "Exit codes:"] + [f"  {int(code):>3}  {text}" for code, text in EXIT_CODE_HELP.items()]
    return "\n".join(lines)

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
    #: the run's Diagnostics, so a closed stdout (``| head``) still exits with the code earned so far
    diagnostics: list = field(default_factory=list)
    #: the least exit code a closed stdout stands for (``check``: stdout only carries findings, so 1)
    broken_pipe_code: int = 0

    def earned_code(self) -> int:
        """The highest exit code the run had earned when it stopped (0 if nothing went wrong)."""
        return max([self.broken_pipe_code, *(int(d.exit_code) for d in self.diagnostics)])


def exit_code_help() -> str:
    lines = ["\b", "Exit codes:"] + [f"  {int(code):>3}  {text}" for code, text in EXIT_CODE_HELP.items()]
    return "\n".join(lines)

"""A progress bar on stderr for long runs, and nothing at all otherwise.

Progress is shown only when stderr is a terminal and the user did not ask
for quiet output, so pipelines and log files never see control characters.
Rich is imported only when a bar is actually drawn.
"""

from __future__ import annotations

import os
from typing import Any, TextIO


def isatty(stream: object) -> bool:
    """True when ``stream`` is a terminal (False for anything without ``isatty``, e.g. a StringIO in tests)."""
    check = getattr(stream, "isatty", None)
    return bool(check and check())


def wants_progress(stream: TextIO, quiet: bool) -> bool:
    """A bar only on a terminal, and never with --quiet, SECANNOT_NO_PROGRESS, NO_COLOR or TERM=dumb.

    NO_COLOR (https://no-color.org: set and not empty) asks for plain output;
    a redrawn bar is cursor control, so it goes too, as the README promises.
    """
    if quiet or os.environ.get("SECANNOT_NO_PROGRESS") or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    return isatty(stream)


class ProgressBar:
    """Counts records (and bytes, when the input size is known, for an ETA)."""

    def __init__(self, stream: TextIO, enabled: bool, description: str, total: int | None = None):
        self._bar: Any = None
        self._task: Any = None
        self.enabled = enabled
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeRemainingColumn,
        )

        console = Console(file=stream, no_color=bool(os.environ.get("NO_COLOR")))
        columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[rate]}"), TimeRemainingColumn()]
        self._bar = Progress(*columns, console=console, transient=True)
        self._task = self._bar.add_task(description, total=total, rate="")
        self._bar.start()

    def update(self, completed: int, total: int | None = None, rate: float | None = None) -> None:
        if self._bar is None:
            return
        fields = {"rate": f"{rate:,.0f}/s" if rate else ""}
        self._bar.update(self._task, completed=completed, total=total, **fields)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

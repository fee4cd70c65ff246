"""Command-line interface: one module per command, each parsing options and calling core functions.

``main(argv, stdout, stderr, stdin)`` is injectable for tests and embedding and
returns the exit code.  Importing this package is cheap: Typer, numpy and the
command modules load only when a command runs (``--version`` never loads them).
"""

from secannot.cli.main import entry_point, main

__all__ = ["entry_point", "main"]

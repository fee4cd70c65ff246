"""Domain errors and the one table that maps them to exit codes.

Every user-facing failure is an instance of :class:`SecannotError`; the CLI
catches exactly this family, prints ``str(error)`` on one line and exits with
``error.exit_code``.  Anything else is a bug and is allowed to show a traceback.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes, documented in ``secannot --help`` and the README.

    When several conditions occur in one run, the highest code wins, so a run
    that both rejected a record (3) and could not reach UniProt (6) exits 6.
    """

    OK = 0
    FINDINGS = 1  # `check` / `rules lint` found problems, `rules show` found nothing
    USAGE = 2  # bad command line (Click's own code)
    REJECTED = 3  # some records or ids were rejected; the good ones were written
    INPUT = 4  # an input could not be read at all (missing, empty, not FASTA), or an output not written
    RULES = 5  # a rule file is invalid or has an incompatible schema
    NETWORK = 6  # UniProt unreachable, failing after retries, or not in the offline cache
    DEPENDENCY = 7  # an optional dependency (plotting, Parquet, Dask, pandas) is not installed
    INTERRUPTED = 130  # Ctrl-C


EXIT_CODE_HELP = {
    ExitCode.OK: "success",
    ExitCode.FINDINGS: "check or rules lint found problems; rules diff --exit-code found differences; "
                       "rules show found no entry",
    ExitCode.USAGE: "usage error (unknown option, bad value)",
    ExitCode.REJECTED: "some records or ids were rejected (named on stderr); the rest were written",
    ExitCode.INPUT: "an input could not be read (missing, unreadable, empty or not FASTA) or an output could not be written",
    ExitCode.RULES: "a rule file is invalid, has an incompatible schema_version or collides with another layer, or a --rules (or rules diff) directory holds no rule file",
    ExitCode.NETWORK: "UniProt unreachable or failing after retries, --offline cache miss, or the --dask scheduler unreachable",
    ExitCode.DEPENDENCY: "an optional dependency is missing: the message names the extra to install "
                         "(secannot[report], [parquet], [dask] or [pandas])",
    ExitCode.INTERRUPTED: "interrupted",
}


class SecannotError(Exception):
    """Base for every error a user can cause; carries its exit code."""

    exit_code: ExitCode = ExitCode.INPUT


class UsageError(SecannotError):
    exit_code = ExitCode.USAGE


class InputError(SecannotError):
    """An input as a whole is unusable (missing, empty, binary, not FASTA)."""

    exit_code = ExitCode.INPUT


class OutputError(SecannotError):
    """An output (standard output, an ``-o`` file, a Parquet part) could not be written: a full disk, a quota,
    an I/O error, a closed standard output.  The message is ``<stdout or the path>: cannot write output (<reason>)``.

    Not an :class:`InputError`, so code that skips an unreadable input and goes on with the next never
    takes a failing output for one.
    """

    exit_code = ExitCode.INPUT


class OutputClosed(Exception):  # noqa: N818 - not an error: the reader stopped reading
    """The reader of an output went away (``secannot predict x.fa | head``: a closed pipe, EPIPE).

    Not a :class:`SecannotError`: the run stops quietly, with no message and the exit code it had earned
    so far.  Deliberately not an ``OSError`` either: Click and Rich take a ``BrokenPipeError`` for their
    own and exit 1, which would read as "check found problems".
    """


class RulesError(SecannotError):
    exit_code = ExitCode.RULES


class SchemaVersionError(RulesError):
    """A rule file declares a schema this version of secannot cannot read."""


class NetworkError(SecannotError):
    exit_code = ExitCode.NETWORK


class MissingDependencyError(SecannotError):
    exit_code = ExitCode.DEPENDENCY


class ModelError(SecannotError):
    """The bundled or user-supplied model weights cannot be used."""

    exit_code = ExitCode.INPUT

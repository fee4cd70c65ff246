"""Where rejected records, warnings and progress messages go.

A single :class:`Diagnostics` object is created per run and passed down
explicitly.  It writes one line per problem to the error stream (never
stdout, which carries only data) and remembers the most severe exit code, so
that a run can keep processing good records after a bad one and still end
with a non-zero status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TextIO

from secannot.errors import ExitCode

#: C0 controls but tab, DEL, C1 controls, the Unicode line/paragraph separators and the bidirectional
#: embedding, override and isolate marks: never written to a terminal or a file as they are (they would
#: move the cursor, start a new line, or make an id display reversed, as in "Trojan Source" attacks).
_CONTROLS = {c: repr(chr(c))[1:-1] for c in (*range(0, 9), *range(10, 32), *range(0x7F, 0xA0))}
_CONTROLS.update({c: f"\\u{c:04x}" for c in (0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))})


#: A byte that was not UTF-8, as the 'surrogateescape' error handler keeps it in a str
UNDECODABLE = re.compile("[\udc80-\udcff]")
_CONTROL_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_CONTROLS)) + "]")


def is_control(ch: str) -> bool:
    """True for a character that must not reach a terminal or a table raw (tab is allowed)."""
    return ord(ch) in _CONTROLS


def has_control(text: str) -> bool:
    """True when ``text`` holds any character :func:`is_control` names (one regex scan, for hot paths)."""
    return _CONTROL_RE.search(text) is not None


def escape_controls(text: str) -> str:
    """``text`` with control characters written as Python escapes (``\\x1b``), so a line stays one line."""
    return text.translate(_CONTROLS)


def escape_text(text: str) -> str:
    """``text`` printable on one line: what Python does not count as printable is escaped.

    On top of :func:`escape_controls` that is tab, invisible format characters such as the zero-width
    space (``\\u200b``) and spaces other than ' '; a byte that was not valid UTF-8 (a
    ``surrogateescape`` character) is shown as that byte (``\\x81``), not as a control character.
    Used for ids that become data (a FASTA id with such a byte, a table's id cell); messages use
    :func:`escape_id`.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _escaped_char(ch) for ch in text)


def escape_id(text: str) -> str:
    """An id (or any user-given item) as every message shows it: one line, nothing invisible, no ': '.

    The one escaping function for ids in messages (FASTA rejections, ``check`` findings, table rows,
    id lists, the Python API's errors): :func:`escape_text`, and a ``': '`` inside the id written
    ``':\\x20'``.  Messages read ``file:line: id: reason``, so the first ``': '`` after the location
    always ends the id (``t.tsv:4: sp|X:\\x20Y: ...`` for the id ``sp|X: Y``), as ``annotate --tsv``
    ``error`` cells promise.  Idempotent: an escaped id escapes to itself.
    """
    shown = escape_text(text)
    return shown.replace(": ", ":\\x20") if ": " in shown else shown


def _escaped_char(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, kept by the 'surrogateescape' error handler
        return f"\\x{code - 0xDC00:02x}"
    return repr(ch)[1:-1]  # repr escapes every character str.isprintable() refuses


@dataclass(frozen=True, slots=True)
class Rejection:
    """One input item that produced no output row, and why."""

    source: str
    line: int | None
    record: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {escape_id(self.record)}: {self.reason}" if self.record else f"{where}: {self.reason}"

    def as_dict(self) -> dict:
        return {"source": self.source, "line": self.line, "record": self.record, "reason": self.reason}


@dataclass
class Diagnostics:
    stream: TextIO
    verbosity: int = 0  # -1 quiet, 0 normal, 1 verbose
    rejections: list[Rejection] = field(default_factory=list)
    exit_code: ExitCode = ExitCode.OK

    def escalate(self, code: ExitCode) -> None:
        if code > self.exit_code:
            self.exit_code = code

    def reject(self, source: str, line: int | None, record: str, reason: str) -> Rejection:
        """Account for an item that will not appear in the output."""
        rej = Rejection(source, line, record, reason)
        self.rejections.append(rej)
        self.escalate(ExitCode.REJECTED)
        # Rejections are always printed, even with --quiet: they are the
        # only trace of a record that is missing from the output.
        self._write(f"error: {rej}")
        return rej

    def unreadable(self, source: str, message: str, code: ExitCode = ExitCode.INPUT) -> None:
        """An input that could not be read at all (missing, not FASTA).

        It is kept with the rejections (an empty ``record``), so that JSON and
        GFF3 output account for it as they do for a bad record.
        """
        self.rejections.append(Rejection(source, None, "", message.removeprefix(f"{source}: ")))
        self.error(message, code)

    def error(self, message: str, code: ExitCode) -> None:
        self.escalate(code)
        self._write(f"error: {message}")

    def warn(self, message: str) -> None:
        if self.verbosity >= 0:
            self._write(f"warning: {message}")

    def info(self, message: str) -> None:
        if self.verbosity >= 1:
            self._write(message)

    def _write(self, line: str) -> None:
        self.stream.write(escape_controls(line) + "\n")
        self.stream.flush()

"""UniProt accession syntax and id lists, checked before any request is made.

A malformed id is the user's mistake, not UniProt's, so it is rejected
locally with a precise reason (and its line number when it came from a file)
instead of costing a request that would only answer 400.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from secannot.errors import InputError
from secannot.io.headers import ACCESSION_PATTERN  # the one definition of the official pattern
from secannot.io.tables import raw_lines

_ACCESSION_RE = re.compile(
    rf"(?P<base>{ACCESSION_PATTERN})(?:-(?P<isoform>[0-9]{{1,3}}))?(?:\.(?P<version>[0-9]{{1,4}}))?"
)
# `sp|P05067|A4_HUMAN ...` and `tr|...` as found in UniProt FASTA headers.
_DB_PREFIX_RE = re.compile(r"^(?:sp|tr)\|(?P<acc>[^|\s]+)(?:\|.*)?$", re.IGNORECASE)
# Entry names (A4_HUMAN) are a common mix-up; recognising them gives a better message.
_ENTRY_NAME_RE = re.compile(r"^[A-Z0-9]{1,10}_[A-Z0-9]{1,5}$")
STDIN_NAME = "<stdin>"


@dataclass(frozen=True, slots=True)
class Accession:
    """A parsed accession: ``P21802-2.3`` is base P21802, isoform 2, sequence version 3."""

    base: str
    isoform: int | None = None
    version: int | None = None

    @property
    def key(self) -> str:
        """What is fetched and cached: the accession plus its isoform, never the version."""
        return f"{self.base}-{self.isoform}" if self.isoform is not None else self.base

    def __str__(self) -> str:
        return self.key if self.version is None else f"{self.key}.{self.version}"


class AccessionSyntaxError(ValueError):
    """The text cannot be a UniProt accession; ``str()`` is a one-line reason."""


def normalize(text: str) -> str:
    """Trim whitespace, upper-case, and unwrap ``sp|ACC|NAME`` / ``tr|ACC|NAME`` forms."""
    cleaned = text.strip()
    match = _DB_PREFIX_RE.match(cleaned)
    if match:
        cleaned = match.group("acc")
    return cleaned.upper()


def parse_accession(text: str) -> Accession:
    """Parse one id as typed by a user; raises :class:`AccessionSyntaxError`."""
    cleaned = normalize(text)
    if not cleaned:
        raise AccessionSyntaxError("empty id")
    match = _ACCESSION_RE.fullmatch(cleaned)
    if match is None:
        raise AccessionSyntaxError(_why_not(cleaned))
    isoform = match.group("isoform")
    version = match.group("version")
    return Accession(
        base=match.group("base"),
        isoform=int(isoform) if isoform is not None else None,
        version=int(version) if version is not None else None,
    )


def is_accession(text: str) -> bool:
    try:
        parse_accession(text)
    except AccessionSyntaxError:
        return False
    return True


def _why_not(cleaned: str) -> str:
    if _ENTRY_NAME_RE.match(cleaned):
        return "looks like a UniProt entry name, not an accession (use e.g. P05067, or map gene symbols)"
    if any(ch.isspace() for ch in cleaned):
        return "contains whitespace; give one accession per item"
    return "not a UniProt accession (expected e.g. P05067, P05067-2 or A0A0A0MRG2)"


@dataclass(frozen=True, slots=True)
class IdLine:
    """One id read from a list, with where it came from for error messages."""

    text: str
    source: str
    line: int


def iter_ids(lines: Iterable[str], source: str) -> Iterator[IdLine]:
    """Yield the ids in a text list; blank lines and ``#`` comments are skipped.

    Several ids may share a line, separated by whitespace or commas, because
    that is how ids get pasted from spreadsheets and papers; a pasted FASTA
    header (``>sp|P05067|A4_HUMAN Amyloid...``) contributes only its first word.
    """
    for number, raw in enumerate(lines, start=1):
        content = raw.split("#", 1)[0].strip()
        if content.startswith(">") or _DB_PREFIX_RE.match(content.split(maxsplit=1)[0] if content else ""):
            # A pasted FASTA header: only its first word is an id, the rest is a description.
            content = content.lstrip(">").split(maxsplit=1)[0] if content.lstrip(">") else ""
        for token in re.split(r"[\s,;]+", content):
            if token:
                yield IdLine(token, source, number)


def _text_lines(handle: Iterable[str], source: str) -> Iterator[str]:
    for number, line in enumerate(handle, start=1):
        if "\x00" in line:
            raise InputError(f"{source}: not a text file (NUL byte on line {number})")
        yield line


def read_id_list(path: str | Path, stdin: TextIO | None = None) -> list[IdLine]:
    """Read an id list from a file, or from stdin when ``path`` is ``-``.

    Raises :class:`InputError` when the list cannot be read or holds no id,
    since nothing useful can come out of such a run.
    """
    if str(path) == "-":
        stream = stdin if stdin is not None else sys.stdin
        binary = getattr(stream, "buffer", None)  # read as bytes, as a file is (a text handle is read as text)
        ids = list(iter_ids(raw_lines(binary) if binary is not None else stream, STDIN_NAME))
        source = STDIN_NAME
    else:
        source = str(path)
        try:
            # Excel's byte-order mark is dropped; a byte that is not UTF-8 stays that byte (a surrogateescape
            # character), shown \xNN in messages as in FASTA ids and tables, never as a Windows-1252 letter
            with open(path, encoding="utf-8-sig", errors="surrogateescape") as handle:
                ids = list(iter_ids(_text_lines(handle, source), source))
        except FileNotFoundError as err:
            raise InputError(f"{source}: no such file") from err
        except IsADirectoryError as err:
            raise InputError(f"{source}: is a directory, not an id list") from err
        except OSError as err:
            raise InputError(f"{source}: cannot read: {err.strerror}") from err
    if not ids:
        raise InputError(f"{source}: contains no ids (only blank lines or comments)")
    return ids

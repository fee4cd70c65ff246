"""What the UniProt client is configured with and what it answers: settings, statuses, resolutions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from secannot import TOOL_NAME, __version__
from secannot.errors import ExitCode, UsageError
from secannot.uniprot.cache import default_cache_dir
from secannot.uniprot.entry import UniProtEntry

ProgressCallback = Callable[[int, int], None]

DEFAULT_BASE_URL = "https://rest.uniprot.org"

PROJECT_URL = "https://github.com/secannot/secannot"


class Status(StrEnum):
    OK = "ok"
    MERGED = "merged"
    MALFORMED = "malformed"
    NOT_FOUND = "not_found"
    DELETED = "deleted"
    DEMERGED = "demerged"
    AMBIGUOUS = "ambiguous"
    NO_MATCH = "no_match"
    UNAVAILABLE = "unavailable"
    NOT_CACHED = "not_cached"

    @property
    def has_entry(self) -> bool:
        return self in (Status.OK, Status.MERGED)

    @property
    def exit_code(self) -> ExitCode:
        """The exit code this outcome calls for (the CLI keeps the highest)."""
        if self.has_entry:
            return ExitCode.OK
        if self in (Status.UNAVAILABLE, Status.NOT_CACHED):
            return ExitCode.NETWORK
        return ExitCode.REJECTED


@dataclass(frozen=True)
class UniProtConfig:
    """Everything the client needs, passed explicitly (no module globals)."""

    base_url: str = DEFAULT_BASE_URL
    cache_dir: Path = field(default_factory=default_cache_dir)
    offline: bool = False
    email: str | None = None
    timeout: tuple[float, float] = (5.0, 60.0)  # connect, read
    max_retries: int = 5
    backoff: float = 1.0  # first retry waits this long, then doubles
    max_wait: float = 60.0  # longest single wait; a longer Retry-After ends the run's UniProt part at once
    max_total_wait: float = 120.0  # all waits between retries in one run, together
    request_deadline: float = 60.0  # one attempt, from connecting to the last byte (seconds)
    run_deadline: float = 3600.0  # all UniProt traffic of one run (seconds)
    max_response_bytes: int = 64 << 20  # one answer; a page of entries is a few MB
    taxon: int = 9606
    #: Cached answers older than this are fetched again when online (UniProt
    #: releases every eight weeks); ``None`` keeps them forever.  Offline
    #: runs use the cache whatever its age.
    cache_max_age_days: float | None = 56.0

    def __post_init__(self) -> None:
        parsed = urlparse(self.base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise UsageError(f"invalid UniProt URL {self.base_url!r}: expected e.g. {DEFAULT_BASE_URL}")
        if self.max_retries < 0 or self.backoff < 0 or self.max_wait < 0 or self.max_total_wait < 0:
            raise UsageError("UniProt retry settings must not be negative")
        if self.request_deadline <= 0 or self.run_deadline <= 0 or self.max_response_bytes <= 0:
            raise UsageError("UniProt deadlines and the response size cap must be positive")

    @property
    def api_root(self) -> str:
        return self.base_url.rstrip("/")

    @property
    def user_agent(self) -> str:
        agent = f"{TOOL_NAME}/{__version__} (+{PROJECT_URL})"
        return f"{agent} mailto:{self.email}" if self.email else agent


@dataclass(frozen=True, slots=True)
class Resolution:
    """What became of one id or symbol the user gave."""

    query: str
    status: Status
    entry: UniProtEntry | None = None
    message: str = ""
    candidates: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "status": str(self.status),
            "accession": self.entry.accession if self.entry else None,
            "message": self.message,
            "candidates": list(self.candidates),
        }


@dataclass(frozen=True, slots=True)
class Choice:
    """The accession picked for a gene symbol, and anything notable about the pick."""

    accession: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """The answer for one accession key, before it is worded for a query."""

    status: Status
    detail: str
    entry: UniProtEntry | None = None
    candidates: tuple[str, ...] = ()
    merged_into: str | None = None  # set for an Inactive MERGED answer still to be followed

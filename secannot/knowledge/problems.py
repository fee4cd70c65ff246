"""One finding of ``rules lint``, as ``path:line: message``, so that editors and pre-commit can jump to it."""

from __future__ import annotations

from dataclasses import dataclass, field

Path_ = tuple[str | int, ...]  # a JSON path into the document


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str
    severity: str = "error"
    # 'schema_version' when the file declares a schema this secannot cannot read, so
    # that the loader can raise SchemaVersionError rather than a generic RulesError.
    code: str = field(default="", compare=False, repr=False)

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {prefix}{self.message}"

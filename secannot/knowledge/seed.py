"""The founding review split into numbered sections, so that lint can check every seed quote.

Rule evidence cites the review by section (``{seed: "3.2", quote: "..."}``); a quote
counts as found when it occurs, whitespace collapsed, in the text of that section
or of one of its subsections (a citation of "3" covers 3.1-3.5).  Headings are
lines such as ``2.1 Secretome`` or `` 3. TUMOR-STROMA INTERACTION``; a line only
counts as a heading when its number comes after the previous heading's, which
keeps numbered sentences out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from secannot.errors import InputError

_HEADING = re.compile(r"^\s*(\d+(?:\.\d+)?)\.?\s+([A-Z][^\n]{0,90})$")
_SPACE = re.compile(r"\s+")


def collapse(text: str) -> str:
    """Whitespace runs (line breaks included) become one space; quotes and text compare in this form."""
    return _SPACE.sub(" ", text).strip()


def _key(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split("."))


@dataclass(frozen=True)
class SeedText:
    """Section number -> collapsed text of that section alone (without its subsections)."""

    path: str
    sections: dict[str, str]

    def text(self, section: str) -> str:
        """The section and its subsections; empty when the review has no such section."""
        return " ".join(t for s, t in self.sections.items() if s == section or s.startswith(section + "."))

    def find(self, quote: str) -> list[str]:
        """Sections (alone) whose text contains the quote, for a 'found in ...' hint."""
        wanted = collapse(quote)
        return [s for s, t in self.sections.items() if wanted in t]

    def contains(self, section: str, quote: str) -> bool:
        return collapse(quote) in self.text(section)


def split_sections(text: str, path: str = "<seed>") -> SeedText:
    """Split the review at its numbered headings; text before the first heading is section '0'."""
    sections: dict[str, list[str]] = {"0": []}
    current = "0"
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match and _key(match.group(1)) > _key(current):
            current = match.group(1)
            sections.setdefault(current, [])
            continue
        sections[current].append(line)
    return SeedText(path, {s: collapse("\n".join(lines)) for s, lines in sections.items()})


def read_seed(path: str | Path) -> SeedText:
    """Raises InputError when the file cannot be read or has no numbered sections."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the seed review ({exc})") from None
    seed = split_sections(text, str(path))
    if len(seed.sections) < 2:
        raise InputError(f"{path}: no numbered section headings ('2.1 Title') found; is this the seed review?")
    return seed

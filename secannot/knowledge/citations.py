"""Full citations for evidence items, and rule notes fit for readers.

Rule files cite the project's founding review by section only (``{seed: "3.2"}``,
and ``sources.seed`` in each file names the review by its local file name),
which a reader of the output cannot follow.  Every user-facing output
(``rules show``, its JSON, the HTML report) resolves ``seed`` through
:data:`FOUNDING_REVIEW` here, so the bibliographic record lives in one place
and rule files stay short.

Rule notes are written for curators and sometimes record how a fact was
checked ("the knowledge table's unverified year confirmed").  Those remarks
are true but mean nothing to a reader of a report; :func:`public_note` drops
them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from secannot.knowledge.schema import ENTRY_CLAIM_GROUPS


@dataclass(frozen=True, slots=True)
class Reference:
    """A bibliographic record; ``sections`` maps section numbers to their titles."""

    authors: str
    title: str
    journal: str
    volume: str
    issue: str
    doi: str
    sections: Mapping[str, str]

    @property
    def url(self) -> str:
        return f"https://doi.org/{self.doi}"

    def citation(self) -> str:
        """'J. Bersano, "Title", JOSHA 11(3), doi:10.17160/josha.11.3.991'."""
        return f'{self.authors}, "{self.title}", {self.journal} {self.volume}({self.issue}), doi:{self.doi}'

    def section_label(self, section: str) -> str:
        """'section 3.2 (Cancer-associated fibroblasts)', or just the number when the title is not known."""
        title = self.sections.get(section)
        return f"section {section} ({title})" if title else f"section {section}"

    def as_dict(self) -> dict[str, str]:
        return {"authors": self.authors, "title": self.title, "journal": self.journal, "volume": self.volume,
                "issue": self.issue, "doi": self.doi, "url": self.url, "citation": self.citation()}


#: The founding review of the project: every ``seed`` evidence item cites a section of it.
#: Section titles as numbered in the review (checked against ../shared/seed/).
FOUNDING_REVIEW = Reference(
    authors="J. Bersano",
    title=("The Dysregulation of the Secretome in the Tumor Microenvironment: A Potential Source for Biomarker "
           "Discovery and Personalized Cancer Treatment"),
    journal="JOSHA",
    volume="11",
    issue="3",
    doi="10.17160/josha.11.3.991",
    sections={
        "1": "Introduction",
        "2": "Secretome in cancer",
        "2.1": "Secretome",
        "2.2": "Secretome in cancer-related processes",
        "2.3": "Detecting biomarkers in the secretome in biological fluids",
        "3": "Tumor-stroma interaction",
        "3.1": "The tumor microenvironment",
        "3.2": "Cancer-associated fibroblasts",
        "3.3": "The extracellular matrix",
        "3.4": "Immune cells",
        "3.5": "Clinical implications and future perspectives",
        "4": "Conclusions",
    },
)


def seed_citation(section: Any) -> str:
    """The founding review in full with the cited section, e.g. for a ``{seed: "3.2"}`` evidence item."""
    return f"{FOUNDING_REVIEW.citation()}, {FOUNDING_REVIEW.section_label(str(section))}"


def seed_short(section: Any) -> str:
    """'§3.2 (Cancer-associated fibroblasts)': the section, for a line that has the full reference nearby."""
    title = FOUNDING_REVIEW.sections.get(str(section))
    return f"§{section} ({title})" if title else f"§{section}"


def seed_reference(section: Any) -> dict[str, str]:
    """Machine-readable form of :func:`seed_citation`, for JSON outputs."""
    return {**FOUNDING_REVIEW.as_dict(), "section": str(section), "citation": seed_citation(section)}


#: The claim groups of a rule entry: ``nonclassical`` holds one claim (a mapping), the others lists of claims.


def cites_seed(entry: Mapping[str, Any]) -> bool:
    """True when any claim of a rule entry (its data, as written) cites the founding review by section.

    A claim cites it with an evidence item holding ``seed``; outputs that show
    such an entry then print :data:`FOUNDING_REVIEW` in full once (``rules show``,
    its JSON, ``annotate`` JSON).  Every claim group counts, the non-classical
    claim included, so all outputs agree on one entry.  Parts of the wrong type
    (rules read without validation) are skipped, never raised on.
    """
    for group in ENTRY_CLAIM_GROUPS:
        raw = entry.get(group)
        if group == "nonclassical":
            claims = [raw] if isinstance(raw, Mapping) else []
        else:
            claims = raw if isinstance(raw, list) else []
        for claim in claims:
            evidence = claim.get("evidence") if isinstance(claim, Mapping) else None
            if isinstance(evidence, list) and any(isinstance(item, Mapping) and "seed" in item for item in evidence):
                return True
    return False


# --------------------------------------------------------------------------- notes for readers

# Markers of remarks about the curation process rather than about the protein.
_INTERNAL = re.compile(r"knowledge table|from memory|\bcurat(?:ion|or|ed)\b|\bTODO\b", re.IGNORECASE)
# 'X follows the knowledge table and is approximate' keeps its meaning as 'X is approximate'.
_REWRITES = ((re.compile(r"\s+follows the knowledge table and\s+", re.IGNORECASE), " "),)
_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def public_note(text: Any) -> str | None:
    """A rule note without curation remarks; None when nothing is left.

    Works clause by clause: a parenthesis, a ``;``-clause or a sentence that
    speaks about the curation (see ``_INTERNAL``) is dropped, the rest kept
    verbatim.
    """
    if text is None:
        return None
    note = str(text)
    for pattern, replacement in _REWRITES:
        note = pattern.sub(replacement, note)
    note = _PARENTHESIS.sub(lambda m: "" if _INTERNAL.search(m.group(1)) else m.group(0), note)
    sentences = []
    for sentence in _SENTENCE_END.split(note.strip()):
        clauses = [c.strip() for c in sentence.split(";") if c.strip() and not _INTERNAL.search(c)]
        if clauses:
            joined = "; ".join(clauses)
            if sentence.rstrip().endswith(".") and not joined.endswith("."):
                joined += "."
            sentences.append(joined[0].upper() + joined[1:] if sentence[:1].isupper() else joined)
    return " ".join(sentences) or None

"""What a FASTA header says about the protein's identity.

Rules are keyed by UniProt accession and gene symbol, so every record is
reduced to those keys: UniProt-style headers (``sp|P09038|FGF2_HUMAN ...
GN=FGF2``), a bare accession as the id (``P09038`` or ``P09038-2``),
NCBI-style ``[gene=...]`` tags and Ensembl peptide FASTA's ``gene_symbol:IL1B``
(proteogenomics databases are built from Ensembl).  A bare gene symbol as
the id (``>IL1B``) is not read as a gene: ids are the user's names, and a
symbol-like id (``MET``, ``CAT``) would silently pull in rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: UniProt's official accession syntax (https://www.uniprot.org/help/accession_numbers).
ACCESSION_PATTERN = r"[OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9](?:[A-Z][A-Z0-9]{2}[0-9]){1,2}"
ACCESSION_RE = re.compile(rf"^(?:{ACCESSION_PATTERN})$")
_ISOFORM_RE = re.compile(r"^(?P<acc>[A-Z0-9]{6,10})(?:-(?P<iso>\d+))?(?:\.\d+)?$")
_GN_RE = re.compile(r"(?:^|\s)GN=(\S+)")
_NCBI_GENE_RE = re.compile(r"\[gene=([^\]\s]+)\]")
_ENSEMBL_GENE_RE = re.compile(r"(?:^|\s)gene_symbol:(\S+)")


@dataclass(frozen=True, slots=True)
class Identity:
    accession: str | None  # canonical accession (isoform suffix removed)
    isoform: str | None  # e.g. 'P21802-2' when the header names an isoform
    entry_name: str | None  # e.g. 'FGF2_HUMAN'
    gene: str | None


def split_accession(text: str) -> tuple[str, str | None] | None:
    """('P21802', 'P21802-2') for an isoform, ('P21802', None) for canonical; None if not an accession."""
    text = text.strip()
    # cheap rejection first: every accession is a letter then a digit (P12345, A0A023GPI8)
    if len(text) < 6 or not text[1].isdigit() or not text[0].isalpha():
        return None
    m = _ISOFORM_RE.match(text.upper())
    if not m or not ACCESSION_RE.match(m.group("acc")):
        return None
    acc = m.group("acc")
    return acc, (f"{acc}-{m.group('iso')}" if m.group("iso") else None)


def parse_identity(record_id: str, description: str) -> Identity:
    accession = isoform = entry_name = None
    parts = record_id.split("|")
    if len(parts) >= 2 and parts[0] in ("sp", "tr"):
        split = split_accession(parts[1])
        if split:
            accession, isoform = split
        if len(parts) >= 3 and parts[2]:
            entry_name = parts[2]
    elif 6 <= len(record_id) <= 16:
        split = split_accession(record_id)
        if split:
            accession, isoform = split
    gene = None
    # cheap substring tests first: most proteome headers carry neither tag
    if "GN=" in description:
        m = _GN_RE.search(description)
        gene = m.group(1) if m else None
    elif "[gene=" in description:
        m = _NCBI_GENE_RE.search(description)
        gene = m.group(1) if m else None
    elif "gene_symbol:" in description:
        m = _ENSEMBL_GENE_RE.search(description)
        gene = m.group(1) if m else None
    return Identity(accession, isoform, entry_name, gene)


_UNIPROT_TAG = re.compile(r"\s(?:OS|OX|GN|PE|SV)=")
_NCBI_TAG = re.compile(r"\s*\[[^\]]*\]")


def protein_name(record_id: str, description: str) -> str | None:
    """The protein name a header gives after its id, e.g. 'Vascular endothelial growth factor A'.

    UniProt headers put the name between the id and the first ``OS=``/``GN=``
    tag; NCBI headers between the id and ``[organism]``-style tags.  A
    header that is only the id, or whose "name" is a ``GN=`` stub
    (``P12345 GN=FOO`` as built for bare ids), has none.
    """
    text = description.strip()
    if record_id and text.startswith(record_id):
        text = text[len(record_id):]
    text = " " + text
    tag = _UNIPROT_TAG.search(text)
    if tag is not None:
        text = text[:tag.start()]
    text = _NCBI_TAG.sub("", text).strip()
    return text or None

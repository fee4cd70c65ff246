"""Per-residue property scales shared by the models, each defined once with its source."""

from __future__ import annotations

# Kyte and Doolittle 1982 (J Mol Biol 157:105) hydropathy.
KYTE_DOOLITTLE = {
    "A": 1.8, "C": 2.5, "D": -3.5, "E": -3.5, "F": 2.8, "G": -0.4, "H": -3.2, "I": 4.5,
    "K": -3.9, "L": 3.8, "M": 1.9, "N": -3.5, "P": -1.6, "Q": -3.5, "R": -4.5, "S": -0.8,
    "T": -0.7, "V": 4.2, "W": -0.9, "Y": -1.3,
}
# Hessa et al. 2005 (Nature 433:377) biological hydrophobicity scale, kcal/mol:
# negative = favours insertion into the membrane.
HESSA = {
    "A": 0.11, "C": -0.13, "D": 3.49, "E": 2.68, "F": -0.32, "G": 0.74, "H": 2.06, "I": -0.60,
    "K": 2.71, "L": -0.55, "M": -0.10, "N": 2.05, "P": 2.23, "Q": 2.36, "R": 2.58, "S": 0.84,
    "T": 0.52, "V": -0.31, "W": 0.30, "Y": 0.68,
}
# TOP-IDP disorder propensity, Campen et al. 2008 (Protein Pept Lett 15:956).
TOP_IDP = {
    "W": -0.884, "F": -0.697, "Y": -0.510, "I": -0.486, "M": -0.397, "L": -0.326, "V": -0.121,
    "N": 0.007, "C": 0.02, "T": 0.059, "A": 0.06, "G": 0.166, "R": 0.180, "D": 0.192, "H": 0.303,
    "Q": 0.318, "K": 0.586, "S": 0.341, "E": 0.736, "P": 0.987,
}

#: Residues that stand for "unknown" (X) or for either of two residues (B, Z, J, IUPAC codes).  The
#: models never learned a signal peptide or a TM helix from them: a masked stretch is no evidence of either.
AMBIGUOUS = (b"X", b"B", b"Z", b"J")
AMBIGUOUS_BYTES = b"".join(AMBIGUOUS)


def mostly_ambiguous(region: bytes) -> bool:
    """True when ambiguous residues make up a fifth or more of ``region`` (a signal peptide or a helix)."""
    # one C pass (deleting the ambiguous bytes) instead of a count per code: called for most proteins
    n = len(region)
    return 5 * (n - len(region.translate(None, AMBIGUOUS_BYTES))) >= max(n, 1)

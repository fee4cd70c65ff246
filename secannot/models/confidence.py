"""How sure a protein-level verdict is: the ``confidence`` column (``high``, ``medium`` or ``low``).

Separate from the verdict rules (:mod:`secannot.models.localization`) because
it is read by users to filter a proteome: each step down names the evidence
that makes a verdict less sure, and each number below says where it was
measured.  The README ("How each verdict is reached") states the same rules.
"""

from __future__ import annotations

from secannot.models.masking import LONG_SP_EVIDENCE, STEP_DOWN, UNSURE_SITE_EVIDENCE
from secannot.models.nonclassical import GUARD_MIN_LENGTH
from secannot.results import Result

#: A signal peptide at or above this probability is beyond doubt; between the call threshold and it, "medium".
SURE_SIGNAL_PEPTIDE = 0.95
#: Below this cs_prob a called signal peptide is one confidence step lower.  Out-of-fold on the SignalP 6.0
#: benchmark's eukaryotic partitions 0-1 (each scored by the SP model trained on the other; bench/models/),
#: signal-peptide calls with cs_prob < 0.3 are true signal peptides 0.79 of the time (38 calls; the site is
#: right for 0.26) against 0.94-0.97 at cs_prob >= 0.4 (1,298 calls): a poor cleavage site is what a signal
#: anchor or a designed hydrophobic N-terminus looks like to the model.
UNSURE_CLEAVAGE = 0.3
#: A called signal peptide this long or longer is one confidence step lower: 99% of the eukaryotic signal
#: peptides of the SignalP 6.0 benchmark (partitions 0-1, 1,374) are at most 42 residues, and out of fold the
#: calls of 40 residues or more are true signal peptides 3 times in 8 (0.96 below 35): a long "signal
#: peptide" is most often a signal peptide and a TM helix read as one (a designed SP + 6 residues + TM
#: helix was called SP 1-52).
LONG_SIGNAL_PEPTIDE = 40


def signal_peptide_doubts(res: Result, eukaryote: bool = True) -> list[str]:
    """The evidence items that each take a called signal peptide's confidence one step down, in evidence order.

    An uncertain cleavage site (cs_prob < ``UNSURE_CLEAVAGE``) and, for eukaryotes (a eukaryotic length
    statistic: bacterial signal peptides run longer), a signal peptide of ``LONG_SIGNAL_PEPTIDE`` residues
    or more.  The one place these conditions are written: the verdict's evidence lists these items
    (:mod:`secannot.models.localization`) and :func:`confidence` steps down once for each, so the evidence
    always names every step.
    """
    doubts = []
    if res.cs_prob is not None and res.cs_prob < UNSURE_CLEAVAGE:
        doubts.append(f"{UNSURE_SITE_EVIDENCE} (cs_prob {res.cs_prob:.2f} < {UNSURE_CLEAVAGE:g})")
    length = res.cleavage_site or 0
    if eukaryote and length >= LONG_SIGNAL_PEPTIDE:
        doubts.append(f"{LONG_SP_EVIDENCE} ({length} residues; could hold a TM helix)")
    return doubts


def confidence(res: Result, nc_threshold: float, weaker_motif: bool = False, eukaryote: bool = True) -> str:
    """How sure the verdict is: ``high``, ``medium`` or ``low`` (documented in the README).

    * classical verdicts: ``high`` with sp_prob >= 0.95, else ``medium``; one step lower for each of
      :func:`signal_peptide_doubts` (cleavage site uncertain, cs_prob < ``UNSURE_CLEAVAGE``; signal peptide
      ``LONG_SIGNAL_PEPTIDE`` residues or longer, ``eukaryote`` only),
      ``low`` for a chain under ``GUARD_MIN_LENGTH`` (next to no mature chain), and one more when the deciding motif
      is a lower-confidence one (ER-retrieval variant, GPI tail with a polar residue or ending in a
      basic residue);
    * ``membrane`` without a signal peptide: ``high`` with two or more TM helices, ``medium`` with
      one (single helices carry most false helices on globular proteins), ``low`` from a lipid-anchor
      motif alone or for a chain shorter than ``GUARD_MIN_LENGTH`` (a 10-residue hydrophobic
      peptide is no membrane protein);
    * ``non_classical_candidate``: ``high`` when listed in the rules, ``low`` from nc_score alone
      (on a proteome most leaderless score calls are false);
    * ``intracellular``: ``high`` when nc_score is below half the threshold, else ``medium`` (also
      when there is no nc_score: prokaryotes are not scored for leaderless secretion); ``low``
      for a chain shorter than ``GUARD_MIN_LENGTH`` (50), where the leaderless score is not used and
      "no signal peptide, no helix" rests on almost nothing (a 1-residue ``M`` was once ``high``).
    """
    if res.has_signal_peptide:
        if len(res.record.seq) < GUARD_MIN_LENGTH:
            return "low"
        level = "high" if res.sp_prob >= SURE_SIGNAL_PEPTIDE else "medium"
        for _ in signal_peptide_doubts(res, eukaryote):
            level = STEP_DOWN[level]
        return STEP_DOWN[level] if weaker_motif else level
    if res.localization == "membrane":
        if not res.tm_segments or len(res.record.seq) < GUARD_MIN_LENGTH:
            return "low"
        return "high" if len(res.tm_segments) >= 2 else "medium"
    if res.localization == "non_classical_candidate":
        return "high" if res.nc_rule is not None else "low"
    if len(res.record.seq) < GUARD_MIN_LENGTH:
        return "low"
    return "high" if res.nc_score is not None and res.nc_score < nc_threshold / 2 else "medium"

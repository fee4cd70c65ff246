"""The verdict on the whole protein: secreted, membrane, GPI-anchored, ER-retained, leaderless.

A signal peptide only says that a protein enters the ER.  Where it ends up
depends on what else the full-length sequence carries, so the rules are
applied in this order (and documented in ``secannot predict --help``):

With a predicted signal peptide (route ``classical``):

1. a transmembrane helix in the mature chain            -> ``membrane`` (type I)
2. a C-terminal GPI-anchor signal                        -> ``gpi_anchored``
3. a C-terminal ER-retention motif (PROSITE PS00014)     -> ``er_retained``
4. otherwise                                             -> ``secreted``

Without one:

5. a listed unconventionally secreted protein (``rules/nonclassical.yaml``)
   -> route ``non-classical`` (basis ``rule``)
6. no transmembrane helix and ``nc_score`` >= threshold -> route ``non-classical``
   (basis ``score``)
7. a transmembrane helix (an uncleaved N-terminal one is a signal anchor)
   -> ``membrane``; else ``non_classical_candidate`` when the route is
   non-classical; else ``intracellular``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from secannot.io.headers import parse_identity
from secannot.knowledge.ruleset import RuleSet
from secannot.models.nonclassical import NonClassicalModel
from secannot.models.topology import (
    TopologyParams,
    er_retention,
    find_segments,
    gpi_signal,
    lipid_anchor,
    omega_site,
    tolerant_gpi_tail,
)
from secannot.models.topology_hmm import TopologyHMM
from secannot.results import Result, Segment


def _nc_rule_summary(entry) -> dict:
    claim = entry.data["nonclassical"]
    return {
        "gene": entry.gene,
        "accession": entry.accession,
        "route_type": claim["route_type"],
        "mechanism": claim["mechanism"],
        "evidence": claim["evidence"],
        "rules_file": entry.file.path,
        "rules_version": entry.rules_version,
    }


#: A signal peptide at or above this probability is beyond doubt; between the call threshold and it, "medium".
SURE_SIGNAL_PEPTIDE = 0.95
_STEP_DOWN = {"high": "medium", "medium": "low", "low": "low"}


def confidence(res: Result, nc_threshold: float, weaker_motif: bool = False) -> str:
    """How sure the verdict is: ``high``, ``medium`` or ``low`` (documented in the README).

    * classical verdicts: ``high`` with sp_prob >= 0.95, else ``medium``; one step lower when the
      deciding motif is a lower-confidence one (ER-retrieval variant, GPI tail with a polar residue);
    * ``membrane`` without a signal peptide: ``high`` with two or more TM helices, ``medium`` with
      one (single helices carry most false helices on globular proteins), ``low`` from a lipid-anchor
      motif alone;
    * ``non_classical_candidate``: ``high`` when listed in the rules, ``low`` from nc_score alone
      (on a proteome most leaderless score calls are false);
    * ``intracellular``: ``high`` when nc_score is below half the threshold, else ``medium``.
    """
    if res.has_signal_peptide:
        level = "high" if res.sp_prob >= SURE_SIGNAL_PEPTIDE else "medium"
        return _STEP_DOWN[level] if weaker_motif else level
    if res.localization == "membrane":
        if not res.tm_segments:
            return "low"
        return "high" if len(res.tm_segments) >= 2 else "medium"
    if res.localization == "non_classical_candidate":
        return "high" if res.nc_rule is not None else "low"
    return "high" if (res.nc_score or 0.0) < nc_threshold / 2 else "medium"


class Localizer:
    def __init__(self, topology: TopologyParams, nc_model: NonClassicalModel, rules: RuleSet | None,
                 nc_threshold: float | None = None, hmm: TopologyHMM | None = None):
        self.topology = topology
        self.nc_model = nc_model
        self.rules = rules
        self.nc_threshold = nc_model.threshold if nc_threshold is None else nc_threshold
        self.hmm = hmm

    @classmethod
    def load(cls, rules: RuleSet | None = None, nc_threshold: float | None = None) -> Localizer:
        return cls(TopologyParams.load(), NonClassicalModel.load(), rules, nc_threshold, TopologyHMM.load())

    def _helices(self, results: Sequence[Result], topologies: Sequence) -> list[tuple[Segment, ...]]:
        """TM helices with orientation from the topology HMM, for the proteins the windowed detector flags.

        The windowed detector is cheap and runs on every protein; only the
        proteins with a hydrophobic segment outside their signal peptide
        (about a quarter of a proteome) are decoded.  On the TMbed CV folds this pairing has fewer false helices on
        globular proteins than either detector alone (/work/notes figures in
        the model file's ``meta``).
        """
        if self.hmm is None:
            return [tuple(t.segments) for t in topologies]
        out: list[tuple[Segment, ...]] = [() for _ in results]
        flagged = [i for i, (r, t) in enumerate(zip(results, topologies, strict=True))
                   if any(s.start > (r.cleavage_site or 0) + 2 for s in t.segments)]
        # After a predicted signal peptide the mature chain is decoded on its
        # own and starts outside; without one, the whole chain is decoded
        # without the HMM's signal-peptide segment, so an N-terminal
        # hydrophobic stretch is a helix (a signal anchor).
        for with_sp in (True, False):
            group = [i for i in flagged if results[i].has_signal_peptide == with_sp]
            cut = [(results[i].cleavage_site or 0) if with_sp else 0 for i in group]
            calls = self.hmm.predict([results[i].record.seq[c:] for i, c in zip(group, cut, strict=True)],
                                     signal_peptide=False, start="out" if with_sp else None)
            for i, c, call in zip(group, cut, calls, strict=True):
                out[i] = tuple(Segment(h.start + c, h.end + c, h.orientation) for h in call.helices)
        return out

    def apply(self, results: Sequence[Result], eukaryote: bool = True) -> None:
        """Fill the localisation fields of every result in place."""
        if not results:
            return
        seqs = [r.record.seq for r in results]
        topologies = find_segments(self.topology, seqs)
        helices = self._helices(results, topologies)
        no_sp = [i for i, r in enumerate(results) if not r.has_signal_peptide]
        scores = np.zeros(len(results))
        if no_sp:
            tm_max = np.array([topologies[i].max_logit for i in no_sp])
            scores[no_sp] = self.nc_model.score([seqs[i] for i in no_sp], tm_max)
        for res, topo, hel, score in zip(results, topologies, helices, scores.tolist(), strict=True):
            self._decide(res, topo.segments, hel, score, eukaryote)

    def _decide(self, res: Result, hydrophobic: Sequence[Segment], segments: Sequence[Segment], nc_score: float,
                eukaryote: bool) -> None:
        """``hydrophobic``: windowed segments (they find GPI tails); ``segments``: the TM helices."""
        seq = res.record.seq
        evidence: list[str] = []
        if res.has_signal_peptide:
            cs = res.cleavage_site or 0
            evidence.append(f"SP 1-{cs}")
            mature = [s for s in hydrophobic if s.start > cs + 2]
            gpi, tail = (gpi_signal(self.topology, seq, mature), mature[-1] if mature else None) if eukaryote \
                else (None, None)
            if gpi is None and eukaryote and (tail := tolerant_gpi_tail(self.topology, seq)) is not None:
                # one charged or polar residue in the tail (uPAR): lower confidence
                gpi = omega_site(self.topology, seq, tail)
                if gpi is not None:
                    gpi["confidence"] = "medium"
            elif gpi is not None:
                gpi["confidence"] = "high"
            tms = [s for s in segments if s.start > cs + 2]
            if gpi and tail is not None:  # the GPI tail is not a membrane-spanning helix of the mature protein
                tms = [s for s in tms if s.end < tail.start]
            res.tm_segments = list(tms)
            er = er_retention(seq)
            motif = er[0] if er else None
            if tms:
                res.localization = "membrane"
                evidence += [f"TM {s}" for s in tms]
            elif gpi:
                res.gpi = gpi
                res.localization = "gpi_anchored"
                omega = gpi["omega_site"]
                evidence.append(f"GPI omega {omega} (cleaved {omega + 1}-{len(seq)}), hydrophobic tail "
                                f"{gpi['hydrophobic_tail']}"
                                + (" (one polar residue tolerated)" if gpi["confidence"] != "high" else ""))
            elif motif:
                res.er_motif = motif
                res.localization = "er_retained"
                evidence.append(f"C-terminal {motif}" + (" (variant, not PS00014)" if er[1] != "high" else ""))
            else:
                res.localization = "secreted"
            weaker = (res.localization == "gpi_anchored" and gpi["confidence"] != "high") or (
                res.localization == "er_retained" and er[1] != "high")
            res.confidence = confidence(res, self.nc_threshold, weaker)
            res.evidence = evidence
            return
        res.tm_segments = list(segments)
        res.nc_score = nc_score
        if segments and segments[0].start <= self.topology.signal_anchor_max_start:
            res.signal_anchor = segments[0]
        rule = self._rule(res)
        lipid = lipid_anchor(seq) if eukaryote and not segments else None
        by_score = not segments and lipid is None and nc_score >= self.nc_threshold
        if rule is not None:
            res.nc_rule = _nc_rule_summary(rule)
        if rule is not None or by_score:
            res.route = "non-classical"
            res.nc_basis = "rule+score" if (rule is not None and by_score) else ("rule" if rule is not None else "score")
        if rule is not None:
            evidence.append(f"non-classical type {res.nc_rule['route_type']} ({rule.gene}, {rule.file.path})")
        if by_score:
            evidence.append(f"nc_score {nc_score:.2f} >= {self.nc_threshold:.2f}")
        if segments:
            res.localization = "membrane"
            if res.signal_anchor is not None:
                evidence.append(f"signal anchor {res.signal_anchor}")
                evidence += [f"TM {s}" for s in segments[1:]]
            else:
                evidence += [f"TM {s}" for s in segments]
        elif lipid is not None and rule is None:
            res.localization = "membrane"
            evidence.append(f"lipid anchor ({lipid})")
        elif res.route == "non-classical":
            res.localization = "non_classical_candidate"
        else:
            res.localization = "intracellular"
            evidence.append("no signal peptide, no TM")
        res.confidence = confidence(res, self.nc_threshold)
        res.evidence = evidence

    def _rule(self, res: Result):
        if self.rules is None:
            return None
        return self.rules.match("nonclassical", parse_identity(res.record.id, res.record.description))

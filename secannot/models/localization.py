"""The verdict on the whole protein: secreted, membrane, GPI-anchored, ER-retained, leaderless.

A signal peptide only says that a protein enters the ER.  Where it ends up
depends on what else the full-length sequence carries, so the rules are
applied in this order (and documented in ``secannot predict --help``):

With a predicted signal peptide (route ``classical``):

1. a transmembrane helix in the mature chain            -> ``membrane`` (type I)
2. a C-terminal GPI-anchor signal                        -> ``gpi_anchored``
3. a C-terminal ER-retention motif (PROSITE PS00014)     -> ``er_retained``
4. otherwise                                             -> ``secreted``

In the uncertain band (eukaryotes; sp_prob from 0.35 up to the call
threshold) an explicit signal-peptide vs signal-anchor decision comes first
(:class:`BandRule`): a confident cleavage site and an SP-sized h-region ->
signal peptide (cleaved at the model's best site, then rules 1-4); else an
N-terminal helix -> signal anchor; else neither, and a weak N-terminal helix
is dropped (mitochondrial presequences, amphipathic N-termini).

Without one:

5. a listed unconventionally secreted protein (``rules/nonclassical.yaml``)
   -> route ``non-classical`` (basis ``rule``)
6. no transmembrane helix, no composition guard (fragment, short Cys/Pro-rich,
   chain under 50 residues) and ``nc_score`` (a probability at the ``--nc-prior``;
   eukaryotes only, its model being trained on mammalian proteins; none for a chain
   under 50 residues) >= threshold
   -> route ``non-classical`` (basis ``score``)
7. a transmembrane helix (an uncleaved N-terminal one is a signal anchor)
   -> ``membrane``; else ``non_classical_candidate`` when the route is
   non-classical; else ``intracellular``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from secannot.io.headers import parse_identity
from secannot.knowledge.ruleset import RuleSet
from secannot.models.confidence import confidence, signal_peptide_doubts
from secannot.models.masking import STEP_DOWN, TM_NOT_CALLED, ambiguous_in
from secannot.models.nonclassical import (
    GUARD_MIN_LENGTH,
    NonClassicalModel,
    composition_guard,
    residues,
    scored_length,
)
from secannot.models.scales import mostly_ambiguous
from secannot.models.topology import (
    TopologyParams,
    er_retention,
    find_segments,
    gpi_signal,
    lipid_anchor,
    omega_site,
    tolerant_gpi_tail,
)
from secannot.models.topology_decode import TopologyPredictor, helix_score_of
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


#: Route types of rules/nonclassical.yaml whose proteins are membrane proteins (IV: Golgi bypass of proteins
#: that enter the ER with a signal anchor or TM segment); I-III are leaderless soluble proteins.
MEMBRANE_ROUTE_TYPES = frozenset({"IV"})
#: Residues of a helix that counts in the mature chain even when it starts at the cleavage site (the TM
#: helices of TMbed's dev set, tmbed_dev.3line: median 22 residues, 5th percentile 15, 10th 17).
FULL_HELIX = 16
#: A single TM helix ending at most this many residues before the C-terminus is a tail anchor: the ribosome
#: exit tunnel holds about 30-40 residues, so such a helix emerges only after termination (Hegde & Keenan 2011).
TAIL_ANCHOR_TAIL = 30
#: ... after more than this many residues (phospholamban's helix starts at 32, COX7's at 27, the shortest
#: N-terminal domain among the tail anchors of the TMbed set checked by the new-user test).
TAIL_ANCHOR_N_DOMAIN = 20
#: GPI signals end in their hydrophobic stretch (Eisenhaber et al. 1998, Protein Eng 11:1155); a K or R in the
#: last ``BASIC_END`` residues is the stop-transfer of a type I membrane protein with a short cytoplasmic tail
#: (MLEC, ...LFCLCRL), so such a GPI call is one confidence step lower.
BASIC_END = 4


_H_BREAKERS = np.zeros(256, dtype=bool)
_H_BREAKERS[np.frombuffer(b"DEKRHPNQ", dtype=np.uint8)] = True


def tail_anchor(segments: Sequence[Segment], length: int) -> Segment | None:
    """The helix as a tail anchor (N-terminus cytoplasmic), if it is a protein's only helix, ends within
    ``TAIL_ANCHOR_TAIL`` residues of the C-terminus and follows an N-terminal domain of more than
    ``TAIL_ANCHOR_N_DOMAIN`` residues; else None (a helix that is most of a short chain is no tail anchor:
    there is no N-terminal domain to face the cytosol).  Tested before the signal-anchor rule.

    Such a helix leaves the ribosome only after translation ends, so it is
    inserted post-translationally with its N-terminal domain in the cytosol
    (Kutay, Hartmann & Rapoport 1993, Trends Cell Biol 3:72; Hegde & Keenan
    2011, Nat Rev Mol Cell Biol 12:787): not a signal anchor, whatever its
    start, and its orientation is fixed rather than read from the flanks
    (phospholamban, COX7 and Sec61beta otherwise came out N-out).
    """
    if len(segments) != 1 or length - segments[0].end > TAIL_ANCHOR_TAIL or segments[0].start <= TAIL_ANCHOR_N_DOMAIN:
        return None
    return Segment(segments[0].start, segments[0].end, "in->out")


def basic_c_terminus(seq: bytes) -> str:
    """``"Arg 290"`` (the last K or R within ``BASIC_END`` residues of the C-terminus), or ``""``."""
    for k in range(len(seq) - 1, max(len(seq) - BASIC_END, 0) - 1, -1):
        if seq[k] in b"KR":
            return f"{'Lys' if seq[k] == ord('K') else 'Arg'} {k + 1}"
    return ""


def _short_chain(seq: bytes) -> list[str]:
    """The evidence item that says why a chain under ``GUARD_MIN_LENGTH`` residues is ``low`` (see
    :func:`~secannot.models.confidence.confidence`), or nothing."""
    if len(seq) >= GUARD_MIN_LENGTH:
        return []
    return [f"short chain ({residues(len(seq))})"]


def h_region_length(seq: bytes, span: int = 40) -> int:
    """Longest run of residues in the first ``span`` free of charged (D, E, K, R, H), Pro, Asn and Gln residues.

    A crude h-region: Sec signal peptides have a 7-15 residue hydrophobic core
    (von Heijne 1985, J Mol Biol 184:99); signal anchors have 18 or more.
    """
    best = run = 0
    for breaker in _H_BREAKERS[np.frombuffer(seq[:span], dtype=np.uint8)].tolist():
        run = 0 if breaker else run + 1
        best = max(best, run)
    return best


@dataclass(frozen=True, slots=True)
class BandRule:
    """Signal peptide vs signal anchor for proteins with ``low`` <= sp_prob < the SP call threshold (eukaryotes).

    1. signal peptide: cs_prob of the model's best cleavage site >= ``min_cs_prob``
       and an h-region (:func:`h_region_length`) of ``h_min``..``h_max``
       residues; a helix the topology model puts there is read as the h-region (a false
       helix made transferrin, sp_prob 0.875, a membrane protein);
    2. signal anchor: else the topology model (no signal-peptide state) puts a
       helix starting in the first ``nterm_span`` residues whose score
       (summed clipped helix log-odds, as ``TopologyPredictor.helix_score``; read from the decoding
       pass, :func:`~secannot.models.topology_decode.helix_score_of`, so a residue between two zones
       that a helix bridges counts -4 as in the decoder) is >= ``anchor_helix_score``;
    3. neither: a weaker N-terminal helix is not a membrane anchor.

    Chosen by a grid search on the SignalP 6.0 benchmark's eukaryotic N-termini
    in the band (each partition scored by the SP model trained on the other;
    the parameters that improve on the old rule in both partitions), checked
    on full-length TMbed proteins (``make bench``, bench/verdicts.py).  The
    anchor threshold was re-fitted alone for the network's helix score, by the
    same two-partition CV (bench/verdicts.py prints it): -70 is the best in both
    partitions, so any N-terminal helix counts except one the network reads as
    strongly signal-peptide-like (an h-region).
    """

    low: float = 0.35
    min_cs_prob: float = 0.9
    h_min: int = 8
    h_max: int = 18
    anchor_helix_score: float = -70.0
    nterm_span: int = 40


def _clear_helices(seq: bytes, helices: Sequence[Segment], dropped: list[Segment]) -> tuple[Segment, ...]:
    """The helices that are not mostly ambiguous residues; the others go to ``dropped`` (a masked stretch
    is no evidence of a helix, and the evidence column says which were dropped)."""
    kept = []
    for h in helices:
        (dropped if mostly_ambiguous(seq[h.start - 1:h.end]) else kept).append(h)
    return tuple(kept)


class Localizer:
    def __init__(self, topology: TopologyParams, nc_model: NonClassicalModel, rules: RuleSet | None,
                 nc_threshold: float | None = None, topology_model: TopologyPredictor | None = None,
                 nc_prior: float | None = None,
                 band: BandRule | None = BandRule()):
        self.topology = topology
        self.nc_model = nc_model
        self.rules = rules
        self.nc_threshold = nc_model.threshold if nc_threshold is None else nc_threshold
        self.nc_prior = nc_model.prior if nc_prior is None else nc_prior
        if not 0.0 < self.nc_prior < 1.0:
            raise ValueError(f"nc prior must be strictly between 0 and 1, got {self.nc_prior}")
        self.topology_model = topology_model
        self.band = band if topology_model is not None else None

    @classmethod
    def load(cls, rules: RuleSet | None = None, nc_threshold: float | None = None,
             nc_prior: float | None = None) -> Localizer:
        return cls(TopologyParams.load(), NonClassicalModel.load(), rules, nc_threshold, TopologyPredictor.load(),
                   nc_prior)

    def band_decisions(self, results: Sequence[Result], candidates: Sequence[tuple[int, float]],
                       sp_threshold: float, flagged: Sequence[bool] | None = None,
                       dropped: dict[int, list[Segment]] | None = None, topologies: Sequence | None = None
                       ) -> dict[int, tuple[str, tuple[Segment, ...], str]]:
        """{index: (decision, the topology model's helices, evidence)} for the proteins in the uncertain band.

        ``candidates``: per result (best cleavage site, its cs_prob) from the
        SP model whatever its decision; ``flagged``: per result, whether the
        windowed detector found a hydrophobic segment (as in the pipeline, only
        those can have helices, so only those can be anchors; None: all);
        ``topologies``: per result, its :class:`ProteinTopology` with the
        network's zones (None: the zones are found here).  Decisions: ``"signal peptide"``,
        ``"signal anchor"`` or ``"neither"`` (see :class:`BandRule`).  Results
        called "signal peptide" get their cleavage site, cs_prob and route here.
        """
        rule = self.band
        if rule is None:
            return {}
        dropped = {} if dropped is None else dropped
        idx = [i for i, (r, (site, _)) in enumerate(zip(results, candidates, strict=True))
               if not r.has_signal_peptide and rule.low <= r.sp_prob < sp_threshold and site > 0]
        model = self.topology_model
        seqs = [results[i].record.seq for i in idx]
        zones = [list(topologies[i].zones) for i in idx] if topologies is not None else model.zones(seqs)  # type: ignore[union-attr]
        calls = model.predict_with_helix_rows(seqs, zones)  # type: ignore[union-attr]
        out: dict[int, tuple[str, tuple[Segment, ...], str]] = {}
        for i, (call, helix_row) in zip(idx, calls, strict=True):
            res, (site, cs_prob) = results[i], candidates[i]
            seq = res.record.seq
            helices = _clear_helices(seq, [Segment(h.start, h.end, h.orientation) for h in call.helices],
                                     dropped.setdefault(i, []))
            nterm = [helix_score_of(helix_row, h.start, h.end) for h in helices  # type: ignore[arg-type]
                     if h.start <= rule.nterm_span and (flagged is None or flagged[i])]
            h_len = h_region_length(seq, rule.nterm_span)
            facts = f"sp_prob {res.sp_prob:.2f}, cs_prob {cs_prob:.2f}, h-region {h_len}"
            if cs_prob >= rule.min_cs_prob and rule.h_min <= h_len <= rule.h_max:
                res.cleavage_site, res.cs_prob, res.route = site, cs_prob, "classical"
                out[i] = ("signal peptide", (), f"uncertain SP band: signal peptide ({facts})")
            elif nterm and max(nterm) >= rule.anchor_helix_score:
                out[i] = ("signal anchor", helices,
                          f"uncertain SP band: signal anchor (N-terminal helix score {max(nterm):.1f} >= "
                          f"{rule.anchor_helix_score:g}, {facts})")
            else:
                out[i] = ("neither", helices, f"uncertain SP band: neither signal peptide nor anchor ({facts})")
        return out

    def _helices(self, results: Sequence[Result], topologies: Sequence,
                 decoded: dict[int, tuple[Segment, ...]] | None = None,
                 dropped: dict[int, list[Segment]] | None = None) -> list[tuple[Segment, ...]]:
        """TM helices with orientation from the topology model (``TopologyPredictor``).

        The model's candidate zones come from the window sums of ``topologies``
        (:func:`find_segments` with the model's ``zone_args``), so only proteins
        with a hydrophobic stretch reach the network.  After a predicted
        signal peptide the mature chain is decoded on its own and starts outside;
        without one, the whole chain is decoded with the network's
        signal-peptide probability counted as helix: the SP model, trained with
        signal anchors as negatives, has already said there is no signal
        peptide, so an N-terminal hydrophobic stretch is a signal anchor (on the
        human first 1000 this keeps type II anchors such as HS2ST1 that the
        network alone reads as signal-peptide-like).  ``decoded``: helices of
        proteins without a signal peptide that the band rule already decoded the
        same way, so they are not decoded twice.  Whole chains reuse the zones
        that ``topologies`` found with the windowed segments; mature chains get
        their own (the window sums near the cleavage site differ).
        """
        decoded = decoded or {}
        dropped = {} if dropped is None else dropped
        if self.topology_model is None:
            return [tuple(t.segments) for t in topologies]
        out: list[tuple[Segment, ...]] = [() for _ in results]
        for i, helices in decoded.items():
            if not results[i].has_signal_peptide:
                out[i] = helices
        for with_sp in (True, False):
            group = [i for i, r in enumerate(results)
                     if r.has_signal_peptide == with_sp and (with_sp or i not in decoded)]
            cut = [(results[i].cleavage_site or 0) if with_sp else 0 for i in group]
            calls = self.topology_model.predict([results[i].record.seq[c:] for i, c in zip(group, cut, strict=True)],
                                                signal_peptide=False, start="out" if with_sp else None,
                                                zones=True if with_sp else [list(topologies[i].zones) for i in group])
            for i, c, call in zip(group, cut, calls, strict=True):
                if call.helices:
                    out[i] = _clear_helices(results[i].record.seq,
                                            [Segment(h.start + c, h.end + c, h.orientation) for h in call.helices],
                                            dropped.setdefault(i, []))
        return out

    def apply(self, results: Sequence[Result], eukaryote: bool = True,
              candidates: Sequence[tuple[int, float]] | None = None, sp_threshold: float = 1.0) -> None:
        """Fill the localisation fields of every result in place.

        ``candidates`` (per result: the SP model's best cleavage site and its
        cs_prob, whatever its decision) and ``sp_threshold`` enable the
        uncertain-band decision (eukaryotes only); without them it is skipped.
        """
        if not results:
            return
        seqs = [r.record.seq for r in results]
        model = self.topology_model
        topologies = find_segments(self.topology, seqs, model.zone_args if model is not None else None)
        dropped: dict[int, list[Segment]] = {}  # helices over masked residues, named in the evidence
        band = self.band_decisions(results, candidates, sp_threshold, None, dropped, topologies) \
            if candidates is not None and eukaryote else {}
        helices = self._helices(results, topologies,
                                {i: h for i, (decision, h, _) in band.items() if decision != "signal peptide"}, dropped)
        notes = [""] * len(results)
        for i, (decision, band_helices, note) in band.items():
            notes[i] = note
            if decision == "signal anchor":
                helices[i] = band_helices
            elif decision == "neither":
                helices[i] = tuple(h for h in helices[i] if h.start > self.band.nterm_span)  # type: ignore[union-attr]
        # the leaderless score is for eukaryotes only: OutCyte's training proteins are mammalian, and bacterial
        # non-classical export (moonlighting cytoplasmic enzymes) is another process the model never saw;
        # a chain too short for the score to decide anything gets none (nc_score stays empty)
        no_sp = [i for i, r in enumerate(results) if not r.has_signal_peptide and scored_length(seqs[i])] \
            if eukaryote else []
        scores: list[float | None] = [None] * len(results)
        if no_sp:
            tm_max = np.array([topologies[i].max_logit for i in no_sp])
            for i, score in zip(no_sp, self.nc_model.score([seqs[i] for i in no_sp], tm_max, self.nc_prior).tolist(),
                                strict=True):
                scores[i] = score
        for res, topo, hel, score, note in zip(results, topologies, helices, scores, notes, strict=True):
            self._decide(res, topo.segments, hel, score, eukaryote)
            if note:
                res.evidence.insert(0, note)
                res.confidence = STEP_DOWN[res.confidence or "low"]
        for i, segments in dropped.items():
            if segments:
                masked = ", ".join(str(s) for s in sorted(set(segments), key=lambda s: s.start))
                results[i].evidence.insert(0, f"{TM_NOT_CALLED}: {ambiguous_in(seqs[i], segments)} in TM {masked}")
                results[i].confidence = "low"

    def _decide(self, res: Result, hydrophobic: Sequence[Segment], segments: Sequence[Segment],
                nc_score: float | None, eukaryote: bool) -> None:
        """``hydrophobic``: windowed segments (they find GPI tails); ``segments``: the TM helices."""
        seq = res.record.seq
        evidence: list[str] = []
        if res.has_signal_peptide:
            cs = res.cleavage_site or 0
            evidence.append(f"SP 1-{cs}")
            evidence += signal_peptide_doubts(res, eukaryote)  # each also takes the confidence one step down
            mature = [s for s in hydrophobic if s.start > cs + 2]
            gpi, tail = (gpi_signal(self.topology, seq, mature, cs), mature[-1] if mature else None) if eukaryote \
                else (None, None)
            if gpi is None and eukaryote and (tail := tolerant_gpi_tail(self.topology, seq)) is not None:
                # one charged or polar residue in the tail (uPAR): lower confidence
                gpi = omega_site(self.topology, seq, tail, cs)
                if gpi is not None:
                    gpi["confidence"] = "medium"
            elif gpi is not None:
                gpi["confidence"] = "high"
            # a helix the mature chain's decoding starts at its first residues is still a helix of the mature
            # chain when it is a whole one (a TM right after the signal peptide, or the rest of an anchor the
            # SP model cut into); a short one there is the tail of the h-region past a too-early site
            tms = [s for s in segments if s.start > cs + 2 or s.end - s.start + 1 >= FULL_HELIX]
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
            basic_end = res.localization == "gpi_anchored" and basic_c_terminus(seq)
            if basic_end:
                evidence.append(f"C-terminal {basic_end} could be a stop-transfer (a type I membrane protein)")
            weaker = (res.localization == "gpi_anchored" and (gpi["confidence"] != "high" or bool(basic_end))) or (
                res.localization == "er_retained" and er[1] != "high")
            res.confidence = confidence(res, self.nc_threshold, weaker, eukaryote)
            res.evidence = evidence + _short_chain(seq)
            return
        self._decide_without_sp(res, segments, nc_score, eukaryote)

    def _decide_without_sp(self, res: Result, segments: Sequence[Segment], nc_score: float | None,
                           eukaryote: bool) -> None:
        """Rules 5-7: signal anchor / TM helices, listed leaderless proteins, the calibrated nc_score."""
        seq = res.record.seq
        evidence: list[str] = []
        tail = tail_anchor(segments, len(seq))
        if tail is not None:
            segments = [tail]
        res.tm_segments = list(segments)
        res.nc_score = nc_score
        if segments and tail is None and segments[0].start <= self.topology.signal_anchor_max_start:
            res.signal_anchor = segments[0]
        rule = self._rule(res)
        lipid = lipid_anchor(seq) if eukaryote and not segments else None
        guard = composition_guard(seq)
        scored = nc_score is not None and nc_score >= self.nc_threshold  # None: not scored (not a eukaryote)
        by_score = not segments and lipid is None and scored and guard is None
        # a listed leaderless protein (route types I-III) is soluble: a TM helix in this sequence (a variant, a
        # fusion, or a false helix) contradicts the rule, so the helix decides and the rule is named, not applied;
        # type IV (Golgi bypass of membrane proteins: CFTR, pendrin) is a membrane protein by definition
        membrane_rule = rule is not None and rule.data["nonclassical"]["route_type"] in MEMBRANE_ROUTE_TYPES
        overruled = rule is not None and bool(segments) and not membrane_rule
        # ... and a type IV protein whose helix the model misses is still no soluble secreted protein
        unseen_anchor = membrane_rule and not segments
        if rule is not None:
            res.nc_rule = _nc_rule_summary(rule)
        if (rule is not None and not overruled) or by_score:
            res.route = "non-classical"
            res.nc_basis = "rule+score" if (rule is not None and by_score) else ("rule" if rule is not None else "score")
        if overruled:
            evidence.append(f"listed non-classical type {res.nc_rule['route_type']} ({rule.gene}, {rule.file.path}) "
                            "but a TM helix is predicted: not a leaderless candidate")
        elif rule is not None:
            evidence.append(f"non-classical type {res.nc_rule['route_type']} ({rule.gene}, {rule.file.path})")
            if unseen_anchor:
                evidence.append("a membrane protein by its route type, though no TM helix is predicted")
        if by_score:
            evidence.append(f"nc_score {nc_score:.2f} >= {self.nc_threshold:.2f} (prior {self.nc_prior:g})")
        elif guard is not None and not segments and scored:
            evidence.append(f"nc_score {nc_score:.2f} not used: {guard}")
        if segments:
            res.localization = "membrane"
            if tail is not None:
                evidence.append(f"tail anchor {tail} (N-terminus cytoplasmic)")
            elif res.signal_anchor is not None:
                evidence.append(f"signal anchor {res.signal_anchor}")
                evidence += [f"TM {s}" for s in segments[1:]]
            else:
                evidence += [f"TM {s}" for s in segments]
        elif lipid is not None and rule is None:
            res.localization = "membrane"
            evidence.append(f"lipid anchor ({lipid})")
        elif unseen_anchor:
            res.localization = "membrane"
        elif res.route == "non-classical":
            res.localization = "non_classical_candidate"
        else:
            res.localization = "intracellular"
            evidence.append("no signal peptide, no TM")
        res.confidence = confidence(res, self.nc_threshold)
        if overruled or unseen_anchor:  # sequence and curated knowledge disagree
            res.confidence = "low" if unseen_anchor else STEP_DOWN[res.confidence]
        res.evidence = evidence + ([] if res.localization == "non_classical_candidate" else _short_chain(seq))

    def _rule(self, res: Result):
        if self.rules is None:
            return None
        return self.rules.match("nonclassical", parse_identity(res.record.id, res.record.description))

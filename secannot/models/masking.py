"""Signal peptides and cleavage sites next to ambiguous residues (X, B, Z, J), and masked stretches
that could hide a transmembrane helix.

The signal-peptide model never learned a signal peptide from a masked stretch, and it reads an
unknown residue as "anything else": next to a run of them it tends to put the cleavage site just
past the run, on it, or (an intact signal peptide followed by a run) well past it.  Whether a
protein has a signal peptide and where that peptide is cleaved are therefore judged apart:

* **is there a signal peptide**: on the residues before the first ambiguous run inside the predicted
  signal peptide 1..site+2 that either reaches the site (touches its c-region or its -5..+2 window)
  or leaves an n- and an h-region before it (starts after residue ``MIN_N_H``); on residues 1..site
  when no run does (no run at all, or only runs in the first ``MIN_N_H`` residues that stay clear of
  the site).  The call is withdrawn when that part is itself a fifth or more ambiguous
  (:func:`secannot.models.scales.mostly_ambiguous`) or too short to hold an n- and an h-region;
* **where is it cleaved**: a site is supported only when its -5..+2 window (the -1, -3 rule's
  residues and the first residues of the mature chain) and the c-region before it are free of
  ambiguous residues, and no ambiguous run after an n- and h-region lies before it (such a run may
  have pushed the site past itself).  Otherwise the most probable supported site before the run is
  taken when the model gives it more than half of the cleavage mass (P(site | signal peptide) > 0.5);
  else the signal peptide stands with its cleavage site unknown.  A site kept with ambiguous residues
  in its first ``MIN_N_H`` residues is never reported with high confidence.

Region lengths: von Heijne 1985 (J Mol Biol 184:99): n-region 1-5, h-region 7-15, c-region 3-7
residues; the -5..+2 window is the one the -1, -3 rule (von Heijne 1983, Eur J Biochem 133:17)
and the cleavage-site models look at.

After localisation, a run of ``HIDDEN_HELIX_MIN`` or more ambiguous residues outside the signal
peptide of a protein not called ``membrane`` could hide a TM helix the topology stage cannot see
(:func:`flag_hidden_helices`): its confidence becomes ``low`` and its evidence names the run.  So can a
shorter run that breaks one: a run the topology model puts inside a helix once its residues are read as
helix-forming (Ala, :data:`FILL`), which is what they may be.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from secannot.models.scales import AMBIGUOUS_BYTES, mostly_ambiguous
from secannot.models.signal_peptide import WINDOW as SP_WINDOW  # the residues the signal-peptide model reads
from secannot.results import Result

#: Residues before (-5..-1) and after (+1, +2) the cleavage site that must be known to support it.
WINDOW_BEFORE = 5
WINDOW_AFTER = 2
#: The longest c-region: a run ending this close before the site hides where the h-region ends.
C_REGION_MAX = 7
#: The shortest n-region (1) plus the shortest h-region (7): a clean part shorter than this holds no signal peptide.
MIN_N_H = 8
#: A moved site must carry more than this share of the cleavage mass (more likely than all other sites together).
MIN_MOVED_CS_PROB = 0.5
#: The shortest stretch that can hide a TM helix: the shortest helix the shipped topology stage calls
#: (``transmembrane.min_length`` = 10 in data/topology.json, the windowed detector, and the topology
#: network's decoder ``helix_min`` = 10 in data/topology_net.json).  Shorter runs leave too few hidden residues to span
#: a membrane; a partly masked helix is handled by the localisation stage ("TM not called ...").
HIDDEN_HELIX_MIN = 10

#: How evidence starts for a withdrawn call and for a call whose cleavage site is unknown (the plot reads them back)
WITHDRAWN_EVIDENCE = "SP not called: ambiguous residues"
UNKNOWN_SITE_EVIDENCE = "SP, cleavage site unknown: ambiguous residues at"
#: ... and for a helix dropped because a fifth or more of it is ambiguous (written by the localisation stage)
TM_NOT_CALLED = "TM not called"
_RUN = re.compile(b"[" + AMBIGUOUS_BYTES + b"]+")
_ANY = re.compile(b"[" + AMBIGUOUS_BYTES + b"]")
_LONG_RUN = re.compile(b"[" + AMBIGUOUS_BYTES + b"]{%d,}" % HIDDEN_HELIX_MIN)
#: Ambiguous residues read as Ala (helix-forming, of middling hydrophobicity) when asking whether a short run
#: breaks a helix.  Tried on 581 human proteins (human_UP000005640_first1000.fasta) with a random run of 1-5 X:
#: Ala flagged 3 (one a membrane protein unmasked), Leu 18 (17 soluble); both flag every EGFR variant with
#: 3-8 of its TM residues 647-667 masked, which came out ``secreted``, ``high`` without the check.
FILL = bytes.maketrans(AMBIGUOUS_BYTES, b"A" * len(AMBIGUOUS_BYTES))


def ambiguous_runs(seq: bytes, end: int) -> list[tuple[int, int]]:
    """Runs of ambiguous residues in residues 1..``end``, as 1-based inclusive (start, end) pairs."""
    return [(m.start() + 1, m.end()) for m in _RUN.finditer(seq, 0, end)]


def site_span(site: int) -> tuple[int, int]:
    """The residues (1-based, inclusive) that must be unambiguous to support cleavage after ``site``:
    the c-region at its longest (-7..-1) and the -5..+2 window, i.e. -7..+2."""
    return max(site - C_REGION_MAX + 1, 1), site + WINDOW_AFTER


def supported(seq: bytes, site: int) -> bool:
    """True when no ambiguous residue lies in ``site_span(site)``."""
    lo, hi = site_span(site)
    return _ANY.search(seq, lo - 1, hi) is None


def needs_review(seq: bytes, site: int) -> bool:
    """Cheap test: any ambiguous residue in 1..site+2 (else the model's call stands as it is)."""
    return site > 0 and _ANY.search(seq, 0, site + WINDOW_AFTER) is not None


@dataclass(frozen=True, slots=True)
class SiteReview:
    """What becomes of one predicted cleavage site.

    ``action``: ``"keep"`` (supported), ``"withdraw"`` (no signal peptide), ``"move"`` (cleaved at
    ``site`` instead of ``predicted``) or ``"unknown"`` (a signal peptide, cleavage site unknown).
    ``run``: the ambiguous run that decided (1-based, inclusive), if any.
    """

    action: str
    predicted: int
    site: int | None = None
    cs_prob: float | None = None
    run: tuple[int, int] | None = None

    @property
    def extent(self) -> int:
        """The last residue the signal peptide may reach: the predicted site or the end of the run."""
        return max(self.predicted, self.run[1] if self.run else 0)

    @property
    def masked(self) -> str:
        return f"{self.run[0]}-{self.run[1]}" if self.run else ""


def _deciding_run(seq: bytes, site: int) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """(deciding run, first run) among the ambiguous runs that start in residues 1..site+2.

    The deciding run is the first that reaches the site (touches residues -7..+2 of it) or starts
    after an n- plus h-region (more than ``MIN_N_H`` residues precede it): the signal peptide is
    judged on the residues before it and the site is not trusted.  Runs in the first ``MIN_N_H``
    residues that stay clear of the site decide nothing on their own (the fifth rule over 1..site does).
    """
    lo, hi = site_span(site)
    # runs starting by residue +2, whole: a run that goes on past the span is named to its end (an X run 19-22
    # read as 19-20 misnamed the masked residues and let the signal peptide seem to end before the run did)
    runs = []
    for m in _RUN.finditer(seq):
        if m.start() >= hi:
            break
        runs.append((m.start() + 1, m.end()))
    for start, end in runs:
        if end >= lo or start > MIN_N_H:
            return (start, end), runs[0]
    return None, (runs[0] if runs else None)


def review_site(seq: bytes, site: int, site_probs: Callable[[], Sequence[float]] | None = None) -> SiteReview:
    """Judge the signal peptide and its cleavage site ``site`` (1-based last residue, > 0) on ``seq``.

    ``site_probs``: called only when the site is not trusted; returns P(cleavage after residue s | signal
    peptide) at index s - 1 (see :func:`site_probabilities`).  None: the site is never moved.
    A kept site whose signal peptide holds an early run carries that run (``SiteReview.run``).
    """
    run, first = _deciding_run(seq, site)
    if run is None:
        return SiteReview("withdraw" if mostly_ambiguous(seq[:site]) else "keep", site, site, run=first)
    clean = seq[: run[0] - 1]
    if len(clean) < MIN_N_H or mostly_ambiguous(clean):
        return SiteReview("withdraw", site, run=run)
    if site_probs is not None:
        probs = site_probs()
        best = max((s for s in range(1, run[0] - WINDOW_AFTER) if supported(seq, s)
                    and not mostly_ambiguous(seq[:s])), key=lambda s: probs[s - 1], default=0)
        if best and probs[best - 1] > MIN_MOVED_CS_PROB:
            return SiteReview("move", site, best, float(probs[best - 1]), run)
    return SiteReview("unknown", site, run=run)


def site_probabilities(position_probs: Sequence[float], sp_prob: float) -> list[float]:
    """P(cleavage after residue s | signal peptide) at index s - 1, from the model's per-residue
    P(residue inside the signal peptide) = P(site >= s) (``SignalCalls.position_probs``)."""
    inside = list(position_probs) + [0.0]
    scale = 1.0 / max(sp_prob, 1e-12)
    return [max(inside[i] - inside[i + 1], 0.0) * scale for i in range(len(inside) - 1)]


def review_calls(model, seqs: Sequence[bytes], organism: int, sites: Sequence[int],
                 sp_probs: Sequence[float]) -> dict[int, SiteReview]:
    """{index: review} for the sites that need one (an ambiguous residue in 1..site+2); sites of 0 are skipped.

    ``model``: the loaded SignalPeptideModel that predicted ``sites``.  Per-position probabilities are
    asked of it again only for the few sequences whose site is unsupported, so clean input costs nothing
    and the model's batch invariance makes the numbers those of the first run.
    """
    todo = [i for i, site in enumerate(sites) if site and needs_review(seqs[i], site)]
    first = {i: review_site(seqs[i], sites[i]) for i in todo}
    again = [i for i, r in first.items() if r.action == "unknown"]
    if not again:
        return first
    calls = model.predict([seqs[i] for i in again], organism, positions=True)
    for row, i in enumerate(again):
        probs = site_probabilities(calls.position_probs[row].tolist(), sp_probs[i])
        first[i] = review_site(seqs[i], sites[i], lambda p=probs: p)
    return first


def apply_review(res: Result, rev: SiteReview) -> None:
    """Before localisation: withdraw, move, or (site unknown) hold the site at the signal peptide's
    furthest possible end, so the localisation stage looks for helices in the mature chain only after it."""
    if rev.action == "withdraw":
        res.cleavage_site, res.cs_prob, res.route = None, None, "none"
    elif rev.action == "move":
        res.cleavage_site, res.cs_prob = rev.site, rev.cs_prob
    elif rev.action == "unknown":
        res.cleavage_site, res.cs_prob = rev.extent, None  # cleared by explain_review


def band_candidate(site: int, cs_prob: float, review: SiteReview | None) -> tuple[int, float]:
    """(site, cs_prob) offered to the uncertain-band rule after the review: no site (0) when withdrawn (as
    without a site), a cs_prob of 0 when the site is unknown (never a signal peptide; the signal-anchor test stands)."""
    if review is None or review.action == "keep":
        return site, cs_prob
    if review.action == "move":
        return review.site or 0, review.cs_prob or 0.0
    return (0, cs_prob) if review.action == "withdraw" else (site, 0.0)


#: A moved cleavage site is one step less sure than the verdict it supports.
STEP_DOWN = {"high": "medium", "medium": "low", "low": "low"}
#: Evidence the localisation stage draws from the cleavage site itself (its cs_prob, the signal peptide's
#: length): about the held site when the real one is unknown, so :func:`explain_review` drops it then.
UNSURE_SITE_EVIDENCE = "cleavage site uncertain"
LONG_SP_EVIDENCE = "unusually long signal peptide"


def explain_review(res: Result, rev: SiteReview, hides_helix: bool = False) -> None:
    """After localisation: evidence, note and confidence of a reviewed call; an unknown site is cleared
    (route stays ``classical``, the verdict stands, confidence ``low``)."""
    if rev.action == "withdraw":
        res.confidence = "low"
        res.note = ("signal peptide not called: a fifth or more of the predicted signal peptide is "
                    "ambiguous residues (X, B, Z, J)")
        # in the TSV too: sp_prob stays what the model said, so the evidence must say why it was not called
        runs = ", ".join(f"{a}-{b}" for a, b in ambiguous_runs(res.record.seq, rev.predicted))
        res.evidence.insert(0, f"{WITHDRAWN_EVIDENCE} (X/B/Z/J) at {runs} in SP 1-{rev.predicted}")
    elif rev.action == "unknown":
        held = f"SP 1-{res.cleavage_site}"
        res.evidence = [e for e in res.evidence
                        if e != held and not e.startswith((UNSURE_SITE_EVIDENCE, LONG_SP_EVIDENCE))]
        res.cleavage_site, res.cs_prob, res.confidence = None, None, "low"
        res.note = "signal peptide called; cleavage site unknown: ambiguous residues around the predicted site"
        # the run that hides the site may also be long enough to hide a helix: one item names it once
        also = ", which could also hide a TM helix" if hides_helix else ""
        res.evidence.insert(0, f"{UNKNOWN_SITE_EVIDENCE} {rev.masked}{also}")
    elif rev.action == "move":
        res.confidence = STEP_DOWN[res.confidence] if res.confidence is not None else None
        res.evidence.insert(0, f"cleavage site moved from {rev.predicted}: ambiguous residues at {rev.masked}")
        _name_runs_in_signal(res, rev.site or 0, 1)
    elif rev.run is not None and res.has_signal_peptide:  # kept, with ambiguous residues in the signal peptide
        res.confidence = STEP_DOWN[res.confidence] if res.confidence is not None else None
        _name_runs_in_signal(res, rev.predicted, 0)


def _name_runs_in_signal(res: Result, site: int, at: int) -> None:
    """Evidence (at index ``at``) naming every ambiguous run in the reported signal peptide 1..site (and +1, +2)."""
    runs = ambiguous_runs(res.record.seq, site + WINDOW_AFTER)
    if runs:
        where = ", ".join(f"{a}-{b}" for a, b in runs)
        res.evidence.insert(at, f"ambiguous residues at {where} in the signal peptide 1-{site}")


def hidden_helix_runs(seq: bytes, after: int = 0) -> list[tuple[int, int]]:
    """Runs of ``HIDDEN_HELIX_MIN`` or more ambiguous residues in residues after..end (1-based, inclusive;
    a run reaching back before ``after + 1`` counts from there)."""
    return [(m.start() + 1, m.end()) for m in _LONG_RUN.finditer(seq, after)]


def mature_start(res: Result, rev: SiteReview | None) -> int:
    """The last residue before the chain a hidden helix could lie in: the reported signal peptide's end
    (after the review), the clean part before the deciding run when the site is unknown, else 0."""
    if rev is not None and rev.action == "unknown" and rev.run is not None:
        return rev.run[0] - 1
    return res.cleavage_site or 0


def may_hide_helix(res: Result, after: int) -> bool:
    """Whether :func:`flag_hidden_helices` has anything to look at: a verdict other than ``membrane`` and an
    ambiguous residue after residue ``after`` (most proteins have none: a hot path on a proteome)."""
    return res.localization not in (None, "membrane") and _ANY.search(res.record.seq, after) is not None


def flag_hidden_helices(res: Result, after: int, named: str | None = None,
                        helices: Callable[[bytes], Sequence[tuple[int, int]]] | None = None) -> bool:
    """After localisation: a protein not called ``membrane`` whose chain after residue ``after`` holds a
    run long enough to hide a TM helix gets confidence ``low`` and evidence naming the run(s).

    ``helices``: the topology model's helices (1-based, inclusive) of a sequence; with it, a shorter run
    counts too when a helix of the sequence with its ambiguous residues read as Ala (:data:`FILL`)
    covers it: a few X inside a TM helix break it (EGFR with 647-654 masked came out ``secreted``,
    ``high``).  ``named``: a run ("15-25") another evidence item names already (the run hiding an
    unknown cleavage site, :func:`explain_review`): left out of this item.  Returns whether it was
    among the runs.
    """
    if not may_hide_helix(res, after):
        return False
    seq = res.record.seq
    found = hidden_helix_runs(seq, after)
    short = [r for r in ambiguous_runs(seq, len(seq)) if r[1] > after and r not in found]
    if short and helices is not None:
        filled = helices(seq.translate(FILL))
        found = sorted(found + [r for r in short if any(a <= r[1] and b >= r[0] and b > after for a, b in filled)])
    # a run the localisation stage already names in its "TM not called" item is not named twice
    dropped = " ".join(e for e in res.evidence if e.startswith(TM_NOT_CALLED))
    runs = [f"{a}-{b}" for a, b in found if f"{a}-{b}" not in dropped]
    if not runs:
        return False
    res.confidence = "low"
    rest = [r for r in runs if r != named]
    if rest:
        res.evidence.insert(0, f"ambiguous residues at {', '.join(rest)} could hide a TM helix")
    return len(rest) < len(runs)


def ambiguous_in(seq: bytes, segments: Sequence) -> str:
    """"ambiguous residues at 107-111, ...": the ambiguous runs (whole, 1-based) that overlap any of
    ``segments`` (objects with 1-based inclusive ``start`` and ``end``), for evidence that names the
    masked residues, not only the stretch they fall in."""
    runs = sorted({(a, b) for a, b in ambiguous_runs(seq, len(seq))
                   for s in segments if a <= s.end and b >= s.start})
    return "ambiguous residues at " + ", ".join(f"{a}-{b}" for a, b in runs)


def has_no_sp_evidence(seq: bytes) -> bool:
    """True when the residues the signal-peptide model reads (the first :data:`SP_WINDOW`) are all
    ambiguous (X, B, Z, J): the model's sp_prob then rests on no residue at all."""
    window = seq[:SP_WINDOW]
    return bool(window) and not window.translate(None, AMBIGUOUS_BYTES)


def withhold_blind_sp_prob(res: Result) -> None:
    """After the review: a protein whose first :data:`SP_WINDOW` residues are all ambiguous gets no
    sp_prob (None: an empty TSV cell, null in JSONL and Parquet), ``low`` confidence, and evidence
    saying why, in place of a withdrawn call's; its verdict stands as the rules gave it."""
    if not has_no_sp_evidence(res.record.seq):
        return
    res.sp_prob = None
    res.confidence = "low"
    res.note = "signal peptide not assessed: no standard residue in the residues the model reads"
    res.evidence = [e for e in res.evidence if not e.startswith(WITHDRAWN_EVIDENCE)]
    # the rules' "no signal peptide, no TM" would assert an absence nobody looked for: only "no TM" was seen
    res.evidence = ["no TM" if e == "no signal peptide, no TM" else e for e in res.evidence]
    shown = min(len(res.record.seq), SP_WINDOW)
    res.evidence.insert(0, f"sp_prob not given: residues 1-{shown} are all ambiguous (X/B/Z/J)")

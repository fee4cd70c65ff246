"""From records to results: batching, the prediction stages, and parallel workers.

Records are consumed lazily in batches of a bounded number of residues, so
memory stays flat on proteome-sized input; each batch runs the signal-peptide
model and then the whole-protein localisation stage.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from secannot.io.fasta import Record
from secannot.knowledge.ruleset import RuleSet
from secannot.models.masking import (
    FILL,
    apply_review,
    band_candidate,
    explain_review,
    flag_hidden_helices,
    mature_start,
    may_hide_helix,
    review_calls,
    withhold_blind_sp_prob,
)
from secannot.results import Result


@dataclass(frozen=True, slots=True)
class PredictConfig:
    """Everything that changes what ``predict`` computes (not how it is written)."""

    organism: str = "eukarya"
    model_path: str | None = None
    nc_threshold: float | None = None
    #: fraction of the input expected to be leaderless-secreted; nc_score is a probability under it (None: the model's, 2%)
    nc_prior: float | None = None
    rules_dirs: tuple[str, ...] = ()
    localize: bool = True
    #: residues per model batch and bytes per input chunk: both bound memory,
    #: neither changes any result (each protein's numbers are batch-invariant)
    batch_residues: int = 1 << 20
    chunk_bytes: int = 1 << 20
    jobs: int = 1
    family_claims: bool = True  # False: drop rule claims marked basis: family (annotate --no-family)
    dask: str | None = None  # scheduler address, or local:N


def decision_thresholds(config: PredictConfig, sp_thresholds: dict[str, float], nc_model=None) -> dict[str, object]:
    """The thresholds a run with ``config`` applies: {organism, sp_prob, sp_prob_by_organism[, nc_score, nc_prior,
    sp_uncertain_band]}.

    The one place that decides them for provenance (``run_info.run_settings``) and figures
    (``Predictor.thresholds``), so the two cannot disagree.  ``sp_thresholds``: the loaded SP model's
    per-group thresholds (a group it does not list uses 0.5, as the model itself does); ``nc_model``: a
    loaded NonClassicalModel (loaded here when None and localising).  nc_score/nc_prior are the user's
    override when given, else the nc model's; they and the band rule are absent when not localising and for
    organism groups other than eukaryotes (neither is applied to them).
    """
    from secannot.models.nonclassical import NonClassicalModel
    from secannot.models.signal_peptide import ORGANISMS, normalise_organism

    organism = normalise_organism(config.organism)
    by_organism = {group: float(sp_thresholds.get(group, 0.5)) for group in ORGANISMS}
    data: dict[str, object] = {"organism": organism, "sp_prob": by_organism[organism],
                               "sp_prob_by_organism": by_organism}
    if not config.localize:
        return data
    if organism == "eukarya":  # the leaderless score is for eukaryotes only (models.localization)
        nc = nc_model if nc_model is not None else NonClassicalModel.load()
        data["nc_score"] = nc.threshold if config.nc_threshold is None else config.nc_threshold
        data["nc_prior"] = nc.prior if config.nc_prior is None else config.nc_prior
    band = band_settings(config)
    if band is not None:
        data["sp_uncertain_band"] = band
    return data


def unused_leaderless_options(given: dict[str, float | None], organism: str, signal_only: bool,
                              signal_only_name: str) -> str | None:
    """The warning for leaderless options given where no leaderless score is computed (``signal_only``, or an
    organism group other than eukaryotes; see :func:`decision_thresholds`), or None.

    ``given``: option name as the caller spells it (``--nc-prior``, ``nc_prior``) -> its value (None: not
    given); ``organism`` as the user wrote it (an unknown name is refused elsewhere).  The message names the
    canonical group ('gram-positive' for 'Gram+'), as the CLI's --organism choices spell it, whichever
    spelling the caller passes: the CLI's and the API's warnings are then the same words.
    """
    from secannot.models.signal_peptide import ORGANISM_ALIASES

    unused = [name for name, value in given.items() if value is not None]
    group = ORGANISM_ALIASES.get(organism.strip().lower(), "eukarya")
    if not unused or (group == "eukarya" and not signal_only):
        return None
    why = f"{signal_only_name} runs no leaderless score" if signal_only else \
        f"the leaderless score is for eukaryotes only, not {group}"
    return f"{' and '.join(unused)} not used: {why}"


def band_settings(config: PredictConfig) -> dict[str, object] | None:
    """The uncertain-band SP vs signal-anchor rule in force (eukaryotes, localising), for provenance; else None."""
    from secannot.models.localization import BandRule
    from secannot.models.signal_peptide import normalise_organism

    if not config.localize or normalise_organism(config.organism) != "eukarya":
        return None
    band = BandRule()
    return {"sp_prob_from": band.low, "cs_prob": band.min_cs_prob, "h_region": [band.h_min, band.h_max],
            "anchor_helix_score": band.anchor_helix_score, "nterm_span": band.nterm_span}


def load_rule_set(config: PredictConfig, annotate: bool) -> RuleSet:
    """The rule files a run needs: the leaderless rules always, the TME rules only to annotate.

    Raises RulesError for an invalid rule directory (see :meth:`RuleSet.load`).
    """
    kinds = ("tme", "nonclassical") if annotate else ("nonclassical",)
    return RuleSet.load(config.rules_dirs, kinds=kinds, family_claims=config.family_claims)


class Predictor:
    """Loaded models for one configuration; turns a batch of records into results."""

    def __init__(self, config: PredictConfig, rules: RuleSet | None = None, sp_model=None):
        """``rules`` and ``sp_model`` (a loaded SignalPeptideModel for ``config.model_path``) when the caller
        already has them, so a job loads each once."""
        from secannot.models.localization import Localizer
        from secannot.models.signal_peptide import ORGANISMS, SignalPeptideModel, normalise_organism
        from secannot.pipeline.allocator import single_blas_thread, tune_for_batches

        single_blas_thread()
        tune_for_batches()
        self.config = config
        self.organism = normalise_organism(config.organism)
        self.organism_index = ORGANISMS[self.organism]
        self.sp_model = sp_model if sp_model is not None else SignalPeptideModel.load(config.model_path)
        self.rules = rules if rules is not None else load_rule_set(config, annotate=False)
        self.localizer = Localizer.load(self.rules, config.nc_threshold, config.nc_prior) if config.localize else None

    def thresholds(self) -> dict[str, object]:
        """The decision thresholds in force, for provenance and figures (read from the loaded models)."""
        return decision_thresholds(self.config, self.sp_model.thresholds, self.nc_model)

    @property
    def nc_model(self):
        """The loaded NonClassicalModel (None when not localising), for provenance without a second load."""
        return self.localizer.nc_model if self.localizer is not None else None

    def _filled_helices(self, seqs: list[bytes]) -> dict[bytes, list[tuple[int, int]]]:
        """The topology model's TM helices (1-based, inclusive) of each of ``seqs`` with its ambiguous residues
        read as Ala (``masking.FILL``), keyed by the filled sequence: the hidden-helix check's, in one batched
        call (a protein's helices do not depend on its batch)."""
        model = self.localizer.topology_model if self.localizer is not None else None
        filled = list(dict.fromkeys(seq.translate(FILL) for seq in seqs))
        if model is None or not filled:
            return dict.fromkeys(filled, [])
        return {seq: [(h.start, h.end) for h in call.helices]
                for seq, call in zip(filled, model.predict(filled, signal_peptide=True), strict=True)}

    def predict_batch(self, records: list[Record]) -> list[Result]:
        """Results for ``records`` (signal peptide, then localisation), in order.

        Cleavage sites next to ambiguous residues are reviewed (``models.masking``): a call is withdrawn
        when the signal peptide itself is masked, moved to a supported site before the masked run, or kept
        as a signal peptide with an unknown cleavage site.  While localising, an unknown site stands at the
        last residue the signal peptide may reach (the mature chain's helices start after it); it is then
        cleared, so every writer sees route ``classical`` with an empty cleavage site.  After localisation, a
        protein not called ``membrane`` with a run of ambiguous residues long enough to hide a TM helix outside
        its signal peptide is flagged (``masking.flag_hidden_helices``: confidence ``low``, evidence names the run).
        """
        seqs = [r.seq for r in records]
        calls = self.sp_model.predict(seqs, self.organism_index)
        # plain Python lists: per-element numpy scalar conversion is slow at proteome scale
        probs, sites, cs_probs = calls.sp_prob.tolist(), calls.cleavage.tolist(), calls.cs_prob.tolist()
        results = [
            Result(record=rec, sp_prob=p, cleavage_site=cs or None, cs_prob=csp if cs else None,
                   route="classical" if cs else "none")
            for rec, p, cs, csp in zip(records, probs, sites, cs_probs, strict=True)
        ]
        reviews = review_calls(self.sp_model, seqs, self.organism_index, sites, probs)
        for i, rev in reviews.items():
            apply_review(results[i], rev)
        hides_helix: dict[int, bool] = {}
        if self.localizer is not None:
            # the uncertain-band rule may call a signal peptide at the best site: the same review applies
            low = self.localizer.band.low if self.localizer.band is not None else 1.0
            best = [0 if cs or p < low else b for cs, p, b in zip(sites, probs, calls.best_cleavage.tolist(), strict=True)]
            band = review_calls(self.sp_model, seqs, self.organism_index, best, probs)
            candidates = [band_candidate(site, csp, band.get(i)) for i, (site, csp)
                          in enumerate(zip(best, np.nan_to_num(calls.cs_prob).tolist(), strict=True))]
            self.localizer.apply(results, eukaryote=self.organism == "eukarya", candidates=candidates,
                                 sp_threshold=self.sp_model.thresholds.get(self.organism, 0.5))
            after = [mature_start(res, reviews.get(i)) for i, res in enumerate(results)]
            filled = self._filled_helices([res.record.seq for res, a in zip(results, after, strict=True)
                                           if may_hide_helix(res, a)])
            for i, res in enumerate(results):
                rev = reviews.get(i)
                # the run hiding an unknown site is named once, by explain_review
                named = rev.masked if rev is not None and rev.action == "unknown" else None
                hides_helix[i] = flag_hidden_helices(res, after[i], named, filled.__getitem__)
        else:  # --signal-only: no protein without a signal peptide was checked for leaderless secretion
            for res in results:
                if res.route != "classical":
                    res.route = None
        for i, rev in reviews.items():
            explain_review(results[i], rev, hides_helix.get(i, False))
        for res in results:
            withhold_blind_sp_prob(res)
            if self.localizer is None:  # confidence is the verdict's, and --signal-only gives none
                res.confidence = None
        return results


#: Every protein costs the signal-peptide model a full window (about 20 KB of intermediate arrays,
#: however short the protein), so a record counts as at least this many residues ...
MIN_RECORD_COST = 70
#: ... and a batch holds at most this many records (peptide lists: 50,000 3-mers once took ~1 GB).
MAX_BATCH_RECORDS = 4096


def residue_batched(items: Iterable[Record], budget: int) -> Iterator[list[Record]]:
    """Lists of records holding about ``budget`` residues each (at least one record, at most
    MAX_BATCH_RECORDS), so memory per batch is bounded however long or short the proteins are.
    Results do not depend on the batches (every model is batch-invariant)."""
    batch: list[Record] = []
    size = 0
    for rec in items:
        batch.append(rec)
        size += max(len(rec.seq), MIN_RECORD_COST)
        if size >= budget or len(batch) >= MAX_BATCH_RECORDS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def predict_stream(records: Iterable[Record], config: PredictConfig, predictor: Predictor | None = None,
                   annotate: bool = False) -> Iterator[Result]:
    """Results for ``records`` in input order, batch by batch, in this process; with ``annotate``, each also
    carries its rule annotation (from the predictor's rules) and an empty UniProt view.

    (FASTA input runs chunk by chunk through ``secannot.pipeline.chunk_job``,
    which is also where ``jobs > 1`` takes effect.)
    """
    from secannot.knowledge.annotate import annotate as annotate_result
    from secannot.knowledge.annotate import uniprot_view

    pred = predictor or Predictor(config)
    for batch in residue_batched(records, config.batch_residues):
        for res in pred.predict_batch(batch):
            if annotate:
                res.annotation = annotate_result(res, pred.rules)
                res.uniprot = uniprot_view(res, None, None)
            yield res

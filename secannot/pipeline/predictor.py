"""From records to results: batching, the prediction stages, and parallel workers.

Records are consumed lazily in fixed-size batches so that memory stays flat
on proteome-sized input; each batch runs the signal-peptide model and then the
whole-protein localisation stage.  With ``jobs > 1`` batches go to worker
processes and come back in input order.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from secannot.io.fasta import Record
from secannot.knowledge.ruleset import RuleSet
from secannot.results import Result


@dataclass(frozen=True, slots=True)
class PredictConfig:
    """Everything that changes what ``predict`` computes (not how it is written)."""

    organism: str = "eukarya"
    model_path: str | None = None
    nc_threshold: float | None = None
    rules_dirs: tuple[str, ...] = ()
    localize: bool = True
    batch_size: int = 512
    jobs: int = 1


class Predictor:
    """Loaded models for one configuration; turns a batch of records into results."""

    def __init__(self, config: PredictConfig, rules: RuleSet | None = None):
        from secannot.models.localization import Localizer
        from secannot.models.signal_peptide import ORGANISMS, SignalPeptideModel, normalise_organism
        from secannot.pipeline.allocator import single_blas_thread, tune_for_batches

        single_blas_thread()
        tune_for_batches()
        self.config = config
        self.organism = normalise_organism(config.organism)
        self.organism_index = ORGANISMS[self.organism]
        self.sp_model = SignalPeptideModel.load(config.model_path)
        self.rules = rules if rules is not None else RuleSet.load(config.rules_dirs, kinds=("nonclassical",))
        self.localizer = Localizer.load(self.rules, config.nc_threshold) if config.localize else None

    def predict_batch(self, records: list[Record]) -> list[Result]:
        seqs = [r.seq for r in records]
        calls = self.sp_model.predict(seqs, self.organism_index)
        # plain Python lists: per-element numpy scalar conversion is slow at proteome scale
        probs, sites, cs_probs = calls.sp_prob.tolist(), calls.cleavage.tolist(), calls.cs_prob.tolist()
        results = [
            Result(record=rec, sp_prob=p, cleavage_site=cs or None, cs_prob=csp if cs else None,
                   route="classical" if cs else "none")
            for rec, p, cs, csp in zip(records, probs, sites, cs_probs, strict=True)
        ]
        if self.localizer is not None:
            self.localizer.apply(results, eukaryote=self.organism == "eukarya")
        return results


def batched(items: Iterable[Record], size: int) -> Iterator[list[Record]]:
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


_WORKER: Predictor | None = None


def _init_worker(config: PredictConfig) -> None:
    global _WORKER  # noqa: PLW0603 - one predictor per worker process
    _WORKER = Predictor(config)


def _work(batch: list[Record]) -> list[Result]:
    assert _WORKER is not None
    results = _WORKER.predict_batch(batch)
    # The parent still holds the records: do not ship the sequences back.
    for res in results:
        res.record = None  # type: ignore[assignment]
    return results


def predict_stream(records: Iterable[Record], config: PredictConfig, predictor: Predictor | None = None) -> Iterator[Result]:
    """Results for ``records`` in input order, batch by batch."""
    if config.jobs <= 1:
        pred = predictor or Predictor(config)
        for batch in batched(records, config.batch_size):
            yield from pred.predict_batch(batch)
        return
    import multiprocessing
    from collections import deque

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(config.jobs, initializer=_init_worker, initargs=(config,)) as pool:
        # Pool.imap would read the whole input ahead; a bounded queue of
        # pending batches keeps memory flat and the output in input order.
        pending: deque = deque()

        def finished() -> Iterator[Result]:
            batch, job = pending.popleft()
            for rec, res in zip(batch, job.get(), strict=True):
                res.record = rec
                yield res

        for batch in batched(records, config.batch_size):
            pending.append((batch, pool.apply_async(_work, (batch,))))
            if len(pending) >= 2 * config.jobs:
                yield from finished()
        while pending:
            yield from finished()

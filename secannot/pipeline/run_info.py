"""The provenance of one predict/annotate run: versions, organism group, thresholds in force, date, inputs.

Lives in the pipeline layer because it reads the loaded models; the record
type it fills (:class:`secannot.provenance.Provenance`) is at the base.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any

from secannot.models.nonclassical import model_json
from secannot.pipeline.predictor import PredictConfig, decision_thresholds
from secannot.provenance import Provenance, RunSettings


def input_summary(sources: Sequence[Any]) -> tuple[dict[str, Any], ...]:
    """FASTA inputs by path ('-' is stdin); ids by kind and origin with a count, so 20,000 ids stay one line."""
    out: list[dict[str, Any]] = []
    for src in sources:
        if src.kind == "fasta":
            out.append({"kind": "fasta", "path": src.value})
            continue
        last = out[-1] if out else None
        if last is not None and last.get("kind") == src.kind and last.get("origin") == src.origin:
            last["count"] += 1
        else:
            out.append({"kind": src.kind, "origin": src.origin, "count": 1})
    return tuple(out)


def run_settings(config: PredictConfig, sp_thresholds: dict[str, float],
                 inputs: tuple[dict[str, Any], ...] = (), nc_model: Any = None) -> RunSettings:
    """The settings of a run with ``config``, for provenance.

    Every threshold comes from :func:`secannot.pipeline.predictor.decision_thresholds`, the one place
    that decides them (so provenance, figures and the run cannot disagree); this only adds what is
    not a threshold: the nc model's name and version, the user's overrides, the date and the inputs.
    ``sp_thresholds`` are the loaded model's (``SignalPeptideModel.thresholds``); ``nc_model`` a loaded
    NonClassicalModel when the caller has one.
    """
    decided = decision_thresholds(config, sp_thresholds, nc_model)
    nc_meta = model_json()
    return RunSettings(
        organism=str(decided["organism"]),
        sp_thresholds=dict(decided["sp_prob_by_organism"]),  # type: ignore[call-overload]
        nc_threshold=decided.get("nc_score"),  # type: ignore[arg-type]
        nc_model={"name": str(nc_meta.get("name")), "version": str(nc_meta.get("version"))},
        date=_dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        inputs=inputs,
        overrides=user_overrides(config),
        nc_prior=decided.get("nc_prior"),  # type: ignore[arg-type]
        sp_band=decided.get("sp_uncertain_band"),  # type: ignore[arg-type]
    )


def user_overrides(config: PredictConfig) -> dict[str, float]:
    """The thresholds the user set (``--nc-threshold``, ``--nc-prior``), by their provenance names."""
    given = {"nc_score": config.nc_threshold, "nc_prior": config.nc_prior}
    return {name: value for name, value in given.items() if value is not None}


def run_provenance(config: PredictConfig, sp_model: Any, inputs: tuple[dict[str, Any], ...],
                   rules_version: str | None, uniprot_release: str | None,
                   ligand_receptor: str | None = None, nc_model: Any = None) -> Provenance:
    """The full provenance of a run; ``sp_model`` is the loaded :class:`SignalPeptideModel`,
    ``inputs`` what :func:`input_summary` makes of the sources, ``nc_model`` the loaded
    NonClassicalModel when the caller has one (else it is loaded when needed)."""
    from secannot import __version__

    return Provenance(__version__, sp_model.name, sp_model.version, rules_version, uniprot_release,
                      ligand_receptor=ligand_receptor, run=run_settings(config, sp_model.thresholds, inputs, nc_model))

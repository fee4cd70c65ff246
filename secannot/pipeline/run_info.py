"""The provenance of one predict/annotate run: versions, organism group, thresholds in force, date, inputs.

Lives in the pipeline layer because it reads the loaded models; the record
type it fills (:class:`secannot.provenance.Provenance`) is at the base.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any

from secannot.pipeline.predictor import PredictConfig
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
                 inputs: tuple[dict[str, Any], ...] = ()) -> RunSettings:
    """Thresholds in force for ``config``: the SP model's per-group thresholds, the nc threshold and prior, the band rule.

    ``sp_thresholds`` are the loaded model's (``SignalPeptideModel.thresholds``);
    a group the model does not list uses 0.5, as the model itself does.
    """
    from secannot.models.signal_peptide import ORGANISMS, normalise_organism

    nc_meta = _nc_meta()
    from secannot.pipeline.predictor import band_settings

    overrides = {"nc_score": config.nc_threshold} if config.nc_threshold is not None else {}
    if config.nc_prior is not None:
        overrides["nc_prior"] = config.nc_prior
    nc_threshold = nc_prior = None
    if config.localize:
        nc_threshold = config.nc_threshold if config.nc_threshold is not None else float(nc_meta["threshold"])
        nc_prior = config.nc_prior if config.nc_prior is not None else float(nc_meta["prior"])
    return RunSettings(
        organism=normalise_organism(config.organism),
        sp_thresholds={group: float(sp_thresholds.get(group, 0.5)) for group in ORGANISMS},
        nc_threshold=nc_threshold,
        nc_model={"name": str(nc_meta.get("name")), "version": str(nc_meta.get("version"))},
        date=_dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        inputs=inputs,
        overrides=overrides,
        nc_prior=nc_prior,
        sp_band=band_settings(config),
    )


def run_provenance(config: PredictConfig, sp_model: Any, inputs: tuple[dict[str, Any], ...],
                   rules_version: str | None, uniprot_release: str | None,
                   ligand_receptor: str | None = None) -> Provenance:
    """The full provenance of a run; ``sp_model`` is the loaded :class:`SignalPeptideModel`,
    ``inputs`` what :func:`input_summary` makes of the sources."""
    from secannot import __version__

    return Provenance(__version__, sp_model.name, sp_model.version, rules_version, uniprot_release,
                      ligand_receptor=ligand_receptor, run=run_settings(config, sp_model.thresholds, inputs))


def _nc_meta() -> dict[str, Any]:
    import json
    from importlib import resources

    return json.loads((resources.files("secannot") / "data" / "nc_model.json").read_text(encoding="utf-8"))

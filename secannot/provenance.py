"""What produced an output: versions of the tool, the models and the rules, and the settings of the run.

Results are only reproducible when the versions and every threshold in force
are known, so JSON and JSON Lines carry all of it (and GFF3 a comment line);
TSV stays a plain table that pandas and R read without options.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from secannot import TOOL_NAME, __version__


@dataclass(frozen=True, slots=True)
class RunSettings:
    """The settings of one run that change its results.

    ``sp_thresholds`` holds the signal-peptide decision threshold of every
    organism group (the one in force is ``sp_thresholds[organism]``);
    ``overrides`` names the thresholds the user set on the command line.
    ``inputs`` lists FASTA inputs by path and id inputs by origin and count.
    """

    organism: str
    sp_thresholds: dict[str, float]
    nc_threshold: float | None
    nc_model: dict[str, str]
    date: str  # ISO 8601, UTC
    inputs: tuple[dict[str, Any], ...] = ()
    overrides: dict[str, float] = field(default_factory=dict)
    #: prior under which nc_score is a probability (secannot.models.nonclassical), None when not localising
    nc_prior: float | None = None
    #: the signal-peptide vs signal-anchor rule for the uncertain sp_prob band (eukaryotes), None when not applied
    sp_band: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "organism": self.organism,
            "thresholds": {
                "sp_prob": self.sp_thresholds.get(self.organism),
                "sp_prob_by_organism": dict(self.sp_thresholds),
                "nc_score": self.nc_threshold,
                "nc_prior": self.nc_prior,
                "sp_uncertain_band": dict(self.sp_band) if self.sp_band else None,
                "overrides": dict(self.overrides),
            },
            "nc_model": dict(self.nc_model),
            "date": self.date,
            "inputs": [dict(i) for i in self.inputs],
        }


@dataclass(frozen=True, slots=True)
class Provenance:
    tool_version: str
    model_name: str
    model_version: str
    rules_version: str | None = None
    uniprot_release: str | None = None
    ligand_receptor: str | None = None  # source of the receptors/ligands columns, e.g. 'liana 1.10.0'
    run: RunSettings | None = None

    def as_dict(self) -> dict:
        data: dict[str, Any] = {
            "tool": {"name": TOOL_NAME, "version": self.tool_version},
            "model": {"name": self.model_name, "version": self.model_version},
            "rules": {"version": self.rules_version},
        }
        if self.uniprot_release:
            data["uniprot"] = {"release": self.uniprot_release}
        if self.ligand_receptor:
            data["ligand_receptor"] = {"source": self.ligand_receptor}
        if self.run is not None:
            data.update(self.run.as_dict())
        return data


def make_provenance(model_name: str, model_version: str, rules_version: str | None) -> Provenance:
    return Provenance(__version__, model_name, model_version, rules_version)

"""Versions of the tool, the model and the rules, for --version and JSON output.

Results are only reproducible when all three are known, so every machine
readable output names them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from secannot import TOOL_NAME, __version__


@dataclass(frozen=True, slots=True)
class Provenance:
    tool_version: str
    model_name: str
    model_version: str
    rules_version: str | None = None
    uniprot_release: str | None = None
    ligand_receptor: str | None = None  # source of the receptors/ligands columns, e.g. 'liana 1.10.0'
    #: decision thresholds in force (pipeline.predictor.decision_thresholds: sp_prob, nc_score, nc_prior, ...)
    thresholds: dict | None = field(default=None, compare=False, hash=False)

    def as_dict(self) -> dict:
        data = {
            "tool": {"name": TOOL_NAME, "version": self.tool_version},
            "model": {"name": self.model_name, "version": self.model_version},
            "rules": {"version": self.rules_version},
        }
        if self.uniprot_release:
            data["uniprot"] = {"release": self.uniprot_release}
        if self.ligand_receptor:
            data["ligand_receptor"] = {"source": self.ligand_receptor}
        if self.thresholds:
            data["thresholds"] = self.thresholds
        return data


def make_provenance(model_name: str, model_version: str, rules_version: str | None) -> Provenance:
    return Provenance(__version__, model_name, model_version, rules_version)

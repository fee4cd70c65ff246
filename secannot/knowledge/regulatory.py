"""Links from FDA application numbers (rule evidence ``regulatory``) to the FDA's own databases.

Drugs@FDA for NDA and BLA numbers, the 510(k), PMA and De Novo databases for devices; the
numbers are the ones ``rules/schema.json`` allows ('NDA 021743', '510(k) K150588', ...).
"""

from __future__ import annotations

import re

_DRUGS = "https://www.accessdata.fda.gov/scripts/cder/daf/index.cfm?event=overview.process&ApplNo={}"
_DEVICES = {
    "510(k)": "https://www.accessdata.fda.gov/scripts/cdrh/cfdocs/cfpmn/pmn.cfm?ID={}",
    "PMA": "https://www.accessdata.fda.gov/scripts/cdrh/cfdocs/cfpma/pma.cfm?id={}",
    "De Novo": "https://www.accessdata.fda.gov/scripts/cdrh/cfdocs/cfpmn/denovo.cfm?ID={}",
}
_NUMBER = re.compile(r"^(NDA|BLA|510\(k\)|PMA|De Novo) ([A-Z]*[0-9]+)$")


def regulatory_url(text: str) -> str | None:
    """The FDA database page for 'NDA 021743' etc.; None for anything else."""
    match = _NUMBER.match(text.strip())
    if not match:
        return None
    kind, number = match.groups()
    return _DRUGS.format(number) if kind in ("NDA", "BLA") else _DEVICES[kind].format(number)

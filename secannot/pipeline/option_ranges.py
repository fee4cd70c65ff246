"""The ranges of the leaderless-score options, one definition for the command line and the Python API.

``--nc-prior`` / ``nc_prior`` and ``--nc-threshold`` / ``nc_threshold`` are checked before any record is
read, by Typer's option callback (:func:`secannot.cli.common.bounded`) and by the API's
:mod:`secannot.api.options`; both read the bounds, and the words their messages and ``--help`` write them
in, from here, so the two cannot accept different values.  No imports: the command line loads this
module to build its options, before it knows whether it will predict anything.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Range:
    """``low <= value <= high``; ``low_text``/``high_text``: the bounds as messages write them (0.000001, not
    Python's 1e-06)."""

    low: float
    high: float
    low_text: str
    high_text: str

    @property
    def accepted(self) -> str:
        """What the API's TypeError/ValueError says is accepted: ``a number between 0 and 1``."""
        return f"a number between {self.low_text} and {self.high_text}"

    @property
    def help(self) -> str:
        """The range as Typer's ``--help`` shows a float range: ``[0.0<=x<=1.0]``."""
        return f"[{self.low!r}<=x<={self.high!r}]"


#: A prior of exactly 0 or 1 has no odds to rescale (secannot.models.nonclassical.prior_shift).
NC_PRIOR = Range(1e-6, 0.999999, "0.000001", "0.999999")
#: nc_score is a probability.
NC_THRESHOLD = Range(0.0, 1.0, "0", "1")

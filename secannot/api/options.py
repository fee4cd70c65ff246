"""Options in: the run's settings checked as the command line checks them, before any record is read.

Each wrong value is an error naming the keyword and what it accepts (TypeError for a wrong type,
ValueError for a number out of range, ModelError for an unknown organism), never Python's own words
from deeper down ("'int' object is not iterable"); a value that is valid but not used says so in a
warning, as the CLI does.
"""

from __future__ import annotations

import math
import numbers
import os
import sys
import warnings
from collections.abc import Iterable
from typing import Any

from secannot.errors import ModelError
from secannot.pipeline.option_ranges import NC_PRIOR, NC_THRESHOLD
from secannot.pipeline.predictor import PredictConfig

#: The organism groups in the words of the CLI's --organism; the model also takes short forms (euk, gram+, ...)
_ORGANISMS = "'eukarya', 'gram-negative', 'gram-positive', 'archaea'"
#: option -> (lowest, highest, what is accepted in words, the kind of number): the nc ranges are the CLI's own
_RANGES = {"nc_threshold": (NC_THRESHOLD.low, NC_THRESHOLD.high, NC_THRESHOLD.accepted, numbers.Real),
           "nc_prior": (NC_PRIOR.low, NC_PRIOR.high, NC_PRIOR.accepted, numbers.Real),
           "batch_residues": (1, math.inf, "an int >= 1 (residues per batch)", numbers.Integral)}
#: What ``rules`` accepts, as its TypeError says it
_RULES_KINDS = "a rule directory path (str or os.PathLike) or an iterable of them"


def _config(organism: str, nc_threshold: float | None, nc_prior: float | None, rules: Iterable[str] | str, *,
            signal_only: bool = False, family_claims: bool = True, batch_residues: int = 1 << 20) -> PredictConfig:
    """The run's settings, checked as the command line checks them, before any record is read.

    TypeError for a value of the wrong type, ValueError for a number out of range or nan, ModelError for
    an unknown organism name, all naming what is accepted; None is the model's nc_threshold/nc_prior.
    A UserWarning, as the CLI's, when nc_threshold or nc_prior is given but no leaderless score is
    computed (signal_only, or an organism that is not eukaryotic).  Called from predict and annotate
    only: the warning's stacklevel points at their caller.
    """
    group = _organism_group(organism)
    _check_flag("signal_only", signal_only)
    _check_flag("family_claims", family_claims)
    values = _numbers(nc_threshold=nc_threshold, nc_prior=nc_prior, batch_residues=batch_residues)
    dirs = _rule_dirs(rules)
    _warn_unused_nc(group, nc_threshold, nc_prior, bool(signal_only))
    return PredictConfig(organism=organism, rules_dirs=dirs, localize=not signal_only,
                         family_claims=bool(family_claims), **values)


def _organism_group(organism: Any) -> str:
    """The canonical group ('gram-negative' for 'gram-'); TypeError for a non-str, ModelError for an unknown name."""
    from secannot.models.signal_peptide import ORGANISM_ALIASES

    if not isinstance(organism, str):
        raise TypeError(f"organism: {organism!r} ({type(organism).__name__}) is not one of {_ORGANISMS}")
    if organism.strip().lower() not in ORGANISM_ALIASES:
        raise ModelError(f"organism: {organism!r} is not one of {_ORGANISMS}")
    return ORGANISM_ALIASES[organism.strip().lower()]


def _check_flag(name: str, value: Any) -> None:
    """TypeError unless ``value`` is True or False (numpy's bool too).

    Truthiness would read ``signal_only="no"`` as yes and ``skip_invalid="no"`` as skip, silently.
    """
    numpy = sys.modules.get("numpy")  # numpy.bool_ exists only once numpy is loaded: no import for the check
    kinds = (bool, numpy.bool_) if numpy is not None else (bool,)
    if not isinstance(value, kinds):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")


def _numbers(**values: Any) -> dict[str, Any]:
    """The numeric options as float/int, checked against ``_RANGES``; None is the model's for the float ones."""
    for name, value in values.items():
        low, high, accepted, kind = _RANGES[name]
        if value is None and kind is numbers.Real:
            continue
        if isinstance(value, bool) or not isinstance(value, kind):
            raise TypeError(f"{name} must be {accepted}, got {type(value).__name__} {value!r}")
        if math.isnan(value) or not low <= value <= high:
            raise ValueError(f"{name} must be {accepted}, got {value!r}")
        values[name] = int(value) if kind is numbers.Integral else float(value)
    return values


def _rule_dirs(rules: Any) -> tuple[str, ...]:
    """``rules`` as a tuple of directory names; TypeError naming what it accepts for anything else, ValueError for
    an empty name (it would mean the working directory) or one directory given twice (by resolved path)."""
    if isinstance(rules, (str, os.PathLike)):
        rules = (rules,)
    elif isinstance(rules, (bytes, bytearray)):  # iterable, but as ints: one path each would be nonsense
        raise TypeError(f"rules must be {_RULES_KINDS}, got {type(rules).__name__} {rules!r}")
    try:
        items = tuple(iter(rules))
    except TypeError:  # not iterable (an int, None): said in these words, not "'int' object is not iterable"
        raise TypeError(f"rules must be {_RULES_KINDS}, got {type(rules).__name__} {rules!r}") from None
    dirs = tuple(os.fspath(d) if isinstance(d, (str, os.PathLike)) else d for d in items)
    for d in dirs:
        if not isinstance(d, str):  # an int, None, or a PathLike naming bytes
            raise TypeError(f"rules must be {_RULES_KINDS}, got a {type(rules).__name__} holding "
                            f"{type(d).__name__} {d!r}")
    from secannot.knowledge.ruleset import rule_dirs_problem

    problem = rule_dirs_problem(dirs, "rules")  # the CLI's usage error (2) for --rules, in keyword words
    if problem is not None:
        raise ValueError(problem)
    return dirs


def _warn_unused_nc(group: str, nc_threshold: float | None, nc_prior: float | None, signal_only: bool) -> None:
    """The CLI's warning, in keyword names, for nc_threshold/nc_prior given where no leaderless score is computed."""
    from secannot.pipeline.predictor import unused_leaderless_options

    unused = unused_leaderless_options({"nc_threshold": nc_threshold, "nc_prior": nc_prior}, group, signal_only,
                                       "signal_only")
    if unused:
        # stacklevel 4: here, _config, predict or annotate, then the line that called them
        warnings.warn(unused, UserWarning, stacklevel=4)

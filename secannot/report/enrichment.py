"""Over-representation of annotation categories in a protein list against its background.

The question a proteomics user asks is "are CAF-secreted proteins more
common among my hits than among everything I detected?".  The hits (the
foreground, ``n`` proteins) are a subset of the background (``N`` proteins,
everything that could have been a hit); ``k`` hits and ``K`` background
proteins carry the category.  Conventions, fixed here so that every output
and the README agree:

* **Test**: one-sided hypergeometric test for over-representation,
  ``p = P(X >= k)`` with ``X ~ Hypergeometric(N, K, n)``, computed as
  ``scipy.stats.hypergeom.sf(k - 1, N, K, n)``.  This is the same number as
  Fisher's exact test with ``alternative='greater'`` on the 2x2 table below;
  the hypergeometric form is used because it needs no table and is exact for
  the sampling-without-replacement question.  A category no hit carries
  (``k = 0``) gets ``p = 1``.
* **2x2 table**: ``a = k`` (hit, in category), ``b = n - k`` (hit, not in
  category), ``c = K - k`` (background non-hit, in category),
  ``d = (N - n) - (K - k)`` (background non-hit, not in category).
* **Odds ratio**: ``(a * d) / (b * c)``, reported only when all four cells
  are positive.  With a zero cell the sample ratio is 0 (``a = 0``: no hit
  carries the category), infinite (``b = 0`` or ``c = 0``: every hit, or
  every background carrier is a hit) or undefined, and it is left empty
  (None in Python, null in JSON, an empty TSV cell).  The Haldane-Anscombe
  +0.5 correction used before gave such tables a finite ratio that could
  point the other way from the data: k = 0 got OR 12.1 (CI 0.61-238.7) for a
  category with fold enrichment 0, and k = K = 1 of n = 90, N = 100 gets
  OR 0.35 though every carrier is a hit.  The p-value (1 when ``k = 0``)
  and ``fold_enrichment`` still describe those categories.  The ratio is an
  effect size, not the test statistic.
* **Confidence interval of the odds ratio**: Woolf's logit interval,
  ``exp(ln OR +- z * sqrt(1/a + 1/b + 1/c + 1/d))`` with z = 1.96 for 95%,
  on the same table, so it contains the reported ratio; empty whenever the
  ratio is (Woolf 1955, Ann Hum Genet 19:251; Agresti, Categorical Data
  Analysis, 3rd ed., section 3.1).
* **Minimum size**: a category carried by fewer than ``min_size`` background
  proteins is not tested (no odds ratio, p or q) and is not part of the BH
  family.  With two or three background members a single hit can reach
  p < 0.05, which says more about the size of the category than about the
  hits.  Tools commonly require 5-15 members (clusterProfiler's
  ``minGSSize`` defaults to 10, GSEA's minimum set size to 15);
  :data:`DEFAULT_MIN_SIZE` = 5 is the low end of that range because the
  curated TME categories are small (most have tens of members in a
  proteome, not hundreds), and it already keeps single-protein categories
  out of the test.
* **Multiple testing**: Benjamini-Hochberg q-values over every tested
  category of one run, including categories only the background carries
  (``p = 1``).  Choosing the family before looking at ``k`` keeps BH valid;
  it makes q a little conservative when there are many background-only
  categories, which is the safe direction.  Computed via ``scipy.stats.false_discovery_control`` when the
  installed SciPy has it (>= 1.11), otherwise the equivalent step-up
  computation in :func:`bh_fallback`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

DEFAULT_MIN_SIZE = 5
#: q below which the report and the dot plot highlight a category (a display choice; q itself is reported).
SIGNIFICANT_Q = 0.05
_Z95 = 1.959963984540054  # standard normal quantile for a two-sided 95% interval

TEST_DESCRIPTION = (
    "one-sided hypergeometric test for over-representation, p = P(X >= k), "
    "X ~ Hypergeometric(N background, K in category, n foreground) (= Fisher's exact test, greater)"
)
MULTIPLE_TESTING_DESCRIPTION = "Benjamini-Hochberg q-values across all tested categories"
ODDS_RATIO_DESCRIPTION = (
    "odds ratio of the 2x2 table foreground vs rest of background, left empty when a cell is 0 "
    "(no hit carries the category, every hit or every carrier is a hit: the ratio is 0 or infinite); "
    "95% confidence interval by Woolf's logit method on the same table"
)


def min_size_description(min_size: int) -> str:
    return (f"categories with fewer than {min_size} background proteins are not tested "
            f"(no odds ratio, p or q; outside the Benjamini-Hochberg family)")


@dataclass(frozen=True, slots=True)
class Counts:
    """One category: k of n foreground proteins and K of N background proteins carry it."""

    k: int
    n: int
    K: int  # upper-case K and N as in the textbook formulas
    N: int

    def __post_init__(self) -> None:
        # Impossible tables mean the foreground was not folded into the background: a bug upstream.
        if not (0 <= self.k <= self.n <= self.N and self.k <= self.K <= self.N and self.n - self.k <= self.N - self.K):
            raise ValueError(f"inconsistent counts k={self.k} n={self.n} K={self.K} N={self.N}")

    def table(self) -> tuple[int, int, int, int]:
        """(a, b, c, d) as documented in the module docstring."""
        a, b, c = self.k, self.n - self.k, self.K - self.k
        return a, b, c, (self.N - self.n) - c


@dataclass(frozen=True, slots=True)
class Enrichment:
    counts: Counts
    odds_ratio: float | None  # None when a cell of the 2x2 table is 0
    p_value: float
    q_value: float
    ci_low: float | None
    ci_high: float | None


def hypergeom_p(counts: Counts) -> float:
    """P(X >= k): the chance of seeing at least k category members among n random background draws."""
    if counts.k == 0:
        return 1.0
    from scipy.stats import hypergeom

    p = float(hypergeom.sf(counts.k - 1, counts.N, counts.K, counts.n))
    return min(1.0, max(0.0, p))


def odds_ratio(counts: Counts) -> float | None:
    """Sample odds ratio ``(a d) / (b c)``; None when a cell is 0 (ratio 0, infinite or undefined).

    No continuity correction: see the module docstring for why +0.5 misleads.
    """
    a, b, c, d = counts.table()
    if 0 in (a, b, c, d):
        return None
    return (a * d) / (b * c)


def odds_ratio_ci(counts: Counts) -> tuple[float | None, float | None]:
    """95% Woolf (logit) interval of :func:`odds_ratio`; (None, None) exactly when the ratio is None."""
    ratio = odds_ratio(counts)
    if ratio is None:
        return None, None
    a, b, c, d = counts.table()
    half = _Z95 * math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return math.exp(math.log(ratio) - half), math.exp(math.log(ratio) + half)


def bh_fallback(pvalues: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg step-up: q_(i) = min over j >= i of p_(j) * m / j, capped at 1.

    Kept for SciPy < 1.11, which lacks ``false_discovery_control``; tied
    p-values get the same q because the minimum runs over the tied block.
    """
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    q = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, pvalues[i] * m / rank)
        q[i] = running
    return q


def bh_qvalues(pvalues: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg q-values in input order (SciPy's when available)."""
    if not pvalues:
        return []
    try:
        from scipy.stats import false_discovery_control
    except ImportError:
        return bh_fallback(pvalues)
    return [float(q) for q in false_discovery_control(list(pvalues), method="bh")]


def enrich(counts: Mapping[str, Counts], min_size: int = 1) -> dict[str, Enrichment]:
    """Test every category with at least ``min_size`` background members; correct across those at once.

    The BH family is exactly the tested categories, so the caller decides
    what is one family (here: every TME category of one run).  Categories
    below the minimum are absent from the result.
    """
    names = sorted(name for name, c in counts.items() if min_size <= c.K)
    pvalues = [hypergeom_p(counts[name]) for name in names]
    qvalues = bh_qvalues(pvalues)
    return {
        name: Enrichment(counts[name], odds_ratio(counts[name]), p, q, *odds_ratio_ci(counts[name]))
        for name, p, q in zip(names, pvalues, qvalues, strict=True)
    }


def fold_enrichment(counts: Counts) -> float | None:
    """(k / n) / (K / N), for plots; None when undefined (no foreground or empty category)."""
    if counts.n == 0 or counts.K == 0:
        return None
    return (counts.k / counts.n) / (counts.K / counts.N)

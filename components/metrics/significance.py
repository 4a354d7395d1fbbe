"""McNemar's test on paired top-1 outcomes (REPRODUCTION.md, "Metrics")."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class McNemarResult:
    """b: items only system A got right; c: only B; p_value: exact two-sided p."""

    b: int
    c: int
    p_value: float


def mcnemar_exact(correct_a: ArrayLike, correct_b: ArrayLike) -> McNemarResult:
    """Exact McNemar test: under H0 the b + c discordant items split 50/50 between A and B.

    p = binomtest(b, b + c, 0.5), two-sided; with no discordant pair there is no evidence
    either way and p = 1.
    """
    a = np.asarray(correct_a, dtype=bool).ravel()
    b_ = np.asarray(correct_b, dtype=bool).ravel()
    if a.shape != b_.shape:
        raise ValueError(f"paired outcomes differ in length: {a.size} vs {b_.size}")
    b = int(np.sum(a & ~b_))
    c = int(np.sum(~a & b_))
    if b + c == 0:
        return McNemarResult(b, c, 1.0)
    from scipy.stats import binomtest  # on first use: scipy.stats takes seconds to import

    return McNemarResult(b, c, float(binomtest(b, b + c, 0.5).pvalue))

"""Seen / unseen label splits of the zero-shot tables, and the few-shot examples.

Zero-shot: the tweet-feature model and every ZSL method train on tweets of seen labels only;
tweets of unseen labels are the test set, scored against the unseen labels. Few-shot: the
same, plus 5-10 tweets (a random count per label) of each unseen label in training; those
tweets leave the test set.
"""

from __future__ import annotations

import re

import numpy as np


def parse_split(split: str, n_labels: int) -> tuple[int, int]:
    """'40/10' -> (40, 10); the two must add up to the number of labels."""
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", split)
    if not m:
        raise ValueError(f"split must be 'seen/unseen' like '40/10', got {split!r}")
    seen, unseen = int(m.group(1)), int(m.group(2))
    if seen < 1 or unseen < 2 or seen + unseen != n_labels:
        raise ValueError(f"split {split!r}: need seen >= 1, unseen >= 2 and seen + unseen = {n_labels} labels")
    return seen, unseen


def draw_unseen(n_labels: int, n_unseen: int, seed: int) -> np.ndarray:
    """The unseen label ids of draw `seed`, sorted."""
    return np.sort(np.random.default_rng([seed, n_labels, n_unseen]).choice(n_labels, n_unseen, replace=False))


def few_shot_mask(labels: np.ndarray, unseen: np.ndarray, low: int, high: int, seed: int) -> np.ndarray:
    """True for the unseen-label tweets given to training: per unseen label a count drawn from
    [low, high], at most all but one of its tweets (one must stay to be tested)."""
    if not 1 <= low <= high:
        raise ValueError(f"few-shot counts need 1 <= low <= high, got {low}, {high}")
    labels = np.asarray(labels)
    rng = np.random.default_rng([seed, low, high])
    out = np.zeros(len(labels), dtype=bool)
    for c in np.asarray(unseen).tolist():
        idx = rng.permutation(np.flatnonzero(labels == c))
        k = min(int(rng.integers(low, high + 1)), len(idx) - 1)
        out[idx[:max(k, 0)]] = True
    return out


__all__ = ["draw_unseen", "few_shot_mask", "parse_split"]

"""Choosing a zero-shot method's regularisers without looking at the unseen labels.

    gamma, lam, hit = select_eszsl(X, y, S, candidates=range(n_seen), grid=(0.1, 1.0, 10.0))
    weight_decay, hit = select_dem(X, y, S, candidates=range(n_seen), grid=(1e-5, 1e-4, 1e-3))

A seeded `fraction` of the candidate (seen) labels is held out and plays "unseen": the method is
fit on the other labels' examples, scores the held-out labels' examples against the held-out
labels alone, and the grid point with the best hit@1 wins. The real unseen labels take no part.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from components.metrics import hit_at_k_ties
from components.zsl.dem import DEM
from components.zsl.eszsl import ESZSL


def held_out_labels(candidates: Sequence[int], fraction: float, seed: int) -> np.ndarray:
    """A seeded `fraction` of `candidates` (at least 2, at most all but 2)."""
    candidates = np.asarray(candidates)
    if len(candidates) < 4:
        raise ValueError(f"need at least 4 seen labels to hold some out, got {len(candidates)}")
    n = min(max(2, int(round(fraction * len(candidates)))), len(candidates) - 2)
    return np.sort(np.random.default_rng(seed).choice(candidates, n, replace=False))


def _seen_split(y: np.ndarray, candidates: Sequence[int], fraction: float, seed: int):
    """(held-out labels, fit rows, held-out rows, fit labels renumbered 0.., held-out gold positions)."""
    held = held_out_labels(candidates, fraction, seed)
    fit_labels = np.setdiff1d(np.unique(y), held)
    fit_rows, val_rows = np.isin(y, fit_labels), np.isin(y, held)
    remap = {c: i for i, c in enumerate(fit_labels)}
    y_fit = np.array([remap[c] for c in y[fit_rows]])
    return held, fit_labels, fit_rows, val_rows, y_fit, np.searchsorted(held, y[val_rows])


def select_eszsl(X: np.ndarray, y: np.ndarray, S: np.ndarray, candidates: Sequence[int],
                 grid: Sequence[float] = (0.01, 0.1, 1.0, 10.0), fraction: float = 0.2,
                 seed: int = 0) -> tuple[float, float, float]:
    """(gamma, lam, held-out hit@1) of the best grid point; y indexes S's rows."""
    held, fit_labels, fit_rows, val_rows, y_fit, gold = _seen_split(y, candidates, fraction, seed)
    best = None
    for gamma, lam in itertools.product(grid, grid):
        model = ESZSL(gamma, lam).fit(X[fit_rows], y_fit, S[fit_labels])
        hit = hit_at_k_ties(model.scores(X[val_rows], S[held]), gold, 1)
        if best is None or hit > best[2]:
            best = (float(gamma), float(lam), float(hit))
    return best


def select_dem(X: np.ndarray, y: np.ndarray, S: np.ndarray, candidates: Sequence[int],
               grid: Sequence[float] = (1e-5, 1e-4, 1e-3, 1e-2), fraction: float = 0.2, seed: int = 0,
               metric: str = "cosine", **fit_kwargs) -> tuple[float, float]:
    """(DEM's weight decay λ, held-out hit@1) of the best grid point; `fit_kwargs` go to DEM.fit."""
    held, fit_labels, fit_rows, val_rows, y_fit, gold = _seen_split(y, candidates, fraction, seed)
    best = None
    for weight_decay in grid:
        model = DEM().fit(X[fit_rows], y_fit, S[fit_labels], weight_decay=weight_decay, seed=seed, **fit_kwargs)
        hit = hit_at_k_ties(model.scores(X[val_rows], S[held], metric=metric), gold, 1)
        if best is None or hit > best[1]:
            best = (float(weight_decay), float(hit))
    return best


__all__ = ["held_out_labels", "select_dem", "select_eszsl"]

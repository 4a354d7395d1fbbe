"""Stratified, balanced and grouped folds and holdouts that work for classes of any size (smoke data included)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np


def stratified_folds(labels: np.ndarray, n_folds: int, seed: int = 0) -> np.ndarray:
    """Fold id (0..n_folds-1) of each example: within each class a random permutation is dealt
    round-robin, starting at a random fold, so every fold gets ⌊n_c/k⌋ or ⌈n_c/k⌉ of class c."""
    if n_folds < 2:
        raise ValueError(f"n_folds must be >= 2, got {n_folds}")
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    folds = np.empty(len(labels), dtype=np.int64)
    offset = 0
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        # Continuing the deal across classes keeps the folds' sizes within one of each other.
        folds[idx] = (offset + np.arange(len(idx))) % n_folds
        offset += len(idx)
    return folds


def stratified_holdout(labels: np.ndarray, fraction: float, seed: int = 0) -> np.ndarray:
    """True for the held-out examples: round(fraction · n_c) of each class, at least one of
    any class with two or more examples (so every class is seen on both sides)."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be in (0, 1), got {fraction}")
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    out = np.zeros(len(labels), dtype=bool)
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        if len(idx) >= 2:
            out[idx[:min(len(idx) - 1, max(1, round(fraction * len(idx))))]] = True
    return out


def balanced_sample(labels: np.ndarray, classes: int, per_class: int = 0, seed: int = 0) -> np.ndarray:
    """Indices (sorted) of `per_class` examples of each of the `classes` most frequent labels,
    drawn at random (seeded); `per_class` 0 takes as many as the least frequent of them has.
    Ties in frequency go to the smaller label. A request the data cannot meet is a ValueError
    that says what the data hold."""
    labels = np.asarray(labels)
    values, counts = np.unique(labels, return_counts=True)
    order = np.lexsort((values, -counts))  # most frequent first, then by label
    if not 1 <= classes <= len(values):
        raise ValueError(f"classes={classes}: the data hold {len(values)} classes")
    chosen, sizes = values[order[:classes]], counts[order[:classes]]
    n = per_class or int(sizes.min())
    if n > sizes.min():
        raise ValueError(f"per_class={per_class}: the {classes} most frequent classes have "
                         f"{', '.join(str(int(c)) for c in sizes)} examples; at most {int(sizes.min())}")
    rng = np.random.default_rng(seed)
    return np.sort(np.concatenate([rng.choice(np.flatnonzero(labels == c), n, replace=False) for c in chosen]))


def grouped_folds(groups: Sequence, n_folds: int, seed: int = 0) -> np.ndarray:
    """Fold id (0..n_folds-1) of each example such that all examples of a group (e.g. one
    conversation) share a fold: groups in a seeded random order, each dealt to the fold with
    the fewest examples so far, so folds differ in size by at most the largest group."""
    if n_folds < 2:
        raise ValueError(f"n_folds must be >= 2, got {n_folds}")
    names, inverse, sizes = np.unique(np.asarray(groups), return_inverse=True, return_counts=True)
    if len(names) < n_folds:
        raise ValueError(f"n_folds={n_folds}: the data hold {len(names)} groups")
    fold_of, load = np.empty(len(names), dtype=np.int64), np.zeros(n_folds, dtype=np.int64)
    for g in np.random.default_rng(seed).permutation(len(names)):
        fold_of[g] = int(load.argmin())
        load[fold_of[g]] += sizes[g]
    return fold_of[inverse]


def purge_shared(keep: np.ndarray, against: np.ndarray, groups: Sequence) -> np.ndarray:
    """`keep` without the examples whose group also has an example in `against`: e.g. the
    training examples of a conversation one of whose replies is tested, when folds are
    grouped by speaker (a conversation has two speakers, so its replies can fall on both sides)."""
    groups = np.asarray(groups)
    return np.asarray(keep, dtype=bool) & ~np.isin(groups, groups[np.asarray(against, dtype=bool)])


__all__ = ["balanced_sample", "grouped_folds", "purge_shared", "stratified_folds", "stratified_holdout"]


def holdout_mask(texts: Sequence[str], seed: int, fraction: float) -> np.ndarray:
    """True for the texts kept out of pretraining: a hash of (seed, text), so identical texts
    in any split or table agree and no index or order matters."""
    if fraction <= 0:
        return np.zeros(len(texts), dtype=bool)
    cut = int(fraction * 2**64)
    return np.array([int.from_bytes(hashlib.sha256(f"{seed}\x00{t}".encode()).digest()[:8], "big") < cut
                     for t in texts], dtype=bool)

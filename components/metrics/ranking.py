"""Ranking metrics, exactly as REPRODUCTION.md's "Metrics" section defines them.

Hashtag generation (several gold hashtags per post, a ranked list of predictions):

* hits_i(K): distinct gold hashtags of post i among its top-K predictions, hashtags compared
  after lowercasing and Porter-stemming each word (`normalize_hashtag`); predictions are
  deduplicated after normalization (first occurrence kept) *before* the top K are taken,
  and golds are deduplicated the same way.
* P@K = sum_i hits_i / (K * N); R@K = sum_i hits_i / sum_i |gold_i|;
  F1@K = 2PR / (P + R), 0 when P = R = 0 (micro over the test set).
* MAP@K = mean_i AP_i with AP_i = (sum over hit positions j <= K of P@j) / |gold_i|.

Single-label tasks (one true class per item, a score per class):

* hit@K: share of items whose true label is among the top K (= P@K for the emoji tasks);
* MRR: mean of 1 / rank of the true label.
  With scores, rank = 1 + number of classes scoring strictly higher (ties are resolved in
  the item's favour, the same rule for both metrics).

All functions return floats in [0, 1]; tables multiply by 100.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np


@lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem.porter import (
        PorterStemmer,  # imported on first use: NLTK takes seconds to import
    )

    return PorterStemmer()


@lru_cache(maxsize=200_000)
def stem_word(word: str) -> str:
    """Porter stem of one lowercase word (NLTK, cached: metrics stem the same words often)."""
    return _stemmer().stem(word)


def normalize_hashtag(tag: str, stem: bool = True) -> tuple[str, ...]:
    """Comparable form of a hashtag: lowercase words, each Porter-stemmed (not for Chinese).

    A leading `#` is ignored: `normalize_hashtag("#Running shoes") == ("run", "shoe")`.
    """
    words = tag.lower().lstrip("#").split()
    return tuple(stem_word(w) for w in words) if stem else tuple(words)


def _dedupe(tags: Sequence[str], stem: bool) -> list[tuple[str, ...]]:
    seen: set[tuple[str, ...]] = set()
    out = []
    for tag in tags:
        norm = normalize_hashtag(tag, stem)
        if norm and norm not in seen:
            seen.add(norm)
            out.append(norm)
    return out


def _check_pairs(predictions: Sequence[Sequence[str]], golds: Sequence[Sequence[str]], k: int) -> None:
    if len(predictions) != len(golds):
        raise ValueError(f"{len(predictions)} prediction lists for {len(golds)} gold lists")
    if not golds:
        raise ValueError("no posts to score")
    if k < 1:
        raise ValueError(f"K must be >= 1, got {k}")


def _per_post(predictions: Sequence[Sequence[str]], golds: Sequence[Sequence[str]], k: int,
              stem: bool) -> list[tuple[list[bool], int]]:
    """For each post: hit flags of its top-K distinct predictions, and |gold_i|."""
    _check_pairs(predictions, golds, k)
    out = []
    for i, (pred, gold) in enumerate(zip(predictions, golds, strict=True)):
        gold_set = set(_dedupe(gold, stem))
        if not gold_set:
            raise ValueError(f"post {i} has no gold hashtag")
        top = _dedupe(pred, stem)[:k]
        out.append(([p in gold_set for p in top], len(gold_set)))
    return out


def hits_at_k(predictions: Sequence[Sequence[str]], golds: Sequence[Sequence[str]], k: int,
              stem: bool = True) -> list[int]:
    """hits_i(K) for every post."""
    return [sum(flags) for flags, _ in _per_post(predictions, golds, k, stem)]


def precision_at_k(predictions: Sequence[Sequence[str]], golds: Sequence[Sequence[str]], k: int,
                   stem: bool = True) -> float:
    """P@K = sum of hits / (K * N)."""
    return sum(hits_at_k(predictions, golds, k, stem)) / (k * len(golds))


def recall_at_k(predictions: Sequence[Sequence[str]], golds: Sequence[Sequence[str]], k: int,
                stem: bool = True) -> float:
    """R@K = sum of hits / sum of |gold_i|."""
    rows = _per_post(predictions, golds, k, stem)
    return sum(sum(flags) for flags, _ in rows) / sum(n for _, n in rows)


def f1_at_k(predictions: Sequence[Sequence[str]], golds: Sequence[Sequence[str]], k: int,
            stem: bool = True) -> float:
    """F1@K = 2PR / (P + R) of the micro P@K and R@K; 0 when both are 0."""
    rows = _per_post(predictions, golds, k, stem)
    hits = sum(sum(flags) for flags, _ in rows)
    p = hits / (k * len(rows))
    r = hits / sum(n for _, n in rows)
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def map_at_k(predictions: Sequence[Sequence[str]], golds: Sequence[Sequence[str]], k: int,
             stem: bool = True) -> float:
    """MAP@K: mean over posts of (sum of P@j at hit positions j <= K) / |gold_i|."""
    total = 0.0
    rows = _per_post(predictions, golds, k, stem)
    for flags, n_gold in rows:
        hits, precision_sum = 0, 0.0
        for j, hit in enumerate(flags, start=1):
            if hit:
                hits += 1
                precision_sum += hits / j
        total += precision_sum / n_gold
    return total / len(rows)


def _ranks(scores_or_ranked: np.ndarray | Sequence[Sequence], true_labels: Sequence,
           ranked: bool | None) -> np.ndarray:
    """1-based rank of each item's true label (inf when a ranked list lacks it)."""
    if ranked is None:  # a numeric array is scores; top-k index arrays need ranked=True
        ranked = not (isinstance(scores_or_ranked, np.ndarray) and scores_or_ranked.dtype.kind in "fiub")
    if not ranked:
        scores = np.asarray(scores_or_ranked, dtype=np.float64)
        true = np.asarray(true_labels, dtype=np.int64)
        if scores.ndim != 2 or scores.shape[0] != true.shape[0]:
            raise ValueError(f"scores must be (N, C) for N={true.shape[0]} labels, got {scores.shape}")
        if true.size and (true.min() < 0 or true.max() >= scores.shape[1]):
            raise ValueError(f"true labels must be class indices in [0, {scores.shape[1]})")
        true_score = scores[np.arange(len(true)), true][:, None]
        return (scores > true_score).sum(axis=1).astype(np.float64) + 1.0
    ranked = list(scores_or_ranked)
    if len(ranked) != len(true_labels):
        raise ValueError(f"{len(ranked)} ranked lists for {len(true_labels)} labels")
    ranks = np.full(len(ranked), np.inf)
    for i, (row, label) in enumerate(zip(ranked, true_labels, strict=True)):
        row = list(row)
        if label in row:
            ranks[i] = row.index(label) + 1
    return ranks


def hit_at_k(scores_or_ranked: np.ndarray | Sequence[Sequence], true_labels: Sequence, k: int,
             ranked: bool | None = None) -> float:
    """Share of items whose true label is in the top K.

    Accepts an (N, C) numeric score array with integer class labels, or one ranked label
    list per item (best first) with labels of any kind. `ranked=None` guesses from the type
    (numeric ndarray = scores); pass `ranked=True` for an array of top-k class indices.
    """
    if k < 1:
        raise ValueError(f"K must be >= 1, got {k}")
    ranks = _ranks(scores_or_ranked, true_labels, ranked)
    if ranks.size == 0:
        raise ValueError("no items to score")
    return float(np.mean(ranks <= k))


def hit_at_k_ties(scores: np.ndarray, true_labels: Sequence[int], k: int) -> float:
    """hit@K of an (N, C) score array with ties broken at random, in expectation.

    `hit_at_k` ranks a true label tied with others first, so a scorer that gives every label
    the same score (a zero label vector under cosine) would score 100%. Here the true label's
    position is uniform over its tie group: with g labels above it and e others tied, the
    chance it lands in the top K is clip((K - g) / (e + 1), 0, 1)."""
    if k < 1:
        raise ValueError(f"K must be >= 1, got {k}")
    scores = np.asarray(scores, dtype=np.float64)
    true = np.asarray(true_labels, dtype=np.int64)
    if scores.ndim != 2 or scores.shape[0] != true.shape[0] or true.size == 0:
        raise ValueError(f"scores must be (N, C) for N={true.shape[0]} > 0 labels, got {scores.shape}")
    if true.min() < 0 or true.max() >= scores.shape[1]:
        raise ValueError(f"true labels must be class indices in [0, {scores.shape[1]})")
    own = scores[np.arange(len(true)), true][:, None]
    above = (scores > own).sum(axis=1)
    tied = (scores == own).sum(axis=1) - 1
    return float(np.clip((k - above) / (tied + 1), 0.0, 1.0).mean())


#: P@K of the single-label emoji tasks is hit@K (one true label per item).
precision_at_k_single = hit_at_k


def mrr(scores_or_ranked: np.ndarray | Sequence[Sequence], true_labels: Sequence,
        ranked: bool | None = None) -> float:
    """Mean reciprocal rank of the true label (0 for a ranked list that lacks it)."""
    ranks = _ranks(scores_or_ranked, true_labels, ranked)
    if ranks.size == 0:
        raise ValueError("no items to score")
    return float(np.mean(1.0 / ranks))


def top1_correct(preds: Sequence[Sequence[str]], golds: Sequence[Sequence[str]],
                 normalize: Callable[[str], str] | None = None) -> np.ndarray:
    """Per item: is the top-1 prediction one of its golds, both compared after `normalize`
    (default: `normalize_hashtag`, the stemmed words F1@1 compares). McNemar's paired input."""
    norm = normalize or normalize_hashtag
    return np.array([bool(p) and norm(p[0]) in {norm(g) for g in gold}
                     for p, gold in zip(preds, golds, strict=True)], dtype=bool)

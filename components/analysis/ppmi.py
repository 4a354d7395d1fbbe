"""Positive pointwise mutual information between hashtags and emojis.

The paper represents each hashtag by its "bag-of-emoji" vector and, because hashtag and
emoji popularity are both power-law distributed, reweights it with PPMI (Church & Hanks 1990).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp


def ppmi_matrix(
    counts: sp.spmatrix | np.ndarray,
    n_tweets: int,
    hashtag_counts: np.ndarray,
    emoji_counts: np.ndarray,
) -> sp.csr_matrix:
    """PPMI of every (hashtag, emoji) cell, as an (H, E) float64 CSR matrix.

    With N = `n_tweets` (all tweets counted, with or without hashtags or emojis)::

        p(h, e) = count(h, e) / N      tweets holding both h and e
        p(h)    = count(h) / N         tweets holding h
        p(e)    = count(e) / N         tweets holding e
        PPMI(h, e) = max(0, log(p(h, e) / (p(h) p(e))))
                   = max(0, log(count(h, e) * N / (count(h) * count(e))))

    Natural logarithm. Cells never observed together (count 0, PMI = -inf) stay 0 and
    stay out of the sparse structure, as do cells whose PMI is clipped to 0.

    PPMI is computed row by row from global marginals, so a subset of hashtags can be
    passed as ``counts[rows], n_tweets, hashtag_counts[rows], emoji_counts`` and gives the
    same rows as the full matrix.
    """
    m = sp.csr_matrix(counts)
    h = np.asarray(hashtag_counts, dtype=np.float64).ravel()
    e = np.asarray(emoji_counts, dtype=np.float64).ravel()
    if m.shape != (h.size, e.size):
        raise ValueError(
            f"counts has shape {m.shape} but there are {h.size} hashtag and {e.size} emoji counts"
        )
    if n_tweets <= 0:
        raise ValueError(f"n_tweets must be positive, got {n_tweets}")
    coo = m.tocoo()
    keep = coo.data != 0
    row, col = coo.row[keep], coo.col[keep]
    joint = coo.data[keep].astype(np.float64)
    if np.any(joint < 0):
        raise ValueError("co-occurrence counts must be non-negative")
    denom = h[row] * e[col]
    # A joint count with a zero marginal means the inputs come from different corpora.
    if np.any(denom <= 0) or np.any(joint > np.minimum(h[row], e[col])):
        raise ValueError("a co-occurrence count exceeds its hashtag or emoji count")
    pmi = np.log(joint * float(n_tweets) / denom)
    positive = pmi > 0
    return sp.csr_matrix(
        (pmi[positive], (row[positive], col[positive])), shape=m.shape, dtype=np.float64
    )


def counter_ppmi(counter, hashtags: Sequence[str] | None = None) -> sp.csr_matrix:
    """Emoji-PPMI rows of `hashtags` (default: every hashtag) of a `CooccurrenceCounter`, with
    marginals over every tweet it counted."""
    counts, _, _ = counter.matrix()
    if hashtags is None:
        return ppmi_matrix(counts, counter.n_tweets, counter.hashtag_counts, counter.emoji_counts)
    index = {h: i for i, h in enumerate(counter.hashtags)}
    rows = [index[h] for h in hashtags]
    return ppmi_matrix(counts[rows], counter.n_tweets, counter.hashtag_counts[rows], counter.emoji_counts)

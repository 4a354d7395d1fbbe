"""ConSE (Norouzi et al. 2014) as in "zero-shot hashtag recommendation" eqs. 1-2.

A seen-label classifier's probabilities p(y|x) place a tweet in label-embedding space by a
convex combination of the T most probable seen labels' embeddings s(y):

    f(x) = (1/Z) Σ_{t=1..T} p(ŷ(x,t)|x) · s(ŷ(x,t)),   Z = Σ_{t=1..T} p(ŷ(x,t)|x)

and candidate (unseen) labels are ranked by cos(f(x), s(y')). The paper sets T to the
number of seen labels (`top_t=None`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPS = 1e-12


def cosine_scores(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(N, U) cosine similarities between rows of a (N, D) and b (U, D); zero rows give 0."""
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), EPS)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), EPS)
    return a @ b.T


@dataclass
class ConSE:
    """label_embeddings_seen: (S, D), row i is the embedding of classifier output i."""

    label_embeddings_seen: np.ndarray
    top_t: int | None = None

    def __post_init__(self) -> None:
        self.label_embeddings_seen = np.asarray(self.label_embeddings_seen, dtype=np.float64)
        if self.top_t is not None and self.top_t < 1:
            raise ValueError(f"top_t must be >= 1, got {self.top_t}")

    def predict_embedding(self, probs: np.ndarray) -> np.ndarray:
        """f(x) for each row of probs (N, S) -> (N, D)."""
        probs = np.asarray(probs, dtype=np.float64)
        n_seen = self.label_embeddings_seen.shape[0]
        if probs.ndim != 2 or probs.shape[1] != n_seen:
            raise ValueError(f"probs must be (N, {n_seen}), got {probs.shape}")
        t = n_seen if self.top_t is None else min(self.top_t, n_seen)
        # A sparse (N, S) weight matrix instead of gathering (N, T, D) embeddings: same sum,
        # memory O(N·S) rather than O(N·T·D). Stable sort so ties keep the lower label id.
        top = np.argsort(-probs, axis=1, kind="stable")[:, :t]
        weights = np.zeros_like(probs)
        np.put_along_axis(weights, top, np.take_along_axis(probs, top, axis=1), axis=1)
        z = np.maximum(weights.sum(axis=1, keepdims=True), EPS)
        return (weights / z) @ self.label_embeddings_seen

    def rank(self, probs: np.ndarray, candidate_label_embeddings: np.ndarray) -> np.ndarray:
        """(N, U) scores cos(f(x), s(y')) for candidates (U, D); higher ranks first."""
        return cosine_scores(self.predict_embedding(probs),
                             np.asarray(candidate_label_embeddings, dtype=np.float64))

"""ESZSL (Romera-Paredes & Torr 2015), "zero-shot hashtag recommendation" eqs. 3-4.

With features X (d × m, one column per tweet), labels Y (m × z), label embeddings
("attributes") S (a × z, one column per seen label), V (d × a) minimises

    ‖Xᵀ V S − Y‖²_F + γ‖V S‖²_F + λ‖Xᵀ V‖²_F + γλ‖V‖²_F

whose stationarity condition (X Xᵀ + γI) V (S Sᵀ + λI) = X Y Sᵀ gives the closed form

    V = (X Xᵀ + γI)⁻¹ X Y Sᵀ (S Sᵀ + λI)⁻¹.

Scores of candidate labels S' (a × u) are Xᵀ V S'. Y is one-hot in {0, 1} as in the
hashtag paper (`label_coding="zero_one"`); Romera-Paredes & Torr use {-1, 1}
(`"plus_minus"`). The hashtag paper's eq. 4 prints γ in both inverses; we keep the
original's separate γ and λ (set them equal to get the printed form).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np


def one_hot_labels(y: np.ndarray, n_labels: int,
                   coding: Literal["zero_one", "plus_minus"] = "zero_one") -> np.ndarray:
    """Y (m, z): 1 at the true label, 0 (or -1 for "plus_minus") elsewhere."""
    y = np.asarray(y)
    if y.ndim != 1 or (y.size and (y.min() < 0 or y.max() >= n_labels)):
        raise ValueError(f"labels must be a 1-d array of ids in [0, {n_labels})")
    off = {"zero_one": 0.0, "plus_minus": -1.0}[coding]
    labels = np.full((y.size, n_labels), off)
    labels[np.arange(y.size), y] = 1.0
    return labels


@dataclass
class ESZSL:
    """gamma regularises the feature side, lam the label-embedding side."""

    gamma: float = 1.0
    lam: float = 1.0
    label_coding: Literal["zero_one", "plus_minus"] = "zero_one"
    V: np.ndarray | None = field(default=None, init=False, repr=False)

    def fit(self, X: np.ndarray, y: np.ndarray, S_seen: np.ndarray) -> ESZSL:
        """X (m, d) features (rows = tweets), y (m,) ids into S_seen's rows, S_seen (z, a)."""
        feats = np.asarray(X, dtype=np.float64).T  # (d, m): the paper's column layout
        attrs = np.asarray(S_seen, dtype=np.float64).T  # (a, z)
        if feats.shape[1] != len(y):
            raise ValueError(f"X has {feats.shape[1]} rows but y has {len(y)} labels")
        labels = one_hot_labels(y, attrs.shape[1], self.label_coding)
        # Solves instead of explicit inverses: same V, better conditioned.
        left = np.linalg.solve(feats @ feats.T + self.gamma * np.eye(feats.shape[0]),
                               feats @ labels @ attrs.T)  # (d, a)
        right = attrs @ attrs.T + self.lam * np.eye(attrs.shape[0])  # symmetric (a, a)
        self.V = np.linalg.solve(right, left.T).T
        return self

    def scores(self, X: np.ndarray, S_candidates: np.ndarray) -> np.ndarray:
        """(m, u) = Xᵀ V S' for X (m, d) and candidate label embeddings S_candidates (u, a)."""
        if self.V is None:
            raise RuntimeError("ESZSL.scores called before fit")
        return np.asarray(X, dtype=np.float64) @ self.V @ np.asarray(S_candidates, np.float64).T

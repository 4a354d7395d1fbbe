"""DEM (Zhang, Xiang & Gong 2017) as in "zero-shot hashtag recommendation" sec. 6.3.

The tweet's feature space is the embedding space: a label embedding s (a-d word2vec) is
mapped into it by g(s) = ReLU(W s + b) (FC of F = 1024 units, F = the GRU feature size),
and g is fitted by least squares to the features φ(x_i) of the tweets carrying label y_i:

    L(W, b) = (1/m) Σ_i ‖φ(x_i) − g(s_{y_i})‖² + λ‖W‖²_F

A tweet's score for a candidate label s' is the negative squared Euclidean distance
−‖φ(x) − g(s')‖² (DEM classifies by nearest neighbour in the feature space).

With the features fixed,

    Σ_i ‖φ_i − g(s_{y_i})‖² = Σ_c n_c ‖μ_c − g(s_c)‖² + Σ_i ‖φ_i − μ_{y_i}‖²

(μ_c: class-mean feature, n_c: class count), so each full-batch step costs O(z·a·F)
whatever m is; `losses` still records the full L above.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from components.zsl.conse import cosine_scores


class LabelMapper(nn.Module):
    """g(s) = ReLU(W s + b), Xavier-uniform W, zero b; `relu=False` gives W s + b."""

    def __init__(self, label_dim: int, feature_dim: int, relu: bool = True) -> None:
        super().__init__()
        self.fc = nn.Linear(label_dim, feature_dim)
        self.relu = relu
        nn.init.xavier_uniform_(self.fc.weight)
        nn.init.zeros_(self.fc.bias)

    def forward(self, s: torch.Tensor) -> torch.Tensor:
        h = self.fc(s)
        return torch.relu(h) if self.relu else h


@dataclass
class DEM:
    """relu=True is the paper's branch. A ReLU output cannot reach the negative half of a
    GRU state (tanh range); `relu=False` is the linear ablation for that case."""

    relu: bool = True
    mapper: LabelMapper | None = field(default=None, init=False, repr=False)
    losses: list[float] = field(default_factory=list, init=False, repr=False)

    def fit(self, features: np.ndarray, y: np.ndarray, S_seen: np.ndarray, epochs: int = 300,
            lr: float = 1e-3, weight_decay: float = 1e-4, seed: int = 0) -> DEM:
        """features (m, F), y (m,) ids into S_seen's rows, S_seen (z, a).

        `epochs` full-batch Adam steps (lr 1e-3 as in the paper's sec. 7); `weight_decay`
        is λ on W (not b), added to the loss as DEM does, not Adam's decoupled decay.
        """
        feats = torch.as_tensor(np.asarray(features), dtype=torch.float32)
        labels = torch.as_tensor(np.asarray(y), dtype=torch.long)
        attrs = torch.as_tensor(np.asarray(S_seen), dtype=torch.float32)
        if feats.shape[0] != labels.shape[0]:
            raise ValueError(f"{feats.shape[0]} feature rows but {labels.shape[0]} labels")
        if labels.numel() and (labels.min() < 0 or labels.max() >= attrs.shape[0]):
            raise ValueError(f"labels must be ids in [0, {attrs.shape[0]})")
        m, z = feats.shape[0], attrs.shape[0]
        counts = torch.bincount(labels, minlength=z).to(torch.float32)
        sums = torch.zeros(z, feats.shape[1]).index_add_(0, labels, feats)
        means = sums / counts.clamp(min=1).unsqueeze(1)
        within = float(((feats - means[labels]) ** 2).sum()) / m  # constant of the loss

        torch.manual_seed(seed)
        self.mapper = LabelMapper(attrs.shape[1], feats.shape[1], self.relu)
        opt = torch.optim.Adam(self.mapper.parameters(), lr=lr)
        self.losses = []
        for _ in range(epochs):
            opt.zero_grad()
            fit_term = (counts * ((means - self.mapper(attrs)) ** 2).sum(1)).sum() / m
            loss = fit_term + weight_decay * (self.mapper.fc.weight ** 2).sum()
            loss.backward()
            opt.step()
            self.losses.append(float(loss.detach()) + within)
        return self

    @torch.no_grad()
    def map_labels(self, S: np.ndarray) -> np.ndarray:
        """g(s) for each row of S (u, a) -> (u, F)."""
        if self.mapper is None:
            raise RuntimeError("DEM used before fit")
        return self.mapper(torch.as_tensor(np.asarray(S), dtype=torch.float32)).double().numpy()

    def scores(self, features: np.ndarray, S_candidates: np.ndarray, metric: str = "euclidean") -> np.ndarray:
        """(N, U) = −‖φ(x) − g(s')‖² for features (N, F) and candidates (U, a); `metric="cosine"`
        gives cos(φ(x), g(s')) instead (the hashtag paper's nearest label by cosine)."""
        proto = self.map_labels(S_candidates)
        x = np.asarray(features, dtype=np.float64)
        if metric == "cosine":
            return cosine_scores(x, proto)
        if metric != "euclidean":
            raise ValueError(f"metric must be 'euclidean' or 'cosine', got {metric!r}")
        sq = (x ** 2).sum(1, keepdims=True) - 2 * x @ proto.T + (proto ** 2).sum(1)
        return -sq

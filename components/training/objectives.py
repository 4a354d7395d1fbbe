"""Objectives a `FitProblem` takes, shared by the tables that train classifiers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F


@dataclass
class ClassifyObjective:
    """Softmax cross-entropy over the labels; picklable for Ray Train workers."""

    def loss(self, model, batch) -> torch.Tensor:
        return F.cross_entropy(model(batch["tokens"], batch["lengths"]), batch["label"])

    def scores(self, model, arrays: dict[str, np.ndarray], chunk: int = 1024) -> np.ndarray:
        device = next(model.parameters()).device
        out = []
        with torch.no_grad():
            for s in range(0, len(arrays["label"]), chunk):
                out.append(model(torch.as_tensor(arrays["tokens"][s:s + chunk]).to(device),
                                 torch.as_tensor(arrays["lengths"][s:s + chunk])).float().cpu())
        return torch.cat(out).numpy() if out else np.zeros((0, model.config.n_classes), np.float32)

    def evaluate(self, model, arrays: dict[str, np.ndarray]) -> dict[str, float]:
        scores = torch.as_tensor(self.scores(model, arrays))
        gold = torch.as_tensor(arrays["label"])
        return {"val_loss": F.cross_entropy(scores, gold).item(),
                "val_acc": (scores.argmax(1) == gold).float().mean().item()}

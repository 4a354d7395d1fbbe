"""DeepMoji's fine-tuning protocol (bfelbo/DeepMoji, finetuning.py and class_avg_finetuning.py),
as plain numpy/torch pieces the transfer task wires into the engine's fits:

* texts cut at the 80th percentile of the benchmark's token lengths, rounded up to 10;
* epochs of `epoch_size` examples drawn afresh from the training set, with replacement;
* one binary model per class for the class-averaged F1 benchmarks, each against the rest;
* the floors a model must beat: the training majority (accuracy), "all positive" (F1).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from components.emoji_encoder import DEEPMOJI_THRESHOLDS, class_averaged_f1, tune_class_thresholds


def deepmoji_max_len(texts: Sequence[str], tokenize: Callable[[str], list]) -> int:
    """calculate_batchsize_maxlen: the 80th percentile of the texts' token counts, rounded up
    to a multiple of 10 (DeepMoji has no cap; its batch of 250 holds up to 100 tokens)."""
    p80 = np.percentile([len(tokenize(t)) for t in texts], 80.0)
    return max(10, int(math.ceil(p80 / 10.0)) * 10)  # 10: a set of empty texts still gets a width


def one_vs_rest(labels: np.ndarray, task: str, n_classes: int) -> np.ndarray:
    """(N, C) 0/1 targets, one column per binary model: the labels themselves for a binary task
    (C = 1), else class c against the rest (DeepMoji's `relabel`, one model per class)."""
    labels = np.asarray(labels)
    if task == "binary":
        return labels.reshape(-1, 1).astype(np.int64)
    if task == "multiclass":
        return (labels[:, None] == np.arange(n_classes)).astype(np.int64)
    if task == "multilabel":
        return labels.astype(np.int64)
    raise ValueError(f"task must be binary, multiclass or multilabel, got {task!r}")


def per_class_f1(val_p: np.ndarray, val_targets: np.ndarray, test_p: np.ndarray,
                 test_targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(test F1, threshold) of each binary model, column c of the (N, C) probabilities: its
    threshold tuned on validation over DeepMoji's grid (find_f1_threshold); their mean is the
    class-averaged F1 of class_avg_finetune."""
    thresholds = tune_class_thresholds(val_p, val_targets, DEEPMOJI_THRESHOLDS)
    f1 = [class_averaged_f1(test_p[:, c], test_targets[:, c], t) for c, t in enumerate(thresholds)]
    return np.array(f1), thresholds


def majority_accuracy(train_y: np.ndarray, test_y: np.ndarray) -> float:
    """Test accuracy of always answering the training set's most frequent class."""
    majority = np.bincount(np.asarray(train_y)).argmax()
    return float((np.asarray(test_y) == majority).mean())


def all_positive_f1(test_targets: np.ndarray) -> float:
    """Class-averaged F1 of calling every example positive for every class: 2p/(1+p) per class.
    A constant score is all positive or all negative whatever the tuned threshold, and all
    positive is the better of the two on validation as soon as it holds one positive."""
    targets = np.asarray(test_targets)
    return class_averaged_f1(np.ones(targets.shape), targets, 0.5)


def validation_weights(n_val: int, epoch_size: int, seed: int) -> np.ndarray:
    """How often each validation example is drawn in `epoch_size` draws with replacement.

    DeepMoji early-stops its class-averaged runs on such a resample of the validation set
    (prepare_generators); weighting the loss by these counts is the same loss, computed once
    per example."""
    counts = np.bincount(np.random.default_rng(seed).integers(0, n_val, epoch_size), minlength=n_val)
    return counts.astype(np.float32)


@dataclass
class EpochSampler:
    """sampling_generator: each epoch `epoch_size` examples drawn from `pool` with replacement.

    The engine trains on `slots(epoch_size)` and permutes the slots afresh each epoch, seeded by
    (fit seed, epoch); a batch's examples are drawn by a generator seeded with `key` and the
    batch's slot ids. So every epoch is a new draw, the same one on a rerun or a resumed fit,
    and each data-parallel rank (another share of the slots) draws its own. Uniform, as DeepMoji
    runs it: its balanced `upsample` branch is never switched on (every caller passes False)."""

    pool: dict[str, np.ndarray]
    key: tuple[int, ...] = (0,)  # the fit's seed and which fit (class, chain-thaw step): fits differ

    def __post_init__(self) -> None:
        sizes = {len(v) for v in self.pool.values()}
        if len(sizes) != 1 or not sizes.pop():
            raise ValueError(f"EpochSampler.pool: expected equally long, non-empty arrays, got "
                             f"{ {k: len(v) for k, v in self.pool.items()} }")

    @property
    def n(self) -> int:
        return len(next(iter(self.pool.values())))

    @staticmethod
    def slots(epoch_size: int) -> dict[str, np.ndarray]:
        """The FitProblem.train arrays of a sampled epoch: one slot per drawn example."""
        return {"slot": np.arange(epoch_size, dtype=np.int64)}

    def draw(self, slots: np.ndarray) -> np.ndarray:
        """Pool indices for one batch of slots."""
        slots = np.asarray(slots, dtype=np.int64).ravel()
        rng = np.random.default_rng([*self.key, *slots.tolist()])
        return rng.integers(0, self.n, size=len(slots))

    def batch(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        slot = batch["slot"]
        idx = self.draw(slot.cpu().numpy())
        return {k: torch.as_tensor(v[idx]).to(slot.device) for k, v in self.pool.items()}


@dataclass
class SampledLoss:
    """FitProblem.loss over sampled epochs: the batch of slots becomes a batch of examples."""

    loss: Callable[[torch.nn.Module, dict], torch.Tensor]
    sampler: EpochSampler

    def __call__(self, model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        return self.loss(model, self.sampler.batch(batch))


__all__ = ["EpochSampler", "SampledLoss", "all_positive_f1", "deepmoji_max_len", "majority_accuracy",
           "one_vs_rest", "per_class_f1", "validation_weights"]

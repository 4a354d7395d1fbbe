"""One epoch of minibatch training, identical in-process and under data parallelism.

A `FitProblem` is everything a training loop needs (model factory, aligned numpy
arrays, a loss and an evaluation) and is plain picklable data, so Ray Train workers
can receive it. Batches are drawn from a permutation fixed by (seed, epoch): every
data-parallel rank sees its share of the same global batch, and the loss is scaled so
that averaging gradients over ranks gives exactly the single-process gradient.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

Arrays = dict[str, np.ndarray]
Batch = dict[str, torch.Tensor]


@dataclass
class FitSettings:
    epochs: int = 10
    batch_size: int = 64
    lr: float = 1e-3
    optimizer: str = "adam"  # adam | adadelta | sgd
    weight_decay: float = 0.0
    clip: float | None = 1.0
    patience: int = 3
    monitor: str = "val_loss"
    mode: str = "min"
    seed: int = 0


@dataclass
class FitProblem:
    build_model: Callable[[], nn.Module]
    train: Arrays
    val: Arrays
    loss: Callable[[nn.Module, Batch], torch.Tensor]
    evaluate: Callable[[nn.Module, Arrays], dict[str, float]]

    def __post_init__(self) -> None:
        for name, arrays in (("train", self.train), ("val", self.val)):
            sizes = {k: len(v) for k, v in arrays.items()}
            if len(set(sizes.values())) != 1:
                raise ValueError(f"FitProblem.{name} arrays differ in length: {sizes}")

    @property
    def n_train(self) -> int:
        return len(next(iter(self.train.values())))


def make_optimizer(model: nn.Module, s: FitSettings) -> torch.optim.Optimizer:
    params = [p for p in model.parameters() if p.requires_grad]
    if s.optimizer == "adam":
        return torch.optim.Adam(params, lr=s.lr, weight_decay=s.weight_decay)
    if s.optimizer == "adadelta":  # the dialogue paper's choice, rho = 0.95
        return torch.optim.Adadelta(params, lr=s.lr, rho=0.95, weight_decay=s.weight_decay)
    if s.optimizer == "sgd":
        return torch.optim.SGD(params, lr=s.lr, momentum=0.9, weight_decay=s.weight_decay)
    raise ValueError(f"optimizer must be adam, adadelta or sgd, got {s.optimizer!r}")


def epoch_batches(n: int, batch_size: int, seed: int, epoch: int,
                  rank: int = 0, world: int = 1) -> Iterator[tuple[np.ndarray, int]]:
    """Yield (this rank's indices, global batch size) for one epoch."""
    order = np.random.default_rng([seed, epoch]).permutation(n)
    for start in range(0, n, batch_size):
        global_batch = order[start:start + batch_size]
        if len(global_batch) < world:  # a rank with nothing would stall the all-reduce
            continue
        yield global_batch[rank::world], len(global_batch)


def to_batch(arrays: Arrays, idx: np.ndarray, device: torch.device) -> Batch:
    return {k: torch.as_tensor(v[idx]).to(device) for k, v in arrays.items()}


def train_one_epoch(model: nn.Module, problem: FitProblem, optimizer: torch.optim.Optimizer,
                    s: FitSettings, epoch: int, rank: int = 0, world: int = 1,
                    device: torch.device | None = None,
                    on_step: Callable[[int, float], None] | None = None) -> float:
    """Train for one epoch; return the mean training loss seen by this rank."""
    device = device or torch.device("cpu")
    model.train()
    total, count = 0.0, 0
    for step, (idx, global_size) in enumerate(
            epoch_batches(problem.n_train, s.batch_size, s.seed, epoch, rank, world)):
        batch = to_batch(problem.train, idx, device)
        optimizer.zero_grad(set_to_none=True)
        loss = problem.loss(model, batch)
        # DDP averages gradients over ranks; weighting by the shard's share makes the
        # average equal to the gradient of the global batch's mean loss.
        (loss * (len(idx) * world / global_size)).backward()
        if s.clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), s.clip)
        optimizer.step()
        total += float(loss.detach()) * len(idx)
        count += len(idx)
        if on_step is not None:
            on_step(step, float(loss.detach()))
    return total / max(count, 1)


def rng_state() -> dict:
    return {"torch": torch.get_rng_state()}


def set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])

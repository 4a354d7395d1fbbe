"""A task whose cells train a tiny model for a set number of slow epochs, and report the torch
threads their first and last epochs ran with (tests/test_cores.py). A module of its own, so Ray
workers import it by name."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from torch import nn

from components.training import FitProblem, FitSettings
from orchestration import RunSettings
from orchestration.task import Task


@dataclass(frozen=True)
class SlowFitConfig(RunSettings):
    epochs: int = 1
    epoch_pause: float = 0.5  # seconds each validation sleeps: epochs long enough to overlap


def run_cell(cfg: SlowFitConfig, ctx) -> dict[str, float]:
    def evaluate(model, arrays):
        time.sleep(cfg.epoch_pause)
        return {"val_loss": float(len(arrays["x"]))}  # never improves after the first: no early stop

    x = np.arange(8, dtype=np.float32).reshape(8, 1)
    problem = FitProblem(build_model=lambda: nn.Linear(1, 1), train={"x": x}, val={"x": x[:2]},
                         loss=lambda m, b: m(b["x"]).pow(2).mean(), evaluate=evaluate)
    result = ctx.fit(problem, FitSettings(epochs=cfg.epochs, batch_size=4, patience=cfg.epochs + 1, seed=ctx.seed))
    return {"first_threads": float(result.history[0]["threads"]), "last_threads": float(result.history[-1]["threads"])}


SLOW_FIT = Task("tail_threads", SlowFitConfig, run_cell, data_sha256s=lambda cfg: {})

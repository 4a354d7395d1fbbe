"""A task of constructed cells for the claims tests (tests/claims_table.py): each row's
accuracy is set by its config. A module of its own, so Ray workers import it by name."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration import RunSettings
from orchestration.significance import TOP1_ARTIFACT
from orchestration.task import Task


@dataclass(frozen=True)
class ConstructedConfig(RunSettings):
    accuracy: float = 0.5
    draw: int = 0          # which random draws (the twin's differ from strong's)
    items: int = 400


def run_cell(cfg: ConstructedConfig, ctx) -> dict[str, float]:
    rng = np.random.default_rng([cfg.draw, ctx.seed])
    hits = rng.random(cfg.items) < cfg.accuracy
    np.save(ctx.work_dir / TOP1_ARTIFACT, hits)
    ctx.log_artifact(ctx.work_dir / TOP1_ARTIFACT)
    return {"accuracy": float(hits.mean()), "chance": 0.25}


CONSTRUCTED = Task("claims_constructed", ConstructedConfig, run_cell, data_sha256s=lambda cfg: {})

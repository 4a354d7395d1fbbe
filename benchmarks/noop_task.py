"""A cell that computes almost nothing: what the orchestration itself costs per cell
(benchmarks/tune_cells.py runs 50 of them through the same Tune + MLflow path as a table)."""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.spec import RunSettings
from orchestration.task import Task


@dataclass(frozen=True)
class NoopConfig(RunSettings):
    work: int = 1_000  # a sum over this many integers stands in for the cell's work


def run_cell(cfg: NoopConfig, ctx) -> dict[str, float]:
    return {"value": float(sum(range(cfg.work + ctx.seed)))}


NOOP = Task("noop", NoopConfig, run_cell, data_sha256s=lambda cfg: {})

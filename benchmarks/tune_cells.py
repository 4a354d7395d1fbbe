"""Figure 2: what one cell costs in the orchestration's Tune path, beyond its own work.

    python -m benchmarks tune_cells       # goal: <= 0.15 s per cell (Ray Tune's guide: ~0.14 s a trial)

`noop` cells (benchmarks/noop_task.py) run as tables through `run_experiment`: Ray Tune
trials, one MLflow child run each, the table written at the end; against the same `run_cell`
called in a loop. Ray is started before the clock (its start-up is reported apart); the
MLflow store is a fresh SQLite file, as on a laptop.

A table pays fixed costs whatever its size (the store's schema on first use, Tune's set-up,
each trial actor's imports, the table's artifacts), so two tables of new cells are timed,
of `n_cells // 5` and `n_cells`: their difference over the cells between them is the
marginal cost of one more cell (what the goal is about), and the rest is the fixed cost
of a table. A one-cell table runs first, because a fresh process and store pay once more
(schema migrations, imports); its time is reported too, as is the all-in average of the
larger table.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from benchmarks.common import write_result

N_CELLS = 50


def run(n_cells: int = N_CELLS) -> dict:
    from mlflow.tracking import MlflowClient

    from benchmarks.noop_task import NOOP, NoopConfig
    from benchmarks.noop_task import run_cell as noop_cell
    from orchestration import Experiment, Metric, Row
    from orchestration.runner import run_experiment
    from orchestration.runtime import ensure_ray

    root = Path(tempfile.mkdtemp(prefix="emojitags-bench-"))
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{root / 'mlflow.db'}"
    os.environ["EMOJITAGS_HOME"] = str(root / "home")
    start = time.perf_counter()
    ensure_ray()
    ray_start = time.perf_counter() - start

    def table(seeds: range) -> tuple[float, dict]:
        # New seeds each time, so every cell is new (nothing is reused from the other table).
        exp = Experiment(id=f"benchmarks/tune_cells_{len(seeds)}", title="noop cells", task=NOOP,
                         scales={s: NoopConfig() for s in ("smoke", "cpu", "paper")},
                         rows=(Row("noop", {}),), metrics=(Metric("value", "value", scale=1.0),),
                         seeds=tuple(seeds))
        start = time.perf_counter()
        result = run_experiment(exp, "cpu")
        seconds = time.perf_counter() - start
        assert result.trained == len(seeds)
        phases = {k: v for k, v in MlflowClient().get_run(result.parent_run_id).data.metrics.items()
                  if k.startswith("phase.")}
        return seconds, phases

    small = max(1, n_cells // 5)
    t_first, _ = table(range(20_000, 20_001))  # once per process: the store's schema, imports
    t_small, _ = table(range(10_000, 10_000 + small))
    t_large, phases = table(range(n_cells))

    class Ctx:  # what run_cell reads of its CellContext
        def __init__(self, seed: int) -> None:
            self.seed = seed

    start = time.perf_counter()
    for seed in range(n_cells):
        noop_cell(NoopConfig(), Ctx(seed))
    t_loop = time.perf_counter() - start
    marginal = (t_large - t_small) / (n_cells - small) - t_loop / n_cells
    figures = {"cells": n_cells, "small table cells": small, "ray start seconds": ray_start,
               "first table (1 cell, fresh store) seconds": t_first,
               "small table seconds": t_small, "table seconds": t_large, "loop seconds": t_loop,
               "marginal seconds per cell": marginal,
               "fixed seconds per table": t_small - small * marginal,
               "all-in seconds per cell (the larger table)": (t_large - t_loop) / n_cells,
               **{f"{k} (larger table)": v for k, v in phases.items()}}
    write_result("tune_cells", figures, {"marginal seconds per cell": {"goal": "<= 0.15", "met": marginal <= 0.15}})
    return figures

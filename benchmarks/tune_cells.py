"""Figure 2: what one cell costs in the orchestration's Tune path, beyond its own work.

    python -m benchmarks tune_cells       # goal: <= 0.15 s per cell (Ray Tune's guide: ~0.14 s a trial)

50 `noop` cells (orchestration/tasks/noop.py) run as one table through `run_experiment`:
Ray Tune trials, one MLflow child run each, the table written at the end; against the same
`run_cell` called 50 times in a loop. Ray is started before the clock (its start-up is
reported apart); the MLflow store is a fresh SQLite file, as on a laptop.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from benchmarks.common import write_result

N_CELLS = 50


def run(n_cells: int = N_CELLS) -> dict:
    from orchestration import Experiment, Metric, Row
    from orchestration.runner import run_experiment
    from orchestration.runtime import ensure_ray
    from orchestration.tasks.noop import NoopConfig
    from orchestration.tasks.noop import run_cell as noop_cell

    root = Path(tempfile.mkdtemp(prefix="emojitags-bench-"))
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{root / 'mlflow.db'}"
    os.environ["EMOJITAGS_HOME"] = str(root / "home")
    start = time.perf_counter()
    ensure_ray()
    ray_start = time.perf_counter() - start

    exp = Experiment(id="benchmarks/tune_cells", title="noop cells", task="noop",
                     scales={s: NoopConfig() for s in ("smoke", "cpu", "paper")},
                     rows=(Row("noop", {}),), metrics=(Metric("value", "value", scale=1.0),),
                     seeds=tuple(range(n_cells)))
    start = time.perf_counter()
    result = run_experiment(exp, "cpu")
    t_table = time.perf_counter() - start

    class Ctx:  # what run_cell reads of its CellContext
        def __init__(self, seed: int) -> None:
            self.seed = seed

    start = time.perf_counter()
    for seed in range(n_cells):
        noop_cell(NoopConfig(), Ctx(seed))
    t_loop = time.perf_counter() - start
    per_cell = (t_table - t_loop) / n_cells
    figures = {"cells": n_cells, "trained": result.trained, "ray start seconds": ray_start,
               "table seconds": t_table, "loop seconds": t_loop, "overhead per cell seconds": per_cell}
    write_result("tune_cells", figures, {"overhead per cell seconds": {"goal": "<= 0.15", "met": per_cell <= 0.15}})
    return figures

"""Cells as Ray Tune trials: a grid over the cells a table still needs."""

from __future__ import annotations

import json
import logging
import math
import os
import resource
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

import ray
from ray import tune
from tqdm import tqdm

from orchestration.cores import CellCores, ledger_actor
from orchestration.spec import Cell
from orchestration.task import Task
from orchestration.tracking import RunSink
from orchestration.train import FAULT_ENV

log = logging.getLogger("emojitags.cells")
# Extra Ray resources every cell trial asks for, as JSON (e.g. '{"node2": 1}'): pins cells to
# the nodes that offer them (`ray start --resources`).
CELL_RESOURCES_ENV = "EMOJITAGS_CELL_RESOURCES"


@dataclass
class PendingCell:
    cell: Cell
    sink: RunSink
    work_dir: Path
    home: Path  # the driver's EMOJITAGS_HOME: stages live there, whatever the worker's env says
    parent: RunSink | None = None  # the table's run, for figures and text tables a cell makes
    # The cell's task travels by reference: unpickling it imports the one module defining it.
    task: Task | None = None
    # The driver's fault-injection setting (orchestration.train.FAULT_ENV), for tests: a trial
    # actor's environment is the one Ray started with, not the driver's at submit time.
    fault: str | None = field(default_factory=lambda: os.environ.get(FAULT_ENV))


def _cell_trainable(config: dict, payloads: list[PendingCell], ledger=None) -> None:
    # Runs in a Ray worker process.
    import torch
    from ray import get_runtime_context, tune
    from ray.util import get_node_ip_address

    from orchestration.context import CellContext
    from orchestration.runtime import HOME_ENV, quiet_environment

    quiet_environment()
    p = payloads[config["index"]]
    os.environ[HOME_ENV] = str(p.home)
    if p.fault:
        os.environ[FAULT_ENV] = p.fault
    else:
        os.environ.pop(FAULT_ENV, None)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    torch.set_num_threads(max(1, p.cell.config.threads))
    task = p.task
    p.sink.set_tags({"emojitags.status": "running", "emojitags.node_id": get_runtime_context().get_node_id(),
                     "emojitags.node_ip": get_node_ip_address(), "emojitags.hostname": socket.gethostname()})
    p.work_dir.mkdir(parents=True, exist_ok=True)
    cores = CellCores(ledger, config["index"], max(1, p.cell.config.threads)) if ledger is not None else None
    if cores is not None:
        cores.start()
    start = time.time()
    try:
        metrics = task.run_cell(p.cell.config, CellContext(p.cell, p.sink, p.work_dir, p.parent, cores))
        metrics = {k: float(v) for k, v in metrics.items()}
        metrics["cell_seconds"] = time.time() - start
        # the trial process's high-water mark (its reused actor's: an upper bound for this cell)
        metrics["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        p.sink.log_metrics(metrics)
        p.sink.set_tags({"emojitags.status": "finished"})
        p.sink.terminate("FINISHED")
    except BaseException as e:
        try:  # the store itself may be what failed; the cell's own error is the one to raise
            p.sink.set_tags({"emojitags.status": "failed", "emojitags.error": f"{type(e).__name__}: {e}"[:4000]})
            p.sink.terminate("FAILED")
        except Exception:  # noqa: BLE001
            log.error("could not mark %s as FAILED in MLflow; it stays unfinished", p.cell.label)
        raise
    finally:
        if cores is not None:
            cores.end()
            torch.set_num_threads(max(1, p.cell.config.threads))  # a reused actor's next cell starts at its own
    tune.report(metrics)


class _Progress(tune.Callback):
    """Moves the driver's progress bar as cells end."""

    def __init__(self, labels: list[str], bar) -> None:
        self.labels, self.bar = labels, bar

    # Tune pickles its callbacks with the experiment state; the bar and its stream stay out.
    def __getstate__(self) -> dict:
        return {"labels": self.labels, "bar": None}

    def _step(self, trial, prefix: str = "") -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(prefix + self.labels[trial.config["index"]])

    def on_trial_complete(self, iteration, trials, trial, **info) -> None:
        self._step(trial)

    def on_trial_error(self, iteration, trials, trial, **info) -> None:
        self._step(trial, "FAILED ")


def run_cells(pending: list[PendingCell], storage_path: Path, name: str,
              cluster_cpus: float) -> dict[str, str]:
    """Run the cells as one Tune grid; return {cell key: error message} for those that failed."""
    if not pending:
        return {}
    cfg = pending[0].cell.config
    ledger = None
    if cfg.workers > 1:
        # The trial only waits on its TorchTrainer; the workers hold the CPUs.
        resources = {"cpu": 0.01}
        concurrency = 1
    else:
        resources = {"cpu": cfg.threads, "gpu": 1 if cfg.use_gpu else 0}
        concurrency = max(1, math.floor(cluster_cpus / cfg.threads))
        if cfg.tail_threads and not cfg.use_gpu and len(pending) > 1:
            ledger = ledger_actor(len(pending))
    resources = {**resources, **json.loads(os.environ.get(CELL_RESOURCES_ENV) or "{}")}
    bar = tqdm(total=len(pending), desc="cells", unit="cell", dynamic_ncols=True)

    progress = _Progress([p.cell.label for p in pending], bar)

    trainable = tune.with_resources(tune.with_parameters(_cell_trainable, payloads=pending, ledger=ledger),
                                    resources)
    tuner = tune.Tuner(
        trainable,
        param_space={"index": tune.grid_search(list(range(len(pending))))},
        tune_config=tune.TuneConfig(max_concurrent_trials=concurrency, reuse_actors=True,
                                    trial_dirname_creator=lambda t: f"cell_{t.config['index']:04d}"),
        run_config=tune.RunConfig(name=name, storage_path=str(storage_path.resolve()), verbose=0,
                                  callbacks=[progress],
                                  failure_config=tune.FailureConfig(max_failures=0)),
    )
    try:
        grid = tuner.fit()
    finally:
        bar.close()
        if ledger is not None:
            ray.kill(ledger)
    failed = {}
    for result in grid:
        if result.error is not None:
            index = result.config["index"]
            failed[pending[index].cell.key] = str(result.error).strip().splitlines()[-1][:500]
    return failed

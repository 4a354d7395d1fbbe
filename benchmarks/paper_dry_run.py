"""Paper scale proven on CPU before a GPU is rented: every experiment at `paper` dims, on the
few dozen examples of its `smoke` data caps, one epoch, one seed, every row.

    python -m benchmarks paper_dry_run                     # all experiment files
    python -m benchmarks paper_dry_run experiments/dialogue_emoji/table2.py   # updates its entry

A dry config is the `paper` config with the fields that size the *data* (`max_*` example caps,
searches, epochs) taken from `smoke`: shapes, vocabularies and models are the paper's, so a shape or
memory bug at paper dims shows here. Each experiment runs as a real table (Ray Tune cells, MLflow)
into one throwaway store (so a table whose cells an earlier table trained reuses them, as it
would on a real run: `trained` says how many it trained itself); the figures per experiment: exit status, wall seconds, the cells' summed
`epoch_seconds` (validation included) per training step, and the peak RSS of the cells' processes (MB). A GPU run is
planned from these: seconds per step at paper dims times the paper's steps.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from benchmarks.common import RESULTS, RESULTS_ENV, peak_rss_mb, write_result

ROOT = Path(__file__).resolve().parents[1]
# Fields taken from smoke: they size the data or the number of passes, not the model.
DATA_FIELDS = ("max_", "search_", "epoch_size", "folds", "popular_threshold", "min_count", "label_min_count",
               "min_label_tweets", "w2v_min_count", "few_shot_", "n_labels", "n_folds")
ONE = ("epochs", "cls_epochs", "dem_epochs", "w2v_epochs", "lda_iter", "search_epochs")


def dry_config(paper, smoke):
    changes = {}
    for f in dataclasses.fields(paper):
        p, s = getattr(paper, f.name), getattr(smoke, f.name)
        if dataclasses.is_dataclass(p):
            changes[f.name] = dry_config(p, s)
        elif f.name in ONE:
            changes[f.name] = 1
        elif f.name.startswith(DATA_FIELDS) or f.name in DATA_FIELDS:
            changes[f.name] = s
        elif f.name == "patience":
            changes[f.name] = 1
    return dataclasses.replace(paper, **changes)


def experiment_files() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "experiments").glob("*/*.py")
                  if p.name != "__init__.py" and "EXPERIMENT = Experiment(" in p.read_text())


def dry_run(path: str) -> dict:
    from mlflow.tracking import MlflowClient

    from orchestration.cli import load_experiment
    from orchestration.runner import run_experiment

    exp = load_experiment(str(ROOT / path))
    exp = dataclasses.replace(exp, scales={**exp.scales, "paper": dry_config(exp.scales["paper"], exp.scales["smoke"])})
    start = time.time()
    try:
        result = run_experiment(exp, "paper", run={"seeds": (exp.seeds[0],)})
    except Exception as e:  # noqa: BLE001 - a failure is the figure
        return {"ok": False, "seconds": time.time() - start, "error": f"{type(e).__name__}: {e}"[:2000],
                "trace": traceback.format_exc()[-3000:]}
    client = MlflowClient()
    steps = seconds = 0.0
    rss = []
    for run_id in result.cells["run_id"]:
        run = client.get_run(run_id)
        rss.append(run.data.metrics.get("peak_rss_mb", math.nan))
        for m in client.get_metric_history(run_id, "epoch_seconds"):
            seconds += m.value
        for m in client.get_metric_history(run_id, "epoch_steps"):
            steps += m.value
    return {"ok": True, "seconds": time.time() - start, "cells": len(result.cells), "trained": result.trained,
            "train_seconds_per_step": seconds / steps if steps else None, "train_steps": steps,
            "peak_rss_mb_cells": max((r for r in rss if r == r), default=None), "peak_rss_mb_driver": peak_rss_mb()}


def run(files: list[str] | None = None) -> dict:
    """Dry-runs `files` (default: every experiment file). Named files update their entries in
    the last result, so an experiment changed since is rerun alone; each entry says when and at
    which commit it ran."""
    everything = experiment_files()
    figures = {}
    result = Path(os.environ.get(RESULTS_ENV) or RESULTS) / "paper_dry_run.json"
    previous = result.read_text() if files and result.is_file() else ""
    if previous:
        figures = {k: v for k, v in json.loads(previous)["figures"].items() if k in everything}
    from orchestration.tracking import git_commit

    stamp = {"commit": git_commit(), "when": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    with tempfile.TemporaryDirectory(prefix="paper-dry-run-") as tmp:
        os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{Path(tmp) / 'mlflow.db'}"
        os.environ["EMOJITAGS_HOME"] = str(Path(tmp) / "home")
        for path in files or everything:
            print(f"paper_dry_run: {path}", flush=True)
            figures[path] = {**dry_run(path), **stamp}
            print(f"  {figures[path]}", flush=True)
    ok = all(figures.get(f, {}).get("ok") for f in everything)
    write_result("paper_dry_run", figures, {"every experiment runs at paper dims": {
        "goal": "all ok", "met": ok, "missing": [f for f in everything if f not in figures]}})
    return {k: figures[k] for k in files or everything}


if __name__ == "__main__":
    run(sys.argv[1:] or None)

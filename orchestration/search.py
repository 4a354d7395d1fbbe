"""Hyperparameter searches: Ray Tune trials proposed by Optuna's TPE sampler.

`optuna_search` evaluates `objective(params) -> {metric: value, ...}` for `num_samples`
proposals from `space` and returns the best params with every trial's result. The
searches of later tables (generators, hashtag classifiers) call it on a validation split.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from orchestration.runtime import ensure_ray, home


@dataclass
class SearchResult:
    best_params: dict[str, Any]
    best_value: float
    trials: pd.DataFrame  # one row per trial: params and metrics


def _objective_trainable(config: dict, objective: Callable[[dict], Mapping[str, float]]) -> None:
    from ray import tune

    tune.report(dict(objective(config)))


def optuna_search(objective: Callable[[dict], Mapping[str, float]], space: Mapping[str, Any],
                  metric: str, mode: str = "max", num_samples: int = 20, seed: int = 0,
                  max_concurrent: int = 2, cpus_per_trial: float = 1.0, name: str = "search",
                  storage_path: Path | None = None) -> SearchResult:
    """`space` holds Tune distributions, e.g. {"lr": tune.loguniform(1e-4, 1e-1)}."""
    from ray import tune
    from ray.tune.search import ConcurrencyLimiter
    from ray.tune.search.optuna import OptunaSearch

    if mode not in ("min", "max"):
        raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
    ensure_ray()
    searcher = ConcurrencyLimiter(OptunaSearch(seed=seed), max_concurrent=max_concurrent)
    tuner = tune.Tuner(
        tune.with_resources(tune.with_parameters(_objective_trainable, objective=objective),
                            {"cpu": cpus_per_trial}),
        param_space=dict(space),
        tune_config=tune.TuneConfig(search_alg=searcher, metric=metric, mode=mode,
                                    num_samples=num_samples, reuse_actors=True),
        run_config=tune.RunConfig(name=name, storage_path=str((storage_path or home() / "searches").resolve()),
                                  verbose=0),
    )
    grid = tuner.fit()
    errors = [r.error for r in grid if r.error is not None]
    if len(errors) == len(grid):
        raise RuntimeError(f"search {name}: every trial failed; first error: {errors[0]}")
    best = grid.get_best_result(metric=metric, mode=mode)
    frame = pd.DataFrame([{**{f"config/{k}": r.config.get(k) for k in space}, metric: r.metrics.get(metric)}
                          for r in grid if r.error is None])
    return SearchResult({k: best.config[k] for k in space}, float(best.metrics[metric]), frame)

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


def _grouped_searcher(groups, num_samples: int, seed: int):
    """A Tune Searcher holding one OptunaSearch per group: each group's study sees only its own
    trials (no group's results steer another's proposals), and all of them share one Tune run,
    so the run's start and its trial actors are paid once, not once per group."""
    from ray.tune.search import Searcher
    from ray.tune.search.optuna import OptunaSearch

    class GroupedOptuna(Searcher):
        def __init__(self) -> None:
            super().__init__()
            self.studies = {g: OptunaSearch(seed=seed + i) for i, g in enumerate(groups)}
            self.left = dict.fromkeys(groups, num_samples)
            self.owner: dict[str, Any] = {}

        def set_search_properties(self, metric, mode, config, **spec) -> bool:
            self._metric, self._mode = metric, mode
            return all(s.set_search_properties(metric, mode, config, **spec) for s in self.studies.values())

        def suggest(self, trial_id: str):
            # Round robin: the group with the most proposals left goes next.
            for g in sorted(self.left, key=lambda g: -self.left[g]):
                if self.left[g] > 0:
                    params = self.studies[g].suggest(trial_id)
                    if params is None or params == Searcher.FINISHED:
                        continue
                    self.left[g] -= 1
                    self.owner[trial_id] = g
                    return {**params, "group": g}
            return Searcher.FINISHED if not any(self.left.values()) else None

        def on_trial_complete(self, trial_id: str, result=None, error: bool = False) -> None:
            g = self.owner.pop(trial_id, None)
            if g is not None:
                self.studies[g].on_trial_complete(trial_id, result, error)

    return GroupedOptuna()


def optuna_search_groups(objective: Callable[[dict], Mapping[str, float]], space: Mapping[str, Any],
                         groups: list, metric: str, mode: str = "max", num_samples: int = 20, seed: int = 0,
                         max_concurrent: int = 2, cpus_per_trial: float = 1.0, name: str = "search",
                         storage_path: Path | None = None) -> dict[Any, SearchResult]:
    """Independent Optuna searches of the same `space`, one per group (e.g. the folds of a
    cross-validation), run as one Tune run; `objective` gets the params plus `"group"`.
    Returns {group: its SearchResult}."""
    from ray import tune
    from ray.tune.search import ConcurrencyLimiter

    if mode not in ("min", "max"):
        raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
    if len(set(groups)) != len(groups) or not groups:
        raise ValueError(f"groups must be distinct and not empty, got {groups}")
    ensure_ray()
    searcher = ConcurrencyLimiter(_grouped_searcher(list(groups), num_samples, seed), max_concurrent=max_concurrent)
    tuner = tune.Tuner(
        tune.with_resources(tune.with_parameters(_objective_trainable, objective=objective),
                            {"cpu": cpus_per_trial}),
        param_space=dict(space),
        tune_config=tune.TuneConfig(search_alg=searcher, metric=metric, mode=mode,
                                    num_samples=num_samples * len(groups), reuse_actors=True),
        run_config=tune.RunConfig(name=name, storage_path=str((storage_path or home() / "searches").resolve()),
                                  verbose=0),
    )
    grid = tuner.fit()
    out = {}
    for g in groups:
        done = [r for r in grid if r.error is None and r.config.get("group") == g and metric in r.metrics]
        if not done:
            errors = [r.error for r in grid if r.error is not None]
            raise RuntimeError(f"search {name}: every trial of group {g!r} failed"
                               f"{'; first error: ' + str(errors[0]) if errors else ''}")
        best = (min if mode == "min" else max)(done, key=lambda r: r.metrics[metric])
        frame = pd.DataFrame([{**{f"config/{k}": r.config.get(k) for k in space}, metric: r.metrics.get(metric)}
                              for r in done])
        out[g] = SearchResult({k: best.config[k] for k in space}, float(best.metrics[metric]), frame)
    return out

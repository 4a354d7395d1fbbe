"""Hyperparameter searches: Ray Tune trials proposed by Optuna's TPE sampler.

`optuna_search` evaluates `objective(params) -> {metric: value, ...}` for `num_samples`
proposals from `space` and returns the best params with every trial's result;
`optuna_search_groups` runs several independent searches (one per fold, say) as one Tune run.
A task keeps a search as a cached stage (`save_search`, `load_search`) and applies it to a
cell's config with `apply_search`, which records what was tuned.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from orchestration.runtime import ensure_ray, home
from orchestration.spec import SpecError


@dataclass
class SearchResult:
    best_params: dict[str, Any]
    best_value: float
    trials: pd.DataFrame  # one row per trial: params and metrics


def _objective_trainable(config: dict, objective: Callable[[dict], Mapping[str, float]]) -> None:
    from ray import tune

    tune.report(dict(objective(config)))


def _without_group(params: dict, objective: Callable[[dict], Mapping[str, float]]) -> Mapping[str, float]:
    return objective({k: v for k, v in params.items() if k != "group"})


def optuna_search(objective: Callable[[dict], Mapping[str, float]], space: Mapping[str, Any],
                  metric: str, mode: str = "max", num_samples: int = 20, seed: int = 0,
                  max_concurrent: int = 2, cpus_per_trial: float = 1.0, name: str = "search",
                  storage_path: Path | None = None) -> SearchResult:
    """One Optuna search: `optuna_search_groups` with a single group.
    `space` holds Tune distributions, e.g. {"lr": tune.loguniform(1e-4, 1e-1)}."""
    return optuna_search_groups(functools.partial(_without_group, objective=objective), space, [0],
                                metric, mode, num_samples, seed, max_concurrent, cpus_per_trial, name,
                                storage_path)[0]


# ---- a search as a cached stage ------------------------------------------------------------

def save_search(result: SearchResult, out: Path) -> None:
    """Write a finished search into its stage directory (`cached_stage`'s build)."""
    result.trials.to_csv(out / "search_trials.csv", index=False)
    (out / "best.json").write_text(json.dumps({"params": result.best_params, "val_loss": result.best_value,
                                               "trials": len(result.trials)}))


def load_search(stage: Path, missing: str) -> dict:
    """The searched values of a finished stage; `missing` is the one-line error if it has not run."""
    if not (stage / ".complete").is_file():
        raise SpecError(missing)
    return json.loads((stage / "best.json").read_text())


def apply_search(cfg: Any, best: dict, stage: Path, ctx) -> Any:
    """`cfg` with the searched values; the cell's run records them and the search's trials."""
    ctx.log_params({f"tuned.{k}": v for k, v in best["params"].items()})
    ctx.log_artifact(stage / "search_trials.csv")
    return dataclasses.replace(cfg, **best["params"])


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

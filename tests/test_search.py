"""Tune + Optuna searches. (A cell trained by two Ray Train workers inside a Tune trial is
tested on the pretraining job, with a worker killed mid-epoch: test_deepmoji.py.)"""

from __future__ import annotations

import pytest
from ray import tune

from orchestration.search import optuna_search


def quadratic(params: dict) -> dict:
    """Maximum 0 at x = 0.3, y = 'b'."""
    return {"score": -(params["x"] - 0.3) ** 2 - (0.0 if params["y"] == "b" else 0.5)}


def test_optuna_search_finds_the_optimum_region(ray_session, tmp_path):
    result = optuna_search(quadratic, {"x": tune.uniform(0.0, 1.0), "y": tune.choice(["a", "b"])},
                           metric="score", mode="max", num_samples=16, seed=0, storage_path=tmp_path)
    assert len(result.trials) == 16
    assert result.best_params["y"] == "b"
    assert abs(result.best_params["x"] - 0.3) < 0.15
    assert result.best_value == pytest.approx(max(result.trials["score"]))


def test_search_rejects_a_bad_mode(ray_session, tmp_path):
    with pytest.raises(ValueError, match="mode must be 'min' or 'max'"):
        optuna_search(quadratic, {"x": tune.uniform(0, 1)}, metric="score", mode="up", storage_path=tmp_path)

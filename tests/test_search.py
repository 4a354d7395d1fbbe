"""Tune + Optuna searches, and a cell trained by Ray Train workers inside a Tune trial."""

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


@pytest.mark.slow
def test_a_cell_with_two_workers_runs_through_torchtrainer(workspace, ray_session):
    from mlflow.tracking import MlflowClient

    from orchestration.cli import load_experiment
    from orchestration.runner import run_experiment

    exp = load_experiment(str(__import__("pathlib").Path(__file__).resolve().parents[1]
                              / "experiments/dialogue_emoji/table2.py"))
    result = run_experiment(exp, "smoke", {"workers": 2}, {"rows": ("H-LSTM",), "seeds": (0,)})
    assert result.trained == 1
    assert 0.0 <= result.cells["p_at_1"].iloc[0] <= 1.0
    run = MlflowClient().get_run(result.cells["run_id"].iloc[0])
    assert run.data.params["workers"] == "2"
    # rank 0 of the DDP group logged the per-epoch validation loss
    assert len(MlflowClient().get_metric_history(run.info.run_id, "val_loss")) >= 1

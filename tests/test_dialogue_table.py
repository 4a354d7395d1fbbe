"""The dialogue-emoji tables end to end at smoke scale: Ray Tune cells, MLflow, rerun."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

from orchestration.cli import load_experiment, main
from orchestration.runner import run_experiment

SEEDS = (0, 1)  # two of the five folds: the paired tests and ± still have two of each
TABLE2 = str(Path(__file__).resolve().parents[1] / "experiments/dialogue_emoji/table2.py")


@pytest.fixture(scope="module")
def smoke_runs(table_workspace):
    root = table_workspace
    exp = load_experiment(TABLE2)
    first = run_experiment(exp, "smoke", run={"seeds": SEEDS})
    second = run_experiment(exp, "smoke", run={"seeds": SEEDS})
    yield root, first, second


@pytest.fixture(scope="module")
def forced(smoke_runs):
    return run_experiment(load_experiment(TABLE2), "smoke", run={"rows": ("H-LSTM",), "seeds": (0,)}, force=True)


def test_smoke_table_has_every_row_and_the_paper_column(smoke_runs):
    _, first, _ = smoke_runs
    table = first.table
    assert list(table["row"]) == ["S-BOW", "F-BOW", "S-LSTM", "F-LSTM", "H-LSTM"]
    assert set(table["seeds"]) == {2}
    assert list(table["P@1 (%) [paper]"]) == ["29.6", "24.6", "32.5", "34.3", "35.4"]
    cells = first.cells
    assert len(cells) == 10
    # the balanced task: 4 classes, chance 25%; each fold (seed) tests about a fifth of the examples
    assert (cells["chance_p_at_1"] == 0.25).all() and (cells["n_classes"] == 4).all()
    assert (cells["n_test"] / (cells["n_test"] + cells["n_train"])).between(0.15, 0.3).all()
    assert cells["speaker_habit_p_at_1"].between(0, 1).all()
    assert "P@1 of the speaker's habit (%)" in table.columns
    assert ((cells["p_at_1"] >= 0) & (cells["p_at_1"] <= cells["p_at_3"]) & (cells["p_at_3"] <= 1)).all()
    assert ((cells["mrr"] >= cells["p_at_1"]) & (cells["mrr"] <= 1)).all()
    assert "±" in table["P@1 (%)"].iloc[0]


def test_mlflow_parent_holds_finished_children_and_artifacts(smoke_runs):
    root, first, _ = smoke_runs
    client = MlflowClient(f"sqlite:///{root / 'mlflow.db'}")
    parent = client.get_run(first.parent_run_id)
    assert parent.info.status == "FINISHED" and parent.info.run_name == "dialogue_emoji/table2"
    assert parent.data.tags["emojitags.scale"] == "smoke"
    children = client.search_runs([parent.info.experiment_id],
                                  filter_string=f"tags.`mlflow.parentRunId` = '{first.parent_run_id}'")
    assert len(children) == 10 and {c.info.status for c in children} == {"FINISHED"}
    tags = children[0].data.tags
    for key in ("emojitags.seed", "emojitags.scale", "emojitags.git_commit", "emojitags.config_hash",
                "emojitags.data_sha256", "emojitags.cell_key"):
        assert tags.get(key), key
    assert {"p_at_1", "p_at_3", "mrr"} <= set(children[0].data.metrics)
    artifacts = {a.path for a in client.list_artifacts(first.parent_run_id)}
    assert {"table.md", "table.csv", "cells.csv"} <= artifacts
    lstm = [c for c in children if c.data.tags["emojitags.row"] == "H-LSTM"][0]
    history = client.get_metric_history(lstm.info.run_id, "val_loss")
    assert len(history) >= 1  # per-epoch metrics logged from inside the training loop


def test_rerun_trains_nothing_and_gives_the_same_table(smoke_runs):
    _, first, second = smoke_runs
    assert second.trained == 0 and second.reused == 10
    assert second.parent_run_id == first.parent_run_id
    assert second.markdown == first.markdown


def test_table_command_prints_the_last_finished_table(smoke_runs, monkeypatch, capsys):
    root, first, _ = smoke_runs
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{root / 'mlflow.db'}")
    assert main(["table", TABLE2, "--scale", "smoke"]) == 0
    # the table as stored, then its claims recomputed from the store's cells: the same as printed
    assert capsys.readouterr().out.strip() == (first.markdown + "\n" + first.claims).strip()


@pytest.mark.parametrize("path", ["experiments/dialogue_emoji/table3.py", "experiments/dialogue_emoji/figure4.py"])
def test_other_dialogue_experiments_finish_at_smoke_scale(path, smoke_runs):
    exp = load_experiment(str(Path(__file__).resolve().parents[1] / path))
    # figure4 crosses its rows with five embedding sizes up to 512: one row and two small
    # sizes keep the test short (the real grid's 512-wide LSTMs cost most of it)
    rows = {"rows": ("H-LSTM",)} if exp.figures else {}
    if exp.grid:
        exp = dataclasses.replace(exp, grid={"dim": (8, 12)})  # not smoke's 16: Table 2 has those cells
    result = run_experiment(exp, "smoke", run={"seeds": (0,), **rows})
    if exp.grid:  # new cells: their embedding sizes are not Table 2's
        assert result.trained == len(result.cells) == 2
    else:  # Table 3's rows are Table 2's cells (same task, names, configs): nothing trains
        assert result.trained == 0 and result.reused == len(result.cells) == 2
    if exp.transpose:
        assert list(result.table.columns) == ["metric", "S-LSTM", "H-LSTM"]
        assert len(result.table) == 8  # P@1 and test counts of the balanced task's 4 emoticons
    if exp.figures:
        client = MlflowClient()
        assert "figure4.png" in {a.path for a in client.list_artifacts(result.parent_run_id)}


# Last in the file: the forced one-cell table becomes the store's latest table2.
def test_force_retrains_a_finished_cell_from_nothing_to_the_same_result(smoke_runs, forced):
    root, first, _ = smoke_runs
    assert forced.trained == 1 and forced.reused == 0
    before = first.cells.set_index(["row", "seed"]).loc[("H-LSTM", 0)]
    after = forced.cells.set_index(["row", "seed"]).loc[("H-LSTM", 0)]
    assert after["run_id"] != before["run_id"]
    assert after["p_at_1"] == pytest.approx(before["p_at_1"], abs=1e-12)
    run = MlflowClient(f"sqlite:///{root / 'mlflow.db'}").get_run(after["run_id"])
    # its old checkpoints were removed first: nothing to resume from
    assert run.info.status == "FINISHED" and "emojitags.resumed_from_epoch" not in run.data.tags

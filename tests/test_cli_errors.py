"""Bad input: a clear one-line error, and nothing half-written in MLflow."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orchestration.cli import main

ROOT = Path(__file__).resolve().parents[1]
TABLE2 = str(ROOT / "experiments/dialogue_emoji/table2.py")


def _no_runs(workspace: Path) -> bool:
    db = workspace / "mlflow.db"
    if not db.exists():
        return True
    from mlflow.tracking import MlflowClient
    client = MlflowClient(f"sqlite:///{db}")
    exps = [e.experiment_id for e in client.search_experiments()]
    return not client.search_runs(exps) if exps else True


@pytest.mark.parametrize("argv, message", [
    (["run", TABLE2, "--scale", "smoke", "epoch=3"], "unknown override key 'epoch'; valid keys:"),
    (["run", TABLE2, "--scale", "smoke", "epochs=many"], "override epochs=many: expected int"),
    (["run", TABLE2, "--scale", "smoke", "dropout=0.1.2"], "override dropout=0.1.2: expected float"),
    (["run", "experiments/no_such_table.py", "--scale", "smoke"], "experiment file experiments/no_such_table.py does not exist"),
    (["table", TABLE2], "no finished table for dialogue_emoji/table2"),
])
def test_bad_command_lines(argv, message, workspace, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err and "\n" not in err
    assert _no_runs(workspace)


def test_corrupted_data_file_stops_before_mlflow(workspace, monkeypatch, capsys):
    import components.data.chitchat as chitchat

    bad = workspace / "dataset.json"
    shutil.copy(chitchat.chitchat_path(), bad)
    with open(bad, "r+b") as f:
        f.seek(1000)
        f.write(b"#")
    monkeypatch.setattr(chitchat, "chitchat_path", lambda: bad)
    assert main(["run", TABLE2, "--scale", "smoke"]) == 2
    err = capsys.readouterr().err.strip()
    assert "sha256" in err and "dataset.json" in err and "\n" not in err
    assert _no_runs(workspace)


def test_unreachable_mlflow_server_fails_before_training(workspace, monkeypatch, capsys):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")  # discard port: nothing listens
    assert main(["run", TABLE2, "--scale", "smoke"]) == 2
    err = capsys.readouterr().err.strip()
    assert "MLflow server http://127.0.0.1:9 is unreachable" in err
    assert not (workspace / "home" / "cells").exists()

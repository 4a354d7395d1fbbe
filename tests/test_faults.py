"""The MLflow server going away mid-run: the cell fails loudly, nothing is reported as
finished that was not, and a rerun against the restarted server finishes the table."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import free_port
from mlflow.tracking import MlflowClient

ROOT = Path(__file__).resolve().parents[1]
COMMAND = [sys.executable, "-m", "orchestration", "run", "experiments/dialogue_emoji/table2.py",
           "--scale", "smoke", "rows=H-LSTM", "seeds=0", "epochs=3", "patience=3"]


@pytest.mark.slow
def test_mlflow_server_lost_mid_run_fails_the_cell_and_a_rerun_finishes(tmp_path, start_mlflow_server, new_store):
    port = free_port()
    new_store(tmp_path / "server")
    url, stop = start_mlflow_server(tmp_path / "server", port)
    env = {**os.environ, "MLFLOW_TRACKING_URI": url, "EMOJITAGS_HOME": str(tmp_path / "home")}
    # Fail fast once the server is gone; the rerun below keeps MLflow's own retries and timeout
    # (on a loaded machine the restarted server can take longer than 5 s to answer).
    no_retries = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0", "MLFLOW_HTTP_REQUEST_TIMEOUT": "5"}
    # The cell stops in the middle of its second epoch until told to go on: the server dies while
    # it trains, before the epoch's metrics are logged, however short the epochs.
    paused = tmp_path / "paused"
    proc = subprocess.Popen(COMMAND, cwd=ROOT, env={**env, **no_retries, "EMOJITAGS_FAULT_KILL_WORKER": f"0:1:{paused}:wait"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 180
    while not paused.exists():
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        assert time.time() < deadline
        time.sleep(0.2)
    stop()  # the server dies while the cell trains
    paused.write_text("go")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 2, err[-2000:]
    # Ray forwards the workers' log lines asynchronously, so one may land after the driver's error
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert errors and ("MLflow" in errors[-1] or "cells failed" in errors[-1]), err[-2000:]

    url, _ = start_mlflow_server(tmp_path / "server", port)  # same store, back again
    client = MlflowClient(url)
    exp = client.get_experiment_by_name("dialogue_emoji")
    cells = client.search_runs([exp.experiment_id], filter_string="tags.`emojitags.kind` = 'cell'")
    assert len(cells) == 1 and cells[0].info.status != "FINISHED"  # never reported as finished
    rerun = subprocess.run(COMMAND, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert "0 already finished, 1 to run" in rerun.stdout
    cell = client.get_run(cells[0].info.run_id)
    assert cell.info.status == "FINISHED" and int(cell.data.tags["emojitags.attempts"]) == 2

"""A cell killed mid-training resumes from its last checkpoint, and ends where an
uninterrupted run ends (fairseq-style), driven through the real command line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

ROOT = Path(__file__).resolve().parents[1]
# tail_threads=false: a cell's thread count (so its last bits) must not depend on when its
# neighbour finished, as the resumed and the uninterrupted runs are compared to 1e-12
COMMAND = [sys.executable, "-m", "orchestration", "run", "experiments/dialogue_emoji/table2.py",
           "--scale", "smoke", "rows=S-BOW,H-LSTM", "seeds=0", "epochs=4", "patience=4", "tail_threads=false"]


def _descendants(pid: int) -> list[int]:
    """Every process below `pid` (Ray's raylet and GCS run in sessions of their own)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _kill_tree(pid: int) -> None:
    """SIGKILL the driver and everything it started at once, as a crashed machine would."""
    for p in [pid, *_descendants(pid)]:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _env(workspace: Path, **extra: str) -> dict:
    return {**os.environ, "MLFLOW_TRACKING_URI": f"sqlite:///{workspace / 'mlflow.db'}",
            "EMOJITAGS_HOME": str(workspace / "home"), "PYTHONUNBUFFERED": "1", **extra}


def _runs(workspace: Path, kind: str = "cell") -> dict:
    if not (workspace / "mlflow.db").exists():
        return {}
    client = MlflowClient(f"sqlite:///{workspace / 'mlflow.db'}")
    exp = client.get_experiment_by_name("dialogue_emoji")
    if exp is None:
        return {}
    runs = client.search_runs([exp.experiment_id], filter_string=f"tags.`emojitags.kind` = '{kind}'")
    return {r.data.tags.get("emojitags.row", r.info.run_name): r for r in runs}


def _cell_run(workspace: Path):
    return _runs(workspace)["H-LSTM"]


def _table_md(workspace: Path) -> str:
    client = MlflowClient(f"sqlite:///{workspace / 'mlflow.db'}")
    parent = _runs(workspace, "table")["dialogue_emoji/table2"]
    return Path(client.download_artifacts(parent.info.run_id, "table.md", str(workspace))).read_text()


@pytest.mark.subprocess
@pytest.mark.slow
def test_killed_cell_resumes_from_its_checkpoint(tmp_path, new_store):
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    new_store(killed), new_store(whole)
    # The LSTM cell stops dead in the middle of its third epoch (two checkpoints written), so
    # the kill below lands at a known point however fast the epochs are.
    hung = tmp_path / "hung"
    proc = subprocess.Popen(COMMAND, cwd=ROOT, env=_env(killed, EMOJITAGS_FAULT_KILL_WORKER=f"0:2:{hung}:hang"),
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # The uninterrupted reference runs meanwhile, in a workspace of its own.
    reference_log = (tmp_path / "reference.log").open("w")  # a file: a full pipe would block it
    reference_proc = subprocess.Popen(COMMAND, cwd=ROOT, env=_env(whole), stdout=reference_log,
                                      stderr=subprocess.STDOUT)
    deadline = time.time() + 180
    while not (hung.exists() and getattr(_runs(killed).get("S-BOW"), "info", None) is not None
               and _runs(killed)["S-BOW"].info.status == "FINISHED"):
        assert proc.poll() is None, "the run ended before the LSTM cell's third epoch"
        assert time.time() < deadline, "the LSTM cell never reached its third epoch within 180 s"
        time.sleep(0.2)
    assert len(list((killed / "home" / "cells").glob("*/checkpoints/model/epoch_0001/state.pt"))) == 1
    _kill_tree(proc.pid)
    proc.wait()
    assert _cell_run(killed).info.status == "RUNNING"  # nothing reported as finished

    rerun = subprocess.run(COMMAND, cwd=ROOT, env=_env(killed), capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert "1 already finished, 1 to run" in rerun.stdout  # only the missing cell reruns
    resumed = _cell_run(killed)
    assert resumed.info.status == "FINISHED"
    assert int(resumed.data.tags["emojitags.attempts"]) == 2
    assert int(resumed.data.tags["emojitags.resumed_from_epoch"]) == 1

    assert reference_proc.wait(timeout=300) == 0, (tmp_path / "reference.log").read_text()[-2000:]
    reference = _cell_run(whole)
    for metric in ("p_at_1", "p_at_3", "mrr"):
        assert resumed.data.metrics[metric] == pytest.approx(reference.data.metrics[metric], abs=1e-12)
    client = MlflowClient(f"sqlite:///{killed / 'mlflow.db'}")
    losses = {m.step: m.value for m in client.get_metric_history(resumed.info.run_id, "val_loss")}
    ref_losses = {m.step: m.value for m in MlflowClient(f"sqlite:///{whole / 'mlflow.db'}")
                  .get_metric_history(reference.info.run_id, "val_loss")}
    assert losses == pytest.approx(ref_losses, abs=1e-9)  # the curve continues where it left off
    assert _table_md(killed) == _table_md(whole)  # the final table equals an uninterrupted run's


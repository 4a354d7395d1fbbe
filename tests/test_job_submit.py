"""`ray job submit` end to end against a real local head node with the dashboard and token auth.

The head is ours alone: its own temp dir, ports and auth token, loopback only. We stop
exactly the processes it started (never `ray stop`, which would end every Ray on the host).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import pids_with
from mlflow.tracking import MlflowClient

ROOT = Path(__file__).resolve().parents[1]
RAY = str(Path(sys.executable).parent / "ray")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def head_node(tmp_path):
    temp_dir = tempfile.mkdtemp(prefix="rt", dir="/tmp")  # short: Ray's socket paths have a limit
    # Every port of our own: another Ray on the host (the suite's in-process one, say) holds
    # the defaults, and a job agent that cannot bind leaves the job API refusing submissions.
    gcs, dash, agent, agent_grpc, runtime_env, metrics, client = (_free_port() for _ in range(7))
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(16),
           "RAY_USAGE_STATS_ENABLED": "0"}
    env.pop("RAY_ADDRESS", None)
    # The job's `python` is the one on the PATH, as in a shell with the venv activated.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    head = subprocess.Popen(
        [RAY, "start", "--head", "--block", f"--port={gcs}", "--node-ip-address=127.0.0.1",
         "--dashboard-host=127.0.0.1", f"--dashboard-port={dash}", f"--temp-dir={temp_dir}",
         f"--dashboard-agent-listen-port={agent}", f"--dashboard-agent-grpc-port={agent_grpc}",
         f"--runtime-env-agent-port={runtime_env}", f"--metrics-export-port={metrics}",
         f"--ray-client-server-port={client}",
         "--num-cpus=2", "--include-dashboard=true", "--disable-usage-stats"],
        env=env, start_new_session=True, stdout=open(tmp_path / "head.log", "w"), stderr=subprocess.STDOUT)
    address = f"http://127.0.0.1:{dash}"
    try:
        deadline = time.time() + 120
        while True:
            probe = subprocess.run([RAY, "job", "list", "--address", address], env=env,
                                   capture_output=True, text=True)
            if probe.returncode == 0:
                break
            assert head.poll() is None, (tmp_path / "head.log").read_text()[-2000:]
            assert time.time() < deadline, probe.stderr[-2000:]
            time.sleep(2)
        yield address, env, temp_dir
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(timeout=5)  # `ray start --block` can take 30 s to go quietly; then it is killed
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
        for pid in pids_with(temp_dir):  # anything of this cluster that left the process group
            os.kill(pid, signal.SIGKILL)
        time.sleep(1)
        assert pids_with(temp_dir) == [], "processes of the test cluster outlived it"


@pytest.mark.cluster
@pytest.mark.slow
def test_job_submit_runs_the_table_on_the_head_node(head_node, tmp_path, new_store):
    address, env, _ = head_node
    store = new_store(tmp_path)
    runtime_env = {"env_vars": {"MLFLOW_TRACKING_URI": store, "EMOJITAGS_HOME": str(tmp_path / "home"),
                                "EMOJITAGS_DATA_DIR": os.environ["EMOJITAGS_DATA_DIR"],
                                "EMOJITAGS_OFFLINE": "1"}}
    command = [RAY, "job", "submit", "--address", address, "--working-dir", ".",
               "--runtime-env-json", json.dumps(runtime_env), "--",
               "python", "experiments/dialogue_emoji/table2.py", "--scale", "smoke", "seeds=0,1,2"]
    deadline = time.time() + 120
    while True:
        start = time.time()
        submit = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        wall = time.time() - start
        # The job API answers before the head's job agent has registered; Ray asks us to retry.
        if "No available agent" not in submit.stderr or time.time() > deadline:
            break
        time.sleep(3)
    assert submit.returncode == 0, (submit.stdout + submit.stderr)[-3000:]
    assert "succeeded" in submit.stdout.lower(), submit.stdout[-2000:]
    assert "| H-LSTM" in submit.stdout
    client = MlflowClient(store)
    exp = client.get_experiment_by_name("dialogue_emoji")
    parents = client.search_runs([exp.experiment_id], filter_string="tags.`emojitags.kind` = 'table'")
    assert len(parents) == 1 and parents[0].info.status == "FINISHED"
    children = client.search_runs([exp.experiment_id],
                                  filter_string=f"tags.`mlflow.parentRunId` = '{parents[0].info.run_id}'")
    assert len(children) == 15
    print(f"ray job submit wall time: {wall:.1f} s")


def test_rayignore_keeps_environments_and_state_out_of_the_upload(tmp_path):
    """What `--working-dir .` uploads, packed by Ray's own packaging code with gitignore off."""
    from zipfile import ZipFile

    from ray._private.runtime_env.packaging import create_package

    create_package(str(ROOT), tmp_path / "pkg.zip", include_gitignore=False)
    names = ZipFile(tmp_path / "pkg.zip").namelist()
    assert "experiments/dialogue_emoji/table2.py" in names and "orchestration/runner.py" in names
    for kept_out in (".venv/", ".git/", ".emojitags/", "mlartifacts/", "mlflow.db"):
        assert not any(n.startswith(kept_out) for n in names), kept_out
    assert (tmp_path / "pkg.zip").stat().st_size < 5 * 2**20

"""A real two-node Ray cluster on one machine: a head with one CPU and a second node that
alone offers the custom resource `node2`. A smoke table submitted with `ray job submit`, its
cells asking for `node2` (EMOJITAGS_CELL_RESOURCES), must run on the second node: each cell's
MLflow run records the node id it ran on, and its checkpoints land under EMOJITAGS_HOME.

Both nodes share one IP, so they are told apart by node id. The cluster is ours alone: its
own temp dir, ports and auth token; we end exactly the processes it started (never `ray stop`).
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


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _free_port_range(taken: list[int], n: int = 201) -> int:
    """The first of n consecutive free ports, none of them in `taken`: node 2's worker ports.
    Below the kernel's ephemeral range, so no port the OS hands out (ours or another process's)
    lands inside it; a range that held one of `taken` made Ray refuse to start the node."""
    for first in range(20000, 32000 - n, n):
        block = range(first, first + n)
        if any(p in block for p in taken):
            continue
        socks = []
        try:
            for p in block:
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return first
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError(f"no {n} consecutive free ports between 20000 and 32000")


def _node_ports(ports: list[int]) -> list[str]:
    agent, agent_grpc, runtime_env, metrics, node_manager, object_manager = ports
    return [f"--dashboard-agent-listen-port={agent}", f"--dashboard-agent-grpc-port={agent_grpc}",
            f"--runtime-env-agent-port={runtime_env}", f"--metrics-export-port={metrics}",
            f"--node-manager-port={node_manager}", f"--object-manager-port={object_manager}"]


@pytest.fixture
def two_nodes(tmp_path):
    temp_dir = tempfile.mkdtemp(prefix="rt2", dir="/tmp")  # short: Ray's socket paths have a limit
    # Node 2's own: sharing the head's, its runtime-env agent deleted the job's unpacked working
    # dir (the driver's cwd) once its cells were done, and the driver failed in Tune's bookkeeping.
    temp_dir2 = tempfile.mkdtemp(prefix="rt2n", dir="/tmp")
    ports = _free_ports(15)
    gcs, dash, client, *rest = ports
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(16),
           "RAY_USAGE_STATS_ENABLED": "0",
           # A raylet waits this long for its dashboard agent; on a busy 2-core host the second
           # node's agent took more than the default (the raylet then aborts).
           "RAY_agent_register_timeout_ms": "180000"}
    env.pop("RAY_ADDRESS", None)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    procs = []

    def start(args: list[str], log: str) -> subprocess.Popen:
        proc = subprocess.Popen([RAY, "start", "--block", "--node-ip-address=127.0.0.1",
                                 "--disable-usage-stats", *args], env=env, start_new_session=True,
                                stdout=open(tmp_path / log, "w"), stderr=subprocess.STDOUT)
        procs.append(proc)
        return proc

    address = f"http://127.0.0.1:{dash}"
    try:
        head = start(["--head", f"--port={gcs}", "--dashboard-host=127.0.0.1", f"--dashboard-port={dash}",
                      f"--temp-dir={temp_dir}", f"--ray-client-server-port={client}", "--num-cpus=1",
                      "--include-dashboard=true", *_node_ports(rest[:6])], "head.log")
        _wait(lambda: subprocess.run([RAY, "job", "list", "--address", address], env=env,
                                     capture_output=True).returncode == 0, head, tmp_path / "head.log")
        workers = _free_port_range(ports)
        node2 = start([f"--address=127.0.0.1:{gcs}", f"--temp-dir={temp_dir2}", "--num-cpus=2", "--resources", '{"node2": 100}',
                       f"--min-worker-port={workers}", f"--max-worker-port={workers + 200}",
                       *_node_ports(rest[6:12])], "node2.log")
        node2_id = None

        def node2_alive() -> bool:
            nonlocal node2_id
            listed = subprocess.run([RAY, "list", "nodes", "--address", address, "--format", "json",
                                     "--detail"], env=env, capture_output=True, text=True)
            # while the state API starts, `ray list` exits 0 but prints "No resource in the cluster"
            if listed.returncode != 0 or not listed.stdout.lstrip().startswith("["):
                return False
            nodes = [n for n in json.loads(listed.stdout) if n["state"] == "ALIVE"]
            ids = [n["node_id"] for n in nodes if "node2" in n.get("resources_total", {})]
            node2_id = ids[0] if ids else None
            return node2_id is not None and len(nodes) == 2

        _wait(node2_alive, node2, tmp_path / "node2.log")
        yield address, env, node2_id
    finally:
        for proc in reversed(procs):
            _killpg(proc, signal.SIGTERM)  # a node that failed to start has no group left
        for proc in reversed(procs):
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                _killpg(proc, signal.SIGKILL)
        left = lambda: pids_with(temp_dir) + pids_with(temp_dir2)  # noqa: E731
        for pid in left():  # anything of this cluster that left its process group
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(1)
        assert left() == [], "processes of the test cluster outlived it"


def _killpg(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def _wait(ready, proc: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.time() + timeout
    while not ready():
        assert proc.poll() is None, log.read_text()[-2000:]
        assert time.time() < deadline, f"not ready after {timeout} s: {log.read_text()[-2000:]}"
        time.sleep(0.5)


@pytest.mark.cluster
@pytest.mark.slow
def test_cells_run_on_the_second_node(two_nodes, tmp_path, new_store):
    address, env, node2_id = two_nodes
    store = new_store(tmp_path)
    home = tmp_path / "home"
    runtime_env = {"env_vars": {"MLFLOW_TRACKING_URI": store, "EMOJITAGS_HOME": str(home),
                                "EMOJITAGS_DATA_DIR": os.environ["EMOJITAGS_DATA_DIR"],
                                "EMOJITAGS_OFFLINE": "1", "EMOJITAGS_CELL_RESOURCES": '{"node2": 1}'}}
    command = [RAY, "job", "submit", "--address", address, "--working-dir", ".",
               "--runtime-env-json", json.dumps(runtime_env), "--",
               "python", "experiments/dialogue_emoji/table2.py", "--scale", "smoke",
               "rows=S-LSTM", "seeds=0"]  # one torch cell: it checkpoints, and costs one trial actor
    deadline = time.time() + 120
    start = time.time()
    while True:
        submit = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        # The job API answers before the head's job agent has registered; Ray asks us to retry.
        if "No available agent" not in submit.stderr or time.time() > deadline:
            break
        time.sleep(3)
    wall = time.time() - start
    assert submit.returncode == 0, (submit.stdout + submit.stderr)[-3000:]
    assert "succeeded" in submit.stdout.lower(), submit.stdout[-2000:]

    client = MlflowClient(store)
    exp = client.get_experiment_by_name("dialogue_emoji")
    (parent,) = client.search_runs([exp.experiment_id], filter_string="tags.`emojitags.kind` = 'table'")
    assert parent.info.status == "FINISHED"
    children = client.search_runs([exp.experiment_id],
                                  filter_string=f"tags.`mlflow.parentRunId` = '{parent.info.run_id}'")
    assert [c.data.tags["emojitags.row"] for c in children] == ["S-LSTM"]
    for c in children:
        assert c.info.status == "FINISHED"
        assert c.data.tags["emojitags.node_id"] == node2_id, c.data.tags  # not the head's
        assert c.data.tags["emojitags.node_ip"] and c.data.tags["emojitags.hostname"] == socket.gethostname()
    # The LSTM cell's checkpoints went to EMOJITAGS_HOME (storage every node reaches), under
    # the cell's key; Tune's trial state too.
    (lstm,) = [c for c in children if c.data.tags["emojitags.row"] == "S-LSTM"]
    checkpoints = [p for p in (home / "cells" / lstm.data.tags["emojitags.cell_key"] / "checkpoints").rglob("*")
                   if p.is_file()]
    assert checkpoints, sorted(str(p) for p in home.rglob("*"))[:50]
    assert list((home / "ray_results").iterdir())
    print(f"two-node ray job submit wall time: {wall:.1f} s")

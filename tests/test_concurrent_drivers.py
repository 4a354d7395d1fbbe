"""Three drivers started together on one empty store and one EMOJITAGS_HOME: none fails because
of the others, every cell is trained once, and all three print the same table."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

ROOT = Path(__file__).resolve().parents[1]
TABLE = str(ROOT / "tests" / "claims_table.py")


def _table(out: str) -> str:
    return "\n".join(line for line in out.splitlines() if line.startswith("|"))


@pytest.mark.slow
@pytest.mark.subprocess
def test_three_drivers_on_an_empty_store_train_each_cell_once(tmp_path):
    env = {**os.environ, "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}",
           "EMOJITAGS_HOME": str(tmp_path / "home"), "EMOJITAGS_LEASE_S": "30",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), str(ROOT)])}
    start = time.time()
    procs = [subprocess.Popen([sys.executable, "-m", "orchestration", "run", TABLE, "--scale", "smoke"], cwd=tmp_path,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for _ in range(3)]
    outs = [p.communicate(timeout=600)[0] for p in procs]
    print(f"three drivers: {time.time() - start:.0f} s")
    for p, out in zip(procs, outs, strict=True):
        assert p.returncode == 0, out[-3000:]
    tables = [_table(o) for o in outs]
    assert tables[0] and tables[0] == tables[1] == tables[2]
    trained = [int(o.split(" cells trained")[0].rsplit("\n", 1)[-1]) for o in outs]
    assert sum(trained) == 9, trained  # each of the 9 cells by exactly one driver

    client = MlflowClient(env["MLFLOW_TRACKING_URI"])
    exp = client.get_experiment_by_name("tests")
    cells = client.search_runs([exp.experiment_id], "tags.`emojitags.kind` = 'cell'", max_results=1000)
    keys = [r.data.tags["emojitags.cell_key"] for r in cells]
    assert len(keys) == len(set(keys)) == 9 and all(r.info.status == "FINISHED" for r in cells)


def test_a_claim_of_a_process_that_died_on_this_machine_is_taken_over_at_once(tmp_path):
    import json
    import socket

    from orchestration.leases import Leases

    alive, taker = Leases(tmp_path, ttl=3600), Leases(tmp_path, ttl=3600)
    assert alive.claim("live") and not taker.claim("live")  # a live owner (this process) keeps it
    beyond_pid_max = 2**22 + 12_345  # no process can have it
    for key, host in (("dead", socket.gethostname()), ("elsewhere", "another-machine")):
        (tmp_path / "leases" / key).write_text(json.dumps({"owner": f"{host}:{beyond_pid_max}:abcd1234"}))
    assert taker.claim("dead")  # its driver was killed: no waiting out the heartbeat
    assert not taker.claim("elsewhere")  # another machine's pid says nothing here: the ttl decides
    alive.release_all(), taker.release_all()

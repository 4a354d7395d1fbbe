"""`python -m orchestration mlflow-server --auth on`: MLflow's basic-auth app lets in only
the admin whose credentials the environment gives; a smoke table logs through it with the
same credentials in its environment. Nothing secret is written to the repo or the ini."""

from __future__ import annotations

import base64
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from orchestration.server import AuthSetupError, read_credentials, server_command

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
from conftest import free_port  # noqa: E402

pytestmark = pytest.mark.subprocess  # it starts MLflow servers and CLI runs


def _get(url: str, auth: tuple[str, str] | None = None) -> int:
    request = urllib.request.Request(url)
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(":".join(auth).encode()).decode())
    try:
        return urllib.request.urlopen(request, timeout=90).status  # hashing a password is slow on a busy host
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0  # not listening yet


@pytest.fixture
def auth_server(tmp_path, new_store):
    user, password = "admin", secrets.token_hex(12)
    new_store(tmp_path / "server")
    port = free_port()
    env = {**os.environ, "MLFLOW_TRACKING_USERNAME": user, "MLFLOW_TRACKING_PASSWORD": password}
    log = tmp_path / "server.log"
    proc = subprocess.Popen([sys.executable, "-m", "orchestration", "mlflow-server", "--auth", "on",
                             "--root", str(tmp_path / "server"), "--port", str(port)],
                            cwd=ROOT, env=env, start_new_session=True,
                            stdout=open(log, "w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        # The auth app imports MLflow's server a second time in its worker: slow on a busy host.
        deadline = time.time() + 300
        while _get(url + "/health") != 200:
            assert proc.poll() is None, log.read_text()[-3000:]
            assert time.time() < deadline, "MLflow server did not answer /health in 300 s"
            time.sleep(0.5)
        yield url, (user, password), tmp_path
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.slow
def test_only_the_admin_gets_in_and_a_table_logs_through(auth_server):
    url, (user, password), tmp_path = auth_server
    search = url + "/api/2.0/mlflow/experiments/search?max_results=1"
    assert _get(search) == 401                              # no credentials
    assert _get(search, (user, "wrong-" + password)) == 401  # a wrong password
    assert _get(search, (user, password)) == 200

    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    # MLflow's own client without credentials is refused too.
    bare = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_TRACKING_")}
    probe = ("import sys\nfrom mlflow.tracking import MlflowClient\n"
             "try:\n    MlflowClient(sys.argv[1]).search_experiments(max_results=1)\n"
             "except Exception as e:\n    print(type(e).__name__, str(e)[:300]); sys.exit(3)\n")
    refused = subprocess.run([sys.executable, "-c", probe, url], env=bare, capture_output=True,
                             text=True, timeout=120)
    assert refused.returncode == 3 and ("401" in refused.stdout or "nauthorized" in refused.stdout), \
        refused.stdout + refused.stderr

    env = {**os.environ, "MLFLOW_TRACKING_URI": url, "MLFLOW_TRACKING_USERNAME": user,
           "MLFLOW_TRACKING_PASSWORD": password, "EMOJITAGS_HOME": str(tmp_path / "home"),
           "PYTHONPATH": str(ROOT)}
    start = time.time()
    table = subprocess.run([sys.executable, "-m", "orchestration", "run", str(ROOT / "experiments/dialogue_emoji/table2.py"),
                            "--scale", "smoke", "rows=S-BOW", "seeds=0"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    wall = time.time() - start
    assert table.returncode == 0, (table.stdout + table.stderr)[-3000:]
    os.environ.update({"MLFLOW_TRACKING_USERNAME": user, "MLFLOW_TRACKING_PASSWORD": password})
    try:
        client = MlflowClient(url)
        exp = client.get_experiment_by_name("dialogue_emoji")
        (parent,) = client.search_runs([exp.experiment_id], filter_string="tags.`emojitags.kind` = 'table'")
        assert parent.info.status == "FINISHED"
        children = client.search_runs([exp.experiment_id],
                                      filter_string=f"tags.`mlflow.parentRunId` = '{parent.info.run_id}'")
        assert [c.info.status for c in children] == ["FINISHED"]
    finally:
        for k in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD"):
            os.environ.pop(k, None)
    with pytest.raises(MlflowException):  # and this process, without them, is refused again
        MlflowClient(url).search_experiments(max_results=1)

    # The password is in no file the server wrote (the auth store keeps only a hash).
    for f in (tmp_path / "server").rglob("*"):
        if f.is_file() and f.suffix in (".ini", ".txt", ".log", ""):
            assert password not in f.read_text(errors="replace"), f
    print(f"authenticated smoke table wall time: {wall:.1f} s")


def test_auth_is_on_beyond_loopback_and_needs_credentials(tmp_path, monkeypatch):
    for k in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "EMOJITAGS_MLFLOW_CREDENTIALS"):
        monkeypatch.delenv(k, raising=False)
    cmd = [sys.executable, "-m", "orchestration", "mlflow-server", "--root", str(tmp_path / "s"),
           "--host", "0.0.0.0", "--port", str(free_port())]
    refused = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "MLFLOW_TRACKING_PASSWORD" in refused.stderr
    assert "--app-name" in server_command("sqlite:///x.db", tmp_path, "127.0.0.1", 5000, auth=True)
    assert "--app-name" not in server_command("sqlite:///x.db", tmp_path, "127.0.0.1", 5000)


def test_credentials_come_from_the_environment_or_a_file(tmp_path):
    assert read_credentials({"MLFLOW_TRACKING_USERNAME": "a", "MLFLOW_TRACKING_PASSWORD": "b"}) == ("a", "b")
    env_file = tmp_path / "mlflow.env"
    env_file.write_text("# team server\nMLFLOW_TRACKING_USERNAME=alice\nexport MLFLOW_TRACKING_PASSWORD='s3cr:t'\n")
    assert read_credentials({"EMOJITAGS_MLFLOW_CREDENTIALS": str(env_file)}) == ("alice", "s3cr:t")
    (tmp_path / "pair").write_text("bob:pw:with:colons\n")
    assert read_credentials({"EMOJITAGS_MLFLOW_CREDENTIALS": str(tmp_path / "pair")}) == ("bob", "pw:with:colons")
    (tmp_path / "bad").write_text("nothing here\n")
    with pytest.raises(AuthSetupError):
        read_credentials({"EMOJITAGS_MLFLOW_CREDENTIALS": str(tmp_path / "bad")})
    with pytest.raises(AuthSetupError):
        read_credentials({})

"""Test defaults: the shared data folder, no downloads, a private MLflow store and state dir.

Ray runs in-process, started once per session (about 5 s) and shared by every test.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FAST_ENV = "EMOJITAGS_TEST_FAST"
SHARED_DATA = ROOT.parent / "shared" / "data"


def pytest_configure(config):
    # The fast tier proves it starts no process and no Ray (in the processes that run tests: an
    # xdist controller starts its workers).
    controller = getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput")
    if os.environ.get(FAST_ENV) and not controller:
        _forbid_processes()
    os.environ.setdefault("EMOJITAGS_DATA_DIR", str(SHARED_DATA))
    os.environ["EMOJITAGS_OFFLINE"] = "1"
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    os.environ.setdefault("RAY_TRAIN_ENABLE_V2_MIGRATION_WARNINGS", "0")


def _forbid_processes() -> None:
    popen = subprocess.Popen.__init__
    probes = {"uname", "git"}  # the standard library's and git_commit's one-shot probes

    def refuse(self, args, *a, **kw):
        program = Path(str(args[0] if isinstance(args, (list, tuple)) else str(args).split()[0])).name
        if program not in probes:
            raise AssertionError(f"the fast tier starts no process (mark the test `subprocess`): {args}")
        popen(self, args, *a, **kw)

    subprocess.Popen.__init__ = refuse  # Ray's own start goes through Popen too


@pytest.fixture(scope="session")
def ray_session():
    import ray

    from orchestration.runtime import quiet_environment

    quiet_environment()
    # Workers unpickle test helpers by module name, so they need tests/ on their path.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "tests"), os.environ.get("PYTHONPATH")]))
    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING")
    yield ray
    ray.shutdown()


@pytest.fixture(scope="session")
def new_store(tmp_path_factory):
    """new_store(folder) -> a tracking URI: an empty SQLite MLflow store at folder/mlflow.db.

    Copied from one migrated once per test process: a new store spends seconds on MLflow's
    schema migrations, every time. The tests of a store created from nothing (concurrent
    drivers racing to migrate it) do not use this."""
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    template = tmp_path_factory.mktemp("mlflow-template") / "mlflow.db"
    store = SqlAlchemyStore(f"sqlite:///{template}", str(template.parent / "artifacts"))  # migrates it
    store.engine.dispose()

    def make(folder: Path) -> str:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, folder / "mlflow.db")
        return f"sqlite:///{folder / 'mlflow.db'}"

    return make


@pytest.fixture
def workspace(tmp_path, monkeypatch, new_store):
    """A fresh MLflow store and EMOJITAGS_HOME, as a new user would have."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", new_store(tmp_path))
    monkeypatch.setenv("EMOJITAGS_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def table_workspace(tmp_path_factory, ray_session, new_store):
    """One fresh MLflow store and EMOJITAGS_HOME for a module's tables (a new SQLite store spends
    seconds on its migrations), the working directory inside it: nothing lands in the checkout."""
    root = tmp_path_factory.mktemp("tables")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLFLOW_TRACKING_URI", new_store(root))
        mp.setenv("EMOJITAGS_HOME", str(root / "home"))
        mp.chdir(root)
        yield root


def pids_with(text: str) -> list[int]:
    """Processes (other than this one) whose command line holds `text`: what a test cluster left."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text in cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                pids.append(int(cmdline.parent.name))
        except OSError:
            pass
    return [p for p in pids if p != os.getpid()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def start_mlflow_server():
    """Start `python -m orchestration mlflow-server` on loopback; every server is stopped at teardown.

    Returns start(root, port=None) -> (url, stop) where stop() ends that server at once."""
    procs = []

    def stop(proc) -> None:
        # SIGKILL, as a lost machine would: with a graceful stop (SIGTERM, then up to 20 s) the
        # teardowns of the UI test and test_faults took 12-21 s in a full run; a store must
        # survive a crash anyway.
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def start(root: Path, port: int | None = None):
        port = port or free_port()
        root.mkdir(parents=True, exist_ok=True)
        log = root / f"server-{port}.log"
        proc = subprocess.Popen([sys.executable, "-m", "orchestration", "mlflow-server", "--root", str(root),
                                 "--port", str(port)], cwd=ROOT, start_new_session=True,
                                stdout=open(log, "a"), stderr=subprocess.STDOUT)
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 240  # 13 s alone; minutes on a shared, loaded machine
        while True:
            try:
                urllib.request.urlopen(url + "/health", timeout=2).read()
                return url, (lambda: stop(proc))
            except OSError:
                assert proc.poll() is None, log.read_text()[-2000:]
                assert time.time() < deadline, "MLflow server did not answer /health in 240 s"
                time.sleep(0.5)

    yield start
    for proc in procs:
        stop(proc)


# The slowest files first (per-file totals of `--durations`, 2026-12-02, a full `make test`): with
# `-n 2 --dist loadfile` a long file that starts last runs alone while the other worker idles. Order
# within a file is kept; files not listed follow in their usual order.
SLOWEST_FIRST = ("test_deepmoji.py", "test_faults.py", "test_resume.py", "test_hashtag_generation.py",
                 "test_dialogue_table.py", "test_conversation_hashtags.py", "test_mlflow_auth.py",
                 "test_mlflow_server_ui.py", "test_concurrent_drivers.py", "test_job_submit.py",
                 "test_zeroshot_hashtags.py", "test_emoji_hashtag_analysis.py", "test_two_nodes.py",
                 "test_training.py", "test_claims.py", "test_experiment_files.py", "test_bad_values.py")


def pytest_collection_modifyitems(config, items):
    for item in items:  # `make test-fast` deselects these: `-m "not ray and not subprocess"`
        if "ray_session" in item.fixturenames:
            item.add_marker(pytest.mark.ray)
        if "start_mlflow_server" in item.fixturenames:
            item.add_marker(pytest.mark.subprocess)
    rank = {name: i for i, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: keeps order within files

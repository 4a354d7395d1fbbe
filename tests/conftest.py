"""Test defaults: the shared data folder, no downloads, a private MLflow store and state dir.

Ray runs in-process, started once per session (about 5 s) and shared by every test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


def pytest_configure(config):
    os.environ.setdefault("EMOJITAGS_DATA_DIR", str(SHARED_DATA))
    os.environ["EMOJITAGS_OFFLINE"] = "1"
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    os.environ.setdefault("RAY_TRAIN_ENABLE_V2_MIGRATION_WARNINGS", "0")


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


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A fresh MLflow store and EMOJITAGS_HOME, as a new user would have."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("EMOJITAGS_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path

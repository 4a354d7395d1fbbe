"""Where things live and how Ray is started.

Embedded defaults: Ray in-process on this machine, state under `./.emojitags`.
`RAY_ADDRESS` (or running under `ray job submit`) moves the same run to a cluster;
`EMOJITAGS_HOME` should then name storage every node can reach.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

HOME_ENV = "EMOJITAGS_HOME"


def home() -> Path:
    path = Path(os.environ.get(HOME_ENV, ".emojitags")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def quiet_environment() -> None:
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("RAY_TRAIN_ENABLE_V2_MIGRATION_WARNINGS", "0")
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
    os.environ.setdefault("TUNE_WARN_EXCESSIVE_EXPERIMENT_CHECKPOINT_SYNC_THRESHOLD_S", "600")
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
    for noisy in ("mlflow", "alembic"):  # schema migrations of a new store are not news
        logging.getLogger(noisy).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)


def ensure_ray(num_cpus: int | None = None) -> dict:
    """Start Ray in-process, or join the cluster named by RAY_ADDRESS; return its resources."""
    quiet_environment()
    import ray

    if not ray.is_initialized():
        address = os.environ.get("RAY_ADDRESS")
        kwargs = dict(logging_level=logging.WARNING, log_to_driver=True, include_dashboard=False)
        if address:
            ray.init(address=address, logging_level=logging.WARNING)
        else:
            ray.init(num_cpus=num_cpus, **kwargs)
    return ray.cluster_resources()


def share(obj):
    """Put `obj` in Ray's object store once, for several `parallel_map` calls to read."""
    ensure_ray()
    import ray

    return ray.put(obj)


def parallel_map(fn, shared, args: list[tuple], cpus: float = 1.0) -> list:
    """`[fn(shared, *a) for a in args]`, each call a Ray task; `shared` (an object or what
    `share` returned) is uploaded once, not once per call."""
    ensure_ray()
    import ray

    ref = shared if isinstance(shared, ray.ObjectRef) else ray.put(shared)
    remote = ray.remote(num_cpus=cpus)(fn)
    return ray.get([remote.remote(ref, *a) for a in args])

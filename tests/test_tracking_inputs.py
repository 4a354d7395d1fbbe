"""MLflow records beyond params and metrics, against one local SQLite store (no server, no Ray):
a cell's data sets as dataset inputs, cached stages as registered model versions (one per stage
key, the version a run used in its tags), and experiments marked for the model-training view."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import pytest

from components.data import dataset_sha256s
from orchestration.tracking import (
    EXPERIMENT_KIND,
    MODEL_DEVELOPMENT,
    MODEL_TAG,
    RunSink,
    Tracker,
    dataset_inputs,
    register_stage_model,
)

ROOT = Path(__file__).resolve().parents[1]
TWEETEVAL = "https://raw.githubusercontent.com/cardiffnlp/tweeteval/4fbd22cd78421f05b1ecdb4fc5725bc7a7bd8f66/datasets/emoji/"


@pytest.fixture(scope="module")
def store(tmp_path_factory, new_store):
    root = tmp_path_factory.mktemp("store")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLFLOW_TRACKING_URI", new_store(root))
        mp.setenv("EMOJITAGS_HOME", str(root / "home"))
        mp.chdir(root)
        yield f"sqlite:///{root / 'mlflow.db'}", root


def _digest(shas) -> str:
    return hashlib.sha256("\n".join(sorted(shas)).encode()).hexdigest()[:16]


def test_dataset_inputs_one_per_data_set_with_digest_and_origin():
    tweeteval, weibo = dataset_sha256s("tweeteval_emoji"), dataset_sha256s("weibo_conversation_hashtags")
    inputs = dataset_inputs({**weibo, **tweeteval})
    assert [i.dataset.name for i in inputs] == ["tweeteval_emoji", "weibo_conversation_hashtags"]
    te = inputs[0].dataset
    assert te.digest == _digest(tweeteval.values()) and len(te.digest) <= 36
    assert te.source_type == "http" and json.loads(te.source) == {"url": TWEETEVAL}
    assert json.loads(te.profile)["files"] == len(tweeteval)
    assert json.loads(inputs[1].dataset.source)["url"].startswith("https://raw.githubusercontent.com/yuewang-cuhk/")
    assert {(t.key, t.value) for t in inputs[0].tags} == {("mlflow.data.context", "training")}
    # a data set the manifest does not hold (one shipped as a package) is still named
    (pkg,) = dataset_inputs({"chitchat_dataset/dataset.json": "0" * 64})
    assert pkg.dataset.name == "chitchat_dataset" and pkg.dataset.source_type == "external"
    assert json.loads(pkg.dataset.source) == {"uri": "chitchat_dataset"}


def test_a_cell_run_records_its_data_sets(store):
    from orchestration.cli import load_experiment
    from orchestration.runner import _open_cell, check

    uri, _ = store
    exp = load_experiment(str(ROOT / "experiments/dialogue_emoji/table2.py"))
    plan = check(exp, "smoke", run={"rows": ("S-BOW",), "seeds": (0,)})
    tracker = Tracker(uri, exp.paper_id)
    parent = tracker.open_parent(exp.id, plan.table_key, {})
    pending = _open_cell(tracker, parent, exp, plan.cells[0], "smoke", "commit", plan.data)
    _open_cell(tracker, parent, exp, plan.cells[0], "smoke", "commit", plan.data)  # reopened: no duplicate
    run = tracker.client.get_run(pending.sink.run_id)
    by_name: dict[str, dict[str, str]] = {}
    for path, sha in plan.data.items():
        by_name.setdefault(path.split("/")[0], {})[path] = sha
    got = {i.dataset.name: i.dataset for i in run.inputs.dataset_inputs}
    assert sorted(got) == sorted(by_name) and len(run.inputs.dataset_inputs) == len(by_name)
    for name, ds in got.items():
        assert ds.digest == _digest(by_name[name].values())
        assert ds.source_type in ("http", "external") and ds.source


def test_experiments_open_on_the_model_training_view(store):
    from mlflow.tracking import MlflowClient

    uri, _ = store
    assert MlflowClient(uri).get_experiment(Tracker(uri, "fresh").experiment_id).tags[EXPERIMENT_KIND] \
        == MODEL_DEVELOPMENT
    old = MlflowClient(uri).create_experiment("made_before")  # an older store's experiment gets it too
    Tracker(uri, "made_before")
    assert MlflowClient(uri).get_experiment(old).tags[EXPERIMENT_KIND] == MODEL_DEVELOPMENT


def test_a_stage_registers_one_version_per_stage_key(store, tmp_path):
    from mlflow.tracking import MlflowClient

    from orchestration.context import _PrefixedSink

    uri, _ = store
    tracker = Tracker(uri, "stages")
    runs = [tracker.client.create_run(tracker.experiment_id).info.run_id for _ in range(3)]
    (tmp_path / "weights.pt").write_text("w")
    files = [tmp_path / "weights.pt"]
    assert register_stage_model(RunSink(uri, runs[0]), "test-encoder", "key1", "model", files) == "1"
    # the same stage, reused by another run (through a cell's prefixed sink): the same version
    assert register_stage_model(_PrefixedSink(RunSink(uri, runs[1]), "x/"), "test-encoder", "key1", "model",
                                files) == "1"
    assert register_stage_model(RunSink(uri, runs[2]), "test-encoder", "key2", "model", files) == "2"
    client = MlflowClient(uri)
    versions = {str(v.version): v for v in client.search_model_versions("name = 'test-encoder'")}
    assert set(versions) == {"1", "2"}
    assert versions["1"].run_id == runs[0] and versions["1"].source == f"runs:/{runs[0]}/model"
    assert versions["1"].tags["stage_key"] == "key1"
    assert [a.path for a in client.list_artifacts(runs[0], "model")] == ["model/weights.pt"]
    assert not client.list_artifacts(runs[1], "model")  # a reuse logs nothing again
    assert [client.get_run(r).data.tags[f"{MODEL_TAG}test-encoder"] for r in runs] == ["1", "1", "2"]


def test_a_store_that_cannot_register_warns_and_does_not_fail(caplog, monkeypatch):
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "2")
    with caplog.at_level(logging.WARNING, logger="emojitags.tracking"):
        assert register_stage_model(RunSink("http://127.0.0.1:9", "0" * 32), "m", "k", "model") is None
        assert register_stage_model(object(), "m", "k", "model") is None  # a test's fake sink
    assert "could not register stage k" in caplog.text

"""A shared MLflow server: tables logged through it land on the server, and its UI shows
them in a real headless Chromium (Debian's chromium + chromedriver, driven by Selenium)."""

from __future__ import annotations

import shutil
import time
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def mlflow_server(tmp_path, start_mlflow_server, new_store):
    new_store(tmp_path / "server")
    url, _ = start_mlflow_server(tmp_path / "server")
    return url, tmp_path / "server"


def _chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1600,1000"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"),
                            options=options)


def _wait_for_text(driver, text: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while text not in driver.find_element("tag name", "body").text:
        assert time.time() < deadline, f"{text!r} never appeared on {driver.current_url}"
        time.sleep(0.5)


ENCODER_MODEL = "deepmoji-encoder-emojis"  # experiments.deepmoji.encoder_stage.registered_name
ML = "workflowType=machine_learning"  # the UI's model-training view (not GenAI's)


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("chromium") and shutil.which("chromedriver")),
                    reason="Debian's chromium and chromium-driver are not installed (.ci/run installs them)")
def test_table_logged_to_the_server_shows_in_the_ui(mlflow_server, ray_session, tmp_path, monkeypatch):
    """The headline's table at smoke scale, one row with and one without the pretrained emoji
    encoder: cells, their data set, the encoder's registered version, the model-training view."""
    from mlflow.tracking import MlflowClient

    from orchestration.cli import load_experiment
    from orchestration.runner import run_experiment

    url, server_root = mlflow_server
    monkeypatch.setenv("MLFLOW_TRACKING_URI", url)
    monkeypatch.setenv("EMOJITAGS_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    exp = load_experiment(str(ROOT / "experiments/emoji_hashtags/table2.py"))
    rows = ("Base (NoEmoji)", "SEQ2SEQ-Emoji")
    result = run_experiment(exp, "smoke", run={"rows": rows, "seeds": (0,)})

    # Artifacts went through the server into its artifact root, not into a local directory.
    client = MlflowClient(url)
    parent = client.get_run(result.parent_run_id)
    assert parent.info.artifact_uri.startswith("mlflow-artifacts:")
    assert list(server_root.glob(f"artifacts/**/{result.parent_run_id}/artifacts/table.md"))
    assert not (tmp_path / "mlruns").exists() and not (tmp_path / "mlartifacts").exists()
    # The store's side of what the UI shows: each cell's data set; the encoder the table's
    # prepare built has a stage run, registered as version 1, and the cell that used it names it.
    cells = {r.info.run_name: r for r in client.search_runs(
        [parent.info.experiment_id], filter_string=f"tags.mlflow.parentRunId = '{result.parent_run_id}'")}
    assert sorted(cells) == sorted(f"{r} seed=0" for r in rows)
    for cell in cells.values():
        assert [d.dataset.name for d in cell.inputs.dataset_inputs] == ["tweeteval_emoji"]
    (version,) = client.search_model_versions(f"name = '{ENCODER_MODEL}'")
    stage = client.get_run(version.run_id)
    assert stage.data.tags["emojitags.kind"] == "stage" and version.source == f"runs:/{version.run_id}/pretrained_encoder"
    emoji_cell = cells["SEQ2SEQ-Emoji seed=0"]
    assert emoji_cell.data.tags[f"emojitags.model.{ENCODER_MODEL}"] == str(version.version) == "1"
    assert version.tags["stage_key"] == emoji_cell.data.tags["emojitags.pretrained_encoder"]

    driver = _chromium()
    try:
        exp_id = parent.info.experiment_id
        # Every experiment is tagged for the model-training view (mlflow.experimentKind). MLflow
        # 3.17's UI still opens on its global GenAI/Model training switch (GenAI by default, kept
        # in the browser), so links name the view: ?workflowType=machine_learning.
        assert client.get_experiment(exp_id).tags["mlflow.experimentKind"] == "custom_model_development"
        driver.get(f"{url}/#/experiments/{exp_id}?{ML}")
        _wait_for_text(driver, "emoji_hashtags/table2")
        _wait_for_text(driver, "Model registry")
        assert "Evaluation runs" not in driver.find_element("tag name", "body").text
        driver.get(f"{url}/#/experiments/{exp_id}/runs/{result.parent_run_id}?{ML}")
        _wait_for_text(driver, "emoji_hashtags/table2")
        driver.get(f"{url}/#/experiments/{exp_id}/runs/{result.parent_run_id}/artifacts?{ML}")
        _wait_for_text(driver, "table.md")
        _wait_for_text(driver, "cells.csv")
        # The cell's page: its data set, and the encoder version in its tags.
        driver.get(f"{url}/#/experiments/{exp_id}/runs/{emoji_cell.info.run_id}?{ML}")
        _wait_for_text(driver, "tweeteval_emoji")
        _wait_for_text(driver, f"emojitags.model.{ENCODER_MODEL}")
        driver.save_screenshot(str(tmp_path / "ui-cell.png"))
        # The registered model: version 1, its source the stage run.
        driver.get(f"{url}/#/models/{ENCODER_MODEL}")
        _wait_for_text(driver, "Version 1")
        driver.get(f"{url}/#/models/{ENCODER_MODEL}/versions/1")
        _wait_for_text(driver, stage.info.run_name)
        driver.save_screenshot(str(tmp_path / "ui-model.png"))
        # The runs list, filtered to this table; the parent's row expands into its cells, whose
        # Dataset column names the data set they read.
        query = urllib.parse.quote(f"tags.mlflow.parentRunId = '{result.parent_run_id}'")
        driver.get(f"{url}/#/experiments/{exp_id}/runs?{ML}&searchFilter={query}")
        _wait_for_text(driver, "emoji_hashtags/table2")
        driver.find_element("xpath", "//*[text()='emoji_hashtags/table2']"
                                     "/ancestor::span[contains(@class,'ag-cell-value')]//button").click()
        for child in cells:
            _wait_for_text(driver, child)
        _wait_for_text(driver, "tweeteval_emoji")
        driver.save_screenshot(str(tmp_path / "ui.png"))
        assert (tmp_path / "ui.png").stat().st_size > 20_000
        print(f"screenshots: {tmp_path}/ui.png ui-cell.png ui-model.png")
    finally:
        driver.quit()

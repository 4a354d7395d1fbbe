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
def mlflow_server(tmp_path, start_mlflow_server):
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


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("chromium") and shutil.which("chromedriver")),
                    reason="Debian's chromium and chromium-driver are not installed (.ci/run installs them)")
def test_table_logged_to_the_server_shows_in_the_ui(mlflow_server, ray_session, tmp_path, monkeypatch):
    from mlflow.tracking import MlflowClient

    from orchestration.cli import load_experiment
    from orchestration.runner import run_experiment

    url, server_root = mlflow_server
    monkeypatch.setenv("MLFLOW_TRACKING_URI", url)
    monkeypatch.setenv("EMOJITAGS_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    exp = load_experiment(str(ROOT / "experiments/dialogue_emoji/table2.py"))
    result = run_experiment(exp, "smoke", run={"rows": ("S-BOW", "H-LSTM"), "seeds": (0,)})

    # Artifacts went through the server into its artifact root, not into a local directory.
    client = MlflowClient(url)
    parent = client.get_run(result.parent_run_id)
    assert parent.info.artifact_uri.startswith("mlflow-artifacts:")
    assert list(server_root.glob(f"artifacts/**/{result.parent_run_id}/artifacts/table.md"))
    assert not (tmp_path / "mlruns").exists() and not (tmp_path / "mlartifacts").exists()

    driver = _chromium()
    try:
        exp_id = parent.info.experiment_id
        driver.get(f"{url}/#/experiments/{exp_id}/runs/{result.parent_run_id}")
        _wait_for_text(driver, "dialogue_emoji/table2")
        driver.get(f"{url}/#/experiments/{exp_id}/runs/{result.parent_run_id}/artifacts")
        _wait_for_text(driver, "table.md")
        _wait_for_text(driver, "cells.csv")
        # The runs list, filtered to this table; the parent's row expands into its cells.
        query = urllib.parse.quote(f"tags.mlflow.parentRunId = '{result.parent_run_id}'")
        driver.get(f"{url}/#/experiments/{exp_id}/runs?searchFilter={query}")
        _wait_for_text(driver, "dialogue_emoji/table2")
        driver.find_element("xpath", "//*[text()='dialogue_emoji/table2']"
                                     "/ancestor::span[contains(@class,'ag-cell-value')]//button").click()
        for child in ("S-BOW seed=0", "H-LSTM seed=0"):
            _wait_for_text(driver, child)
        driver.save_screenshot(str(tmp_path / "ui.png"))
        assert (tmp_path / "ui.png").stat().st_size > 20_000
        print(f"screenshot: {tmp_path / 'ui.png'}")
    finally:
        driver.quit()

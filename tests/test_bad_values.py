"""Every bad value is refused before anything runs: one line naming the key, exit code 2, and
nothing written to MLflow or EMOJITAGS_HOME (issue: `epochs=0` used to fail every cell late)."""

from __future__ import annotations

import contextlib
import dataclasses
import io

import pytest
from test_experiment_files import FILES, ROOT

from orchestration.cli import load_experiment, main

# (key, value, what the error line must say); a key the experiment's config lacks is skipped.
BAD = [
    ("epochs", "0", "expected an int >= 1"), ("epochs", "-1", "expected an int >= 1"),
    ("patience", "0", "expected an int >= 1"), ("batch_size", "0", "expected an int >= 1"),
    ("beam", "0", "expected an int >= 1"), ("hidden", "-4", "expected an int >= 1"),
    ("workers", "0", "expected an int >= 1"), ("threads", "0", "expected an int >= 1"),
    ("lr", "nan", "expected a finite number"), ("lr", "0", "expected a finite number > 0"),
    ("lr", "inf", "expected a finite number"), ("dropout", "1.5", "expected a number in [0, 1)"),
    ("vocab_size", "3", "expected an int > 4"), ("val_fraction", "1", "expected a number in (0, 1)"),
    ("max_src_len", "0", "expected an int >= 1"), ("epochs", "two", "expected int"),
    ("seeds", "", "expected distinct comma-separated ints"), ("seeds", "0,0", "expected distinct"),
    ("rows", "", "expected comma-separated row names"), ("rows", "Nope", "unknown rows ['Nope']"),
    ("cv_folds", "1", "cv_folds=1: expected 0"), ("cv_folds", "-2", "expected an int >= 0"),
    ("classes", "-1", "expected an int >= 0"), ("knn_neighbours", "0", "expected an int >= 1"),
]


@pytest.mark.parametrize("path", FILES)
def test_bad_values_are_refused_before_anything_runs(path, tmp_path, monkeypatch, capsys):
    exp = load_experiment(str(ROOT / path))
    fields = {f.name for f in dataclasses.fields(exp.config_type())}
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("EMOJITAGS_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    tried = 0
    for key, value, expected in BAD:
        if key not in fields | {"seeds", "rows"}:
            continue
        tried += 1
        with contextlib.redirect_stdout(io.StringIO()):
            code = main(["run", str(ROOT / path), "--scale", "smoke", f"{key}={value}"])
        err = capsys.readouterr().err.strip()
        assert code == 2, f"{key}={value}: exit {code}"
        assert len(err.splitlines()) == 1 and "Traceback" not in err, err
        assert err.startswith("error: ") and key in err and expected in err, err
    assert tried >= 4
    if getattr(exp.scales["smoke"], "cv_folds", 0):  # a cell's seed is its test fold: past the last is refused
        with contextlib.redirect_stdout(io.StringIO()):
            code = main(["run", str(ROOT / path), "--scale", "smoke", "seeds=0,7"])
        err = capsys.readouterr().err.strip()
        assert code == 2 and len(err.splitlines()) == 1 and "seed 7: with cv_folds=5" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "a refused run wrote something"

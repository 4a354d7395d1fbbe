"""Stopping and the learning-rate schedule of the shared loop: each stop reason, a task metric as
the monitor, reduce-on-plateau down to its floor, resume in the middle of a schedule, and
FitSettings refusing nonsense. Tiny linear models; validation values are scripted where the test
is about the decisions, real where it is about the weights."""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from components.training import FitProblem, FitSettings
from orchestration.runner import _stops
from orchestration.train import STOP_REASONS, fit


def _loss(model, batch):
    return F.mse_loss(model(batch["x"]).squeeze(-1), batch["y"])


def _real_val(model, arrays):
    with torch.no_grad():
        return {"val_loss": float(_loss(model, {k: torch.as_tensor(v) for k, v in arrays.items()}))}


class Scripted:
    """An evaluate that returns the real val_loss plus scripted values, one per call."""

    def __init__(self, **series: list[float]) -> None:
        self.series, self.calls = series, 0

    def __call__(self, model, arrays) -> dict[str, float]:
        out = _real_val(model, arrays)
        for key, values in self.series.items():
            out[key] = values[min(self.calls, len(values) - 1)]
        self.calls += 1
        return out


def problem(evaluate=_real_val, n=64, seed=0) -> FitProblem:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    y = (x @ np.array([1.0, -2.0, 0.5, 3.0], dtype=np.float32) + 0.1 * rng.normal(size=n)).astype(np.float32)
    cut = n * 3 // 4
    return FitProblem(functools.partial(nn.Linear, 4, 1), {"x": x[:cut], "y": y[:cut]},
                      {"x": x[cut:], "y": y[cut:]}, _loss, evaluate)


def settings(**kw) -> FitSettings:
    return FitSettings(**{"epochs": 20, "batch_size": 16, "lr": 0.1, "optimizer": "sgd", "patience": 10,
                          "monitor": "score", "seed": 1, **kw})


def test_plateau_halves_the_lr_and_stops_under_the_floor(tmp_path):
    result = fit(problem(Scripted(score=[5, 4, 4.5, 4.6, 4.7])),
                 settings(lr_schedule="plateau", lr_floor=0.03), tmp_path)
    # epoch 2 does not improve: 0.1 -> 0.05; epoch 3 neither: 0.025 < 0.03, stop
    assert [h["lr"] for h in result.history] == pytest.approx([0.1, 0.1, 0.1, 0.05])
    assert (result.stop_reason, result.epochs_run, result.best_epoch) == ("lr_floor", 4, 1)


def test_plateau_waits_lr_patience_epochs(tmp_path):
    result = fit(problem(Scripted(score=[5, 4, 4.5, 4.6, 4.7, 4.8, 4.9])),
                 settings(lr_schedule="plateau", lr_patience=2, epochs=7), tmp_path)
    assert [h["lr"] for h in result.history] == pytest.approx([0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025])
    assert result.stop_reason == "cap"


def test_worse_schedule_halves_when_the_value_rises_over_the_previous_epoch(tmp_path):
    result = fit(problem(Scripted(score=[5, 4, 4.5, 4.2, 4.3, 1.0])),
                 settings(lr_schedule="worse", epochs=6), tmp_path)
    assert [h["lr"] for h in result.history] == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05, 0.025])


def test_patience_stops_after_that_many_epochs_without_a_new_best(tmp_path):
    result = fit(problem(Scripted(score=[3, 2, 2.5, 2.6, 2.7, 1.0])), settings(patience=3), tmp_path)
    assert (result.stop_reason, result.epochs_run, result.best_epoch, result.best_value) == ("patience", 5, 1, 2)
    assert result.summary() == {"best_epoch": 1, "epochs_run": 5, "stop_reason": "patience"}


def test_the_epoch_cap_is_a_stop_reason(tmp_path):
    result = fit(problem(Scripted(score=[5, 4, 3, 2])), settings(epochs=3), tmp_path)
    assert (result.stop_reason, result.epochs_run, result.best_epoch) == ("cap", 3, 2)


def test_the_time_budget_stops_the_fit(tmp_path):
    result = fit(problem(Scripted(score=[5, 4, 3, 2])), settings(budget_s=1e-9), tmp_path)
    assert (result.stop_reason, result.epochs_run) == ("budget", 1)
    # a larger budget on the same checkpoint goes on; a finished fit then trains nothing
    more = fit(problem(Scripted(score=[4, 3, 2, 1])), settings(epochs=3, budget_s=1e6), tmp_path)
    assert (more.stop_reason, more.epochs_run, more.resumed_from, len(more.history)) == ("cap", 3, 0, 2)
    assert fit(problem(Scripted(score=[1])), settings(epochs=3, budget_s=1e6), tmp_path).history == []


def test_a_task_metric_in_mode_max_is_the_monitor(tmp_path):
    # val_loss keeps falling; only the F1 decides
    result = fit(problem(Scripted(f1_at_1=[0.1, 0.3, 0.2, 0.25, 0.28, 0.9])),
                 settings(monitor="f1_at_1", mode="max", patience=3, lr=0.01), tmp_path)
    assert (result.best_epoch, result.best_value, result.stop_reason) == (1, 0.3, "patience")
    assert result.epochs_run == 5


def test_an_unknown_monitor_names_the_metrics_there_are(tmp_path):
    with pytest.raises(KeyError, match="f1_at_1.*val_loss"):
        fit(problem(), settings(monitor="f1_at_1"), tmp_path)


def test_resume_in_the_middle_of_the_schedule_equals_an_uninterrupted_fit(tmp_path):
    values = [5, 4, 4.5, 3.9, 4.0, 4.1, 3.0, 3.5]
    s = dict(lr_schedule="plateau", lr=0.05, epochs=8)
    whole = fit(problem(Scripted(score=values)), settings(**s), tmp_path / "whole")
    split_problem = problem(Scripted(score=values))  # one counter through both calls
    first = fit(split_problem, settings(**{**s, "epochs": 3}), tmp_path / "split")
    assert first.stop_reason == "cap" and first.history[-1]["lr"] == pytest.approx(0.05)
    second = fit(split_problem, settings(**s), tmp_path / "split")
    assert second.resumed_from == 2
    strip = lambda hs: [{k: v for k, v in h.items() if k != "epoch_seconds"} for h in hs]  # noqa: E731
    assert strip(first.history + second.history) == strip(whole.history)
    assert [h["lr"] for h in whole.history] == pytest.approx([0.05] * 3 + [0.025] * 2 + [0.0125] + [0.00625] * 2)
    for a, b in zip(whole.model.state_dict().values(), second.model.state_dict().values(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert (second.stop_reason, second.epochs_run, second.best_epoch) == (whole.stop_reason, 8, 6)


class Sink:
    def __init__(self) -> None:
        self.metrics, self.tags = [], {}

    def log_metrics(self, metrics, step=None):
        self.metrics.append((dict(metrics), step))

    def set_tags(self, tags):
        self.tags.update(tags)


def test_the_sink_gets_best_epoch_epochs_run_and_the_stop_code(tmp_path):
    sink = Sink()
    fit(problem(Scripted(score=[3, 2, 2.5, 2.6, 2.7])), settings(patience=3), tmp_path, sink=sink)
    assert [step for _, step in sink.metrics[:5]] == [0, 1, 2, 3, 4]
    assert "lr" in sink.metrics[0][0]
    assert sink.metrics[-1] == ({"best_epoch": 1, "epochs_run": 5, "stop_code": STOP_REASONS["patience"]}, None)
    assert sink.tags == {"emojitags.stop_reason": "patience"}


@pytest.mark.parametrize("key, value", [
    ("patience", 0), ("patience", -1), ("epochs", 0), ("batch_size", 0), ("lr_patience", 0),
    ("lr", 0.0), ("lr", -1e-3), ("lr", math.nan), ("lr", math.inf),
    ("lr_floor", 0.0), ("lr_floor", math.nan), ("lr_floor", 1e-3), ("lr_floor", 1.0),
    ("budget_s", 0.0), ("budget_s", -5.0), ("budget_s", math.nan),
    ("lr_factor", 0.0), ("lr_factor", 1.0), ("lr_factor", 1.5), ("lr_factor", math.nan),
    ("lr_schedule", "cosine"), ("precision", "fp16"), ("mode", "maximum"), ("optimizer", "lbfgs"),
])
def test_fit_settings_refuse_nonsense_naming_the_key(key, value):
    with pytest.raises(ValueError, match=rf"^FitSettings\.{key}=.*expected") as err:
        FitSettings(**{key: value})
    assert "\n" not in str(err.value)


def test_fit_settings_defaults_are_valid_and_keep_patience_three():
    s = FitSettings()
    assert (s.patience, s.lr_schedule, s.precision, s.bucket_by, s.budget_s) == (3, "constant", "fp32", None, None)


def test_the_caption_counts_the_fits_by_how_they_ended_and_flags_a_cap():
    frame = pd.DataFrame({"stop_code": [STOP_REASONS["patience"]] * 3 + [STOP_REASONS["cap"], None],
                          "encoder.stop_code": [STOP_REASONS["lr_floor"], None, None, None, None]})
    caption = _stops(frame)
    assert "Training: 5 fits, 3 ended by patience" in caption and "1 ended by cap" in caption
    assert "1 ended by lr_floor" in caption and "1 stopped at their epoch cap or time budget (not converged)" in caption
    converged = _stops(frame.assign(stop_code=[STOP_REASONS["patience"]] * 4 + [None]))
    assert "0 stopped at their epoch cap" in converged and "not converged" not in converged
    assert _stops(pd.DataFrame({"f1_at_1": [0.1]})) == ""

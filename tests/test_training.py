"""The training loop: in-process vs Ray Train DDP, and resume from a checkpoint. (A Ray Train worker
killed mid-epoch is tested on the real pretraining job, in test_deepmoji.py.)"""

from __future__ import annotations

import functools
import threading

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from components.classifiers.dialogue import SequenceLSTM
from components.training import FitProblem, FitSettings
from orchestration.train import fit


def _loss(model, batch):
    return F.cross_entropy(model(batch["tokens"], batch["lengths"]), batch["label"])


def _evaluate(model, arrays):
    with torch.no_grad():
        logits = model(torch.as_tensor(arrays["tokens"]), torch.as_tensor(arrays["lengths"]))
        label = torch.as_tensor(arrays["label"])
        return {"val_loss": F.cross_entropy(logits, label).item(),
                "val_acc": (logits.argmax(1) == label).float().mean().item()}


def toy_problem(n=240, vocab=60, length=12, classes=4, seed=0) -> FitProblem:
    """Sequences whose label is the most frequent of four marker tokens: learnable by an LSTM."""
    rng = np.random.default_rng(seed)
    tokens = rng.integers(5, vocab, size=(n, length))
    label = rng.integers(0, classes, size=n)
    for i in range(n):
        tokens[i, rng.choice(length, 4, replace=False)] = 1 + label[i]
    lengths = np.full(n, length)
    arrays = {"tokens": tokens, "lengths": lengths, "label": label}
    cut = int(n * 0.8)
    return FitProblem(functools.partial(SequenceLSTM, vocab, classes, 16, 0.0),
                      {k: v[:cut] for k, v in arrays.items()}, {k: v[cut:] for k, v in arrays.items()},
                      _loss, _evaluate)


SETTINGS = FitSettings(epochs=4, batch_size=32, lr=0.01, optimizer="adam", patience=10, seed=3)


def test_in_process_fit_learns_and_keeps_the_best_epoch(tmp_path):
    result = fit(toy_problem(), SETTINGS, tmp_path / "ckpt")
    losses = [h["val_loss"] for h in result.history]
    assert len(losses) == 4 and losses[-1] < losses[0]
    assert result.best_epoch == int(np.argmin(losses))
    assert sorted(p.name for p in (tmp_path / "ckpt").iterdir()) == ["best.pt", "epoch_0002", "epoch_0003"]


def test_refit_on_a_finished_run_trains_nothing_and_returns_the_same_model(tmp_path):
    first = fit(toy_problem(), SETTINGS, tmp_path / "ckpt")
    again = fit(toy_problem(), SETTINGS, tmp_path / "ckpt")
    assert again.history == [] and again.resumed_from == 3
    for a, b in zip(first.model.state_dict().values(), again.model.state_dict().values(), strict=True):
        assert torch.equal(a, b)


def test_resumed_run_equals_uninterrupted_run(tmp_path):
    """fairseq-style: stop after epoch 1, resume from its checkpoint, compare with one go."""
    whole = fit(toy_problem(), SETTINGS, tmp_path / "whole")
    fit(toy_problem(), FitSettings(**{**SETTINGS.__dict__, "epochs": 2}), tmp_path / "split")
    resumed = fit(toy_problem(), SETTINGS, tmp_path / "split")
    assert resumed.resumed_from == 1
    assert [h["val_loss"] for h in resumed.history] == [h["val_loss"] for h in whole.history[2:]]
    for a, b in zip(whole.model.state_dict().values(), resumed.model.state_dict().values(), strict=True):
        assert torch.equal(a, b)


@pytest.mark.slow
def test_torchtrainer_with_two_workers_matches_in_process(tmp_path, ray_session):
    local = fit(toy_problem(), SETTINGS, tmp_path / "local")
    ddp = fit(toy_problem(), SETTINGS, tmp_path / "ddp", workers=2, storage_path=str(tmp_path / "ray"))
    local_losses = [h["val_loss"] for h in local.history]
    ddp_losses = [h["val_loss"] for h in ddp.history]
    assert len(ddp_losses) == len(local_losses) == 4
    # Same global batches and an exactly averaged gradient: only float summation order differs.
    np.testing.assert_allclose(ddp_losses, local_losses, rtol=1e-4, atol=1e-5)
    assert _evaluate(ddp.model, toy_problem().val)["val_acc"] == pytest.approx(
        _evaluate(local.model, toy_problem().val)["val_acc"], abs=1e-6)


def test_fault_injection_acts_once_at_its_rank_and_epoch(tmp_path, monkeypatch):
    from orchestration.train import FAULT_ENV, _maybe_inject_fault

    marker = tmp_path / "paused"
    monkeypatch.setenv(FAULT_ENV, f"1:2:{marker}:pause=0.01")
    _maybe_inject_fault(0, 2)
    _maybe_inject_fault(1, 1)
    assert not marker.exists()  # another rank, another epoch: nothing
    _maybe_inject_fault(1, 2)
    assert marker.read_text() == "pause=0.01"
    waiting = tmp_path / "waiting"
    monkeypatch.setenv(FAULT_ENV, f"0:0:{waiting}:wait")
    threading.Timer(0.3, waiting.write_text, ("go",)).start()  # what the test that waits does
    _maybe_inject_fault(0, 0)
    assert waiting.read_text() == "go"
    monkeypatch.setenv(FAULT_ENV, f"0:0:{tmp_path / 'other'}:explode")
    with pytest.raises(ValueError, match="unknown action 'explode'"):
        _maybe_inject_fault(0, 0)

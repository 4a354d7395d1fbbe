"""DeepMoji's fine-tuning protocol without Ray: the length rule, per-epoch draws, one binary model
per class and its F1, the floors, and a class-averaged cell trained end to end at toy size."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch

from components.emoji_encoder import DeepMojiEncoder, EmojiEncoderConfig
from components.training.loop import epoch_batches
from experiments.deepmoji.finetune_protocol import (
    EpochSampler,
    SampledLoss,
    all_positive_f1,
    deepmoji_max_len,
    majority_accuracy,
    one_vs_rest,
    per_class_f1,
    validation_weights,
)
from experiments.deepmoji.transfer_task import TransferConfig, _evaluate, run_cell
from orchestration.spec import SpecError
from orchestration.train import fit


def _words(n: int) -> str:
    return " ".join(["w"] * n)


def test_max_len_is_the_80th_length_percentile_rounded_up_to_ten_without_a_cap():
    # np.percentile([5, 12, 23, 31, 45], 80) = 31 + 0.2 * 14 = 33.8 -> 40
    assert deepmoji_max_len([_words(n) for n in (5, 12, 23, 31, 45)], str.split) == 40
    assert deepmoji_max_len([_words(30)] * 5, str.split) == 30      # a multiple of 10 stays
    assert deepmoji_max_len([_words(n) for n in (140, 150, 160)], str.split) == 160  # no cap at 40 or 100
    assert deepmoji_max_len(["", "", ""], str.split) == 10


def _epoch_draws(sampler: EpochSampler, epoch_size: int, batch: int, seed: int, epoch: int) -> np.ndarray:
    """The pool indices one epoch trains on, batch by batch as the engine hands out the slots."""
    return np.concatenate([sampler.draw(idx) for idx, _ in epoch_batches(epoch_size, batch, seed, epoch)])


def test_each_epoch_is_a_fresh_seeded_draw_with_replacement():
    pool = {"tokens": np.arange(10)[:, None], "label": np.arange(10) % 2}
    sampler = EpochSampler(pool, key=(0, 0, 0))
    first, second = (_epoch_draws(sampler, 1000, 50, seed=0, epoch=e) for e in (0, 1))
    assert len(first) == 1000 and first.min() >= 0 and first.max() <= 9
    assert set(first) == set(range(10)) and np.bincount(first).min() > 50  # with replacement, about uniform
    assert not np.array_equal(np.sort(first), np.sort(second))            # another draw, not a reshuffle
    assert np.array_equal(first, _epoch_draws(EpochSampler(pool, key=(0, 0, 0)), 1000, 50, 0, 0))  # seeded
    other_fit = _epoch_draws(EpochSampler(pool, key=(0, 0, 1)), 1000, 50, 0, 0)
    assert not np.array_equal(first, other_fit)                           # each chain-thaw step its own
    # the loss sees the drawn rows themselves
    slots = torch.arange(5)
    batch = sampler.batch({"slot": slots})
    assert batch["tokens"][:, 0].tolist() == sampler.draw(slots.numpy()).tolist()
    assert torch.equal(batch["label"], batch["tokens"][:, 0] % 2)
    seen = []
    SampledLoss(lambda model, b: seen.append(b) or torch.zeros(()), sampler)(None, {"slot": slots})
    assert torch.equal(seen[0]["tokens"], batch["tokens"])


def test_validation_weights_count_a_seeded_resample():
    w = validation_weights(50, 5000, seed=3)
    assert w.shape == (50,) and w.sum() == 5000 and (w > 0).all()
    assert np.array_equal(w, validation_weights(50, 5000, seed=3))
    assert not np.array_equal(w, validation_weights(50, 5000, seed=4))


def test_a_weighted_validation_loss_is_the_loss_over_the_repeated_examples():
    torch.manual_seed(0)
    model = DeepMojiEncoder(EmojiEncoderConfig(vocab_size=20, embed_dim=4, hidden=4, n_classes=1)).eval()
    tokens = np.array([[5, 6, 0], [7, 0, 0], [8, 9, 10]])
    lengths, label = np.array([2, 1, 3]), np.array([1, 0, 1])
    weighted = _evaluate(model, {"tokens": tokens, "lengths": lengths, "label": label,
                                 "weight": np.array([2.0, 0.0, 1.0], np.float32)})
    rows = [0, 0, 2]
    repeated = _evaluate(model, {"tokens": tokens[rows], "lengths": lengths[rows], "label": label[rows]})
    assert weighted["val_loss"] == pytest.approx(repeated["val_loss"])
    assert weighted["val_loss"] != pytest.approx(_evaluate(model, {"tokens": tokens, "lengths": lengths,
                                                                    "label": label})["val_loss"])


def test_one_binary_model_per_class_and_their_f1_averaged():
    labels = np.array([0, 1, 2, 2, 1, 0])
    targets = one_vs_rest(labels, "multiclass", 3)
    assert targets.tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1], [0, 1, 0], [1, 0, 0]]
    assert one_vs_rest(np.array([1, 0, 1]), "binary", 2).tolist() == [[1], [0], [1]]
    multi = np.array([[1, 1], [0, 0]])
    assert one_vs_rest(multi, "multilabel", 2).tolist() == multi.tolist()
    # Three made-up models. Validation picks each one's threshold on DeepMoji's grid, the lowest
    # that separates: class 0 at any cut below 0.40 (0.01), class 1 from 0.30, class 2 from 0.20.
    val_p = np.array([[0.40, 0.10, 0.00], [0.00, 0.45, 0.20], [0.00, 0.30, 0.25]])
    val_t = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    test_p = np.array([[0.30, 0.20, 0.00], [0.02, 0.40, 0.30], [0.00, 0.32, 0.24], [0.50, 0.00, 0.10]])
    test_t = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1]])
    f1, thresholds = per_class_f1(val_p, val_t, test_p, test_t)
    assert thresholds == pytest.approx([0.01, 0.30, 0.20])
    # class 0: predicts rows 0, 1, 3 (> 0.01), one right: 2*1/(3+1) = 0.5
    # class 1: predicts rows 1, 2 (> 0.30), one right: 2*1/(2+1) = 2/3
    # class 2: predicts rows 1, 2 (> 0.20), one of the two positives: 2*1/(2+2) = 0.5
    assert f1 == pytest.approx([0.5, 2 / 3, 0.5])


def test_floors_on_made_up_labels():
    assert majority_accuracy(np.array([0, 0, 1]), np.array([0, 1, 1, 1])) == pytest.approx(0.25)
    assert majority_accuracy(np.array([1, 1, 0]), np.array([0, 1, 1, 1])) == pytest.approx(0.75)
    # all positive: per class 2p/(1+p), p the test share of positives: 1/4 -> 0.4, 2/4 -> 2/3
    test_t = one_vs_rest(np.array([0, 1, 1, 2]), "multiclass", 3)[:, :2]
    assert all_positive_f1(test_t) == pytest.approx((0.4 + 2 / 3) / 2)
    assert all_positive_f1(np.array([[1], [0], [0], [0], [0]])) == pytest.approx(2 * 0.2 / 1.2)


class _Ctx:
    """What run_cell asks of a cell context, fitting in-process and naming each fit."""

    seed = 0

    def __init__(self, work_dir: Path):
        self.work_dir, self.fits = work_dir, []

    def with_metric_prefix(self, prefix: str) -> _Ctx:
        return self

    def fit(self, problem, settings, name="model"):
        self.fits.append((name, problem.n_train, set(problem.val)))
        return fit(problem, settings, self.work_dir / "checkpoints" / name)


def test_a_class_averaged_cell_trains_one_binary_model_per_class(tmp_path):
    cfg = dataclasses.replace(
        TransferConfig(benchmark="PsychExp", mode="new", vocabulary="benchmark", max_train=40, max_val=30,
                       max_test=50, max_len=12, benchmark_vocab_size=200, epoch_size=24, batch_size=8,
                       epochs=1, patience=1))
    cfg = dataclasses.replace(cfg, pretrain=dataclasses.replace(cfg.pretrain, embed_dim=4, hidden=4))
    ctx = _Ctx(tmp_path)
    metrics = run_cell(cfg, ctx)
    assert [name for name, _, _ in ctx.fits] == [f"class{c}.step0" for c in range(7)]
    assert {n for _, n, _ in ctx.fits} == {24}                         # each epoch: 24 drawn examples
    assert all("weight" in val for _, _, val in ctx.fits)              # early stopping on the resample
    per_class = [metrics[f"class{c}.f1"] for c in range(7)]
    assert metrics["n_models"] == 7 and metrics["f1"] == pytest.approx(np.mean(per_class))
    assert metrics["score"] == metrics["f1"] and "accuracy" not in metrics
    assert 0 < metrics["floor_score"] < 0.5 and metrics["epochs_total"] == 7 and metrics["fits_capped"] == 7
    floor = run_cell(dataclasses.replace(cfg, mode="floor", vocabulary="pretrained"), _Ctx(tmp_path))
    assert floor["score"] == floor["floor_score"] == metrics["floor_score"]


def test_a_bad_mode_names_the_field():
    with pytest.raises(SpecError, match=r"^mode='thaw': expected one of last, full, new, chain-thaw, floor$"):
        run_cell(TransferConfig(mode="thaw"), None)
    with pytest.raises(SpecError, match="vocabulary=benchmark .* needs mode=new, got mode='floor'"):
        run_cell(TransferConfig(mode="floor", vocabulary="benchmark"), None)

"""The training loop's speed levers: length-bucketed batches (same examples every epoch,
deterministic, the same global batches on every DDP rank), trimming padded columns, bf16
autocast (equal to fp32 within a tolerance, or a clean fp32 fallback), and the seq2seq loss that
projects onto the vocabulary at real target positions only (equal to the full computation)."""

from __future__ import annotations

import functools
import logging

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from components.generators import BOS_ID, EOS_ID, PAD_ID, Seq2Seq, Seq2SeqConfig, seq2seq_loss
from components.training import FitProblem, FitSettings, epoch_batches, loop
from components.training.loop import epoch_order, lengths_of, resolve_precision, to_batch
from orchestration.train import fit


def lengths(n=1000, seed=0):
    return np.random.default_rng(seed).integers(1, 31, n)


@pytest.mark.parametrize("n, batch, window", [(1000, 64, 50), (1000, 64, 3), (37, 8, 2), (5, 64, 50)])
def test_bucketed_epochs_feed_each_example_exactly_once(n, batch, window):
    lens = lengths(n)
    for epoch in range(3):
        batches = epoch_order(n, batch, seed=4, epoch=epoch, lengths=lens, window=window)
        assert np.array_equal(np.sort(np.concatenate(batches)), np.arange(n))
        assert all(1 <= len(b) <= batch for b in batches)
        assert sum(len(b) < batch for b in batches) <= -(-n // (batch * window))  # one short batch per window


def test_bucketing_is_deterministic_by_seed_and_epoch_and_groups_lengths():
    lens = lengths()
    a = epoch_order(1000, 64, 4, 0, lens)
    assert all(np.array_equal(x, y) for x, y in zip(a, epoch_order(1000, 64, 4, 0, lens), strict=True))
    assert not np.array_equal(np.concatenate(a), np.concatenate(epoch_order(1000, 64, 4, 1, lens)))
    assert not np.array_equal(np.concatenate(a), np.concatenate(epoch_order(1000, 64, 5, 0, lens)))
    spread = lambda bs: np.mean([np.ptp(lens[b]) for b in bs])  # noqa: E731
    assert spread(a) < 0.2 * spread(epoch_order(1000, 64, 4, 0))  # sorted windows: tight buckets


@pytest.mark.parametrize("world", [2, 3])
def test_bucketed_batches_are_the_same_global_batches_on_every_rank(world):
    lens = lengths(203)
    global_batches = [b for b in epoch_order(203, 16, 7, 2, lens, 4) if len(b) >= world]
    shards = [list(epoch_batches(203, 16, 7, 2, rank, world, lens, 4)) for rank in range(world)]
    assert all(len(s) == len(global_batches) for s in shards)
    for i, g in enumerate(global_batches):
        assert {len(g)} == {shards[r][i][1] for r in range(world)}
        assert np.array_equal(np.sort(np.concatenate([shards[r][i][0] for r in range(world)])), np.sort(g))


def test_without_bucketing_the_batches_are_the_old_permutation():
    order = np.random.default_rng([3, 1]).permutation(100)
    assert np.array_equal(np.concatenate([i for i, _ in epoch_batches(100, 32, 3, 1)]), order)


def test_lengths_of_a_padded_array_and_trimming():
    tokens = np.array([[5, 6, 0, 0, 0], [7, 0, 0, 0, 0], [8, 9, 4, 0, 0]])
    assert lengths_of(tokens).tolist() == [2, 1, 3]
    assert lengths_of(np.array([3, 1])).tolist() == [3, 1]
    batch = to_batch({"tokens": tokens, "n": np.array([2, 1, 3])}, np.array([0, 1]), torch.device("cpu"),
                     trim=("tokens",))
    assert batch["tokens"].tolist() == [[5, 6], [7, 0]] and batch["n"].tolist() == [2, 1]
    assert to_batch({"tokens": tokens}, np.array([0, 1]), torch.device("cpu"))["tokens"].shape == (2, 5)


# --- seq2seq --------------------------------------------------------------------------------

V = 50


def seq2seq_data(n, seed, src_len=12, tgt_len=7):
    rng = np.random.default_rng(seed)
    s_len = rng.integers(1, src_len + 1, n)
    src = rng.integers(4, V, (n, src_len)) * (np.arange(src_len) < s_len[:, None])
    words = rng.integers(1, tgt_len - 1, n)
    tgt = np.zeros((n, tgt_len), dtype=np.int64)
    tgt[:, 0] = BOS_ID
    for i, w in enumerate(words):
        tgt[i, 1:w + 1] = rng.integers(4, V, w)
        tgt[i, w + 1] = EOS_ID
    conv_len = rng.integers(0, 6, n)
    conv = rng.integers(4, V, (n, 6)) * (np.arange(6) < conv_len[:, None])
    return {"src": src, "src_len": s_len, "tgt": tgt, "conv": conv, "conv_len": conv_len}


def full_loss(model, batch):
    """The computation seq2seq_loss did before: every (padded) position projected."""
    tgt = batch["tgt"]
    logp = model(batch["src"], batch["src_len"], tgt[:, :-1], fused=batch.get("fused"),
                 conv=batch.get("conv"), conv_len=batch.get("conv_len"))
    return F.nll_loss(logp.reshape(-1, logp.size(-1)), tgt[:, 1:].reshape(-1), ignore_index=PAD_ID)


@pytest.mark.parametrize("kw", [{}, {"copy": True}, {"fusion_dim": 6}, {"conversation": True},
                                {"input_feed": False}, {"share_embeddings": False}])
@pytest.mark.parametrize("train_mode", [False, True])
def test_masked_projection_loss_equals_the_full_loss(kw, train_mode):
    torch.manual_seed(0)
    model = Seq2Seq(Seq2SeqConfig(V, V, **{"embed_dim": 8, "hidden": 8, "share_embeddings": True,
                                          "dropout": 0.3, **kw}))
    model.train(train_mode)
    arrays = seq2seq_data(16, 1)
    batch = {k: torch.as_tensor(v) for k, v in arrays.items()}
    if not model.cfg.conversation:
        batch = {k: v for k, v in batch.items() if k not in ("conv", "conv_len")}
    if model.cfg.fusion_dim:
        batch["fused"] = torch.randn(16, 6)
    torch.manual_seed(5)  # dropout draws the same masks in both
    new = seq2seq_loss(model, batch)
    new.backward()
    new_grads = [p.grad.clone() for p in model.parameters() if p.grad is not None]
    model.zero_grad()
    torch.manual_seed(5)
    old = full_loss(model, batch)
    old.backward()
    old_grads = [p.grad.clone() for p in model.parameters() if p.grad is not None]
    assert abs(new.detach().item() - old.detach().item()) <= 1e-5
    assert len(new_grads) == len(old_grads)
    for a, b in zip(new_grads, old_grads, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)


def test_trimming_seq2seq_arrays_leaves_the_loss_unchanged():
    torch.manual_seed(0)
    model = Seq2Seq(Seq2SeqConfig(V, V, embed_dim=8, hidden=8, share_embeddings=True)).eval()
    arrays = {k: v for k, v in seq2seq_data(40, 2).items() if k in ("src", "src_len", "tgt")}
    idx = np.argsort(lengths_of(arrays["tgt"]))[:10]  # the shortest hashtags: tgt columns to cut
    cut = to_batch(arrays, idx, torch.device("cpu"), trim=("src", "tgt"))
    assert cut["tgt"].shape[1] < arrays["tgt"].shape[1]
    whole = to_batch(arrays, idx, torch.device("cpu"))
    with torch.no_grad():
        assert abs(float(seq2seq_loss(model, cut)) - float(seq2seq_loss(model, whole))) <= 1e-6


def seq2seq_problem():
    def evaluate(model, arrays):
        dev = next(model.parameters()).device
        with torch.no_grad():
            batch = {k: torch.as_tensor(v).to(dev) for k, v in arrays.items()}
            return {"val_loss": float(seq2seq_loss(model, batch))}
    keep = ("src", "src_len", "tgt")
    cfg = Seq2SeqConfig(V, V, embed_dim=16, hidden=16, share_embeddings=True, dropout=0.0, enc_layers=1)
    return FitProblem(functools.partial(Seq2Seq, cfg),
                      {k: v for k, v in seq2seq_data(128, 3).items() if k in keep},
                      {k: v for k, v in seq2seq_data(32, 4).items() if k in keep}, seq2seq_loss, evaluate)


BASE = dict(epochs=2, batch_size=32, lr=3e-3, patience=5, seed=2)


def test_a_bucketed_trimmed_fit_learns(tmp_path):
    result = fit(seq2seq_problem(), FitSettings(**BASE, bucket_by="tgt", trim=("src", "tgt")), tmp_path)
    losses = [h["val_loss"] for h in result.history]
    assert len(losses) == 2 and losses[-1] < losses[0]


def test_bf16_where_unsupported_falls_back_to_exactly_fp32(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(loop, "bf16_supported", lambda device: False)
    monkeypatch.setattr(loop, "_PRECISION_LOGGED", set())
    with caplog.at_level(logging.WARNING, logger="emojitags.train"):
        assert resolve_precision("bf16", torch.device("cpu")) == "fp32"
        assert resolve_precision("bf16", torch.device("cpu")) == "fp32"
        assert resolve_precision("auto", torch.device("cpu")) == "fp32"
    assert sum("not supported" in r.message for r in caplog.records) == 1  # logged once
    fp32 = fit(seq2seq_problem(), FitSettings(**BASE), tmp_path / "fp32")
    bf16 = fit(seq2seq_problem(), FitSettings(**BASE, precision="bf16"), tmp_path / "bf16")
    assert [h["val_loss"] for h in bf16.history] == [h["val_loss"] for h in fp32.history]


def test_fp32_never_asks_for_bf16():
    assert resolve_precision("fp32", torch.device("cuda")) == "fp32"


# Tolerance: bf16 keeps 8 bits of mantissa (~0.4% per op); after 2 epochs on this task the
# validation loss (~3.5-3.9 nats) stays within 2% of fp32's, and the master weights stay fp32.
BF16_REL_TOL = 0.02


@pytest.mark.parametrize("device", ["cpu", "cuda", "cpu-emulated"])
def test_bf16_training_matches_fp32_within_tolerance(tmp_path, device, monkeypatch):
    if device == "cpu-emulated":  # torch's CPU autocast runs without AVX512-BF16 too, only slower
        monkeypatch.setattr(loop, "bf16_supported", lambda d: d.type == "cpu")
        device = "cpu"
    dev = torch.device(device)
    if device == "cuda" and not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    if not loop.bf16_supported(dev):
        pytest.skip(f"bf16 autocast is not supported natively on {device}")
    use_gpu = device == "cuda"
    fp32 = fit(seq2seq_problem(), FitSettings(**BASE), tmp_path / "fp32", use_gpu=use_gpu)
    bf16 = fit(seq2seq_problem(), FitSettings(**BASE, precision="bf16"), tmp_path / "bf16", use_gpu=use_gpu)
    assert all(p.dtype == torch.float32 for p in bf16.model.parameters())  # fp32 master weights
    for a, b in zip(fp32.history, bf16.history, strict=True):
        assert b["val_loss"] == pytest.approx(a["val_loss"], rel=BF16_REL_TOL)
    assert bf16.history[-1]["val_loss"] < bf16.history[0]["val_loss"]

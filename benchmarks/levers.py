"""The training loop's speed levers, one at a time and together, on two generators' training step.

    python -m benchmarks levers        # about ten minutes on a quiet machine

Models, at the `cpu` dims of the hashtag generators (embeddings and GRUs of 64, two encoder
layers, shared embeddings, dropout 0.1): "seq2seq" (the headline's and Weibo's SEQ2SEQ) and
"dual" (the Weibo paper's OUR MODEL: post and conversation encoders, bi-attention, merge layer).
Vocabularies of 10k and 40k, batch 64, posts of 5-30 tokens padded to 30, conversations (dual
only) of 1-100 tokens padded to 100, hashtags of 1-3 words (mostly 2) + `<eos>` padded to 9
columns, one thread. Variants:

- fp32: the loop as it was (every padded target position projected onto the vocabulary);
- bf16: the same under bf16 autocast (fp32 master weights);
- bucketing: batches bucketed by input length (post; post + conversation for dual), padded
  columns of src, conv and tgt trimmed per batch;
- masked projection: `seq2seq_loss`, projecting only real target positions;
- bucketing + masked: the two fp32 levers together;
- all: the three together.

Per-step time is the median over `steps` timed steps (after a warm-up step) of each variant, in
`rounds` rounds, each round in a rotated order (`rotated`); a variant's figure is the median of its
rounds' fp32 / variant ratios (> 1: faster). Quality: from the same initial weights, each variant
trains on the same number of examples (`quality_steps` batches), then every model's validation
loss is computed the same way (fp32, full projection); the figure is the relative difference to
fp32's, with the goal of staying within 1%. On a CPU without AVX512-BF16/AMX, bf16 autocast is
emulated: it is measured anyway, with `bf16 native` saying which case the figure is.
"""

from __future__ import annotations

import time

import numpy as np
import torch
import torch.nn.functional as F

from benchmarks.common import rotated, write_result
from components.generators.config import BOS_ID, EOS_ID, PAD_ID, Seq2SeqConfig
from components.generators.seq2seq import Seq2Seq, seq2seq_loss
from components.training.loop import autocast, bf16_supported, epoch_batches, lengths_of, to_batch

SRC_LEN, CONV_LEN, TGT_LEN, BATCH = 30, 100, 9, 64
CPU = torch.device("cpu")


def synthetic(n: int, vocab: int, seed: int) -> dict[str, np.ndarray]:
    """Posts of uniform length 5-30; hashtags of 1-3 Zipf-distributed words (mostly 2) + <eos>,
    each word also appearing in its post (so there is something to learn)."""
    rng = np.random.default_rng(seed)
    src_len = rng.integers(5, SRC_LEN + 1, n)
    src = np.minimum(rng.zipf(1.3, (n, SRC_LEN)) + 3, vocab - 1)
    src[np.arange(SRC_LEN)[None, :] >= src_len[:, None]] = PAD_ID
    words = rng.choice([1, 2, 3], n, p=[0.25, 0.5, 0.25])
    tgt = np.full((n, TGT_LEN), PAD_ID)
    tgt[:, 0] = BOS_ID
    for i, w in enumerate(words):
        tgt[i, 1:w + 1] = src[i, rng.integers(0, src_len[i], w)]
        tgt[i, w + 1] = EOS_ID
    conv_len = rng.integers(1, CONV_LEN + 1, n)
    conv = np.minimum(rng.zipf(1.3, (n, CONV_LEN)) + 3, vocab - 1)
    conv[np.arange(CONV_LEN)[None, :] >= conv_len[:, None]] = PAD_ID
    return {"src": src, "src_len": src_len, "conv": conv, "conv_len": conv_len, "tgt": tgt}


def build(vocab: int, model: str = "seq2seq") -> Seq2Seq:
    torch.manual_seed(0)
    dual = model == "dual"
    return Seq2Seq(Seq2SeqConfig(src_vocab=vocab, tgt_vocab=vocab, share_embeddings=True, embed_dim=64,
                                 hidden=64, enc_layers=2, dropout=0.1, conversation=dual, bi_attention=dual))


def inputs(arrays: dict, model: str) -> dict:
    """The arrays the model reads: a conversation only for dual."""
    keep = ("src", "src_len", "tgt") + (("conv", "conv_len") if model == "dual" else ())
    return {k: arrays[k] for k in keep}


def full_loss(model, batch) -> torch.Tensor:
    """seq2seq_loss as it was: log-probs at every (padded) target position, then ignore_index."""
    tgt = batch["tgt"]
    logp = model(batch["src"], batch["src_len"], tgt[:, :-1], conv=batch.get("conv"), conv_len=batch.get("conv_len"))
    return F.nll_loss(logp.reshape(-1, logp.size(-1)).float(), tgt[:, 1:].reshape(-1), ignore_index=PAD_ID)


VARIANTS = {  # name: (precision, bucketed + trimmed, masked projection)
    "fp32": ("fp32", False, False),
    "bf16": ("bf16", False, False),
    "bucketing": ("fp32", True, False),
    "masked projection": ("fp32", False, True),
    "bucketing + masked": ("fp32", True, True),
    "all": ("bf16", True, True),
}


def batches(arrays: dict, variant: str, count: int, seed: int = 0) -> list[dict]:
    _, bucket, _ = VARIANTS[variant]
    dual = "conv" in arrays
    lengths = None
    if bucket:
        lengths = lengths_of(arrays["src_len"]) + (lengths_of(arrays["conv_len"]) if dual else 0)
    trim = ("src", "conv", "tgt") if bucket else ()
    out = []
    for idx, _ in epoch_batches(len(arrays["src"]), BATCH, seed, 0, lengths=lengths):
        if len(idx) == BATCH:
            out.append(to_batch(arrays, idx, CPU, trim))
        if len(out) == count:
            break
    return out


def train_steps(model, opt, variant: str, data: list[dict]) -> list[float]:
    """Train on `data`; each step's seconds."""
    precision, _, masked = VARIANTS[variant]
    loss_fn = seq2seq_loss if masked else full_loss
    model.train()
    times = []
    for batch in data:
        start = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        with autocast(precision, CPU):
            loss = loss_fn(model, batch)
        loss.float().backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        times.append(time.perf_counter() - start)
    return times


def val_loss(model, arrays: dict) -> float:
    model.eval()
    with torch.no_grad():
        total = 0.0
        for i in range(0, len(arrays["src"]), 256):
            batch = {k: torch.as_tensor(v[i:i + 256]) for k, v in arrays.items()}
            total += float(full_loss(model, batch)) * len(batch["src"])
    return total / len(arrays["src"])


def time_variants(model_name: str, vocab: int, names: list[str], steps: int, rounds: int) -> dict[str, list[float]]:
    """Each variant's median seconds per step, one figure per round (rounds rotate the order)."""
    arrays = inputs(synthetic(BATCH * (steps + 2) * 4, vocab, 0), model_name)
    data = {name: batches(arrays, name, steps + 1) for name in names}
    per_step: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        for name in rotated(names, r):
            model = build(vocab, model_name)
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            seconds = float(np.median(train_steps(model, opt, name, data[name])[1:]))  # step 0 warms up
            per_step[name].append(seconds)
            print(f"{model_name} vocab {vocab} round {r}: {name}: {seconds * 1000:.0f} ms/step", flush=True)
    return per_step


def quality(model_name: str, vocab: int, steps: int) -> dict[str, float]:
    """Each variant's validation loss (fp32, full projection) after the same `steps` batches."""
    train = inputs(synthetic(BATCH * steps * 2, vocab, 1), model_name)
    val = inputs(synthetic(1024, vocab, 2), model_name)
    losses = {"initial": val_loss(build(vocab, model_name), val)}
    for name in VARIANTS:
        model = build(vocab, model_name)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        torch.manual_seed(1)
        train_steps(model, opt, name, batches(train, name, steps, seed=3))
        losses[name] = val_loss(model, val)
        print(f"{model_name} quality (vocab {vocab}, {steps * BATCH} examples): {name}: "
              f"val loss {losses[name]:.4f}", flush=True)
    return losses


def run(models: tuple[str, ...] = ("seq2seq", "dual"), vocabs: tuple[int, ...] = (10_000, 40_000),
        steps: int = 3, rounds: int = 3, quality_steps: int = 12, quality_vocab: int = 10_000,
        emulated_bf16_vocab: int = 10_000) -> dict:
    """Emulated bf16 (no AVX512-BF16/AMX) is timed at vocabularies up to `emulated_bf16_vocab`
    only: at 40k one of its steps took 127 s against fp32's 5 s (measured 2026-12-02)."""
    torch.set_num_threads(1)
    native = bf16_supported(CPU)
    figures: dict = {"batch": BATCH, "src len": SRC_LEN, "conv len (dual)": CONV_LEN, "tgt columns": TGT_LEN,
                     "threads": 1, "timed steps per round": steps, "rounds": rounds, "bf16 native": native}
    goals: dict = {}
    for model_name in models:
        for vocab in vocabs:
            names = [n for n in VARIANTS if native or vocab <= emulated_bf16_vocab or VARIANTS[n][0] == "fp32"]
            per_step = time_variants(model_name, vocab, names, steps, rounds)
            for name in names:
                figures[f"{model_name} {vocab}: {name} ms/step (per round)"] = [1000 * t for t in per_step[name]]
                if name != "fp32":
                    ratio = float(np.median(np.divide(per_step["fp32"], per_step[name])))
                    figures[f"{model_name} {vocab}: {name} speed-up vs fp32 (median of rounds)"] = ratio
        if quality_steps:
            losses = quality(model_name, quality_vocab, quality_steps)
            figures[f"{model_name} quality examples"] = quality_steps * BATCH
            figures[f"{model_name} quality initial val loss"] = losses["initial"]
            for name in VARIANTS:
                figures[f"{model_name} quality: {name} val loss"] = losses[name]
                if name != "fp32":
                    delta = (losses[name] - losses["fp32"]) / losses["fp32"]
                    key = f"{model_name} quality: {name} val loss vs fp32 (relative)"
                    figures[key] = delta
                    goals[key] = {"goal": "|delta| <= 0.01", "met": abs(delta) <= 0.01}
    write_result("levers", figures, goals)
    return figures

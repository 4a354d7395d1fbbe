"""Figure 5: batched beam search (beam 20, max length 10) against decoding one tweet at a time.

    python -m benchmarks beam             # goal: >= 5x hashtags per second on CPU

The model is the headline's SEQ2SEQ at `cpu` dims (random weights: the search does the same
work whatever the weights say, and both searches must agree on every hypothesis).

Both searches project the same hidden states onto the whole target vocabulary at every step
(a log-softmax needs every logit), so batching can only remove per-step overhead, not that
arithmetic. The run therefore also times the projection alone on the batched shapes: one at
a time / projection alone is the speed-up batching would reach if everything else were free.
"""

from __future__ import annotations

import time

import torch

from benchmarks.beam_reference import beam_search_one
from benchmarks.common import rotated, write_result
from components.generators.beam_search import beam_search
from components.generators.config import Seq2SeqConfig
from components.generators.seq2seq import Seq2Seq


def run(n_tweets: int = 300, batch: int = 50, beam: int = 20, max_len: int = 10) -> dict:
    torch.manual_seed(0)
    torch.set_num_threads(1)  # what a Ray cell gets
    cfg = Seq2SeqConfig(src_vocab=20_000, tgt_vocab=8_000, embed_dim=64, hidden=64, enc_layers=1)
    model = Seq2Seq(cfg).eval()
    lengths = torch.randint(5, 30, (n_tweets,))
    src = torch.randint(4, cfg.src_vocab, (n_tweets, int(lengths.max())))
    src[torch.arange(src.shape[1])[None, :] >= lengths[:, None]] = 0

    # The three timings alternate chunk by chunk (in a rotating order), so a machine that slows
    # down mid-run slows all three alike (run one after another, two runs of the same code, one
    # under load and one quiet, gave speed-ups of 1.96 and 2.40).
    out = model.decoder.out

    def projection_alone(rows: int) -> None:
        # The vocabulary projection alone, as many rows and steps as the batched search runs
        # (b rows at step 0, b*beam after), on random hidden states.
        with torch.inference_mode():
            for step in range(max_len + 1):
                out(torch.randn(rows * (1 if step == 0 else beam), out.in_features))

    batched, single = [], []
    calls = {"batched": lambda s, n: batched.extend(beam_search(model, s, n, beam=beam, max_len=max_len)),
             "single": lambda s, n: single.extend(beam_search_one(model, s, n, beam=beam, max_len=max_len)),
             "projection": lambda s, n: projection_alone(len(n))}
    names = list(calls)
    seconds = dict.fromkeys(names, 0.0)
    for c, i in enumerate(range(0, n_tweets, batch)):
        for name in rotated(names, c):
            start = time.perf_counter()
            calls[name](src[i:i + batch], lengths[i:i + batch])
            seconds[name] += time.perf_counter() - start
    t_batched, t_single, t_projection = seconds["batched"], seconds["single"], seconds["projection"]
    agree = sum(a[0][0] == b[0][0] for a, b in zip(batched, single, strict=True)) / n_tweets
    figures = {"tweets": n_tweets, "beam": beam, "max_len": max_len, "batch": batch,
               "batched tweets/s": n_tweets / t_batched, "one at a time tweets/s": n_tweets / t_single,
               "speed-up": t_single / t_batched, "same best hypothesis": agree,
               "projection alone s": t_projection, "batched search s": t_batched,
               "projection share of the batched search": t_projection / t_batched,
               "speed-up ceiling (one at a time / projection alone)": t_single / t_projection}
    write_result("beam", figures, {"speed-up": {"goal": ">= 5.0", "met": t_single / t_batched >= 5.0}})
    return figures

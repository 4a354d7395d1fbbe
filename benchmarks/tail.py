"""The table's tail lever: what a cell's training step gains when it takes a freed core.

    python -m benchmarks tail          # about ten seconds on a quiet machine

Once no cell of a table waits to start, each running cell raises its torch threads to its share
of the node's cores (orchestration/cores.py); on 2 cores the last cell goes from 1 thread to 2.
This times the generators' training step as the tables now run it (bucketed batches, masked
projection, fp32; models and data as in benchmarks/levers.py, vocabulary 10k) at 1 thread and
at 2 threads in one process, rotated rounds; the figure is the median of the rounds' 1-thread /
2-thread ratios (> 1: the tail cell's epochs are that much faster). Meaningful only on a machine
with 2 idle cores: `load_1min` in the result says whether it was.
"""

from __future__ import annotations

import numpy as np
import torch

from benchmarks.common import rotated, write_result
from benchmarks.levers import BATCH, batches, build, inputs, synthetic, train_steps

VARIANT = "bucketing + masked"


def run(models: tuple[str, ...] = ("seq2seq", "dual"), vocab: int = 10_000, steps: int = 4,
        rounds: int = 3, threads: tuple[int, ...] = (1, 2)) -> dict:
    figures: dict = {"variant": VARIANT, "vocab": vocab, "batch": BATCH, "timed steps per round": steps,
                     "rounds": rounds, "threads compared": list(threads)}
    goals: dict = {}
    for model_name in models:
        data = batches(inputs(synthetic(BATCH * (steps + 2) * 4, vocab, 0), model_name), VARIANT, steps + 1)
        per_step: dict[int, list[float]] = {n: [] for n in threads}
        for r in range(rounds):
            for n in rotated(list(threads), r):
                torch.set_num_threads(n)
                model = build(vocab, model_name)
                opt = torch.optim.Adam(model.parameters(), lr=1e-3)
                per_step[n].append(float(np.median(train_steps(model, opt, VARIANT, data)[1:])))
                print(f"{model_name} round {r}: {n} thread(s): {per_step[n][-1] * 1000:.0f} ms/step", flush=True)
        torch.set_num_threads(1)
        base = threads[0]
        for n in threads:
            figures[f"{model_name}: {n} thread(s) ms/step (per round)"] = [1000 * t for t in per_step[n]]
            if n != base:
                ratio = float(np.median(np.divide(per_step[base], per_step[n])))
                key = f"{model_name}: {n} threads speed-up vs {base} (median of rounds)"
                figures[key] = ratio
                goals[key] = {"goal": "> 1 (a freed core pays)", "met": ratio > 1}
    write_result("tail", figures, goals)
    return figures

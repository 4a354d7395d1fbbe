"""Figure 1: the same training through a plain PyTorch loop and through the orchestration.

    python -m benchmarks training         # goal: <= 1.05x for an epoch of >= 60 s

The headline's SEQ2SEQ at `cpu` dims (vocabulary 5,000, embeddings and GRUs of 64, two encoder
layers, shared embeddings), on synthetic token ids of the headline's shapes (posts <= 30, hashtags
<= 8 words), batch 64, one thread, the same number of steps in every variant:

- plain: a loop written here with torch alone;
- fit: `orchestration.train.fit` in-process (checkpoint, validation, early-stopping state);
- fit + MLflow: the same, logging to a fresh SQLite store through the cell's `RunSink`;
- TorchTrainer: `fit` through a Ray Train `TorchTrainer` with one worker.

Per epoch (the goal's ratio) is the training pass plus validation, timed inside each loop:
the plain loop times its own, the others report `epoch_seconds` from `run_epochs`. The
whole call (building the model, the epoch, validation, the checkpoint; for TorchTrainer
also starting its worker group) is reported too, and the difference as the fixed cost a
longer run pays once. Ray's own start is timed apart.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from benchmarks.common import write_result
from components.generators.config import BOS_ID, EOS_ID, PAD_ID, Seq2SeqConfig
from components.generators.seq2seq import Seq2Seq, seq2seq_loss
from components.training.loop import FitProblem, FitSettings

VOCAB, SRC_LEN, TGT_LEN = 5_000, 30, 10


def synthetic(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    src_len = rng.integers(5, SRC_LEN + 1, n)
    src = rng.integers(4, VOCAB, (n, SRC_LEN))
    src[np.arange(SRC_LEN)[None, :] >= src_len[:, None]] = PAD_ID
    words = rng.integers(1, TGT_LEN - 1, n)
    tgt = np.full((n, TGT_LEN), PAD_ID)
    tgt[:, 0] = BOS_ID
    for i, w in enumerate(words):
        tgt[i, 1:w + 1] = rng.integers(4, VOCAB, w)
        tgt[i, w + 1] = EOS_ID
    return {"src": src, "src_len": src_len, "tgt": tgt}


def build_model() -> Seq2Seq:
    return Seq2Seq(Seq2SeqConfig(src_vocab=VOCAB, tgt_vocab=VOCAB, share_embeddings=True, embed_dim=64,
                                 hidden=64, enc_layers=2, dropout=0.1))


def val_loss(model, arrays) -> dict[str, float]:
    with torch.no_grad():
        batch = {k: torch.as_tensor(v) for k, v in arrays.items()}
        return {"val_loss": float(seq2seq_loss(model, batch))}


def plain(problem: FitProblem, settings: FitSettings, path: Path) -> tuple[float, float]:
    """What a plain script does per epoch: train, validate, save. (total, train + validate) seconds."""
    start = time.perf_counter()
    torch.manual_seed(settings.seed)
    model = problem.build_model()
    opt = torch.optim.Adam(model.parameters(), lr=settings.lr)
    order = np.random.default_rng(0).permutation(len(problem.train["src"]))
    epoch_start = time.perf_counter()
    model.train()
    for i in range(0, len(order), settings.batch_size):
        idx = order[i:i + settings.batch_size]
        batch = {k: torch.as_tensor(v[idx]) for k, v in problem.train.items()}
        opt.zero_grad(set_to_none=True)
        seq2seq_loss(model, batch).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), settings.clip)
        opt.step()
    model.eval()
    problem.evaluate(model, problem.val)
    epoch = time.perf_counter() - epoch_start
    path.mkdir(parents=True, exist_ok=True)
    torch.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, path / "state.pt")
    return time.perf_counter() - start, epoch


def run(n_train: int = 40_000, n_val: int = 500) -> dict:
    from components.training.checkpoints import CheckpointDir
    from orchestration.runtime import ensure_ray
    from orchestration.tracking import RunSink, Tracker
    from orchestration.train import _fit_distributed, fit

    torch.set_num_threads(1)
    train, val = synthetic(n_train, 0), synthetic(n_val, 1)
    problem = FitProblem(build_model=build_model, train=train, val=val, loss=seq2seq_loss, evaluate=val_loss)
    settings = FitSettings(epochs=1, batch_size=64, lr=1e-3, optimizer="adam", clip=1.0, patience=1)
    root = Path(tempfile.mkdtemp(prefix="emojitags-bench-train-"))
    figures: dict = {"train examples": n_train, "steps": -(-n_train // 64)}

    figures["plain seconds"], figures["plain epoch seconds"] = plain(problem, settings, root / "plain")

    def timed(name: str, call, checkpoints: Path) -> None:
        start = time.perf_counter()
        call()
        figures[f"{name} seconds"] = time.perf_counter() - start
        # The variant's own epoch time (train + validate), as its training loop measured it.
        figures[f"{name} epoch seconds"] = CheckpointDir(checkpoints).latest()["history"][-1]["epoch_seconds"]
        figures[f"{name} fixed seconds"] = figures[f"{name} seconds"] - figures[f"{name} epoch seconds"]

    timed("fit", lambda: fit(problem, settings, root / "fit"), root / "fit")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    tracker = Tracker(uri, "benchmarks")
    run_id = tracker.client.create_run(tracker.experiment_id, run_name="training overhead").info.run_id
    timed("fit + MLflow", lambda: fit(problem, settings, root / "fit_mlflow", sink=RunSink(uri, run_id)),
          root / "fit_mlflow")
    start = time.perf_counter()
    ensure_ray()
    figures["ray start seconds"] = time.perf_counter() - start
    timed("TorchTrainer (1 worker)", lambda: _fit_distributed(
        problem, settings, CheckpointDir(root / "trainer"), 1, False, 1, None, 0, str(root / "ray_train")),
        root / "trainer")

    base = figures["plain epoch seconds"]
    goals = {}
    for name in ("fit", "fit + MLflow", "TorchTrainer (1 worker)"):
        ratio = figures[f"{name} epoch seconds"] / base
        figures[f"{name} / plain (per epoch)"] = ratio
        figures[f"{name} / plain (whole call)"] = figures[f"{name} seconds"] / figures["plain seconds"]
        goals[f"{name} / plain (per epoch)"] = {"goal": "<= 1.05", "met": ratio <= 1.05}
    os.environ.pop("MLFLOW_TRACKING_URI", None)
    write_result("training", figures, goals)
    return figures

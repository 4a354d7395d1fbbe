"""One training loop, run in-process or by a Ray Train `TorchTrainer` (DDP) with the same code.

Every epoch ends with a validation pass, early stopping, a checkpoint (model, optimizer,
early-stopping state, RNG) and one metrics report. A cell that was killed resumes from
its last whole checkpoint; under Ray Train, a worker that dies is replaced and the group
goes on from the last checkpoint reported to Ray (`FailureConfig`).
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from components.training import (
    CheckpointDir,
    EarlyStopping,
    FitProblem,
    FitSettings,
    train_one_epoch,
)
from components.training.checkpoints import load_state
from components.training.loop import make_optimizer, rng_state, set_rng_state

log = logging.getLogger("emojitags.train")

# Lets a test break a run at a known point: "<rank>:<epoch>:<marker file>[:<action>]" makes that
# rank act once in that epoch, mid-epoch (the marker file keeps it from happening twice). Actions:
# `kill` (the default) SIGKILLs the process; `hang` stops it for good, so a test can kill the
# whole tree at a moment it knows instead of racing short epochs; `pause=S` sleeps S seconds;
# `wait` sleeps until the test writes anything but "wait" into the marker (a server killed meanwhile).
FAULT_ENV = "EMOJITAGS_FAULT_KILL_WORKER"


@dataclass
class FitResult:
    model: nn.Module          # with the best validation epoch's weights
    history: list[dict]       # one dict per epoch trained in this call
    best_epoch: int
    best_value: float | None
    resumed_from: int | None  # the epoch whose checkpoint this call started from


def _maybe_inject_fault(rank: int, epoch: int) -> None:
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return
    f_rank, f_epoch, rest = spec.split(":", 2)
    marker, _, action = rest.partition(":")
    if int(f_rank) != rank or int(f_epoch) != epoch or Path(marker).exists():
        return
    action = action or "kill"
    Path(marker).write_text("killed" if action == "kill" else action)
    if action == "kill":
        os.kill(os.getpid(), 9)
    elif action == "hang":
        while True:
            time.sleep(60)
    elif action.startswith("pause="):
        time.sleep(float(action.split("=", 1)[1]))
    elif action == "wait":  # until whoever watches the marker writes anything else into it
        deadline = time.time() + 600
        while Path(marker).read_text() == "wait" and time.time() < deadline:
            time.sleep(0.1)
    else:
        raise ValueError(f"{FAULT_ENV}: unknown action {action!r}; expected kill, hang, wait or pause=SECONDS")


def run_epochs(problem: FitProblem, s: FitSettings, ckpt: CheckpointDir, *, rank: int = 0,
               world: int = 1, device: torch.device | None = None,
               wrap: Callable[[nn.Module], nn.Module] = lambda m: m,
               start_state: dict | None = None,
               report: Callable[[dict, Path | None], None] | None = None,
               log_metrics: Callable[[dict, int], None] | None = None) -> tuple[list[dict], int | None]:
    """The loop itself; returns (the whole history, the epoch resumed from)."""
    device = device or torch.device("cpu")
    torch.manual_seed(s.seed)
    model = problem.build_model().to(device)
    train_model = wrap(model)
    optimizer = make_optimizer(train_model, s)
    stopper = EarlyStopping(s.patience, s.mode)
    start, resumed_from = 0, None
    state = start_state if start_state is not None else ckpt.latest()
    if state is not None:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        stopper = EarlyStopping.from_state(state["early_stopping"])
        set_rng_state(state["rng"])
        resumed_from = int(state["epoch"])
        start = resumed_from + 1
        log.info("resuming from the checkpoint of epoch %d", resumed_from)
    history = list(state.get("history", [])) if state is not None else []
    for epoch in range(start, s.epochs):
        if stopper.should_stop:
            break
        started = time.perf_counter()
        train_loss = train_one_epoch(train_model, problem, optimizer, s, epoch, rank, world, device,
                                     on_step=(lambda step, _l, e=epoch: _maybe_inject_fault(rank, e))
                                     if os.environ.get(FAULT_ENV) else None)
        model.eval()
        with torch.no_grad():
            val = problem.evaluate(model, problem.val)
        if s.monitor not in val:
            raise KeyError(f"monitor {s.monitor!r} is not among the validation metrics {sorted(val)}")
        improved = stopper.update(val[s.monitor], epoch)
        # The training pass and validation; checkpointing and logging come after.
        metrics = {"epoch": epoch, "train_loss": train_loss, **val, "epoch_seconds": time.perf_counter() - started}
        history.append(metrics)
        epoch_dir = None
        if rank == 0:
            if improved:
                ckpt.save_best(model.state_dict())
            epoch_dir = ckpt.save(epoch, {"epoch": epoch, "model": model.state_dict(),
                                          "optimizer": optimizer.state_dict(),
                                          "early_stopping": stopper.state_dict(), "rng": rng_state(),
                                          "history": history})
            if log_metrics is not None:
                log_metrics({k: v for k, v in metrics.items() if k != "epoch"}, epoch)
        if report is not None:
            report(metrics, epoch_dir)
    return history, resumed_from


def _ray_train_loop(config: dict) -> None:
    # Runs inside each Ray Train worker.
    import ray.train
    import ray.train.torch

    ctx = ray.train.get_context()
    rank, world = ctx.get_world_rank(), ctx.get_world_size()
    if config.get("fault"):  # workers do not see the driver's environment on a running cluster
        os.environ[FAULT_ENV] = config["fault"]
    torch.set_num_threads(config["threads"])
    ckpt = CheckpointDir(config["checkpoint_dir"])
    start_state = None
    reported = ray.train.get_checkpoint()  # the last one reported to Ray, or resume_from_checkpoint
    if reported is not None:
        with reported.as_directory() as d:
            start_state = load_state(Path(d) / "state.pt")

    def report(metrics: dict, epoch_dir: Path | None) -> None:
        checkpoint = ray.train.Checkpoint.from_directory(str(epoch_dir)) if epoch_dir else None
        ray.train.report(metrics, checkpoint=checkpoint)

    sink = config["sink"]
    history, resumed = run_epochs(
        config["problem"], config["settings"], ckpt, rank=rank, world=world,
        device=ray.train.torch.get_device(), wrap=ray.train.torch.prepare_model,
        start_state=start_state, report=report,
        log_metrics=sink.log_metrics if sink is not None else None)
    if rank == 0 and resumed is not None and sink is not None:
        sink.set_tags({"emojitags.resumed_from_epoch": resumed})


def fit(problem: FitProblem, s: FitSettings, checkpoint_dir: str | os.PathLike, *,
        workers: int = 1, use_gpu: bool = False, threads: int = 1, sink=None,
        max_failures: int = 2, storage_path: str | None = None) -> FitResult:
    """Train `problem` to early stopping; in-process when workers == 1, else DDP via Ray Train."""
    ckpt = CheckpointDir(checkpoint_dir)
    if workers <= 1:
        device = torch.device("cuda" if use_gpu and torch.cuda.is_available() else "cpu")
        _, resumed = run_epochs(problem, s, ckpt, device=device,
                                log_metrics=sink.log_metrics if sink is not None else None)
        if resumed is not None and sink is not None:
            sink.set_tags({"emojitags.resumed_from_epoch": resumed})
    else:
        resumed = ckpt.epochs()[-1] if ckpt.epochs() else None
        _fit_distributed(problem, s, ckpt, workers, use_gpu, threads, sink, max_failures, storage_path)
    model = problem.build_model()
    best = ckpt.best()
    if best is None:
        raise RuntimeError(f"training produced no best checkpoint in {ckpt.path}")
    model.load_state_dict(best)
    model.eval()
    last = ckpt.latest()
    stopper = EarlyStopping.from_state(last["early_stopping"])
    # The checkpoint carries the whole history; this call's part is what came after `resumed`.
    first = -1 if resumed is None else resumed
    history = [h for h in last["history"] if h["epoch"] > first]
    return FitResult(model, history, stopper.best_epoch, stopper.best, resumed)


def _fit_distributed(problem, s, ckpt, workers, use_gpu, threads, sink, max_failures, storage_path):
    import ray
    import ray.train
    from ray.train.torch import TorchConfig, TorchTrainer

    resume = None
    if ckpt.epochs():  # a killed driver: start the new trainer from our last whole checkpoint
        resume = ray.train.Checkpoint.from_directory(str(ckpt.path / f"epoch_{ckpt.epochs()[-1]:04d}"))
    # A Tune trial that waits on this trainer holds a sliver of a CPU; on a small machine the
    # workers share what is left rather than wait forever for whole CPUs.
    total = ray.cluster_resources().get("CPU", workers)
    cpus = float(os.environ.get("EMOJITAGS_CPUS_PER_WORKER", min(1.0, (total - 0.05) / workers)))
    storage = Path(storage_path or tempfile.mkdtemp(prefix="emojitags-train-")).resolve()
    trainer = TorchTrainer(
        _ray_train_loop,
        train_loop_config={"problem": problem, "settings": s, "checkpoint_dir": str(ckpt.path),
                           "sink": sink, "threads": threads, "fault": os.environ.get(FAULT_ENV)},
        torch_config=TorchConfig(backend="nccl" if use_gpu else "gloo"),
        scaling_config=ray.train.ScalingConfig(num_workers=workers, use_gpu=use_gpu,
                                               resources_per_worker={"CPU": cpus}),
        run_config=ray.train.RunConfig(
            name=f"train-{ckpt.path.name}", storage_path=str(storage),
            failure_config=ray.train.FailureConfig(max_failures=max_failures),
            checkpoint_config=ray.train.CheckpointConfig(num_to_keep=2),
            logging_config=ray.train.LoggingConfig(log_level="WARNING")),
        resume_from_checkpoint=resume)
    result = trainer.fit()
    if result.error:
        raise result.error

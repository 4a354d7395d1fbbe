"""One training loop, run in-process or by a Ray Train `TorchTrainer` (DDP) with the same code.

Every epoch ends with a validation pass, early stopping, the learning-rate schedule, a
checkpoint (model, optimizer, early-stopping and schedule state, RNG, time spent) and one
metrics report. A fit stops for one of `STOP_REASONS` (see `FitSettings`). A cell that was killed resumes from
its last whole checkpoint; under Ray Train, a worker that dies is replaced and the group
goes on from the last checkpoint reported to Ray (`FailureConfig`).
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
from components.training.early_stopping import LRSchedule
from components.training.loop import make_optimizer, rng_state, set_rng_state

log = logging.getLogger("emojitags.train")

# Lets a test break a run at a known point: "<rank>:<epoch>:<marker file>[:<action>]" makes that
# rank act once in that epoch, mid-epoch (the marker file keeps it from happening twice). Actions:
# `kill` (the default) SIGKILLs the process; `hang` stops it for good, so a test can kill the
# whole tree at a moment it knows instead of racing short epochs; `pause=S` sleeps S seconds;
# `wait` sleeps until the test writes anything but "wait" into the marker (a server killed meanwhile).
FAULT_ENV = "EMOJITAGS_FAULT_KILL_WORKER"


# Why a fit stopped, and the number logged for it as the `stop_code` metric.
STOP_REASONS = {"patience": 1, "lr_floor": 2, "cap": 3, "budget": 4}


@dataclass
class FitResult:
    model: nn.Module          # with the best validation epoch's weights
    history: list[dict]       # one dict per epoch trained in this call
    best_epoch: int
    best_value: float | None
    resumed_from: int | None  # the epoch whose checkpoint this call started from
    epochs_run: int = 0       # epochs trained in all, resumed calls included
    stop_reason: str | None = None  # one of STOP_REASONS; None for a checkpoint of older code

    def summary(self) -> dict[str, Any]:
        """What a task can return among a cell's metrics."""
        return {"best_epoch": self.best_epoch, "epochs_run": self.epochs_run,
                "stop_reason": self.stop_reason}


def _stop_reason(s: FitSettings, stopper: EarlyStopping, schedule: LRSchedule, epoch: int,
                 elapsed: float, rank: int, world: int, device: torch.device) -> str | None:
    """Why to stop after `epoch`, or None. Every rank reaches the same answer: all but the
    budget follow from the validation values, which every rank computes alike, and the budget
    is rank 0's clock, broadcast."""
    if stopper.should_stop:
        return "patience"
    if schedule.below_floor:
        return "lr_floor"
    if epoch + 1 >= s.epochs:
        return "cap"
    if s.budget_s is not None:
        over = elapsed >= s.budget_s
        if world > 1 and torch.distributed.is_available() and torch.distributed.is_initialized():
            flag = torch.tensor([float(over)], device=device)
            torch.distributed.broadcast(flag, src=0)
            over = bool(flag.item())
        if over:
            return "budget"
    return None


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
               log_metrics: Callable[[dict, int], None] | None = None,
               threads: Callable[[], int] | None = None) -> tuple[list[dict], int | None]:
    """The loop itself; returns (the whole history, the epoch resumed from). `threads`, asked
    before every epoch, says how many torch threads it should use (orchestration.cores)."""
    device = device or torch.device("cpu")
    torch.manual_seed(s.seed)
    model = problem.build_model().to(device)
    train_model = wrap(model)
    optimizer = make_optimizer(train_model, s, problem.param_groups(model) if problem.param_groups else None)
    stopper = EarlyStopping(s.patience, s.mode)
    schedule = LRSchedule(s.lr_schedule, s.lr_factor, s.lr_patience, s.lr_floor, s.mode, s.lr)
    start, resumed_from, elapsed, stop_reason = 0, None, 0.0, None
    state = start_state if start_state is not None else ckpt.latest()
    if state is not None:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        stopper = EarlyStopping.from_state(state["early_stopping"])
        if "lr_schedule" in state:
            schedule = LRSchedule.from_state(state["lr_schedule"])
            schedule.apply(optimizer)
        set_rng_state(state["rng"])
        resumed_from = int(state["epoch"])
        start = resumed_from + 1
        elapsed = float(state.get("elapsed_s", 0.0))
        stop_reason = state.get("stop_reason")
        # A cap or budget that was raised since lets the run go on; the other stops are final.
        if (stop_reason == "cap" and start < s.epochs) or (
                stop_reason == "budget" and (s.budget_s is None or elapsed < s.budget_s)):
            stop_reason = None
        log.info("resuming from the checkpoint of epoch %d", resumed_from)
    history = list(state.get("history", [])) if state is not None else []
    for epoch in range(start, s.epochs):
        if stop_reason is not None or stopper.should_stop:  # the latter: a checkpoint of older code
            break
        if threads is not None and (n := threads()) != torch.get_num_threads():
            log.info("epoch %d: %d torch threads (cores freed by finished cells)", epoch, n)
            torch.set_num_threads(n)
        started = time.perf_counter()
        lr = optimizer.param_groups[0]["lr"]
        train_loss = train_one_epoch(train_model, problem, optimizer, s, epoch, rank, world, device,
                                     on_step=(lambda step, _l, e=epoch: _maybe_inject_fault(rank, e))
                                     if os.environ.get(FAULT_ENV) else None)
        model.eval()
        with torch.no_grad():
            val = problem.evaluate(model, problem.val)
        if s.monitor not in val:
            raise KeyError(f"monitor {s.monitor!r} is not among the validation metrics {sorted(val)}")
        improved = stopper.update(val[s.monitor], epoch)
        if schedule.step(val[s.monitor]):
            schedule.apply(optimizer)
            log.info("epoch %d: %s did not improve; learning rate %.3g -> %.3g", epoch, s.monitor,
                     lr, schedule.lr)
        # The training pass and validation; checkpointing and logging come after.
        seconds = time.perf_counter() - started
        elapsed += seconds
        stop_reason = _stop_reason(s, stopper, schedule, epoch, elapsed, rank, world, device)
        metrics = {"epoch": epoch, "train_loss": train_loss, **val, "lr": lr, "epoch_seconds": seconds,
                   "epoch_steps": math.ceil(problem.n_train / s.batch_size), "threads": torch.get_num_threads()}
        history.append(metrics)
        epoch_dir = None
        if rank == 0:
            if improved:
                ckpt.save_best(model.state_dict())
            epoch_dir = ckpt.save(epoch, {"epoch": epoch, "model": model.state_dict(),
                                          "optimizer": optimizer.state_dict(),
                                          "early_stopping": stopper.state_dict(),
                                          "lr_schedule": schedule.state_dict(), "rng": rng_state(),
                                          "history": history, "elapsed_s": elapsed,
                                          "stop_reason": stop_reason})
            if log_metrics is not None:
                log_metrics({k: v for k, v in metrics.items() if k != "epoch"}, epoch)
        if report is not None:
            report(metrics, epoch_dir)
    return history, resumed_from


def _log_stop(sink, result: FitResult) -> None:
    """best_epoch, epochs_run and the stop code as metrics; the stop reason as a tag."""
    if sink is None:
        return
    summary = {"best_epoch": result.best_epoch, "epochs_run": result.epochs_run}
    if result.stop_reason is not None:
        summary["stop_code"] = STOP_REASONS[result.stop_reason]
        sink.set_tags({"emojitags.stop_reason": result.stop_reason})
    sink.log_metrics(summary)


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
        max_failures: int = 2, storage_path: str | None = None,
        threads_now: Callable[[], int] | None = None) -> FitResult:
    """Train `problem` to early stopping; in-process when workers == 1, else DDP via Ray Train.
    `threads_now`: in-process only, the torch threads for the next epoch (orchestration.cores)."""
    ckpt = CheckpointDir(checkpoint_dir)
    if workers <= 1:
        device = torch.device("cuda" if use_gpu and torch.cuda.is_available() else "cpu")
        _, resumed = run_epochs(problem, s, ckpt, device=device,
                                log_metrics=sink.log_metrics if sink is not None else None,
                                threads=threads_now)
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
    result = FitResult(model, history, stopper.best_epoch, stopper.best, resumed,
                       epochs_run=len(last["history"]), stop_reason=last.get("stop_reason"))
    if history:  # a call that trained nothing logged its summary when it did
        _log_stop(sink, result)
    return result


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

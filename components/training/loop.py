"""One epoch of minibatch training, identical in-process and under data parallelism.

A `FitProblem` is everything a training loop needs (model factory, aligned numpy
arrays, a loss and an evaluation) and is plain picklable data, so Ray Train workers
can receive it. Batches are drawn from a permutation fixed by (seed, epoch): every
data-parallel rank sees its share of the same global batch, and the loss is scaled so
that averaging gradients over ranks gives exactly the single-process gradient.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

Arrays = dict[str, np.ndarray]
Batch = dict[str, torch.Tensor]

log = logging.getLogger("emojitags.train")

LR_SCHEDULES = ("constant", "plateau", "worse")
PRECISIONS = ("fp32", "bf16", "auto")


@dataclass
class FitSettings:
    """How one fit trains and when it stops.

    Stopping: after each epoch's validation, the fit stops on the first of `patience` epochs
    without a new best `monitor` value ("patience"), the learning rate halved under `lr_floor`
    ("lr_floor"), `epochs` epochs in all ("cap", a safety net) or `budget_s` seconds of training
    spent, resumed calls included ("budget"). `monitor` is any key `FitProblem.evaluate` returns
    (val_loss with mode "min", or a task metric such as f1_at_1 with mode "max").

    `lr_schedule`: "constant"; "plateau" multiplies the LR by `lr_factor` after `lr_patience`
    epochs without a new best; "worse" does so whenever the monitored value is worse than the
    previous epoch's (the Weibo authors halve when validation perplexity rises).

    Speed levers, all off by default: `precision` "bf16" trains under bf16 autocast with fp32
    master weights ("auto": bf16 only where the hardware has it; unsupported falls back to fp32);
    `bucket_by` names a train array (1-D: lengths; 2-D: its nonzero count per row is the length)
    so that each batch holds examples of similar length; `trim` names 2-D arrays whose all-zero
    trailing columns are cut off per batch (only for arrays whose padding the loss ignores).
    """

    epochs: int = 10
    batch_size: int = 64
    lr: float = 1e-3
    optimizer: str = "adam"  # adam | adadelta | sgd
    weight_decay: float = 0.0
    clip: float | None = 1.0
    patience: int = 3
    monitor: str = "val_loss"
    mode: str = "min"
    seed: int = 0
    lr_schedule: str = "constant"  # constant | plateau | worse
    lr_factor: float = 0.5
    lr_patience: int = 1
    lr_floor: float | None = None
    budget_s: float | None = None
    precision: str = "fp32"  # fp32 | bf16 | auto
    bucket_by: str | None = None
    bucket_window: int = 50  # batches per sorted window: the larger, the tighter the buckets
    trim: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        def bad(key: str, expected: str) -> ValueError:
            return ValueError(f"FitSettings.{key}={getattr(self, key)!r}: expected {expected}")

        def finite(x) -> bool:
            return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)

        for key in ("epochs", "batch_size", "patience", "lr_patience", "bucket_window"):
            v = getattr(self, key)
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
                raise bad(key, "an integer >= 1")
        if not finite(self.lr) or self.lr <= 0:
            raise bad("lr", "a finite number > 0")
        if not finite(self.lr_factor) or not 0 < self.lr_factor < 1:
            raise bad("lr_factor", "a number in (0, 1)")
        if self.lr_floor is not None and (not finite(self.lr_floor) or not 0 < self.lr_floor < self.lr):
            raise bad("lr_floor", f"None or a finite number in (0, lr={self.lr})")
        if self.budget_s is not None and (not finite(self.budget_s) or self.budget_s <= 0):
            raise bad("budget_s", "None or a finite number of seconds > 0")
        if not finite(self.weight_decay) or self.weight_decay < 0:
            raise bad("weight_decay", "a finite number >= 0")
        if self.clip is not None and (not finite(self.clip) or self.clip < 0):
            raise bad("clip", "None or a finite number >= 0")
        if self.mode not in ("min", "max"):
            raise bad("mode", "'min' or 'max'")
        if self.lr_schedule not in LR_SCHEDULES:
            raise bad("lr_schedule", " | ".join(LR_SCHEDULES))
        if self.precision not in PRECISIONS:
            raise bad("precision", " | ".join(PRECISIONS))
        if self.optimizer not in ("adam", "adadelta", "sgd"):
            raise bad("optimizer", "adam | adadelta | sgd")
        if isinstance(self.trim, str):
            self.trim = (self.trim,)
        self.trim = tuple(self.trim)


@dataclass
class FitProblem:
    build_model: Callable[[], nn.Module]
    train: Arrays
    val: Arrays
    loss: Callable[[nn.Module, Batch], torch.Tensor]
    evaluate: Callable[[nn.Module, Arrays], dict[str, float]]
    # Optional per-layer rates: model -> [{"params", "lr_scale", "weight_decay"}], the scale
    # relative to FitSettings.lr (so a plateau schedule lowers every group alike).
    param_groups: Callable[[nn.Module], list[dict]] | None = None

    def __post_init__(self) -> None:
        for name, arrays in (("train", self.train), ("val", self.val)):
            sizes = {k: len(v) for k, v in arrays.items()}
            if len(set(sizes.values())) != 1:
                raise ValueError(f"FitProblem.{name} arrays differ in length: {sizes}")

    @property
    def n_train(self) -> int:
        return len(next(iter(self.train.values())))


def make_optimizer(model: nn.Module, s: FitSettings, groups: list[dict] | None = None) -> torch.optim.Optimizer:
    """One group of every trainable parameter at `s.lr`, or `groups` (see FitProblem.param_groups)."""
    if groups is None:
        params = [p for p in model.parameters() if p.requires_grad]
    else:
        params = [{"weight_decay": s.weight_decay, "lr_scale": 1.0, **g} for g in groups]
        for g in params:
            g["lr"] = s.lr * g["lr_scale"]
    if s.optimizer == "adam":
        return torch.optim.Adam(params, lr=s.lr, weight_decay=s.weight_decay)
    if s.optimizer == "adadelta":  # the dialogue paper's choice, rho = 0.95
        return torch.optim.Adadelta(params, lr=s.lr, rho=0.95, weight_decay=s.weight_decay)
    if s.optimizer == "sgd":
        return torch.optim.SGD(params, lr=s.lr, momentum=0.9, weight_decay=s.weight_decay)
    raise ValueError(f"optimizer must be adam, adadelta or sgd, got {s.optimizer!r}")


def epoch_order(n: int, batch_size: int, seed: int, epoch: int,
                lengths: np.ndarray | None = None, window: int = 50) -> list[np.ndarray]:
    """The epoch's global batches: a permutation of range(n) fixed by (seed, epoch), cut into
    batches. With `lengths`, each window of `window` batches of the permutation is sorted by
    length (stable) before it is cut, and the batches' order is then shuffled, so batches hold
    similar lengths while every epoch still feeds each example exactly once."""
    rng = np.random.default_rng([seed, epoch])
    order = rng.permutation(n)
    if lengths is None:
        return [order[start:start + batch_size] for start in range(0, n, batch_size)]
    lengths = np.asarray(lengths)
    span = batch_size * window
    batches = []
    for w in range(0, n, span):
        chunk = order[w:w + span]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches.extend(chunk[start:start + batch_size] for start in range(0, len(chunk), batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]


def lengths_of(array: np.ndarray) -> np.ndarray:
    """1-D: the lengths themselves; 2-D: each row's count of nonzero (non-PAD) entries."""
    array = np.asarray(array)
    return array if array.ndim == 1 else np.count_nonzero(array.reshape(len(array), -1), axis=1)


def epoch_batches(n: int, batch_size: int, seed: int, epoch: int,
                  rank: int = 0, world: int = 1, lengths: np.ndarray | None = None,
                  window: int = 50) -> Iterator[tuple[np.ndarray, int]]:
    """Yield (this rank's indices, global batch size) for one epoch."""
    for global_batch in epoch_order(n, batch_size, seed, epoch, lengths, window):
        if len(global_batch) < world:  # a rank with nothing would stall the all-reduce
            continue
        yield global_batch[rank::world], len(global_batch)


def to_batch(arrays: Arrays, idx: np.ndarray, device: torch.device, trim: tuple[str, ...] = ()) -> Batch:
    out = {}
    for k, v in arrays.items():
        rows = v[idx]
        if k in trim and rows.ndim == 2 and rows.shape[1]:
            used = np.flatnonzero(rows.any(axis=0))  # columns holding anything but padding
            rows = rows[:, : (used[-1] + 1 if len(used) else 1)]
        out[k] = torch.as_tensor(rows).to(device)
    return out


_PRECISION_LOGGED: set[tuple[str, str]] = set()


def bf16_supported(device: torch.device) -> bool:
    """Whether bf16 autocast is native here: CUDA with bf16, or a CPU with AVX512-BF16 / AMX."""
    if device.type == "cuda":
        return torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    if device.type != "cpu":
        return False
    try:
        if torch.ops.mkldnn._is_mkldnn_bf16_supported():
            flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
            # oneDNN also answers True for AVX512 without BF16 (emulated, slower than fp32)
            if "avx512_bf16" in flags or "amx_bf16" in flags:
                with torch.autocast("cpu", dtype=torch.bfloat16):
                    torch.ones(2, 2) @ torch.ones(2, 2)
                return True
    except Exception:  # an old torch or an odd build: treat as unsupported
        return False
    return False


def resolve_precision(precision: str, device: torch.device) -> str:
    """"fp32" or "bf16" for this device; an unsupported bf16 falls back to fp32 (logged once)."""
    if precision == "fp32":
        return "fp32"
    if bf16_supported(device):
        return "bf16"
    key = (precision, device.type)
    if precision == "bf16" and key not in _PRECISION_LOGGED:
        _PRECISION_LOGGED.add(key)
        log.warning("precision bf16 is not supported on %s; training in fp32", device)
    return "fp32"


def autocast(precision: str, device: torch.device):
    """The context a forward pass runs in: bf16 autocast (weights stay fp32) or nothing."""
    if precision == "bf16":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def train_one_epoch(model: nn.Module, problem: FitProblem, optimizer: torch.optim.Optimizer,
                    s: FitSettings, epoch: int, rank: int = 0, world: int = 1,
                    device: torch.device | None = None,
                    on_step: Callable[[int, float], None] | None = None) -> float:
    """Train for one epoch; return the mean training loss seen by this rank."""
    device = device or torch.device("cpu")
    model.train()
    precision = resolve_precision(s.precision, device)
    lengths = lengths_of(problem.train[s.bucket_by]) if s.bucket_by else None
    total, count = 0.0, 0
    for step, (idx, global_size) in enumerate(
            epoch_batches(problem.n_train, s.batch_size, s.seed, epoch, rank, world, lengths,
                          s.bucket_window)):
        batch = to_batch(problem.train, idx, device, s.trim)
        optimizer.zero_grad(set_to_none=True)
        with autocast(precision, device):
            loss = problem.loss(model, batch)
        loss = loss.float()
        # DDP averages gradients over ranks; weighting by the shard's share makes the
        # average equal to the gradient of the global batch's mean loss.
        (loss * (len(idx) * world / global_size)).backward()
        if s.clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), s.clip)
        optimizer.step()
        total += float(loss.detach()) * len(idx)
        count += len(idx)
        if on_step is not None:
            on_step(step, float(loss.detach()))
    return total / max(count, 1)


def rng_state() -> dict:
    return {"torch": torch.get_rng_state()}


def set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])

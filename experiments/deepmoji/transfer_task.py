"""Transfer of the pretrained encoder to DeepMoji's 8 benchmarks: one cell = benchmark × mode × seed.

Modes (components/emoji_encoder/transfer.py): `last`, `full`, `chain-thaw` start from the
pretrained encoder stage; `new` is DeepMoji's "new": the pretrained tokenizer's vocabulary
with random weights. `vocabulary="benchmark"` with `new` is the no-pretraining control:
nothing from TweetEval, a vocabulary built from the benchmark's own training texts. `floor`
trains nothing: it is the benchmark's chance floor, shown as a column beside the modes.

DeepMoji's protocol (finetune_protocol.py), every model one sigmoid: SS-Twitter, SS-Youtube and
kaggle-insults score accuracy at 0.5 (the metric their published numbers use); the others
class-averaged F1, one binary model per class against the rest (SE0714 3, Olympic 4, PsychExp 7;
SCv1 and SCv2-GEN one), each with its threshold tuned on validation over DeepMoji's grid and
early-stopped on DeepMoji's resample of validation. Every cell logs `floor_score`, the
benchmark's floor (training majority / all positive), for the table's AboveFloor claims.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from components.data import BENCHMARKS, data_file, dataset_sha256s, load_deepmoji_benchmark
from components.emoji_encoder import (
    LAYER_GROUPS,
    TRANSFER_MODES,
    DeepMojiEncoder,
    DeepMojiTokenizer,
    EmojiEncoderConfig,
    adam_param_groups,
    freeze_all_but,
    tokenize,
    transfer_lr,
    transfer_steps,
)
from components.training import FitProblem, FitSettings
from experiments.deepmoji.encoder_stage import (
    PretrainConfig,
    check_config,
    check_encoder_stage,
    encoder_dir,
    load_pretrained,
    pretrained_encoder,
    verify_data,
)
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
from orchestration.spec import RunSettings, SpecError
from orchestration.task import Task

ACCURACY_BENCHMARKS = ("SS-Twitter", "SS-Youtube", "kaggle-insults")
VOCABULARIES = ("pretrained", "benchmark")
FLOOR = "floor"  # the mode of the chance-floor column: no model
MODES = (*TRANSFER_MODES, FLOOR)


@dataclass(frozen=True)
class TransferConfig(RunSettings):
    benchmark: str = "SS-Twitter"     # one of components.data.BENCHMARKS
    mode: str = "chain-thaw"          # last | full | new | chain-thaw | floor
    vocabulary: str = "pretrained"    # pretrained | benchmark (only with mode=new: the control)
    pretrain: PretrainConfig = PretrainConfig()  # the encoder stage; set by the scale
    pretrain_seed: int = 0
    max_train: int = 0                # 0: the benchmark's whole split, else a fixed subset
    max_val: int = 0
    max_test: int = 0
    max_len: int = 0                  # 0: DeepMoji's rule, the 80th length percentile rounded up to 10
    benchmark_vocab_size: int = 10_000  # the control's own vocabulary
    epoch_size: int = 0               # examples drawn afresh each epoch (DeepMoji: 5000); 0: one pass
    batch_size: int = 250             # DeepMoji's for texts up to 100 tokens
    epochs: int = 1000                # per fit, a safety net: DeepMoji's patience stops each fit
    patience: int = 5                 # DeepMoji's


def _pretrain(cfg: TransferConfig) -> PretrainConfig:
    # The encoder trains with the table's execution settings (workers, GPU, threads).
    return dataclasses.replace(cfg.pretrain, workers=cfg.workers, use_gpu=cfg.use_gpu, threads=cfg.threads)


def _check(cfg: TransferConfig) -> None:
    for key, valid in (("benchmark", BENCHMARKS), ("mode", MODES), ("vocabulary", VOCABULARIES)):
        if getattr(cfg, key) not in valid:
            raise SpecError(f"{key}={getattr(cfg, key)!r}: expected one of {', '.join(valid)}")
    if cfg.vocabulary == "benchmark" and cfg.mode != "new":
        raise SpecError(f"vocabulary=benchmark (no pretraining) needs mode=new, got mode={cfg.mode!r}")
    check_config(cfg.pretrain)


def data_sha256s(cfg: TransferConfig) -> dict[str, str]:
    _check(cfg)
    out = verify_data()
    pinned = dataset_sha256s("deepmoji_benchmarks")
    for name in BENCHMARKS:
        path = f"deepmoji_benchmarks/{name}/raw.pickle"
        data_file(path)  # raises DataError when the pickle is not the pinned one
        out[path] = pinned[path]
    stage = encoder_dir(cfg.pretrain, cfg.pretrain_seed)
    if (stage / ".complete").is_file():
        check_encoder_stage(stage)  # a vocabulary that is not the weights' fails before MLflow
    return out


def prepare(cfg: TransferConfig) -> None:
    if cfg.vocabulary == "pretrained" and cfg.mode != FLOOR:
        pretrained_encoder(_pretrain(cfg), cfg.pretrain_seed)


# ---- one binary model: loss, validation, probabilities (module functions: picklable for Ray Train)

def _logits(model, tokens, lengths) -> torch.Tensor:
    return model(tokens, lengths).squeeze(-1)


def _loss(model, batch) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(_logits(model, batch["tokens"], batch["lengths"]),
                                              batch["label"].float())


def _raw(model, arrays: dict[str, np.ndarray], chunk: int = 512) -> torch.Tensor:
    device = next(model.parameters()).device
    with torch.no_grad():
        return torch.cat([_logits(model, torch.as_tensor(arrays["tokens"][s:s + chunk]).to(device),
                                  torch.as_tensor(arrays["lengths"][s:s + chunk])).float().cpu()
                          for s in range(0, len(arrays["tokens"]), chunk)])


def _evaluate(model, arrays) -> dict[str, float]:
    """Validation loss; with a `weight` array, each example's loss counted that many times."""
    losses = F.binary_cross_entropy_with_logits(_raw(model, arrays), torch.as_tensor(arrays["label"]).float(),
                                                reduction="none")
    if "weight" not in arrays:
        return {"val_loss": losses.mean().item()}
    w = torch.as_tensor(arrays["weight"])
    return {"val_loss": (losses * w).sum().item() / w.sum().item()}


def _probabilities(model, arrays) -> np.ndarray:
    return torch.sigmoid(_raw(model, arrays)).numpy()


@dataclass(frozen=True)
class _StepModel:
    """build_model of one training step: where the weights start, which groups train."""

    config: dict                 # EmojiEncoderConfig fields, n_classes = 1 (one sigmoid)
    groups: tuple[str, ...]
    pretrained: str | None = None  # the stage's encoder.pt (its head is replaced)
    vocab_hash: str = ""
    previous: str | None = None    # the previous chain-thaw step's chosen weights

    def __call__(self) -> DeepMojiEncoder:
        if self.previous is not None:
            model = DeepMojiEncoder(EmojiEncoderConfig(**self.config))
            model.load_state_dict(torch.load(self.previous, map_location="cpu", weights_only=True))
        elif self.pretrained is not None:
            ckpt = torch.load(self.pretrained, map_location="cpu", weights_only=True)
            model = DeepMojiEncoder.from_checkpoint(ckpt, self.vocab_hash)
            model.replace_head(self.config["n_classes"])
        else:
            model = DeepMojiEncoder(EmojiEncoderConfig(**self.config))
        freeze_all_but(model, self.groups)
        return model


def _subsample(ind: np.ndarray, cap: int) -> np.ndarray:
    if not cap or cap >= len(ind):
        return ind
    return np.sort(np.random.default_rng(0).permutation(ind)[:cap])  # the same subset for every cell


def _save(state: dict, path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    torch.save(state, tmp)
    os.replace(tmp, path)
    return str(path)


def deepmoji_param_groups(mode: str, step: int | None, base_lr: float, model) -> list[dict]:
    """DeepMoji's per-layer rates (the new head at 1e-3 in `full`) and its embedding L2, as
    FitProblem.param_groups: each group's rate relative to the step's `base_lr`."""
    return [{"params": g["params"], "lr_scale": g["lr"] / base_lr, "weight_decay": g["weight_decay"]}
            for g in adam_param_groups(model, mode, step)]


def _start(cfg: TransferConfig, ctx, max_len: int, train_texts: list[str]):
    """(tokenizer, model config, pretrained weights or None) every model of the cell starts from."""
    p = cfg.pretrain
    if cfg.vocabulary == "benchmark":
        tok = DeepMojiTokenizer(max_len, cfg.benchmark_vocab_size).build_vocab(train_texts)
        return tok, {"vocab_size": len(tok), "embed_dim": p.embed_dim, "hidden": p.hidden,
                     "embed_dropout": p.embed_dropout, "final_dropout": p.final_dropout}, None
    stage = pretrained_encoder(_pretrain(cfg), cfg.pretrain_seed, ctx)
    enc = load_pretrained(stage)  # refuses a vocabulary that is not the weights'
    tok = DeepMojiTokenizer(max_len, enc.tokenizer.vocab_size, enc.tokenizer.vocab)
    return tok, enc.model.config.to_dict(), None if cfg.mode == "new" else str(stage / "encoder.pt")


def _fine_tune(cfg: TransferConfig, ctx, arrays: dict, start: _StepModel, target: int, prefix: str):
    """One binary model through the mode's steps, from DeepMoji's epochs; (model, summary)."""
    steps = transfer_steps(cfg.mode)
    previous, best, kept, epochs, capped = None, math.inf, 0, 0, 0
    for i, groups in enumerate(steps):
        build = dataclasses.replace(start, groups=tuple(groups), previous=previous)
        step = i if cfg.mode == "chain-thaw" else None
        lr = transfer_lr(cfg.mode, step)
        train, loss = arrays["train"], _loss
        if cfg.epoch_size:  # each fit draws its own epochs: seeded by (seed, class, step)
            loss = SampledLoss(_loss, EpochSampler(train, key=(ctx.seed, target, i)))
            train = EpochSampler.slots(cfg.epoch_size)
        problem = FitProblem(build, train, arrays["val"], loss, _evaluate,
                             param_groups=functools.partial(deepmoji_param_groups, cfg.mode, step, lr))
        settings = FitSettings(epochs=cfg.epochs, batch_size=cfg.batch_size, lr=lr, patience=cfg.patience,
                               seed=ctx.seed)
        # one validation curve per fit (`class2.step3.val_loss`), so the fits do not overlap
        name = f"{prefix}step{i}." if len(steps) > 1 else prefix
        result = (ctx.with_metric_prefix(name) if name else ctx).fit(problem, settings, name=f"{prefix}step{i}")
        epochs, capped = epochs + result.epochs_run, capped + (result.stop_reason == "cap")
        # DeepMoji's one checkpoint across all steps: a step that does not lower the best
        # validation loss so far leaves the weights as they were.
        if result.best_value < best or previous is None:
            best, kept = result.best_value, kept + 1
            previous = _save(result.model.state_dict(), ctx.work_dir / "chain" / f"{prefix}step{i}.pt")
    model = dataclasses.replace(start, groups=tuple(LAYER_GROUPS), previous=previous)()
    model.eval()
    return model, {"best_val_loss": best, "steps_kept": kept, "epochs": epochs, "capped": capped}


def run_cell(cfg: TransferConfig, ctx) -> dict[str, float]:
    _check(cfg)
    bench = load_deepmoji_benchmark(cfg.benchmark)
    ind = {"train": _subsample(bench.train_ind, cfg.max_train), "val": _subsample(bench.val_ind, cfg.max_val),
           "test": _subsample(bench.test_ind, cfg.max_test)}
    targets = one_vs_rest(bench.labels, bench.task, bench.n_classes)  # one column per binary model
    test_y, test_t = bench.labels[ind["test"]], targets[ind["test"]]
    floor = (majority_accuracy(bench.labels[ind["train"]], test_y) if cfg.benchmark in ACCURACY_BENCHMARKS
             else all_positive_f1(test_t))
    if cfg.mode == FLOOR:
        return {"score": floor, "floor_score": floor, "n_test": float(len(test_y))}
    texts = {s: [bench.texts[i] for i in idx] for s, idx in ind.items()}
    max_len = cfg.max_len or deepmoji_max_len(bench.texts, tokenize)
    tok, base, pretrained = _start(cfg, ctx, max_len, texts["train"])
    start = _StepModel({**base, "n_classes": 1}, (), pretrained, tok.vocab_hash())
    inputs = {s: dict(zip(("tokens", "lengths"), tok.encode(texts[s]), strict=True)) for s in ind}
    weights = {}  # DeepMoji early-stops its class-averaged (F1) runs on a resample of validation
    if cfg.epoch_size and cfg.benchmark not in ACCURACY_BENCHMARKS:
        weights = {"weight": validation_weights(len(ind["val"]), cfg.epoch_size, ctx.seed)}
    n_models = targets.shape[1]
    val_p, test_p, fits = [], [], []
    for c in range(n_models):
        arrays = {"train": {**inputs["train"], "label": targets[ind["train"], c]},
                  "val": {**inputs["val"], "label": targets[ind["val"], c], **weights}}
        model, summary = _fine_tune(cfg, ctx, arrays, start, c, f"class{c}." if n_models > 1 else "")
        val_p.append(_probabilities(model, inputs["val"]))
        test_p.append(_probabilities(model, inputs["test"]))
        fits.append(summary)
    val_p, test_p = np.stack(val_p, axis=1), np.stack(test_p, axis=1)
    per_class, thresholds = per_class_f1(val_p, targets[ind["val"]], test_p, test_t)
    metrics = {"f1": float(np.mean(per_class)), "floor_score": floor, "n_models": float(n_models),
               "best_val_loss": float(np.mean([f["best_val_loss"] for f in fits])),
               "steps_kept": float(np.mean([f["steps_kept"] for f in fits])),
               "epochs_total": float(sum(f["epochs"] for f in fits)),
               "fits_capped": float(sum(f["capped"] for f in fits)),  # should stay 0: patience stops
               "max_len": float(max_len), "n_train": float(len(ind["train"])), "n_test": float(len(test_y)),
               "oov_rate": float((inputs["test"]["tokens"] == 1).sum() / max(1, inputs["test"]["lengths"].sum()))}
    if n_models > 1:
        metrics.update({f"class{c}.f1": float(f) for c, f in enumerate(per_class)})
        metrics.update({f"class{c}.threshold": float(t) for c, t in enumerate(thresholds)})
    if bench.task == "binary":
        metrics["accuracy"] = float(((test_p[:, 0] > 0.5) == test_y).mean())
    metrics["score"] = metrics["accuracy"] if cfg.benchmark in ACCURACY_BENCHMARKS else metrics["f1"]
    return metrics


# version 2: DeepMoji's per-layer rates in every mode (the head at 1e-3 in `full`) and its embedding L2
# version 3: DeepMoji's protocol: epochs drawn afresh, one binary model per class, patience 5, the
# 80%-length rule uncapped, early stopping on a resample of validation; the floor mode and floor_score
DEEPMOJI_TRANSFER = Task("deepmoji_transfer", TransferConfig, run_cell, data_sha256s, prepare, version=3)

__all__ = ["ACCURACY_BENCHMARKS", "FLOOR", "MODES", "TransferConfig"]

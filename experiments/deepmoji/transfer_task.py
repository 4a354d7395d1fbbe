"""Transfer of the pretrained encoder to DeepMoji's 8 benchmarks: one cell = benchmark × mode × seed.

Modes (components/emoji_encoder/transfer.py): `last`, `full`, `chain-thaw` start from the
pretrained encoder stage; `new` is DeepMoji's "new": the pretrained tokenizer's vocabulary
with random weights. `vocabulary="benchmark"` with `new` is the no-pretraining control:
nothing from TweetEval, a vocabulary built from the benchmark's own training texts.

Each benchmark keeps its own train/val/test indices. Binary tasks train one sigmoid output,
multi-label ones (SE0714, Olympic) one sigmoid per class, PsychExp a softmax. `score` is
accuracy for SS-Twitter, SS-Youtube and kaggle-insults (the metric their published numbers
use), else class-averaged F1 with per-class thresholds tuned on validation (DeepMoji's grid).
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
    DEEPMOJI_THRESHOLDS,
    LAYER_GROUPS,
    TRANSFER_MODES,
    DeepMojiEncoder,
    DeepMojiTokenizer,
    EmojiEncoderConfig,
    adam_param_groups,
    class_averaged_f1,
    freeze_all_but,
    tokenize,
    transfer_lr,
    transfer_steps,
    tune_class_thresholds,
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
from orchestration.spec import RunSettings, SpecError
from orchestration.task import Task

ACCURACY_BENCHMARKS = ("SS-Twitter", "SS-Youtube", "kaggle-insults")
VOCABULARIES = ("pretrained", "benchmark")


@dataclass(frozen=True)
class TransferConfig(RunSettings):
    benchmark: str = "SS-Twitter"     # one of components.data.BENCHMARKS
    mode: str = "chain-thaw"          # last | full | new | chain-thaw
    vocabulary: str = "pretrained"    # pretrained | benchmark (only with mode=new: the control)
    pretrain: PretrainConfig = PretrainConfig()  # the encoder stage; set by the scale
    pretrain_seed: int = 0
    max_train: int = 0                # 0: the benchmark's whole split, else a fixed subset
    max_val: int = 0
    max_test: int = 0
    max_len: int = 0                  # 0: DeepMoji's rule, the 80th length percentile rounded up to 10
    max_len_cap: int = 0              # 0: no cap on that rule
    benchmark_vocab_size: int = 10_000  # the control's own vocabulary
    epoch_size: int = 0               # samples per epoch (DeepMoji: 5000, drawn again); 0: one pass
    batch_size: int = 250             # DeepMoji's for texts up to 100 tokens
    epochs: int = 50                  # per training step; early stopping decides
    patience: int = 5                 # DeepMoji's


def _pretrain(cfg: TransferConfig) -> PretrainConfig:
    # The encoder trains with the table's execution settings (workers, GPU, threads).
    return dataclasses.replace(cfg.pretrain, workers=cfg.workers, use_gpu=cfg.use_gpu, threads=cfg.threads)


def _check(cfg: TransferConfig) -> None:
    if cfg.benchmark not in BENCHMARKS or cfg.mode not in TRANSFER_MODES or cfg.vocabulary not in VOCABULARIES:
        raise SpecError(f"need benchmark in {BENCHMARKS}, mode in {TRANSFER_MODES}, vocabulary in "
                        f"{VOCABULARIES}; got {cfg.benchmark!r}, {cfg.mode!r}, {cfg.vocabulary!r}")
    if cfg.vocabulary == "benchmark" and cfg.mode != "new":
        raise SpecError("vocabulary=benchmark (no pretraining) needs mode=new")
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
    if cfg.vocabulary == "pretrained":
        pretrained_encoder(_pretrain(cfg), cfg.pretrain_seed)


@dataclass
class _Objective:
    """Loss, validation and probabilities for one label layout; picklable for Ray Train."""

    kind: str  # binary | multiclass | multilabel

    def logits(self, model, tokens, lengths) -> torch.Tensor:
        out = model(tokens, lengths)
        return out.squeeze(-1) if self.kind == "binary" else out

    def loss_of(self, logits: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        if self.kind == "multiclass":
            return F.cross_entropy(logits, label)
        return F.binary_cross_entropy_with_logits(logits, label.float())

    def loss(self, model, batch) -> torch.Tensor:
        return self.loss_of(self.logits(model, batch["tokens"], batch["lengths"]), batch["label"])

    def raw(self, model, arrays: dict[str, np.ndarray], chunk: int = 512) -> torch.Tensor:
        device = next(model.parameters()).device
        with torch.no_grad():
            return torch.cat([self.logits(model, torch.as_tensor(arrays["tokens"][s:s + chunk]).to(device),
                                          torch.as_tensor(arrays["lengths"][s:s + chunk])).float().cpu()
                              for s in range(0, len(arrays["label"]), chunk)])

    def probabilities(self, model, arrays) -> np.ndarray:
        raw = self.raw(model, arrays)
        return (torch.softmax(raw, -1) if self.kind == "multiclass" else torch.sigmoid(raw)).numpy()

    def evaluate(self, model, arrays) -> dict[str, float]:
        return {"val_loss": self.loss_of(self.raw(model, arrays), torch.as_tensor(arrays["label"])).item()}


@dataclass(frozen=True)
class _StepModel:
    """build_model of one training step: where the weights start, which groups train."""

    config: dict                 # EmojiEncoderConfig fields, n_classes = the task's outputs
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


def _max_len(cfg: TransferConfig, texts: list[str]) -> int:
    if cfg.max_len:
        return cfg.max_len
    rule = int(math.ceil(np.percentile([len(tokenize(t)) for t in texts], 80) / 10.0)) * 10
    return max(10, min(rule, cfg.max_len_cap) if cfg.max_len_cap else rule)


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


def run_cell(cfg: TransferConfig, ctx) -> dict[str, float]:
    _check(cfg)
    steps = transfer_steps(cfg.mode)
    control = cfg.vocabulary == "benchmark"
    bench = load_deepmoji_benchmark(cfg.benchmark)
    ind = {"train": _subsample(bench.train_ind, cfg.max_train), "val": _subsample(bench.val_ind, cfg.max_val),
           "test": _subsample(bench.test_ind, cfg.max_test)}
    texts = {s: [bench.texts[i] for i in idx] for s, idx in ind.items()}
    max_len = _max_len(cfg, bench.texts)
    p = cfg.pretrain
    if control:
        tok = DeepMojiTokenizer(max_len, cfg.benchmark_vocab_size).build_vocab(texts["train"])
        base = {"vocab_size": len(tok), "embed_dim": p.embed_dim, "hidden": p.hidden,
                "embed_dropout": p.embed_dropout, "final_dropout": p.final_dropout}
        pretrained = None
    else:
        stage = pretrained_encoder(_pretrain(cfg), cfg.pretrain_seed, ctx)
        enc = load_pretrained(stage)  # refuses a vocabulary that is not the weights'
        tok = DeepMojiTokenizer(max_len, enc.tokenizer.vocab_size, enc.tokenizer.vocab)
        base = enc.model.config.to_dict()
        pretrained = None if cfg.mode == "new" else str(stage / "encoder.pt")
    kind = bench.task
    n_out = 1 if kind == "binary" else bench.n_classes
    arrays = {}
    for s in ind:
        tokens, lengths = tok.encode(texts[s])
        arrays[s] = {"tokens": tokens, "lengths": lengths, "label": bench.labels[ind[s]]}
    train = arrays["train"]
    if cfg.epoch_size > len(train["label"]):  # DeepMoji's fixed-size epochs on small training sets
        train = {k: np.resize(v, (cfg.epoch_size, *v.shape[1:])) for k, v in train.items()}
    objective = _Objective(kind)
    config = {**base, "n_classes": n_out}
    previous, best, kept = None, math.inf, 0
    for i, groups in enumerate(steps):
        build = _StepModel(config, tuple(groups), pretrained, tok.vocab_hash(), previous)
        step = i if cfg.mode == "chain-thaw" else None
        lr = transfer_lr(cfg.mode, step)
        problem = FitProblem(build, train, arrays["val"], objective.loss, objective.evaluate,
                             param_groups=functools.partial(deepmoji_param_groups, cfg.mode, step, lr))
        settings = FitSettings(epochs=cfg.epochs, batch_size=cfg.batch_size, lr=lr, patience=cfg.patience,
                               seed=ctx.seed)
        # a chain-thaw step's per-epoch metrics are `step2.val_loss`, so the steps do not overlap
        step_ctx = ctx if len(steps) == 1 else ctx.with_metric_prefix(f"step{i}.")
        result = step_ctx.fit(problem, settings, name=f"step{i}")
        # DeepMoji's one checkpoint across all steps: a step that does not lower the best
        # validation loss so far leaves the weights as they were.
        if result.best_value < best or previous is None:
            best, kept = result.best_value, kept + 1
            previous = _save(result.model.state_dict(), ctx.work_dir / "chain" / f"step{i}.pt")
    model = _StepModel(config, tuple(LAYER_GROUPS), previous=previous)()
    model.eval()
    val_p, test_p = objective.probabilities(model, arrays["val"]), objective.probabilities(model, arrays["test"])
    val_y, test_y = arrays["val"]["label"], arrays["test"]["label"]
    f1 = class_averaged_f1(test_p, test_y, tune_class_thresholds(val_p, val_y, DEEPMOJI_THRESHOLDS))
    metrics = {"f1": f1, "best_val_loss": best, "steps_kept": float(kept), "max_len": float(max_len),
               "n_train": float(len(ind["train"])), "n_test": float(len(test_y)),
               "oov_rate": float((arrays["test"]["tokens"] == 1).sum() / max(1, arrays["test"]["lengths"].sum()))}
    if kind != "multilabel":
        pred = (test_p > 0.5).astype(np.int64) if kind == "binary" else test_p.argmax(axis=1)
        metrics["accuracy"] = float((pred == test_y).mean())
    metrics["score"] = metrics["accuracy"] if cfg.benchmark in ACCURACY_BENCHMARKS else f1
    return metrics


# version 2: DeepMoji's per-layer rates in every mode (the head at 1e-3 in `full`) and its embedding L2
DEEPMOJI_TRANSFER = Task("deepmoji_transfer", TransferConfig, run_cell, data_sha256s, prepare, version=2)

__all__ = ["ACCURACY_BENCHMARKS", "TransferConfig"]

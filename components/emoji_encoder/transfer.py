"""Transfer of a pretrained DeepMoji encoder to a new task: what trains, at which rate,
and how the class-averaged F1 benchmarks are scored. Pure torch/numpy; the training
loop, checkpoint reloading between chain-thaw steps and early stopping live elsewhere.

Modes (DeepMoji, section 3.3):

* `last`       - the pretrained encoder is frozen; only the new softmax layer trains.
* `full`       - the pretrained encoder and the new softmax layer all train.
* `new`        - everything trains *from random initialisation*: the caller builds a
                 fresh `DeepMojiEncoder` instead of loading pretrained weights (see
                 `uses_pretrained`). It is the no-pretraining baseline.
* `chain-thaw` - a sequence of steps, each trained to early stopping with the best
                 checkpoint reloaded before the next: the new softmax layer, then each
                 layer alone from input to output, then everything together.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .model import LAYER_GROUPS, DeepMojiEncoder

TRANSFER_MODES: tuple[str, ...] = ("last", "full", "new", "chain-thaw")
EMBED_L2 = 1e-6  # DeepMoji's L2 penalty on the embedding, the only layer regularised so
HEAD_LR, ENCODER_LR = 1e-3, 1e-4  # a random head learns fast; pretrained layers gently
# DeepMoji's threshold grid, meaningful only for sigmoid probabilities.
DEEPMOJI_THRESHOLDS = np.round(np.arange(0.01, 0.5, 0.01), 2)


def chain_thaw_schedule() -> list[tuple[str, ...]]:
    """New head first, then each layer alone (input to output), then all layers."""
    return [("head",), ("embedding",), ("lstm1",), ("lstm2",), ("attention",), LAYER_GROUPS]


def _check_mode(mode: str) -> None:
    if mode not in TRANSFER_MODES:
        raise ValueError(f"unknown transfer mode {mode!r}; valid: {', '.join(TRANSFER_MODES)}")


def transfer_steps(mode: str) -> list[tuple[str, ...]]:
    """The trainable groups of each training stage; one stage except for chain-thaw."""
    _check_mode(mode)
    if mode == "chain-thaw":
        return chain_thaw_schedule()
    return [("head",)] if mode == "last" else [LAYER_GROUPS]


def trainable_groups(mode: str, step: int | None = None) -> tuple[str, ...]:
    """Layer groups that train in `step` (required for chain-thaw, else 0 or None)."""
    steps = transfer_steps(mode)
    if step is None:
        if mode == "chain-thaw":
            raise ValueError("chain-thaw needs a step (0..5)")
        step = 0
    if not 0 <= step < len(steps):
        raise ValueError(f"{mode} has steps 0..{len(steps) - 1}, got {step}")
    return steps[step]


def uses_pretrained(mode: str) -> bool:
    """Whether the encoder starts from pretrained weights (all modes but `new`)."""
    _check_mode(mode)
    return mode != "new"


def freeze_all_but(model: DeepMojiEncoder, groups: Sequence[str]) -> None:
    """requires_grad = True exactly for the parameters of `groups`."""
    layer_groups = model.layer_groups()
    unknown = set(groups) - set(layer_groups)
    if unknown:
        raise ValueError(f"unknown layer groups {sorted(unknown)}; valid: {list(layer_groups)}")
    grouped = {id(p) for params in layer_groups.values() for p in params}
    stray = [n for n, p in model.named_parameters() if id(p) not in grouped]
    if stray:  # a parameter outside every group would silently keep its old setting
        raise ValueError(f"parameters outside every layer group: {stray}")
    for name, params in layer_groups.items():
        for p in params:
            p.requires_grad_(name in groups)


def transfer_lr(mode: str, step: int | None = None, group: str = "lstm1") -> float:
    """DeepMoji's Adam learning rate for `group` in a mode/step.

    1e-3 wherever a layer learns from scratch (`new`, `last`, the head in `full` and in
    chain-thaw's first step), 1e-4 for pretrained layers and chain-thaw's later steps.
    """
    trainable_groups(mode, step)  # validates mode and step
    if mode in ("last", "new"):
        return HEAD_LR
    if mode == "full":
        return HEAD_LR if group == "head" else ENCODER_LR
    return HEAD_LR if step == 0 else ENCODER_LR


def adam_param_groups(model: DeepMojiEncoder, mode: str, step: int | None = None,
                      embed_l2: float = EMBED_L2) -> list[dict]:
    """Optimizer parameter groups for the currently trainable parameters (call after
    `freeze_all_but`), with DeepMoji's per-group rates and the embedding's L2."""
    out = []
    for name, params in model.layer_groups().items():
        trainable = [p for p in params if p.requires_grad]
        if trainable:
            out.append({"params": trainable, "lr": transfer_lr(mode, step, name),
                        "weight_decay": embed_l2 if name == "embedding" else 0.0,
                        "name": name})
    return out


# ---- class-averaged F1 -------------------------------------------------------------

def binary_f1(pred: np.ndarray, y: np.ndarray) -> float:
    """F1 of the positive class; 0 when there are no positives predicted or true."""
    pred, y = np.asarray(pred, bool), np.asarray(y, bool)
    tp = np.sum(pred & y)
    denom = pred.sum() + y.sum()
    return float(2 * tp / denom) if denom else 0.0


def tune_threshold(scores: np.ndarray, y: np.ndarray,
                   candidates: np.ndarray | None = None) -> float:
    """Threshold t maximising the F1 of `score > t` on validation data.

    Without `candidates` every distinct cut is tried (t halfway between neighbouring
    scores), which works for logits as well as probabilities; pass
    `DEEPMOJI_THRESHOLDS` for DeepMoji's grid. Ties go to the lowest threshold, as
    DeepMoji's argmax over an ascending grid does. With no positives the highest
    score is returned, so nothing is predicted positive.
    """
    scores, y = np.asarray(scores, np.float64).ravel(), np.asarray(y).ravel().astype(bool)
    if len(scores) != len(y) or len(scores) == 0:
        raise ValueError(f"need equally many scores and labels, got {len(scores)}, {len(y)}")
    if candidates is not None:
        cand = np.asarray(candidates, np.float64)
        f1 = [binary_f1(scores > t, y) for t in cand]
        return float(cand[int(np.argmax(f1))])
    if not y.any():
        return float(scores.max())
    order = np.argsort(-scores, kind="stable")
    s, hits = scores[order], np.cumsum(y[order])
    last = np.r_[s[1:] != s[:-1], True]  # cutting after each group of equal scores
    values, tp, n_pred = s[last], hits[last], np.flatnonzero(last) + 1
    f1 = 2 * tp / (n_pred + y.sum())
    best = len(f1) - 1 - int(np.argmax(f1[::-1]))  # the lowest threshold among ties
    if best + 1 < len(values):
        return float((values[best] + values[best + 1]) / 2)
    return float(np.nextafter(values[best], -np.inf))  # everything positive


def _columns(scores: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, C) scores and (N, C) 0/1 labels; class ids (N,) are one-hot encoded."""
    scores = np.asarray(scores, np.float64)
    scores = scores[:, None] if scores.ndim == 1 else scores
    y = np.asarray(y)
    if y.ndim == 1:
        y = y[:, None] if scores.shape[1] == 1 else np.eye(scores.shape[1], dtype=bool)[y]
    if y.shape != scores.shape:
        raise ValueError(f"scores {scores.shape} and labels {y.shape} do not align")
    return scores, y.astype(bool)


def tune_class_thresholds(scores: np.ndarray, y: np.ndarray,
                          candidates: np.ndarray | None = None) -> np.ndarray:
    """One `tune_threshold` per class column, on validation scores."""
    s, yy = _columns(scores, y)
    return np.array([tune_threshold(s[:, c], yy[:, c], candidates) for c in range(s.shape[1])])


def class_averaged_f1(scores: np.ndarray, y: np.ndarray,
                      thresholds: np.ndarray | float) -> float:
    """Mean over classes of the binary F1 of `scores[:, c] > thresholds[c]`.

    DeepMoji's metric for SE0714, Olympic, PsychExp, SCv1, SCv2-GEN: each class is a
    one-vs-rest binary problem with its own threshold tuned on validation. (DeepMoji
    trains a separate binary model per class; column c may come from such a model or
    from one multi-output model - the metric is the same.) `y` is (N, C) 0/1,
    or (N,) class ids, or (N,) 0/1 with (N,) or (N, 1) scores for a binary task.
    """
    s, yy = _columns(scores, y)
    t = np.broadcast_to(np.asarray(thresholds, np.float64), (s.shape[1],))
    return float(np.mean([binary_f1(s[:, c] > t[c], yy[:, c]) for c in range(s.shape[1])]))


"""Table 2 of "zero-shot hashtag recommendation": supervised classifiers, stratified k-fold.

One cell = one model, one fold (the cell's seed). Inside the fold's training part a stratified
`val_fraction` is held out (the inner validation split); everything that chooses anything looks
only at it, never at the fold's test tweets:

* the hyperparameter search (the paper's GridSearchCV): Optuna proposes `lr` and `dropout`,
  each a Ray Tune trial training `search_epochs` on the inner training split and scored by its
  inner-validation loss. One independent Optuna study per (model, fold), so no fold's choice
  ever saw another fold's tweets; a model's folds share one Tune run (`optuna_search_groups`:
  one start-up, reused trial actors) that the task's `prepare` runs in the driver, and each
  fold's result is a cached stage (`folds=` limits which folds are searched);
* early stopping of the final model, trained with the searched values on the inner training
  split, then scored once on the fold's test tweets.

Metrics: accuracy and macro precision, recall and F1 over the labels (sec. 7.1).

Floors (ours, not the paper's): `tfidf_logreg` and `w2v_logreg`, logistic regression on the
fold's TF-IDF or on each tweet's mean word2vec vector, C chosen on the same inner validation
split (components.classifiers.linear).
"""

from __future__ import annotations

import dataclasses
import functools
import tempfile
from pathlib import Path

import numpy as np
import torch

from components.classifiers.hashtag import HASHTAG_CLASSIFIERS, HashtagClassifierConfig
from components.classifiers.linear import linear_floor
from components.data.splits import stratified_folds, stratified_holdout
from components.training import ClassifyObjective, FitProblem, FitSettings
from experiments.zeroshot_hashtags.data import (
    HashtagData,
    ZeroShotConfig,
    data_stage,
    load_data,
)
from orchestration.search import apply_search, load_search, save_search
from orchestration.spec import SpecError, config_dict
from orchestration.stages import cached_stage, stage_dir

SEARCH_STAGE, SEARCH_VERSION = "zeroshot_search", 1
# Fields that change neither a fold's search nor its model.
# The floors: logistic regression on the same tweets (C chosen on the inner validation split).
LINEAR = {"tfidf_logreg": "tfidf", "w2v_logreg": "mean_vectors"}
NOT_SEARCHED = ("mode", "method", "split", "setting", "few_shot_min", "few_shot_max", "conse_top_t",
                "eszsl_gamma", "eszsl_lam", "eszsl_select", "dem_epochs", "dem_lr", "dem_weight_decay", "dem_select")


def classifier(cfg: ZeroShotConfig, n_classes: int, vocab_size: int, embeddings: np.ndarray | None):
    """A picklable factory of the row's model, embeddings initialised from word2vec."""
    if cfg.model not in HASHTAG_CLASSIFIERS:
        raise SpecError(f"model must be one of {', '.join(HASHTAG_CLASSIFIERS)}, got {cfg.model!r}")
    if cfg.w2v_dim % cfg.n_heads:
        raise SpecError(f"n_heads={cfg.n_heads} must divide w2v_dim={cfg.w2v_dim} (the transformer's width)")
    config = HashtagClassifierConfig(vocab_size, n_classes, cfg.w2v_dim, cfg.hidden, cfg.dropout,
                                     cfg.n_heads, cfg.n_layers, cfg.max_len)
    return functools.partial(HASHTAG_CLASSIFIERS.get(cfg.model), config, embeddings)


def fit_settings(cfg: ZeroShotConfig, seed: int, epochs: int | None = None) -> FitSettings:
    epochs = epochs or cfg.epochs
    return FitSettings(epochs=epochs, batch_size=cfg.batch_size, lr=cfg.lr, clip=5.0,
                       patience=cfg.patience if epochs == cfg.epochs else epochs, seed=seed)


def fold_split(cfg: ZeroShotConfig, labels: np.ndarray, fold: int) -> dict[str, np.ndarray]:
    """Indices of the fold's inner training, inner validation and test tweets."""
    if not 0 <= fold < cfg.n_folds:
        raise SpecError(f"fold (the cell's seed) must be in 0..{cfg.n_folds - 1}, got {fold}")
    folds = stratified_folds(labels, cfg.n_folds, cfg.split_seed)
    train = np.flatnonzero(folds != fold)
    held = stratified_holdout(labels[train], cfg.val_fraction, seed=cfg.split_seed + 1000 * (fold + 1))
    return {"train": train[~held], "val": train[held], "test": np.flatnonzero(folds == fold)}


def problem_for(cfg: ZeroShotConfig, data: HashtagData, split: dict[str, np.ndarray]) -> FitProblem:
    objective = ClassifyObjective()
    build = classifier(cfg, cfg.n_labels, len(data.embeddings), data.embeddings)
    return FitProblem(build_model=build, train=data.subset(split["train"]), val=data.subset(split["val"]),
                      loss=objective.loss, evaluate=objective.evaluate)


# ---- the search --------------------------------------------------------------------------

def search_space(cfg: ZeroShotConfig) -> dict:
    from ray import tune

    return {"lr": tune.loguniform(cfg.lr / 3, cfg.lr * 3), "dropout": tune.uniform(0.1, 0.6)}


def _search_key(cfg: ZeroShotConfig, fold: int) -> dict:
    own = {k: v for k, v in config_dict(cfg, include_execution=False).items() if k not in NOT_SEARCHED}
    return {**own, "fold": fold, "data": data_stage(cfg).name, "version": SEARCH_VERSION}


def search_trial(params: dict, cfg: ZeroShotConfig, data_dir: str) -> dict[str, float]:
    """One Tune trial of fold `params["group"]`: `search_epochs` on the fold's inner training
    split; the best inner-validation loss."""
    from orchestration.train import fit

    torch.set_num_threads(1)
    params = dict(params)
    fold = int(params.pop("group"))
    trial = dataclasses.replace(cfg, **params)
    data = load_data(trial, Path(data_dir))
    split = fold_split(trial, data.labels, fold)
    if 0 < trial.search_max_train < len(split["train"]):  # a fixed subset: every trial sees the same
        split["train"] = np.sort(np.random.default_rng(fold).permutation(split["train"])[:trial.search_max_train])
    with tempfile.TemporaryDirectory(prefix="zeroshot-search-") as tmp:
        result = fit(problem_for(trial, data, split), fit_settings(trial, seed=0, epochs=trial.search_epochs), tmp)
    best = next(h for h in result.history if h["epoch"] == result.best_epoch)
    return {"val_loss": float(result.best_value), "val_acc": float(best["val_acc"])}


def prepare_searches(cfg: ZeroShotConfig) -> None:
    """Driver side, once per row: the searches of the folds the table will run that have no
    finished stage yet, as one Tune run (one independent Optuna study per fold), then one
    stage per fold."""
    from orchestration.runtime import home
    from orchestration.search import optuna_search_groups

    if cfg.search_samples <= 0 or cfg.model in LINEAR:
        return
    bad = [f for f in cfg.folds if not 0 <= f < cfg.n_folds]
    if bad:
        raise SpecError(f"folds: {bad} are not folds of n_folds={cfg.n_folds}")
    todo = [f for f in (cfg.folds or range(cfg.n_folds))
            if not (stage_dir(SEARCH_STAGE, _search_key(cfg, f)) / ".complete").is_file()]
    if not todo:
        return
    name = f"zeroshot-search-{cfg.model}-{stage_dir(SEARCH_STAGE, _search_key(cfg, todo[0])).name}"
    with tempfile.TemporaryDirectory(prefix="zeroshot-search-", dir=home()) as tmp:
        results = optuna_search_groups(
            functools.partial(search_trial, cfg=cfg, data_dir=str(data_stage(cfg))), search_space(cfg),
            groups=todo, metric="val_loss", mode="min", num_samples=cfg.search_samples, seed=0,
            max_concurrent=2, cpus_per_trial=1.0, name=name, storage_path=Path(tmp))
    for f in todo:
        cached_stage(SEARCH_STAGE, _search_key(cfg, f), functools.partial(save_search, results[f]))


def tuned(cfg: ZeroShotConfig, fold: int) -> tuple[dict, Path | None]:
    """The fold's searched values ({} without a search) and the stage holding them."""
    if cfg.search_samples <= 0:
        return {}, None
    stage = stage_dir(SEARCH_STAGE, _search_key(cfg, fold))
    return load_search(stage, f"no finished search for {cfg.model}, fold {fold} ({stage}): it runs in the "
                              f"task's prepare for the folds in `folds` (now {cfg.folds or 'every fold'})"), stage


# ---- the cell ----------------------------------------------------------------------------

def macro_scores(gold: np.ndarray, pred: np.ndarray, n_labels: int) -> dict[str, float]:
    """Accuracy and macro P, R, F1 over every label (a label never predicted has P = 0)."""
    from sklearn.metrics import precision_recall_fscore_support

    p, r, f, _ = precision_recall_fscore_support(gold, pred, labels=np.arange(n_labels), average="macro",
                                                 zero_division=0)
    return {"accuracy": float((gold == pred).mean()), "precision": float(p), "recall": float(r), "f1": float(f)}


def fold_metrics(cfg: ZeroShotConfig, data: HashtagData, split: dict[str, np.ndarray],
                 scores: np.ndarray) -> dict[str, float]:
    """A fold's test scores, its majority-class floor and its sizes."""
    gold = data.labels[split["test"]]
    majority = np.bincount(data.labels[split["train"]], minlength=cfg.n_labels).argmax()
    return {**macro_scores(gold, scores.argmax(1), cfg.n_labels),
            "majority_accuracy": float((gold == majority).mean()),  # the floor a model must beat
            "n_train": float(len(split["train"])), "n_val": float(len(split["val"])), "n_test": float(len(gold))}


def run_linear(cfg: ZeroShotConfig, data: HashtagData, split: dict[str, np.ndarray]) -> dict[str, float]:
    a = data.arrays
    scores, c = linear_floor(LINEAR[cfg.model], a["tokens"], a["lengths"], data.labels, split["train"],
                             split["val"], split["test"], cfg.n_labels, data.embeddings, seed=cfg.split_seed)
    return {**fold_metrics(cfg, data, split, scores), "chosen_c": c}


def run_supervised(cfg: ZeroShotConfig, ctx) -> dict[str, float]:
    fold = ctx.seed
    data = load_data(cfg)
    split = fold_split(cfg, data.labels, fold)
    if cfg.model in LINEAR:
        return run_linear(cfg, data, split)
    best, stage = tuned(cfg, fold)
    extra: dict[str, float] = {}
    if best:
        cfg = apply_search(cfg, best, stage, ctx)
        extra = {"search_val_loss": best["val_loss"], **{f"tuned_{k}": v for k, v in best["params"].items()}}
    result = ctx.fit(problem_for(cfg, data, split), fit_settings(cfg, seed=fold))
    scores = ClassifyObjective().scores(result.model, data.subset(split["test"]))
    return {**fold_metrics(cfg, data, split, scores), **extra, "best_epoch": float(result.best_epoch)}


__all__ = ["LINEAR", "fold_split", "macro_scores", "prepare_searches", "run_linear", "run_supervised",
           "search_trial"]

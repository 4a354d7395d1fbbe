"""DeepMoji-style pretraining on TweetEval's 20 emojis (or 20 words): one cell = one model, one seed.

Models: `deepmoji` trains (or reuses) the encoder stage of `experiments.deepmoji.encoder_stage` and
scores it on TweetEval's test split; `svm` is a TF-IDF linear SVM on the same tokens, a
check of the data and metric against TweetEval's published SVM; `majority` is the floor: every
test tweet gets the training split's label frequencies as scores (its top-1 the most frequent
label, its top-5 the five most frequent); `reference` computes nothing (a row that only carries
a published number). Scores: top-1, top-5 and macro-F1 over the 20
labels, TweetEval's official metric.
"""

from __future__ import annotations

import json
import time

import numpy as np
from sklearn.metrics import f1_score

from components.metrics import hit_at_k
from components.text import bow_featurizer
from components.training import ClassifyObjective
from experiments.deepmoji.encoder_stage import (
    PretrainConfig,
    check_config,
    load_pretrained,
    load_split,
    pretrained_encoder,
    pretraining_data,
    verify_data,
)
from orchestration.spec import SpecError
from orchestration.task import Task

MODELS = ("deepmoji", "svm", "majority", "reference")


def data_sha256s(cfg: PretrainConfig) -> dict[str, str]:
    if cfg.model not in MODELS:
        raise SpecError(f"model must be one of {', '.join(MODELS)}, got {cfg.model!r}")
    check_config(cfg)
    return verify_data()  # raises DataError when a TweetEval file is not the pinned one


def prepare(cfg: PretrainConfig) -> None:
    if cfg.model != "reference":
        pretraining_data(cfg)  # tokenised once in the driver, not once per cell


def _scores(gold: np.ndarray, scores: np.ndarray, n_labels: int) -> dict[str, float]:
    pred = scores.argmax(axis=1)
    return {"top1": hit_at_k(scores, gold, 1), "top5": hit_at_k(scores, gold, 5),
            "macro_f1": float(f1_score(gold, pred, labels=range(n_labels), average="macro",
                                       zero_division=0)),
            "n_test": float(len(gold))}


def _svm_scores(cfg: PretrainConfig, data, n_labels: int) -> np.ndarray:
    from sklearn.svm import LinearSVC

    def docs(split):  # token ids as strings: the same tokens the encoder reads
        a = load_split(data, split)
        return a, [[str(t) for t in row[:n]] for row, n in zip(a["tokens"], a["lengths"], strict=True)]

    (train, train_docs), (_, test_docs) = docs("train"), docs("test")
    vec = bow_featurizer("tfidf", ngram_range=(1, 2), min_df=2)
    clf = LinearSVC(C=cfg.svm_c).fit(vec.fit_transform(train_docs), train["label"])
    scores = np.full((len(test_docs), n_labels), -np.inf)
    decision = clf.decision_function(vec.transform(test_docs))
    scores[:, clf.classes_] = decision if decision.ndim == 2 else np.c_[-decision, decision]
    return scores


def run_cell(cfg: PretrainConfig, ctx) -> dict[str, float]:
    if cfg.model == "reference":
        return {}
    data = pretraining_data(cfg)
    meta = json.loads((data / "meta.json").read_text())
    n_labels = len(meta["labels"])
    test = load_split(data, "test")
    if cfg.model == "svm":
        return {**_scores(test["label"], _svm_scores(cfg, data, n_labels), n_labels),
                "n_train": float(meta["sizes"]["train"])}
    if cfg.model == "majority":
        counts = np.bincount(load_split(data, "train")["label"], minlength=n_labels).astype(float)
        return {**_scores(test["label"], np.tile(counts, (len(test["label"]), 1)), n_labels),
                "n_train": float(meta["sizes"]["train"])}
    start = time.time()
    stage = pretrained_encoder(cfg, ctx.seed, ctx)
    enc = load_pretrained(stage)
    info = enc.info
    metrics = _scores(test["label"], ClassifyObjective().scores(enc.model, test), n_labels)
    return {**metrics, "n_train": float(meta["sizes"]["train"]), "best_epoch": float(info["best_epoch"]),
            "best_val_loss": float(info["best_val_loss"]), "pretrain_seconds": time.time() - start}


DEEPMOJI_PRETRAIN = Task("deepmoji_pretrain", PretrainConfig, run_cell, data_sha256s, prepare)


__all__ = ["MODELS", "PretrainConfig"]

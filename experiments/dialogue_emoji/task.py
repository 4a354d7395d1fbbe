"""Emoji recommendation in multi-turn dialogue: one cell = one model, one seed.

Rows: S-BOW / F-BOW (TF-IDF + logistic regression on the reply / the whole dialogue),
S-LSTM / F-LSTM / H-LSTM. The dataset (chitchat-dataset, emoticons as labels) is a
cached stage built once per table.

The task, as the paper's: with `classes` = k, the k most used emoticons with the same number
of examples each (`per_class`; 0: as many as the k-th has), so chance is 1/k; with `classes` 0
all ten at their natural balance. The split: with `cv_folds` = K, K-fold cross-validation grouped
by `cv_group` (the reply's speaker, or its conversation), the cell's seed naming its test fold (so
the ± over seeds covers data variation) and a grouped tenth of the rest its validation. Grouped by
speaker, the training examples of a conversation that has a reply in the test fold are left out
too (its other speaker's replies), so neither a speaker nor a conversation is on both sides; with
`cv_folds` 0 a fixed 80:10:10 split stratified by class, example by example (the seed then only
changes initialisation and batch order; examples of one conversation, and nearly always of one
speaker, land on both sides).

Floors logged by every cell: chance (1/k), the training majority class, and the speaker's
habit: each test reply's speaker's most used emoticon in the training part (the majority
class for a speaker unseen there), which a split that shares speakers rewards.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from components.classifiers.dialogue import HierarchicalLSTM, SequenceLSTM
from components.data.chitchat import (
    CHITCHAT_SHA256,
    DIALOGUE_EMOTICON_NAMES,
    DIALOGUE_EMOTICONS,
    dialogue_examples,
    load_chitchat_dialogues,
)
from components.data.splits import balanced_sample, grouped_folds, purge_shared
from components.metrics import hit_at_k, mrr
from components.text import TweetTokenizer, Vocabulary, bow_featurizer, pad_sequences
from components.training import FitProblem, FitSettings
from orchestration.spec import RunSettings, SpecError
from orchestration.stages import cached_stage
from orchestration.task import Task

MODELS = ("s_bow", "f_bow", "s_lstm", "f_lstm", "h_lstm")
MAX_TURNS = 4  # the reply and up to 3 turns of context
CV_GROUPS = ("speaker", "conversation")


@dataclass(frozen=True)
class DialogueConfig(RunSettings):
    model: str = "h_lstm"        # one of MODELS
    max_examples: int = 0        # 0: every example; smoke scale keeps a random sample
    classes: int = 0             # k most used emoticons, balanced; 0: all ten, natural balance
    per_class: int = 0           # examples per class when balanced; 0: as many as the k-th class has
    cv_folds: int = 0            # K-fold CV grouped by `cv_group`, seed = test fold; 0: fixed split
    cv_group: str = "speaker"    # what a fold keeps whole: "speaker" (and no shared conversation) or "conversation"
    split_seed: int = 0
    max_len: int = 50            # words per turn, as the paper
    min_count: int = 2           # rarer words are <unk>
    dim: int = 128               # embedding size = hidden size (the paper ties them)
    dropout: float = 0.5
    optimizer: str = "adadelta"  # the paper's AdaDelta, rho 0.95
    lr: float = 1.0
    batch_size: int = 32
    epochs: int = 30
    patience: int = 4
    bow_c: float = 1.0           # inverse regularisation of the BOW logistic regression

    def check(self) -> None:
        if self.cv_folds == 1:
            raise SpecError("cv_folds=1: expected 0 (a fixed split) or >= 2 (grouped cross-validation)")
        if self.cv_group not in CV_GROUPS:
            raise SpecError(f"cv_group={self.cv_group!r}: expected one of {', '.join(CV_GROUPS)}")
        if self.per_class and not self.classes:
            raise SpecError(f"per_class={self.per_class} needs classes >= 1 (the balanced task)")

    def check_seed(self, seed: int) -> None:
        if self.cv_folds and seed >= self.cv_folds:
            raise SpecError(f"seed {seed}: with cv_folds={self.cv_folds} a cell's seed is its test fold, "
                            f"0..{self.cv_folds - 1}")


def data_sha256s(cfg: DialogueConfig) -> dict[str, str]:
    load_chitchat_dialogues(verify=True)  # raises DataError when the file is not the pinned one
    return {"chitchat_dataset/dataset.json": CHITCHAT_SHA256}


def _stratified_split(labels: np.ndarray, seed: int) -> np.ndarray:
    """0 train / 1 validation / 2 test, 80:10:10 within each class."""
    rng = np.random.default_rng(seed)
    split = np.zeros(len(labels), dtype=np.int64)
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        n_val = n_test = int(round(0.1 * len(idx)))
        split[idx[:n_test]] = 2
        split[idx[n_test:n_test + n_val]] = 1
    return split


def _data_key(cfg: DialogueConfig) -> dict:
    return {"max_examples": cfg.max_examples, "split_seed": cfg.split_seed, "max_len": cfg.max_len,
            "min_count": cfg.min_count, "classes": cfg.classes, "per_class": cfg.per_class,
            "cv_folds": cfg.cv_folds, "data": CHITCHAT_SHA256, "version": 3,
            **({"cv_group": cfg.cv_group} if cfg.cv_folds else {})}


def _codes(values: list[str]) -> np.ndarray:
    return np.unique(np.array(values), return_inverse=True)[1].astype(np.int64)


def _build(cfg: DialogueConfig, out: Path) -> None:
    examples = dialogue_examples(load_chitchat_dialogues(verify=False, speakers=True))
    labels = np.array([e.label for e in examples])
    if cfg.max_examples and cfg.max_examples < len(examples):
        keep = np.sort(np.random.default_rng(cfg.split_seed).permutation(len(examples))[:cfg.max_examples])
        examples, labels = [examples[i] for i in keep], labels[keep]
    emoticons = list(range(len(DIALOGUE_EMOTICONS)))
    if cfg.classes:
        try:
            keep = balanced_sample(labels, cfg.classes, cfg.per_class, cfg.split_seed)
        except ValueError as e:
            raise SpecError(f"dialogue data ({len(examples)} examples): {e}") from None
        emoticons = sorted(set(labels[keep].tolist()), key=lambda c: (-(labels == c).sum(), c))
        examples = [examples[i] for i in keep]
        labels = np.array([emoticons.index(c) for c in labels[keep]])
    conversation, speaker = _codes([e.dialogue_id for e in examples]), _codes([e.speaker for e in examples])
    if cfg.cv_folds:
        groups = speaker if cfg.cv_group == "speaker" else conversation
        try:
            split = grouped_folds(groups, cfg.cv_folds, cfg.split_seed)  # a fold id; cells pick theirs
        except ValueError as e:
            raise SpecError(f"dialogue data ({len(set(groups.tolist()))} {cfg.cv_group}s): {e}") from None
    else:
        split = _stratified_split(labels, cfg.split_seed)
    tok = TweetTokenizer(lowercase=True, placeholders=True)
    turns = [[[] for _ in range(MAX_TURNS - 1 - len(e.context))]
             + [tok.tokenize(t)[:cfg.max_len] for t in e.context] + [tok.tokenize(e.reply)[:cfg.max_len]]
             for e in examples]
    # With folds the vocabulary is every example's (words only, no labels): a fold's test
    # words are in it, as any word of an unlabelled corpus could be.
    vocab = Vocabulary.build([w for i, d in enumerate(turns) if cfg.cv_folds or split[i] == 0 for w in d],
                             min_count=cfg.min_count)
    ids = [[vocab.encode(t) for t in d] for d in turns]
    reply, reply_len = pad_sequences([d[-1] for d in ids], max_len=cfg.max_len)
    flat, flat_len = pad_sequences([[w for t in d for w in t] for d in ids], max_len=cfg.max_len * MAX_TURNS)
    grid = np.zeros((len(ids), MAX_TURNS, cfg.max_len), dtype=np.int64)
    grid_len = np.zeros((len(ids), MAX_TURNS), dtype=np.int64)
    for i, d in enumerate(ids):
        for j, t in enumerate(d):
            grid[i, j, :len(t)] = t
            grid_len[i, j] = len(t)
    np.savez_compressed(out / "arrays.npz", label=labels, split=split, reply=reply, reply_len=reply_len,
                        flat=flat, flat_len=flat_len, turns=grid, turn_len=grid_len, conversation=conversation,
                        speaker=speaker)
    (out / "emoticons.json").write_text(json.dumps(emoticons))  # label i is DIALOGUE_EMOTICONS[emoticons[i]]
    (out / "tokens.json").write_text(json.dumps(turns))
    (out / "vocab.json").write_text(json.dumps(vocab.to_dict()))


def prepare(cfg: DialogueConfig) -> Path:
    return cached_stage("dialogue_data", _data_key(cfg), functools.partial(_build, cfg))


INPUTS = {"s_lstm": ("reply", "reply_len"), "f_lstm": ("flat", "flat_len"), "h_lstm": ("turns", "turn_len")}


@dataclass
class _Objective:
    """Loss and evaluation for one input layout; a picklable object for Ray Train workers."""

    inputs: tuple[str, str]

    def logits(self, model, batch) -> torch.Tensor:
        return model(batch[self.inputs[0]], batch[self.inputs[1]])

    def loss(self, model, batch) -> torch.Tensor:
        return F.cross_entropy(self.logits(model, batch), batch["label"])

    def scores(self, model, arrays: dict[str, np.ndarray], chunk: int = 512) -> np.ndarray:
        device = next(model.parameters()).device
        out = []
        with torch.no_grad():
            for s in range(0, len(arrays["label"]), chunk):
                batch = {k: torch.as_tensor(v[s:s + chunk]).to(device) for k, v in arrays.items()}
                out.append(self.logits(model, batch).float().cpu())
        return torch.cat(out).numpy()

    def evaluate(self, model, arrays: dict[str, np.ndarray]) -> dict[str, float]:
        scores = self.scores(model, arrays)
        loss = F.cross_entropy(torch.as_tensor(scores), torch.as_tensor(arrays["label"])).item()
        return {"val_loss": loss, "val_p_at_1": hit_at_k(scores, arrays["label"], 1)}


def _scores_bow(cfg: DialogueConfig, stage: Path, split: np.ndarray, n_classes: int) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    dialogues = json.loads((stage / "tokens.json").read_text())
    docs = [d[-1] if cfg.model == "s_bow" else [w for t in d for w in t] for d in dialogues]
    vec = bow_featurizer("tfidf")
    x_train = vec.fit_transform([docs[i] for i in np.flatnonzero(split == 0)])
    labels = np.load(stage / "arrays.npz")["label"]
    clf = LogisticRegression(C=cfg.bow_c, max_iter=2000)
    clf.fit(x_train, labels[split == 0])
    proba = clf.predict_proba(vec.transform([docs[i] for i in np.flatnonzero(split == 2)]))
    scores = np.full((proba.shape[0], n_classes), -np.inf)
    scores[:, clf.classes_] = proba  # classes missing from a small training split rank last
    return scores


def cell_split(cfg: DialogueConfig, arrays: dict[str, np.ndarray], seed: int) -> np.ndarray:
    """0 train / 1 validation / 2 test / -1 unused for this cell: the stage's fixed split, or with
    folds the cell's test fold (its seed) and a tenth of the other groups for validation; grouped by
    speaker, the other examples of the test fold's conversations are unused."""
    split = arrays["split"]
    if not cfg.cv_folds:
        return split
    groups = arrays["speaker"] if cfg.cv_group == "speaker" else arrays["conversation"]
    out = np.where(split == seed, 2, 0)
    if cfg.cv_group == "speaker":
        train = out == 0
        out[train & ~purge_shared(train, out == 2, arrays["conversation"])] = -1
    rest = np.flatnonzero(out == 0)
    inner = grouped_folds(groups[rest], 10, cfg.split_seed + 1 + seed)
    out[rest[inner == 0]] = 1
    return out


def speaker_habit(speakers: np.ndarray, labels: np.ndarray, split: np.ndarray, n_classes: int) -> np.ndarray:
    """Each test example's guess: its speaker's most used label in training (the training
    majority for a speaker unseen there)."""
    train = split == 0
    majority = np.bincount(labels[train], minlength=n_classes).argmax()
    habit = {}
    for s in np.unique(speakers[train]):
        habit[int(s)] = np.bincount(labels[train & (speakers == s)], minlength=n_classes).argmax()
    return np.array([habit.get(int(s), majority) for s in speakers[split == 2]])


def run_cell(cfg: DialogueConfig, ctx) -> dict[str, float]:
    if cfg.model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, got {cfg.model!r}")
    cfg.check_seed(ctx.seed)
    stage = prepare(cfg)
    arrays = dict(np.load(stage / "arrays.npz"))
    emoticons = json.loads((stage / "emoticons.json").read_text())
    n_classes = len(emoticons)
    split, labels = cell_split(cfg, arrays, ctx.seed), arrays["label"]
    speakers = arrays["speaker"]
    for k in ("split", "conversation", "speaker"):
        arrays.pop(k)
    if cfg.model.endswith("_bow"):
        scores = _scores_bow(cfg, stage, split, n_classes)
    else:
        vocab_size = len(Vocabulary.from_dict(json.loads((stage / "vocab.json").read_text())))
        keys = INPUTS[cfg.model]
        part = lambda s: {k: arrays[k][split == s] for k in (*keys, "label")}  # noqa: E731
        cls = HierarchicalLSTM if cfg.model == "h_lstm" else SequenceLSTM
        objective = _Objective(keys)
        problem = FitProblem(
            build_model=functools.partial(cls, vocab_size, n_classes, cfg.dim, cfg.dropout),
            train=part(0), val=part(1), loss=objective.loss, evaluate=objective.evaluate)
        settings = FitSettings(epochs=cfg.epochs, batch_size=cfg.batch_size, lr=cfg.lr,
                               optimizer=cfg.optimizer, clip=5.0, patience=cfg.patience, seed=ctx.seed)
        result = ctx.fit(problem, settings)
        scores = objective.scores(result.model, part(2))
    gold = labels[split == 2]
    majority = np.bincount(labels[split == 0], minlength=n_classes).argmax()
    metrics = {"chance_p_at_1": 1.0 / n_classes,  # the floors a model must beat
               "majority_p_at_1": float((gold == majority).mean()),
               "speaker_habit_p_at_1": float((speaker_habit(speakers, labels, split, n_classes) == gold).mean()),
               "p_at_1": hit_at_k(scores, gold, 1), "p_at_3": hit_at_k(scores, gold, 3),
               "mrr": mrr(scores, gold), "n_test": float(len(gold)), "n_train": float((split == 0).sum()),
               "n_left_out": float((split == -1).sum()),  # training examples sharing a test conversation
               "n_classes": float(n_classes)}
    top1 = scores.argmax(axis=1)
    for c, emoticon in enumerate(emoticons):
        name = DIALOGUE_EMOTICON_NAMES[emoticon].replace(" ", "_")
        mask = gold == c
        metrics[f"n_test_{name}"] = float(mask.sum())
        if mask.any():  # P@1 within the emoticon's own test examples
            metrics[f"p_at_1_{name}"] = float((top1[mask] == c).mean())
    return metrics


# version 3: balanced classes, folds grouped by conversation, the chance and speaker-habit floors;
# 4: folds grouped by speaker (cv_group), no conversation on both sides
DIALOGUE_EMOJI = Task("dialogue_emoji", DialogueConfig, run_cell, data_sha256s, prepare, version=4)

__all__ = ["DialogueConfig", "MODELS", "cell_split", "speaker_habit"]

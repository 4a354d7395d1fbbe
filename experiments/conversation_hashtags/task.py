"""Hashtags from conversations (the conversation paper's Tables 4-6): one cell = one model, one seed.

    python experiments/conversation_hashtags/table4.py --scale smoke

`model` picks the row: random | knn | lda | tfidf | extractor | classifier (baselines.py)
or seq2seq | dual (generators.py); `input` what a classifier, kNN or SEQ2SEQ reads
(post, conv, post_conv), `attend` what the dual encoder's decoder attends over (both, post,
conv), `copy` SEQ2SEQ-COPY. Data: conversation_hashtags_data.py (train on the public
validation split minus a holdout, test on the paper's test split).

Every cell scores its test posts the same way (`score`): each row's top-5 list of hashtags
against the gold ones. Weibo hashtags are compared as character strings (lower-cased,
whitespace removed, no stemming), so a prediction segmented differently from its gold
(`愚人节快乐` vs `愚人节 快乐`) still matches; ROUGE is character-level, as the paper. Outputs:
F1@1, F1@5, MAP@5, ROUGE-1, ROUGE-SU4 (Table 4; F1@5 and MAP@5 only for rows that rank),
ROUGE-1 on the test posts whose hashtags are all unseen in training (Table 5), and
`top1_correct.npy` for McNemar's test against OUR MODEL.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import numpy as np

from components.data import dataset_files, load_weibo_train_tags
from components.data.files import data_file
from components.metrics import f1_at_k, map_at_k, mean_hashtag_rouge, top1_correct
from experiments.conversation_hashtags.data import (
    DATASET,
    TEST,
    TRAIN,
    ArraysSpec,
    CorpusSpec,
    Post,
    arrays_stage,
    corpus_stage,
    load_arrays,
    load_corpus,
    load_coverage,
)
from orchestration.significance import TOP1_ARTIFACT
from orchestration.spec import RunSettings, SpecError
from orchestration.task import Task

MODELS = ("random", "knn", "lda", "tfidf", "extractor", "classifier", "seq2seq", "dual")
GENERATORS = ("seq2seq", "dual")
INPUTS = ("post", "conv", "post_conv")
ATTENDS = ("both", "post", "conv")


@dataclass(frozen=True)
class ConvHashtagConfig(RunSettings):
    model: str = "dual"            # one of MODELS
    input: str = "post"            # classifier / seq2seq: post | conv | post_conv
    attend: str = "both"           # dual: both | post | conv (the ablation's att-only models)
    copy: bool = False             # SEQ2SEQ-COPY
    max_train_posts: int = 0       # 0: the whole validation split (4,013 posts)
    max_test_posts: int = 0        # 0: the whole test split (4,014 posts)
    holdout_fraction: float = 0.1  # of the training posts: early stopping and the search
    split_seed: int = 0
    vocab_size: int = 50_000       # posts, conversations and hashtags share it (the paper's Weibo V)
    min_count: int = 1
    keep_tag_words: bool = True    # the vocabulary spells every training hashtag (else by rank only)
    max_post_len: int = 80         # words (99% of posts have at most 75)
    max_conv_len: int = 200        # words (median 20, 90% at most 110)
    max_tag_len: int = 10          # hashtag words, in training and in beam search
    embed_dim: int = 200           # also the classifier's and the tagger's embeddings
    hidden: int = 300              # GRU size per direction; the classifier's filters per width
    dropout: float = 0.1
    lr: float = 1e-3
    batch_size: int = 64
    epochs: int = 50               # a safety net: training stops on patience or the LR floor
    patience: int = 3              # epochs without a new best holdout loss
    lr_schedule: str = "worse"     # generators: halve the LR when holdout loss rises (the authors')
    lr_floor: float = 1e-5         # ... and stop once it falls under this
    beam: int = 20
    length_norm: bool = False      # rank hashtags by mean, not summed, log-probability (the authors': summed)
    bucket: bool = True            # generators: batches of posts of similar post (+ conversation) length
    search_samples: int = 0        # Optuna trials per generator row on the holdout; 0: no search
    search_epochs: int = 3         # epochs per trial (its best holdout loss is the objective)
    search_hidden: tuple[int, ...] = ()  # GRU sizes to try besides lr and dropout; () keeps `hidden`
    search_concurrency: int = 2    # trials at a time (each one CPU); 1 reuses one Tune actor throughout
    knn_neighbours: int = 10       # kNN VOTE: training posts whose hashtags vote
    lda_topics: int = 50
    lda_iter: int = 20
    cls_dropout: float = 0.5       # Gong & Zhang's CNN dropout
    cls_epochs: int = 100          # classifier and extractor (a safety net too): cheap epochs, slow to converge

    def corpus(self) -> CorpusSpec:
        return CorpusSpec(self.max_train_posts, self.max_test_posts, self.holdout_fraction, self.split_seed)

    def arrays(self) -> ArraysSpec:
        return ArraysSpec(self.corpus(), self.vocab_size, self.min_count, self.max_post_len,
                          self.max_conv_len, self.max_tag_len, self.keep_tag_words)


def check(cfg: ConvHashtagConfig) -> None:
    if cfg.model not in MODELS or cfg.input not in INPUTS or cfg.attend not in ATTENDS:
        raise SpecError(f"need model in {MODELS}, input in {INPUTS}, attend in {ATTENDS}; "
                        f"got {cfg.model!r}, {cfg.input!r}, {cfg.attend!r}")
    if min(cfg.beam, cfg.max_tag_len, cfg.max_post_len, cfg.max_conv_len, cfg.epochs, cfg.cls_epochs,
           cfg.knn_neighbours) < 1:
        raise SpecError("beam, max_tag_len, max_post_len, max_conv_len, epochs, cls_epochs and knn_neighbours "
                        "must be >= 1")
    if cfg.search_samples < 0 or (cfg.search_samples and min(cfg.search_epochs, cfg.search_concurrency) < 1):
        raise SpecError("search_samples must be >= 0, search_epochs and search_concurrency >= 1")
    cfg.corpus().check()


def data_sha256s(cfg: ConvHashtagConfig) -> dict[str, str]:
    """sha256-check the files and parse them (misaligned files fail here, before MLflow)."""
    check(cfg)
    out = {f.path: f.sha256 for f in dataset_files(DATASET)}
    for path in out:
        data_file(path)
    corpus_stage(cfg.corpus())
    return out


def prepare(cfg: ConvHashtagConfig) -> None:
    """Driver side, once per distinct config: the arrays and, for a generator, its search."""
    from experiments.conversation_hashtags.generators import search_stage

    check(cfg)
    if cfg.model in GENERATORS and cfg.search_samples:
        search_stage(cfg)
    elif cfg.model in ("extractor", "classifier", *GENERATORS):
        arrays_stage(cfg.arrays())


# ---- scoring ----------------------------------------------------------------------------

def weibo_tag(tag: str) -> str:
    """A Weibo hashtag as compared: lower-cased characters, whitespace (segmentation) removed."""
    return "".join(tag.lower().split())


def score(preds: list[list[str]], golds: list[list[str]], ranked: bool = True) -> dict[str, float]:
    """F1@1, ROUGE-1 and ROUGE-SU4 of the top-1 (character level), and for rankings F1@5, MAP@5."""
    p = [[weibo_tag(t) for t in ts] for ts in preds]
    g = [[weibo_tag(t) for t in ts] for ts in golds]
    top1 = [ts[0] if ts else None for ts in preds]
    out = {"f1_at_1": f1_at_k(p, g, 1, stem=False),
           "rouge1": mean_hashtag_rouge(top1, golds, "rouge1", "zh"),
           "rouge_su4": mean_hashtag_rouge(top1, golds, "su4", "zh")}
    if ranked:
        out |= {"f1_at_5": f1_at_k(p, g, 5, stem=False), "map_at_5": map_at_k(p, g, 5, stem=False)}
    return out


def unseen_masks(posts: list[Post], split: np.ndarray, test: np.ndarray) -> dict[str, np.ndarray]:
    """Test posts whose every hashtag is absent from the validation split the models learned
    from (`unseen`), and also from the paper's own training hashtags (`unseen_paper`)."""
    seen = {weibo_tag(t) for i in np.flatnonzero(split != TEST) for t in posts[i].tags}
    either = seen | {weibo_tag(t) for tags in load_weibo_train_tags() for t in tags}
    unseen = np.array([all(weibo_tag(t) not in seen for t in posts[i].tags) for i in test])
    both = np.array([all(weibo_tag(t) not in either for t in posts[i].tags) for i in test])
    return {"unseen": unseen, "unseen_paper": both}


@dataclass
class Data:
    """What every model reads: the posts, their splits, and for neural models the arrays."""

    posts: list[Post]
    split: np.ndarray
    arrays: dict[str, np.ndarray] | None = None
    vocab: object | None = None

    @property
    def test(self) -> np.ndarray:
        return np.flatnonzero(self.split == TEST)

    @property
    def train(self) -> np.ndarray:
        return np.flatnonzero(self.split == TRAIN)


def run_cell(cfg: ConvHashtagConfig, ctx) -> dict[str, float]:
    from experiments.conversation_hashtags import baselines as conversation_baselines
    from experiments.conversation_hashtags import generators as conversation_generators

    check(cfg)
    posts, split = load_corpus(corpus_stage(cfg.corpus()))
    data = Data(posts, split)
    coverage = {}
    if cfg.model in ("extractor", "classifier", *GENERATORS):
        stage = arrays_stage(cfg.arrays())
        data.arrays, data.vocab = load_arrays(stage)
        coverage = load_coverage(stage) if cfg.model in GENERATORS else {}
    start = time.time()
    if cfg.model in GENERATORS:
        preds, extra = conversation_generators.predict(cfg, ctx, data)
    else:
        preds, extra = conversation_baselines.predict(cfg, ctx, data)
    test = data.test
    golds = [posts[i].tags for i in test]
    ranked = cfg.model != "extractor"  # the extractor answers one span, not a ranking
    metrics = {**score(preds, golds, ranked), **extra, **coverage, "n_test": float(len(test)),
               "n_train_posts": float(len(data.train)), "model_seconds": time.time() - start}
    for name, mask in unseen_masks(posts, split, test).items():  # Table 5
        idx = np.flatnonzero(mask)
        metrics[f"n_test_{name}"] = float(len(idx))
        if len(idx):
            metrics[f"rouge1_{name}"] = mean_hashtag_rouge([preds[i][0] if preds[i] else None for i in idx],
                                                           [golds[i] for i in idx], "rouge1", "zh")
    ctx.work_dir.mkdir(parents=True, exist_ok=True)
    np.save(ctx.work_dir / TOP1_ARTIFACT, top1_correct(preds, golds, weibo_tag))
    lines = [json.dumps({"test_line": posts[i].line, "gold": g, "top5": p[:5]}, ensure_ascii=False)
             for i, g, p in zip(test, golds, preds, strict=True)]
    (ctx.work_dir / "predictions.jsonl").write_text("\n".join(lines) + "\n")
    for name in (TOP1_ARTIFACT, "predictions.jsonl"):
        ctx.log_artifact(ctx.work_dir / name)
    return metrics


# version 2: RANDOM frequency-weighted, the vocabulary keeps every training hashtag word, generators
# trained to convergence (LR halved on a rise), no-length-norm decoding scored beside ours;
# version 3: the authors' summed-log-probability ranking by default, length-bucketed batches
CONVERSATION_HASHTAGS = Task("conversation_hashtags", ConvHashtagConfig, run_cell, data_sha256s, prepare,
                             version=3)

__all__ = ["ATTENDS", "GENERATORS", "INPUTS", "MODELS", "ConvHashtagConfig", "Data", "check",
           "score", "unseen_masks", "weibo_tag"]

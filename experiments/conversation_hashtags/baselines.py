"""The baseline rows of the conversation paper's Table 4 on the Weibo data.

- RANDOM: hashtags drawn per post (cell seed) from the training part's hashtag occurrences,
  so frequent ones come up more often (the paper's definition), without repeats;
- TF-IDF: the post's word n-grams (n <= 5), document frequencies over the training and
  test posts (no labels are read);
- kNN VOTE (our floor, not the paper's): the hashtags of the post's `knn_neighbours` TF-IDF
  nearest training posts (reading the post, or the post and its conversation), voted by
  cosine similarity: training-free, so a trained row below it learned no more than overlap;
- LDA: scikit-learn LDA fitted on the training posts; a test post's words by p(w | post);
- CLASSIFIER: an attention CNN (Gong & Zhang, 2016) over the training part's hashtags,
  reading the post (`input=post`) or the post followed by its conversation (`post_conv`),
  early-stopped on the holdout pairs whose hashtag it knows; the 5 most probable hashtags;
- EXTRACTOR: a B/I/O tagger of post words with a memory network over the conversation
  (components.hashtag_baselines.extractor), trained on the training posts whose hashtag
  occurs in them as a word run (a post without one teaches a tagger only "O"); its answer
  is its best tagged span (or, when it tags none, the likeliest span to begin at a word),
  one answer per post: as in the paper it ranks nothing (no F1@5, MAP).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from components.generators import concat_padded
from components.hashtag_baselines import (
    BIO_O,
    AttentionCNN,
    LdaWordRanker,
    MemoryTagger,
    TfidfNeighbourVote,
    TfidfNgramRanker,
    best_span,
    bio_labels,
    frequency_weighted_rankings,
)
from components.training import FitProblem, FitSettings
from experiments.conversation_hashtags.data import HOLDOUT, TEST, TRAIN
from orchestration.spec import SpecError

K = 5  # the longest ranking any metric reads (F1@5, MAP@5)
IGNORE = -100  # label of a padding position (cross_entropy's ignore_index)


def _settings(cfg, seed: int) -> FitSettings:
    return FitSettings(epochs=cfg.cls_epochs, batch_size=cfg.batch_size, lr=cfg.lr,
                       patience=cfg.patience, seed=seed)


@dataclass
class _Inputs:
    """Padded post and conversation ids of every post; batches carry post indices."""

    post: np.ndarray
    post_len: np.ndarray
    conv: np.ndarray
    conv_len: np.ndarray
    with_conv: bool

    def text(self, idx: np.ndarray, device) -> tuple[torch.Tensor, torch.Tensor]:
        """The classifier's input: the post, or the post followed directly by its conversation."""
        pw = max(int(self.post_len[idx].max()), 1)
        src, src_len = torch.as_tensor(self.post[idx, :pw]), torch.as_tensor(self.post_len[idx])
        if self.with_conv:
            cw = max(int(self.conv_len[idx].max()), 1)
            src, src_len = concat_padded(src, src_len, torch.as_tensor(self.conv[idx, :cw]),
                                         torch.as_tensor(self.conv_len[idx]))
        return src.to(device), src_len

    def classifier_loss(self, model, batch) -> torch.Tensor:
        return F.cross_entropy(model(*self.text(batch["post"].cpu().numpy(), batch["label"].device)), batch["label"])

    def tagger_logits(self, model, idx: np.ndarray, device) -> torch.Tensor:
        pw = max(int(self.post_len[idx].max()), 1)
        cw = max(int(self.conv_len[idx].max()), 1)
        return model(torch.as_tensor(self.post[idx, :pw]).to(device), torch.as_tensor(self.post_len[idx]),
                     torch.as_tensor(self.conv[idx, :cw]).to(device), torch.as_tensor(self.conv_len[idx]))

    def tagger_loss(self, model, batch) -> torch.Tensor:
        labels = batch["labels"]
        logits = self.tagger_logits(model, batch["post"].cpu().numpy(), labels.device)
        return F.cross_entropy(logits.reshape(-1, 3), labels[:, : logits.size(1)].reshape(-1), ignore_index=IGNORE)

    def mean_loss(self, loss, model, arrays: dict[str, np.ndarray], chunk: int = 256) -> dict[str, float]:
        n = len(arrays["post"])
        total = sum(float(loss(model, {k: torch.as_tensor(v[s:s + chunk]) for k, v in arrays.items()}))
                    * len(arrays["post"][s:s + chunk]) for s in range(0, n, chunk))
        return {"val_loss": total / max(n, 1)}


def _inputs(data, with_conv: bool) -> _Inputs:
    a = data.arrays
    return _Inputs(a["post"], a["post_len"], a["conv"], a["conv_len"], with_conv)


def predict_classifier(cfg, ctx, data) -> tuple[list[list[str]], dict[str, float]]:
    labels = sorted({t for i in data.train for t in data.posts[i].tags})
    index = {t: j for j, t in enumerate(labels)}

    def pairs(code: int) -> dict[str, np.ndarray]:
        rows = [(i, index[t]) for i in np.flatnonzero(data.split == code) for t in data.posts[i].tags if t in index]
        return {"post": np.array([r[0] for r in rows], dtype=np.int64), "label": np.array([r[1] for r in rows])}

    train, val = pairs(TRAIN), pairs(HOLDOUT)
    if not len(val["post"]):
        raise SpecError("no holdout post has a hashtag seen in training, so the classifier cannot early-stop; "
                        "raise max_train_posts or holdout_fraction")
    inp = _inputs(data, cfg.input == "post_conv")
    build = functools.partial(AttentionCNN, len(data.vocab), len(labels), cfg.embed_dim, cfg.hidden,
                              dropout=cfg.cls_dropout)
    problem = FitProblem(build, train, val, inp.classifier_loss,
                         functools.partial(inp.mean_loss, inp.classifier_loss))
    result = ctx.fit(problem, _settings(cfg, ctx.seed))
    model, preds = result.model.eval(), []
    with torch.no_grad():
        for s in range(0, len(data.test), 256):
            logits = model(*inp.text(data.test[s:s + 256], "cpu"))
            preds.extend([[labels[j] for j in row] for row in logits.topk(min(K, len(labels)), 1).indices.tolist()])
    return preds, {"best_epoch": float(result.best_epoch), "n_labels": float(len(labels))}


def predict_extractor(cfg, ctx, data) -> tuple[list[list[str]], dict[str, float]]:
    width = data.arrays["post"].shape[1]
    labels = np.full((len(data.posts), width), IGNORE, dtype=np.int64)
    for i, p in enumerate(data.posts):
        tags = bio_labels(p.post[:width], p.tags)
        labels[i, :len(tags)] = tags
    has_span = (labels > BIO_O).any(1)
    train = np.flatnonzero((data.split == TRAIN) & has_span)
    holdout = np.flatnonzero((data.split == HOLDOUT) & has_span)
    if not len(train):
        raise SpecError("no training post contains one of its hashtags, so the extractor has nothing to learn")
    if not len(holdout):  # a tiny holdout may hold no span: early-stop on its all-"O" posts
        holdout = np.flatnonzero(data.split == HOLDOUT)
    inp = _inputs(data, True)
    build = functools.partial(MemoryTagger, len(data.vocab), cfg.embed_dim, cfg.hidden, cfg.dropout)
    problem = FitProblem(build, {"post": train, "labels": labels[train]}, {"post": holdout, "labels": labels[holdout]},
                         inp.tagger_loss, functools.partial(inp.mean_loss, inp.tagger_loss))
    result = ctx.fit(problem, _settings(cfg, ctx.seed))
    model, preds = result.model.eval(), []
    with torch.no_grad():
        for s in range(0, len(data.test), 256):
            idx = data.test[s:s + 256]
            probs = torch.softmax(inp.tagger_logits(model, idx, "cpu"), -1).numpy()
            for i, pr in zip(idx, probs, strict=True):
                n = min(len(data.posts[i].post), width)
                span = best_span(pr[:n]) if n else None
                preds.append([" ".join(data.posts[i].post[span[0]:span[1]])] if span else [])
    return preds, {"best_epoch": float(result.best_epoch), "n_train_posts_with_span": float(len(train)),
                   "extracted_share": float(np.mean([bool(p) for p in preds]))}


def predict(cfg, ctx, data) -> tuple[list[list[str]], dict[str, float]]:
    posts, test = data.posts, data.test
    if cfg.model == "random":
        occurrences = [t for i in data.train for t in posts[i].tags]
        return (frequency_weighted_rankings(occurrences, len(test), K, ctx.seed),
                {"n_candidates": float(len(set(occurrences)))})
    if cfg.model == "knn":
        def text(i: int) -> list[str]:
            return posts[i].post + posts[i].conv if cfg.input == "post_conv" else posts[i].post

        vote = TfidfNeighbourVote(cfg.knn_neighbours).fit([text(i) for i in data.train],
                                                          [posts[i].tags for i in data.train])
        return vote.rank([text(i) for i in test], K), {}
    if cfg.model == "tfidf":
        corpus = [posts[i].post for i in np.flatnonzero(np.isin(data.split, (TRAIN, TEST)))]
        return TfidfNgramRanker(5).rank([posts[i].post for i in test], corpus, K), {}
    if cfg.model == "lda":
        lda = LdaWordRanker(cfg.lda_topics, cfg.lda_iter, seed=ctx.seed).fit([posts[i].post for i in data.train])
        return lda.rank([posts[i].post for i in test], K), {}
    if cfg.model == "classifier":
        return predict_classifier(cfg, ctx, data)
    if cfg.model == "extractor":
        return predict_extractor(cfg, ctx, data)
    raise SpecError(f"{cfg.model!r} is not a baseline")


__all__ = ["predict", "predict_classifier", "predict_extractor"]

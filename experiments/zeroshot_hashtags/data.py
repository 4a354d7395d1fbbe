"""Zero-shot hashtag recommendation: the config shared by its three tables, and two cached stages.

* `zeroshot_word2vec/<key>`: skip-gram word2vec (gensim) on every tweeteval_emoji tweet
  (train + val + test, hashtags kept as `#tag` tokens), keyed by the word2vec fields and the
  data's sha256s. Unsupervised, as the paper's (trained on all its tweets, before any split).
* `zeroshot_hashtags_data/<key>`: the labelled examples (`components.data.hashtag_corpus`),
  padded token ids, the vocabulary, its embedding matrix initialised from word2vec and the
  label embeddings (`components.text.word2vec.label_embeddings`); keyed by the data fields
  and the word2vec stage's key.

Both are built once in the driver (the task's `prepare`) and only read by cells.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from components.data import data_file, dataset_sha256s, load_tweeteval_emoji
from components.data.hashtag_corpus import build_hashtag_corpus, corpus_tokens
from components.text import HashtagSegmenter, Vocabulary, pad_sequences
from components.text.word2vec import WordVectors, embedding_matrix, label_embeddings, train_word2vec
from orchestration.spec import RunSettings, execution
from orchestration.stages import cached_stage, stage_dir

W2V_STAGE, DATA_STAGE = "zeroshot_word2vec", "zeroshot_hashtags_data"
W2V_VERSION, DATA_VERSION = 1, 2
DATASET = "tweeteval_emoji"
W2V_MODEL = "zeroshot-word2vec"  # its MLflow registered model: one version per stage key

log = logging.getLogger("emojitags.zeroshot")


@dataclass(frozen=True)
class ZeroShotConfig(RunSettings):
    mode: Literal["stats", "supervised", "zeroshot"] = "supervised"
    # data: the most used hashtags as labels (sec. 3)
    n_labels: int = 50
    min_label_tweets: int = 100      # the paper's 200 on 321k tweets; 100 here on 100k
    min_words: int = 3               # shorter cleaned tweets are dropped (paper: 5, longer tweets)
    max_per_label: int = 0           # 0: every example; smoke keeps a few per label
    max_len: int = 30                # words per tweet fed to a classifier
    # word2vec (sec. 4): skip-gram, 150-d
    w2v_dim: int = 150
    w2v_window: int = 5
    w2v_min_count: int = 3
    w2v_epochs: int = 5
    w2v_max_tweets: int = 0          # 0: every tweet; smoke trains on a sample
    w2v_workers: int = execution(2)
    label_min_count: int = 20        # rarer hashtags get the mean of their segmented words
    # classifiers (sec. 5); table3's tweet features come from `gru`
    model: str = "gru"
    hidden: int = 1024
    n_layers: int = 2
    n_heads: int = 5                 # must divide w2v_dim (the transformer's width)
    dropout: float = 0.5
    lr: float = 1e-3                 # the paper's Adam 1e-3 (sec. 7)
    batch_size: int = 64
    epochs: int = 20
    patience: int = 3
    val_fraction: float = 0.1        # of the training tweets, for early stopping and the search
    # table2: stratified k-fold; the cell's seed is its fold
    n_folds: int = 5
    split_seed: int = 0
    folds: tuple[int, ...] = execution(())  # folds whose search `prepare` runs; (): every fold
    search_samples: int = 8          # Optuna trials per (model, fold); 0: no search
    search_epochs: int = 3
    search_max_train: int = 0        # 0: every inner-training tweet
    # table3: seen/unseen split; the cell's seed draws the unseen hashtags
    method: str = "dem"
    split: str = "40/10"
    setting: Literal["zero-shot", "few-shot"] = "zero-shot"
    few_shot_min: int = 5
    few_shot_max: int = 10
    test_per_unseen: int = 0         # test tweets drawn per unseen hashtag, the same for each; 0: all left
    conse_top_t: int = 0             # 0: every seen label (the paper's T)
    eszsl_gamma: float = 1.0         # used as given when eszsl_select is off
    eszsl_lam: float = 1.0
    eszsl_select: bool = True        # γ, λ from a grid, on held-out seen hashtags (components.zsl.select)
    dem_epochs: int = 300
    dem_lr: float = 1e-3
    dem_weight_decay: float = 1e-4   # used as given when dem_select is off
    dem_select: bool = True          # λ from `dem_grid`, on held-out seen hashtags (components.zsl.select)
    dem_grid: tuple[float, ...] = (1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0)


def data_sha256s(cfg: ZeroShotConfig) -> dict[str, str]:
    shas = dataset_sha256s(DATASET)
    for path in shas:
        data_file(path)  # raises DataError when missing or not the pinned file
    return shas


def load_texts() -> list[str]:
    """Every tweeteval_emoji tweet, train then val then test."""
    frame = pd.concat([load_tweeteval_emoji(s) for s in ("train", "val", "test")], ignore_index=True)
    return frame["text"].tolist()


# ---- word2vec ----------------------------------------------------------------------------

def _w2v_key(cfg: ZeroShotConfig) -> dict:
    fields = ("w2v_dim", "w2v_window", "w2v_min_count", "w2v_epochs", "w2v_max_tweets")
    return {**{f: getattr(cfg, f) for f in fields}, "data": dataset_sha256s(DATASET), "version": W2V_VERSION}


def _build_w2v(cfg: ZeroShotConfig, out: Path) -> None:
    texts = load_texts()
    if 0 < cfg.w2v_max_tweets < len(texts):
        keep = np.sort(np.random.default_rng(0).permutation(len(texts))[:cfg.w2v_max_tweets])
        texts = [texts[i] for i in keep]
    wv = train_word2vec([corpus_tokens(t) for t in texts], dim=cfg.w2v_dim, window=cfg.w2v_window,
                        min_count=cfg.w2v_min_count, epochs=cfg.w2v_epochs, seed=0, workers=cfg.w2v_workers)
    wv.save(out)
    (out / "info.json").write_text(json.dumps({"tweets": len(texts), "words": len(wv), **_w2v_key(cfg)}))


def word2vec_stage(cfg: ZeroShotConfig) -> Path:
    fresh = not (stage_dir(W2V_STAGE, _w2v_key(cfg)) / ".complete").is_file()
    path = cached_stage(W2V_STAGE, _w2v_key(cfg), functools.partial(_build_w2v, cfg))
    if fresh:
        _record_w2v(cfg, path)
    return path


def word2vec_files(path: Path) -> list[Path]:
    """The stage's files, as logged to MLflow (the `.complete` marker aside)."""
    return sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))


def _record_w2v(cfg: ZeroShotConfig, path: Path) -> None:
    """A stage run for the word vectors just built, registered as a version of W2V_MODEL
    (a record only: the stage on disk is what cells read)."""
    from orchestration.tracking import register_stage_model, stage_run

    try:
        sink = stage_run("zeroshot_hashtags", f"word2vec {path.name}", f"{W2V_STAGE}/{path.name}",
                         {k: v for k, v in _w2v_key(cfg).items() if k != "data"}, data=dataset_sha256s(DATASET))
    except Exception as e:  # noqa: BLE001 - no store to record in: the stage still serves
        log.warning("word2vec stage %s: no MLflow run (%s)", path.name, str(e).splitlines()[0][:200])
        return
    register_stage_model(sink, W2V_MODEL, path.name, "word2vec", word2vec_files(path))
    sink.terminate("FINISHED")


# ---- the labelled examples ------------------------------------------------------------------

def _data_key(cfg: ZeroShotConfig) -> dict:
    fields = ("n_labels", "min_label_tweets", "min_words", "max_per_label", "max_len", "label_min_count",
              "split_seed")
    return {**{f: getattr(cfg, f) for f in fields}, "w2v": _w2v_key(cfg), "version": DATA_VERSION}


def segmenter_of(wv: WordVectors) -> HashtagSegmenter:
    """A hashtag segmenter on the word counts word2vec kept (its own hashtag tokens left out:
    `sundayfunday` must not be a known word), so no second pass over the tweets is needed."""
    return HashtagSegmenter({w: c for w, c in zip(wv.words, wv.counts, strict=True) if not w.startswith("#")})


def _build_data(cfg: ZeroShotConfig, out: Path) -> None:
    texts = load_texts()
    corpus = build_hashtag_corpus(texts, cfg.n_labels, cfg.min_label_tweets, cfg.min_words,
                                  cfg.max_per_label, seed=cfg.split_seed)
    wv = WordVectors.load(word2vec_stage(cfg))
    # Every word of the examples: test-fold words too, as the paper's word2vec covers them all;
    # those word2vec never saw start random and learn only from training tweets.
    vocab = Vocabulary.build(corpus.words)
    matrix, found = embedding_matrix(vocab.tokens, wv, seed=cfg.split_seed, skip=4)
    labels, sources = label_embeddings(corpus.tags, wv, segmenter_of(wv).segment, cfg.label_min_count)
    tokens, lengths = pad_sequences([vocab.encode(w) for w in corpus.words], max_len=cfg.max_len)
    np.savez(out / "arrays.npz", tokens=tokens, lengths=lengths, label=corpus.labels,
             source_index=corpus.source_index)
    np.save(out / "embeddings.npy", matrix, allow_pickle=False)
    np.save(out / "label_embeddings.npy", labels, allow_pickle=False)
    (out / "vocab.json").write_text(json.dumps(vocab.to_dict(), ensure_ascii=False))
    counts = np.bincount(corpus.labels, minlength=cfg.n_labels).tolist()
    (out / "meta.json").write_text(json.dumps({
        "tags": corpus.tags, "label_sources": sources, "examples_per_label": counts,
        "stats": {**corpus.stats, "vocab_size": len(vocab), "vocab_in_word2vec": found,
                  "w2v_words": len(wv), "w2v_dim": wv.dim}}, ensure_ascii=False, indent=1))


def data_stage(cfg: ZeroShotConfig) -> Path:
    return cached_stage(DATA_STAGE, _data_key(cfg), functools.partial(_build_data, cfg))


@dataclass
class HashtagData:
    arrays: dict[str, np.ndarray]   # tokens, lengths, label, source_index
    embeddings: np.ndarray          # (V, D) initial word vectors
    label_embeddings: np.ndarray    # (n_labels, D)
    meta: dict
    stage: Path

    @property
    def labels(self) -> np.ndarray:
        return self.arrays["label"]

    def subset(self, index: np.ndarray) -> dict[str, np.ndarray]:
        """The arrays a classifier reads, for examples `index`."""
        return {k: self.arrays[k][index] for k in ("tokens", "lengths", "label")}


def load_data(cfg: ZeroShotConfig, stage: Path | None = None) -> HashtagData:
    """The data stage's contents; `stage` names its folder outright (a Ray worker's own
    EMOJITAGS_HOME may not be the driver's)."""
    stage = Path(stage) if stage is not None else data_stage(cfg)
    with np.load(stage / "arrays.npz", allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    return HashtagData(arrays, np.load(stage / "embeddings.npy", allow_pickle=False),
                       np.load(stage / "label_embeddings.npy", allow_pickle=False),
                       json.loads((stage / "meta.json").read_text()), stage)


__all__ = ["HashtagData", "ZeroShotConfig", "data_sha256s", "data_stage", "load_data", "load_texts",
           "word2vec_files", "word2vec_stage"]

"""Hashtag generation with emoji representations (the emoji-hashtag paper's Table 2, Figure 5).

    python experiments/table2.py --scale smoke
    python -m orchestration run experiments/emoji_hashtags/figure5.py --scale cpu

One cell = one generator, one seed. The post encoder is a 2-layer Bi-GRU, the decoder an
attentive GRU (copy optional) sharing the post's embedding table; Adam, gradient norm clipped
at 1, batches of posts of similar length (`bucket`), early stopping on validation loss, batched
beam search. Rows differ in what the post encoder reads (`input`: the post; the label emoji put
back as a token; its name's words, on the `emoji_share` of tweets that keep it) and in `fusion`:
a frozen encoder pretrained to predict the emoji (`emojis`) or 20 frequency-matched words
(`words`) reads the post, with the emoji where the tweet keeps it, and its attention vector joins
the post encoder's final state in the decoder's first state (z = W_t [h_L; v_e] + b_t). Two
training-free floors (`generator`): the targets of the post's TF-IDF nearest training posts voted
by similarity (`knn`), and the five most frequent training targets for every tweet (`frequent`).

Data, split and input rules: experiments/emoji_hashtags/generation_data.py. The frozen encoders
are `encoder_stage` stages with `hashtag_free=True`: pretrained on TweetEval's tweets without a
hashtag, none of which is in the generation set; one encoder per target (seed `pretrain_seed`)
serves every seed of the table, as the paper froze one pretrained model.

Outputs: F1@1, MAP@5, ROUGE-1 F1, P@1 (the top-1 is one of the golds; components.metrics), the
F1@1 ceiling (a right top-1 still recalls only 1 of a tweet's golds), F1@1 per hashtag-frequency
bucket and on the tweets with / without their emoji (Figure 5), and `top1_correct.npy`, each
test tweet's top-1 hit in corpus order, for McNemar's test (orchestration/significance.py).
Also the `hashtag_stats` task: Table 3's popular / rare hashtag counts on the same corpus.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np
import torch

from components.generators import Seq2Seq, Seq2SeqConfig, Seq2SeqObjective, generate
from components.hashtag_baselines import TfidfNeighbourVote
from components.metrics import (
    f1_at_k,
    map_at_k,
    mean_hashtag_rouge,
    top1_correct,
)
from components.text import TweetTokenizer, Vocabulary
from components.training import FitProblem, FitSettings
from experiments.deepmoji.encoder_stage import (
    PretrainConfig,
    check_config,
    check_encoder_stage,
    encoder_dir,
    pretrained_encoder,
    verify_data,
)
from experiments.deepmoji.published_stage import PUBLISHED
from experiments.emoji_hashtags.generation_data import (
    INPUTS,
    TEST,
    TRAIN,
    ArraysSpec,
    arrays_stage,
    corpus_stage,
    fused_stage,
    load_corpus,
    source_text,
)
from orchestration.significance import TOP1_ARTIFACT
from orchestration.spec import RunSettings, SpecError
from orchestration.task import Task

FUSIONS = ("none", "emojis", "words")  # none: a Base row; else the frozen encoder's target
GENERATORS = ("seq2seq", "knn", "frequent")  # the trained rows, and the two training-free floors


@dataclass(frozen=True)
class HashtagGenConfig(RunSettings):
    generator: str = "seq2seq"   # seq2seq | knn (TF-IDF neighbours' vote) | frequent (the floors)
    input: str = "noemoji"       # noemoji | emoji_token | demoji (see hashtag_generation_data)
    fusion: str = "none"         # none | emojis | words
    emoji_share: float = 0.16    # tweets that get their label emoji back (the paper's Twitter 2020 share)
    knn_neighbours: int = 10
    max_tweets: int = 0          # 0: every hashtag tweet (~44k); else a fixed random subset
    split_seed: int = 0          # the 8:1:1 split, and the frozen encoders' holdout_seed
    popular_threshold: int = 100  # a hashtag in more tweets than this is popular (Table 3)
    vocab_size: int = 30_000     # shared by posts and hashtags, specials included
    min_count: int = 1
    max_src_len: int = 40        # post tokens (99% of posts have at most 22)
    max_tgt_len: int = 10        # hashtag words, in training and in beam search
    embed_dim: int = 200
    hidden: int = 300            # per direction in the encoder; the decoder GRU's size
    dropout: float = 0.1
    copy: bool = True            # the paper's decoder copies (Gu et al., 2016)
    lr: float = 1e-3
    batch_size: int = 64
    epochs: int = 10
    patience: int = 2
    beam: int = 20
    bucket: bool = True          # batches of posts of similar length (the same examples per epoch)
    pretrain: PretrainConfig = PretrainConfig()  # the frozen encoder's sizes; target and holdout set here
    pretrain_seed: int = 0


def _check(cfg: HashtagGenConfig) -> None:
    if cfg.input not in INPUTS or cfg.fusion not in FUSIONS:
        raise SpecError(f"need input in {INPUTS} and fusion in {FUSIONS}, got {cfg.input!r}, {cfg.fusion!r}")
    if cfg.generator not in GENERATORS or (cfg.generator != "seq2seq" and cfg.fusion != "none"):
        raise SpecError(f"generator must be one of {', '.join(GENERATORS)} (a floor with fusion='none'), "
                        f"got {cfg.generator!r} with fusion={cfg.fusion!r}")
    if not 0.0 <= cfg.emoji_share <= 1.0 or cfg.knn_neighbours < 1:
        raise SpecError(f"need 0 <= emoji_share <= 1 and knn_neighbours >= 1, got {cfg.emoji_share}, "
                        f"{cfg.knn_neighbours}")
    if cfg.beam < 1 or cfg.max_tgt_len < 1 or cfg.popular_threshold < 1:
        raise SpecError("beam, max_tgt_len and popular_threshold must be >= 1")
    check_config(cfg.pretrain)


def pretrain_config(cfg: HashtagGenConfig) -> PretrainConfig:
    """The frozen encoder's stage config: its target, pretrained on hashtag-free tweets only (so
    on no tweet of the generation set, whatever its split). `pretrain.model="published"` (the
    paper scale) gives SEQ2SEQ-Emoji DeepMoji's own weights, as the paper; SEQ2SEQ-Word's word
    encoder is still trained here, at the same sizes."""
    published = cfg.fusion == "emojis" and cfg.pretrain.model == PUBLISHED
    return dataclasses.replace(cfg.pretrain, model=PUBLISHED if published else "deepmoji", target=cfg.fusion,
                               hashtag_free=True, holdout_fraction=0.0, workers=cfg.workers, use_gpu=cfg.use_gpu, threads=cfg.threads)


def _arrays_spec(cfg: HashtagGenConfig) -> ArraysSpec:
    return ArraysSpec(cfg.max_tweets, cfg.split_seed, cfg.emoji_share, cfg.input, cfg.vocab_size, cfg.min_count,
                      cfg.max_src_len, cfg.max_tgt_len)


def data_sha256s(cfg: HashtagGenConfig) -> dict[str, str]:
    _check(cfg)
    out = verify_data()  # raises DataError when a TweetEval file is not the pinned one
    if cfg.fusion != "none":
        stage = encoder_dir(pretrain_config(cfg), cfg.pretrain_seed)
        if (stage / ".complete").is_file():
            check_encoder_stage(stage)  # a vocabulary that is not the weights' fails before MLflow
    return out


def prepare(cfg: HashtagGenConfig) -> None:
    """Driver side, once per table: corpus, arrays, and for fusion rows the encoder and its vectors."""
    _check(cfg)
    if cfg.generator != "seq2seq":
        corpus_stage(cfg.max_tweets, cfg.split_seed, cfg.emoji_share)
        return
    arrays_stage(_arrays_spec(cfg))
    if cfg.fusion != "none":
        fused_stage(pretrained_encoder(pretrain_config(cfg), cfg.pretrain_seed), cfg.max_tweets, cfg.split_seed,
                    cfg.emoji_share)


def score(preds: list[list[str]], golds: list[list[str]]) -> dict[str, float]:
    return {"f1_at_1": f1_at_k(preds, golds, 1), "map_at_5": map_at_k(preds, golds, 5),
            "rouge1": mean_hashtag_rouge([p[0] if p else None for p in preds], golds)}


def frequency_buckets(tags: list[list[str]], counts: dict[str, int], threshold: int) -> dict[str, np.ndarray]:
    """Tweets by their most frequent gold tag's tweet count: once, 2..threshold, popular (more)."""
    top = np.array([max(counts[t] for t in ts) for ts in tags])
    return {"singleton": top == 1, "uncommon": (top > 1) & (top <= threshold), "popular": top > threshold,
            "rare": top <= threshold}


def _f1(key: str, preds: list[list[str]], golds: list[list[str]], mask: np.ndarray) -> dict[str, float]:
    """F1@1 on the tweets in `mask`; nothing for an empty subset (the table shows "–")."""
    idx = np.flatnonzero(mask)
    return {key: f1_at_k([preds[i] for i in idx], [golds[i] for i in idx], 1)} if len(idx) else {}


def floor_predictions(cfg: HashtagGenConfig, examples: list, split: np.ndarray, test: np.ndarray) -> list[list[str]]:
    """The training-free rows' top-5 targets per test tweet: the targets of the post's
    `knn_neighbours` TF-IDF nearest training posts, voted by similarity; or the 5 most
    frequent training targets for every tweet."""
    train = np.flatnonzero(split == TRAIN)
    if cfg.generator == "frequent":
        top = [t for t, _ in Counter(t for i in train for t in examples[i].targets).most_common(5)]
        return [list(top) for _ in test]
    tok = TweetTokenizer(lowercase=True, placeholders=True)
    words = lambda i: tok.tokenize(source_text(examples[i], cfg.input))  # noqa: E731
    vote = TfidfNeighbourVote(cfg.knn_neighbours).fit([words(i) for i in train], [examples[i].targets for i in train])
    return vote.rank([words(i) for i in test], 5)


def fit_problem(cfg: HashtagGenConfig, a: dict[str, np.ndarray], obj: Seq2SeqObjective, vocab_size: int,
                fused: np.ndarray | None, seed: int) -> tuple[FitProblem, FitSettings]:
    """The generator's training problem over the stage arrays `a` (fused: the frozen encoder's
    vectors, one per tweet, or None for a Base row)."""
    model_cfg = Seq2SeqConfig(src_vocab=vocab_size, tgt_vocab=vocab_size, share_embeddings=True,
                              embed_dim=cfg.embed_dim, hidden=cfg.hidden, enc_layers=2, dropout=cfg.dropout,
                              copy=cfg.copy, fusion_dim=fused.shape[1] if fused is not None else 0)
    train = {"tweet": a["train_tweet"], "tgt": a["train_tgt"]}
    if cfg.bucket:  # less padding for the encoder and the attention to run over
        train["length"] = a["src_len"][a["train_tweet"]]
    problem = FitProblem(build_model=functools.partial(Seq2Seq, model_cfg), train=train,
                         val={"tweet": a["val_tweet"], "tgt": a["val_tgt"]},
                         loss=obj.loss, evaluate=obj.evaluate)
    settings = FitSettings(epochs=cfg.epochs, batch_size=cfg.batch_size, lr=cfg.lr, patience=cfg.patience,
                           seed=seed, bucket_by="length" if cfg.bucket else None)
    return problem, settings


def _train_and_decode(cfg: HashtagGenConfig, ctx, test: np.ndarray) -> tuple[list[list[str]], dict[str, float]]:
    stage = arrays_stage(_arrays_spec(cfg))
    vocab = Vocabulary.from_dict(json.loads((stage / "vocab.json").read_text()))
    with np.load(stage / "arrays.npz") as z:
        a = {k: z[k] for k in z.files}
    fused = None
    if cfg.fusion != "none":
        encoder = pretrained_encoder(pretrain_config(cfg), cfg.pretrain_seed, ctx)
        with np.load(fused_stage(encoder, cfg.max_tweets, cfg.split_seed, cfg.emoji_share) / "fused.npz") as z:
            fused = z["vectors"].astype(np.float32)
    obj = Seq2SeqObjective(a["src"], a["src_len"], "tweet", fused)
    problem, settings = fit_problem(cfg, a, obj, len(vocab), fused, ctx.seed)
    start = time.time()
    result = ctx.fit(problem, settings)
    train_seconds, start = time.time() - start, time.time()
    model = result.model.to("cuda" if cfg.use_gpu and torch.cuda.is_available() else "cpu")
    preds = generate(model, obj, idx=test, words=vocab.tokens, beam=cfg.beam, max_len=cfg.max_tgt_len,
                     n_best=min(5, cfg.beam))
    return preds, {"n_train_pairs": float(len(a["train_tweet"])), "best_epoch": float(result.best_epoch),
                   "train_seconds": train_seconds, "decode_seconds": time.time() - start}


def run_cell(cfg: HashtagGenConfig, ctx) -> dict[str, float]:
    _check(cfg)
    examples, split, counts = load_corpus(corpus_stage(cfg.max_tweets, cfg.split_seed, cfg.emoji_share))
    test = np.flatnonzero(split == TEST)
    if cfg.generator == "seq2seq":
        preds, extra = _train_and_decode(cfg, ctx, test)
    else:
        preds, extra = floor_predictions(cfg, examples, split, test), {}
    golds = [examples[i].targets for i in test]
    correct = top1_correct(preds, golds)
    metrics = {**score(preds, golds), **extra, "p_at_1": float(correct.mean()), "n_test": float(len(test)),
               # what F1@1 would be with every top-1 right: one guess recalls 1 of a tweet's n golds
               "f1_at_1_ceiling": float(np.mean([2 / (1 + len(g)) for g in golds]))}
    buckets = frequency_buckets([examples[i].tags for i in test], counts, cfg.popular_threshold)
    for name, mask in buckets.items():
        metrics.update(_f1(f"f1_at_1_{name}", preds, golds, mask))
        metrics[f"n_test_{name}"] = float(mask.sum())
    # Figure 5: the test tweets that keep their emoji against the rest; the paper compares them
    # on popular-hashtag tweets only ("to reduce noise"), shown beside all tweets.
    has_emoji = np.array([examples[i].has_emoji for i in test])
    metrics["n_test_with_emoji"] = float(has_emoji.sum())
    for suffix, mask in (("", np.ones(len(test), dtype=bool)), ("_popular", buckets["popular"])):
        metrics.update(_f1(f"f1_at_1_with_emoji{suffix}", preds, golds, mask & has_emoji))
        metrics.update(_f1(f"f1_at_1_without_emoji{suffix}", preds, golds, mask & ~has_emoji))

    ctx.work_dir.mkdir(parents=True, exist_ok=True)
    np.save(ctx.work_dir / TOP1_ARTIFACT, correct)
    lines = [json.dumps({"post": examples[i].post, "has_emoji": examples[i].has_emoji, "gold": g, "top5": p},
                        ensure_ascii=False) for i, g, p in zip(test, golds, preds, strict=True)]
    (ctx.work_dir / "predictions.jsonl").write_text("\n".join(lines) + "\n")
    ctx.log_artifact(ctx.work_dir / TOP1_ARTIFACT)
    ctx.log_artifact(ctx.work_dir / "predictions.jsonl")
    return metrics


# ---- Table 3: popular and rare hashtags -----------------------------------------------------

def stats_prepare(cfg: HashtagGenConfig) -> None:
    corpus_stage(cfg.max_tweets, cfg.split_seed, cfg.emoji_share)


def run_stats(cfg: HashtagGenConfig, ctx) -> dict[str, float]:
    """Tags in more than `popular_threshold` tweets are popular; tweets with / without one."""
    examples, split, counts = load_corpus(corpus_stage(cfg.max_tweets, cfg.split_seed, cfg.emoji_share))
    popular = {t for t, n in counts.items() if n > cfg.popular_threshold}
    with_popular = np.array([any(t in popular for t in e.tags) for e in examples])
    return {"popular_tags": float(len(popular)), "rare_tags": float(len(counts) - len(popular)),
            "tweets_popular": float(with_popular.sum()), "tweets_rare": float((~with_popular).sum()),
            "tweets": float(len(examples)), "test_tweets": float((split == TEST).sum()),
            "threshold": float(cfg.popular_threshold)}


HASHTAG_GENERATION = Task("hashtag_generation", HashtagGenConfig, run_cell, data_sha256s, prepare)
HASHTAG_STATS = Task("hashtag_stats", HashtagGenConfig, run_stats, data_sha256s, stats_prepare)

__all__ = ["FUSIONS", "INPUTS", "HashtagGenConfig", "fit_problem", "frequency_buckets",
           "pretrain_config", "score"]

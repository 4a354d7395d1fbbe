"""The pretrained emoji (or word) encoder as a cached stage, built once and reused by every table.

    from experiments.deepmoji.encoder_stage import PretrainConfig, load_pretrained, pretrained_encoder
    enc = load_pretrained(pretrained_encoder(PretrainConfig(embed_dim=64, hidden=64)))
    enc.model, enc.tokenizer, enc.labels   # DeepMojiEncoder (eval), DeepMojiTokenizer, 20 names

Two stages, both keyed by their config and the TweetEval files' sha256s:
`deepmoji_pretrain_data/<key>` (tokenised splits, vocabulary) and `deepmoji_encoder/<key>`
(`encoder.pt` = weights + config + vocabulary hash, `tokenizer.json`, `config.json`).
Built inside a cell, the encoder trains through `ctx.fit` (Ray Train DDP when workers > 1)
and its files become artifacts of that cell's MLflow run; built elsewhere (a table's
`prepare`), it gets an MLflow run of its own. A finished stage is never rebuilt.

Holdout: a tweet whose text hashes (with `holdout_seed`) below `holdout_fraction` is dropped
from pretraining's train and validation splits. With `hashtag_free`, every tweet that carries a
hashtag is dropped: the headline's generators are trained and tested on exactly those tweets
(with their hashtags cut), so an encoder pretrained this way never saw one of them, and it reads
the same kind of text, hashtag-free, in pretraining as under the generator. TweetEval's
hashtag-free test tweets then join training, bar a hashed HASHTAG_FREE_SCORED share kept to
score the encoder.
"""

from __future__ import annotations

import functools
import json
import logging
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from components.data import data_file, dataset_sha256s, load_tweeteval_emoji, tweeteval_mapping
from components.data.errors import DataError
from components.data.splits import holdout_mask
from components.emoji_encoder import (
    SPECIALS,
    DeepMojiEncoder,
    DeepMojiTokenizer,
    EmojiEncoderConfig,
    VocabMismatchError,
    tokenize,
)
from components.text import extract_hashtags
from components.text.frequency_matched import frequency_matched_words, word_examples
from components.training import ClassifyObjective, FitProblem, FitSettings
from experiments.deepmoji.published_stage import PUBLISHED, build_published, published_key
from orchestration.spec import RunSettings, SpecError, config_dict
from orchestration.stages import cached_stage, stage_dir, stage_lock

log = logging.getLogger("emojitags.encoder")

DATA_STAGE, ENCODER_STAGE = "deepmoji_pretrain_data", "deepmoji_encoder"
DATA_VERSION, ENCODER_VERSION = 1, 1
ENCODER_FILES = ("encoder.pt", "tokenizer.json", "config.json")
HASHTAG_FREE_SCORED = 0.05  # of TweetEval's hashtag-free test tweets, kept out to score the encoder
EVAL_ONLY = ("model", "max_test", "svm_c")  # fields that change a cell's scores, not the encoder
# Not words: English stopwords, and HTML-entity / retweet debris (`&amp;` tokenises to `amp`).
class EncoderVocabMismatch(VocabMismatchError, DataError):
    """A stage's (or caller's) vocabulary is not the one its weights were trained on.

    A DataError too, so the command line reports it in one line like any unusable input."""


@dataclass(frozen=True)
class PretrainConfig(RunSettings):
    model: str = "deepmoji"        # deepmoji | svm | majority (the floor) | reference ([paper] only) |
                                   # published (DeepMoji's own weights: experiments/deepmoji/published_stage.py)
    target: str = "emojis"         # emojis (TweetEval's 20) | words (20 frequency-matched words)
    max_train: int = 0             # 0: every training tweet, else a fixed random subset
    max_val: int = 0
    max_test: int = 0              # scoring only, never part of the encoder's key
    holdout_fraction: float = 0.0  # share of tweets (by text hash) kept out of pretraining
    holdout_seed: int = 0
    hashtag_free: bool = False     # only tweets without a hashtag (the headline's encoders)
    vocab_size: int = 50_000       # DeepMoji's 50k, specials included
    min_count: int = 1
    max_len: int = 30              # DeepMoji's pretraining cut
    embed_dim: int = 256
    hidden: int = 512
    embed_dropout: float = 0.25
    final_dropout: float = 0.5
    lr: float = 1e-3
    batch_size: int = 64
    epochs: int = 10
    patience: int = 2              # epochs without a lower validation loss
    svm_c: float = 1.0             # the TF-IDF SVM baseline's C


@dataclass(frozen=True)
class PretrainedEncoder:
    model: DeepMojiEncoder
    tokenizer: DeepMojiTokenizer
    labels: list[str]   # what the softmax predicts: emojis or words, in output order
    key: str            # the stage's name, as logged
    info: dict          # config.json


def _sha256s() -> dict[str, str]:
    return dataset_sha256s("tweeteval_emoji")


def check_config(cfg: PretrainConfig) -> None:
    """Fail on a bad value before anything is tracked or trained."""
    if cfg.target not in ("emojis", "words"):
        raise SpecError(f"target must be 'emojis' or 'words', got {cfg.target!r}")
    if not 0.0 <= cfg.holdout_fraction < 1.0 or cfg.max_len < 1:
        raise SpecError(f"need 0 <= holdout_fraction < 1 and max_len >= 1, got {cfg.holdout_fraction}, {cfg.max_len}")


def verify_data() -> dict[str, str]:
    """sha256-check every TweetEval file pretraining reads (DataError if one is off)."""
    for path in _sha256s():
        data_file(path)
    return _sha256s()


def _data_key(cfg: PretrainConfig) -> dict:
    fields = ("target", "max_train", "max_val", "max_test", "holdout_fraction", "holdout_seed",
              "vocab_size", "min_count", "max_len")
    hashtag_free = {"hashtag_free": True} if cfg.hashtag_free else {}  # older stages keep their keys
    return {**{f: getattr(cfg, f) for f in fields}, **hashtag_free, "data": _sha256s(), "version": DATA_VERSION}


def pretraining_frames(cfg: PretrainConfig) -> dict:
    """The TweetEval rows pretraining reads, per split: the holdout and (with `hashtag_free`)
    every tweet with a hashtag dropped, then the `max_*` subsets."""
    rng = np.random.default_rng(0)  # the subset is part of the data, not of a cell's seed
    frames = {split: load_tweeteval_emoji(split) for split in ("train", "val", "test")}
    for split in ("train", "val"):  # the test split is only scored, never trained on
        texts = frames[split]["text"].tolist()
        frames[split] = frames[split][~holdout_mask(texts, cfg.holdout_seed, cfg.holdout_fraction)]
    if cfg.hashtag_free:
        # Every tweet without a hashtag serves: TweetEval's test tweets join training, bar a
        # hashed HASHTAG_FREE_SCORED share of them kept to score the encoder.
        free = {k: f[~f["text"].map(lambda t: bool(extract_hashtags(t)))] for k, f in frames.items()}
        scored = holdout_mask(free["test"]["text"].tolist(), cfg.holdout_seed, HASHTAG_FREE_SCORED)
        frames = {"train": pd.concat([free["train"], free["test"][~scored]], ignore_index=True),
                  "val": free["val"], "test": free["test"][scored]}
    for split, cap in (("train", cfg.max_train), ("val", cfg.max_val), ("test", cfg.max_test)):
        if cap and cap < len(frames[split]):
            frames[split] = frames[split].iloc[np.sort(rng.permutation(len(frames[split]))[:cap])]
    return frames


def _build_data(cfg: PretrainConfig, out: Path) -> None:
    docs, labels = {}, {}
    for split, frame in pretraining_frames(cfg).items():
        docs[split] = [tokenize(t) for t in frame["text"]]
        labels[split] = frame["label"].to_numpy(dtype=np.int64)
    names = tweeteval_mapping()
    meta: dict = {"emoji_counts": np.bincount(labels["train"], minlength=len(names)).tolist()}
    if cfg.target == "words":
        names = frequency_matched_words(docs["train"], meta["emoji_counts"])
        for split in docs:
            docs[split], labels[split] = word_examples(docs[split], names)
    counts = Counter(t for d in docs["train"] for t in d)
    for special in SPECIALS:
        counts.pop(special, None)
    ranked = sorted((t for t, c in counts.items() if c >= cfg.min_count), key=lambda t: (-counts[t], t))
    tok = DeepMojiTokenizer(cfg.max_len, cfg.vocab_size, list(SPECIALS) + ranked[:cfg.vocab_size - len(SPECIALS)])
    index = {t: i for i, t in enumerate(tok.vocab)}
    arrays = {}
    for split, ds in docs.items():
        ids = np.zeros((len(ds), cfg.max_len), dtype=np.int64)
        lengths = np.zeros(len(ds), dtype=np.int64)
        for row, d in enumerate(ds):
            seq = [index.get(t, 1) for t in d][:cfg.max_len]  # 1 = <unk>
            ids[row, :len(seq)], lengths[row] = seq, len(seq)
        arrays |= {f"{split}_tokens": ids, f"{split}_lengths": lengths, f"{split}_label": labels[split]}
    np.savez(out / "arrays.npz", **arrays)
    (out / "tokenizer.json").write_text(json.dumps(tok.to_dict(), ensure_ascii=False))
    meta |= {"labels": names, "label_counts": np.bincount(labels["train"], minlength=len(names)).tolist(),
             "sizes": {s: len(d) for s, d in docs.items()}}
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1))


def pretraining_data(cfg: PretrainConfig) -> Path:
    """The tokenised splits (`arrays.npz`: {split}_tokens/_lengths/_label), vocabulary, labels."""
    return cached_stage(DATA_STAGE, _data_key(cfg), functools.partial(_build_data, cfg))


def load_split(data: Path, split: str) -> dict[str, np.ndarray]:
    with np.load(data / "arrays.npz") as z:
        return {k: z[f"{split}_{k}"] for k in ("tokens", "lengths", "label")}


# ---- the encoder -------------------------------------------------------------------

def encoder_key(cfg: PretrainConfig, seed: int = 0) -> dict:
    if cfg.model == PUBLISHED:  # nothing trains: the weights file and the text cut are the stage
        return published_key(cfg.max_len)
    own = {k: v for k, v in config_dict(cfg, include_execution=False).items()
           if k not in EVAL_ONLY and not (k == "hashtag_free" and not v)}  # older stages keep their keys
    return {**own, "seed": seed, "data": _sha256s(), "version": (DATA_VERSION, ENCODER_VERSION)}


def encoder_dir(cfg: PretrainConfig, seed: int = 0) -> Path:
    return stage_dir(ENCODER_STAGE, encoder_key(cfg, seed))


_announced: set[str] = set()


def pretrained_encoder(cfg: PretrainConfig, seed: int = 0, ctx=None) -> Path:
    """The finished encoder stage for (cfg, seed), trained first if none exists.

    Pass the cell's `ctx` to train through `ctx.fit` and log the stage to the cell's run."""
    final = encoder_dir(cfg, seed)
    if cfg.model == PUBLISHED:
        path = cached_stage(ENCODER_STAGE, encoder_key(cfg, seed), functools.partial(build_published, cfg.max_len,
                                                                                     final.name))
        if ctx is not None:
            ctx.set_tags({"emojitags.pretrained_encoder": final.name, "emojitags.pretrained_encoder_reused": "true"})
        return path
    with stage_lock(final):
        if (final / ".complete").is_file():
            check_encoder_stage(final)
            _say(f"reusing pretrained encoder {final.name} ({final})", quiet=ctx is not None or final.name in _announced)
            _announced.add(final.name)
            if ctx is not None:
                ctx.set_tags({"emojitags.pretrained_encoder": final.name,
                              "emojitags.pretrained_encoder_reused": "true"})
                _register(cfg, final, ctx.sink, log_files=True)
            return final
        data = pretraining_data(cfg)
        sink = ctx.sink if ctx is not None else _stage_run(final.name, cfg, seed)
        _say(f"building pretrained encoder {final.name} (at most {cfg.epochs} epochs; "
             f"it is cached for every later table)", quiet=ctx is not None)
        try:
            path = cached_stage(ENCODER_STAGE, encoder_key(cfg, seed),
                                functools.partial(_build_encoder, cfg, seed, data, ctx, sink))
            if sink is not None:
                for f in ENCODER_FILES:
                    sink.log_artifact(path / f, "pretrained_encoder")
                sink.set_tags({"emojitags.pretrained_encoder": final.name,
                               "emojitags.pretrained_encoder_reused": "false"})
                _register(cfg, final, sink, log_files=False)
        except BaseException:
            if ctx is None and sink is not None:
                sink.terminate("FAILED")
            raise
        if ctx is None:
            shutil.rmtree(_work_dir(final), ignore_errors=True)  # its checkpoints served their turn
            if sink is not None:
                sink.terminate("FINISHED")
        _say(f"built pretrained encoder {final.name} ({path})", quiet=ctx is not None)
        _announced.add(final.name)
        return path


def _say(msg: str, quiet: bool) -> None:
    log.info(msg)
    if not quiet:  # the driver's own output is the table's log
        print(msg, flush=True)


def _stage_run(name: str, cfg: PretrainConfig, seed: int):
    from orchestration.tracking import stage_run

    return stage_run("deepmoji", f"pretrained encoder {name}", f"{ENCODER_STAGE}/{name}",
                     {**config_dict(cfg), "seed": seed}, data=_sha256s())


def registered_name(cfg: PretrainConfig) -> str:
    """The MLflow registered model of this kind of encoder; one version per stage key."""
    return f"deepmoji-encoder-{cfg.target}"


def _register(cfg: PretrainConfig, final: Path, sink, log_files: bool) -> None:
    """Record the stage as a registered model version, and the version in the run's tags
    (`emojitags.model.<name>`); the stage on disk is what is used, with or without it."""
    from orchestration.tracking import register_stage_model

    if sink is not None:
        register_stage_model(sink, registered_name(cfg), final.name, "pretrained_encoder",
                             [final / f for f in ENCODER_FILES] if log_files else None)


def _work_dir(final: Path) -> Path:
    return final.parent / f".work-{final.name}"


def _build_encoder(cfg: PretrainConfig, seed: int, data: Path, ctx, sink, out: Path) -> None:
    from orchestration.train import fit

    tok = DeepMojiTokenizer.from_dict(json.loads((data / "tokenizer.json").read_text()))
    labels = json.loads((data / "meta.json").read_text())["labels"]
    config = EmojiEncoderConfig(len(tok), len(labels), cfg.embed_dim, cfg.hidden,
                                cfg.embed_dropout, cfg.final_dropout)
    objective = ClassifyObjective()
    problem = FitProblem(build_model=functools.partial(DeepMojiEncoder, config),
                         train=load_split(data, "train"), val=load_split(data, "val"),
                         loss=objective.loss, evaluate=objective.evaluate)
    # DeepMoji: Adam 1e-3, gradient norm clipped at 1, early stopping on validation loss.
    settings = FitSettings(epochs=cfg.epochs, batch_size=cfg.batch_size, lr=cfg.lr, patience=cfg.patience, seed=seed)
    if ctx is not None:
        result = ctx.fit(problem, settings, name=f"encoder-{encoder_dir(cfg, seed).name}")
    else:  # checkpoints outside the temporary build folder, so a killed build resumes
        work = _work_dir(encoder_dir(cfg, seed))
        if cfg.workers > 1:  # the sink travels to the Ray Train workers, which report per epoch
            result = fit(problem, settings, work / "checkpoints", workers=cfg.workers, use_gpu=cfg.use_gpu,
                         threads=cfg.threads, sink=sink, storage_path=str(work / "ray_train"))
        else:
            with _EpochBar(sink, cfg.epochs, encoder_dir(cfg, seed).name) as bar:
                result = fit(problem, settings, work / "checkpoints", use_gpu=cfg.use_gpu,
                             threads=cfg.threads, sink=bar)
    torch.save(result.model.checkpoint(tok.vocab_hash()), out / "encoder.pt")
    shutil.copy(data / "tokenizer.json", out / "tokenizer.json")
    (out / "config.json").write_text(json.dumps({
        "stage": encoder_dir(cfg, seed).name, "config": config_dict(cfg, include_execution=False),
        "seed": seed, "labels": labels, "vocab_hash": tok.vocab_hash(), "data": _sha256s(),
        "best_epoch": result.best_epoch, "best_val_loss": result.best_value,
        "history": result.history, "built_by_run": getattr(sink, "run_id", None)},
        ensure_ascii=False, indent=1, default=str))


class _EpochBar:
    """The stage run's sink, plus a progress bar over epochs: a driver-side build takes
    minutes and would otherwise print nothing until it is done."""

    def __init__(self, sink, epochs: int, name: str) -> None:
        from tqdm import tqdm

        self._sink = sink
        self._bar = tqdm(total=epochs, desc=f"pretraining {name}", unit="epoch", dynamic_ncols=True)

    def __enter__(self) -> _EpochBar:
        return self

    def __exit__(self, *exc) -> None:
        self._bar.close()

    def log_metrics(self, metrics: dict, step: int | None = None) -> None:
        self._bar.update(1)
        self._bar.set_postfix({k: round(float(v), 4) for k, v in metrics.items()
                               if k in ("train_loss", "val_loss")})
        if self._sink is not None:
            self._sink.log_metrics(metrics, step)

    def __getattr__(self, name: str):  # set_tags, log_artifact, … go to the run as they are
        if self._sink is None:
            raise AttributeError(name)
        return getattr(self._sink, name)


_checked: set[tuple] = set()


def check_encoder_stage(path: Path) -> None:
    """Raise EncoderVocabMismatch unless the stage's vocabulary is its weights' (once per process
    while its files stay as they are: a table's prepare asks for every cell config)."""
    stamp = (str(path), *((path / f).stat().st_mtime_ns for f in ("encoder.pt", "tokenizer.json")))
    if stamp not in _checked:
        load_pretrained(path)
        _checked.add(stamp)


def load_pretrained(path: Path, tokenizer: DeepMojiTokenizer | None = None) -> PretrainedEncoder:
    """Load a finished stage; `tokenizer` (default: the stage's own) must have the vocabulary the
    weights were trained on. `weights_only`: a checkpoint is data, never code."""
    path = Path(path)
    info = json.loads((path / "config.json").read_text())
    try:
        tok = tokenizer or DeepMojiTokenizer.from_dict(json.loads((path / "tokenizer.json").read_text()))
        ckpt = torch.load(path / "encoder.pt", map_location="cpu", weights_only=True)
        model = DeepMojiEncoder.from_checkpoint(ckpt, tok.vocab_hash())
    except VocabMismatchError as e:
        fix = ("encode with the stage's own tokenizer (load_pretrained(path).tokenizer)" if tokenizer
               else f"the stage at {path} is inconsistent: delete it to rebuild")
        raise EncoderVocabMismatch(f"pretrained encoder {path.name}: {e}; {fix}") from None
    model.eval()
    return PretrainedEncoder(model, tok, list(info["labels"]), path.name, info)


__all__ = ["EncoderVocabMismatch", "PretrainConfig", "PretrainedEncoder",
           "check_config", "check_encoder_stage", "encoder_dir", 
           "load_pretrained", "load_split", "pretrained_encoder", "pretraining_data", "pretraining_frames", "registered_name", "verify_data",
           "word_examples"]

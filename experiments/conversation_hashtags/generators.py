"""The generator rows of the conversation paper: SEQ2SEQ (post / conv / post+conv, with or
without copy) and OUR MODEL (dual encoder, bi-attention, merge layer; full or one-attention).

Training: one (post, hashtag) pair per gold hashtag, Adam, gradients clipped at 1, the
learning rate halved whenever the holdout loss rises (the authors' code halves it when
validation perplexity rises), stopping after `patience` epochs without a new best holdout
loss or once the rate falls under `lr_floor` (the paper: "the lowest objective loss" on the
development set); the epoch cap is a safety net.

Decoding: batched beam search (beam 10 at `cpu`, the paper's 20 at `paper`; the authors' code
uses 30) for each test post's 5 best hashtags (the metrics read at most 5; the authors keep 20),
ranked as the authors rank them, by summed log-probability (no length penalty; `length_norm`
switches to the mean per word). Every cell also decodes the other way and logs it
(`length_norm_f1_at_1/5`, or `no_length_norm_...`), so the two rankings are compared on the
same model: the summed one scored higher on every generator at `cpu`, hence the default.

Batches are bucketed by post (+ conversation) length (`bucket`): less padding for the encoders
and the attention to run over; the loss already projects only the real target positions.

Hyperparameters: with `search_samples` > 0, a Tune + Optuna (TPE) search per generator row
trains `search_samples` models for `search_epochs` epochs each on the training part and
keeps the lr / dropout (/ GRU size from `search_hidden`) of the lowest holdout loss; the
cells of that row then train with them for every seed. The search is a cached stage (built
once in the driver by the task's `prepare`, keyed by everything that shapes a trial), so
the tables that share a row share its search; each cell logs the values it used
(`tuned.*` params) and the search's trials (`search_trials.csv`).
"""

from __future__ import annotations

import dataclasses
import functools
import tempfile
from pathlib import Path

import numpy as np
import torch

from components.generators import Seq2Seq, Seq2SeqConfig, Seq2SeqObjective, generate
from components.training import FitProblem, FitSettings
from experiments.conversation_hashtags.data import arrays_stage, load_arrays
from experiments.conversation_hashtags.task import score
from orchestration.search import apply_search, load_search, save_search
from orchestration.spec import config_dict
from orchestration.stages import cached_stage, stage_dir

SEARCH_VERSION = 1
# Fields a search trial never reads: decoding, the final training's length, the test subset, baselines.
NOT_SEARCHED = ("beam", "length_norm", "epochs", "patience", "max_test_posts", "lda_topics", "lda_iter", "cls_dropout",
                "cls_epochs", "knn_neighbours", "lr_floor")


def model_config(cfg, vocab_size: int) -> Seq2SeqConfig:
    """The row's switches as a components.generators config."""
    dual = cfg.model == "dual"
    return Seq2SeqConfig(src_vocab=vocab_size, tgt_vocab=vocab_size, share_embeddings=True,
                         embed_dim=cfg.embed_dim, hidden=cfg.hidden, enc_layers=2, dropout=cfg.dropout,
                         copy=cfg.copy, conversation=dual or cfg.input != "post",
                         use_post=dual or cfg.input != "conv", bi_attention=dual,
                         attend_post=cfg.attend in ("both", "post"), attend_conv=cfg.attend in ("both", "conv"))


def objective(arrays: dict[str, np.ndarray], reads_conv: bool) -> Seq2SeqObjective:
    """Post-level inputs (batches carry post indices), the conversation where the model reads it."""
    return Seq2SeqObjective(arrays["post"], arrays["post_len"], "post",
                            conv=arrays["conv"] if reads_conv else None,
                            conv_len=arrays["conv_len"] if reads_conv else None, eval_chunk=256)


def fit_problem(cfg, arrays: dict[str, np.ndarray], vocab_size: int, seed: int) -> tuple[FitProblem, FitSettings]:
    mcfg = model_config(cfg, vocab_size)
    obj = objective(arrays, mcfg.conversation)
    train = {"post": arrays["train_post"], "tgt": arrays["train_tgt"]}
    if cfg.bucket:  # what the encoders read: the post, the conversation, or both
        idx = arrays["train_post"]
        length = (arrays["post_len"][idx] if mcfg.use_post else 0) + \
            (arrays["conv_len"][idx] if mcfg.conversation else 0)
        train["length"] = np.asarray(length)
    problem = FitProblem(build_model=functools.partial(Seq2Seq, mcfg), train=train,
                         val={"post": arrays["holdout_post"], "tgt": arrays["holdout_tgt"]},
                         loss=obj.loss, evaluate=obj.evaluate)
    settings = FitSettings(epochs=cfg.epochs, batch_size=cfg.batch_size, lr=cfg.lr, patience=cfg.patience, seed=seed,
                           lr_schedule=cfg.lr_schedule, lr_factor=0.5, lr_floor=cfg.lr_floor,
                           bucket_by="length" if cfg.bucket else None)
    return problem, settings


# ---- the search -------------------------------------------------------------------------

def search_space(cfg) -> dict:
    from ray import tune

    space = {"lr": tune.loguniform(cfg.lr / 3, cfg.lr * 3), "dropout": tune.uniform(0.0, 0.3)}
    if len(set(cfg.search_hidden)) > 1:
        space["hidden"] = tune.choice(sorted(set(cfg.search_hidden)))
    return space


def _search_key(cfg) -> dict:
    fields = {k: v for k, v in config_dict(cfg, include_execution=False).items() if k not in NOT_SEARCHED}
    return {**fields, "arrays": arrays_stage(cfg.arrays()).name, "version": SEARCH_VERSION}


def search_trial(params: dict, cfg, arrays_dir: str) -> dict[str, float]:
    """One Tune trial: train with `params` for `search_epochs`; its best holdout loss."""
    from orchestration.train import fit

    torch.set_num_threads(1)
    trial = dataclasses.replace(cfg, **params, epochs=cfg.search_epochs, patience=cfg.search_epochs)
    arrays, vocab = load_arrays(Path(arrays_dir))
    problem, settings = fit_problem(trial, arrays, len(vocab), seed=0)
    with tempfile.TemporaryDirectory(prefix="weibo-search-") as tmp:
        result = fit(problem, settings, tmp)
    return {"val_loss": float(result.best_value), "best_epoch": float(result.best_epoch)}


def _build_search(cfg, out: Path) -> None:
    from orchestration.search import optuna_search  # Ray Tune: imported where a search runs

    arrays_dir = arrays_stage(cfg.arrays())
    space = search_space(cfg)
    result = optuna_search(functools.partial(search_trial, cfg=cfg, arrays_dir=str(arrays_dir)), space,
                           metric="val_loss", mode="min", num_samples=cfg.search_samples, seed=0,
                           max_concurrent=cfg.search_concurrency, cpus_per_trial=1.0, name=f"weibo-search-{out.name}",
                           storage_path=out.resolve() / "tune")
    save_search(result, out)


def search_stage(cfg) -> Path:
    """Driver side: the row's search (Ray Tune trials), built once and then reused."""
    return cached_stage("weibo_search", _search_key(cfg), functools.partial(_build_search, cfg))


def tuned(cfg) -> tuple[dict, Path | None]:
    """The searched values for this row ({} without a search) and the stage holding them."""
    if not cfg.search_samples:
        return {}, None
    stage = stage_dir("weibo_search", _search_key(cfg))
    return load_search(stage, f"the hyperparameter search of {cfg.model}/{cfg.input}/{cfg.attend} has not "
                              f"run ({stage}); the task's prepare runs it in the driver"), stage


def predict(cfg, ctx, data) -> tuple[list[list[str]], dict[str, float]]:
    best, stage = tuned(cfg)
    extra = {}
    if best:
        cfg = apply_search(cfg, best, stage, ctx)
        extra["search_best_val_loss"] = best["val_loss"]
    problem, settings = fit_problem(cfg, data.arrays, len(data.vocab), seed=ctx.seed)
    result = ctx.fit(problem, settings)
    model = result.model.to("cuda" if cfg.use_gpu and torch.cuda.is_available() else "cpu")
    obj = objective(data.arrays, model.cfg.conversation)
    preds, other = (generate(model, obj, data.test, data.vocab.tokens, cfg.beam, cfg.max_tag_len, min(5, cfg.beam),
                             by_length=True, length_norm=norm) for norm in (cfg.length_norm, not cfg.length_norm))
    # Both rankings scored on the same model, so the default is measured, not assumed.
    golds = [data.posts[i].tags for i in data.test]
    prefix = "no_length_norm_" if cfg.length_norm else "length_norm_"
    extra |= {prefix + k: v for k, v in score(other, golds).items() if k in ("f1_at_1", "f1_at_5")}
    extra |= {"best_epoch": float(result.best_epoch), "holdout_loss": float(result.best_value),
              "n_train_pairs": float(len(data.arrays["train_post"]))}
    return preds, extra


__all__ = ["fit_problem", "objective", "model_config", "predict", "search_stage",
           "search_trial", "tuned"]

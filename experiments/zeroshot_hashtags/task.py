"""Zero-shot hashtag recommendation (papers/zero-shot-hashtag-recommendation.txt), one task.

    python experiments/zeroshot_hashtags/table1.py --scale cpu   # data statistics
    python experiments/zeroshot_hashtags/table2.py --scale cpu   # supervised, 5-fold
    python experiments/zeroshot_hashtags/table3.py --scale cpu   # ConSE / ESZSL / DEM

`mode` picks what a cell computes: `stats` (Table 1: counts of the data set and its word2vec,
a per-hashtag text table attached to the table's run), `supervised`
(`experiments.zeroshot_hashtags.supervised`) or `zeroshot` (`experiments.zeroshot_hashtags.zsl`).
The data and word2vec stages (`experiments.zeroshot_hashtags.data`) and table2's
searches are built by `prepare`, in the driver, before any cell runs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from components.classifiers.hashtag import HASHTAG_CLASSIFIERS
from components.zsl.splits import parse_split
from experiments.zeroshot_hashtags.data import (
    W2V_MODEL,
    ZeroShotConfig,
    data_sha256s,
    data_stage,
    load_data,
    word2vec_files,
    word2vec_stage,
)
from experiments.zeroshot_hashtags.supervised import LINEAR, prepare_searches, run_supervised
from experiments.zeroshot_hashtags.zsl import METHODS, run_zeroshot
from orchestration.spec import SpecError
from orchestration.task import Task

MODES = ("stats", "supervised", "zeroshot")


def check(cfg: ZeroShotConfig) -> None:
    if cfg.mode not in MODES:
        raise SpecError(f"mode must be one of {', '.join(MODES)}, got {cfg.mode!r}")
    if cfg.n_labels < 2 or cfg.min_words < 1 or cfg.max_len < 1 or cfg.w2v_dim < 1:
        raise SpecError(f"need n_labels >= 2, min_words, max_len, w2v_dim >= 1; got {cfg.n_labels}, "
                        f"{cfg.min_words}, {cfg.max_len}, {cfg.w2v_dim}")
    if not 0.0 < cfg.val_fraction < 1.0:
        raise SpecError(f"val_fraction must be in (0, 1), got {cfg.val_fraction}")
    if cfg.w2v_dim % cfg.n_heads:
        raise SpecError(f"n_heads={cfg.n_heads} must divide w2v_dim={cfg.w2v_dim} (the transformer's width)")
    if cfg.model not in HASHTAG_CLASSIFIERS and cfg.model not in LINEAR:
        raise SpecError(f"model must be one of {', '.join([*HASHTAG_CLASSIFIERS, *LINEAR])}, got {cfg.model!r}")
    bad = [f for f in cfg.folds if not 0 <= f < cfg.n_folds]
    if cfg.n_folds < 2 or bad:
        raise SpecError(f"need n_folds >= 2 and folds in 0..n_folds-1; got n_folds={cfg.n_folds}, folds={cfg.folds}")
    if cfg.mode == "zeroshot":
        if cfg.method not in METHODS:
            raise SpecError(f"method must be one of {', '.join(METHODS)}, got {cfg.method!r}")
        try:
            parse_split(cfg.split, cfg.n_labels)
        except ValueError as e:
            raise SpecError(str(e)) from None
        if not 1 <= cfg.few_shot_min <= cfg.few_shot_max:
            raise SpecError(f"need 1 <= few_shot_min <= few_shot_max, got {cfg.few_shot_min}, {cfg.few_shot_max}")


def checked_sha256s(cfg: ZeroShotConfig) -> dict[str, str]:
    check(cfg)  # runs in the driver before MLflow holds anything
    return data_sha256s(cfg)


def prepare(cfg: ZeroShotConfig) -> None:
    check(cfg)
    data_stage(cfg)
    if cfg.mode == "supervised":
        prepare_searches(cfg)


def label_table(data) -> str:
    """Markdown: each label hashtag, its examples and where its embedding came from."""
    meta = data.meta
    lines = ["| hashtag | examples | label embedding |", "|---|---|---|"]
    for tag, n, src in zip(meta["tags"], meta["examples_per_label"], meta["label_sources"], strict=True):
        lines.append(f"| #{tag} | {n} | {src} |")
    return "\n".join(lines) + "\n"


def run_stats(cfg: ZeroShotConfig, ctx) -> dict[str, float]:
    data = load_data(cfg)
    stats = data.meta["stats"]
    out = Path(ctx.work_dir) / "artifacts"
    out.mkdir(parents=True, exist_ok=True)
    (out / "table1_labels.md").write_text(label_table(data))
    ctx.log_table_artifact(out / "table1_labels.md")
    sources = data.meta["label_sources"]
    metrics = {k: float(v) for k, v in stats.items()}
    metrics["share_with_hashtag"] = stats["n_with_hashtag"] / stats["n_tweets"]
    metrics["labels_own_vector"] = float(sources.count("own"))
    metrics["labels_from_words"] = float(sources.count("words"))
    metrics["examples_per_label_median"] = float(np.median(data.meta["examples_per_label"]))
    return metrics


def run_cell(cfg: ZeroShotConfig, ctx) -> dict[str, float]:
    check(cfg)
    w2v = word2vec_stage(cfg)  # the word vectors every mode reads: their registered version in the tags
    ctx.record_stage_model(W2V_MODEL, w2v.name, "word2vec", word2vec_files(w2v))
    if cfg.mode == "stats":
        return run_stats(cfg, ctx)
    if cfg.mode == "supervised":
        return run_supervised(cfg, ctx)
    return run_zeroshot(cfg, ctx)


# version 2: Table 3's settings scored on the same test tweets, per-hashtag hit@K, the frequent-unseen floor
# version 3: DEM's λ chosen on held-out seen hashtags (dem_select)
# version 4: the same count of test tweets per unseen hashtag (test_per_unseen), DEM's λ grid a field
ZEROSHOT_HASHTAGS = Task("zeroshot_hashtags", ZeroShotConfig, run_cell, checked_sha256s, prepare, version=4)

__all__ = ["MODES", "ZeroShotConfig"]

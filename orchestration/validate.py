"""Every config value checked where a cell's config is built, before anything runs.

A field's name carries its domain, the convention every task config follows:

| names                                                       | expected            |
|-------------------------------------------------------------|---------------------|
| epochs, patience, batch_size, beam, hidden, dim, n_*, workers, threads, top_*, min_count, ... | an int >= 1 |
| max_* (0: no cap; lengths >= 1), *seed, search_samples, conse_top_t, epoch_size, classes, per_class, cv_folds | an int >= 0 |
| vocab_size, *_vocab_size                                    | an int > the 4 special tokens |
| lr, *_lr, *_c, eszsl_gamma, eszsl_lam, *budget_s             | a finite float > 0  |
| *dropout, holdout_fraction                                  | a float in [0, 1)   |
| val_fraction                                                | a float in (0, 1)   |
| *weight_decay                                               | a finite float >= 0 |

and every float is finite, every tuple of such values is checked item by item, nested configs
(`pretrain=`) field by field. A task adds its own rules with a `check()` method on its config,
which raises `SpecError`. The message names the key, the value and what was expected.
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any

from orchestration.spec import SpecError

N_SPECIAL_TOKENS = 4  # <pad> <unk> <bos> <eos>: components/text/vocab.py

_RULES: list[tuple[re.Pattern, str]] = [(re.compile(p), kind) for p, kind in (
    (r"^(max_.*|.*_seed|seed|search_samples|conse_top_t|epoch_size|classes|per_class|cv_folds)$", "count0"),
    (r"^(.*_)?vocab_size$", "vocab"),
    (r"^(epochs|.*_epochs|patience|.*_patience|batch_size|beam|hidden|.*_hidden|dim|.*_dim|n_.*|workers|"
     r".*_workers|threads|top_.*|min_count|.*_min_count|.*_window|few_shot_min|few_shot_max|"
     r"lda_topics|lda_iter|knn_neighbours|search_concurrency|min_words|label_min_count|min_label_tweets|popular_threshold)$",
     "count1"),
    (r"^(lr|.*_lr|.*_c|eszsl_gamma|eszsl_lam|.*budget_s|lr_floor)$", "positive"),
    (r"^(.*dropout|holdout_fraction)$", "unit_open"),
    (r"^val_fraction$", "unit"),
    (r"^(.*weight_decay)$", "nonneg"),
)]
_EXPECT = {"count0": "an int >= 0", "count1": "an int >= 1",
           "vocab": f"an int > {N_SPECIAL_TOKENS} (the special tokens)", "positive": "a finite number > 0",
           "unit_open": "a number in [0, 1)", "unit": "a number in (0, 1)", "nonneg": "a finite number >= 0"}
# max_* fields capped before a 1 (lengths) must be >= 1; these caps read 0 as "no cap".
_COUNT1_FIRST = re.compile(r"^max_(src|tgt|tag|post|conv)_len$")


def _ok(kind: str, v: Any) -> bool:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return True  # strings, Literals and bools are the type checker's
    if isinstance(v, float) and not math.isfinite(v):
        return False
    if kind == "count0":
        return v >= 0
    if kind == "count1":
        return v >= 1
    if kind == "vocab":
        return v > N_SPECIAL_TOKENS
    if kind == "positive":
        return v > 0
    if kind == "unit_open":
        return 0 <= v < 1
    if kind == "unit":
        return 0 < v < 1
    return v >= 0  # nonneg


def kind_of(name: str) -> str | None:
    if _COUNT1_FIRST.match(name):
        return "count1"
    for pattern, kind in _RULES:
        if pattern.match(name):
            return kind
    return None


def check_config(cfg: Any, where: str, prefix: str = "") -> None:
    """Raise SpecError on the first value out of its domain; `where` says whose config it is."""
    for f in dataclasses.fields(cfg):
        value, key = getattr(cfg, f.name), f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            check_config(value, where, prefix=f"{key}.")
            continue
        kind = kind_of(f.name)
        values = value if isinstance(value, tuple) else (value,)
        for v in values:
            if isinstance(v, float) and not math.isfinite(v):
                raise SpecError(f"{key}={value} ({where}): expected a finite number")
            if kind and not _ok(kind, v):
                raise SpecError(f"{key}={value} ({where}): expected {_EXPECT[kind]}")
    if hasattr(cfg, "check"):
        cfg.check()

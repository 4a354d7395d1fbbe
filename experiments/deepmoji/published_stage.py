"""DeepMoji's published model as an encoder stage: the same files a pretrained stage has, no training.

    EMOJITAGS_DEEPMOJI_WEIGHTS=pytorch_model.bin python experiments/emoji_hashtags/table2.py --scale paper

`PretrainConfig(model="published")` names it: `encoder_stage.pretrained_encoder` then writes
torchMoji's weights (hard-sigmoid gates, 64 emojis), our tokenizer over torchMoji's 50,000-token
vocabulary, and the 64 emojis as the labels into a `deepmoji_encoder` stage keyed by the weights
file's sha256, so every table reads the published model exactly as it reads a stand-in encoder.
The file: $EMOJITAGS_DEEPMOJI_WEIGHTS, else a copy under $EMOJITAGS_HOME/weights downloaded once
from torchMoji's origin; offline and without the variable, a one-line error naming it, raised
while the table checks its cells (before anything is tracked).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import torch

from components.data import deepmoji_vocabulary, deepmoji_wanted_emojis
from components.data.files import cached_sha256
from components.emoji_encoder import load_torchmoji, published, published_weights_path
from components.emoji_encoder.published import torchmoji_tokenizer
from orchestration.runtime import home

PUBLISHED = "published"
PUBLISHED_VERSION = 1


def weights_file() -> Path:
    """The published weights: $EMOJITAGS_DEEPMOJI_WEIGHTS, else the downloaded copy (fetched if absent)."""
    return published_weights_path(download_to=home() / "weights" / "torchmoji" / "pytorch_model.bin",
                                  url=published.DOWNLOAD_URL)


def published_key(max_len: int) -> dict:
    """The stage key: which file (by its sha256) and how long a text the tokenizer keeps."""
    return {"model": PUBLISHED, "weights_sha256": cached_sha256(weights_file()), "max_len": max_len,
            "version": PUBLISHED_VERSION}


def build_published(max_len: int, name: str, out: Path) -> None:
    """Write encoder.pt, tokenizer.json and config.json of the published model into `out`."""
    path = weights_file()
    model = load_torchmoji(path)
    tok = torchmoji_tokenizer(deepmoji_vocabulary(), max_len)
    labels = deepmoji_wanted_emojis()
    if len(labels) != model.config.n_classes or len(tok) != model.config.vocab_size:
        raise ValueError(f"{path}: {model.config.vocab_size} tokens and {model.config.n_classes} classes, but "
                         f"torchMoji's vocabulary has {len(tok)} and wanted_emojis.csv {len(labels)}")
    torch.save(model.checkpoint(tok.vocab_hash()), out / "encoder.pt")
    (out / "tokenizer.json").write_text(json.dumps(tok.to_dict(), ensure_ascii=False))
    (out / "config.json").write_text(json.dumps({
        "stage": name, "config": {"model": PUBLISHED, "max_len": max_len}, "labels": labels,
        "vocab_hash": tok.vocab_hash(), "weights": os.fspath(path), "weights_sha256": cached_sha256(path)},
        ensure_ascii=False, indent=1))


__all__ = ["PUBLISHED", "build_published", "published_key", "weights_file"]

"""DeepMoji (Felbo et al., EMNLP 2017): the 8 transfer benchmarks, vocabulary and 64 emojis.

Each benchmark is a Python 2 pickle ``{texts, info: [{'label': ...}], train_ind, val_ind,
test_ind}``. The label layout differs per benchmark; it is normalised here to

* ``task="binary"``:     labels (N,) int64 in {0, 1}        - SS-Twitter, SS-Youtube, SCv1,
                                                              SCv2-GEN, kaggle-insults
* ``task="multiclass"``: labels (N,) int64 in 0..C-1        - PsychExp (stored one-hot, 7)
* ``task="multilabel"``: labels (N, C) int64 0/1, rows may  - Olympic (4), SE0714 (3)
                         hold zero or several 1s
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .errors import DataError
from .files import data_file, read_lines
from .safe_pickle import load_restricted_pickle

BENCHMARKS: tuple[str, ...] = (
    "SS-Twitter", "SS-Youtube", "SE0714", "Olympic",
    "PsychExp", "SCv1", "SCv2-GEN", "kaggle-insults",
)
Task = Literal["binary", "multiclass", "multilabel"]


@dataclass(frozen=True, eq=False)
class Benchmark:
    """One benchmark with its fixed train/val/test split (indices into texts and labels)."""

    name: str
    texts: list[str]
    labels: np.ndarray
    train_ind: np.ndarray
    val_ind: np.ndarray
    test_ind: np.ndarray
    n_classes: int
    task: Task


def load_deepmoji_benchmark(name: str) -> Benchmark:
    """Load one of BENCHMARKS from its restricted-unpickled raw.pickle."""
    if name not in BENCHMARKS:
        raise ValueError(f"unknown DeepMoji benchmark {name!r}; valid: {', '.join(BENCHMARKS)}")
    path = data_file(f"deepmoji_benchmarks/{name}/raw.pickle")
    # encoding="bytes" keeps Python 2 str texts as bytes so they can be decoded as UTF-8
    # (what DeepMoji itself does); "latin1" would turn the UTF-8 in SCv1 into mojibake
    # such as "itâ\x80¦" while leaving the unicode texts of other files indistinguishable.
    raw = load_restricted_pickle(path, encoding="bytes")
    if not isinstance(raw, dict):
        raise DataError(f"{path}: expected a dict, got {type(raw).__name__}")
    texts = [_text(t, name, i) for i, t in enumerate(_field(raw, "texts", path))]
    labels, n_classes, task = _labels([_field(info, "label", path)
                                       for info in _field(raw, "info", path)], name)
    if len(labels) != len(texts):
        raise DataError(f"{path}: {len(texts)} texts but {len(labels)} labels")
    splits = [_indices(_field(raw, key, path), len(texts), f"{name} {key}")
              for key in ("train_ind", "val_ind", "test_ind")]
    _check_disjoint(splits, name)
    return Benchmark(name, texts, labels, *splits, n_classes=n_classes, task=task)


def deepmoji_vocabulary() -> dict[str, int]:
    """DeepMoji's 50,000-token vocabulary: token -> index (0..9 are CUSTOM_* specials)."""
    path = data_file("deepmoji_benchmarks/vocabulary.json")
    vocab = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(vocab, dict) or not all(isinstance(v, int) for v in vocab.values()):
        raise DataError(f"{path}: expected a JSON object of token -> integer index")
    return vocab


_ESCAPE = re.compile(r"\\U([0-9a-fA-F]{8})|\\u([0-9a-fA-F]{4})")


def deepmoji_wanted_emojis() -> list[str]:
    """The 64 pretraining emojis in DeepMoji's output order, as real characters.

    The csv stores escapes such as ``\\U0001f602``; they are decoded by a strict pattern
    rather than codecs' unicode_escape, which would also honour any other escape in the file.
    """
    path = data_file("deepmoji_benchmarks/wanted_emojis.csv")
    emojis = []
    for lineno, line in enumerate(read_lines(path), start=1):
        line = line.strip()
        if not line or _ESCAPE.sub("", line):
            raise DataError(f"{path}:{lineno}: expected \\U/\\u escapes only, got {line!r}")
        emojis.append(_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), line))
    return emojis


def _field(record: Any, key: str, path: Any) -> Any:
    # With encoding="bytes", keys written as Python 2 str arrive as bytes.
    if isinstance(record, dict):
        for k in (key, key.encode("ascii")):
            if k in record:
                return record[k]
    raise DataError(f"{path}: missing field {key!r}")


def _text(value: Any, name: str, i: int) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DataError(f"{name} text {i} is not valid UTF-8: {exc}") from exc
    raise DataError(f"{name} text {i} is a {type(value).__name__}, not text")


def _labels(raw: list[Any], name: str) -> tuple[np.ndarray, int, Task]:
    arr = np.stack([np.asarray(v) for v in raw])
    if arr.dtype.kind not in "biuf" or not np.array_equal(arr, np.round(arr)):
        raise DataError(f"{name}: labels are not integral ({arr.dtype})")
    arr = arr.astype(np.int64)
    if arr.ndim == 1:
        if arr.min() < 0:
            raise DataError(f"{name}: negative class label {arr.min()}")
        n_classes = max(int(arr.max()) + 1, 2)
        return arr, n_classes, "binary" if n_classes == 2 else "multiclass"
    if arr.ndim != 2 or not np.isin(arr, (0, 1)).all():
        raise DataError(f"{name}: expected (N,) class labels or (N, C) 0/1 vectors, got "
                        f"shape {arr.shape}")
    if (arr.sum(axis=1) == 1).all():
        # Exactly one 1 per row: a one-hot single-label task, stored as class indices.
        return arr.argmax(axis=1), arr.shape[1], "multiclass"
    return arr, arr.shape[1], "multilabel"


def _indices(raw: Any, n: int, label: str) -> np.ndarray:
    ind = np.asarray(raw, dtype=np.int64).reshape(-1)
    if ind.size and (ind.min() < 0 or ind.max() >= n):
        raise DataError(f"{label}: indices outside 0..{n - 1}")
    if np.unique(ind).size != ind.size:
        raise DataError(f"{label}: repeated indices")
    return ind


def _check_disjoint(splits: list[np.ndarray], name: str) -> None:
    train, val, test = splits
    for a, b, what in ((train, val, "train/val"), (train, test, "train/test"),
                       (val, test, "val/test")):
        if np.intersect1d(a, b).size:
            raise DataError(f"{name}: {what} splits overlap")

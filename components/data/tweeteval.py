"""TweetEval emoji prediction (SemEval-2018 Task 2, US English): 20 emojis, one per tweet.

45,000 train / 5,000 val / 50,000 test tweets; the label emoji was removed from each text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import DataError
from .files import data_file, read_lines

SPLITS: tuple[str, ...] = ("train", "val", "test")
N_LABELS = 20


@dataclass(frozen=True)
class EmojiLabel:
    """One row of mapping.txt: label index, the emoji, and its name (e.g. ``red_heart``)."""

    index: int
    emoji: str
    name: str


def parse_mapping(path: Path) -> list[EmojiLabel]:
    """Parse mapping.txt: tab-separated ``index\\temoji\\t_name_\\t`` (note the trailing tab)."""
    labels = []
    for lineno, line in enumerate(read_lines(path), start=1):
        fields = line.split("\t")
        if len(fields) < 3 or not fields[0].strip().isdigit():
            raise DataError(f"{path}:{lineno}: expected 'index<TAB>emoji<TAB>_name_', got {line!r}")
        labels.append(EmojiLabel(int(fields[0]), fields[1].strip(), fields[2].strip().strip("_")))
    if [lab.index for lab in labels] != list(range(len(labels))):
        raise DataError(f"{path}: label indices are not 0..{len(labels) - 1} in order")
    return labels


def tweeteval_labels() -> list[EmojiLabel]:
    """The 20 labels in index order."""
    return parse_mapping(data_file("tweeteval_emoji/mapping.txt"))


def tweeteval_mapping() -> list[str]:
    """The 20 emojis in label order (index ``i`` is label ``i``)."""
    return [lab.emoji for lab in tweeteval_labels()]


def tweeteval_label_names() -> list[str]:
    """The 20 emoji names in label order, e.g. ``red_heart``, ``face_with_tears_of_joy``."""
    return [lab.name for lab in tweeteval_labels()]


def parse_split(text_path: Path, labels_path: Path, mapping: list[EmojiLabel]) -> pd.DataFrame:
    """Join a text file and its parallel label file into ``text, label, emoji`` columns.

    Every train line ends in a space that val and test lines lack; it is stripped so that
    the splits do not differ in an artefact a character-level model could pick up.
    """
    texts = [t.rstrip(" ") for t in read_lines(text_path)]
    raw_labels = read_lines(labels_path)
    if len(texts) != len(raw_labels):
        raise DataError(
            f"{text_path.name} has {len(texts)} lines but {labels_path.name} has "
            f"{len(raw_labels)}: the files are misaligned"
        )
    try:
        labels = [int(x) for x in raw_labels]
    except ValueError as exc:
        raise DataError(f"{labels_path}: non-integer label ({exc})") from exc
    bad = [x for x in labels if not 0 <= x < len(mapping)]
    if bad:
        raise DataError(f"{labels_path}: labels outside 0..{len(mapping) - 1}, e.g. {bad[0]}")
    emojis = [lab.emoji for lab in mapping]
    # Text columns keep pandas' default string dtype (object on pandas 2, str on pandas 3).
    return pd.DataFrame({
        "text": texts,
        "label": pd.Series(labels, dtype="int64"),
        "emoji": [emojis[x] for x in labels],
    })


def load_tweeteval_emoji(split: str) -> pd.DataFrame:
    """One split as a DataFrame with columns ``text`` (str), ``label`` (int64), ``emoji`` (str)."""
    if split not in SPLITS:
        raise ValueError(f"unknown tweeteval_emoji split {split!r}; valid: {', '.join(SPLITS)}")
    return parse_split(
        data_file(f"tweeteval_emoji/{split}_text.txt"),
        data_file(f"tweeteval_emoji/{split}_labels.txt"),
        tweeteval_labels(),
    )

"""Weibo posts with their reply conversations and hashtags (Wang et al., NAACL 2019).

Text is already word-segmented (tokens separated by single spaces) with DIGIT, URL and
MENTION placeholders. Each split is three parallel files - ``<split>_post.txt``,
``<split>_conv.txt``, ``<split>_tag.txt`` - one post per line. A tag line holds one or more
hashtags separated by ';', each itself a space-separated phrase. The public copy has only
the hashtags of the training split (``train_tag.txt``), not its posts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import DataError
from .files import data_file, read_lines

SPLITS: tuple[str, ...] = ("valid", "test")
_DIR = "weibo_conversation_hashtags"


@dataclass(frozen=True)
class WeiboPost:
    """One post: its tokens, the tokens of its replies (maybe none), and its hashtags."""

    post: list[str]
    conversation: list[str]
    hashtags: list[str]


def parse_hashtags(line: str) -> list[str]:
    """Split a tag line on ';' into hashtags, dropping the empty items of ``a;;b`` or ``a;``.

    Inner whitespace is normalised to single spaces so that equal hashtags compare equal.
    """
    return [" ".join(item.split()) for item in line.split(";") if item.strip()]


def parse_weibo_split(post_path: Path, conv_path: Path, tag_path: Path) -> list[WeiboPost]:
    """Zip three parallel files into posts; unequal line counts, or a tag line with no
    hashtag in it, raise DataError. An empty conversation line is a post without replies."""
    posts, convs, tags = read_lines(post_path), read_lines(conv_path), read_lines(tag_path)
    if not len(posts) == len(convs) == len(tags):
        raise DataError(
            f"weibo files are misaligned: {post_path.name} has {len(posts)} lines, "
            f"{conv_path.name} {len(convs)}, {tag_path.name} {len(tags)}"
        )
    out = []
    for i, (p, c, t) in enumerate(zip(posts, convs, tags, strict=True), start=1):
        hashtags = parse_hashtags(t)
        if not hashtags:  # a post without a gold hashtag can be neither trained on nor scored
            raise DataError(f"{tag_path.name} line {i}: no hashtag (the line is {t!r})")
        out.append(WeiboPost(post=p.split(), conversation=c.split(), hashtags=hashtags))
    return out


def load_weibo(split: str) -> list[WeiboPost]:
    """The ``valid`` (4,013 posts) or ``test`` (4,014 posts) split."""
    if split not in SPLITS:
        raise ValueError(f"unknown weibo split {split!r}; valid: {', '.join(SPLITS)}")
    return parse_weibo_split(
        data_file(f"{_DIR}/{split}_post.txt"),
        data_file(f"{_DIR}/{split}_conv.txt"),
        data_file(f"{_DIR}/{split}_tag.txt"),
    )


def load_weibo_train_tags() -> list[list[str]]:
    """The hashtags of each of the 32,107 training posts (their text is not public)."""
    return [parse_hashtags(line) for line in read_lines(data_file(f"{_DIR}/train_tag.txt"))]

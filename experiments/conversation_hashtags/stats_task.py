"""Statistics of the Weibo data (the conversation paper's Tables 2 and 3): one cell = one split.

Table 2: posts, average words per post / conversation / hashtag, hashtags per post.
Table 3: distinct hashtags (|Tagset|) and the share of hashtags present in their own post
(P), conversation (C) or either (P ∪ C). "Present" is tested two ways: in characters (the
hashtag, whitespace removed, is a substring of the post with its whitespace removed; the
main columns: immune to the word segmenter cutting a name differently in a post and in a
hashtag) and in words (the hashtag's words occur as a contiguous run of the post's words).
`train_tags` reads `train_tag.txt`, the hashtags of the paper's 32,107 training posts,
whose texts are not public: it has hashtag statistics only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from components.data import WeiboPost, dataset_files, load_weibo, load_weibo_train_tags
from components.data.files import data_file
from experiments.conversation_hashtags.task import weibo_tag
from orchestration.spec import RunSettings, SpecError
from orchestration.task import Task

SPLITS = ("valid", "test", "valid_test", "train_tags")


@dataclass(frozen=True)
class WeiboStatsConfig(RunSettings):
    split: str = "valid_test"  # valid | test | valid_test (both public splits) | train_tags


def contains_words(words: Sequence[str], tag: str) -> bool:
    """The hashtag's words as a contiguous run of `words`."""
    t = tag.split()
    return bool(t) and any(list(words[i:i + len(t)]) == t for i in range(len(words) - len(t) + 1))


def presence(posts: Sequence[WeiboPost]) -> dict[str, float]:
    """Shares of (post, hashtag) pairs whose hashtag is present in the post / conversation / either."""
    flags = {k: [] for k in ("post", "conv", "either", "post_words", "conv_words", "either_words")}
    for p in posts:
        post_chars, conv_chars = weibo_tag(" ".join(p.post)), weibo_tag(" ".join(p.conversation))
        for tag in p.hashtags:
            chars = weibo_tag(tag)
            in_post, in_conv = chars in post_chars, chars in conv_chars
            in_post_w, in_conv_w = contains_words(p.post, tag), contains_words(p.conversation, tag)
            for key, value in (("post", in_post), ("conv", in_conv), ("either", in_post or in_conv),
                               ("post_words", in_post_w), ("conv_words", in_conv_w),
                               ("either_words", in_post_w or in_conv_w)):
                flags[key].append(value)
    return {f"present_{k}": float(np.mean(v)) for k, v in flags.items()}


def tag_stats(tag_lists: Sequence[Sequence[str]]) -> dict[str, float]:
    tags = [t for ts in tag_lists for t in ts]
    return {"posts": float(len(tag_lists)), "avg_tag_len": float(np.mean([len(t.split()) for t in tags])),
            "tags_per_post": len(tags) / len(tag_lists), "tagset": float(len({weibo_tag(t) for t in tags}))}


def text_stats(posts: Sequence[WeiboPost]) -> dict[str, float]:
    return {**tag_stats([p.hashtags for p in posts]), **presence(posts),
            "avg_post_len": float(np.mean([len(p.post) for p in posts])),
            "avg_conv_len": float(np.mean([len(p.conversation) for p in posts])),
            "empty_conversations": float(sum(not p.conversation for p in posts))}


def data_sha256s(cfg: WeiboStatsConfig) -> dict[str, str]:
    if cfg.split not in SPLITS:
        raise SpecError(f"split must be one of {', '.join(SPLITS)}, got {cfg.split!r}")
    out = {f.path: f.sha256 for f in dataset_files("weibo_conversation_hashtags")}
    for path in out:
        data_file(path)
    for split in ("valid", "test"):  # misaligned files or an empty tag line fail here, before MLflow
        load_weibo(split)
    return out


def run_stats(cfg: WeiboStatsConfig, ctx) -> dict[str, float]:
    if cfg.split == "train_tags":
        return tag_stats(load_weibo_train_tags())
    posts = [p for s in ("valid", "test") if cfg.split in (s, "valid_test") for p in load_weibo(s)]
    return text_stats(posts)


WEIBO_STATS = Task("weibo_stats", WeiboStatsConfig, run_stats, data_sha256s)

__all__ = ["SPLITS", "WeiboStatsConfig", "contains_words", "presence", "tag_stats", "text_stats"]

"""The Weibo conversation-hashtag data of the conversation paper, as cached stages.

    from experiments.conversation_hashtags.data import CorpusSpec, corpus_stage, arrays_stage

The paper's 32k training posts are not public (only their hashtags, `train_tag.txt`): the
models train on the public *validation* split (4,013 posts), a seeded `holdout_fraction` of
it held out for early stopping and the hyperparameter search, and are tested on the paper's
own test split (4,014 posts).

Two stages, each keyed by its settings and the data's sha256s:
- `weibo_corpus`: per post its words, its conversation's words, its hashtags, its split
  (TRAIN / HOLDOUT / TEST) and its line in the original file;
- `weibo_arrays`: one vocabulary for posts, conversations and hashtags (the paper's shared
  V, built from the training part; with `keep_tag_words` every training hashtag word is in
  it whatever its rank), padded ids, (post, hashtag) training pairs, and `coverage.json`:
  the share of training and test hashtags with a word the vocabulary lacks.

Input rules (tested in tests/test_conversation_hashtags.py):
- a post without replies has an empty conversation (length 0): the encoders give it zero
  states and nothing to attend to; a whole batch of them still has a width of one;
- the three files of a split must have equal line counts (components.data.weibo);
- a tag line `a;;b;` holds hashtags a and b; a tag line with none is a DataError;
- a post with several hashtags is one training pair per hashtag (the paper, after Meng
  et al., 2017).
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from components.data import dataset_sha256s, load_weibo
from components.text import Vocabulary, pad_sequences
from orchestration.spec import SpecError
from orchestration.stages import cached_stage

DATASET = "weibo_conversation_hashtags"
TRAIN, HOLDOUT, TEST = 0, 1, 2
CORPUS_VERSION, ARRAYS_VERSION = 1, 2  # arrays 2: coverage.json


@dataclass(frozen=True)
class Post:
    post: list[str]   # words
    conv: list[str]   # the replies' words, in order (maybe none)
    tags: list[str]   # gold hashtags, each a space-separated word sequence
    line: int = 0     # 1-based line in its split's files


@dataclass(frozen=True)
class CorpusSpec:
    max_train_posts: int = 0        # 0: the whole validation split; else a seeded subset of it
    max_test_posts: int = 0         # 0: the whole test split; else a seeded subset
    holdout_fraction: float = 0.1   # of the training posts, for early stopping and the search
    split_seed: int = 0

    def check(self) -> None:
        if not 0 < self.holdout_fraction < 1:
            raise SpecError(f"holdout_fraction must be in (0, 1), got {self.holdout_fraction}")
        if self.max_train_posts < 0 or self.max_test_posts < 0:
            raise SpecError("max_train_posts and max_test_posts must be >= 0 (0: all)")


def _subset(n: int, keep: int, rng: np.random.Generator) -> np.ndarray:
    return np.sort(rng.choice(n, keep, replace=False)) if 0 < keep < n else np.arange(n)


def _build_corpus(spec: CorpusSpec, out: Path) -> None:
    valid, test = load_weibo("valid"), load_weibo("test")
    keep_valid = _subset(len(valid), spec.max_train_posts, np.random.default_rng([spec.split_seed, 1]))
    keep_test = _subset(len(test), spec.max_test_posts, np.random.default_rng([spec.split_seed, 2]))
    n_holdout = max(1, int(round(spec.holdout_fraction * len(keep_valid))))
    if n_holdout >= len(keep_valid):
        raise SpecError(f"holdout_fraction={spec.holdout_fraction} of {len(keep_valid)} posts leaves none to train on")
    holdout = set(np.random.default_rng([spec.split_seed, 3]).permutation(len(keep_valid))[:n_holdout].tolist())
    rows = [{**asdict(Post(valid[i].post, valid[i].conversation, valid[i].hashtags, int(i) + 1)),
             "split": HOLDOUT if j in holdout else TRAIN} for j, i in enumerate(keep_valid)]
    rows += [{**asdict(Post(test[i].post, test[i].conversation, test[i].hashtags, int(i) + 1)), "split": TEST}
             for i in keep_test]
    (out / "corpus.json").write_text(json.dumps(rows, ensure_ascii=False))


def corpus_key(spec: CorpusSpec) -> dict:
    return {**asdict(spec), "data": dataset_sha256s(DATASET), "version": CORPUS_VERSION}


def corpus_stage(spec: CorpusSpec) -> Path:
    spec.check()
    return cached_stage("weibo_corpus", corpus_key(spec), functools.partial(_build_corpus, spec))


def load_corpus(stage: Path) -> tuple[list[Post], np.ndarray]:
    """The posts (train and holdout first, in file order, then test) and their splits."""
    rows = json.loads((stage / "corpus.json").read_text())
    return ([Post(r["post"], r["conv"], r["tags"], r["line"]) for r in rows],
            np.array([r["split"] for r in rows], dtype=np.int64))


# ---- arrays stage ----------------------------------------------------------------------

@dataclass(frozen=True)
class ArraysSpec:
    corpus: CorpusSpec
    vocab_size: int
    min_count: int
    max_post_len: int
    max_conv_len: int
    max_tag_len: int
    keep_tag_words: bool = False  # every word of a training hashtag in the vocabulary, whatever its rank


def tag_coverage(posts: list[Post], idx: np.ndarray, vocab: Vocabulary) -> float:
    """The share of the gold hashtags of the posts in `idx` with a word outside `vocab`: a
    generator cannot spell those, whatever it learns."""
    tags = [t.split() for i in idx for t in posts[i].tags]
    return float(np.mean([any(w not in vocab for w in t) for t in tags])) if tags else 0.0


def tag_pairs(posts: list[Post], idx: np.ndarray, vocab: Vocabulary,
              max_tag_len: int) -> tuple[np.ndarray, np.ndarray]:
    """One (post index, `<bos>` words `<eos>`) pair per gold hashtag of each post in `idx`."""
    owners, targets = [], []
    for i in idx:
        for tag in posts[i].tags:
            owners.append(int(i))
            targets.append(vocab.encode(tag.split()[:max_tag_len], add_bos=True, add_eos=True))
    tgt, _ = pad_sequences(targets, max_tag_len + 2)
    return np.array(owners, dtype=np.int64), tgt


def _build_arrays(spec: ArraysSpec, out: Path) -> None:
    posts, split = load_corpus(corpus_stage(spec.corpus))
    train = np.flatnonzero(split == TRAIN)
    tag_words = {w for i in train for t in posts[i].tags for w in t.split()}
    vocab = Vocabulary.build([w for i in train for w in (posts[i].post, posts[i].conv,
                                                         *(t.split() for t in posts[i].tags))],
                             max_size=spec.vocab_size, min_count=spec.min_count,
                             keep=tag_words if spec.keep_tag_words else ())
    arrays = {}
    arrays["post"], arrays["post_len"] = pad_sequences([vocab.encode(p.post) for p in posts], spec.max_post_len)
    arrays["conv"], arrays["conv_len"] = pad_sequences([vocab.encode(p.conv) for p in posts], spec.max_conv_len)
    for name, code in (("train", TRAIN), ("holdout", HOLDOUT)):
        arrays[f"{name}_post"], arrays[f"{name}_tgt"] = tag_pairs(posts, np.flatnonzero(split == code),
                                                                  vocab, spec.max_tag_len)
    arrays["test_post"] = np.flatnonzero(split == TEST)
    np.savez(out / "arrays.npz", **arrays)
    (out / "vocab.json").write_text(json.dumps(vocab.to_dict(), ensure_ascii=False))
    coverage = {f"{name}_tag_oov_share": tag_coverage(posts, np.flatnonzero(split == code), vocab)
                for name, code in (("train", TRAIN), ("test", TEST))}
    (out / "coverage.json").write_text(json.dumps(coverage))


def arrays_stage(spec: ArraysSpec) -> Path:
    key = {**asdict(spec), **corpus_key(spec.corpus), "version": ARRAYS_VERSION}
    return cached_stage("weibo_arrays", key, functools.partial(_build_arrays, spec))


def load_coverage(stage: Path) -> dict[str, float]:
    """Shares of training and test hashtags the vocabulary cannot spell (`tag_coverage`)."""
    return json.loads((stage / "coverage.json").read_text())


def load_arrays(stage: Path) -> tuple[dict[str, np.ndarray], Vocabulary]:
    with np.load(stage / "arrays.npz") as z:
        arrays = {k: z[k] for k in z.files}
    return arrays, Vocabulary.from_dict(json.loads((stage / "vocab.json").read_text()))


__all__ = ["DATASET", "HOLDOUT", "TEST", "TRAIN", "ArraysSpec", "CorpusSpec", "Post", "arrays_stage",
           "corpus_stage", "load_arrays", "load_corpus", "load_coverage", "tag_coverage", "tag_pairs"]

"""The hashtag-generation data of the emoji-hashtag paper's Table 2, as cached stages.

    from experiments.emoji_hashtags.generation_data import corpus_stage, arrays_stage, fused_stage

TweetEval's emoji tweets (train, val and test pooled) that keep at least one hashtag, split
8:1:1: the test tenth is the tweets `holdout_mask(text, split_seed, 0.1)` picks (a hash of the
text, so a tweet's side never depends on order), validation a random ninth of the rest (seeded),
training the remainder. The frozen encoders pretrain on TweetEval's hashtag-free tweets only
(`PretrainConfig.hashtag_free`), so no tweet of any of these splits ever trained one.

The emoji share: TweetEval cut each tweet's one emoji (its label) out, so no tweet has one; the
paper's Twitter 2020 tweets carry emojis in 16%. A seeded `emoji_share` of the tweets (a hash of
the text, independent of the split) get their label emoji back (`Example.has_emoji`): the rows
that read emojis (as a token, as its name's words, or through the frozen encoder) see it on those
tweets only, and Figure 5 compares exactly those tweets with the rest.

Three stages, each keyed by its settings and TweetEval's sha256s:
- `hashtag_corpus`: per tweet its raw text, post (hashtags and emojis cut), label emoji, whether
  it keeps it, gold hashtags (lower-cased) and their segmented targets, split; tweets per hashtag.
- `hashtag_arrays`: per input variant, the vocabulary, source ids (the label emoji on the tweets
  that keep it, for the emoji variants), and (tweet, target) pairs for training and validation.
- `hashtag_fused`: a frozen pretrained encoder's attention vector of every post (with its emoji
  where the tweet keeps it).

Input rules (each tested in tests/test_hashtag_generation.py):
- a tweet with no hashtag is not in the generation set;
- a post left empty once its hashtags are cut is kept, with an empty source: the post encoder
  reads a lone `<unk>` (NoEmoji) or only the emoji (emoji token / Demoji);
- a one-character hashtag (`#a`) is a valid one-word target (`a`);
- an emoji outside the frozen encoder's vocabulary is `<unk>` to that encoder's tokenizer.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from components.data import dataset_sha256s, load_tweeteval_emoji
from components.data.splits import holdout_mask
from components.text import (
    UNK_ID,
    HashtagSegmenter,
    TweetTokenizer,
    Vocabulary,
    emoji_name,
    extract_hashtags,
    pad_sequences,
    remove_emojis,
    remove_hashtags,
)
from experiments.deepmoji.encoder_stage import load_pretrained
from orchestration.stages import cached_stage

INPUTS = ("noemoji", "emoji_token", "demoji")  # the three Base rows' treatment of the emoji
TEST_FRACTION = 0.1                              # 8:1:1, the test tenth picked by holdout_mask
TRAIN, VAL, TEST = 0, 1, 2
EMOJI_SALT = 16  # the emoji-share hash's seed is split_seed + this, so it is not the test split's
# 2: compound segmentation, the emoji share; 2: one source per tweet; 2: the emoji share
CORPUS_VERSION, ARRAYS_VERSION, FUSED_VERSION = 2, 2, 2


@dataclass(frozen=True)
class Example:
    text: str                # TweetEval's text, as holdout_mask hashes it
    post: str                # the text without hashtags and emojis (may be empty)
    emoji: str               # the label emoji TweetEval cut out
    tags: list[str]          # gold hashtags, lower-cased, first occurrence order, no repeats
    targets: list[str]       # each tag segmented: "sunday funday"
    has_emoji: bool = False  # the label emoji is put back (a seeded `emoji_share` of tweets)


def generation_examples(frame: pd.DataFrame, segmenter: HashtagSegmenter) -> list[Example]:
    """Tweets with at least one hashtag (the others are not in the set), each with its targets.

    Tags are compared lower-cased (`#Love` and `#love` are one tag); a tag whose segmentation
    repeats an earlier one's is one target."""
    out = []
    for text, emoji in zip(frame["text"], frame["emoji"], strict=True):
        tags = list(dict.fromkeys(t.lower() for t in extract_hashtags(text)))
        if not tags:
            continue
        targets = list(dict.fromkeys(" ".join(segmenter.segment(t)) for t in tags))
        out.append(Example(text, remove_emojis(remove_hashtags(text)), emoji, tags, targets))
    return out


def split_examples(texts: Sequence[str], seed: int) -> np.ndarray:
    """TRAIN / VAL / TEST per text: TEST where holdout_mask holds it out, VAL a seeded ninth of
    the rest (so 8:1:1 overall)."""
    split = np.full(len(texts), TRAIN, dtype=np.int64)
    test = holdout_mask(list(texts), seed, TEST_FRACTION)
    split[test] = TEST
    rest = np.flatnonzero(~test)
    val = np.random.default_rng(seed).permutation(rest)[:int(round(len(rest) / 9))]
    split[val] = VAL
    return split


def source_text(ex: Example, variant: str, with_emoji: bool | None = None) -> str:
    """What the post encoder reads: the post, with the label emoji put back (as itself or as its
    name's words) when `with_emoji` (default: the tweet keeps its emoji) and the variant reads
    emojis at all."""
    with_emoji = ex.has_emoji if with_emoji is None else with_emoji
    if variant not in INPUTS:
        raise ValueError(f"input must be one of {', '.join(INPUTS)}, got {variant!r}")
    if not with_emoji or variant == "noemoji":
        return ex.post
    extra = ex.emoji if variant == "emoji_token" else emoji_name(ex.emoji)
    return f"{ex.post} {extra}".strip()


def source_ids(texts: Sequence[str], vocab: Vocabulary, tok: TweetTokenizer,
               max_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Padded ids; an empty source is a lone `<unk>` so every post has a step to attend to."""
    return pad_sequences([vocab.encode(tok.tokenize(t))[:max_len] or [UNK_ID] for t in texts], max_len)


# ---- corpus stage ----------------------------------------------------------------------

def corpus_key(max_tweets: int, split_seed: int, emoji_share: float) -> dict:
    return {"max_tweets": max_tweets, "split_seed": split_seed, "emoji_share": emoji_share,
            "data": dataset_sha256s("tweeteval_emoji"), "version": CORPUS_VERSION}


def keeps_emoji(texts: Sequence[str], split_seed: int, share: float) -> np.ndarray:
    """True for the tweets whose label emoji is put back: a hash of the text, `share` of them."""
    return holdout_mask(list(texts), split_seed + EMOJI_SALT, share)


def _build_corpus(max_tweets: int, split_seed: int, emoji_share: float, out: Path) -> None:
    frame = pd.concat([load_tweeteval_emoji(s) for s in ("train", "val", "test")], ignore_index=True)
    # Word counts of every TweetEval text (hashtags excluded by from_corpus), whatever the scale,
    # so one tag segments the same way in a smoke run and a full one.
    segmenter = HashtagSegmenter.from_corpus(frame["text"])
    tagged = frame[frame["text"].map(lambda t: bool(extract_hashtags(t)))]
    if 0 < max_tweets < len(tagged):  # a fixed subset: part of the data, not of a cell's seed
        keep = np.sort(np.random.default_rng(split_seed).choice(len(tagged), max_tweets, replace=False))
        tagged = tagged.iloc[keep]
    examples = generation_examples(tagged, segmenter)
    keep = keeps_emoji([e.text for e in examples], split_seed, emoji_share)
    examples = [dataclasses.replace(e, has_emoji=bool(k)) for e, k in zip(examples, keep, strict=True)]
    split = split_examples([e.text for e in examples], split_seed)
    counts = Counter(t for e in examples for t in e.tags)  # tweets per tag (tags are unique per tweet)
    rows = [{**e.__dict__, "split": int(s)} for e, s in zip(examples, split, strict=True)]
    (out / "corpus.json").write_text(json.dumps(rows, ensure_ascii=False))
    (out / "tag_counts.json").write_text(json.dumps(dict(counts.most_common()), ensure_ascii=False))


def corpus_stage(max_tweets: int, split_seed: int, emoji_share: float) -> Path:
    return cached_stage("hashtag_corpus", corpus_key(max_tweets, split_seed, emoji_share),
                        functools.partial(_build_corpus, max_tweets, split_seed, emoji_share))


def load_corpus(stage: Path) -> tuple[list[Example], np.ndarray, dict[str, int]]:
    rows = json.loads((stage / "corpus.json").read_text())
    split = np.array([r.pop("split") for r in rows], dtype=np.int64)
    return [Example(**r) for r in rows], split, json.loads((stage / "tag_counts.json").read_text())


# ---- arrays stage ----------------------------------------------------------------------

@dataclass(frozen=True)
class ArraysSpec:
    max_tweets: int
    split_seed: int
    emoji_share: float
    input: str
    vocab_size: int
    min_count: int
    max_src_len: int
    max_tgt_len: int


def training_pairs(examples: list[Example], idx: np.ndarray, vocab: Vocabulary,
           max_tgt_len: int) -> tuple[np.ndarray, np.ndarray]:
    """One (tweet, target) pair per gold hashtag: a multi-hashtag tweet is copied once per tag."""
    tweets, targets = [], []
    for i in idx:
        for target in examples[i].targets:
            tweets.append(i)
            targets.append(vocab.encode(target.split()[:max_tgt_len], add_bos=True, add_eos=True))
    tgt, _ = pad_sequences(targets, max_tgt_len + 2)
    return np.array(tweets, dtype=np.int64), tgt


def _build_arrays(spec: ArraysSpec, out: Path) -> None:
    examples, split, _ = load_corpus(corpus_stage(spec.max_tweets, spec.split_seed, spec.emoji_share))
    tok = TweetTokenizer(lowercase=True, placeholders=True)
    train = np.flatnonzero(split == TRAIN)
    texts = [source_text(e, spec.input) for e in examples]  # the emoji where the tweet keeps it
    vocab = Vocabulary.build([tok.tokenize(texts[i]) for i in train]
                             + [w.split() for i in train for w in examples[i].targets],
                             max_size=spec.vocab_size, min_count=spec.min_count)
    arrays = {}
    arrays["src"], arrays["src_len"] = source_ids(texts, vocab, tok, spec.max_src_len)
    for name, code in (("train", TRAIN), ("val", VAL)):
        arrays[f"{name}_tweet"], arrays[f"{name}_tgt"] = training_pairs(
            examples, np.flatnonzero(split == code), vocab, spec.max_tgt_len)
    arrays["test_tweet"] = np.flatnonzero(split == TEST)
    np.savez(out / "arrays.npz", **arrays)
    (out / "vocab.json").write_text(json.dumps(vocab.to_dict(), ensure_ascii=False))


def arrays_stage(spec: ArraysSpec) -> Path:
    key = {**spec.__dict__, **corpus_key(spec.max_tweets, spec.split_seed, spec.emoji_share),
           "version": ARRAYS_VERSION}
    return cached_stage("hashtag_arrays", key, functools.partial(_build_arrays, spec))


# ---- fused stage: the frozen encoder's vectors -----------------------------------------------

def encoder_inputs(texts: Sequence[str], tokenizer) -> tuple[np.ndarray, np.ndarray]:
    """The frozen encoder's own tokenizer: a token (an emoji too) outside its vocabulary is <unk>."""
    return tokenizer.encode(list(texts))


def encode_texts(encoder, texts: Sequence[str], chunk: int = 512) -> np.ndarray:
    """(N, representation_dim) float32 attention vectors of a frozen encoder, in eval mode."""
    tokens, lengths = encoder_inputs(texts, encoder.tokenizer)
    model = encoder.model.eval()
    out = []
    with torch.no_grad():
        for s in range(0, len(texts), chunk):
            out.append(model.encode(torch.as_tensor(tokens[s:s + chunk]),
                                    torch.as_tensor(lengths[s:s + chunk])).float().numpy())
    return np.concatenate(out) if out else np.zeros((0, model.representation_dim), np.float32)


def _build_fused(encoder_path: Path, max_tweets: int, split_seed: int, emoji_share: float, out: Path) -> None:
    examples, _, _ = load_corpus(corpus_stage(max_tweets, split_seed, emoji_share))
    encoder = load_pretrained(encoder_path)
    # The encoder reads the post (hashtags cut: they are the answer) with the label emoji where
    # the tweet keeps it, as DeepMoji reads a tweet's text with whatever emojis it has.
    np.savez(out / "fused.npz", vectors=encode_texts(encoder, [source_text(e, "emoji_token") for e in examples]))


def fused_stage(encoder_path: Path, max_tweets: int, split_seed: int, emoji_share: float) -> Path:
    key = {"encoder": encoder_path.name, **corpus_key(max_tweets, split_seed, emoji_share), "version": FUSED_VERSION}
    return cached_stage("hashtag_fused", key,
                        functools.partial(_build_fused, encoder_path, max_tweets, split_seed, emoji_share))


__all__ = ["INPUTS", "TEST", "TEST_FRACTION", "TRAIN", "VAL", "ArraysSpec", "Example", "arrays_stage",
           "corpus_stage", "encode_texts", "encoder_inputs", "fused_stage", "generation_examples", "keeps_emoji",
           "load_corpus", "source_ids", "source_text", "split_examples", "training_pairs"]
